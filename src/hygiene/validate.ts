/**
 * Validators that turn "looks like" into "is": Luhn and IIN ranges for card numbers, Verhoeff for
 * Aadhaar, the SSA's invalid ranges for US SSNs, and JWT structure (header and payload must decode
 * to JSON). Validation, not entropy, is what keeps order numbers, ids and hashes quiet.
 */

/** Luhn check over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Card brand by issuer identification number and length; undefined when no known range fits. */
export function cardBrand(digits: string): string | undefined {
  const n = digits.length;
  if (n < 12 || n > 19) return undefined;
  const p1 = digits.charCodeAt(0) - 48;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (p1 === 4 && (n === 13 || n === 16 || n === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'amex';
  if (p4 >= 2200 && p4 <= 2204 && n >= 16 && n <= 19) return 'mir';
  if ((p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) && n >= 16 && n <= 19) {
    return 'discover';
  }
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'jcb';
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && n >= 14 && n <= 19) return 'diners';
  if (p2 === 62 && n >= 16 && n <= 19) return 'unionpay';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 58) || p4 === 6304 || p4 === 6759 || (p4 >= 6761 && p4 <= 6763)) && n >= 12) {
    return 'maestro';
  }
  if (p1 === 1 && n === 15) return 'uatp';
  return undefined;
}

/** A payment card number: 13-19 digits, a known IIN range for its length, and a valid Luhn digit. */
export function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && cardBrand(digits) !== undefined && luhnValid(digits);
}

// Verhoeff tables (dihedral group D5).
const V_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const V_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Verhoeff check over a digit string whose last digit is the check digit. */
export function verhoeffValid(digits: string): boolean {
  let c = 0;
  const n = digits.length;
  for (let i = 0; i < n; i++) {
    const d = digits.charCodeAt(n - 1 - i) - 48;
    if (d < 0 || d > 9) return false;
    c = V_D[c]![V_P[i % 8]![d]!]!;
  }
  return n > 0 && c === 0;
}

/** The Verhoeff check digit for a digit string (used by tests and fixtures). */
export function verhoeffCheckDigit(digits: string): number {
  for (let d = 0; d <= 9; d++) if (verhoeffValid(digits + String(d))) return d;
  return -1;
}

/** Aadhaar: 12 digits, first digit 2-9, Verhoeff check digit. */
export function isAadhaar(digits: string): boolean {
  if (digits.length !== 12) return false;
  const first = digits.charCodeAt(0) - 48;
  if (first < 2 || first > 9) return false;
  if (/^(\d)\1{11}$/.test(digits)) return false;
  return verhoeffValid(digits);
}

const FAKE_SSNS = new Set(['078051120', '123456789', '219099999', '457555462', '111111111', '987654320']);

/**
 * US SSN validity: area 000, 666 and 900-999 never issued; group 00 and serial 0000 invalid; well-known
 * sample numbers (the Woolworth card 078-05-1120, 219-09-9999 from an SSA ad, 123-45-6789) rejected.
 */
export function isValidSsn(digits: string): boolean {
  if (digits.length !== 9) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  if (FAKE_SSNS.has(digits)) return false;
  if (/^(\d)\1{8}$/.test(digits)) return false;
  return true;
}

/** Decode base64url (or base64) to a UTF-8 string; null when the input is not valid base64. */
export function decodeBase64Url(s: string): string | null {
  if (s.length === 0 || s.length > 16384) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95 || c === 43 || c === 47 || c === 61;
    if (!ok) return null;
  }
  try {
    return Buffer.from(s, 'base64url').toString('utf8');
  } catch {
    return null;
  }
}

export interface JwtInfo {
  /** Header `alg`. */
  alg?: string;
  typ?: string;
  sub?: string;
  iss?: string;
  /** Expiry, epoch seconds. */
  exp?: number;
  iat?: number;
  /** Token length in characters (all three parts). */
  length: number;
}

function claimString(v: unknown): string | undefined {
  if (typeof v === 'string') return sanitiseClaim(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Claims are shown to responders: strip control characters and bound the length. */
function sanitiseClaim(v: string): string {
  const clean = v.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}

/** Cheap shape check before JSON.parse: `{ ... }`. */
function looksLikeObject(t: string): boolean {
  const s = t.trim();
  return s.charCodeAt(0) === 123 && s.charCodeAt(s.length - 1) === 125;
}

/**
 * Parse a JWT candidate (three dot-separated base64url parts; the signature may be empty for
 * `alg: none`). Returns the non-secret claims, or null if header and payload are not JSON objects.
 * The signature is never decoded or returned.
 */
export function parseJwt(token: string): JwtInfo | null {
  const d1 = token.indexOf('.');
  if (d1 < 10) return null;
  const d2 = token.indexOf('.', d1 + 1);
  if (d2 < 0 || d2 - d1 - 1 < 10) return null;
  if (token.indexOf('.', d2 + 1) >= 0) return null;
  const headerText = decodeBase64Url(token.slice(0, d1));
  if (headerText === null || !looksLikeObject(headerText) || (!headerText.includes('"alg"') && !headerText.includes('"typ"'))) return null;
  const payloadText = decodeBase64Url(token.slice(d1 + 1, d2));
  if (payloadText === null || !looksLikeObject(payloadText)) return null;
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(headerText);
    payload = JSON.parse(payloadText);
  } catch {
    return null;
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return null;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const h = header as Record<string, unknown>;
  if (typeof h.alg !== 'string' && typeof h.typ !== 'string') return null;
  const p = payload as Record<string, unknown>;
  const info: JwtInfo = { length: token.length };
  const alg = claimString(h.alg);
  if (alg !== undefined) info.alg = alg;
  const typ = claimString(h.typ);
  if (typ !== undefined) info.typ = typ;
  const sub = claimString(p.sub);
  if (sub !== undefined) info.sub = sub;
  const iss = claimString(p.iss);
  if (iss !== undefined) info.iss = iss;
  if (typeof p.exp === 'number' && Number.isFinite(p.exp)) info.exp = p.exp;
  if (typeof p.iat === 'number' && Number.isFinite(p.iat)) info.iat = p.iat;
  return info;
}
