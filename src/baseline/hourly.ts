/**
 * Requests and bytes per clock hour, for one actor or route, in one flat Float64Array
 * (hour, requests, bytes, hour, ...) sorted by hour. A month of logs holds hundreds of active
 * hours for each of thousands of actors, the part of the baseline learned during a run that grows
 * with the time the log covers: as a Map of small objects that was about 100 bytes an hour; here
 * it is 24, outside the V8 heap (src/util/typed.ts says why that matters).
 *
 * Events arrive in time order (the pipeline's reorder buffer), so an hour is almost always the
 * current one or a new last one; an older hour is found by binary search and inserted in place.
 */
import { ensureLength } from '../util/typed.js';

const NONE = new Float64Array(0);

export class HourlyCounts {
  /** Rows of (hour, requests, bytes), ascending by hour; `n` of them are in use. */
  private rows = NONE;
  private n = 0;
  /** Row of the last hour counted (where the next event most likely goes). */
  private last = -1;

  constructor(private readonly cap: number) {}

  /** Distinct hours counted. */
  get size(): number {
    return this.n;
  }

  /** Count one request of `bytes` in `hour`; false when the hour is new and the cap is reached. */
  add(hour: number, bytes: number): boolean {
    let at = this.last;
    if (at < 0 || this.rows[at * 3] !== hour) {
      at = this.find(hour);
      if (at < 0) {
        if (this.n >= this.cap) return false;
        at = ~at;
        // Two rows first: most actors and routes are seen in only a few hours.
        const rows = (this.rows = ensureLength(this.rows, (this.n + 1) * 3, 6));
        if (at < this.n) rows.copyWithin((at + 1) * 3, at * 3, this.n * 3);
        rows[at * 3] = hour;
        rows[at * 3 + 1] = 0;
        rows[at * 3 + 2] = 0;
        this.n++;
      }
      this.last = at;
    }
    const rows = this.rows;
    rows[at * 3 + 1]! += 1;
    rows[at * 3 + 2]! += bytes;
    return true;
  }

  /** Requests per hour, in hour order. */
  requests(): number[] {
    return this.column(1);
  }

  /** Bytes per hour, in hour order. */
  bytes(): number[] {
    return this.column(2);
  }

  /** The row of `hour`, or ~(the row it would be inserted at). */
  private find(hour: number): number {
    const rows = this.rows;
    const n = this.n;
    // Most new hours come after every hour counted so far.
    if (n === 0 || rows[(n - 1) * 3]! < hour) return ~n;
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const h = rows[mid * 3]!;
      if (h === hour) return mid;
      if (h < hour) lo = mid + 1;
      else hi = mid - 1;
    }
    return ~lo;
  }

  private column(c: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) out.push(this.rows[i * 3 + c]!);
    return out;
  }
}
