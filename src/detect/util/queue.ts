/**
 * Sliding windows keep events in an array with a `head` index past the expired ones. When to drop
 * that consumed prefix matters for memory: waiting for a fixed number of dead entries lets every
 * quiet key (thousands of actors x routes) keep up to that many forever. Drop it as soon as the
 * window is empty, or once half of the array is consumed (so copies stay amortised O(1)).
 */
export function shouldCompact(head: number, length: number): boolean {
  return head > 0 && (head === length || (head >= 16 && head * 2 >= length));
}

/** Capacity of a queue's first allocation. */
const MIN_ROWS = 4;
/** Queues at most this large are not shrunk (not worth a copy). */
const SHRINK_ABOVE = 16;

/**
 * A copy of `rows` rows of `width` numbers from a ring, oldest first, padded with NaN to `capacity`
 * rows. Plain arrays of doubles: V8 keeps them unboxed (as a Float64Array would) but makes them far
 * more cheaply, which matters for the many small windows of quiet keys. Filled with NaN, not
 * undefined, to keep them so.
 */
function copyRing(from: readonly number[], start: number, mask: number, width: number, rows: number, capacity: number): number[] {
  const out = new Array<number>(capacity * width).fill(NaN);
  for (let i = 0; i < rows; i++) {
    const o = ((start + i) & mask) * width;
    for (let c = 0; c < width; c++) out[i * width + c] = from[o + c]!;
  }
  return out;
}

/**
 * A FIFO of rows of up to three numbers (e.g. time, bytes, flag) in one array ring: a sliding
 * window without an object per entry (on large inputs, such windows hold a good share of all
 * events, and every object there is work for the garbage collector). It grows by doubling and
 * halves once three quarters are free, so a burst does not pin memory on a key that went quiet.
 */
export class NumberQueue {
  /** Rows of `width` numbers; the capacity in rows is 0 or a power of two. */
  private buf: number[] = [];
  private rows = 0;
  /** Row of the oldest entry. */
  private start = 0;
  /** Rows in use. */
  size = 0;

  constructor(private readonly width: 1 | 2 | 3) {}

  /** Column `col` of the `i`-th oldest row. */
  at(i: number, col: number): number {
    return this.buf[((this.start + i) & (this.rows - 1)) * this.width + col]!;
  }

  /** Column `col` of the oldest row (the queue must not be empty). */
  first(col: number): number {
    return this.buf[this.start * this.width + col]!;
  }

  push(a: number, b = 0, c = 0): void {
    if (this.size === this.rows) this.resize(Math.max(MIN_ROWS, this.rows * 2));
    const w = this.width;
    const o = ((this.start + this.size) & (this.rows - 1)) * w;
    this.buf[o] = a;
    if (w > 1) this.buf[o + 1] = b;
    if (w > 2) this.buf[o + 2] = c;
    this.size++;
  }

  /** Column `col` of every row, oldest first. */
  column(col: number): number[] {
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.at(i, col);
    return out;
  }

  /** Drop the oldest row (the queue must not be empty). */
  shift(): void {
    this.start = (this.start + 1) & (this.rows - 1);
    this.size--;
    if (this.rows > SHRINK_ABOVE && this.size * 4 <= this.rows) this.resize(this.rows / 2);
  }

  /** Let go of the storage of an empty queue (one kept for long while empty); it grows again on push. */
  release(): void {
    if (this.size !== 0) throw new Error('NumberQueue.release: the queue is not empty');
    this.buf = [];
    this.rows = 0;
    this.start = 0;
  }

  private resize(rows: number): void {
    this.buf = copyRing(this.buf, this.start, this.rows - 1, this.width, this.size, rows);
    this.rows = rows;
    this.start = 0;
  }
}

/**
 * A FIFO of (time, item) for sliding windows of objects: the times in their own ring, so the
 * per-event test "has the oldest entry left the window" reads no entry object. Grows and shrinks
 * like NumberQueue.
 */
