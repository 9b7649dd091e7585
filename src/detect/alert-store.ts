/**
 * The alerts a detector reported, kept until the end of the run as deflated JSON in large
 * off-heap chunks rather than as objects.
 *
 * Why: alerts live until the report, so they are the one part of a run's memory that grows with
 * the input rather than with the actors in it. On the 5 GB bench log about 7,000 alerts took
 * 4.6 KB each as objects (their samples and counts), half of the live heap's growth over the 500 MB
 * log, and V8 reserves half as much again for a heap that grew. As deflated JSON an alert takes
 * about 1.2 KB outside the heap, and the garbage collector never walks it.
 *
 * Alerts are read back once, at the end (`take`). Detectors hand over finished alerts and never
 * change them after `report`, so storing them at once loses nothing. The copy is JSON's: keys,
 * order and values are those the JSON and NDJSON reports write (a figure that is not a number,
 * such as a NaN ratio, comes back as null, which every report shows as missing).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Alert } from './types.js';

/** Bytes per chunk; an alert larger than this gets a chunk of its own size. */
const CHUNK = 1 << 20;

export class AlertStore {
  private chunks: Buffer[] = [];
  /** Per alert: its chunk, offset and length in that chunk. */
  private index: number[] = [];
  private used = CHUNK;

  get length(): number {
    return this.index.length / 3;
  }

  push(alert: Alert): void {
    // Level 1: alerts are few (thousands per GB at most); the speed matters more than the last bytes.
    const packed = deflateRawSync(JSON.stringify(alert), { level: 1 });
    if (this.used + packed.length > CHUNK || this.chunks.length === 0) {
      this.chunks.push(Buffer.allocUnsafeSlow(Math.max(CHUNK, packed.length)));
      this.used = 0;
    }
    packed.copy(this.chunks[this.chunks.length - 1]!, this.used);
    this.index.push(this.chunks.length - 1, this.used, packed.length);
    this.used += packed.length;
  }

  /** The alerts in the order they were pushed; the store is empty afterwards. */
  take(): Alert[] {
    const out: Alert[] = [];
    const { chunks, index } = this;
    for (let i = 0; i < index.length; i += 3) {
      const chunk = chunks[index[i]!]!;
      const at = index[i + 1]!;
      out.push(JSON.parse(inflateRawSync(chunk.subarray(at, at + index[i + 2]!)).toString('utf8')) as Alert);
    }
    this.chunks = [];
    this.index = [];
    this.used = CHUNK;
    return out;
  }
}
