/** Text helpers with no stage of their own, shared by the stages that need them. */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `s` with lone surrogates (valid in JSON as "\ud800", so present in hostile logs) replaced by
 * U+FFFD: encodeURIComponent throws a URIError on them.
 */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** `s` as one word for a POSIX shell: as it is when that is safe, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w./@:+,=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
