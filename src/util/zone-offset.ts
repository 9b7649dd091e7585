/**
 * The UTC offset of an IANA zone at an instant, in minutes (positive east of Greenwich), cheap
 * enough for the hot path: looked up once per 15-minute UTC bucket and memoised. Most transitions
 * fall on a quarter hour, not all (St. John's changed at 00:01 local time, 03:31 UTC, until 2011):
 * a bucket whose two ends differ is looked up per instant. NaN for a zone the runtime does not know.
 */
import { tzOffset } from '@date-fns/tz';

const QUARTER_MS = 900_000;
const CACHE_MAX = 10_000;
/** Cached for a bucket with a transition inside (offsets themselves are finite). */
const MIXED = Infinity;

export function createZoneOffset(zone: string): (ts: number) => number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return () => 0;
  let lastBucket = NaN;
  let lastOffset = 0;
  const cache = new Map<number, number>();
  return (ts) => {
    const bucket = Math.floor(ts / QUARTER_MS);
    if (bucket === lastBucket) return lastOffset;
    let off = cache.get(bucket);
    if (off === undefined) {
      const start = bucket * QUARTER_MS;
      off = tzOffset(zone, new Date(start));
      if (!Number.isNaN(off) && tzOffset(zone, new Date(start + QUARTER_MS - 1)) !== off) off = MIXED;
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(bucket, off);
    }
    if (off === MIXED) return tzOffset(zone, new Date(ts));
    lastBucket = bucket;
    lastOffset = off;
    return off;
  };
}

/**
 * Wall-clock time in `zone` (as ms read as if UTC) to the instant. In the hour a clock goes back
 * the earlier reading is taken; in the hour it skips, the offset from before the change (02:30 on
 * a spring-forward night in Berlin is 01:30 UTC), as RFC 9557 and Temporal's "compatible" do.
 */
export function createWallClockToUtc(zone: string): (wallMs: number) => number {
  const offsetAt = createZoneOffset(zone);
  const DAY = 86_400_000;
  return (wall) => {
    const before = offsetAt(wall - DAY);
    const after = offsetAt(wall + DAY);
    const early = wall - before * 60_000;
    if (before === after) return early;
    const late = wall - after * 60_000;
    const earlyFits = offsetAt(early) === before;
    const lateFits = offsetAt(late) === after;
    if (earlyFits && lateFits) return Math.min(early, late);
    if (lateFits) return late;
    return early;
  };
}
