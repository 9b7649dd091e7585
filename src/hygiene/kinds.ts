/**
 * The kinds of secret and personal data the hygiene scanner reports, with their severity and the
 * guidance on what to log instead (from the seeds' "What must NOT be logged" list and the OWASP
 * Logging Cheat Sheet).
 *
 * Severity: anything that lets a reader act as someone (credentials, tokens, keys, session cookies,
 * reset tokens, OTP codes) or is payment card data (PAN, CVV) is high; government identifiers
 * (SSN, Aadhaar) are personal data and medium; a raw value in a dedicated session-id field is low
 * (many logs keep an opaque session reference there on purpose; the log cannot tell it from the
 * cookie value, so it is reported as advice to hash it).
 */
import type { Severity } from '../detect/types.js';

export const SECRET_KINDS = [
  'authorization-header',
  'cookie-header',
  'session-cookie',
  'session-id',
  'jwt',
  'bearer-token',
  'basic-credentials',
  'access-token',
  'api-key',
  'aws-access-key',
  'github-token',
  'stripe-key',
  'slack-token',
  'google-api-key',
  'openai-key',
  'private-key',
  'password',
  'reset-token',
  'otp-code',
  'card-number',
  'cvv',
  'ssn',
  'aadhaar',
] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export type SecretCategory = 'credential' | 'token' | 'key' | 'payment' | 'personal';

export interface KindInfo {
  title: string;
  category: SecretCategory;
  severity: Severity;
  /** What to log instead. */
  guidance: string;
  references: string[];
}

const CWE532 = 'https://cwe.mitre.org/data/definitions/532.html';
const OWASP_LOG = 'https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude';
const CWE598 = 'https://cwe.mitre.org/data/definitions/598.html';
const PCI = 'PCI DSS v4.0 3.3.1, 3.4.1, 3.5.1';

const KEY_GUIDANCE = 'log only a key identifier or the first 8 characters of the key, never the full key';

export const KIND_INFO: Record<SecretKind, KindInfo> = {
  'authorization-header': {
    title: 'Authorization header value',
    category: 'credential',
    severity: 'high',
    guidance: 'log auth_method (e.g. bearer_token), user_id and token_valid, never the Authorization header value',
    references: [CWE532, OWASP_LOG],
  },
  'cookie-header': {
    title: 'Cookie header value',
    category: 'token',
    severity: 'high',
    guidance: 'drop the Cookie/Set-Cookie headers; if a session must be correlated, log a hash of the session id',
    references: [CWE532, OWASP_LOG],
  },
  'session-cookie': {
    title: 'Session identifier',
    category: 'token',
    severity: 'high',
    guidance: 'log a hash of the session id (or an opaque session number), never the session cookie itself',
    references: [CWE532, OWASP_LOG],
  },
  'session-id': {
    title: 'Raw session id',
    category: 'token',
    severity: 'low',
    guidance: 'log a hash of the session id (sha256, truncated) so sessions can be correlated without being replayable',
    references: [CWE532, OWASP_LOG],
  },
  jwt: {
    title: 'JSON Web Token',
    category: 'token',
    severity: 'high',
    guidance: 'log only the user_id (sub) and token_valid extracted from the token, never the full JWT',
    references: [CWE532, OWASP_LOG, CWE598],
  },
  'bearer-token': {
    title: 'Bearer token',
    category: 'token',
    severity: 'high',
    guidance: 'log auth_method: bearer_token and the user_id the token resolved to, never the token',
    references: [CWE532, OWASP_LOG],
  },
  'basic-credentials': {
    title: 'HTTP Basic credentials',
    category: 'credential',
    severity: 'high',
    guidance: 'log auth_method: basic and the user name after authentication, never the encoded credentials',
    references: [CWE532, OWASP_LOG],
  },
  'access-token': {
    title: 'Access token',
    category: 'token',
    severity: 'high',
    guidance: 'keep tokens out of URLs and logs; log the user_id and token_valid, or a hash of the token',
    references: [CWE532, CWE598, OWASP_LOG],
  },
  'api-key': {
    title: 'API key or secret',
    category: 'key',
    severity: 'high',
    guidance: KEY_GUIDANCE,
    references: [CWE532, CWE598, OWASP_LOG],
  },
  'aws-access-key': { title: 'AWS access key id', category: 'key', severity: 'high', guidance: KEY_GUIDANCE, references: [CWE532] },
  'github-token': { title: 'GitHub token', category: 'key', severity: 'high', guidance: KEY_GUIDANCE, references: [CWE532] },
  'stripe-key': { title: 'Stripe secret key', category: 'key', severity: 'high', guidance: KEY_GUIDANCE, references: [CWE532] },
  'slack-token': { title: 'Slack token', category: 'key', severity: 'high', guidance: KEY_GUIDANCE, references: [CWE532] },
  'google-api-key': { title: 'Google API key', category: 'key', severity: 'high', guidance: KEY_GUIDANCE, references: [CWE532] },
  'openai-key': { title: 'OpenAI-style secret key', category: 'key', severity: 'high', guidance: KEY_GUIDANCE, references: [CWE532] },
  'private-key': {
    title: 'Private key (PEM)',
    category: 'key',
    severity: 'high',
    guidance: 'never log key material; log the key id or fingerprint',
    references: [CWE532, OWASP_LOG],
  },
  password: {
    title: 'Password',
    category: 'credential',
    severity: 'high',
    guidance: 'log password_provided: true/false (or "[REDACTED]"), never the password, not even for failed attempts',
    references: [CWE532, CWE598, OWASP_LOG],
  },
  'reset-token': {
    title: 'Password-reset token',
    category: 'token',
    severity: 'high',
    guidance: 'never log reset tokens; send them in the request body, not the URL, and log only that a reset was requested',
    references: [CWE532, CWE598],
  },
  'otp-code': {
    title: 'One-time code',
    category: 'credential',
    severity: 'high',
    guidance: 'never log OTP codes; log otp_provided and the verification result',
    references: [CWE532, CWE598],
  },
  'card-number': {
    title: 'Payment card number',
    category: 'payment',
    severity: 'high',
    guidance: 'log only the masked card number (****1111) or a payment token',
    references: [CWE532, PCI, OWASP_LOG],
  },
  cvv: {
    title: 'Card verification code (CVV)',
    category: 'payment',
    severity: 'high',
    guidance: 'never log CVV codes, not even masked (PCI DSS 3.3.1)',
    references: [CWE532, PCI],
  },
  ssn: {
    title: 'US Social Security number',
    category: 'personal',
    severity: 'medium',
    guidance: 'never log SSNs in full; log a masked form (***-**-1234) or an internal person id',
    references: [CWE532, OWASP_LOG],
  },
  aadhaar: {
    title: 'Aadhaar number',
    category: 'personal',
    severity: 'medium',
    guidance: 'never log Aadhaar numbers in full; log the masked form (XXXX XXXX 1234) or a reference id',
    references: [CWE532, OWASP_LOG],
  },
};
