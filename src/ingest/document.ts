/**
 * Streaming framer for JSON that is not one value per line: a top-level array (streamed element by
 * element), a sequence of pretty-printed documents, and envelopes such as {"Records":[…]} whose
 * array is streamed element by element. A byte-level scanner tracks strings, escapes and depth to
 * find value boundaries; each element's bytes are JSON.parse'd on their own. Memory is bounded by
 * the largest single element (itself capped by maxLineBytes), never by the file.
 *
 * A top-level object is buffered whole (up to maxLineBytes) unless it turns out to be an envelope:
 *   - under a strong key (Records, logEvents, resourceLogs, resourceSpans) the array is streamed as
 *     soon as its `[` is seen;
 *   - under a weak key (records, events) the first element decides (see envelopes.ts); until then
 *     both the object and the element are buffered.
 * An object that is not streamed is parsed whole at its end and goes through the same envelope
 * rules as an NDJSON line, so small and large inputs give the same records.
 */

import type { Sink } from './sink.js';
import {
  ENVELOPE_META_KEYS,
  EnvelopeStream,
  elementConfirms,
  emitValue,
  envelopeForKey,
  isStrongKey,
} from './envelopes.js';
import { decodeText, hadInvalidUtf8, lineTooLongMessage } from './ndjson.js';
import { parseReason, snippet } from './text.js';
import { notJsonIssue } from './text-logs.js';

const enum Kind {
  Container = 0,
  Str = 1,
  Bare = 2,
}

/** Bytes of one value being framed, gathered across chunks. */
class Capture {
  pieces: Buffer[] = [];
  len = 0;
  /** Where the capture resumes in the current chunk. */
  start: number;
  active = true;
  tooLong = false;
  tooDeep = false;
  /** Only ASCII seen so far (per-chunk flags). */
  ascii = true;
  /** Set by finish(): the text had invalid UTF-8 replaced. */
  invalid = false;

  constructor(
    readonly line: number,
    /** Depth at which the value starts (the depth of its container). */
    readonly base: number,
    start: number,
    readonly kind: Kind,
  ) {
    this.start = start;
  }

  /** The chunk ends while the value is still open. */
  chunkEnd(b: Buffer, ascii: boolean, max: number): void {
    const part = b.subarray(this.start, b.length);
    this.len += part.length;
    this.start = 0;
    if (this.len > max) {
      this.tooLong = true;
      if (this.active) this.drop();
    }
    if (!this.active || part.length === 0) return;
    if (!ascii) this.ascii = false;
    this.pieces.push(part);
  }

  /**
   * The value ends at `end` (exclusive) in chunk `b`: its text, or null when not kept (too long,
   * too deep, dropped). Sets `invalid` when UTF-8 had to be repaired. Length is counted even after
   * the bytes were dropped, so `tooLong` does not depend on chunk boundaries.
   */
  finish(b: Buffer, end: number, ascii: boolean, max: number): string | null {
    const total = this.len + (end - this.start);
    if (total > max) this.tooLong = true;
    if (!this.active || this.tooLong) {
      this.drop();
      return null;
    }
    if (this.pieces.length === 0) {
      const text = decodeText(b, this.start, end, ascii);
      this.invalid = hadInvalidUtf8(text, b, this.start, end, ascii);
      return text;
    }
    const all = Buffer.concat([...this.pieces, b.subarray(this.start, end)], total);
    const allAscii = this.ascii && ascii;
    const text = decodeText(all, 0, total, allAscii);
    this.invalid = hadInvalidUtf8(text, all, 0, total, allAscii);
    return text;
  }

  drop(): void {
    this.active = false;
    this.pieces = [];
  }
}

export class DocumentReader {
  private line = 1;
  private depth = 0;
  private inStr = false;
  private esc = false;
  /** Skipping junk at the top level up to the end of the line. */
  private skipLine = false;

  // top-level value
  private top: 0 | 1 | 2 = 0; // none | array | object
  private topLine = 0;

  // elements being framed at depth `elemBase` (top-level array: 1, envelope array: 2)
  private elemBase = -1;
  private elem: Capture | null = null;

  // top-level object
  private obj: Capture | null = null;
  private expectKey = false;
  private key: Capture | null = null;
  private curKey: string | null = null;
  private awaitingValue = false;
  private metaValue: Capture | null = null;
  private meta: Record<string, unknown> = {};
  /** Envelope candidate / stream for the array under `curKey`. */
  private envKey: string | null = null;
  private env: EnvelopeStream | null = null;
  private envDone = false;
  private rejected = new Set<string>();

