/**
 * Value coercion shared by every format: strings, numbers written as strings, statuses,
 * methods, roles, durations with units, API key masking, country codes, query strings.
 * Every function returns undefined for "absent" (missing, null, "", "-", wrong type), so the
 * canonical event never carries placeholders.
 */
import { wellFormed } from '../util/text.js';
import { keyName } from '../hygiene/key-identity.js';

/** Trimmed non-empty string; numbers are stringified; "-" and "" are absent; arrays give their first element (header arrays). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const n = v.length;
    if (n === 0) return undefined;
    let s = v;
    if (v.charCodeAt(0) <= 32 || v.charCodeAt(n - 1) <= 32) {
      s = v.trim();
      if (s.length === 0) return undefined;
    }
    if (s.length === 1 && s.charCodeAt(0) === 45) return undefined;
    return s;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (Array.isArray(v)) return v.length > 0 ? str(v[0]) : undefined;
  return undefined;
}

/**
 * A finite number from a number or a numeric string ("200", " 1309 ", "1.5e3"). Not a hex, octal
 * or binary literal, which Number() would read ("0x194" as 404 bytes): no log writes sizes so,
 * and a garbled or hostile field must not become a real-looking figure.
 */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const s = str(v);
    if (s === undefined) return undefined;
    let i = 0;
    while (i < s.length && s.charCodeAt(i) <= 32) i++;
    if (s.charCodeAt(i) === 48) {
      const radix = s.charCodeAt(i + 1) | 32;
      if (radix === 120 || radix === 111 || radix === 98) return undefined;
    }
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * HTTP status: an integer 100..599 (0 and other placeholders are absent). Strings must be
 * decimal digits, optionally followed by a zero fraction ("200.0") and surrounded by
 * whitespace: Number() would also read "0x194" as 404 and "4e2" as 400, turning a garbled or
 * hostile field into a real-looking status. A char-code scan, as this runs once per event.
 */
export function statusOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 100 && v <= 599 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  let i = 0;
  let end = v.length;
  while (i < end && v.charCodeAt(i) <= 32) i++;
  while (end > i && v.charCodeAt(end - 1) <= 32) end--;
  if (end - i < 3) return undefined;
  let n = 0;
  let k = i;
  for (; k < end && k < i + 3; k++) {
    const d = v.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  if (k < end && v.charCodeAt(k) === 32) {
    // A status line's code and reason phrase (Go's http.Response.Status, "200 OK", "404 Not Found"):
    // one space, then letters with single spaces, hyphens or apostrophes between them; nothing else.
    return reasonPhrase(v, k + 1, end) && n >= 100 && n <= 599 ? n : undefined;
  }
  if (k < end) {
    // Only a zero fraction may follow the three digits: "200.0", "200.00".
    if (v.charCodeAt(k) !== 46 || k + 1 === end) return undefined;
    for (k++; k < end; k++) if (v.charCodeAt(k) !== 48) return undefined;
  }
  return n >= 100 && n <= 599 ? n : undefined;
}

/** v[from, end) is a reason phrase: words of letters joined by one space, "-" or "'" ("Non-Authoritative Information", "I'm a teapot"). */
function reasonPhrase(v: string, from: number, end: number): boolean {
  if (from >= end || end - from > 64) return false;
  let prevLetter = false;
  for (let i = from; i < end; i++) {
    const c = v.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (letter) prevLetter = true;
    else if ((c === 32 || c === 45 || c === 39) && prevLetter) prevLetter = false;
    else return false;
  }
  return prevLetter;
}

/** Byte counts: non-negative numbers. */
export function bytesOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : num(v);
  return n !== undefined && n >= 0 && Number.isFinite(n) ? n : undefined;
}

/** Upper-case HTTP method token; anything with spaces or over 32 chars is not a method. */
export function methodOf(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined || s.length > 32) return undefined;
  let lower = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 47) return undefined;
    if (c >= 97 && c <= 122) lower = true;
  }
  return lower ? s.toUpperCase() : s;
}

/**
 * The roles of role texts seen so far, one frozen array each: logs repeat a handful of role texts,
 * and an array per event (about 180 bytes as pushed) was most of what the events waiting in the
 * reorder buffer held besides their raw record. Bounded: past the cap, texts are split each time.
 */
const ROLES_BY_TEXT = new Map<string, readonly string[] | undefined>();
const MAX_ROLE_TEXTS = 1_000;

