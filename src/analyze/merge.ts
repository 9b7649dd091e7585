/**
 * Merge several per-file event streams into one stream in event-time order, so that results do not
 * depend on the order files were named in. Each file is assumed to be roughly in time order (the
 * detect pipeline's lateness buffer absorbs local disorder); the merge handles whole files that
 * overlap in time (several servers) or follow each other (rotated logs).
 *
 * To keep memory flat with hundreds of rotated files, a file is only opened when the merge reaches
 * its first timestamp: files that follow each other are read one after another, files that overlap
 * are read side by side.
 */

export interface TimedStream<T extends { ts: number }> {
  /** First timestamp of the stream, or null if it holds no events (then it is never opened). */
  firstTs: number | null;
  /** Opens the stream; yields batches of events. */
  open(): AsyncIterator<T[]>;
}

interface Cursor<T> {
  iterator: AsyncIterator<T[]>;
  batch: T[];
  index: number;
}

/** Min-heap of cursors keyed by the timestamp of their current event. */
class CursorHeap<T extends { ts: number }> {
  private readonly items: Cursor<T>[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Cursor<T> | undefined {
    return this.items[0];
  }

  push(c: Cursor<T>): void {
    this.items.push(c);
    this.up(this.items.length - 1);
  }

  pop(): Cursor<T> | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0 && last) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  /** Re-establish order after the top cursor advanced. */
  fixTop(): void {
    this.down(0);
  }

  private key(i: number): number {
    const c = this.items[i]!;
    return c.batch[c.index]!.ts;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.key(p) <= this.key(i)) break;
      [this.items[p], this.items[i]] = [this.items[i]!, this.items[p]!];
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.key(l) < this.key(m)) m = l;
      if (r < n && this.key(r) < this.key(m)) m = r;
      if (m === i) return;
      [this.items[m], this.items[i]] = [this.items[i]!, this.items[m]!];
      i = m;
    }
  }
}

async function nextNonEmpty<T>(iterator: AsyncIterator<T[]>): Promise<T[] | null> {
  for (;;) {
    const r = await iterator.next();
    if (r.done) return null;
    if (r.value.length > 0) return r.value;
  }
}

/**
 * Yields merged batches (of up to `batchSize` events, and no later than a stream's batch runs out).
 * Streams with no first timestamp are skipped.
 */
export async function* mergeByTime<T extends { ts: number }>(
  streams: Array<TimedStream<T>>,
  batchSize = 4096,
): AsyncGenerator<T[]> {
  const pending = streams
    .filter((s) => s.firstTs !== null)
    .sort((a, b) => (a.firstTs as number) - (b.firstTs as number));
  let nextPending = 0;
  const heap = new CursorHeap<T>();

  // Every stream opened, so that a consumer that stops early closes them all: a source says its
  // damage (a cut .gz) and releases its file when it is closed.
  const opened: Array<AsyncIterator<T[]>> = [];
  const activate = async (s: TimedStream<T>): Promise<void> => {
    const iterator = s.open();
    opened.push(iterator);
    const batch = await nextNonEmpty(iterator);
    if (batch) heap.push({ iterator, batch, index: 0 });
  };

  let out: T[] = [];
  try {
    for (;;) {
      // Open every file whose first event is due before the current head of the merge.
      while (nextPending < pending.length) {
        const top = heap.peek();
        const s = pending[nextPending]!;
        if (top && (s.firstTs as number) > top.batch[top.index]!.ts) break;
        nextPending++;
        await activate(s);
      }
      const top = heap.peek();
      if (!top) break;
      out.push(top.batch[top.index]!);
      top.index++;
      if (top.index >= top.batch.length) {
        heap.pop();
        // Its next batch may be slow to come (a pipe that has stalled): what is merged goes first.
        if (out.length > 0) {
          yield out;
          out = [];
        }
        const batch = await nextNonEmpty(top.iterator);
        if (batch) heap.push({ iterator: top.iterator, batch, index: 0 });
      } else {
        heap.fixTop();
      }
      if (out.length >= batchSize) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    await Promise.all(opened.map((it) => it.return?.(undefined).catch(() => undefined)));
  }
}
