/** Parsers for option values. Each throws UsageError with a message naming the option. */
import { SEVERITIES, type Severity } from '../detect/types.js';
import { UsageError, type EntriesMode, type OutputFormat } from '../analyze/options.js';
import { tzOffset } from '@date-fns/tz';
import { MAP_PATH_SEPARATOR } from '../normalise/map-separator.js';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'ndjson', 'csv', 'sarif'];

export function parseSeverity(value: string, option: string): Severity {
  const v = value.toLowerCase() as Severity;
  if (!SEVERITIES.includes(v)) {
    throw new UsageError(`${option}: expected one of ${SEVERITIES.join(', ')}, got "${value}"`);
  }
  return v;
}

export function parseEntries(value: string): EntriesMode {
  if (value === 'all' || value === 'flagged' || value === 'none') return value;
  throw new UsageError(`--entries: expected all, flagged or none, got "${value}"`);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "15m", "24h", "7d", "2w" -> milliseconds. */
export function parseDuration(value: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i.exec(value.trim());
  if (!m) throw new UsageError(`${option}: expected a duration like 30m, 24h or 7d, got "${value}"`);
  return Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
}

/** ISO 8601 date or date-time; a date alone means midnight UTC (or end of that day for --to). */
export function parseInstant(value: string, option: string, endOfDay = false, zone = 'UTC'): number {
  const v = value.trim();
  // Date.parse rolls an impossible day over (2025-02-30 -> 2 March): refuse it, as the logs' own
  // timestamps are refused (src/normalise/time.ts).
  if (/^\d{4}-\d{2}-\d{2}/.test(v) && !calendarDate(v.slice(0, 10))) {
    throw new UsageError(`${option}: ${v.slice(0, 10)} is not a date of the calendar, got "${value}"`);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    // A day is the day in the display zone (--tz): its first and last millisecond there.
    if (Number.isFinite(t)) return endOfDay ? wallTimeIn(zone, t + 86_400_000) - 1 : wallTimeIn(zone, t);
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const zoned = /[zZ]|[+-]\d{2}(?::?\d{2})?$/.test(v);
    // ISO 8601 allows an offset of hours alone (+01); Date.parse wants its minutes.
    const t = Date.parse(zoned ? v.replace(/([+-]\d{2})$/, '$1:00') : `${v}Z`);
    // A time without an offset is a wall-clock time in --tz, as the report shows times.
    if (Number.isFinite(t)) return zoned ? t : wallTimeIn(zone, t);
  }
  throw new UsageError(`${option}: expected an ISO 8601 date or date-time (2024-05-01 or 2024-05-01T13:00:00Z), got "${value}"`);
}

/** "YYYY-MM-DD" names a day that exists (no 30 February, no 29 February outside leap years). */
function calendarDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** --from and --to: a range that ends before it starts is a usage error, not an empty report. */
export function parseTimeRange(from: string | undefined, to: string | undefined, zone: string): { from?: number; to?: number } {
  const f = from ? parseInstant(from, '--from', false, zone) : undefined;
  const t = to ? parseInstant(to, '--to', true, zone) : undefined;
  if (f !== undefined && t !== undefined && f > t) {
    throw new UsageError(`--from ${from} is after --to ${to}: no event can be in that range (swap them?)`);
  }
  return { ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}) };
}

/**
 * The instant at which the clock in `zone` reads the wall time `wall` (given as if it were UTC).
 * In a DST gap the later offset is taken; in an overlap, the first of the two instants.
 */
function wallTimeIn(zone: string, wall: number): number {
  if (zone === 'UTC') return wall;
  const first = tzOffset(zone, new Date(wall));
  const t = wall - first * 60_000;
  const second = tzOffset(zone, new Date(t));
  return second === first ? t : wall - second * 60_000;
}

/** "10MB", "2GiB", "512k", "1048576" -> bytes. */
export function parseSize(value: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)$/i.exec(value.trim());
  if (!m) throw new UsageError(`${option}: expected a size like 16MB or 2GB, got "${value}"`);
  const pow = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** Math.max(0, pow));
}

export function parsePositiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option}: expected a positive whole number, got "${value}"`);
  return n;
}

/**
 * "field=path" pairs from repeated --map options. The same field given twice keeps both paths, the
 * first present in a record winning (`--map user=userId --map user=jwt_sub` for a folder of two
 * gateways' logs): joined with a newline, which no source path holds (see MAP_PATH_SEPARATOR).
 */
export function parseMapPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) {
      throw new UsageError(`--map: expected canonical=path (e.g. --map user=actor.name), got "${p}"`);
    }
    const key = p.slice(0, eq).trim();
    const path = p.slice(eq + 1).trim();
    out[key] = out[key] === undefined ? path : `${out[key]}${MAP_PATH_SEPARATOR}${path}`;
  }
  return out;
}

export function parseList(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export function validTimeZone(tz: string, option = '--tz'): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new UsageError(`${option}: unknown time zone "${tz}" (use an IANA name such as Europe/Berlin or UTC)`);
  }
}

/** Collect repeated options into an array (commander helper). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
