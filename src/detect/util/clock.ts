/** Business hours in a time zone, DST-correct, cheap per event (offsets from src/util/zone-offset.ts). */
import { parseClock } from '../../rules/match.js';
import type { BusinessHours } from '../../rules/types.js';
import { createZoneOffset } from '../../util/zone-offset.js';

const DAY = 86_400_000;
const WEEKDAYS = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface LocalTime {
  /** ISO weekday 1 (Monday) .. 7 (Sunday). */
  dow: number;
  /** Minutes after local midnight. */
  minute: number;
  /** Local days since the epoch (for "distinct days"). */
  day: number;
  /** Epoch ms shifted by the zone offset (format with getUTC*). */
  shifted: number;
}

export class WorkingClock {
  private readonly offset: (ts: number) => number;
  private readonly start: number;
  private readonly end: number;
  private readonly days: ReadonlySet<number>;

  constructor(readonly hours: BusinessHours) {
    this.start = parseClock(hours.start) ?? 540;
    this.end = parseClock(hours.end) ?? 1080;
    this.days = new Set(hours.days);
    this.offset = createZoneOffset(hours.timezone);
  }

  local(ts: number): LocalTime {
    const shifted = ts + this.offset(ts) * 60_000;
    const day = Math.floor(shifted / DAY);
    const dow = ((((day + 3) % 7) + 7) % 7) + 1;
    return { dow, minute: Math.floor((shifted - day * DAY) / 60_000), day, shifted };
  }

  isWorking(t: LocalTime): boolean {
    const { start, end, days } = this;
    if (start < end) return days.has(t.dow) && t.minute >= start && t.minute < end;
    // A window that wraps midnight belongs to the day it started on.
    const prev = t.dow === 1 ? 7 : t.dow - 1;
    return (days.has(t.dow) && t.minute >= start) || (days.has(prev) && t.minute < end);
  }

  /**
   * Whether the local time falls on a working day (one of `days`). In a window that wraps midnight the
   * hours before its end belong to the day before, as in isWorking: Saturday 03:00 after a Friday night
   * shift is part of a working day.
   */
  workingDay(t: LocalTime): boolean {
    if (this.start >= this.end && t.minute < this.end) return this.days.has(t.dow === 1 ? 7 : t.dow - 1);
    return this.days.has(t.dow);
  }

  describe(): string {
    const d = [...this.days].sort((a, b) => a - b);
    const contiguous = d.length > 1 && d.every((x, i) => i === 0 || x === d[i - 1]! + 1);
    const names = d.length === 0 ? 'no days' : contiguous ? `${WEEKDAYS[d[0]!]!.slice(0, 3)}-${WEEKDAYS[d[d.length - 1]!]!.slice(0, 3)}` : d.map((x) => WEEKDAYS[x]!.slice(0, 3)).join(',');
    return `${names} ${this.hours.start}-${this.hours.end} ${this.hours.timezone}`;
  }

  /** The local time with its zone: the report's other times may be in another (--tz). */
  format(t: LocalTime): string {
    const iso = new Date(t.shifted).toISOString();
    return `${WEEKDAYS[t.dow]} ${iso.slice(0, 10)} ${iso.slice(11, 16)} ${this.hours.timezone}`;
  }
}
