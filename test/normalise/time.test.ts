import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { epochToMs, lastTimestampHadNoOffset, parseClf, parseIso, parseTimestamp } from '../../src/normalise/time.js';
import { utc } from './helpers.js';

describe('parseTimestamp', () => {
  const T = utc(2024, 3, 1, 9, 15, 2, 120);
  it.each([
    ['2024-03-01T09:15:02.120Z', T],
    ['2024-03-01T09:15:02.12Z', T],
    ['2024-03-01T09:15:02.120345678Z', T],
    ['2024-03-01T09:15:02.1200000Z', T],
    ['2024-03-01T10:15:02.120+01:00', T],
    ['2024-03-01T04:15:02.120-0500', T],
    ['2024-03-01T11:15:02.120+02', T],
    ['2024-03-01 09:15:02.120', T],
    ['2024-03-01t09:15:02.120z', T],
    ['2024-03-01T09:15:02,120Z', T],
    ['2024-03-01 09:15:02.120 +0000 UTC', T],
    ['2024-03-01T09:15:02.120 UTC', T],
    [' 2024-03-01T09:15:02.120Z ', T],
    ['01/Mar/2024:09:15:02 +0000', utc(2024, 3, 1, 9, 15, 2)],
    ['01/Mar/2024:10:15:02 +0100', utc(2024, 3, 1, 9, 15, 2)],
    ['[01/Mar/2024:09:15:02 +0000]', utc(2024, 3, 1, 9, 15, 2)],
    ['15/Jul/2021:05:35:16 +0000', utc(2021, 7, 15, 5, 35, 16)],
    ['2024-03-01', utc(2024, 3, 1)],
    ['2024-03-01T09:15Z', utc(2024, 3, 1, 9, 15)],
    ['Fri, 01 Mar 2024 09:15:02 GMT', utc(2024, 3, 1, 9, 15, 2)],
  ])('%j', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it('epoch numbers and numeric strings by magnitude (s, ms, µs, ns)', () => {
    expect(parseTimestamp(1709284502)).toBe(utc(2024, 3, 1, 9, 15, 2));
    expect(parseTimestamp(1709284502.12)).toBe(T);
    expect(parseTimestamp(1761019828.6153953)).toBe(1761019828615);
    expect(parseTimestamp(1614232668.342)).toBe(1614232668342);
    expect(parseTimestamp(1709284502120)).toBe(T);
    expect(parseTimestamp(1709284502120000)).toBe(T);
    expect(parseTimestamp(1709284502120000000)).toBe(T);
    expect(parseTimestamp('1709284502')).toBe(utc(2024, 3, 1, 9, 15, 2));
    expect(parseTimestamp('1709284502.120')).toBe(T);
    expect(parseTimestamp('1709284502120')).toBe(T);
    expect(parseTimestamp('1709284502120000')).toBe(T);
    expect(parseTimestamp('1700000000000000000')).toBe(1700000000000);
    expect(parseTimestamp(BigInt('1709284502120000000'))).toBe(T);
  });

  it('a small number is a duration or a count, not a time (nginx request_time 0.259 is no 1970 date)', () => {
    for (const v of [0.259, 12.5, 86_400, 99_999_999, '0.259', '3600']) expect(parseTimestamp(v), String(v)).toBeUndefined();
    expect(parseTimestamp(100_000_000)).toBe(utc(1973, 3, 3, 9, 46, 40));
  });

  it.each([
    [''], ['-'], ['yesterday'], ['12'], ['2024-13-01T00:00:00Z'], ['2023-02-29'], ['2024-03-01T25:00:00Z'],
    ['2024-03-01T09:15:02+25:00'], ['2024-03-01T09:15:02 PST'], ['32/Mar/2024:00:00:00 +0000'], [0], [-5], [Number.NaN],
    [Number.POSITIVE_INFINITY], [null], [true], [{}], [[1709284502]],
  ])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });

  it('accepts 29 February in leap years only', () => {
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(utc(2024, 2, 29));
    expect(parseTimestamp('2000-02-29')).toBe(utc(2000, 2, 29));
    expect(parseTimestamp('1900-02-29')).toBeUndefined();
  });

  it('hand-parsed ISO agrees with Date for any instant and offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.integer({ min: 0, max: 9 }),
        (ms, offMin, fracDigits) => {
          const local = new Date(ms + offMin * 60_000);
          const pad = (n: number, w = 2) => String(n).padStart(w, '0');
          const frac = pad(local.getUTCMilliseconds(), 3) + '0'.repeat(Math.max(0, fracDigits - 3));
          const sign = offMin < 0 ? '-' : '+';
          const a = Math.abs(offMin);
          const s =
            `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T` +
            `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
            (fracDigits > 0 ? '.' + frac.slice(0, Math.max(fracDigits, 1)) : '') +
            `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
          const expected = fracDigits >= 3 ? ms : ms - (ms % 1000) + Math.floor((ms % 1000) / 10 ** (3 - fracDigits)) * 10 ** (3 - fracDigits);
          expect(parseIso(s)).toBe(expected);
        },
      ),
    );
  });

  it('CLF agrees with Date for any instant', () => {
    const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1971, 0, 1) / 1000, max: Date.UTC(2099, 0, 1) / 1000 }), (sec) => {
        const d = new Date(sec * 1000);
        const pad = (n: number) => String(n).padStart(2, '0');
        const s = `${pad(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
        expect(parseClf(s)).toBe(sec * 1000);
      }),
    );
  });

  it('epochToMs: the same instant in s, ms, µs and ns gives the same ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2001, 9, 1), max: Date.UTC(2099, 0, 1) }), (ms) => {
        expect(epochToMs(ms)).toBe(ms);
        expect(epochToMs(ms * 1000)).toBe(ms);
        expect(epochToMs(ms * 1e6)).toBe(ms);
        expect(epochToMs(Math.floor(ms / 1000))).toBe(ms - (ms % 1000));
      }),
    );
  });

  it.each([
    ['2024-03-01T09:15:02.120', true],
    ['2024-03-01 09:15:02', true],
    ['2024-03-01', true],
    ['01/Mar/2024:09:15:02', true],
    ['2024/03/01 09:15:02', true],
    ['2024-03-01T09:15:02Z', false],
    ['2024-03-01T10:15:02+01:00', false],
    ['2024-03-01 09:15:02 UTC', false],
    ['01/Mar/2024:09:15:02 +0000', false],
    ['Fri, 01 Mar 2024 09:15:02 GMT', false],
    ['Fri, 01 Mar 2024 04:15:02 EST', false],
    [1709284502, false],
    ['1709284502', false],
  ])('%j carries no UTC offset: %s', (input, naive) => {
    parseTimestamp(naive ? 1709284502 : '2024-03-01T09:15:02');
    expect(parseTimestamp(input)).toBeDefined();
    expect(lastTimestampHadNoOffset()).toBe(naive);
  });

  it('a failed parse leaves the last verdict alone (a second source that is no timestamp)', () => {
    parseTimestamp('2024-03-01T09:15:02');
    expect(parseTimestamp('not a time')).toBeUndefined();
    expect(parseTimestamp('2024-13-01T09:15:02Z')).toBeUndefined();
    expect(lastTimestampHadNoOffset()).toBe(true);
  });

  it('a zone-less RFC 1123-like time is read as UTC whatever the machine zone, like a zone-less ISO time', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      expect(parseTimestamp('2024/03/01 09:15:02')).toBe(utc(2024, 3, 1, 9, 15, 2));
      expect(parseTimestamp('Fri, 01 Mar 2024 09:15:02')).toBe(utc(2024, 3, 1, 9, 15, 2));
      expect(parseTimestamp('Fri, 01 Mar 2024 04:15:02 EST')).toBe(utc(2024, 3, 1, 9, 15, 2));
      expect(parseTimestamp('Fri Mar 01 2024 10:15:02 GMT+0100 (Central European Standard Time)')).toBe(utc(2024, 3, 1, 9, 15, 2));
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
