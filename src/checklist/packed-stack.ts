/**
 * A stack of plain-data values kept mostly outside the heap: every `chunk` values pushed are
 * structured-cloned (node:v8 serialize) and deflated into one buffer; only the newest partial
 * chunk stays as objects.
 *
 * Why: the checklist keeps up to 20,000 notable entries until the end of the run, each with a copy
 * of its event and what the tracker knew then (about 1.5 KB as objects). On the 500 MB bench log
 * they were 30 MB of the main thread's 100 MB of live heap, walked by every full collection, and
 * V8 reserves half as much again for a heap that grew: running without them peaked about 70 MiB
 * lower (docs/performance.md, eighteenth pass). Deflated, they take a tenth of that off the heap.
 *
 * A structured clone, unlike JSON, keeps undefined fields, NaN, -0 and key order, so a value comes
 * back as it went in, except for identity: a value shared by several entries comes back as one copy
 * each, and a class instance as a plain object. `pack`/`unpack` let the owner leave a shared value
 * out and put it back (the checklist's baseline entry of the actor).
 */
import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export interface PackedStackOptions<T> {
  /** Values per deflated chunk. */
  chunk?: number;
  /** The value as stored (a copy without what `unpack` puts back). */
  pack?: (value: T) => T;
  unpack?: (value: T) => T;
}

const DEFAULT_CHUNK = 256;

export class PackedStack<T> {
  /** Full chunks, oldest first, each holding `chunk` values. */
  private packed: Buffer[] = [];
  /** The newest values, as objects (always fewer than `chunk`). */
  private tail: T[] = [];
  private readonly chunk: number;
  private readonly pack: (value: T) => T;
  private readonly unpack: (value: T) => T;

  constructor(options: PackedStackOptions<T> = {}) {
    this.chunk = Math.max(1, Math.floor(options.chunk ?? DEFAULT_CHUNK) || DEFAULT_CHUNK);
    this.pack = options.pack ?? ((v) => v);
    this.unpack = options.unpack ?? ((v) => v);
  }

  get length(): number {
    return this.packed.length * this.chunk + this.tail.length;
  }

  push(value: T): void {
    this.tail.push(value);
    if (this.tail.length >= this.chunk) {
      // Level 1: entries are packed as the input is read; speed matters more than the last bytes.
      this.packed.push(deflateRawSync(serialize(this.tail.map(this.pack)), { level: 1 }));
      this.tail = [];
    }
  }

  /** Drop the newest value (as Array.prototype.pop, without returning it). */
  pop(): void {
    if (this.tail.length === 0) {
      const last = this.packed.pop();
      if (last === undefined) return;
      this.tail = this.read(last);
    }
    this.tail.pop();
  }

  /** Every value, oldest first. */
  values(): T[] {
    const out: T[] = [];
    for (const b of this.packed) for (const v of this.read(b)) out.push(v);
    for (const v of this.tail) out.push(v);
    return out;
  }

  clear(): void {
    this.packed = [];
    this.tail = [];
  }

  private read(b: Buffer): T[] {
    return (deserialize(inflateRawSync(b)) as T[]).map(this.unpack);
  }
}
