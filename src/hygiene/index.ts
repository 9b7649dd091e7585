/**
 * Log hygiene: secrets and personal data that must never be logged (scanner, masking, redaction).
 */
export { HygieneScanner, applyMasks, DEFAULT_SCAN_LIMITS } from './scanner.js';
export type { Finding, ScanLimits } from './scanner.js';
export { KIND_INFO, SECRET_KINDS } from './kinds.js';
export type { KindInfo, SecretCategory, SecretKind } from './kinds.js';
export {
  isPlaceholder,
  keyPrefixLength,
  maskAadhaar,
  maskAuthorization,
  maskCard,
  maskCookieHeader,
  maskKey,
  maskSecret,
  maskSsn,
  maskToken,
  shortHash,
} from './mask.js';
export { cardBrand, isAadhaar, isCardNumber, isValidSsn, luhnValid, parseJwt, verhoeffValid } from './validate.js';
export type { JwtInfo } from './validate.js';
export { redactRecord, redactString, redactFiles } from './redact.js';
export type { RedactFilesOptions, RedactFilesResult, OpenSourceFn } from './redact.js';
