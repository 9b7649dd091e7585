/**
 * Azure Application Gateway access logs: the diagnostic-settings export (blob storage / Event
 * Hub, `{"records":[…]}` or one record per line, fields under `properties`) of v1 and v2 gateways,
 * and the Log Analytics resource-specific table `AGWAccessLogs` (PascalCase columns).
 *
 * The log carries no caller identity (no user, key or token field): per-user detectors need a
 * --map. `clientIP` is the gateway's immediate client, a fronting proxy's address when there is one.
 *
 * `properties.timeTaken` changed unit between SKUs: v1 logs integer milliseconds (205), v2
 * fractional seconds (0.035). The record itself says which (see `timeTakenUnit`); the table's
 * `TimeTaken` is always seconds.
 */
import { isObj, type Rec } from '../get.js';
import { defineFormat, present } from '../format.js';
import { durationMs, queryOf, str, type DurationUnit } from '../values.js';

const OP = 'ApplicationGatewayAccess';
const CATEGORY = 'ApplicationGatewayAccessLog';
const TABLE = 'AGWAccessLogs';

/** Keys only v2 gateways write under `properties`. */
const V2_KEYS = ['transactionId', 'originalRequestUriWithArgs', 'clientResponseTime', 'WAFEvaluationTime', 'upstreamSourcePort'];

/** v1 gateways append their own parameters to `requestQuery` (X-AzureApplicationGateway-LOG-ID=…&SERVER-STATUS=…). */
const GW_PREFIX = 'x-azureapplicationgateway-';
const GW_KEYS = new Set(['server-routed', 'server-status']);
const LOG_ID = 'x-azureapplicationgateway-log-id';

function propsOf(r: Rec): Rec | undefined {
  return isObj(r.properties) ? r.properties : undefined;
}

/** v2 (or the table): seconds; v1: milliseconds. A record with neither mark goes by its value: a fraction is seconds. */
export function timeTakenUnit(p: Rec, v: unknown): DurationUnit {
  for (const k of V2_KEYS) if (p[k] !== undefined) return 's';
  const id = p.instanceId;
  if (typeof id === 'string') {
    if (id.startsWith('appgw_')) return 's';
    if (id.startsWith('ApplicationGatewayRole')) return 'ms';
  }
  const rq = p.requestQuery;
  if (typeof rq === 'string' && rq.toLowerCase().includes(GW_PREFIX)) return 'ms';
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  return Number.isFinite(n) && !Number.isInteger(n) ? 's' : 'ms';
}

function paramKey(part: string): string {
  const eq = part.indexOf('=');
  return (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
}

/** The client's query and the v1 gateway's log id, from a requestQuery that may carry the gateway's own parameters. */
export function splitRequestQuery(v: unknown): { query?: string; logId?: string } {
  const s = queryOf(v);
  if (s === undefined) return {};
  if (!s.toLowerCase().includes(GW_PREFIX)) return { query: s };
  const keep: string[] = [];
  let logId: string | undefined;
  for (const part of s.split('&')) {
    const k = paramKey(part);
    if (k === LOG_ID) logId = str(part.slice(part.indexOf('=') + 1));
    if (k.startsWith(GW_PREFIX) || GW_KEYS.has(k)) continue;
    if (part.length > 0) keep.push(part);
  }
  const out: { query?: string; logId?: string } = {};
  if (keep.length > 0) out.query = keep.join('&');
  if (logId !== undefined) out.logId = logId;
  return out;
}

/** Where the query comes from: requestQuery only when the path is requestUri (OriginalRequestUriWithArgs carries its own). */
function querySource(r: Rec, p: Rec | undefined): { path: string; value: unknown } | undefined {
  if (p !== undefined) {
    if (present(p.originalRequestUriWithArgs)) return undefined;
    return { path: 'properties.requestQuery', value: p.requestQuery };
  }
  if (present(r.OriginalRequestUriWithArgs)) return undefined;
  return { path: 'RequestQuery', value: r.RequestQuery };
}

export const azureAppgw = defineFormat({
  id: 'azure-appgw',
  title: 'Azure Application Gateway access logs',
  detectKeys:
    'operationName = ApplicationGatewayAccess or category = ApplicationGatewayAccessLog, or properties.clientIP + httpStatus + sentBytes (export); ' +
    'Type = AGWAccessLogs, ClientIp + OperationName = ApplicationGatewayAccess, or ClientIp + HttpStatus + SentBytes (table); ' +
    'AzureDiagnostics table rows read as the export (clientIP_s, httpStatus_d and the like)',
  sources: {
    ts: ['TimeGenerated', 'time', 'timeStamp', 'timestamp'],
    ip: ['ClientIp', 'properties.clientIP'],
    method: ['HttpMethod', 'properties.httpMethod'],
    path: ['OriginalRequestUriWithArgs', 'properties.originalRequestUriWithArgs', 'RequestUri', 'properties.requestUri'],
    host: ['OriginalHost', 'properties.originalHost', 'Host', 'properties.host'],
    status: ['HttpStatus', 'properties.httpStatus'],
    bytesOut: ['SentBytes', 'properties.sentBytes'],
    bytesIn: ['ReceivedBytes', 'properties.receivedBytes'],
    latencyMs: ['TimeTaken|s'],
    userAgent: ['UserAgent', 'properties.userAgent'],
    requestId: ['TransactionId', 'properties.transactionId'],
  },
  notes: {
    query: 'the path\'s query part | RequestQuery / properties.requestQuery when the path is RequestUri (v1 gateway parameters dropped)',
    latencyMs: 'properties.timeTaken (v2: seconds, v1: ms)',
    requestId: 'X-AzureApplicationGateway-LOG-ID in properties.requestQuery (v1)',
  },
  detect(r) {
    const p = propsOf(r);
    if (p !== undefined) {
      if (r.operationName === OP || r.category === CATEGORY) return 1;
      if (p.clientIP !== undefined && p.httpStatus !== undefined && p.sentBytes !== undefined) return 0.9;
    }
    if (r.Type === TABLE) return 1;
    // ClientIp: the AzureDiagnostics table also says OperationName = ApplicationGatewayAccess, with clientIP_s etc.
    if (r.ClientIp === undefined) return 0;
    if (r.OperationName === OP) return 1;
    if (r.HttpStatus !== undefined && r.SentBytes !== undefined) return 0.9;
    return 0;
  },
  post(r, ev) {
    const p = propsOf(r);
    const q = querySource(r, p);
    if (q !== undefined) {
      const { query, logId } = splitRequestQuery(q.value);
      if (query !== undefined && ev.query === undefined) ev.query = query;
      if (logId !== undefined && ev.requestId === undefined) ev.requestId = logId;
    }
    if (ev.latencyMs === undefined && p !== undefined && p.timeTaken !== undefined && p.timeTaken !== null) {
      const ms = durationMs(p.timeTaken, timeTakenUnit(p, p.timeTaken));
      if (ms !== undefined) ev.latencyMs = ms;
    }
  },
  explainPost(r) {
    const p = propsOf(r);
    const q = querySource(r, p);
    const out: { query?: string; latencyMs?: string; requestId?: string } = {};
    if (q === undefined) {
      out.query = p !== undefined ? 'properties.originalRequestUriWithArgs' : 'OriginalRequestUriWithArgs';
    } else {
      out.query = q.path;
      const t = p !== undefined ? p.transactionId : r.TransactionId;
      if (!present(t)) out.requestId = q.path;
    }
    if (p !== undefined && r.TimeTaken === undefined) out.latencyMs = 'properties.timeTaken';
    return out;
  },
});
