import { createZoneOffset } from '../util/zone-offset.js';

/** Record times are ISO 8601 UTC strings or epoch ms; the display converts them to one IANA zone. */
export type TimeInput = string | number;

export function toMs(t: TimeInput): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

/** True when `tz` is a time zone the runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  if (tz === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

export interface TimeFormatter {
  /** The zone actually used (UTC when the requested one is unknown). */
  tz: string;
  /** Offset from UTC in minutes at `ms`. */
  offset(ms: number): number;
  /** "2024-03-01 10:02:11" in the display zone. */
  dateTime(t: TimeInput): string;
  /** "2024-03-01 10:02" */
  dateTimeMinutes(t: TimeInput): string;
  /** "2024-03-01" */
  date(t: TimeInput): string;
  /** "10:02:11" */
  time(t: TimeInput): string;
  /** "Europe/Paris (UTC+01:00)" or "UTC", with the offset at `at`. */
  label(at?: TimeInput): string;
  /** "start → end (duration)", dropping the end's date when it is the start's. */
  range(start: TimeInput, end: TimeInput): string;
}

export function createTimeFormatter(requested: string): TimeFormatter {
  const tz = requested && isValidTimeZone(requested) ? requested : 'UTC';
  const utc = tz === 'UTC' || tz === 'Etc/UTC';
  const zoneOffset = createZoneOffset(tz);
  const offset = (ms: number): number => {
    const off = zoneOffset(ms);
    return Number.isFinite(off) ? off : 0;
  };
  const parts = (t: TimeInput): Date | null => {
    const ms = toMs(t);
    if (!Number.isFinite(ms)) return null;
    return new Date(ms + offset(ms) * 60_000);
  };
  const date = (t: TimeInput): string => {
    const d = parts(t);
    if (!d) return '?';
    return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  };
  const time = (t: TimeInput): string => {
    const d = parts(t);
    if (!d) return '?';
    return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  };
  const dateTime = (t: TimeInput): string => `${date(t)} ${time(t)}`;
  const dateTimeMinutes = (t: TimeInput): string => dateTime(t).slice(0, 16);
  const label = (at?: TimeInput): string => {
    if (utc) return 'UTC';
    const ms = at === undefined ? Date.now() : toMs(at);
    return `${tz} (${formatOffset(offset(Number.isFinite(ms) ? ms : Date.now()))})`;
  };
  const range = (start: TimeInput, end: TimeInput): string => {
    const s = toMs(start);
    const e = toMs(end);
    const endText = date(start) === date(end) ? time(end) : dateTime(end);
    return `${dateTime(start)} → ${endText} (${formatDuration(e - s)})`;
  };
  return { tz, offset, dateTime, dateTimeMinutes, date, time, label, range };
}

/** "0s", "850ms", "44s", "12m 44s", "3h 05m", "2d 4h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return ms === 0 ? '0s' : `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${two(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${two(m % 60)}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}
