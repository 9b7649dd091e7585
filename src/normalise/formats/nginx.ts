/**
 * NGINX `log_format ... escape=json` by the usual convention (keys named after the variables),
 * including the `request` line ("GET /p?q HTTP/1.1") and Elastic's short keys (time, remote_ip,
 * request, response, bytes, agent).
 */
import { defineFormat } from '../format.js';

export const nginx = defineFormat({
  id: 'nginx',
  title: 'NGINX JSON access log (escape=json conventions)',
  detectKeys: '(remote_addr or remote_ip) + (request or request_uri or request_method) + (status or response)',
  sources: {
    ts: ['time_iso8601', 'time_local', 'msec', 'time', 'timestamp', '@timestamp'],
    ip: ['remote_addr', 'remote_ip', 'http_x_forwarded_for|xff'],
    user: ['remote_user'],
    method: ['request_method', 'request|requestLine'],
    path: ['request_uri', 'request|requestLine', 'uri'],
    query: ['args', 'query_string', 'request_query'],
    host: ['host', 'http_host', 'server_name', 'vhost'],
    status: ['status', 'response'],
    bytesOut: ['body_bytes_sent', 'bytes_sent', 'bytes'],
    bytesIn: ['request_length'],
    latencyMs: ['request_time|s'],
    userAgent: ['http_user_agent', 'agent', 'user_agent'],
    requestId: ['request_id', 'http_x_request_id'],
  },
  detect(r) {
    const req = r.request !== undefined || r.request_uri !== undefined || r.request_method !== undefined;
    const st = r.status !== undefined || r.response !== undefined;
    if (!req || !st) return 0;
    if (r.remote_addr !== undefined || r.remote_ip !== undefined) return 0.9;
    return r.time_local !== undefined || r.body_bytes_sent !== undefined || r.http_user_agent !== undefined || r.request_time !== undefined ? 0.7 : 0;
  },
});
