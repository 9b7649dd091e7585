/**
 * Turns decoded bytes (after gunzip) into records: strips a UTF-8 BOM, looks at the start of the
 * content to choose between the NDJSON reader and the streaming document framer, then feeds it.
 *
 * Choice, from the first non-blank line:
 *   - starts with `[`                                  -> document framer (array streamed)
 *   - starts with `{` and is one complete value        -> NDJSON
 *   - starts with `{`, closes, more values on the line -> document framer (concatenated JSON)
 *   - starts with `{`, not closed at end of line       -> document framer (pretty-printed), unless the
 *     next non-blank line starts with `{` (a truncated first NDJSON line)
 *   - a first line longer than DETECT_WINDOW           -> document framer (e.g. a one-line 5 GB array)
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
  let depth = 0;
  let inStr = false;
  for (; i < n; i++) {
    const c = b[i] as number;
    if (c === 0x0a) break;
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inStr = false;
      continue;
    }
    if (c === 0x22) inStr = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) {
        // closed: anything else on this line?
        let j = i + 1;
        while (j < n && (b[j] === 0x20 || b[j] === 0x09 || b[j] === 0x0d)) j++;
        if (j === n) return eof ? 'ndjson' : n >= window ? 'document' : null;
        return b[j] === 0x0a ? 'ndjson' : 'document';
      }
    }
  }
  if (i >= n) return eof ? 'ndjson' : n >= window ? 'document' : null;
  // first line ended open: pretty-printed, or a truncated NDJSON line?
  let j = i + 1;
  while (j < n && isWs(b[j] as number)) j++;
  if (j === n) return eof ? 'ndjson' : n >= window ? 'document' : null;
  return b[j] === 0x7b ? 'ndjson' : 'document';
}

export class ContentReader {
  private head: Buffer[] = [];
  private headLen = 0;
  private reader: NdjsonReader | DocumentReader | null = null;
  private bomChecked = false;

  constructor(private readonly sink: Sink) {}

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
    const mode = detectMode(buf, false);
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
      this.start(detectMode(buf, true) ?? 'ndjson', buf);
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
