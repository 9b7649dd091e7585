/** Kong gateway logging plugins (file-log, http-log, tcp-log, udp-log, syslog): `kong.log.serialize()`. */
import { isObj } from '../get.js';
import { defineFormat } from '../format.js';

export const kong = defineFormat({
  id: 'kong',
  title: 'Kong log plugins (kong.log.serialize)',
  detectKeys: 'started_at + latencies + request.method (+ route / service / upstream_uri / client_ip)',
  sources: {
    ts: ['started_at'],
    ip: ['client_ip'],
    user: ['consumer.username', 'consumer.custom_id', 'consumer.id'],
    apiKey: ['authenticated_entity.id'],
    method: ['request.method'],
    path: ['request.uri', 'request.url'],
    query: ['request.uri|fromTarget', 'request.querystring'],
    host: ['request.headers.host', 'request.url|fromUrl'],
    status: ['response.status'],
    bytesOut: ['response.size'],
    bytesIn: ['request.size'],
    latencyMs: ['latencies.request'],
    userAgent: ['request.headers.user-agent'],
    requestId: ['request.id', 'response.headers.x-kong-request-id', 'request.headers.x-request-id'],
  },
  detect(r) {
    const req = r.request;
    if (!isObj(req) || req.method === undefined || r.started_at === undefined) return 0;
    if (!isObj(r.latencies)) return isObj(r.response) ? 0.6 : 0.3;
    return r.route !== undefined || r.service !== undefined || r.upstream_uri !== undefined || r.client_ip !== undefined ? 1 : 0.9;
  },
  accepts(r) {
    const req = r.request;
    return isObj(req) && req.method !== undefined && r.started_at !== undefined;
  },
});
