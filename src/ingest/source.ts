/**
 * Byte sources: files and stdin, gzip detected by its magic bytes (1f 8b) and decompressed with a
 * cap on the decompressed size. Errors become issues; nothing here throws on user input.
 */

import fs from 'node:fs';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import type { FileStats, IngestIssue, IngestLimits, InputSource, RawRecord } from './types.js';
import { Sink } from './sink.js';
import { ContentReader } from './reader.js';
import { escapeControl, formatBytes, fsErrorIssue, snippet } from './text.js';

/** Records per batch handed to the caller (a batch may exceed it by one chunk's worth). */
export const BATCH_SIZE = 4096;
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
/**
 * Gunzip output chunk. Larger is faster (16 KiB default: ~15% slower overall), but when zlib fails
 * (bad CRC, garbage after a member) the output of the failing call, at most one chunk, is lost.
 */
export const GUNZIP_CHUNK = 64 * 1024;

export interface OpenedSource {
  stats: FileStats;
  batches(): AsyncIterable<RawRecord[]>;
}

export interface ReadOptions {
  /** Read-chunk size for files (tests use tiny values to exercise chunk boundaries). */
  highWaterMark?: number;
  /**
   * The source's bytes, when this thread does not open it itself: stdin or a pipe read ahead, or
   * forwarded by the thread that reads it (--threads).
   */
  stream?: ByteSource;
}

export type ByteSource = Readable | AsyncIterable<Buffer | Uint8Array | string>;

/** Open one input for reading. Nothing is read until `batches()` is iterated. */
export function openSource(source: InputSource, limits: IngestLimits, onIssue: (i: IngestIssue) => void, opts: ReadOptions = {}): OpenedSource {
  if (opts.stream !== undefined || source.kind === 'stdin') return readStream(opts.stream ?? openBytes(source), source.path || '-', limits, onIssue);
  return readFrom(() => openBytes(source, opts.highWaterMark), source.path, limits, onIssue, source.size);
}

/** The byte stream of a source. */
export function openBytes(source: InputSource, highWaterMark = DEFAULT_HIGH_WATER_MARK): Readable {
  if (source.kind === 'stdin') return process.stdin;
  // A file is read as it was listed, up to its size then: every pass over it (the merge's peek, each
  // --threads lane) sees the same bytes even while it grows. What is written later is reported.
  const size = source.size;
  const range = size !== undefined && size > 0 ? { end: size - 1 } : {};
  return fs.createReadStream(source.path, { highWaterMark, ...range });
}

/**
 * Read records from any byte stream (stdin, a test's Readable.from([...])). `name` is used as the
 * file in source pointers and issues.
 */
export function readStream(stream: ByteSource, name: string, limits: IngestLimits, onIssue: (i: IngestIssue) => void): OpenedSource {
  return readFrom(() => stream, name, limits, onIssue);
}

function newStats(path: string): FileStats {
  return { path, container: 'ndjson', gzip: false, bytes: 0, records: 0, malformed: 0, skipped: {} };
}

/** `listedBytes`: the file's size when the inputs were listed; reading fewer bytes is reported. */
function readFrom(make: () => ByteSource, name: string, limits: IngestLimits, onIssue: (i: IngestIssue) => void, listedBytes?: number): OpenedSource {
  const stats = newStats(name);
  const sink = new Sink(name, limits, stats, onIssue);
  let used = false;
  return {
    stats,
    batches(): AsyncIterable<RawRecord[]> {
      if (used) return emptyIterable();
      used = true;
      return run(make, sink, listedBytes);
    },
  };
}

async function* emptyIterable(): AsyncGenerator<RawRecord[]> {
  // a source is read once
}

function toBuffer(c: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(c)) return c;
  if (typeof c === 'string') return Buffer.from(c, 'utf8');
  return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}

class CapReached extends Error {}

/** How long a stream with no size may be quiet before the records already read are handed on. */
const IDLE_FLUSH_MS = 100;
const IDLE = Symbol('idle');

/** Waits for `pending`, at most IDLE_FLUSH_MS: IDLE if it has not settled by then (it is not consumed). */
function idleFor<T>(pending: Promise<T>): Promise<T | typeof IDLE> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<typeof IDLE>((resolve) => (timer = setTimeout(resolve, IDLE_FLUSH_MS, IDLE)));
  return Promise.race([pending, idle]).finally(() => clearTimeout(timer));
}

