/**
 * NDJSON reader: one JSON value per line. Lines are found with Buffer#indexOf(10) inside each
 * chunk; only a line that straddles two chunks is copied. Each line is decoded and JSON.parse'd on
 * its own, so a bad line costs one issue and the next line is read normally.
 */

import { isUtf8 } from 'node:buffer';
import type { Sink } from './sink.js';
import { emitValue } from './envelopes.js';
import { exceedsDepth } from './depth.js';
import { formatBytes, parseReason, snippet } from './text.js';
import { notJsonIssue, textLogKind } from './text-logs.js';

/** Decode bytes [start, end) of `buf`; `ascii` is a promise that the range holds only ASCII. */
export function decodeText(buf: Buffer, start: number, end: number, ascii: boolean): string {
  return ascii ? buf.toString('latin1', start, end) : buf.toString('utf8', start, end);
}

/** Did decoding `text` from bytes [start, end) replace invalid UTF-8? (A real U+FFFD is not.) */
export function hadInvalidUtf8(text: string, buf: Buffer, start: number, end: number, ascii: boolean): boolean {
  return !ascii && text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end));
}

/** `caddy  | ` / `web-1 | `: a docker compose log prefix before the JSON. */
const DOCKER_PREFIX = /^[\w.@/:-]+\s*\|\s*$/;

export function lineTooLongMessage(max: number, what = 'line'): string {
  return `${what} longer than the ${formatBytes(max)} limit (--max-line-bytes); skipped`;
}

export class NdjsonReader {
  /** Number of the line that the next byte belongs to. */
  private line = 1;
  private carry: Buffer[] = [];
  private carryLen = 0;
  /** Skipping the rest of an over-long line. */
  private discarding = false;
  private readonly maxLine: number;

  constructor(private readonly sink: Sink) {
    this.maxLine = sink.limits.maxLineBytes;
    this.line = sink.firstLine;
    sink.setContainer('ndjson');
  }

  push(chunk: Buffer, ascii: boolean): void {
    let pos = 0;
    const n = chunk.length;
    if (this.discarding || this.carryLen > 0) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        if (!this.discarding) this.addCarry(chunk, 0, n);
        return;
      }
      if (this.discarding) {
        this.discarding = false;
      } else if (this.carryLen + nl > this.maxLine) {
        this.tooLong();
        this.carry = [];
        this.carryLen = 0;
      } else {
        this.carry.push(chunk.subarray(0, nl));
        const joined = Buffer.concat(this.carry, this.carryLen + nl);
        this.carry = [];
        this.carryLen = 0;
        this.handleLine(joined, 0, joined.length, false, false);
      }
      this.line++;
      pos = nl + 1;
    }
    const max = this.maxLine;
    let nl: number;
    while ((nl = chunk.indexOf(10, pos)) !== -1) {
      if (nl - pos > max) this.tooLong();
      else if (nl > pos) this.handleLine(chunk, pos, nl, ascii, false);
      this.line++;
      pos = nl + 1;
    }
    if (pos < n) this.addCarry(chunk, pos, n);
  }

  /** End of input: the last line may lack its newline. */
  end(): void {
    if (this.carryLen > 0) {
      const joined = Buffer.concat(this.carry, this.carryLen);
      this.carry = [];
      this.carryLen = 0;
      this.handleLine(joined, 0, joined.length, false, true);
    }
  }

  private addCarry(chunk: Buffer, from: number, to: number): void {
    if (this.carryLen + (to - from) > this.maxLine) {
      this.tooLong();
      this.carry = [];
      this.carryLen = 0;
      this.discarding = true;
      return;
    }
    // Copy: a small tail must not pin the whole chunk it came from.
    const part = to - from < 64 * 1024 ? Buffer.from(chunk.subarray(from, to)) : chunk.subarray(from, to);
    this.carry.push(part);
    this.carryLen += to - from;
  }

  private tooLong(): void {
    this.sink.issue('line-too-long', this.line, lineTooLongMessage(this.maxLine));
  }

  private handleLine(buf: Buffer, start: number, end: number, ascii: boolean, last: boolean): void {
    let i = start;
    let c = buf[i] as number;
    // leading blanks (and a stray \r of a blank CRLF line)
    while (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c || c === 0x0b) {
      if (++i === end) return;
      c = buf[i] as number;
    }
    let from = i;
    let prefixed = false;
    if (c !== 0x7b && c !== 0x5b) {
      const brace = buf.subarray(i, end).indexOf(0x7b);
      if (brace === -1) {
        this.notJson(buf, i, end, ascii);
        return;
      }
      from = i + brace;
      prefixed = true;
    }
    const text = decodeText(buf, from, end, ascii);
    // Depth before parsing: a 16 MB line of nested brackets would become millions of nested
    // arrays (about 1 GB) only to be dropped. (Checked on text that may not be valid JSON: either
    // way the line is skipped.)
    if (exceedsDepth(text, this.sink.limits.maxDepth)) {
      if (prefixed && !DOCKER_PREFIX.test(buf.toString('latin1', i, from))) this.notJson(buf, i, end, ascii);
      else this.sink.issue('too-deep', this.line, `JSON nested deeper than ${this.sink.limits.maxDepth} levels (--max-depth); skipped`);
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      if (prefixed && !DOCKER_PREFIX.test(buf.toString('latin1', i, from))) {
        this.notJson(buf, i, end, ascii);
        return;
      }
      // A text access log line that starts with `[` (Envoy's `[time] "GET …"`) is no broken JSON.
      if (c === 0x5b && textLogKind(decodeText(buf, i, Math.min(end, i + 256), ascii)) !== undefined) {
        this.notJson(buf, i, end, ascii);
        return;
      }
      const what = last ? 'malformed JSON on the last line (no newline at end of input)' : 'malformed JSON';
      this.sink.issue('malformed-json', this.line, `${what} (${parseReason(err)}): ${snippet(trimEnd(text))}`);
      return;
    }
    // Only for a line that is read: a skipped line (malformed, not JSON) is one issue, not two
    // (as in the document framer).
    if (hadInvalidUtf8(text, buf, from, end, ascii)) this.sink.issue('invalid-utf8', this.line, 'invalid UTF-8 bytes replaced by U+FFFD');
    emitValue(this.sink, v, this.line);
  }

  private notJson(buf: Buffer, start: number, end: number, ascii: boolean): void {
    notJsonIssue(this.sink, this.line, trimEnd(decodeText(buf, start, Math.min(end, start + 256), ascii)));
  }
}

/**
 * The line without trailing CR, LF, tab and space. A loop, not /[\r\n\t ]+$/: that regex tries
 * every start in a run of whitespace that is not at the end, which is quadratic in the run (a
 * malformed 400 KB line of blanks took minutes).
 */
function trimEnd(s: string): string {
  let end = s.length;
  for (;;) {
    const c = s.charCodeAt(end - 1);
    if (end > 0 && (c === 13 || c === 10 || c === 9 || c === 32)) end--;
    else break;
  }
  return end === s.length ? s : s.slice(0, end);
}
