/**
 * An actor's hourly history: one row per active hour (bytes, export requests, requests), the last
 * `maxRows` of them. Every actor keeps its rows for the whole run, so on a long log this is what
 * grows with the time the log spans (a month at the default 720 hours is 720 rows per actor). The
 * rows therefore live outside the JS heap, in one buffer per actor at 16 bytes a row (bytes as a
 * double, the two counts as 32-bit integers), and the buffer grows by half, not double, so that
 * a history of a few days does not hold room for twice as many hours.
 */
const MIN_ROWS = 8;
const MAX_COUNT = 0xffff_ffff;

export const H_BYTES = 0;
export const H_EXPORTS = 1;
export const H_REQUESTS = 2;
export type HourColumn = typeof H_BYTES | typeof H_EXPORTS | typeof H_REQUESTS;

export class HourHistory {
  private bytes = new Float64Array(0);
  /** Two per row: export requests, requests. */
  private counts = new Uint32Array(0);
  private capacity = 0;
  /** Row of the oldest hour. */
  private start = 0;
  size = 0;

  private readonly maxRows: number;

  constructor(maxRows: number) {
    this.maxRows = Math.max(0, Math.floor(maxRows));
  }

  /**
   * Add an hour; past maxRows the oldest one is dropped. The counts are requests in one hour of one
   * actor: whole numbers, kept up to 2^32 - 1.
   */
  push(bytes: number, exports: number, requests: number): void {
    if (this.maxRows <= 0) return;
    if (this.size === this.capacity && this.capacity < this.maxRows) this.grow();
    let row: number;
    if (this.size === this.capacity) {
      // Full at maxRows: the newest hour takes the oldest one's place.
      row = this.start;
      this.start = (this.start + 1) % this.capacity;
    } else {
      row = (this.start + this.size) % this.capacity;
      this.size++;
    }
    this.bytes[row] = bytes;
    this.counts[row * 2] = Math.min(exports, MAX_COUNT);
    this.counts[row * 2 + 1] = Math.min(requests, MAX_COUNT);
  }

  /** Column `col` of every hour, oldest first. */
  column(col: HourColumn): number[] {
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) {
      const row = (this.start + i) % this.capacity;
      out[i] = col === H_BYTES ? this.bytes[row]! : this.counts[row * 2 + col - 1]!;
    }
    return out;
  }

  private grow(): void {
    const capacity = Math.min(this.maxRows, Math.max(MIN_ROWS, Math.ceil(this.capacity * 1.5)));
    const buffer = new ArrayBuffer(capacity * 16);
    const bytes = new Float64Array(buffer, 0, capacity);
    const counts = new Uint32Array(buffer, capacity * 8, capacity * 2);
    for (let i = 0; i < this.size; i++) {
      const row = (this.start + i) % this.capacity;
      bytes[i] = this.bytes[row]!;
      counts[i * 2] = this.counts[row * 2]!;
      counts[i * 2 + 1] = this.counts[row * 2 + 1]!;
    }
    this.bytes = bytes;
    this.counts = counts;
    this.capacity = capacity;
    this.start = 0;
  }
}
