/**
 * Azure Front Door access logs (Standard/Premium `FrontDoorAccessLog`, classic `FrontdoorAccessLog`):
 * the diagnostic-settings export (blob storage / Event Hub, `{"records":[…]}` or one record per
 * line), fields under `properties`, most numbers written as strings.
 *
 * `clientIp` is the caller as Front Door saw it (from X-Forwarded-For when a proxy fronts it);
 * `socketIp` is whatever opened the connection to the edge, a proxy's address then: not used.
 * `originName` / `originUrl` name the backend, never the caller. `requestUri` is the full URL the
 * client asked for (scheme, host, port, path and query). The log carries no caller identity.
 */
import { isObj } from '../get.js';
import { defineFormat } from '../format.js';

const CATEGORIES = new Set(['FrontDoorAccessLog', 'FrontdoorAccessLog']);
const OPERATIONS = new Set(['Microsoft.Cdn/Profiles/AccessLog/Write', 'Microsoft.Network/FrontDoor/AccessLog/Write']);

export const azureFrontdoor = defineFormat({
  id: 'azure-frontdoor',
  title: 'Azure Front Door access logs',
  detectKeys:
    'category = FrontDoorAccessLog (classic: FrontdoorAccessLog) or operationName = Microsoft.Cdn/Profiles/AccessLog/Write, ' +
    'or properties.clientIp + httpStatusCode + trackingReference; AzureDiagnostics table rows read as that record (clientIp_s, httpStatusCode_s and the like)',
  sources: {
    ts: ['time', 'TimeGenerated'],
    // clientIP: the spelling of the profile's WAF log, which shares the AzureDiagnostics table (clientIP_s beside clientIp_s).
    ip: ['properties.clientIp', 'properties.clientIP'],
    method: ['properties.httpMethod'],
    path: ['properties.requestUri'],
    host: ['properties.hostName'],
    status: ['properties.httpStatusCode'],
    bytesOut: ['properties.responseBytes'],
    bytesIn: ['properties.requestBytes'],
    latencyMs: ['properties.timeTaken|s'],
    userAgent: ['properties.userAgent'],
    requestId: ['properties.trackingReference'],
  },
  detect(r) {
    const p = r.properties;
    if (!isObj(p)) return 0;
    if (CATEGORIES.has(r.category as string) || OPERATIONS.has(r.operationName as string)) return 1;
    if (p.clientIp !== undefined && p.httpStatusCode !== undefined && p.trackingReference !== undefined) return 0.9;
    return 0;
  },
});
