/**
 * Masking: how a secret may appear in apilog's own output (alert evidence, reports, `apilog redact`).
 * The rules follow the seeds and PCI DSS 3.4.1: never print a secret in full.
 *
 * - card number: last four only (`****1111`)
 * - token, JWT, session id, cookie, Authorization value: kind, length and a short hash (first 8 hex of
 *   sha256), so the same token can be recognised across records without being readable
 * - API key: at most the first 8 characters (fewer for short keys), then length and short hash
 * - password, CVV, OTP code, Basic credentials: nothing of the value at all
 * - SSN / Aadhaar: last four digits
 *
 * Every mask contains "REDACTED" or starts with `*`/`X`, so a redacted log scans clean.
 */
import { createHash } from 'node:crypto';

/** First 8 hex characters of sha256 of the value (UTF-8). */
export function shortHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
}

/** `****1111`: a card number reduced to its last four digits (separators ignored). */
export function maskCard(value: string): string {
  const digits = value.replace(/\D/g, '');
  return `****${digits.slice(-4)}`;
}

/** `[REDACTED jwt len=183 sha256:1a2b3c4d]`: kind, length and short hash of a token. */
export function maskToken(value: string, kind = 'token'): string {
  return `[REDACTED ${kind} len=${value.length} sha256:${shortHash(value)}]`;
}

/** How many leading characters of a key may be shown: at most 8, and never more than a third. */
export function keyPrefixLength(length: number): number {
  return Math.max(0, Math.min(8, Math.floor(length / 3)));
}

/** `AKIAIO…[REDACTED aws-access-key len=20 sha256:…]`: an API key's first characters, never more than 8. */
export function maskKey(value: string, kind = 'api-key'): string {
  const prefix = value.slice(0, keyPrefixLength(value.length));
  return `${prefix}…[REDACTED ${kind} len=${value.length} sha256:${shortHash(value)}]`;
}

/** `[REDACTED password]`: nothing of the value (passwords, CVV, OTP codes). */
export function maskSecret(kind = 'secret'): string {
  return `[REDACTED ${kind}]`;
}

/** `***-**-6789` */
export function maskSsn(value: string): string {
  const digits = value.replace(/\D/g, '');
  return `***-**-${digits.slice(-4)}`;
}

/** `XXXX XXXX 1234` (the form UIDAI's masked Aadhaar uses). */
export function maskAadhaar(value: string): string {
  const digits = value.replace(/\D/g, '');
  return `XXXX XXXX ${digits.slice(-4)}`;
}

/** Authorization header value: the scheme stays readable, the credential is masked. */
export function maskAuthorization(value: string): string {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]{0,30})\s+(\S[\s\S]*)$/.exec(value);
  if (!m) return maskToken(value, 'credential');
  const scheme = m[1]!;
  const cred = m[2]!.trim();
  if (/^basic$/i.test(scheme)) return `${scheme} ${maskSecret('basic-credentials')}`;
  return `${scheme} ${maskToken(cred, /^eyJ/.test(cred) ? 'jwt' : 'token')}`;
}

/** Cookie header: cookie names stay readable (they are not secret), values are hashed. */
export function maskCookieHeader(value: string): string {
  const names: string[] = [];
  for (const part of value.split(/;\s*/)) {
    const eq = part.indexOf('=');
    const name = (eq >= 0 ? part.slice(0, eq) : part).trim();
    if (name && names.length < 20) names.push(name.replace(/[^\w.\-$]/g, '?').slice(0, 40));
  }
  return `[REDACTED cookies(${names.join(',')}) len=${value.length} sha256:${shortHash(value)}]`;
}

/** True when a value is already a mask or a placeholder rather than a secret. */
export function isPlaceholder(value: string): boolean {
  // Fast path: a long value starting with a letter or digit is a placeholder only if it holds a mask.
  const c0 = value.charCodeAt(0);
  if (value.length > 14 && ((c0 >= 48 && c0 <= 57) || (c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) {
    return value.includes('[REDACTED');
  }
  const v = value.trim();
  if (v.length === 0) return true;
  if (v.length <= 12) {
    const low = v.toLowerCase();
    if (
      low === '-' || low === 'null' || low === 'none' || low === 'nil' || low === 'undefined' || low === 'true' || low === 'false' ||
      low === 'n/a' || low === 'redacted' || low === 'masked' || low === 'filtered' || low === 'hidden' || low === 'removed' ||
      low === '<redacted>' || low === '(redacted)' || low === '[filtered]' || low === '[masked]' || low === '[hidden]' ||
      low === 'changeme' || low === 'example'
    ) {
      return true;
    }
  }
  if (v.includes('[REDACTED') || /^\W*redacted\W*$/i.test(v)) return true;
  // ***, xxxx, ****1111, XXXX XXXX 1234
  if (/^[*xX•#.\s-]{3,}\d{0,4}$/.test(v)) return true;
  return false;
}
