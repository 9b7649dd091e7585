/**
 * AWS CloudTrail events (after the `{"Records":[...]}` envelope is peeled by ingest). Also
 * accepts an EventBridge wrapper (`detail`) and a LookupEvents row (`CloudTrailEvent` string).
 */
import { isObj, type Rec } from '../get.js';
import { defineFormat } from '../format.js';
import { str } from '../values.js';

function root(rec: Rec): Rec {
  const d = rec.detail;
  if (isObj(d) && (rec.source === 'aws.cloudtrail' || typeof rec['detail-type'] === 'string')) return d;
  const ct = rec.CloudTrailEvent;
  if (typeof ct === 'string' && ct.charCodeAt(0) === 123) {
    try {
      const parsed: unknown = JSON.parse(ct);
      if (isObj(parsed)) return parsed;
    } catch {
      // not JSON: fall through
    }
  }
  return rec;
}

/**
 * errorCode values that mean the caller's credentials were not accepted (authentication).
 * Cognito's NotAuthorizedException is a wrong user name or password.
 */
function isAuthenticationError(c: string): boolean {
  return (
    c === 'notauthorizedexception' ||
    c.includes('invalidclienttokenid') || c.includes('signaturedoesnotmatch') || c.includes('expiredtoken') ||
    c.includes('invalidaccesskeyid') || c.includes('incompletesignature') || c.includes('missingauthenticationtoken') ||
    c.includes('invalidtoken') || c.includes('authfailure')
  );
}

/** errorCode values that mean an authenticated caller was not allowed (authorisation). */
function isAccessDenied(c: string): boolean {
  return c.includes('accessdenied') || c.includes('unauthorized') || c.includes('notauthorized') || c.includes('forbidden');
}

const MAX_QUERY = 1024;
/** CloudTrail's userName for a console login to an account name that does not exist. */
const HIDDEN_USER = 'HIDDEN_DUE_TO_SECURITY_REASONS';

export const cloudtrail = defineFormat({
  id: 'cloudtrail',
  title: 'AWS CloudTrail',
  detectKeys: 'eventVersion + eventSource (*.amazonaws.com) + eventName; EventBridge detail / LookupEvents CloudTrailEvent accepted',
  sources: {
    ts: ['eventTime', '@timestamp'],
    ip: ['sourceIPAddress'],
    user: [
      'userIdentity.arn', 'userIdentity.userName', 'userIdentity.sessionContext.sessionIssuer.userName',
      'userIdentity.principalId', 'userIdentity.invokedBy',
    ],
    apiKey: ['userIdentity.accessKeyId'],
    method: ['readOnly|readOnly'],
    query: ['requestParameters'],
    host: ['tlsDetails.clientProvidedHostHeader'],
    bytesOut: ['additionalEventData.bytesTransferredOut'],
    bytesIn: ['additionalEventData.bytesTransferredIn'],
    userAgent: ['userAgent'],
    requestId: ['requestID', 'eventID'],
  },
  notes: {
    roles: 'userIdentity.type + userIdentity.sessionContext.sessionIssuer.arn',
    user: 'no user for Cognito Anonymous / type Unknown or HIDDEN_DUE_TO_SECURITY_REASONS; an ARN built from userName when a failed console login has none',
    action: 'eventSource:eventName',
    auth: 'responseElements.ConsoleLogin, errorCode (invalid or expired credentials -> failure, access denied -> denied, none -> success)',
  },
  root,
  detect(input) {
    const r = root(input);
    if (typeof r.eventSource !== 'string' || typeof r.eventName !== 'string') return 0;
    if (r.eventVersion !== undefined) return 1;
    if (r.userIdentity !== undefined || r.awsRegion !== undefined) return 0.9;
    return r.eventSource.endsWith('.amazonaws.com') ? 0.8 : 0.3;
  },
  accepts(r) {
    return typeof r.eventSource === 'string' && typeof r.eventName === 'string';
  },
  post(r, ev) {
    ev.action = `${r.eventSource as string}:${r.eventName as string}`;
    const ui = r.userIdentity;
    if (isObj(ui)) {
      const name = str(ui.userName);
      if (str(ui.type) === 'Unknown' || str(ui.principalId) === 'Anonymous' || name === HIDDEN_USER) {
        // Not a principal: Cognito's unauthenticated callers are all "Anonymous", and a console
        // login to a name that does not exist is logged as HIDDEN_DUE_TO_SECURITY_REASONS.
        if (ev.user === name || ev.user === str(ui.principalId) || ev.user === 'Anonymous') ev.user = undefined;
      } else if (str(ui.arn) === undefined && name !== undefined && ev.user === name) {
        // A failed console login carries no ARN: name the user as its other events do.
        const account = str(ui.accountId) ?? str(r.recipientAccountId);
        const t = str(ui.type);
        if (account !== undefined && t === 'IAMUser') ev.user = `arn:aws:iam::${account}:user/${name}`;
        else if (account !== undefined && t === 'Root') ev.user = `arn:aws:iam::${account}:root`;
      }
      const roles: string[] = [];
      const t = str(ui.type);
      if (t !== undefined) roles.push(t);
      const sc = ui.sessionContext;
      const issuer = isObj(sc) && isObj(sc.sessionIssuer) ? str(sc.sessionIssuer.arn) : undefined;
      if (issuer !== undefined) roles.push(issuer);
      if (roles.length > 0) ev.roles = roles;
    }
    if (ev.query !== undefined && ev.query.length > MAX_QUERY) ev.query = ev.query.slice(0, MAX_QUERY) + '…';
    const re = r.responseElements;
    const login = isObj(re) ? str(re.ConsoleLogin) : undefined;
    if (login !== undefined) {
      const l = login.toLowerCase();
      ev.auth = l === 'success' ? 'success' : l === 'failure' ? 'failure' : 'unknown';
      return;
    }
    // A call without an error went through: its caller was authenticated and allowed. Any other
    // error (NoSuchEntity, ValidationException, throttling) leaves the outcome unknown.
    const code = str(r.errorCode)?.toLowerCase();
    if (code === undefined) {
      if (str(r.errorMessage) === undefined) ev.auth = 'success';
      return;
    }
    if (isAuthenticationError(code)) ev.auth = 'failure';
    else if (isAccessDenied(code)) ev.auth = 'denied';
  },
  explainPost(r) {
    const re = r.responseElements;
    const out: { action: string; roles: string; auth?: string } = { action: 'eventSource + eventName', roles: 'userIdentity.type' };
    if (isObj(re) && re.ConsoleLogin !== undefined) out.auth = 'responseElements.ConsoleLogin';
    else out.auth = r.errorCode !== undefined ? 'errorCode' : 'errorCode (none: success)';
    return out;
  },
});