/** Roles from an array, or a string split on commas and/or whitespace. */
export function rolesOf(v: unknown): readonly string[] | undefined {
  if (typeof v === 'string') {
    let r = ROLES_BY_TEXT.get(v);
    if (r === undefined && !ROLES_BY_TEXT.has(v)) {
      r = splitRoles(v);
      if (r !== undefined) Object.freeze(r);
      if (ROLES_BY_TEXT.size < MAX_ROLE_TEXTS) ROLES_BY_TEXT.set(v, r);
    }
    return r;
  }
  const out: string[] = [];
  if (Array.isArray(v)) {
    for (const x of v) {
      const s = str(x);
      if (s !== undefined) out.push(s);
    }
  } else {
    const s = str(v);
    if (s !== undefined) out.push(s);
  }
  return out.length > 0 ? out : undefined;
}

/** A role text split on commas, semicolons and whitespace ("-" is no role). */
function splitRoles(v: string): string[] | undefined {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= v.length; i++) {
    const c = i < v.length ? v.charCodeAt(i) : 32;
    const sep = c === 44 || c === 32 || c === 9 || c === 10 || c === 13 || c === 59;
    if (sep) {
      if (start >= 0) {
        const part = v.slice(start, i);
        if (part !== '-') out.push(part);
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  return out.length > 0 ? out : undefined;
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};

export type DurationUnit = 'ms' | 's' | 'us' | 'ns';

export const UNIT_SCALE: Record<DurationUnit, number> = { ms: 1, s: 1000, us: 1e-3, ns: 1e-6 };

function roundMs(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Parses "0.048180s", "12ms", "1m2.5s", "500µs", "12 ms". NaN when not a duration string with units. */
export function parseDurationString(s: string): number {
  let i = 0;
  const n = s.length;
  let total = 0;
  let parts = 0;
  while (i < n) {
    const numStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if ((c >= 48 && c <= 57) || c === 46) i++;
      else break;
    }
    if (i === numStart) return NaN;
    const value = Number(s.slice(numStart, i));
    if (!Number.isFinite(value)) return NaN;
    if (i < n && s.charCodeAt(i) === 32) i++;
    const unitStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if ((c >= 48 && c <= 57) || c === 46) break;
      i++;
    }
    const scale = DURATION_UNITS[s.slice(unitStart, i).toLowerCase()];
    if (scale === undefined) return NaN;
    total += value * scale;
    parts++;
  }
  return parts > 0 ? total : NaN;
}

/** A duration in `unit` (numbers and numeric strings), or with its own unit suffix, to ms (µs precision). */
export function durationMs(v: unknown, unit: DurationUnit): number | undefined {
  let ms: number;
  if (typeof v === 'number') {
    ms = v * UNIT_SCALE[unit];
  } else if (typeof v === 'string') {
    const s = str(v);
    if (s === undefined) return undefined;
    const last = s.charCodeAt(s.length - 1);
    if (last >= 48 && last <= 57) {
      const n = Number(s);
      if (!Number.isFinite(n)) return undefined;
      ms = n * UNIT_SCALE[unit];
    } else {
      ms = parseDurationString(s);
    }
  } else {
    return undefined;
  }
  if (!(ms >= 0) || !Number.isFinite(ms)) return undefined;
  // rounding multiplies by 1000 first: above ~1.8e305 that overflows to Infinity
  const r = roundMs(ms);
  return Number.isFinite(r) ? r : ms;
}

function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) {
      return false;
    }
  }
  return true;
}

const SECRET_PREFIXES = ['sk_', 'sk-', 'rk_', 'pk_live', 'ghp_', 'gho_', 'github_pat_', 'xox', 'eyJ', 'AIza', 'glpat-'];

/**
 * True when a string looks like a secret rather than an identifier: a long random-looking token
 * (24+ chars of key alphabet mixing letters and digits), a JWT, or a known secret prefix. UUIDs,
 * ARNs and already-masked values (containing "*") are identifiers.
 */
export function looksSecret(s: string): boolean {
  if (s.length < 16) return false;
  if (s.indexOf('*') >= 0 || s.startsWith('arn:') || isUuid(s)) return false;
  for (const p of SECRET_PREFIXES) if (s.startsWith(p)) return true;
  if (s.length < 24) return false;
  let letters = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    else if (c !== 45 && c !== 95 && c !== 43 && c !== 47 && c !== 61 && c !== 46 && c !== 126) return false;
  }
  return letters > 0 && digits > 0;
}

