/**
 * Caddy v2 JSON access log. The first lines of a Caddy log are startup messages (other
 * loggers), and TLS, admin and error messages come in between: those are Caddy's own, expected,
 * and not access records. They are set aside (counted as skipped, not listed as issues): a zap
 * line (level, ts, msg) from one of Caddy's loggers, or one with no logger that names no request.
 * The http.log.error lines are set aside too: the same request is in the access log.
 */
import { isObj, type Rec } from '../get.js';
import { defineFormat } from '../format.js';
import { mayBeRequest } from './flat.js';

function isAccessLogger(r: Rec): boolean {
  const l = r.logger;
  return typeof l === 'string' && l.startsWith('http.log.access');
}

/** Caddy's logger namespaces (admin.api, http.auto_https, http.log.error.log0, tls.obtain, pki.ca.local…). */
const CADDY_LOGGER = /^(admin|http|tls|pki|events|caddy|layer4)(\.|$)/;

/** Caddy's own process messages: startup, configuration, TLS certificates, admin API, errors. */
function isProcessMessage(r: Rec): boolean {
  if (typeof r.level !== 'string' || typeof r.msg !== 'string' || r.ts === undefined || isAccessLogger(r)) return false;
  const l = r.logger;
  if (typeof l === 'string') return CADDY_LOGGER.test(l) || !mayBeRequest(r);
  return !isObj(r.request) && !mayBeRequest(r);
}

export const caddy = defineFormat({
  id: 'caddy',
  title: 'Caddy v2 JSON access log',
  detectKeys: 'logger starts with "http.log.access", or msg = "handled request" + request.remote_ip',
  sources: {
    ts: ['ts'],
    ip: ['request.client_ip', 'request.remote_ip', 'request.remote_addr'],
    user: ['user_id'],
    method: ['request.method'],
    path: ['request.uri'],
    host: ['request.host'],
    status: ['status'],
    bytesOut: ['size'],
    bytesIn: ['bytes_read'],
    latencyMs: ['duration|s'],
    userAgent: ['request.headers.User-Agent'],
    requestId: ['request.headers.X-Request-Id', 'resp_headers.X-Request-Id'],
  },
  detect(r) {
    const req = r.request;
    if (!isObj(req)) return 0;
    if (isAccessLogger(r)) return 1;
    if (r.msg === 'handled request' && (req.remote_ip !== undefined || req.client_ip !== undefined)) return 0.9;
    return 0;
  },
  accepts(r) {
    const req = r.request;
    return isObj(req) && req.method !== undefined && (isAccessLogger(r) || r.msg === 'handled request');
  },
  setAside(r) {
    return isProcessMessage(r) ? 'a Caddy process message (startup, configuration, TLS, admin, errors), not an access record' : undefined;
  },
});
