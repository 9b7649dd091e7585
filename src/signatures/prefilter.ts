/**
 * Cheap pre-filters for the attack-signature detector: a request is decoded and run through the
 * Sigma rules only when its path, query or referer holds a character or word that some shipped
 * payload pattern needs (test/signatures/attack-signature.test.ts plants every literal of
 * rules/sigma in every field to keep this true). User agents are not pre-filtered: each distinct
 * agent is matched once and the verdict cached.
 *
 * Each filter is a native regex led by a narrow character class or a few literal words, so a clean
 * path or query costs one short scan.
 */

/** Characters that payloads need, in a path (raw, before decoding). `..` for traversal. */
const PATH_CHARS = /[%'"<>${};|`\\()*@#!+:\s]|\.\./;
/** Payload words that need no special character (a value or path segment on its own). */
const WORDS =
  /_schema|xp_|sqlite_|utl_|dbms_|document\.|fromcharcode|__|freemarker|169\.254|metadata|meta-data|fd00|100\.100\.|2852039166|0xa9fe|0251\.|\.ini|jndi|cmd\.exe|powershell|oast|burpcollab|interact\.sh|dnslog|ceye\.io|having|drop|on(?:error|load|mouse|focus|toggle|animation)|\/(?:etc|bin|proc|dev)\/|\/\.ssh|&&/i;

/** A query also counts `/` (file paths as values). */
const QUERY_CHARS = /[%'"<>${};|`\\()*@#!+:\s/]|\.\./;

/** The character part of the path filter (the word part can be judged per route template, see below). */
export function pathHasPayloadChars(p: string | undefined): boolean {
  return p !== undefined && p.length > 1 && PATH_CHARS.test(p);
}

/**
 * The word part, for a route template: ids replaced by `{id}` (ints, UUIDs, hex, ULIDs, emails,
 * mixed-case tokens) cannot spell a payload word, so a verdict per template is a verdict per path.
 */
export function hasPayloadWords(s: string): boolean {
  return WORDS.test(s);
}

export function suspiciousPath(p: string | undefined): boolean {
  return p !== undefined && p.length > 1 && (PATH_CHARS.test(p) || WORDS.test(p));
}

export function suspiciousQuery(q: string | undefined): boolean {
  return q !== undefined && q.length > 0 && (QUERY_CHARS.test(q) || WORDS.test(q));
}

/** A referer is a full URL: its scheme's `://` is skipped, the rest is judged like a path and query. */
export function suspiciousReferer(r: string | undefined): boolean {
  if (r === undefined || r.length === 0) return false;
  const s = r.indexOf('://');
  const rest = s >= 0 && s < 12 ? r.slice(s + 3) : r;
  const q = rest.indexOf('?');
  if (q < 0) return suspiciousPath(rest);
  return suspiciousPath(rest.slice(0, q)) || suspiciousQuery(rest.slice(q + 1));
}
