/**
 * --threads on input that can be read only once (stdin, a pipe): the main thread reads it and
 * forwards every chunk of bytes, as read, to each other lane, which parses them as it would the
 * file. The lanes then see the same bytes in the same order, so their results are those of one
 * thread, as with files (which each lane reads itself).
 *
 * A lane acknowledges each chunk as it takes it; the main thread waits once a lane has
 * FORWARD_WINDOW bytes not yet taken, so a slower lane holds a bounded amount of input, never
 * the whole pipe.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';

/** Bytes a lane may have been sent and not yet taken before the reading thread waits for it. */
export const FORWARD_WINDOW = 16 * 1024 * 1024;

/** What the main thread sends a lane through its port, and what the lane answers. */
type ToLane = { chunk: Uint8Array } | { end: true } | { error: string };
type FromLane = { took: number };

/** Input read ahead of the decision on threads: the chunks read so far, and the rest of the stream. */
export interface ReadAhead {
  chunks: Buffer[];
  bytes: number;
  /** The stream ended within what was read ahead. */
  ended: boolean;
  /** The run was interrupted while reading ahead: the input is what was read, nothing more. */
  interrupted: boolean;
  /** The stream's further chunks (throws the read's error, if one stopped the read ahead). */
  rest: AsyncIterator<Buffer>;
}

/**
 * Read up to `bytes` of `it` (or until it ends, `ms` pass, or `signal` aborts), to learn whether
 * an input of unknown size is large enough for more threads. A stream slower than that (a
 * network download, a live `tail`) is not worth a second thread anyway.
 */
export async function readAhead(it: AsyncIterator<Buffer>, bytes: number, ms: number, signal?: AbortSignal): Promise<ReadAhead> {
  const chunks: Buffer[] = [];
  let total = 0;
  let pending: Promise<IteratorResult<Buffer>> | null = null;
  let failure: { error: unknown } | null = null;
  let ended = false;
  let stop!: (why: 'time' | 'abort') => void;
  const stopped = new Promise<'time' | 'abort'>((resolve) => (stop = resolve));
  const timer = setTimeout(() => stop('time'), ms);
  const onAbort = (): void => stop('abort');
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) stop('abort');
  let interrupted = false;
  try {
    while (total < bytes) {
      pending ??= it.next();
      let r: IteratorResult<Buffer> | 'time' | 'abort';
      try {
        r = await Promise.race([pending, stopped]);
      } catch (error) {
        failure = { error };
        pending = null;
        break;
      }
      if (r === 'time') break;
      if (r === 'abort') {
        interrupted = true;
        break;
      }
      pending = null;
      if (r.done === true) {
        ended = true;
        break;
      }
      chunks.push(r.value);
      total += r.value.length;
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    // Settle it: each Promise.race above left a reaction on it, holding the chunk that race read.
    stop('time');
  }
  // A read still under way when the time ran out (`pending`) is the first of the rest.
  const rest: AsyncIterator<Buffer> = {
    next(): Promise<IteratorResult<Buffer>> {
      if (failure !== null) {
        const { error } = failure;
        failure = null;
        return Promise.reject(error);
      }
      if (ended || interrupted) return Promise.resolve({ done: true, value: undefined });
      if (pending !== null) {
        const p = pending;
        pending = null;
        return p;
      }
      return it.next();
    },
    async return(): Promise<IteratorResult<Buffer>> {
      if (pending !== null) {
        // A read is still waiting (stdin that sends nothing): the source's return() would queue
        // behind it, and an interrupted run would wait for the pipe to close. Asked, not awaited;
        // the command exits once its report is written.
        pending.catch(() => undefined);
        void it.return?.();
        return { done: true, value: undefined };
      }
      await it.return?.();
      return { done: true, value: undefined };
    },
  };
  return { chunks, bytes: total, ended, interrupted, rest };
}

/**
 * The read-ahead chunks, then the rest of the stream, each also sent to every lane in `to`. A read
 * error reaches the lanes too, after the same bytes, so that they end the source as this thread
 * does (an error is not an end: the last, cut line is not read).
 */
export async function* replay(ahead: ReadAhead, to: Forwarder[] = []): AsyncGenerator<Buffer> {
  try {
    for (const c of ahead.chunks) {
      for (const f of to) await f.send(c);
      yield c;
    }
    ahead.chunks = [];
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = await ahead.rest.next();
      } catch (err) {
        for (const f of to) f.fail(err instanceof Error ? err.message : String(err));
        throw err;
      }
      if (r.done === true) return;
      for (const f of to) await f.send(r.value);
      yield r.value;
    }
  } finally {
    for (const f of to) f.end();
    await ahead.rest.return?.();
  }
}

/** The main thread's end of one lane's channel. */
export class Forwarder {
  private sent = 0;
  private taken = 0;
  private wake: (() => void) | null = null;
  private released = false;

  constructor(private readonly port: MessagePort) {
    port.on('message', (m: FromLane) => {
      this.taken += m.took;
      this.notify();
    });
  }

  /** Send a copy of `chunk`; waits while the lane has FORWARD_WINDOW bytes it has not taken. */
  async send(chunk: Buffer): Promise<void> {
    if (this.released) return;
    // A copy of exactly these bytes, moved rather than copied again (a Buffer is often a view
    // into a larger pooled ArrayBuffer, which a structured clone would copy whole).
    const copy = new Uint8Array(chunk);
    this.sent += copy.length; // before the move, which leaves `copy` empty here
    this.port.postMessage({ chunk: copy } satisfies ToLane, [copy.buffer]);
    while (!this.released && this.sent - this.taken > FORWARD_WINDOW) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The end of the bytes (once; after fail or release, nothing more is sent). */
  end(): void {
    if (!this.released) this.port.postMessage({ end: true } satisfies ToLane);
    this.released = true;
  }

  /** The read failed after the bytes sent so far. */
  fail(message: string): void {
    if (!this.released) this.port.postMessage({ error: message } satisfies ToLane);
    this.released = true;
  }

  /** The lane failed or the run stops: never wait for it again. */
  release(): void {
    this.released = true;
    this.notify();
  }

  close(): void {
    this.release();
    this.port.close();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/** A channel for one lane: the Forwarder stays here, the port goes to the lane's thread. */
export function forwardChannel(): { forwarder: Forwarder; port: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  return { forwarder: new Forwarder(port1), port: port2 };
}

/** A lane's side: the forwarded bytes as a stream, each chunk acknowledged as it is taken. */
export async function* forwardedBytes(port: MessagePort): AsyncGenerator<Buffer> {
  const queue: ToLane[] = [];
  let wake: (() => void) | null = null;
  port.on('message', (m: ToLane) => {
    queue.push(m);
    const w = wake;
    wake = null;
    w?.();
  });
  try {
    for (;;) {
      const m = queue.shift();
      if (m === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if ('end' in m) return;
      if ('error' in m) throw new Error(m.error);
      port.postMessage({ took: m.chunk.length } satisfies FromLane);
      yield Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
    }
  } finally {
    port.close();
  }
}