async function* run(make: () => ByteSource, sink: Sink, listedBytes?: number): AsyncGenerator<RawRecord[]> {
  const stats = sink.stats;
  // A stream with no size (stdin, a pipe) may stall for good (`tail -f … |`): the records it has
  // sent are handed on once it has been quiet a moment, so that an interrupt reports them too.
  const idleFlush = listedBytes === undefined;
  const reader = new ContentReader(sink);
  let raw: AsyncIterator<Buffer> | undefined;
  let gz: zlib.Gunzip | undefined;
  let gzIter: AsyncIterator<Buffer> | undefined;
  let clean = true;
  /** The message of a gzip error on damaged data (said after the lines read before it). */
  let damagedData: string | undefined;
  /** The reading ended by itself (to its end, or at an error), not left by the caller. */
  let settled = false;
  try {
    const src = make();
    raw = iterate(src);
    // sniff: at least two bytes, or the end
    const head: Buffer[] = [];
    let headLen = 0;
    let ended = false;
    while (headLen < 2) {
      const r = await raw.next();
      if (r.done === true) {
        ended = true;
        break;
      }
      head.push(r.value);
      headLen += r.value.length;
      stats.bytes += r.value.length;
    }
    const first = head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head, headLen);
    if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
      stats.gzip = true;
      stats.decompressedBytes = 0;
      sink.holdProblemLines();
      const cap = sink.limits.maxDecompressedBytes;
      gz = zlib.createGunzip({ chunkSize: GUNZIP_CHUNK });
      const rawIt = raw;
      const feed = Readable.from(
        (async function* () {
          yield first;
          if (ended) return;
          for (;;) {
            const r = await rawIt.next();
            if (r.done === true) return;
            stats.bytes += r.value.length;
            yield r.value;
          }
        })(),
        { objectMode: false },
      );
      feed.on('error', (e) => gz?.destroy(e));
      feed.pipe(gz);
      gzIter = iterate(gz);
      for (;;) {
        const pending = gzIter.next();
        if (idleFlush && sink.out.length > 0 && (await idleFor(pending)) === IDLE) yield sink.take();
        const r = await pending;
        if (r.done === true) break;
        let chunk = r.value;
        const room = cap - stats.decompressedBytes;
        if (chunk.length > room) {
          chunk = chunk.subarray(0, Math.max(0, room));
          stats.decompressedBytes += chunk.length;
          reader.push(chunk);
          throw new CapReached();
        }
        stats.decompressedBytes += chunk.length;
        reader.push(chunk);
        if (reader.skipping) break;
        if (sink.out.length >= BATCH_SIZE) yield sink.take();
      }
    } else {
      if (first.length > 0) reader.push(first);
      if (!ended && !reader.skipping) {
        for (;;) {
          const pending = raw.next();
          if (idleFlush && sink.out.length > 0 && (await idleFor(pending)) === IDLE) yield sink.take();
          const r = await pending;
          if (r.done === true) break;
          stats.bytes += r.value.length;
          reader.push(r.value);
          // Binary content is not read: stop here rather than read it to its end (/dev/zero has none).
          if (reader.skipping) break;
          if (sink.out.length >= BATCH_SIZE) yield sink.take();
        }
      }
    }
    // Binary content is not read on purpose: the file neither shrank nor grew.
    const sized = listedBytes !== undefined && !reader.skipping;
    if (sized && stats.bytes < listedBytes) {
      sink.issue(
        'file-shrank',
        undefined,
        `file shrank while it was read (${formatBytes(listedBytes)} when the inputs were listed, ${formatBytes(stats.bytes)} read): truncated or rotated meanwhile; the records read are kept`,
      );
    } else if (sized && listedBytes > 0) {
      const now = await fs.promises.stat(sink.file).then((st) => st.size, () => listedBytes);
      if (now > listedBytes) {
        sink.issue(
          'file-changed',
          undefined,
          `file grew while it was read: the ${formatBytes(listedBytes)} it held when the inputs were listed were analysed, the ${formatBytes(now - listedBytes)} written since were not (apilog analyze --follow reads a growing log)`,
        );
      }
    }
    settled = true;
  } catch (err) {
    clean = false;
    if (err instanceof CapReached) {
      sink.issue(
        'decompressed-too-large',
        undefined,
        `decompressed size exceeds ${formatBytes(sink.limits.maxDecompressedBytes)} cap (--max-decompressed); rest of file skipped`,
      );
    } else if (stats.gzip && isZlibError(err)) {
      const msg = err instanceof Error ? err.message : String(err);
      // zlib drops the output of the call that failed (up to GUNZIP_CHUNK, all of a small file):
      // a file can be read again for it.
      const before = stats.decompressedBytes ?? 0;
      if (listedBytes !== undefined) {
        let lost = await salvageGunzip(make, listedBytes, before, GUNZIP_CHUNK);
        const room = sink.limits.maxDecompressedBytes - before;
        if (lost && lost.length > room) {
          lost = lost.subarray(0, Math.max(0, room));
          sink.issue(
            'decompressed-too-large',
            undefined,
            `decompressed size exceeds ${formatBytes(sink.limits.maxDecompressedBytes)} cap (--max-decompressed); rest of file skipped`,
          );
        }
        if (lost && lost.length > 0) {
          stats.decompressedBytes = before + lost.length;
          reader.push(lost);
        }
      }
      const said = `gzip stream error (${snippet(msg, 80)}) after ${formatBytes(stats.decompressedBytes ?? 0)} decompressed`;
      // Damaged data is said once the decoded bytes are read to their end, with the garbage lines
      // that lead up to it; a stream cut short decodes correctly up to the cut, and is said now.
      if ((err as { code?: unknown }).code === 'Z_DATA_ERROR') damagedData = said;
      else sink.issue('gzip-error', undefined, `${said}; records decoded before it are kept`);
      // what was decoded is complete data: read it to the end (a cut last line is reported)
      clean = true;
    } else {
      const issue = fsErrorIssue(err, sink.file);
      sink.issue(issue.kind, undefined, stats.bytes > 0 ? `${issue.message} (after ${formatBytes(stats.bytes)}; records read before it are kept)` : issue.message);
    }
    settled = true;
  } finally {
    // Left early (an interrupt's partial report): held lines are reported as they are, not lost.
    if (!settled) sink.releaseHeld();
    gz?.destroy();
    // Closing must not replace the outcome: an iterator whose stream already failed (the gzip error
    // reported above) may reject again here, which would turn exit 3 into an internal error (70).
    await Promise.resolve(gzIter?.return?.()).catch(() => undefined);
    await Promise.resolve(raw?.return?.()).catch(() => undefined);
  }
  if (clean) reader.end();
  if (damagedData !== undefined) {
    // Lines that could not be read since the last run of records are what the damage decoded to.
    const { count, firstLine } = sink.foldHeld();
    const damage =
      count === 0
        ? ''
        : `; ${count === 1 ? 'a line' : `${count} lines`} before it that could not be read (from line ${firstLine}) ${count === 1 ? 'is' : 'are'} taken as the damaged data, not counted as malformed or skipped`;
    sink.issue('gzip-error', undefined, `${damagedData}${damage}; records decoded before it are kept`);
  } else sink.releaseHeld();
  if (sink.out.length > 0) yield sink.take();
}

