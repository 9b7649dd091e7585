/** Small numeric helpers shared by the learner and its readers. */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Hour of week in UTC: 0 = Monday 00:00 ... 167 = Sunday 23:00. */
export function hourOfWeekUtc(ts: number): number {
  const day = Math.floor(ts / DAY_MS);
  // 1970-01-01 was a Thursday (Monday-based index 3).
  const dow = (((day + 3) % 7) + 7) % 7;
  const hour = (((Math.floor(ts / HOUR_MS)) % 24) + 24) % 24;
  return dow * 24 + hour;
}

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * The UTC weekdays (0 = Monday) a baseline's period covers, or null when it covers a whole week:
 * hours of week learned from Tuesday say nothing about a Thursday.
 */
export function weekdaysCovered(period: { start: number; end: number }): Set<number> | null {
  if (!(period.end >= period.start) || period.end - period.start >= 7 * DAY_MS - HOUR_MS) return null;
  const out = new Set<number>();
  const last = Math.floor(period.end / DAY_MS);
  for (let day = Math.floor(period.start / DAY_MS); day <= last && out.size < 7; day++) out.add((((day + 3) % 7) + 7) % 7);
  return out.size === 7 ? null : out;
}

/** "Tue, Wed" for a set of weekday indexes. */
export function weekdayList(days: ReadonlySet<number>): string {
  return [...days].sort((a, b) => a - b).map((d) => WEEKDAY_NAMES[d]).join(', ');
}

/**
 * Weekdays (including the instant's own) on which an actor was active at the UTC hour of day of `ts`.
 * With `keep`, only the weekdays it accepts, given an instant at that UTC hour on that weekday (the
 * same week as `ts`).
 */
export function weekdaysActiveAtHour(hoursOfWeek: readonly number[], ts: number, keep?: (sameHourThatDay: number) => boolean): number {
  const how = hourOfWeekUtc(ts);
  const hour = how % 24;
  const dow = Math.floor(how / 24);
  let days = 0;
  for (let d = 0; d < 7; d++) if ((hoursOfWeek[d * 24 + hour] ?? 0) > 0 && (keep === undefined || keep(ts + (d - dow) * DAY_MS))) days++;
  return days;
}

/** The route key used by baselines: "METHOD template" ("*" when the method is unknown). */
export function routeKey(method: string | undefined, template: string): string {
  return `${method ?? '*'} ${template}`;
}

/** Nearest-rank percentile of an ascending-sorted array (0 for an empty one). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1] as number;
}

/** Median of an ascending-sorted array (mean of the middle two for even lengths). */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median, median absolute deviation and p99 of the values (unsorted input, not modified). */
export function summarise(values: ArrayLike<number>): { median: number; mad: number; p99: number } {
  const sorted = Float64Array.from(values).sort();
  const median = medianSorted(sorted);
  const dev = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) dev[i] = Math.abs((sorted[i] as number) - median);
  dev.sort();
  return { median: round(median), mad: round(medianSorted(dev)), p99: round(percentileSorted(sorted, 99)) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Own-property read from a JSON record (so "__proto__" or "constructor" keys are plain data). */
export function own<T>(rec: Record<string, T> | undefined, key: string): T | undefined {
  return rec !== undefined && Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
}

/** Set a key as an own data property, even "__proto__". */
export function setOwn<T>(rec: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(rec, key, { value, enumerable: true, writable: true, configurable: true });
  else rec[key] = value;
}
