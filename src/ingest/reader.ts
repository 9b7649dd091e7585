/**
 * Turns decoded bytes (after gunzip) into records: strips a UTF-8 BOM, looks at the start of the
 * content to choose between the NDJSON reader and the streaming document framer, then feeds it.
 *
 * Choice, from the first non-blank line:
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
import type { Sink } from './sink.js';
import { NdjsonReader } from './ndjson.js';
import { DocumentReader } from './document.js';

export const DETECT_WINDOW = 4 * 1024 * 1024;

export type Mode = 'ndjson' | 'document';

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
  if (first === 0x5b) return 'document';
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

export class ContentReader {
  private head: Buffer[] = [];
  private headLen = 0;
  private reader: NdjsonReader | DocumentReader | null = null;
  private bomChecked = false;
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
    let buf = this.head.length === 1 ? chunk : Buffer.concat(this.head, this.headLen);
    if (!this.bomChecked) {
      if (buf.length < 3) {
        this.head = [buf];
        return;
      }
      this.bomChecked = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
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
      let buf = Buffer.concat(this.head, this.headLen);
      if (!this.bomChecked && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
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
