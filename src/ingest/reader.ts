/**
 * Turns decoded bytes (after gunzip) into records: sniffs the encoding (UTF-8 BOM stripped, UTF-16
 * transcoded, binary files skipped), looks at the start of the content to choose between the
 * NDJSON reader and the streaming document framer, then feeds it.
 *
 * Choice, from the first non-blank line:
 *   - starts like a text access log with a `[` first   -> NDJSON (each line reported as not JSON,
 *     naming the log: Envoy's `[2025-06-02T08:00:00.000Z] "GET …`)
 *   - starts with `[`                                  -> document framer (array streamed)
 *   - starts with `{` and is one complete value        -> NDJSON
 *   - starts with `{`, closes, more values on the line -> document framer (concatenated JSON)
 *   - starts with `{`, not closed at end of line       -> document framer (pretty-printed), unless the
 *     next non-blank line starts with `{` where JSON cannot continue with one (a truncated first
 *     NDJSON line such as `{"a":"cut`)
 *   - a first line longer than maxLineBytes (or 4 MiB) -> document framer (e.g. a one-line 5 GB array)
 *   - anything else (text, docker prefixes)            -> NDJSON
 */

import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { Sink } from './sink.js';
import { NdjsonReader } from './ndjson.js';
import { DocumentReader } from './document.js';
import { textLogKind } from './text-logs.js';

export const DETECT_WINDOW = 4 * 1024 * 1024;

export type Mode = 'ndjson' | 'document';

/** Bytes of a first line starting with `[` looked at to tell a text access log from a JSON array. */
const TEXT_SNIFF = 256;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Decide the reader from the first bytes; null = need more bytes. */
export function detectMode(b: Buffer, eof: boolean, window = DETECT_WINDOW): Mode | null {
  const n = b.length;
  let i = 0;
  while (i < n && isWs(b[i] as number)) i++;
  if (i === n) return eof ? 'ndjson' : null;
  const first = b[i];
  if (first === 0x5b) {
    // A JSON array, or a text log whose lines start with a bracketed time (`[2025-…`): the line's
    // start tells. Anything but a digit after the `[` is an array at once.
    if (i + 1 === n) return eof ? 'document' : null;
    const next = b[i + 1] as number;
    if (next < 0x30 || next > 0x39) return 'document';
    // (A match holds whatever follows; no match yet may be only too few bytes.)
    const nl = b.indexOf(0x0a, i);
    const end = Math.min(nl === -1 ? n : nl, i + TEXT_SNIFF);
    if (textLogKind(b.toString('latin1', i, end)) !== undefined) return 'ndjson';
    return nl === -1 && !eof && n - i < TEXT_SNIFF && n < window ? null : 'document';
  }
  if (first !== 0x7b) return 'ndjson';
  // scan the first line, remembering open containers and the last structural character
  const stack: number[] = [];
  let inStr = false;
  let last = 0;
  for (; i < n; i++) {
    const c = b[i] as number;
    if (c === 0x0a) break;
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) {
        inStr = false;
        last = c;
      }
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
    last = c;
    if (c === 0x22) inStr = true;
    else if (c === 0x7b || c === 0x5b) stack.push(c);
    else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      if (stack.length === 0) {
        // closed: anything else on this line?
        let j = i + 1;
        while (j < n && (b[j] === 0x20 || b[j] === 0x09 || b[j] === 0x0d)) j++;
        if (j === n) return eof ? 'ndjson' : n >= window ? 'document' : null;
        return b[j] === 0x0a ? 'ndjson' : 'document';
      }
    }
  }
  if (i >= n) return eof ? 'ndjson' : n >= window ? 'document' : null;
  // The first line ended open: a pretty-printed document, or a truncated NDJSON line?
  let j = i + 1;
  while (j < n && isWs(b[j] as number)) j++;
  if (j === n) return eof ? 'ndjson' : n >= window ? 'document' : null;
  if (b[j] !== 0x7b) return 'document';
  // The next line starts with '{': a continuation only where a value may come next
  // (`{"Records":[` / `"detail":` / `[{…},`); anywhere else the first line was cut short.
  const top = stack[stack.length - 1];
  if (!inStr && (last === 0x5b || last === 0x3a || (last === 0x2c && top === 0x5b))) return 'document';
  return 'ndjson';
}

/** How many leading bytes the encoding sniffer looks at (NUL bytes, UTF-16, other compressors). */
export const SNIFF_BYTES = 8 * 1024;

