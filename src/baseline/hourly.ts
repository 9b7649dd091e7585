/**
 * Requests and bytes per clock hour, for one actor or route, in one flat array of numbers
 * (hour, requests, bytes, hour, ...) sorted by hour. A month of logs holds hundreds of active
 * hours for each of thousands of actors: as a Map of small objects that was about 100 bytes an
 * hour and the largest part of the baseline learned during a run; here it is 24.
 *
 * Events arrive in time order (the pipeline's reorder buffer), so an hour is almost always the
 * current one or a new last one; an older hour is found by binary search and inserted in place.
 */
export class HourlyCounts {
  /** Rows of (hour, requests, bytes), ascending by hour. */
  private rows: number[] = [];
  /** Row of the last hour counted (where the next event most likely goes). */
  private last = -1;

  constructor(private readonly cap: number) {}

  /** Distinct hours counted. */
  get size(): number {
    return this.rows.length / 3;
  }

  /** Count one request of `bytes` in `hour`; false when the hour is new and the cap is reached. */
  add(hour: number, bytes: number): boolean {
    const rows = this.rows;
    let at = this.last;
    if (at < 0 || rows[at * 3] !== hour) {
      at = this.find(hour);
      if (at < 0) {
        if (rows.length / 3 >= this.cap) return false;
        at = ~at;
        if (at * 3 === rows.length) rows.push(hour, 0, 0);
        else rows.splice(at * 3, 0, hour, 0, 0);
      }
      this.last = at;
    }
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
    const n = rows.length / 3;
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
    for (let i = c; i < this.rows.length; i += 3) out.push(this.rows[i]!);
    return out;
  }
}
