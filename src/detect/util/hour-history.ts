/**
 * The last `cap` active hours of one actor, oldest first, each a row of numbers (for
 * data-exfiltration: bytes, export requests, requests), in one Float64Array outside the V8 heap.
 * It grows with the time a log covers (720 hours by default), for every actor: as three arrays of
 * numbers it was a tenth of the heap's growth from 500 MB to 5 GB of the bench log.
 */
import { ensureLength } from '../../util/typed.js';

const NONE = new Float64Array(0);

export class HourHistory {
  /** Rows from `start` (oldest) to `start + length`; older rows before `start` are spent. */
  private rows = NONE;
  private start = 0;
  length = 0;
  /** Rows kept: the whole part of the cap given (as `length > cap` dropped one with arrays). */
  private readonly cap: number;
  /** Rows the buffer may hold, spent ones included: 1.5 times the cap. */
  private readonly room: number;

  constructor(
    private readonly width: number,
    cap: number,
  ) {
    this.cap = Math.max(0, Math.floor(cap));
    this.room = this.cap + Math.max(1, this.cap >> 1);
  }

  /** Append a row (its first `width` values); beyond `cap` rows the oldest is dropped. */
  push(a: number, b = 0, c = 0): void {
    const w = this.width;
    if (this.length === this.cap) {
      if (this.cap === 0) return;
      this.start++;
      this.length--;
    }
    let end = (this.start + this.length) * w;
    if (end + w > this.rows.length) {
      // Move the kept rows to the front when the spent ones are as many, or the buffer has its full
      // room: at the cap that is one move of `cap` rows per cap/2 rows pushed. Grow otherwise.
      if (this.start > 0 && (this.start >= this.length || this.rows.length >= this.room * w)) {
        this.rows.copyWithin(0, this.start * w, end);
        this.start = 0;
        end = this.length * w;
      } else this.rows = ensureLength(this.rows, end + w, 4 * w, this.room * w);
    }
    const rows = this.rows;
    rows[end] = a;
    if (w > 1) rows[end + 1] = b;
    if (w > 2) rows[end + 2] = c;
    this.length++;
  }

  /** Column `c` of the rows, oldest first. */
  column(c: number): number[] {
    const out = new Array<number>(this.length);
    const w = this.width;
    for (let i = 0, at = this.start * w + c; i < this.length; i++, at += w) out[i] = this.rows[at]!;
    return out;
  }
}