  private readonly maxLine: number;
  private readonly maxDepth: number;

  constructor(private readonly sink: Sink) {
    this.maxLine = sink.limits.maxLineBytes;
    this.maxDepth = sink.limits.maxDepth;
  }

  push(b: Buffer, ascii: boolean): void {
    const n = b.length;
    if (n === 0) return;
    let i = 0;
    /** Cached positions of the next quote / backslash / newline in this chunk (-1: none left, -2: unknown). */
    let nextQ = -2;
    let nextBs = -2;
    let nextNl = -2;
    if (this.esc) {
      // the byte after a backslash that ended the previous chunk
      this.esc = false;
      if (b[0] === 0x0a) this.line++;
      i = 1;
    }
    while (i < n) {
      if (this.skipLine) {
        const nl = b.indexOf(10, i);
        if (nl === -1) {
          i = n;
          break;
        }
        this.skipLine = false;
        this.line++;
        i = nl + 1;
        continue;
      }
      if (this.inStr) {
        // Jump through string content with indexOf; the next quote / backslash / newline positions are
        // cached per chunk so that each byte is searched once.
        if (nextQ !== -1 && nextQ < i) nextQ = b.indexOf(0x22, i);
        if (nextBs !== -1 && nextBs < i) nextBs = b.indexOf(0x5c, i);
        if (nextNl !== -1 && nextNl < i) nextNl = b.indexOf(0x0a, i);
        let stop = nextQ;
        if (nextBs !== -1 && (stop === -1 || nextBs < stop)) stop = nextBs;
        if (nextNl !== -1 && (stop === -1 || nextNl < stop)) stop = nextNl;
        if (stop === -1) {
          i = n;
          break;
        }
        i = stop;
        const c = b[i] as number;
        if (c === 0x5c) {
          if (i + 1 >= n) {
            this.esc = true;
            i = n;
            break;
          }
          if (b[i + 1] === 0x0a) this.line++;
          i += 2;
          continue;
        }
        if (c === 0x0a) {
          this.line++;
          i++;
          continue;
        }
        this.inStr = false;
        this.stringEnd(b, i, ascii);
        i++;
        continue;
      }
      const c = b[i] as number;
      switch (c) {
        case 0x0a:
          this.line++;
          if (this.elem?.kind === Kind.Bare && this.depth === this.elem.base) this.finishElem(b, i, ascii);
          break;
        case 0x20:
        case 0x09:
        case 0x0d:
          if (this.elem?.kind === Kind.Bare && this.depth === this.elem.base) this.finishElem(b, i, ascii);
          break;
        case 0x7b: // {
        case 0x5b: // [
          this.open(c, i);
          break;
        case 0x7d: // }
        case 0x5d: // ]
          this.close(b, c, i, ascii);
          break;
        case 0x22: // "
          this.openString(b, i);
          break;
        case 0x2c: // ,
          this.comma(b, i, ascii);
          break;
        case 0x3a: // :
          if (this.depth === 1 && this.top === 2 && this.curKey !== null) this.awaitingValue = true;
          else if (this.depth === 0) this.junk(b, i, ascii);
          break;
        default:
          this.bare(b, i, ascii);
      }
      i++;
    }
    // carry open captures into the next chunk
    const max = this.maxLine;
    this.elem?.chunkEnd(b, ascii, max);
    this.obj?.chunkEnd(b, ascii, max);
    this.key?.chunkEnd(b, ascii, 1024);
    this.metaValue?.chunkEnd(b, ascii, 64 * 1024);
  }

  end(): void {
    let reported = false;
    const e = this.elem;
    if (e !== null) {
      if (e.kind === Kind.Bare && !this.inStr) {
        this.finishElem(Buffer.alloc(0), 0, true);
      } else {
        this.reportTruncated(e, 'input ends inside a JSON value');
        reported = true;
        this.elem = null;
      }
    }
    if (this.top === 2 && this.env === null) {
      const o = this.obj;
      if (o !== null) {
        if (o.tooLong) this.sink.issue('line-too-long', o.line, lineTooLongMessage(this.maxLine, 'JSON value'));
        else if (o.tooDeep) this.tooDeepIssue(o.line);
        else if (!reported) this.sink.issue('malformed-json', o.line, 'truncated JSON document: input ends before it is closed');
      }
    } else if (this.top !== 0 && !reported) {
      const what = this.top === 1 ? 'array' : 'envelope';
      this.sink.issue('malformed-json', this.topLine, `truncated JSON ${what}: input ends before it is closed; records read so far are kept`);
    }
    this.resetTop();
  }

