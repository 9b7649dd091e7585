/**
 * Caddy v2 JSON access log. The first lines of a Caddy log are startup messages (other
 * loggers): those are not access records and are skipped.
 */
import { isObj, type Rec } from '../get.js';
import { defineFormat } from '../format.js';

function isAccessLogger(r: Rec): boolean {
  const l = r.logger;
  return typeof l === 'string' && l.startsWith('http.log.access');
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
});