export class TimeQueue<T> {
  private times: number[] = [];
  private items: Array<T | undefined> = [];
  /** Capacity (0, or a power of two). */
  private rows = 0;
  /** Index of the oldest entry. */
  private start = 0;
  size = 0;

  /** Time of the oldest entry (the queue must not be empty). */
  firstTime(): number {
    return this.times[this.start]!;
  }

  /** Time of the `i`-th oldest entry. */
  timeAt(i: number): number {
    return this.times[(this.start + i) & (this.rows - 1)]!;
  }

  /** The `i`-th oldest entry. */
  at(i: number): T {
    return this.items[(this.start + i) & (this.rows - 1)]!;
  }

  push(ts: number, item: T): void {
    if (this.size === this.rows) this.resize(Math.max(MIN_ROWS, this.rows * 2));
    const r = (this.start + this.size) & (this.rows - 1);
    this.times[r] = ts;
    this.items[r] = item;
    this.size++;
  }

  /** Remove and return the oldest entry (the queue must not be empty). */
  shift(): T {
    const r = this.start;
    const item = this.items[r]!;
    this.items[r] = undefined;
    this.start = (r + 1) & (this.rows - 1);
    this.size--;
    if (this.rows > SHRINK_ABOVE && this.size * 4 <= this.rows) this.resize(this.rows / 2);
    return item;
  }

  /** Let go of the storage of an empty queue (one kept for long while empty); it grows again on push. */
  release(): void {
    if (this.size !== 0) throw new Error('TimeQueue.release: the queue is not empty');
    this.times = [];
    this.items = [];
    this.rows = 0;
    this.start = 0;
  }

  private resize(rows: number): void {
    const mask = this.rows - 1;
    const items = new Array<T | undefined>(rows).fill(undefined);
    for (let i = 0; i < this.size; i++) items[i] = this.items[(this.start + i) & mask];
    this.times = copyRing(this.times, this.start, mask, 1, this.size, rows);
    this.items = items;
    this.rows = rows;
    this.start = 0;
  }
}

/**
 * A FIFO of rows of one or two items (e.g. a request's route and IP) kept in step with another
 * queue that holds their times: unlike TimeQueue, no time of its own, and both columns in one
 * array. Grows and shrinks like NumberQueue; a shifted row lets go of its items.
 */
export class ItemQueue<T> {
  private items: Array<T | undefined> = [];
  private rows = 0;
  private start = 0;
  size = 0;

  constructor(private readonly width: 1 | 2) {}

  /** Column `col` of the `i`-th oldest row. */
  at(i: number, col = 0): T {
    return this.items[((this.start + i) & (this.rows - 1)) * this.width + col]!;
  }

  push(a: T, b?: T): void {
    if (this.size === this.rows) this.resize(Math.max(MIN_ROWS, this.rows * 2));
    const o = ((this.start + this.size) & (this.rows - 1)) * this.width;
    this.items[o] = a;
    if (this.width > 1) this.items[o + 1] = b;
    this.size++;
  }

  /** Drop the oldest row (the queue must not be empty). */
  shift(): void {
    const o = this.start * this.width;
    this.items[o] = undefined;
    if (this.width > 1) this.items[o + 1] = undefined;
    this.start = (this.start + 1) & (this.rows - 1);
    this.size--;
    if (this.rows > SHRINK_ABOVE && this.size * 4 <= this.rows) this.resize(this.rows / 2);
  }

  /** Let go of the storage of an empty queue; it grows again on push. */
  release(): void {
    if (this.size !== 0) throw new Error('ItemQueue.release: the queue is not empty');
    this.items = [];
    this.rows = 0;
    this.start = 0;
  }

  private resize(rows: number): void {
    const w = this.width;
    const mask = this.rows - 1;
    const items = new Array<T | undefined>(rows * w).fill(undefined);
    for (let i = 0; i < this.size; i++) {
      const o = ((this.start + i) & mask) * w;
      for (let c = 0; c < w; c++) items[i * w + c] = this.items[o + c];
    }
    this.items = items;
    this.rows = rows;
    this.start = 0;
  }
}
