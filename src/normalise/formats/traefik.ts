/** Traefik JSON access log (`accessLog.format: json`). Header fields carry a `request_` prefix. */
import { defineFormat } from '../format.js';

export const traefik = defineFormat({
  id: 'traefik',
  title: 'Traefik JSON access log',
  detectKeys: 'DownstreamStatus + RequestMethod + (ClientHost or ClientAddr)',
  sources: {
    ts: ['StartUTC', 'StartLocal', 'time'],
    ip: ['ClientHost', 'ClientAddr', 'request_X-Forwarded-For|xff', 'request_X-Real-Ip'],
    user: ['ClientUsername'],
    method: ['RequestMethod'],
    path: ['RequestPath'],
    host: ['RequestHost', 'RequestAddr'],
    status: ['DownstreamStatus', 'OriginStatus'],
    bytesOut: ['DownstreamContentSize'],
    bytesIn: ['RequestContentSize'],
    latencyMs: ['Duration|ns'],
    userAgent: ['request_User-Agent'],
    requestId: ['request_X-Request-Id'],
  },
  detect(r) {
    if (r.DownstreamStatus === undefined || r.RequestMethod === undefined) return 0;
    return r.ClientHost !== undefined || r.ClientAddr !== undefined ? 1 : 0.8;
  },
});