/**
 * Keeps a key identifier; a secret-looking value (or any value when `force`) becomes its masked
 * name (first characters, length, hash of the whole value: hygiene/key-identity.ts), never kept in
 * full and never cut to a prefix that another key may share.
 */
export function maskKey(v: unknown, force = false): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (force ? s.indexOf('*') < 0 : looksSecret(s)) return keyName(s);
  return s;
}

/**
 * ISO 3166 alpha-2, upper case. Cloudflare's "XX" (unknown) is no country; its "T1" (the request
 * came from a Tor exit node) is kept: it is no place, but a fact about the client a responder
 * wants (GeoIP only sees the exit node).
 */
export function countryOf(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined || s.length !== 2) return undefined;
  const u = s.toUpperCase();
  if (u === 'T1') return u;
  const a = u.charCodeAt(0);
  const b = u.charCodeAt(1);
  if (a < 65 || a > 90 || b < 65 || b > 90) return undefined;
  return u === 'XX' ? undefined : u;
}

/** A run of percent escapes, decoded together (a UTF-8 character spans several). */
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/** Bytes in the UTF-8 sequence a lead byte starts; 0 for a byte that starts none. */
function utf8Length(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    // Some escapes are not UTF-8: decode the characters that are, keep the others as written.
  }
  let out = '';
  let i = 0;
  while (i < run.length) {
    const n = utf8Length(parseInt(run.slice(i + 1, i + 3), 16));
    if (n > 0 && i + 3 * n <= run.length) {
      try {
        out += decodeURIComponent(run.slice(i, i + 3 * n));
        i += 3 * n;
        continue;
      } catch {
        // not a valid sequence: this escape is kept as it is
      }
    }
    out += run.slice(i, i + 3);
    i += 3;
  }
  return out;
}

/**
 * A form-encoded text decoded ("python-requests%2F2.31.0" -> "python-requests/2.31.0", "+" -> space):
 * Akamai writes the user agent, referer and cookies so. Never throws: a "%" that starts no escape
 * and escapes that are not UTF-8 are kept as written, and a text with a literal space, which was
 * never encoded, is returned as it is (its "+" stays a "+"). Not signatures' urlDecodeOnce: that one
 * turns bytes that are not UTF-8 into U+FFFD, right for matching, wrong for a value shown as logged.
 */
export function urlDecoded(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  if (s.indexOf(' ') >= 0) return s;
  return s.replace(/\+/g, ' ').replace(ESCAPE_RUN, decodeRun);
}

function encodePart(s: string): string {
  return encodeURIComponent(wellFormed(s)).replace(/%20/g, '+');
}

/** Raw query without "?", or an object (Kong `querystring`, CloudTrail `requestParameters`) serialised as k=v&... */
export function queryOf(v: unknown): string | undefined {
  if (typeof v === 'string') {
    let s = str(v);
    if (s !== undefined && s.charCodeAt(0) === 63) s = s.slice(1);
    return s === undefined || s.length === 0 ? undefined : s;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const vals = Array.isArray(x) ? x : [x];
    for (const y of vals) {
      if (y === true) parts.push(encodePart(k));
      else if (typeof y === 'string' || typeof y === 'number' || typeof y === 'boolean') parts.push(`${encodePart(k)}=${encodePart(String(y))}`);
      else if (y !== null && y !== undefined) parts.push(`${encodePart(k)}=${encodePart(JSON.stringify(y))}`);
    }
  }
  const q = parts.join('&');
  return q.length > 0 ? q : undefined;
}

/** Booleans and boolean-ish strings. */
export function boolOf(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === '1' || s === 'yes') return true;
    if (s === 'false' || s === '0' || s === 'no') return false;
  }
  return undefined;
}

/** Short, printable text for messages: control characters escaped, cut to about `max` chars. */
export function safeText(s: string, max = 80): string {
  let out = '';
  let i = 0;
  for (; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127 || (c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029) {
      out += c === 10 ? '\\n' : c === 13 ? '\\r' : c === 9 ? '\\t' : '\\u' + c.toString(16).padStart(4, '0');
    } else {
      out += s[i];
    }
  }
  return i < s.length ? out + '…' : out;
}
