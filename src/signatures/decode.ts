/**
 * Decoding before signature matching: URL-decoded once (and `+` read as a space), so `%27%20OR%201=1`
 * and `union+select` are seen as what the server saw. Only once: a double-encoded payload stays
 * single-encoded, and the rules carry the encoded forms that matter (`%2e%2e%2f`, `%24%7b`).
 */

const HEX_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

function decodeRun(run: string): string {
  return Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8');
}

/** URL-decode once; `plus` also turns `+` into a space (query strings and form bodies). */
export function urlDecodeOnce(s: string, plus = true): string {
  const pct = s.indexOf('%');
  const hasPlus = plus && s.indexOf('+') >= 0;
  if (pct < 0 && !hasPlus) return s;
  const t = hasPlus ? s.replace(/\+/g, ' ') : s;
  if (pct < 0) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    // Malformed escapes: decode the well-formed runs, keep the rest as written.
    return t.replace(HEX_RUN, decodeRun);
  }
}
