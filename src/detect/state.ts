/**
 * KeyedTable: per-key detector state with event-time expiry and a cap on keys.
 *
 * `touch` only records the event time (no re-ordering on the hot path). `sweep` is called per event but
 * does a full pass only once per eighth of the idle time (event time), so expiry is amortised O(1) per
 * event and memory follows the active keys, not the input. Beyond the cap, the least recently touched
 * of the oldest-inserted entries is evicted.
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
    if (this.map.size > this.cap) this.evictOne(key);
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

  private evictOne(justAdded: string): void {
    // The least recently touched among the first few heads goes.
    let victim: string | null = null;
    let oldest = Infinity;
    let i = 0;
    for (const [k, slot] of this.map) {
      if (k !== justAdded && slot.last < oldest) {
        oldest = slot.last;
        victim = k;
      }
      if (++i >= 16) break;
    }
    if (victim === null) return;
    const slot = this.map.get(victim)!;
    this.map.delete(victim);
    this.evicted++;
    this.options.onRemove?.(victim, slot.value, 'evicted');
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
