/**
 * Live reading for `apilog analyze --follow`: inputs that keep growing.
 *
 * A follower never waits for input: `poll()` reads what the input holds now (up to a budget, so one
 * busy file does not starve the others) and returns the records it completed; the caller polls
 * again later. The bytes go through the same ContentReader (encoding sniff, NDJSON reader or
 * document framer) and Sink as a batch read, so records, issues and their file:line pointers are the
 * same as `apilog analyze` on the same bytes.
 *
 * Files (`followFile`):
 *   - read from the start (the history too), or with `from: 'end'` from the end of the last complete
 *     line present when following starts (line numbers still count from the top of the file);
 *   - growth: polled with fstat on the open descriptor; a partial last line waits in the reader
 *     until its newline arrives;
 *   - rotation by rename (or delete and re-create): when the path names another file (device or
 *     inode changed) the old descriptor is read to its end first, then the new file is opened and
 *     read from its start; while the path names nothing, the old descriptor is still followed;
 *   - truncation (size below the read offset, e.g. copytruncate): the reader is ended (a cut last
 *     line is reported as in batch mode) and the file is read again from offset 0;
 *   - gzip files are read once, whole, and not followed (a compressed file does not grow by lines).
 * Streams (`followStream`, for stdin): read as the bytes arrive until the stream ends.
 */

