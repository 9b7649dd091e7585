/**
 * Akamai DataStream 2 JSON (CDN delivery streams): fixed field names, every value a string
 * (numbers too), "-" for absent; JSON streams may also leave absent fields out altogether, so
 * detection asks only for what every record carries.
 *
 * `cliIP` is the caller as Akamai's edge saw it. `edgeIP` is Akamai's own edge server and never the
 * caller; `xForwardedFor` is a header the client wrote itself and is not preferred over `cliIP`.
 * `UA` (like `referer` and `cookie`) is form-encoded ("python-requests%2F2.31.0", "+" for a space):
 * it is decoded. `queryStr` is the query without its "?". `turnAroundTimeMSec` is the time from the
 * request's last byte to the response's first, in ms: the closest to other formats' latency.
 *
 * bytesOut is `bytes`, then `rspContentLen`: `bytes` is what the edge actually served in the body
 * (compressed when it compressed it) and is there for every response, where `rspContentLen` is the
 * Content-Length header, absent ("-") on chunked responses, which is how large streamed exports
 * often go out: the very responses a data-exfiltration check must see. (For HTTP/2 `bytes` includes
 * some framing overhead: a little more, never less, than the body.)
 *
 * `customField` is whatever the customer put there: not mapped (`--map user=customField` when it
 * holds the user). `country` is the two-letter code of Akamai's geolocation. `reqPath` is taken as
 * the path; a path written without its leading "/" is given one.
 */
import { defineFormat } from '../format.js';

export const akamai = defineFormat({
  id: 'akamai',
  title: 'Akamai DataStream 2 JSON',
  detectKeys: 'reqTimeSec + cp + cliIP; or reqTimeSec + (reqId or streamId) + (cliIP or reqPath)',
  sources: {
    ts: ['reqTimeSec'],
    ip: ['cliIP'],
    method: ['reqMethod'],
    path: ['reqPath'],
    query: ['queryStr'],
    host: ['reqHost'],
    status: ['statusCode'],
    bytesOut: ['bytes', 'rspContentLen'],
    latencyMs: ['turnAroundTimeMSec|ms'],
    userAgent: ['UA|urlEncoded'],
    requestId: ['reqId'],
    country: ['country'],
  },
  detect(r) {
    if (r.reqTimeSec === undefined) return 0;
    if (r.cp !== undefined && r.cliIP !== undefined) return 1;
    if ((r.reqId !== undefined || r.streamId !== undefined) && (r.cliIP !== undefined || r.reqPath !== undefined)) return 0.9;
    return 0;
  },
  post(_r, ev) {
    const p = ev.path;
    if (p !== undefined && p.charCodeAt(0) !== 47 && p !== '*') ev.path = `/${p}`;
  },
});
