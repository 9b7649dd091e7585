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