import fsp, { type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { openSource } from './source.js';
import { ContentReader } from './reader.js';
import { Sink } from './sink.js';
import { escapeControl, fsErrorIssue } from './text.js';
import type { FileStats, IngestIssue, IngestLimits, RawRecord } from './types.js';

export interface FollowOptions {
  /** Where to start reading a file that already has content: 'start' (default) or 'end'. */
  from?: 'start' | 'end';
  /** Most bytes read from one file per poll (default 4 MiB). */
  maxBytesPerPoll?: number;
  /** Size of one read (default 1 MiB; tests use tiny values to cross chunk boundaries). */
  chunkBytes?: number;
  /** Told when a file is rotated or truncated (the CLI prints it on stderr). */
  onNote?: (message: string) => void;
}

export interface Follower {
  /** The input as the user named it ("-" for stdin); the file of every record's source pointer. */
  readonly path: string;
  /** Bookkeeping over every generation of the file (rotations and truncations add up). */
  readonly stats: FileStats;
  /** True when the last poll read all there was: the input has nothing more at the moment. */
  readonly caughtUp: boolean;
  /** True when the input can never give more (a gzip file read whole, a stream at its end). */
  readonly ended: boolean;
  /** Read what is there now (never waits for more); the records completed by it, maybe none. */
  poll(): Promise<RawRecord[]>;
  /**
   * The input went quiet: decide what still waits for more bytes (the encoding sniff waits for
   * 8 KiB), so a short file's records come out. Returns the records that completes.
   */
  settle(): RawRecord[];
  /**
   * Stop following where reading stopped (an interrupted run does not read on to the end of a big
   * file): end the reader, so that a last line read without its newline is read as at the end of a
   * batch run, and release the input. Returns the last records.
   */
  close(): Promise<RawRecord[]>;
}

const DEFAULT_MAX_BYTES_PER_POLL = 4 * 1024 * 1024;
const DEFAULT_CHUNK = 1024 * 1024;
/** Bytes compared to tell a rewritten file from a grown one (a log line's tail, usually unique). */
const WITNESS_BYTES = 64;
const EMPTY = Buffer.alloc(0);

function newStats(path: string): FileStats {
  return { path, container: 'ndjson', gzip: false, bytes: 0, records: 0, malformed: 0, skipped: {} };
}

/** Follow one file by path. Nothing is opened until the first poll. */
export function followFile(path: string, limits: IngestLimits, onIssue: (i: IngestIssue) => void, opts: FollowOptions = {}): Follower {
  return new FileFollower(path, limits, onIssue, opts);
}

type Identity = { dev: number; ino: number };

class FileFollower implements Follower {
  caughtUp = false;
  ended = false;
  private statsObj: FileStats;
  private fh: FileHandle | null = null;
  private id: Identity | null = null;
  private offset = 0;
  private sink: Sink;
  private reader: ContentReader;
  /** Records of finished generations (before a rotation or truncation), not yet handed out. */
  private pending: RawRecord[] = [];
  /** A gzip file, read whole through the batch reader. */
  private gz: AsyncIterator<RawRecord[]> | null = null;
  private first = true;
  private missingReported = false;
  /**
   * The last bytes read before `offset`: truncated and written again past the old size between two
   * polls (copytruncate, then a burst), a file only seems to have grown; these bytes then differ.
   */
  private witness: Buffer = EMPTY;
  private closed = false;
  private readonly maxPerPoll: number;
  private readonly chunk: number;

  constructor(
    readonly path: string,
    private readonly limits: IngestLimits,
    private readonly onIssue: (i: IngestIssue) => void,
    private readonly opts: FollowOptions,
  ) {
    this.statsObj = newStats(path);
    this.sink = new Sink(path, limits, this.statsObj, onIssue);
    this.reader = new ContentReader(this.sink);
    this.maxPerPoll = opts.maxBytesPerPoll ?? DEFAULT_MAX_BYTES_PER_POLL;
    this.chunk = opts.chunkBytes ?? DEFAULT_CHUNK;
  }

  get stats(): FileStats {
    return this.statsObj;
  }

  async poll(): Promise<RawRecord[]> {
    if (this.closed || this.ended) {
      this.caughtUp = true;
      return this.take();
    }
    if (this.gz) return this.pollGzip();
    try {
      if (!this.fh && !(await this.open())) {
        this.caughtUp = true;
        return this.take();
      }
      if (this.gz) return await this.pollGzip();
      await this.readAvailable(this.maxPerPoll);
    } catch (err) {
      this.fail(err);
    }
    return this.take();
  }

  settle(): RawRecord[] {
    this.reader.settle();
    return this.take();
  }

  async close(): Promise<RawRecord[]> {
    if (this.closed) return this.take();
    if (this.gz) {
      await this.gz.return?.();
      this.gz = null;
    } else if (this.fh) {
      await this.finishGeneration();
    }
    this.closed = true;
    this.ended = true;
    this.caughtUp = true;
    return this.take();
  }

  private take(): RawRecord[] {
    const out = this.sink.take();
    if (this.pending.length === 0) return out;
    const all = this.pending;
    this.pending = [];
    if (out.length > 0) all.push(...out);
    return all;
  }

  private fail(err: unknown): void {
    const issue = fsErrorIssue(err, this.path);
    this.sink.issue(issue.kind, undefined, issue.message);
  }

  /** Open the path (first time, or after a rotation). False when it does not exist (yet). */
  private async open(): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await fsp.open(this.path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !this.first) return false; // rotated away, not re-created yet
      if (code === 'ENOENT' && this.opts.onNote) {
        // Not created yet (a service that has not logged since its start): wait for it, as
        // `tail -F` does. Its lines are then all new, so they are read from the start.
        this.opts.onNote(`${escapeControl(this.path)} does not exist (yet); following it once it appears`);
        this.first = false;
        return false;
      }
      if (!this.missingReported) {
        this.missingReported = true;
        this.fail(err);
      }
      if (code !== 'ENOENT') this.ended = true;
      return false;
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      this.ended = true;
      this.sink.issue('unreadable', undefined, `cannot follow ${this.path}: not a regular file`);
      return false;
    }
    this.fh = fh;
    this.id = { dev: st.dev, ino: st.ino };
    this.offset = 0;
    this.witness = EMPTY;
    const wasFirst = this.first;
    this.first = false;
    // gzip: read once, whole, through the batch reader
    if (st.size >= 2) {
      const head = Buffer.alloc(2);
      const { bytesRead } = await fh.read(head, 0, 2, 0);
      if (bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b) {
        await fh.close();
        this.fh = null;
        const src = openSource({ kind: 'file', path: this.path, size: st.size }, this.limits, this.onIssue);
        // the batch reader keeps its own stats: report those for this file
        this.statsObj = src.stats;
        this.gz = src.batches()[Symbol.asyncIterator]();
        return true;
      }
    }
    if (wasFirst && this.opts.from === 'end' && st.size > 0) await this.skipToEnd(fh, st.size);
    return true;
  }

  /** Start after the last complete line present now; line numbers still count from the top. */
  private async skipToEnd(fh: FileHandle, size: number): Promise<void> {
    const buf = Buffer.allocUnsafe(Math.min(this.chunk, size));
    let lines = 0;
    let lastNl = -1;
    let pos = 0;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      let i = buf.indexOf(10, 0);
      while (i !== -1 && i < bytesRead) {
        lines++;
        lastNl = pos + i;
        i = buf.indexOf(10, i + 1);
      }
      pos += bytesRead;
    }
    this.offset = lastNl + 1;
    if (this.offset > 0) {
      const w = Buffer.alloc(Math.min(WITNESS_BYTES, this.offset));
      const { bytesRead } = await fh.read(w, 0, w.length, this.offset - w.length);
      this.witness = w.subarray(0, bytesRead);
    }
    this.sink.firstLine = lines + 1;
    this.statsObj.bytes += this.offset;
  }

  private async pollGzip(): Promise<RawRecord[]> {
    const it = this.gz as AsyncIterator<RawRecord[]>;
    const r = await it.next();
    if (r.done === true) {
      this.gz = null;
      this.ended = true;
      this.caughtUp = true;
      return this.take();
    }
    this.caughtUp = false;
    this.pending.push(...r.value);
    return this.take();
  }

  /**
   * Read up to `budget` bytes from the open file; at its end, look for a rotation (read the old
   * file to its end, then switch) or a truncation (start again at 0).
   */
  private async readAvailable(budget: number): Promise<void> {
    let left = budget;
    for (;;) {
      const fh = this.fh;
      if (!fh) {
        this.caughtUp = true;
        return;
      }
      const st = await fh.stat();
      if (st.size < this.offset) {
        this.opts.onNote?.(`${escapeControl(this.path)} was truncated (${st.size} bytes, ${this.offset} had been read): reading it again from the start`);
        await this.restartGeneration(fh);
        continue;
      }
      if (st.size > this.offset && !(await this.witnessHolds(fh))) {
        this.opts.onNote?.(`${escapeControl(this.path)} was truncated and written again past where it had been read (${this.offset} bytes): reading it again from the start`);
        await this.restartGeneration(fh);
        continue;
      }
      while (this.offset < st.size && left > 0) {
        // A fresh buffer per read: the reader may keep a reference to a line's tail.
        const buf = Buffer.allocUnsafe(Math.min(this.chunk, st.size - this.offset, left));
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.statsObj.bytes += bytesRead;
        left -= bytesRead;
        const got = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
        this.remember(got);
        this.reader.push(got);
      }
      if (this.offset < st.size) {
        this.caughtUp = false;
        return;
      }
      // At the end of the open file. Does the path still name it?
      const now = await identity(this.path);
      if (now === null || (now.dev === this.id!.dev && now.ino === this.id!.ino)) {
        // same file, or rotated away and not re-created yet: keep following the open descriptor
        this.caughtUp = true;
        return;
      }
      // Rotated: the writer may have added a last line to the old file after the rename.
      const again = await fh.stat();
      if (again.size > this.offset) continue;
      await this.finishGeneration();
      this.opts.onNote?.(`${escapeControl(this.path)} was rotated: the old file was read to its end; reading the new one from its start`);
      if (!(await this.open())) {
        this.caughtUp = true;
        return;
      }
      if (this.gz) {
        this.caughtUp = false;
        return;
      }
    }
  }

  /** Keep the last WITNESS_BYTES read (a copy: the reader may hold on to `got`). */
  private remember(got: Buffer): void {
    this.witness =
      got.length >= WITNESS_BYTES
        ? Buffer.from(got.subarray(got.length - WITNESS_BYTES))
        : Buffer.from(Buffer.concat([this.witness, got]).subarray(-WITNESS_BYTES));
  }

  /** Are the bytes before `offset` still those that were read there? */
  private async witnessHolds(fh: FileHandle): Promise<boolean> {
    const w = this.witness;
    if (w.length === 0 || this.offset < w.length) return true;
    const now = Buffer.allocUnsafe(w.length);
    const { bytesRead } = await fh.read(now, 0, w.length, this.offset - w.length);
    return bytesRead === w.length && now.equals(w);
  }

  /** End the current file's reader and close it; its last records wait in `pending`. */
  private async finishGeneration(): Promise<void> {
    this.reader.end();
    this.pending.push(...this.sink.take());
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
    this.sink = new Sink(this.path, this.limits, this.statsObj, this.onIssue);
    this.reader = new ContentReader(this.sink);
  }

  /** Truncated: end the reader, keep the descriptor, read again from 0. */
  private async restartGeneration(fh: FileHandle): Promise<void> {
    this.reader.end();
    this.pending.push(...this.sink.take());
    this.sink = new Sink(this.path, this.limits, this.statsObj, this.onIssue);
    this.reader = new ContentReader(this.sink);
    this.offset = 0;
    this.witness = EMPTY;
    this.fh = fh;
  }
}