function isZlibError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** A failed gzip file is read again for what zlib dropped only when it is this small (compressed, and decompressed before the error). */
const SALVAGE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * zlib drops the output of the call that failed (a bad CRC, garbage after a member): up to one
 * GUNZIP_CHUNK, which is all of a small file. The file is read again and its members inflated raw
 * (trailing bytes ignored, each member's CRC checked here) to recover decompressed bytes
 * [skip, skip + max). Never throws: what cannot be recovered is not.
 */
async function salvageGunzip(make: () => ByteSource, compressedBytes: number, skip: number, max: number): Promise<Buffer | null> {
  if (max <= 0 || skip > SALVAGE_MAX_BYTES || compressedBytes > SALVAGE_MAX_BYTES) return null;
  let it: AsyncIterator<Buffer> | undefined;
  try {
    const parts: Buffer[] = [];
    let length = 0;
    it = iterate(make());
    for (;;) {
      const r = await it.next();
      if (r.done === true) break;
      parts.push(r.value);
      length += r.value.length;
      if (length > compressedBytes) return null;
    }
    // Not the bytes first read (replaced or cut meanwhile): nothing can be matched up.
    if (length !== compressedBytes) return null;
    const file = Buffer.concat(parts, length);
    const out: Buffer[] = [];
    let produced = 0;
    let pos = 0;
    // Member after member, as zlib read them, up to the one whose check fails (where zlib stopped):
    // the members after it were never passed on, and are not made up here either.
    while (produced < skip + GUNZIP_CHUNK) {
      const body = gzipBodyStart(file, pos);
      if (body < 0) break;
      let member: { buffer: Buffer; engine: { bytesWritten: number } };
      try {
        member = zlib.inflateRawSync(file.subarray(body), {
          info: true,
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
          // The failing call gave at most one chunk past what was passed on.
          maxOutputLength: skip - produced + GUNZIP_CHUNK + 1,
        }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      } catch {
        break;
      }
      out.push(member.buffer);
      produced += member.buffer.length;
      const trailer = body + member.engine.bytesWritten;
      if (trailer + 8 > file.length) break; // cut short
      const sound = file.readUInt32LE(trailer) === crc32(member.buffer) && file.readUInt32LE(trailer + 4) === member.buffer.length % 2 ** 32;
      if (!sound) break;
      pos = trailer + 8;
    }
    const all = Buffer.concat(out, produced);
    return all.length > skip ? all.subarray(skip, skip + max) : null;
  } catch {
    return null;
  } finally {
    await it?.return?.();
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as gzip stores it (zlib.crc32 is missing from the Node 20 releases before 20.15). */
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Offset of the deflate data of the gzip member at `pos` (RFC 1952 header), or -1. */
function gzipBodyStart(b: Buffer, pos: number): number {
  if (pos + 10 > b.length || b[pos] !== 0x1f || b[pos + 1] !== 0x8b || b[pos + 2] !== 8) return -1;
  const flags = b[pos + 3]!;
  let p = pos + 10;
  if (flags & 4) {
    if (p + 2 > b.length) return -1;
    p += 2 + b.readUInt16LE(p);
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      const end = b.indexOf(0, p);
      if (end < 0) return -1;
      p = end + 1;
    }
  }
  if (flags & 2) p += 2;
  return p <= b.length ? p : -1;
}

/**
 * Iterate a stream's chunks. Unlike `for await` over a Readable, data the stream emitted before an
 * error is delivered before the error is thrown (zlib reports a bad CRC after the output).
 */
export function iterate(src: ByteSource): AsyncIterator<Buffer> {
  if (!(src instanceof Readable)) {
    const it = (src as AsyncIterable<Buffer | Uint8Array | string>)[Symbol.asyncIterator]();
    return {
      async next(): Promise<IteratorResult<Buffer>> {
        const r = await it.next();
        return r.done === true ? { done: true, value: undefined } : { done: false, value: toBuffer(r.value) };
      },
      async return(): Promise<IteratorResult<Buffer>> {
        await it.return?.();
        return { done: true, value: undefined };
      },
    };
  }
  const HIGH = 4 * 1024 * 1024;
  const queue: Buffer[] = [];
  let queued = 0;
  let done = false;
  let error: unknown = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onData = (c: Buffer | string): void => {
    const b = toBuffer(c);
    queue.push(b);
    queued += b.length;
    if (queued >= HIGH) src.pause();
    notify();
  };
  const onEnd = (): void => {
    done = true;
    notify();
  };
  const onError = (e: unknown): void => {
    if (error === null) error = e;
    done = true;
    notify();
  };
  src.on('data', onData);
  src.on('end', onEnd);
  src.on('error', onError);
  src.on('close', onEnd);
  const detach = (): void => {
    src.off('data', onData);
    src.off('end', onEnd);
    src.off('error', onError);
    src.off('close', onEnd);
  };
  return {
    async next(): Promise<IteratorResult<Buffer>> {
      for (;;) {
        const b = queue.shift();
        if (b !== undefined) {
          queued -= b.length;
          if (queued < HIGH && src.isPaused() && !done) src.resume();
          return { done: false, value: b };
        }
        if (done) {
          if (error !== null) {
            const e = error;
            error = null;
            detach();
            throw e;
          }
          detach();
          return { done: true, value: undefined };
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async return(): Promise<IteratorResult<Buffer>> {
      detach();
      // keep a late error from becoming an unhandled 'error' event
      src.on('error', () => {});
      if (src !== process.stdin) src.destroy();
      done = true;
      notify();
      return { done: true, value: undefined };
    },
  };
}

/** For messages about a source, path escaped. */
export function describeSource(s: InputSource): string {
  return s.kind === 'stdin' ? 'standard input' : escapeControl(s.path);
}
