/**
 * The ids an actor used on one route, each with a time (its first use): how bola-enumeration
 * tells an actor's own objects from foreign ones. Entries are only added (they leave with the
 * whole group) and a group holds at most a few hundred, but thousands of groups over a week of
 * logs hold hundreds of thousands in all, the largest state of a long run. So decimal ids are kept
 * in two sorted arrays of numbers (16 bytes an id, where a Map entry with its key cost 60 to 180)
 * and other ids in a Map by text.
 */
export class IdHistory {
  /** Decimal ids, ascending, and the time of each. */
  private readonly nums: number[] = [];
  private readonly numTimes: number[] = [];
  private texts: Map<string, number> | null = null;
  /** Ids held. */
  size = 0;

  /** The time of `id`, or undefined when it is not held. */
  get(id: number | string): number | undefined {
    if (typeof id === 'string') return this.texts?.get(id);
    const i = this.find(id);
    return i >= 0 ? this.numTimes[i] : undefined;
  }

  /** Hold `id` with `time`; `id` must not be held yet. */
  add(id: number | string, time: number): void {
    this.size++;
    if (typeof id === 'string') {
      (this.texts ??= new Map()).set(id, time);
      return;
    }
    const at = ~this.find(id);
    if (at === this.nums.length) {
      this.nums.push(id);
      this.numTimes.push(time);
    } else {
      this.nums.splice(at, 0, id);
      this.numTimes.splice(at, 0, time);
    }
  }

  /** The index of `id` in nums, or ~(where it would be inserted). */
  private find(id: number): number {
    const nums = this.nums;
    let lo = 0;
    let hi = nums.length - 1;
    // Ids walked in order (the common case) go after the last one.
    if (hi < 0 || nums[hi]! < id) return ~nums.length;
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
