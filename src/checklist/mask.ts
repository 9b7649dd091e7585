/**
 * Local masking for identifiers that can act as credentials (API key ids, session ids) and for
 * secret-looking query parameters. Kept here until the shared hygiene masker exists.
 */

const KEEP = 8;

/** Keep the first 8 characters (half, for values of 8 or fewer) and mark the rest as masked. */
export function maskSecret(value: string): string {
  if (value.length === 0) return value;
  const keep = value.length > KEEP ? KEEP : Math.floor(value.length / 2);
  return `${value.slice(0, keep)}…`;
}

const SECRET_PARAM = /(?:^|[_-])(?:token|access[_-]?token|id[_-]?token|refresh[_-]?token|api[_-]?key|apikey|key|secret|password|passwd|pwd|pass|auth|authorization|sig|signature|session|sessionid|sid|code|jwt|bearer|credential|credentials|otp)$/i;

/** Mask the values of secret-looking parameters in a raw query string ("a=1&token=abcdef..."). */
export function maskQuery(query: string): string {
  if (query === '') return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return SECRET_PARAM.test(decoded) ? `${name}=${maskSecret(pair.slice(eq + 1))}` : pair;
    })
    .join('&');
}
