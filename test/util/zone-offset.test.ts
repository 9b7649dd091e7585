import { describe, expect, it } from 'vitest';
import { tzOffset } from '@date-fns/tz';
import { createWallClockToUtc, createZoneOffset } from '../../src/util/zone-offset.js';
import { WorkingClock } from '../../src/detect/util/clock.js';

const MINUTE = 60_000;

describe('createZoneOffset (the UTC offset of a zone, memoised per quarter hour)', () => {
  it("matches tzOffset minute by minute around transitions that are not on a quarter hour or an hour", () => {
    const cases: Array<[string, string]> = [
      ['America/St_Johns', '2006-04-02T03:31:00Z'], // 00:01 local, until 2011
      ['America/St_Johns', '2023-03-12T05:30:00Z'], // 02:00 local, a half hour past a UTC hour
      ['America/St_Johns', '2023-11-05T04:30:00Z'],
      ['Australia/Lord_Howe', '2023-04-01T15:00:00Z'], // a 30-minute DST shift
      ['Asia/Kathmandu', '2023-06-01T00:00:00Z'],
    ];
    for (const [zone, iso] of cases) {
      const offset = createZoneOffset(zone);
      const at = Date.parse(iso);
      // In time order, as a log is read: the memo of the previous bucket is exercised too.
      for (let ts = at - 40 * MINUTE; ts <= at + 40 * MINUTE; ts += 30_000) {
        expect([zone, new Date(ts).toISOString(), offset(ts)]).toEqual([zone, new Date(ts).toISOString(), tzOffset(zone, new Date(ts))]);
      }
    }
  });

  it('is 0 for UTC and NaN for a zone the runtime does not know', () => {
    expect(createZoneOffset('UTC')(Date.parse('2024-01-01T00:00:00Z'))).toBe(0);
    expect(createZoneOffset('Mars/Olympus')(Date.parse('2024-01-01T00:00:00Z'))).toBeNaN();
  });
});

describe('WorkingClock (after-hours-admin)', () => {
  it("gives the local time after a transition half an hour into a UTC hour (St. John's, 2023-03-12 05:30 UTC)", () => {
    const clock = new WorkingClock({ timezone: 'America/St_Johns', start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] });
    // The first request of the UTC hour comes before the change, the second after it.
    expect(clock.local(Date.parse('2023-03-12T05:10:00Z')).minute).toBe(1 * 60 + 40); // 01:40 NST
    expect(clock.local(Date.parse('2023-03-12T05:40:00Z')).minute).toBe(3 * 60 + 10); // 03:10 NDT
  });
});

describe('createWallClockToUtc (a zone-less log time read in --input-tz)', () => {
  const at = (zone: string, wall: string): string => new Date(createWallClockToUtc(zone)(Date.parse(`${wall}Z`))).toISOString();
  it('reads ordinary times with the offset in force then', () => {
    expect(at('Europe/Berlin', '2024-01-15T10:00:00')).toBe('2024-01-15T09:00:00.000Z');
    expect(at('Europe/Berlin', '2024-07-15T10:00:00')).toBe('2024-07-15T08:00:00.000Z');
    expect(at('America/New_York', '2024-07-15T23:30:00')).toBe('2024-07-16T03:30:00.000Z');
    expect(at('Asia/Kathmandu', '2024-07-15T10:00:00')).toBe('2024-07-15T04:15:00.000Z');
    expect(at('UTC', '2024-07-15T10:00:00')).toBe('2024-07-15T10:00:00.000Z');
  });

  it('takes the earlier reading when the clock goes back and the old offset in the skipped hour', () => {
    // Berlin 2024-10-27: 03:00 CEST -> 02:00 CET, so 02:30 happens twice.
    expect(at('Europe/Berlin', '2024-10-27T02:30:00')).toBe('2024-10-27T00:30:00.000Z');
    expect(at('Europe/Berlin', '2024-10-27T03:30:00')).toBe('2024-10-27T02:30:00.000Z');
    // Berlin 2024-03-31: 02:00 CET -> 03:00 CEST, so 02:30 never happens.
    expect(at('Europe/Berlin', '2024-03-31T02:30:00')).toBe('2024-03-31T01:30:00.000Z');
    expect(at('Europe/Berlin', '2024-03-31T03:30:00')).toBe('2024-03-31T01:30:00.000Z');
    expect(at('Europe/Berlin', '2024-03-31T01:30:00')).toBe('2024-03-31T00:30:00.000Z');
  });

  it('round-trips every quarter hour of a year in a zone with DST', () => {
    const toUtc = createWallClockToUtc('America/St_Johns');
    const offset = createZoneOffset('America/St_Johns');
    for (let t = Date.parse('2023-01-01T00:00:00Z'); t < Date.parse('2024-01-01T00:00:00Z'); t += 15 * MINUTE) {
      const wall = t + offset(t) * MINUTE;
      const back = toUtc(wall);
      // Inside the repeated hour two instants share a wall time: the earlier one is given.
      if (back !== t) expect([new Date(t).toISOString(), back + 60 * MINUTE]).toEqual([new Date(t).toISOString(), t]);
    }
  });
});
