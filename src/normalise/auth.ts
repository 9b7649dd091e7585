/**
 * Authentication outcome. Formats set `auth` from their explicit fields (CloudTrail errorCode /
 * ConsoleLogin, APIM LastErrorReason, ECS event.outcome on authentication events, API Gateway
 * authorizer status / error.responseType, flat `auth`/`success`/`outcome` fields). When none
 * did, `deriveAuth` applies the fall-backs: 401/403 -> failure; a 2xx on a login-like path by a
 * method that can submit credentials -> success; otherwise unknown.
 */
import type { AuthOutcome } from './event.js';

const SUCCESS = new Set([
  'success', 'succeeded', 'successful', 'ok', 'pass', 'passed', 'allow', 'allowed', 'true', 'yes',
  'granted', 'authenticated', 'authorized', 'authorised', 'valid', '1',
]);
const FAILURE = new Set([
  'failure', 'fail', 'failed', 'false', 'no', 'rejected', 'unauthorized', 'unauthorised', 'unauthenticated',
  'invalid', '0',
]);
/** Authenticated, but not allowed. */
const DENIED = new Set(['denied', 'deny', 'forbidden', 'access_denied', 'access-denied', 'accessdenied', 'permission_denied', 'not_allowed']);

/** An explicit outcome field's value: booleans, numbers 1/0, and the usual words. */
export function authFromValue(v: unknown): AuthOutcome | undefined {
  if (typeof v === 'boolean') return v ? 'success' : 'failure';
  if (typeof v === 'number') return v === 1 ? 'success' : v === 0 ? 'failure' : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (SUCCESS.has(s)) return 'success';
  if (FAILURE.has(s)) return 'failure';
  if (DENIED.has(s)) return 'denied';
  if (s === 'unknown') return 'unknown';
  return undefined;
}

const LOGIN_PATH = /(login|logon|signin|sign-in|sign_in|auth|authenticate|token|session)s?\b/i;

export function isLoginPath(path: string): boolean {
  return LOGIN_PATH.test(path);
}

/** Fall-back outcome from status, path and method. */
export function deriveAuth(status: number | undefined, path: string | undefined, method: string | undefined): AuthOutcome {
  if (status === undefined) return 'unknown';
  if (status === 401 || status === 403) return 'failure';
  if (status >= 200 && status < 300 && path !== undefined) {
    // Loading a login page (GET/HEAD/OPTIONS) is not a login.
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'unknown';
    if (isLoginPath(path)) return 'success';
  }
  return 'unknown';
}
