/**
 * Google Cloud Logging LogEntry with `httpRequest` (HTTP(S) load balancer, Cloud Run, App
 * Engine, Cloud Armor), at top level or under `jsonPayload`; and Cloud Audit Logs
 * (`protoPayload` of type AuditLog) for principal, caller IP and method.
 */
import { isObj, type Rec } from '../get.js';
import { defineFormat } from '../format.js';
import { num, str } from '../values.js';

function httpRequestOf(r: Rec): Rec | undefined {
  if (isObj(r.httpRequest)) return r.httpRequest;
  const jp = r.jsonPayload;
  return isObj(jp) && isObj(jp.httpRequest) ? jp.httpRequest : undefined;
}

function isAudit(r: Rec): boolean {
  const pp = r.protoPayload;
  if (!isObj(pp)) return false;
  const t = pp['@type'];
  return typeof t === 'string' ? t.endsWith('AuditLog') : isObj(pp.authenticationInfo) || pp.methodName !== undefined;
}

const hr = (f: string): string[] => [`httpRequest.${f}`, `jsonPayload.httpRequest.${f}`];

export const gcp = defineFormat({
  id: 'gcp',
  title: 'Google Cloud Logging (httpRequest, audit logs)',
  detectKeys: 'httpRequest (top level or jsonPayload) with requestMethod or requestUrl; protoPayload AuditLog; hints logName, insertId, resource.type',
  sources: {
    ts: ['timestamp', 'receiveTimestamp'],
    ip: [...hr('remoteIp'), 'protoPayload.requestMetadata.callerIp'],
    user: ['protoPayload.authenticationInfo.principalEmail', 'protoPayload.authenticationInfo.principalSubject'],
    method: hr('requestMethod'),
    path: hr('requestUrl'),
    status: hr('status'),
    bytesOut: hr('responseSize'),
    bytesIn: hr('requestSize'),
    latencyMs: hr('latency').map((p) => `${p}|s`),
    userAgent: [...hr('userAgent'), 'protoPayload.requestMetadata.callerSuppliedUserAgent'],
    requestId: ['trace', 'insertId'],
  },
  notes: {
    action: 'protoPayload.serviceName:protoPayload.methodName (audit logs)',
    auth: 'protoPayload.status.code 16 (UNAUTHENTICATED) -> failure, 7 (PERMISSION_DENIED) -> denied, none -> success (audit logs)',
  },
  detect(r) {
    const h = httpRequestOf(r);
    if (h !== undefined && (h.requestMethod !== undefined || h.requestUrl !== undefined)) return 1;
    if (isAudit(r)) return 0.9;
    return 0;
  },
  accepts(r) {
    const h = httpRequestOf(r);
    return (h !== undefined && (h.requestMethod !== undefined || h.requestUrl !== undefined)) || isAudit(r);
  },
  post(r, ev) {
    const pp = r.protoPayload;
    if (!isObj(pp)) return;
    const svc = str(pp.serviceName);
    const m = str(pp.methodName);
    if (m !== undefined) ev.action = svc !== undefined ? `${svc}:${m}` : m;
    // An audit entry without an error status went through: its caller was authenticated and allowed.
    const code = isObj(pp.status) ? num(pp.status.code) : 0;
    if (code === 16) ev.auth = 'failure';
    else if (code === 7) ev.auth = 'denied';
    else if (code === 0 && ev.status === undefined) ev.auth = 'success';
  },
  explainPost(r) {
    const pp = r.protoPayload;
    const out: { action?: string; auth?: string } = {};
    if (isObj(pp)) {
      out.action = 'protoPayload.serviceName + protoPayload.methodName';
      out.auth = isObj(pp.status) ? 'protoPayload.status.code' : 'protoPayload.status (none: success)';
    }
    return out;
  },
});
