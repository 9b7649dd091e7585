/**
 * An actor's hourly history: one row per active hour (bytes, export requests, requests), the last
 * `maxRows` of them. Every actor keeps its rows for the whole run, so on a long log this is what
 * grows with the time the log spans (a month at the default 720 hours is 720 rows per actor). Past
 * FEW rows they therefore live outside the JS heap, in one buffer per actor at 16 bytes a row
 * (bytes as a double, the two counts as 32-bit integers), grown by half, not double, so that a
 * history of a few days does not hold room for twice as many hours. Up to FEW rows they stay in a
 * NumberQueue (one plain array): most actors of a log of many callers (IPs, scanners) have a few
 * active hours, and a buffer's own objects and allocation cost more than a few dozen rows do
 * (measured: a buffer is smaller from about 40 rows on, half the size at 720).
 */
import { NumberQueue } from './queue.js';

const FEW = 32;
const MAX_COUNT = 0xffff_ffff;

export const H_BYTES = 0;
export const H_EXPORTS = 1;
export const H_REQUESTS = 2;
export type HourColumn = typeof H_BYTES | typeof H_EXPORTS | typeof H_REQUESTS;

export class HourHistory {
  /** Up to FEW rows; null once the rows moved to the buffer. */
  private few: NumberQueue | null = null;
  private bytes: Float64Array | null = null;
  /** Two per row: export requests, requests. */
  private counts: Uint32Array | null = null;
  private capacity = 0;
  /** Row of the oldest hour in the buffer. */
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
    exports = Math.min(exports, MAX_COUNT);
    requests = Math.min(requests, MAX_COUNT);
    if (this.bytes === null) {
      const few = (this.few ??= new NumberQueue(3));
      few.push(bytes, exports, requests);
      if (few.size > this.maxRows) few.shift();
      this.size = few.size;
      if (this.size > FEW) this.unfold();
      return;
    }
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
    this.counts![row * 2] = exports;
    this.counts![row * 2 + 1] = requests;
  }

  /** Column `col` of every hour, oldest first. */
  column(col: HourColumn): number[] {
    const few = this.few;
    if (few !== null) return few.column(col);
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) {
      const row = (this.start + i) % this.capacity;
      out[i] = col === H_BYTES ? this.bytes![row]! : this.counts![row * 2 + col - 1]!;
    }
    return out;
  }

  /** From the plain array to the buffer, once past FEW rows. */
  private unfold(): void {
    const few = this.few!;
    this.few = null;
    this.allocate(Math.min(this.maxRows, Math.ceil(FEW * 1.5)));
    for (let i = 0; i < this.size; i++) {
      this.bytes![i] = few.at(i, H_BYTES);
      this.counts![i * 2] = few.at(i, H_EXPORTS);
      this.counts![i * 2 + 1] = few.at(i, H_REQUESTS);
    }
  }

  private grow(): void {
    const oldBytes = this.bytes!;
    const oldCounts = this.counts!;
    const oldCapacity = this.capacity;
    const oldStart = this.start;
    this.allocate(Math.min(this.maxRows, Math.ceil(oldCapacity * 1.5)));
    for (let i = 0; i < this.size; i++) {
      const row = (oldStart + i) % oldCapacity;
      this.bytes![i] = oldBytes[row]!;
      this.counts![i * 2] = oldCounts[row * 2]!;
      this.counts![i * 2 + 1] = oldCounts[row * 2 + 1]!;
    }
  }

  private allocate(capacity: number): void {
    const buffer = new ArrayBuffer(capacity * 16);
    this.bytes = new Float64Array(buffer, 0, capacity);
    this.counts = new Uint32Array(buffer, capacity * 8, capacity * 2);
    this.capacity = capacity;
    this.start = 0;
  }
}
