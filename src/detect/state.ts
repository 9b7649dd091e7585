/**
 * KeyedTable: per-key detector state with event-time expiry and a cap on keys.
 *
 * `touch` only records the event time (no re-ordering on the hot path). `sweep` is called per event but
 * does a full pass only once per eighth of the idle time (event time), so expiry is amortised O(1) per
 * event and memory follows the active keys, not the input. Beyond the cap, the least recently touched
 * entries are evicted in small batches.
 */
import type { DetectorContext, KeyedState, KeyedStateOptions } from './types.js';
import { DEFAULT_MAX_ACTORS } from '../rules/types.js';

interface Slot<V> {
  value: V;
  last: number;
}

export class KeyedTable<V> implements KeyedState<V> {
  private readonly map = new Map<string, Slot<V>>();
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
    return this.map.get(key)?.value;
  }

  touch(key: string, ts: number, create: (key: string) => V): V {
    const slot = this.map.get(key);
    if (slot) {
      if (ts > slot.last) slot.last = ts;
      return slot.value;
    }
    const value = create(key);
    this.map.set(key, { value, last: ts });
    if (this.map.size > this.cap) this.evictOldest(key);
    return value;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.interval;
    const cutoff = now - this.options.idleMs;
    for (const [key, slot] of this.map) {
      if (slot.last < cutoff) {
        this.map.delete(key);
        this.options.onRemove?.(key, slot.value, 'expired');
      }
    }
  }

  /**
   * Live reading (`--follow`, via the pipeline's advance): expire the entries idle at `now` at once,
   * whatever the sweep throttle says, and leave the throttle where event time put it, so that a
   * `now` taken from the wall clock, far past the events of a replayed log, does not hold back the
   * sweeps of the events that follow. A full pass: call it now and then, not per event.
   */
  expire(now: number): void {
    const cutoff = now - this.options.idleMs;
    for (const [key, slot] of this.map) {
      if (slot.last < cutoff) {
        this.map.delete(key);
        this.options.onRemove?.(key, slot.value, 'expired');
      }
    }
  }

  /**
   * Over the cap: drop the least recently touched ~1/16 of the entries (a selection on their
   * last-touched times, then one pass), so eviction costs O(16) map steps per insert amortised.
   */
  private evictOldest(justAdded: string): void {
    const n = this.map.size;
    const k = Math.max(1, Math.floor(this.cap / 16));
    const times = new Float64Array(n);
    let i = 0;
    for (const slot of this.map.values()) times[i++] = slot.last;
    const cutoff = kthSmallest(times, Math.min(k, n) - 1);
    let dropped = 0;
    for (const [key, slot] of this.map) {
      if (dropped >= k) break;
      if (slot.last <= cutoff && key !== justAdded) {
        this.map.delete(key);
        this.evicted++;
        dropped++;
        this.options.onRemove?.(key, slot.value, 'evicted');
      }
    }
  }

  flush(): void {
    const all = [...this.map];
    this.map.clear();
    for (const [k, slot] of all) this.options.onRemove?.(k, slot.value, 'end');
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [k, slot] of this.map) yield [k, slot.value];
  }
}

/**
 * The context's keyed state, or a standalone table (for hand-made contexts in tests, which must then
 * flush it themselves; the pipeline always provides ctx.keyed).
 */
export function keyedState<V>(ctx: DetectorContext<object>, options: KeyedStateOptions<V>): KeyedState<V> {
  return ctx.keyed ? ctx.keyed(options) : new KeyedTable(options, ctx.rules.maxActors ?? DEFAULT_MAX_ACTORS);
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