/** Compressed or archive formats that are not read, by magic bytes. */
const UNSUPPORTED: ReadonlyArray<readonly [number[], string]> = [
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz-compressed'],
  [[0x42, 0x5a, 0x68], 'bzip2-compressed'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-Zip archive'],
  [[0x04, 0x22, 0x4d, 0x18], 'lz4-compressed'],
];

function startsWith(b: Buffer, magic: number[]): boolean {
  if (b.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[i] !== magic[i]) return false;
  return true;
}

type Encoding = { kind: 'utf8'; skip: number } | { kind: 'utf16'; label: 'utf-16le' | 'utf-16be'; skip: number } | { kind: 'binary'; why: string };

/** Look at the first bytes (all of them when shorter than SNIFF_BYTES). */
export function sniffEncoding(b: Buffer): Encoding {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { kind: 'utf8', skip: 3 };
  if (b[0] === 0xff && b[1] === 0xfe) return { kind: 'utf16', label: 'utf-16le', skip: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { kind: 'utf16', label: 'utf-16be', skip: 2 };
  // UTF-16 without a BOM: JSON starts with an ASCII character
  if (b.length >= 2 && b[1] === 0 && (b[0] === 0x7b || b[0] === 0x5b)) return { kind: 'utf16', label: 'utf-16le', skip: 0 };
  if (b.length >= 2 && b[0] === 0 && (b[1] === 0x7b || b[1] === 0x5b)) return { kind: 'utf16', label: 'utf-16be', skip: 0 };
  for (const [magic, what] of UNSUPPORTED) if (startsWith(b, magic)) return { kind: 'binary', why: `${what}; not read (only gzip is decompressed)` };
  const nul = b.subarray(0, SNIFF_BYTES).indexOf(0);
  if (nul !== -1) return { kind: 'binary', why: `binary content (NUL byte at offset ${nul}); not read` };
  return { kind: 'utf8', skip: 0 };
}

/**
 * Entry point for decoded bytes. Sniffs the encoding on the first SNIFF_BYTES (UTF-8 with or
 * without BOM, UTF-16 as PowerShell writes it, binary files that are skipped with one issue), then
 * hands UTF-8 to the container detection.
 */
export class ContentReader {
  private head: Buffer[] = [];
  private headLen = 0;
  private state: 'head' | 'utf8' | 'utf16' | 'skip' = 'head';
  private utf16: TextDecoder | null = null;
  private readonly inner: Utf8Reader;

  constructor(private readonly sink: Sink) {
    this.inner = new Utf8Reader(sink);
  }

  /** Binary content: nothing more of the source will be read, so the caller can stop reading it. */
  get skipping(): boolean {
    return this.state === 'skip';
  }

  push(chunk: Buffer): void {
    switch (this.state) {
      case 'utf8':
        this.inner.push(chunk);
        return;
      case 'utf16':
        this.pushUtf16(chunk, false);
        return;
      case 'skip':
        return;
      default:
        if (chunk.length === 0) return;
        this.head.push(chunk);
        this.headLen += chunk.length;
        if (this.headLen >= SNIFF_BYTES) this.decide();
    }
  }

  end(): void {
    if (this.state === 'head') this.decide();
    if (this.state === 'utf16') this.pushUtf16(Buffer.alloc(0), true);
    if (this.state !== 'skip') this.inner.end();
  }

  /**
   * Live reading (`--follow`): the input went quiet before SNIFF_BYTES arrived. Decide the
   * encoding on the bytes seen so far, so that a short, growing file is read at once.
   */
  settle(): void {
    if (this.state === 'head' && this.headLen > 0) this.decide();
  }

  private decide(): void {
    const buf = Buffer.concat(this.head, this.headLen);
    this.head = [];
    this.headLen = 0;
    const enc = sniffEncoding(buf);
    if (enc.kind === 'binary') {
      this.state = 'skip';
      this.sink.stats.container = 'binary';
      this.sink.issue('unreadable', undefined, `${enc.why}`);
      return;
    }
    if (enc.kind === 'utf16') {
      this.state = 'utf16';
      this.utf16 = new TextDecoder(enc.label);
      this.pushUtf16(buf.subarray(enc.skip), false);
      return;
    }
    this.state = 'utf8';
    const rest = buf.subarray(enc.skip);
    if (rest.length > 0) this.inner.push(rest);
  }

  private pushUtf16(chunk: Buffer, last: boolean): void {
    const text = (this.utf16 as TextDecoder).decode(chunk, { stream: !last });
    if (text.length > 0) this.inner.push(Buffer.from(text, 'utf8'));
  }
}

/** Chooses the NDJSON reader or the document framer from the first line, then feeds it. */
class Utf8Reader {
  private head: Buffer[] = [];
  private headLen = 0;
  private reader: NdjsonReader | DocumentReader | null = null;
  /** A first line longer than maxLineBytes could not be read as NDJSON anyway: stream it. */
  private readonly window: number;

  constructor(private readonly sink: Sink) {
    this.window = Math.min(DETECT_WINDOW, sink.limits.maxLineBytes + 2);
  }

  push(chunk: Buffer): void {
    if (this.reader !== null) {
      this.reader.push(chunk, isAscii(chunk));
      return;
    }
    if (chunk.length === 0) return;
    this.head.push(chunk);
    this.headLen += chunk.length;
    const buf = this.head.length === 1 ? chunk : Buffer.concat(this.head, this.headLen);
    // decide on at most the first `window` bytes, so the choice does not depend on chunking
    const w = this.window;
    const mode = detectMode(buf.length > w ? buf.subarray(0, w) : buf, false, w);
    if (mode === null) {
      this.head = [buf];
      this.headLen = buf.length;
      return;
    }
    this.start(mode, buf);
  }

  end(): void {
    if (this.reader === null) {
      const buf = Buffer.concat(this.head, this.headLen);
      const w = this.window;
      this.start(detectMode(buf.length > w ? buf.subarray(0, w) : buf, buf.length <= w, w) ?? 'document', buf);
    }
    (this.reader as NdjsonReader | DocumentReader).end();
  }

  private start(mode: Mode, buf: Buffer): void {
    this.head = [];
    this.headLen = 0;
    this.reader = mode === 'ndjson' ? new NdjsonReader(this.sink) : new DocumentReader(this.sink);
    if (buf.length > 0) this.reader.push(buf, isAscii(buf));
  }
}
