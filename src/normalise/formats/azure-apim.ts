/**
 * Azure API Management gateway logs: the resource-specific table `ApiManagementGatewayLogs`
 * (PascalCase columns) and the legacy `GatewayLogs` diagnostic schema (`properties` object).
 */
import { isObj } from '../get.js';
import { defineFormat } from '../format.js';
import { str } from '../values.js';

const OP = 'Microsoft.ApiManagement/GatewayLogs';

function headerValue(h: unknown, name: string): string | undefined {
  let obj: unknown = h;
  if (typeof h === 'string' && h.charCodeAt(0) === 123) {
    try {
      obj = JSON.parse(h);
    } catch {
      return undefined;
    }
  }
  if (!isObj(obj)) return undefined;
  const lk = name.toLowerCase();
  for (const k in obj) if (k.toLowerCase() === lk) return str(obj[k]);
  return undefined;
}

function isAuthReason(reason: string): boolean {
  const r = reason.toLowerCase();
  return (
    r.includes('subscriptionkey') || r.includes('token') || r.includes('jwt') || r.includes('unauthori') ||
    r.includes('forbidden') || r.includes('denied') || r.includes('credential') || r.includes('authentication')
  );
}

export const azureApim = defineFormat({
  id: 'azure-apim',
  title: 'Azure API Management gateway logs',
  detectKeys:
    'operationName = Microsoft.ApiManagement/GatewayLogs or category = GatewayLogs (legacy); ApimSubscriptionId + CallerIpAddress (table); ' +
    'AzureDiagnostics table rows read as the legacy record (url_s, responseCode_d and the like)',
  sources: {
    ts: ['TimeGenerated', 'time'],
    ip: ['CallerIpAddress', 'callerIpAddress'],
    user: ['UserId', 'properties.userId'],
    apiKey: ['ApimSubscriptionId', 'properties.apimSubscriptionId'],
    method: ['Method', 'properties.method'],
    path: ['Url', 'properties.url'],
    status: ['ResponseCode', 'properties.responseCode'],
    bytesOut: ['ResponseSize', 'properties.responseSize'],
    bytesIn: ['RequestSize', 'properties.requestSize'],
    latencyMs: ['TotalTime', 'durationMs'],
    requestId: ['CorrelationId', 'correlationId'],
  },
  notes: {
    userAgent: 'RequestHeaders["User-Agent"] (only when header logging is on)',
    auth: 'LastErrorReason / properties.lastError.reason / lastError_reason_s (key, token, JWT errors -> failure)',
  },
  detect(r) {
    const op = r.operationName ?? r.OperationName;
    if (op === OP) return 1;
    if ((r.category ?? r.Category) === 'GatewayLogs' || r.Type === 'ApiManagementGatewayLogs') return 1;
    if (r.ApimSubscriptionId !== undefined && r.CallerIpAddress !== undefined) {
      return r.TotalTime !== undefined || r.ResponseCode !== undefined ? 1 : 0.9;
    }
    const p = r.properties;
    if (isObj(p) && r.callerIpAddress !== undefined && (p.apimSubscriptionId !== undefined || p.responseCode !== undefined)) return 0.9;
    return 0;
  },
  post(r, ev) {
    const p = isObj(r.properties) ? r.properties : undefined;
    const ua = headerValue(r.RequestHeaders ?? p?.requestHeaders, 'User-Agent');
    if (ua !== undefined) ev.userAgent = ua;
    const le = p !== undefined && isObj(p.lastError) ? p.lastError : undefined;
    // lastError_reason: the AzureDiagnostics table's lastError_reason_s (a nested field's column, read back flat).
    const reason = str(r.LastErrorReason) ?? (le !== undefined ? str(le.reason) : p !== undefined ? str(p.lastError_reason) : undefined);
    if (reason !== undefined && isAuthReason(reason)) ev.auth = 'failure';
  },
  explainPost(r) {
    const out: { userAgent: string; auth?: string } = {
      userAgent: r.RequestHeaders !== undefined ? 'RequestHeaders.User-Agent' : 'properties.requestHeaders.User-Agent',
    };
    if (r.LastErrorReason !== undefined) out.auth = 'LastErrorReason';
    else if (isObj(r.properties) && r.properties.lastError !== undefined) out.auth = 'properties.lastError.reason';
    else if (isObj(r.properties) && r.properties.lastError_reason !== undefined) out.auth = 'properties.lastError_reason';
    return out;
  },
});
