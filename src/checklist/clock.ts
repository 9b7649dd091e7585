/**
 * Local time in an IANA zone, fast enough for the hot path (the offsets come from
 * src/util/zone-offset.ts), so DST is honoured without building a Date per event.
 */
import { tzOffset } from '@date-fns/tz';
import type { BusinessHours } from '../rules/types.js';
import { parseClock } from '../rules/match.js';
import { createZoneOffset } from '../util/zone-offset.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface LocalTime {
  /** ISO weekday, 1 = Monday ... 7 = Sunday. */
  isoDay: number;
  /** Minutes since local midnight. */
  minute: number;
  /** UTC offset in minutes (positive east of Greenwich). */
  offset: number;
}

export interface ZoneClock {
  zone: string;
  offset(ts: number): number;
  local(ts: number): LocalTime;
}

/** Throws when the zone is not known to the runtime. */
export function createZoneClock(zone: string): ZoneClock {
  const probe = tzOffset(zone, new Date(0));
  if (!Number.isFinite(probe)) throw new Error(`unknown time zone "${zone}"`);
  const offset = createZoneOffset(zone);

  function local(ts: number): LocalTime {
    const off = offset(ts);
    const shifted = ts + off * MINUTE_MS;
    const day = Math.floor(shifted / DAY_MS);
    const minute = Math.floor((shifted - day * DAY_MS) / MINUTE_MS);
    // 1970-01-01 was a Thursday (ISO 4).
    const isoDay = ((((day + 3) % 7) + 7) % 7) + 1;
    return { isoDay, minute, offset: off };
  }

  return { zone, offset, local };
}

function parseHhMm(s: string, what: string): number {
  const m = parseClock(s.trim());
  if (m === null) throw new Error(`businessHours.${what} "${s}" is not a time of day (HH:MM)`);
  return m;
}

export interface BusinessHoursCheck {
  clock: ZoneClock;
  /** True when the instant is outside the organisation's business hours. */
  isOffHours(ts: number): boolean;
  /** e.g. "Mon–Fri 08:00–18:00 Europe/Berlin". */
  describe(): string;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function describeDays(days: number[]): string {
  const sorted = [...new Set(days)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  if (sorted.length === 0) return 'no days';
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    const a = DAY_NAMES[(sorted[i] as number) - 1] as string;
    const b = DAY_NAMES[(sorted[j] as number) - 1] as string;
    parts.push(j === i ? a : j === i + 1 ? `${a}, ${b}` : `${a}–${b}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * Business hours: `days` are the ISO weekdays on which the window *starts*; a window whose end is
 * before its start wraps past midnight into the next day (a Friday 22:00–06:00 shift covers
 * Saturday 03:00). start === end means the whole day.
 */
export function createBusinessHours(bh: BusinessHours): BusinessHoursCheck {
  const clock = createZoneClock(bh.timezone);
  const start = parseHhMm(bh.start, 'start');
  const end = parseHhMm(bh.end, 'end');
  const days = new Uint8Array(8);
  for (const d of bh.days) if (d >= 1 && d <= 7) days[d] = 1;
  const wraps = end < start;
  const whole = end === start;

  function isOffHours(ts: number): boolean {
    // clock.local without the object, for the hot path.
    const shifted = ts + clock.offset(ts) * MINUTE_MS;
    const day = Math.floor(shifted / DAY_MS);
    const minute = Math.floor((shifted - day * DAY_MS) / MINUTE_MS);
    const isoDay = ((((day + 3) % 7) + 7) % 7) + 1;
    if (whole) return days[isoDay] !== 1;
    if (!wraps) return !(days[isoDay] === 1 && minute >= start && minute < end);
    if (minute >= start) return days[isoDay] !== 1;
    if (minute < end) return days[isoDay === 1 ? 7 : isoDay - 1] !== 1;
    return true;
  }

  const description = `${describeDays(bh.days)} ${bh.start}–${bh.end} ${bh.timezone}`;
  return { clock, isOffHours, describe: () => description };
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const clocks = new Map<string, ZoneClock>();

function clockFor(zone: string): ZoneClock {
  let c = clocks.get(zone);
  if (c === undefined) {
    c = createZoneClock(zone);
    if (clocks.size >= 64) clocks.clear();
    clocks.set(zone, c);
  }
  return c;
}

/** "2024-05-14 05:45:00 +02:00 (Tuesday)" in the zone (offsets memoised per zone). */
export function formatInZone(ts: number, zone: string): string {
  const { isoDay, offset } = clockFor(zone).local(ts);
  const local = new Date(ts + offset * MINUTE_MS).toISOString();
  const abs = Math.abs(offset);
  const off = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 10)} ${local.slice(11, 19)} ${off} (${WEEKDAYS[isoDay - 1] as string})`;
}

/** "2024-05-14 03:45:00 UTC". */
export function formatUtc(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
