/**
 * Object-identifier recognition by character scanning (no regex on the hot path).
 * Kinds: decimal integers, UUIDs, 24-hex ObjectIds, hex >= 16, ULIDs, emails, long base64url tokens.
 */
import type { ObjectIdKind } from './types.js';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Crockford base32 (ULID alphabet): digits and letters except I, L, O, U. */
function isCrockford(c: number): boolean {
  if (isDigit(c)) return true;
  const u = c & ~32; // upper-case
  return u >= 65 && u <= 90 && u !== 73 && u !== 76 && u !== 79 && u !== 85;
}

const MAX_INT_DIGITS = 19;
const TOKEN_MIN = 22;

/** The id kind of one path segment or query value, or null for an ordinary word. */
export function classifyId(s: string): ObjectIdKind | null {
  const n = s.length;
  if (n === 0 || n > 256) return null;
  let digits = 0;
  let hex = 0;
  let lower = 0;
  let upper = 0;
  let b64 = 0;
  let at = -1;
  let dots = 0;
  let crock = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) digits++;
    if (isHex(c)) hex++;
    if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) upper++;
    if (isDigit(c) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 95) b64++;
    if (isCrockford(c)) crock++;
    if (c === 64) at = at === -1 ? i : -2;
    else if (c === 46) dots++;
  }
  if (digits === n) return n <= MAX_INT_DIGITS ? 'int' : 'token';
  if (n === 36 && s.charCodeAt(8) === 45 && s.charCodeAt(13) === 45 && s.charCodeAt(18) === 45 && s.charCodeAt(23) === 45 && hex === 32) return 'uuid';
  if (hex === n) {
    if (n === 24) return 'objectid';
    if (n >= 16 && digits > 0) return 'hex';
  }
  if (n === 26 && crock === 26 && s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 55 && digits > 0 && (upper === 0 || lower === 0)) return 'ulid';
  if (at > 0 && at < n - 3 && dots > 0 && s.indexOf('.', at) > at + 1) return 'email';
  if (n >= TOKEN_MIN && b64 === n && digits > 0 && upper > 0 && lower > 0) return 'token';
  return null;
}

/** Query parameter names that carry object ids: id, ids, uuid, *_id, *Id, *_uuid. */
export function isIdParamName(name: string): boolean {
  const n = name.length;
  if (n === 0 || n > 64) return false;
  if (name === 'id' || name === 'ids' || name === 'uuid' || name === 'ID' || name === 'Id') return true;
  if (n > 3 && name.charCodeAt(n - 3) === 95 && (name.endsWith('_id') || name.endsWith('_ID'))) return true;
  if (n > 2 && name.charCodeAt(n - 2) === 73 && name.charCodeAt(n - 1) === 100) return true; // fooId
  return name.endsWith('_uuid');
}
