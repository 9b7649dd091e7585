/**
 * Masking for identifiers that can act as credentials (API key ids, session ids) and for
 * secret-looking query parameters in the answers. Query values go through the hygiene masker
 * first, so a token reads as everywhere else (`[REDACTED jwt len=148 sha256:…]`, its length and
 * hash those of the whole value); what it does not recognise but a parameter's name says is
 * secret (`code=`, `sig=`) keeps its first characters only.
 */
import { redactString } from '../hygiene/redact.js';
import { isKeyName, keyName } from '../hygiene/key-identity.js';

const KEEP = 8;

/** Keep the first 8 characters (half, for values of 8 or fewer) and mark the rest as masked. */
export function maskSecret(value: string): string {
  if (value.length === 0) return value;
  const keep = value.length > KEEP ? KEEP : Math.floor(value.length / 2);
  return `${value.slice(0, keep)}…`;
}

/**
 * An API key id or a session id as the rest of the output names it. An API key has one name
 * everywhere (`k7q…[REDACTED api-key len=10 sha256:7cd970b3]`, hygiene/key-identity.ts), a plain id
 * too: the hash tells apart keys that share their first characters, and a name already made (a key
 * masked where it was read) is kept as it is. A session id the output masker leaves readable (short
 * or plain) keeps only its first characters.
 */
export function maskIdentifier(value: string, field: 'apiKey' | 'session'): string {
  if (field === 'apiKey') return keyName(value);
  if (isKeyName(value)) return value;
  const masked = redactString(value, field).value;
  return masked !== value ? masked : maskSecret(value);
}

const SECRET_PARAM = /(?:^|[_-])(?:token|access[_-]?token|id[_-]?token|refresh[_-]?token|api[_-]?key|apikey|key|secret|password|passwd|pwd|pass|auth|authorization|sig|signature|session|sessionid|sid|code|jwt|bearer|credential|credentials|otp)$/i;

/** Mask the values of secret-looking parameters in a raw query string ("a=1&token=abcdef..."). */
export function maskQuery(query: string): string {
  if (query === '') return query;
  return redactString(query, 'query')
    .value.split('&')
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
      const value = pair.slice(eq + 1);
      return SECRET_PARAM.test(decoded) && !value.includes('[REDACTED') ? `${name}=${maskSecret(value)}` : pair;
    })
    .join('&');
}