async function identity(path: string): Promise<Identity | null> {
  try {
    const st = await fsp.stat(path);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

/** Records still waiting in a stream follower before it pauses its stream. */
const STREAM_HIGH_WATER = 16 * 1024;

/**
 * Follow a byte stream (stdin) until it ends: bytes are read as they arrive, so a pipe from
 * `tail -F` or `kubectl logs -f` is analysed live. Gzip on a stream is not decompressed here (it
 * is reported and skipped: pipe it through `gunzip`).
 */
export function followStream(stream: Readable, name: string, limits: IngestLimits, onIssue: (i: IngestIssue) => void): Follower {
  return new StreamFollower(stream, name, limits, onIssue);
}

class StreamFollower implements Follower {
  caughtUp = true;
  private done = false;
  readonly stats: FileStats;
  private readonly sink: Sink;
  private readonly reader: ContentReader;
  private sniffed = false;
  private skipping = false;
  private head: Buffer | null = null;
  private readonly detach: () => void;

  constructor(
    private readonly stream: Readable,
    readonly path: string,
    limits: IngestLimits,
    onIssue: (i: IngestIssue) => void,
  ) {
    this.stats = newStats(path);
    this.sink = new Sink(path, limits, this.stats, onIssue);
    this.reader = new ContentReader(this.sink);
    const onData = (c: Buffer | string): void => this.data(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
    const onEnd = (): void => this.finish();
    const onError = (err: unknown): void => {
      const issue = fsErrorIssue(err, path);
      this.sink.issue(issue.kind, undefined, issue.message);
      this.finish();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    this.detach = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
  }

  get ended(): boolean {
    return this.done && this.sink.out.length === 0;
  }

  private data(c: Buffer): void {
    this.stats.bytes += c.length;
    if (this.skipping || this.done) return;
    if (!this.sniffed) {
      const b = this.head ? Buffer.concat([this.head, c]) : c;
      if (b.length < 2) {
        this.head = Buffer.from(b);
        return;
      }
      this.head = null;
      this.sniffed = true;
      if (b[0] === 0x1f && b[1] === 0x8b) {
        this.skipping = true;
        this.stats.gzip = true;
        this.sink.issue('unreadable', undefined, `gzip on ${this.path === '-' ? 'standard input' : this.path} is not decompressed with --follow; pipe it through gunzip`);
        return;
      }
      this.reader.push(b);
    } else {
      this.reader.push(c);
    }
    if (this.sink.out.length >= STREAM_HIGH_WATER && !this.stream.isPaused()) this.stream.pause();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.head) {
      this.reader.push(this.head);
      this.head = null;
    }
    if (!this.skipping) this.reader.end();
    this.detach();
  }

  async poll(): Promise<RawRecord[]> {
    const out = this.sink.take();
    if (!this.done && this.stream.isPaused()) this.stream.resume();
    return out;
  }

  settle(): RawRecord[] {
    if (!this.skipping) this.reader.settle();
    return this.sink.take();
  }

  async close(): Promise<RawRecord[]> {
    this.finish();
    return this.sink.take();
  }
}
