import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBusinessHours, createZoneClock } from '../../src/checklist/clock.js';
import { hourOfWeekUtc } from '../../src/baseline/stats.js';

const berlin = { timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' };

describe('business hours', () => {
  it('follows daylight saving time in the configured zone', () => {
    const bh = createBusinessHours(berlin);
    // 07:30 UTC is 08:30 CET in winter.
    expect(bh.isOffHours(Date.parse('2024-01-16T07:30:00Z'))).toBe(false);
    // ...and 09:30 CEST in summer; 06:30 UTC is 07:30 CET (off) but 08:30 CEST (on).
    expect(bh.isOffHours(Date.parse('2024-01-16T06:30:00Z'))).toBe(true);
    expect(bh.isOffHours(Date.parse('2024-07-16T06:30:00Z'))).toBe(false);
    // 16:30 UTC: 17:30 CET (on), 18:30 CEST (off).
    expect(bh.isOffHours(Date.parse('2024-01-16T16:30:00Z'))).toBe(false);
    expect(bh.isOffHours(Date.parse('2024-07-16T16:30:00Z'))).toBe(true);
    // Around the spring-forward night (2024-03-31 01:00 UTC): a Sunday anyway, then Monday 06:30 UTC = 08:30 CEST.
    expect(bh.isOffHours(Date.parse('2024-04-01T06:30:00Z'))).toBe(false);
    expect(bh.isOffHours(Date.parse('2024-03-25T06:30:00Z'))).toBe(true);
  });

  it('treats weekends as off-hours', () => {
    const bh = createBusinessHours(berlin);
    expect(bh.isOffHours(Date.parse('2024-05-18T10:00:00Z'))).toBe(true); // Saturday
    expect(bh.describe()).toBe('Mon–Fri 08:00–18:00 Europe/Berlin');
  });

  it('wraps a window past midnight into the next day', () => {
    const night = createBusinessHours({ timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '22:00', end: '06:00' });
    expect(night.isOffHours(Date.parse('2024-05-17T23:00:00Z'))).toBe(false); // Friday 23:00
    expect(night.isOffHours(Date.parse('2024-05-18T03:00:00Z'))).toBe(false); // Saturday 03:00: Friday's shift
    expect(night.isOffHours(Date.parse('2024-05-18T23:00:00Z'))).toBe(true); // Saturday 23:00
    expect(night.isOffHours(Date.parse('2024-05-20T03:00:00Z'))).toBe(true); // Monday 03:00: Sunday had no shift
    expect(night.isOffHours(Date.parse('2024-05-20T12:00:00Z'))).toBe(true);
  });

  it('rejects an unknown zone and a malformed time', () => {
    expect(() => createZoneClock('Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => createBusinessHours({ ...berlin, start: '8am' })).toThrow(/businessHours.start "8am"/);
  });

  it('agrees with TZDate for any instant and zone (the offset cache is exact)', () => {
    const clocks = new Map<string, ReturnType<typeof createZoneClock>>();
    const clockOf = (z: string) => clocks.get(z) ?? clocks.set(z, createZoneClock(z)).get(z)!;
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'UTC', 'Pacific/Chatham'];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2040-01-01') }), fc.constantFrom(...zones), (ts, zone) => {
        // One clock per zone across runs, so the memoised offsets are exercised.
        const local = clockOf(zone).local(ts);
        const ref = new TZDate(ts, zone);
        expect(local.minute).toBe(ref.getHours() * 60 + ref.getMinutes());
        expect(local.isoDay).toBe(ref.getDay() === 0 ? 7 : ref.getDay());
      }),
      { numRuns: 2000 },
    );
  });

  it('honours a transition that is not on a quarter hour (St. John\'s at 00:01 local, 03:31 UTC, in 2006)', () => {
    const clock = createZoneClock('America/St_Johns');
    for (const iso of ['2006-04-02T03:30:59.999Z', '2006-04-02T03:31:00.000Z', '2006-04-02T03:44:00.000Z', '2006-04-02T03:29:00.000Z']) {
      const ts = Date.parse(iso);
      const ref = new TZDate(ts, 'America/St_Johns');
      expect([iso, clock.local(ts).minute]).toEqual([iso, ref.getHours() * 60 + ref.getMinutes()]);
    }
  });

  it('hourOfWeekUtc counts from Monday 00:00 UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.parse('2100-01-01') }), (ts) => {
        const d = new Date(ts);
        expect(hourOfWeekUtc(ts)).toBe(((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours());
      }),
    );
  });
});