  // ---------------------------------------------------------------------------------------------

  private open(c: number, i: number): void {
    const d = this.depth;
    if (d === 0) {
      this.topLine = this.line;
      if (c === 0x5b) {
        this.top = 1;
        this.sink.setContainer('json-array');
        this.elemBase = 1;
      } else {
        this.top = 2;
        this.sink.setContainer('json-document');
        this.obj = new Capture(this.line, 0, i, Kind.Container);
        this.expectKey = true;
      }
      this.depth = 1;
      return;
    }
    if (d === this.elemBase && this.elem === null) {
      this.elem = new Capture(this.line, d, i, Kind.Container);
    }
    if (d === 1 && this.top === 2 && this.awaitingValue) {
      this.awaitingValue = false;
      if (c === 0x5b && this.curKey !== null && this.env === null && this.envKey === null && !this.envDone && envelopeForKey(this.curKey) !== undefined && !this.rejected.has(this.curKey)) {
        this.envKey = this.curKey;
        this.elemBase = 2;
        if (isStrongKey(this.curKey)) this.confirmEnvelope();
      }
    }
    const nd = d + 1;
    this.depth = nd;
    const e = this.elem;
    if (e !== null && !e.tooDeep && nd - e.base > this.maxDepth) {
      e.tooDeep = true;
      e.drop();
    }
    const o = this.obj;
    if (o !== null && !o.tooDeep && nd > this.maxDepth) {
      o.tooDeep = true;
      o.drop();
    }
  }

  private close(b: Buffer, _c: number, i: number, ascii: boolean): void {
    if (this.depth === 0) {
      this.junk(b, i, ascii);
      return;
    }
    if (this.elem?.kind === Kind.Bare && this.depth === this.elem.base) this.finishElem(b, i, ascii);
    const d = --this.depth;
    if (this.elem !== null && d === this.elem.base) {
      this.finishElem(b, i + 1, ascii);
    }
    if (d === 1 && this.elemBase === 2) {
      // the envelope array closed
      this.elemBase = -1;
      if (this.env !== null) this.envDone = true;
      this.envKey = null;
    }
    if (d === 0) {
      if (this.top === 2) this.finishObject(b, i + 1, ascii);
      this.resetTop();
    }
  }

  private openString(b: Buffer, i: number): void {
    this.inStr = true;
    const d = this.depth;
    if (d === 0) {
      this.inStr = false;
      this.junk(b, i, false);
      return;
    }
    if (d === this.elemBase && this.elem === null) {
      this.elem = new Capture(this.line, d, i, Kind.Str);
    }
    if (d === 1 && this.top === 2) {
      if (this.expectKey) {
        this.expectKey = false;
        this.key = new Capture(this.line, 1, i, Kind.Str);
      } else if (this.awaitingValue) {
        this.awaitingValue = false;
        if (this.curKey !== null && ENVELOPE_META_KEYS.has(this.curKey)) this.metaValue = new Capture(this.line, 1, i, Kind.Str);
      }
    }
  }

  private stringEnd(b: Buffer, i: number, ascii: boolean): void {
    const e = this.elem;
    if (e !== null && e.kind === Kind.Str && this.depth === e.base) {
      this.finishElem(b, i + 1, ascii);
      return;
    }
    if (this.depth !== 1) return;
    const k = this.key;
    if (k !== null) {
      this.key = null;
      const text = k.finish(b, i + 1, ascii, 1024);
      this.curKey = text === null ? null : parseString(text);
      return;
    }
    const m = this.metaValue;
    if (m !== null) {
      this.metaValue = null;
      const text = m.finish(b, i + 1, ascii, 64 * 1024);
      if (text !== null && this.curKey !== null) {
        const v = parseString(text);
        if (v !== null) this.meta[this.curKey] = v;
      }
    }
  }

  private comma(b: Buffer, i: number, ascii: boolean): void {
    const d = this.depth;
    if (d === 0) {
      this.junk(b, i, ascii);
      return;
    }
    if (this.elem?.kind === Kind.Bare && d === this.elem.base) this.finishElem(b, i, ascii);
    if (d === 1 && this.top === 2) {
      this.expectKey = true;
      this.curKey = null;
      this.awaitingValue = false;
    }
  }

  /** Any other byte: part of a number or literal, or junk at the top level. */
  private bare(b: Buffer, i: number, ascii: boolean): void {
    const d = this.depth;
    if (d === 0) {
      this.junk(b, i, ascii);
      return;
    }
    if (d === this.elemBase && this.elem === null) {
      this.elem = new Capture(this.line, d, i, Kind.Bare);
    }
    if (d === 1 && this.awaitingValue) this.awaitingValue = false;
  }

