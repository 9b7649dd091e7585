/**
 * Cloudflare Logpush `http_requests`. Every field is optional (the job picks them);
 * EdgeStartTimestamp is unix nanoseconds, unix seconds or RFC 3339 depending on the job.
 */
import { defineFormat } from '../format.js';

export const cloudflare = defineFormat({
  id: 'cloudflare',
  title: 'Cloudflare Logpush http_requests',
  detectKeys: 'RayID + ClientIP + (EdgeStartTimestamp or EdgeResponseStatus); or ClientRequest* fields + EdgeStartTimestamp/EdgeResponseStatus',
  sources: {
    ts: ['EdgeStartTimestamp', 'EdgeEndTimestamp', 'Datetime'],
    ip: ['ClientIP'],
    method: ['ClientRequestMethod'],
    path: ['ClientRequestPath', 'ClientRequestURI'],
    query: ['ClientRequestURI|fromTarget'],
    host: ['ClientRequestHost'],
    status: ['EdgeResponseStatus', 'OriginResponseStatus'],
    bytesOut: ['EdgeResponseBytes', 'EdgeResponseBodyBytes'],
    bytesIn: ['ClientRequestBytes'],
    latencyMs: ['OriginResponseDurationMs', 'EdgeTimeToFirstByteMs', 'OriginResponseTime|ns'],
    userAgent: ['ClientRequestUserAgent'],
    requestId: ['RayID'],
    country: ['ClientCountry'],
  },
  detect(r) {
    const edge = r.EdgeStartTimestamp !== undefined || r.EdgeResponseStatus !== undefined;
    if (!edge) return 0;
    if (r.RayID !== undefined && r.ClientIP !== undefined) return 1;
    if (r.ClientRequestMethod !== undefined || r.ClientRequestURI !== undefined || r.ClientRequestHost !== undefined) return 0.8;
    return r.RayID !== undefined || r.ClientIP !== undefined ? 0.6 : 0;
  },
});
