/**
 * Small text helpers for issue messages: never echo much input, never echo control characters,
 * never echo a secret.
 */

import type { IngestIssue, IngestIssueKind } from './types.js';
import { HygieneScanner } from '../hygiene/scanner.js';

const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

function escapeChar(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

/** Replace control, bidi and line-separator characters by visible escapes. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL_RE, escapeChar);
}

/**
 * How much of the text is masked before a snippet is cut from it: a secret that starts inside the
 * snippet is recognised whole (a JWT or key cut short may no longer look like one). Bounded, so
 * that a file of many long malformed lines is not scanned in full once more.
 */
const MASK_WINDOW = 8 * 1024;
let scanner: HygieneScanner | undefined;

/**
 * `s` with every secret the hygiene scanner finds in it masked, as the report masks them. An
 * issue message quotes a line that could not be read, and that line is log content like any
 * other: the token in a broken line must not reach stderr either.
 */
function maskSecretsIn(s: string): string {
  scanner ??= new HygieneScanner({ maxDepth: 4, maxBytes: 4 * MASK_WINDOW });
  const copy = scanner.redactCopy({ text: s }).value as { text: unknown };
  if (typeof copy.text !== 'string') return s;
  // A broken line's value may be unquoted (`"password": Tr0ub4dor&3xyz}`): the scanner, reading it
  // as a query string, stops at "&". Whatever runs on from a mask to the next delimiter goes too.
  return copy.text.includes('[REDACTED') ? copy.text.replace(MASK_TAIL, '$1') : copy.text;
}

const MASK_TAIL = /(\[REDACTED[^\]]*\])[^\s,;}\]"']+/g;

/** At most `max` characters of `s`, secrets masked and control characters escaped, with an ellipsis when cut. */
export function snippet(text: string, max = 60): string {
  const s = maskSecretsIn(text.length > MASK_WINDOW ? text.slice(0, MASK_WINDOW) : text);
  if (s.length <= max) return escapeControl(s);
  let cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${escapeControl(cut)}…`;
}

/** A JSON.parse error message without the input V8 may quote in it. */
export function parseReason(err: unknown): string {
  let m = err instanceof Error ? err.message : String(err);
  // V8 quotes the input around the error: `Unexpected token 'T', ..."assword": Tr0ub4dor&"... is
  // not valid JSON`. That quote is raw log text (a password, a token): it is dropped.
  m = m.replace(/, (?:\.\.\.)?"[\s\S]*is not valid JSON\s*$/, '');
  m = m.replace(/ in JSON at position /, ' at position ');
  return snippet(m, 80);
}

/** 1536 -> "1.5 KiB", 64 GiB -> "64 GiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${n} bytes`;
  const s = v >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '');
  return `${s} ${units[u]}`;
}

/** Map a Node fs error (ENOENT, EACCES, EISDIR, ...) to an ingest issue naming the path. */
export function fsErrorIssue(err: unknown, file: string): IngestIssue {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const shown = escapeControl(file);
  let kind: IngestIssueKind;
  let what: string;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      kind = 'not-found';
      what = 'no such file or directory';
      break;
    case 'EACCES':
    case 'EPERM':
      kind = 'permission-denied';
      what = 'permission denied';
      break;
    case 'EISDIR':
      kind = 'unreadable';
      what = 'is a directory';
      break;
    case 'ELOOP':
      kind = 'directory-loop';
      what = 'too many levels of symbolic links (symlink loop)';
      break;
    default: {
      kind = 'unreadable';
      const msg = err instanceof Error ? err.message : String(err);
      what = snippet(code ? `${code}: ${msg.replace(/^[A-Z]+: /, '')}` : msg, 120);
    }
  }
  return { kind, file, message: `cannot read ${shown}: ${what}` };
}