  /** Bytes at the top level that cannot start a JSON document: report and skip the line. */
  private junk(b: Buffer, i: number, ascii: boolean): void {
    const nl = b.indexOf(10, i);
    const end = Math.min(nl === -1 ? b.length : nl, i + 256);
    const text = decodeText(b, i, end, ascii).replace(/\r$/, '');
    const c = b[i];
    if (c === 0x7d || c === 0x5d || c === 0x2c || c === 0x3a) {
      this.sink.issue('malformed-json', this.line, `unexpected ${JSON.stringify(String.fromCharCode(c))} outside any JSON value: ${snippet(text)}`);
    } else {
      notJsonIssue(this.sink, this.line, text);
    }
    this.skipLine = true;
  }

  private finishElem(b: Buffer, end: number, ascii: boolean): void {
    const e = this.elem as Capture;
    this.elem = null;
    const text = e.finish(b, end, ascii, this.maxLine);
    const candidate = this.top === 2 && this.env === null;
    if (text === null) {
      if (candidate) {
        this.reject();
        return;
      }
      if (e.tooLong) this.sink.issue('line-too-long', e.line, lineTooLongMessage(this.maxLine, 'JSON value'));
      else if (e.tooDeep) this.tooDeepIssue(e.line);
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      if (candidate) {
        this.reject();
        return;
      }
      this.sink.issue('malformed-json', e.line, `malformed JSON (${parseReason(err)}): ${snippet(text)}`);
      return;
    }
    if (e.invalid) this.sink.issue('invalid-utf8', e.line, 'invalid UTF-8 bytes replaced by U+FFFD');
    if (this.top === 1) {
      emitValue(this.sink, v, e.line, 1);
      return;
    }
    if (candidate) {
      if (!elementConfirms(this.envKey as string, v)) {
        this.reject();
        return;
      }
      this.confirmEnvelope();
    }
    (this.env as EnvelopeStream).element(v, e.line);
  }

  /** The array under `envKey` is an envelope: stream it, stop buffering the object. */
  private confirmEnvelope(): void {
    const key = this.envKey as string;
    this.env = new EnvelopeStream(this.sink, key, this.meta);
    this.sink.setEnvelope(this.env.name);
    this.obj?.drop();
    this.obj = null;
  }

  /** A weak candidate was not an envelope: keep buffering the object as a plain document. */
  private reject(): void {
    if (this.envKey !== null) this.rejected.add(this.envKey);
    this.envKey = null;
    this.elemBase = -1;
    this.elem = null;
  }

  private finishObject(b: Buffer, end: number, ascii: boolean): void {
    if (this.env !== null) return;
    const o = this.obj;
    if (o === null) return;
    const text = o.finish(b, end, ascii, this.maxLine);
    if (text === null) {
      if (o.tooLong) this.sink.issue('line-too-long', o.line, lineTooLongMessage(this.maxLine, 'JSON value'));
      else if (o.tooDeep) this.tooDeepIssue(o.line);
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      this.sink.issue('malformed-json', o.line, `malformed JSON (${parseReason(err)}): ${snippet(text)}`);
      return;
    }
    if (o.invalid) this.sink.issue('invalid-utf8', o.line, 'invalid UTF-8 bytes replaced by U+FFFD');
    emitValue(this.sink, v, o.line);
  }

  private reportTruncated(c: Capture, why: string): void {
    if (c.tooLong) this.sink.issue('line-too-long', c.line, lineTooLongMessage(this.maxLine, 'JSON value'));
    else if (c.tooDeep) this.tooDeepIssue(c.line);
    else this.sink.issue('malformed-json', c.line, `truncated JSON: ${why}`);
  }

  private tooDeepIssue(line: number): void {
    this.sink.issue('too-deep', line, `JSON nested deeper than ${this.maxDepth} levels (--max-depth); skipped`);
  }

  private resetTop(): void {
    this.top = 0;
    this.depth = 0;
    this.inStr = false;
    this.esc = false;
    this.elemBase = -1;
    this.elem = null;
    this.obj = null;
    this.expectKey = false;
    this.key = null;
    this.curKey = null;
    this.awaitingValue = false;
    this.metaValue = null;
    this.meta = {};
    this.envKey = null;
    this.env = null;
    this.envDone = false;
    if (this.rejected.size > 0) this.rejected = new Set();
  }
}

function parseString(text: string): string | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
