/**
 * The ids an actor used on one route, each with a time (its first use): how bola-enumeration
 * tells an actor's own objects from foreign ones. Entries are only added (they leave with the
 * whole group) and a group holds at most a few hundred, but thousands of groups over a week of
 * logs hold hundreds of thousands in all, the largest state of a long run. So decimal ids that fit
 * 32 bits are kept in two sorted typed arrays (12 bytes an id, outside the V8 heap, where a Map
 * entry with its key cost 60 to 180) and other ids in a Map. Most groups hold a few ids only: up to
 * FEW of them sit in one small plain array instead, as the typed arrays' own objects would cost more.
 */
import { ensureLength } from '../../util/typed.js';

export type IdKey = string | number;

/**
 * The key of an id: a decimal id written canonically (no leading zero) with at most 9 digits is
 * keyed by its number, kept without a string (IdHistory stores such ids in arrays of numbers); any
 * other id by its text. Two different texts never share a key: "7" and "007" are 7 and "007".
 */
export function idKey(value: string, numeric: number | undefined): IdKey {
  return numeric !== undefined && value.length <= 9 && (value.length === 1 || value.charCodeAt(0) !== 48) ? numeric : value;
}

const NO_IDS = new Int32Array(0);
const NO_TIMES = new Float64Array(0);
/**
 * Up to this many decimal ids are held in one plain array: most histories are a few ids, and a
 * typed array's own objects (the array, its buffer) cost more than a few ids do.
 */
const FEW = 16;

export class IdHistory {
  /** Until FEW decimal ids: [id, time, id, time, ...], ascending by id. */
  private few: number[] | null = null;
  /** Past FEW decimal ids: the ids, ascending, and the time of each; `count` of them are in use. */
  private nums = NO_IDS;
  private numTimes = NO_TIMES;
  /** Decimal ids held (in `few` or in `nums`). */
  private count = 0;
  /** Text ids, and numbers that are not 32-bit integers (bola-enumeration's ids never are). */
  private others: Map<number | string, number> | null = null;
  /** Ids held. */
  size = 0;

  /** The time of `id`, or undefined when it is not held. */
  get(id: number | string): number | undefined {
    if (typeof id === 'string' || (id | 0) !== id) return this.others?.get(id);
    const few = this.few;
    if (few !== null) {
      for (let i = 0; i < few.length; i += 2) if (few[i] === id) return few[i + 1];
      return undefined;
    }
    const i = this.find(id);
    return i >= 0 ? this.numTimes[i] : undefined;
  }

  /** Hold `id` with `time`; `id` must not be held yet. */
  add(id: number | string, time: number): void {
    this.size++;
    if (typeof id === 'string' || (id | 0) !== id) {
      (this.others ??= new Map()).set(id, time);
      return;
    }
    const n = this.count;
    if (n < FEW) {
      addFew(this.few ??= [], id, time);
      this.count = n + 1;
      return;
    }
    if (this.few !== null) this.unfold();
    const at = ~this.find(id);
    const nums = (this.nums = ensureLength(this.nums, n + 1));
    const times = (this.numTimes = ensureLength(this.numTimes, n + 1));
    if (at < n) {
      nums.copyWithin(at + 1, at, n);
      times.copyWithin(at + 1, at, n);
    }
    nums[at] = id;
    times[at] = time;
    this.count = n + 1;
  }

  /**
   * The ids first used at or after `from`, in the order of their first use (ties: numeric ids by
   * value, others as held): what
   * bola-enumeration's slow tier recovers of a walk's first hour when it starts keeping the walk.
   * A pass over every id held: for rare use only.
   */
  usedSince(from: number): IdKey[] {
    const found: Array<[IdKey, number]> = [];
    if (this.few !== null) {
      for (let i = 0; i < this.few.length; i += 2) if (this.few[i + 1]! >= from) found.push([this.few[i]!, this.few[i + 1]!]);
    } else for (let i = 0; i < this.count; i++) if (this.numTimes[i]! >= from) found.push([this.nums[i]!, this.numTimes[i]!]);
    if (this.others) for (const [id, t] of this.others) if (t >= from) found.push([id, t]);
    return found.sort((a, b) => a[1] - b[1]).map((x) => x[0]);
  }

  /** From `few` to the typed arrays, once past FEW ids. */
  private unfold(): void {
    const few = this.few!;
    const n = few.length / 2;
    const nums = new Int32Array(2 * FEW);
    const times = new Float64Array(2 * FEW);
    for (let i = 0; i < n; i++) {
      nums[i] = few[2 * i]!;
      times[i] = few[2 * i + 1]!;
    }
    this.nums = nums;
    this.numTimes = times;
    this.few = null;
  }

  /** The index of `id` in nums, or ~(where it would be inserted). */
  private find(id: number): number {
    const nums = this.nums;
    let lo = 0;
    let hi = this.count - 1;
    // Ids walked in order (the common case) go after the last one.
    if (hi < 0 || nums[hi]! < id) return ~this.count;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = nums[mid]!;
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return ~lo;
  }
}

/** Insert (id, time) into a [id, time, ...] array ascending by id (`id` is not in it). */
function addFew(few: number[], id: number, time: number): void {
  let at = few.length;
  while (at > 0 && few[at - 2]! > id) at -= 2;
  if (at === few.length) few.push(id, time);
  else few.splice(at, 0, id, time);
}
