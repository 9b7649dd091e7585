/**
 * Log content is hostile: anything printed from a log passes through here first.
 *
 * - Terminal text: C0 controls, DEL, C1 controls, Unicode bidi embeddings/overrides/isolates,
 *   line/paragraph separators and invisible format characters are shown escaped (`\x1b`, `\n`,
 *   `\u202e`) so the terminal never interprets them. A backslash is left as it is.
 * - JSON text: `JSON.stringify` escapes C0 but leaves DEL, C1 and the Unicode format characters
 *   raw; `escapeJsonText` escapes those too, so `cat report.ndjson` is as safe as the text report.
 */

/**
 * Characters never printed raw: C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F), Arabic letter
 * mark (U+061C), zero-width and direction marks (U+200B–U+200F), line/paragraph separators
 * (U+2028–U+2029), bidi embeddings and overrides (U+202A–U+202E), bidi isolates (U+2066–U+2069),
 * BOM / zero-width no-break space (U+FEFF), and lone surrogates.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_TEST =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Characters `JSON.stringify` leaves raw that a terminal may act on (always inside strings). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
const JSON_UNSAFE_TEST = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

function unicodeEscape(ch: string): string {
  return `\\u${hex(ch.charCodeAt(0), 4)}`;
}

/** True when `s` holds a character that `sanitize` would escape. */
export function hasUnsafe(s: string): boolean {
  return UNSAFE_TEST.test(s);
}

/** Make one value from a log safe to print on a terminal. Non-strings are stringified first. */
export function sanitize(value: unknown): string {
  const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  return UNSAFE_TEST.test(s) ? s.replace(UNSAFE, escapeChar) : s;
}

/**
 * Escape, inside JSON text produced by `JSON.stringify`, the characters it leaves raw but a
 * terminal could act on (DEL, C1, bidi, separators). The result is still valid JSON and parses
 * back to the same value.
 */
export function escapeJsonText(json: string): string {
  return JSON_UNSAFE_TEST.test(json) ? json.replace(JSON_UNSAFE, unicodeEscape) : json;
}

/** `JSON.stringify` + `escapeJsonText`. */
export function safeJson(value: unknown, indent?: number): string {
  return escapeJsonText(JSON.stringify(value, null, indent));
}

// ---------------------------------------------------------------------------------------------
// Display width and truncation (for terminal layout). Input is expected to be sanitised already.

/** Combining marks and other zero-width code points (approximate, covers common scripts). */
function isZeroWidth(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x0483 && cp <= 0x0489) ||
    (cp >= 0x0591 && cp <= 0x05bd) ||
    (cp >= 0x0610 && cp <= 0x061a) ||
    (cp >= 0x064b && cp <= 0x065f) ||
    (cp >= 0x0e31 && cp <= 0x0e3a && cp !== 0x0e32 && cp !== 0x0e33) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

/** East Asian wide / fullwidth and emoji presentation ranges (approximate). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if (isZeroWidth(cp)) return 0;
  return isWide(cp) ? 2 : 1;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Remove SGR colour codes (the only escapes the reporter itself emits). */
export function stripAnsi(s: string): string {
  return s.includes('\u001b') ? s.replace(ANSI, '') : s;
}

/** Terminal columns taken by `s` (colour codes ignored). */
export function displayWidth(s: string): number {
  const plain = stripAnsi(s);
  let w = 0;
  for (let i = 0; i < plain.length; i++) {
    const c = plain.charCodeAt(i);
    if (c < 0x300) {
      w++;
      continue;
    }
    const cp = plain.codePointAt(i) ?? c;
    if (cp > 0xffff) i++;
    w += charWidth(cp);
  }
  return w;
}

export const ELLIPSIS = '…';

/**
 * Cut plain (uncoloured) text to at most `max` columns, ending with `…` when cut.
 * Never splits a surrogate pair.
 */
export function truncate(s: string, max: number): string {
  if (max <= 0) return '';
  // Fast path: short ASCII-ish strings.
  if (s.length <= max && displayWidth(s) <= max) return s;
  const limit = max - 1;
  let w = 0;
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i) ?? 0;
    const cw = charWidth(cp);
    if (w + cw > limit) break;
    w += cw;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(0, i) + ELLIPSIS;
}

/** Sanitise, then truncate unless `full`. */
export function clip(value: unknown, max: number, full: boolean): string {
  const s = sanitize(value);
  return full ? s : truncate(s, max);
}

/** Pad plain or coloured text with spaces to `width` columns (on the right, or the left). */
export function pad(s: string, width: number, alignRight = false): string {
  const w = displayWidth(s);
  if (w >= width) return s;
  const fill = ' '.repeat(width - w);
  return alignRight ? fill + s : s + fill;
}
