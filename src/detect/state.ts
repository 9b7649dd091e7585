/**
 * KeyedTable: per-key detector state with event-time expiry and a cap on keys.
 *
 * `touch` only records the event time (no re-ordering on the hot path). `sweep` is called per event but
 * does a full pass only once per eighth of the idle time (event time), so expiry is amortised O(1) per
 * event and memory follows the active keys, not the input. Beyond the cap, the least recently touched
 * entries are evicted in small batches.
 *
 * Layout: the map holds a small integer per key (kept in the map's own table, unboxed), which indexes
 * `values` and the last-touched times in a Float64Array. Touching an entry thus reads no per-entry
 * wrapper object: on large inputs these lookups are bound by memory latency, and every object less
 * on the path (and for the garbage collector) counts.
 */
import type { DetectorContext, KeyedState, KeyedStateOptions } from './types.js';
import { DEFAULT_MAX_ACTORS } from '../rules/types.js';
import { ensureLength } from '../util/typed.js';

export class KeyedTable<V> implements KeyedState<V> {
  /** key -> index into `values` and `last`; the map's order is the entries' order (insertion). */
  private readonly map = new Map<string, number>();
  private values: Array<V | undefined> = [];
  private last = new Float64Array(16);
  /** Indices freed by removals, reused before `values` grows. */
  private free: number[] = [];
  private nextSweep = -Infinity;
  private readonly interval: number;
  evicted = 0;

  constructor(
    private readonly options: KeyedStateOptions<V>,
    private readonly cap: number = DEFAULT_MAX_ACTORS,
  ) {
    // A full pass every eighth of the idle time (at least every second of event time): each entry is
    // looked at a bounded number of times per idle period, and expiry is at most 1/8 late.
    this.interval = Math.max(1000, options.idleMs / 8);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const i = this.map.get(key);
    return i === undefined ? undefined : this.values[i];
  }

  touch(key: string, ts: number, create: (key: string) => V): V {
    const i = this.map.get(key);
    if (i !== undefined) {
      if (ts > this.last[i]!) this.last[i] = ts;
      return this.values[i]!;
    }
    return this.add(key, ts, create(key));
  }

  find(key: string, ts: number): V | undefined {
    const i = this.map.get(key);
    if (i === undefined) return undefined;
    if (ts > this.last[i]!) this.last[i] = ts;
    return this.values[i];
  }

  add(key: string, ts: number, value: V): V {
    let i = this.free.pop();
    if (i === undefined) {
      i = this.values.length;
      this.values.push(undefined);
      this.last = ensureLength(this.last, i + 1);
    }
    this.values[i] = value;
    this.last[i] = ts;
    this.map.set(key, i);
    if (this.map.size > this.cap) this.evictOldest(key);
    return value;
  }

  delete(key: string): void {
    const i = this.map.get(key);
    if (i === undefined) return;
    this.map.delete(key);
    this.release(i);
  }

  sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.interval;
    this.expire(now);
  }

  /**
   * Live reading (`--follow`, via the pipeline's advance): expire the entries idle at `now` at once,
   * whatever the sweep throttle says, and leave the throttle where event time put it, so that a
   * `now` taken from the wall clock, far past the events of a replayed log, does not hold back the
   * sweeps of the events that follow. A full pass: call it now and then, not per event.
   */
  expire(now: number): void {
    const cutoff = now - this.options.idleMs;
    // forEach, not for-of: no [key, value] array per entry (a pass visits every key).
    this.map.forEach((i, key) => {
      if (this.last[i]! < cutoff) this.remove(key, i, 'expired');
    });
  }

  /**
   * Over the cap: drop the least recently touched ~1/16 of the entries (a selection on their
   * last-touched times, then one pass), so eviction costs O(16) map steps per insert amortised.
   */
  private evictOldest(justAdded: string): void {
    const n = this.map.size;
    const k = Math.max(1, Math.floor(this.cap / 16));
    const times = new Float64Array(n);
    let j = 0;
    for (const i of this.map.values()) times[j++] = this.last[i]!;
    const cutoff = kthSmallest(times, Math.min(k, n) - 1);
    let dropped = 0;
    for (const [key, i] of this.map) {
      if (dropped >= k) break;
      if (this.last[i]! <= cutoff && key !== justAdded) {
        this.evicted++;
        dropped++;
        this.remove(key, i, 'evicted');
      }
    }
  }

  flush(): void {
    const all: Array<[string, V]> = [];
    for (const [k, i] of this.map) all.push([k, this.values[i]!]);
    this.map.clear();
    this.values = [];
    this.free = [];
    for (const [k, v] of all) this.options.onRemove?.(k, v, 'end');
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [k, i] of this.map) yield [k, this.values[i]!];
  }

  /** Takes the entry out (its index is free again) before telling onRemove, which may add entries. */
  private remove(key: string, i: number, why: 'expired' | 'evicted'): void {
    const value = this.values[i]!;
    this.map.delete(key);
    this.release(i);
    this.options.onRemove?.(key, value, why);
  }

  private release(i: number): void {
    this.values[i] = undefined;
    this.free.push(i);
  }
}

/**
 * The context's keyed state, or a standalone table (for hand-made contexts in tests, which must then
 * flush it themselves; the pipeline always provides ctx.keyed).
 */
export function keyedState<V>(ctx: DetectorContext<object>, options: KeyedStateOptions<V>): KeyedState<V> {
  return ctx.keyed ? ctx.keyed(options) : new KeyedTable(options, ctx.rules.maxActors ?? DEFAULT_MAX_ACTORS);
}

/**
 * Live reading only (`--follow`, ctx.live): open incidents, each touched by the requests that
 * feed it, closed by `close` once quiet for `gapMs`. A detector keeps an actor's state much longer
 * than an incident (a week of own ids, a month of hourly history) and closes an incident at the
 * actor's next request, or at the end of a batch run; live, that request may never come, and the
 * alert would wait for Ctrl-C. Null in batch runs, whose output stays as it was.
 */
export function liveIncidents<V>(ctx: DetectorContext<object>, gapMs: number, close: (key: string, state: V) => void): KeyedState<V> | null {
  return ctx.live === true ? keyedState<V>(ctx, { idleMs: gapMs, onRemove: (k, v) => close(k, v) }) : null;
}

/** The k-th smallest value (0-based) of `a`, by quickselect; reorders `a`. */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
