/**
 * Rows of the Log Analytics AzureDiagnostics table (type-suffixed columns) read as the
 * diagnostic-settings records they came from, and so mapped by azure-frontdoor, azure-appgw and
 * azure-apim: one fixture per kind, exact fields, the columns `formats detect` names, and the
 * rule's edges (which records are rows, a forced format, --map on a column, other logs untouched).
 */
import { describe, expect, it } from 'vitest';
import { describeRecords } from '../../src/normalise/index.js';
import { azureDiagnosticsColumn, azureDiagnosticsView, isAzureDiagnosticsRow } from '../../src/normalise/azure-diagnostics.js';
import { core, loadFixture, records, run, utc } from './helpers.js';

function mapped(fixture: string, format: string) {
  const res = run(loadFixture(fixture));
  expect(res.n.detection()).toEqual({ format, confidence: 1, votes: { [format]: 5 }, table: 'AzureDiagnostics' });
  expect(res.issues).toEqual([]);
  return { ...res, cores: res.events.map(core) };
}

/** Canonical field -> the column `formats detect` names for it (fields the file lacks left out). */
function columns(fixture: string): Record<string, string> {
  const d = describeRecords(loadFixture(fixture));
  return Object.fromEntries(d.perField.filter((f) => f.sourcePath !== null).map((f) => [f.field, f.sourcePath as string]));
}

describe('AzureDiagnostics rows, read as their diagnostic-settings records', () => {
  it('azure-frontdoor: Standard/Premium rows (numbers as strings, a double, an empty cell) and a classic row; seconds', () => {
    const { cores, n } = mapped('azure-frontdoor-azurediagnostics.ndjson', 'azure-frontdoor');
    // The first two rows are the diagnostic export's first two records (fixtures/formats/azure-frontdoor.json): the same events
    // (socketIp_s is the proxy in front: the caller is clientIp_s).
    expect(cores.slice(0, 2)).toEqual(run(loadFixture('azure-frontdoor.json')).events.map(core).slice(0, 2));
    expect(cores.slice(0, 2).map((c) => [c.ip, c.status, c.latencyMs])).toEqual([['203.0.113.10', 200, 42], ['198.51.100.20', 401, 15]]);
    expect(cores.slice(2)).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '2001:db8::7', method: 'PUT', path: '/api/users/42', host: 'shop.contoso.com', status: 204,
        bytesOut: 0, bytesIn: 128, latencyMs: 8, userAgent: 'okhttp/4.12.0', requestId: '2C3D4E5F60718293A4B5C6D7E8F90A1B',
        auth: 'unknown', format: 'azure-frontdoor',
      },
      {
        // clientIP_s "" (a column the profile's WAF rows fill) is no field: clientIp_s is the caller.
        ts: utc(2024, 3, 1, 9, 15, 5, 250), ip: '203.0.113.11', method: 'GET', path: '/api/search', query: 'q=shoes&page=2',
        host: 'shop.contoso.com', status: 200, bytesOut: 20480, bytesIn: 96, latencyMs: 1250, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        requestId: '3D4E5F60718293A4B5C6D7E8F90A1B2C', auth: 'unknown', format: 'azure-frontdoor',
      },
      {
        // Classic (Microsoft.Network/frontDoors, FrontdoorAccessLog): no hostName_s, the host comes from the URL.
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '198.51.100.7', method: 'DELETE', path: '/api/orders/1002', host: 'shop-classic.azurefd.net',
        status: 403, bytesOut: 64, bytesIn: 310, latencyMs: 598, userAgent: 'python-requests/2.31.0',
        requestId: '0n4crXgAAAACnRKbdALbyToAqNfSHssDvV1NURURHRTA2MTMA', auth: 'failure', format: 'azure-frontdoor',
      },
    ]);
    expect(n.missingFields()).toEqual(['user', 'roles', 'apiKey', 'sessionId', 'route', 'action', 'country']);
    expect(columns('azure-frontdoor-azurediagnostics.ndjson')).toEqual({
      ts: 'TimeGenerated', ip: 'clientIp_s', method: 'httpMethod_s', path: 'requestUri_s', query: 'requestUri_s', host: 'hostName_s',
      status: 'httpStatusCode_s', bytesOut: 'responseBytes_s', bytesIn: 'requestBytes_s', latencyMs: 'timeTaken_s',
      userAgent: 'userAgent_s', requestId: 'trackingReference_s', auth: 'derived from status (401/403) and login paths',
    });
  });

  it('azure-appgw: v2 rows (doubles such as 200.0, an az CLI row of strings: seconds) and a v1 row (integer ms, LOG-ID)', () => {
    const { cores } = mapped('azure-appgw-azurediagnostics.ndjson', 'azure-appgw');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', method: 'GET', path: '/api/orders/1001', query: 'expand=items',
        host: 'shop.contoso.com', status: 200, bytesOut: 5120, bytesIn: 412, latencyMs: 42,
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', requestId: 'a1b2c3d4-e5f6-47a8-9b0c-d1e2f3a4b5c6', auth: 'unknown',
        format: 'azure-appgw',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '198.51.100.20', method: 'POST', path: '/api/login', host: 'shop.contoso.com', status: 401,
        bytesOut: 152, bytesIn: 230, latencyMs: 15, userAgent: 'curl/8.4.0', requestId: 'b2c3d4e5-f6a7-48b9-8c0d-e1f2a3b4c5d6',
        auth: 'failure', format: 'azure-appgw',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '2001:db8::7', method: 'PUT', path: '/api/users/42', host: 'shop.contoso.com', status: 204,
        bytesOut: 0, bytesIn: 128, latencyMs: 8, userAgent: 'okhttp/4.12.0', requestId: 'c3d4e5f6-a7b8-49c0-9d1e-f2a3b4c5d6e7',
        auth: 'unknown', format: 'azure-appgw',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5, 250), ip: '203.0.113.11', method: 'GET', path: '/api/search', query: 'q=shoes&page=2',
        host: 'shop.contoso.com', status: 200, bytesOut: 20480, bytesIn: 96, latencyMs: 1250, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        requestId: 'd4e5f6a7-b8c9-40d1-8e2f-a3b4c5d6e7f8', auth: 'unknown', format: 'azure-appgw',
      },
      {
        // v1 (ApplicationGatewayRole_IN_0): timeTaken_d 205 is milliseconds; the gateway's own parameters leave the query.
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '198.51.100.7', method: 'DELETE', path: '/api/orders/1002', host: 'legacy.contoso.com',
        status: 403, bytesOut: 64, bytesIn: 310, latencyMs: 205, userAgent: 'python-requests/2.31.0',
        requestId: '874f1f0f-6807-41c9-b7bc-f3cfa74aa0b1', auth: 'failure', format: 'azure-appgw',
      },
    ]);
    expect(columns('azure-appgw-azurediagnostics.ndjson')).toEqual({
      ts: 'TimeGenerated', ip: 'clientIP_s', method: 'httpMethod_s', path: 'originalRequestUriWithArgs_s',
      query: 'originalRequestUriWithArgs_s', host: 'originalHost_s', status: 'httpStatus_d', bytesOut: 'sentBytes_d',
      bytesIn: 'receivedBytes_d', latencyMs: 'timeTaken_d', userAgent: 'userAgent_s', requestId: 'transactionId_g',
      auth: 'derived from status (401/403) and login paths',
    });
    // The v1 row's request id and query come from requestQuery_s.
    const v1 = loadFixture('azure-appgw-azurediagnostics.ndjson').slice(4);
    const d = describeRecords(v1);
    expect(d.perField.filter((f) => ['requestId', 'latencyMs'].includes(f.field)).map((f) => [f.field, f.sourcePath, f.sample])).toEqual([
      ['latencyMs', 'timeTaken_d', '205'],
      ['requestId', 'requestQuery_s', '874f1f0f-6807-41c9-b7bc-f3cfa74aa0b1'],
    ]);
  });

  it('azure-apim: GatewayLogs rows: caller, user, subscription, ms durations (DurationMs or durationMs_d), lastError_reason_s', () => {
    const { cores } = mapped('azure-apim-azurediagnostics.ndjson', 'azure-apim');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', user: '1', apiKey: 'sub-starter-01', method: 'GET', path: '/orders/1001',
        query: 'expand=items', host: 'contoso.azure-api.net', status: 200, bytesOut: 5120, bytesIn: 412, latencyMs: 42,
        requestId: 'a1b2c3d4-e5f6-47a8-9b0c-d1e2f3a4b5c6', auth: 'unknown', format: 'azure-apim',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '198.51.100.20', method: 'POST', path: '/orders', host: 'contoso.azure-api.net', status: 401,
        bytesOut: 152, bytesIn: 230, latencyMs: 1, requestId: 'b2c3d4e5-f6a7-48b9-8c0d-e1f2a3b4c5d6', auth: 'failure', format: 'azure-apim',
      },
      {
        // TokenClaimValueNotAllowed (validate-jwt): an authentication failure.
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '203.0.113.12', user: '7', apiKey: 'sub-gold-07', method: 'GET', path: '/orders/1002',
        host: 'contoso.azure-api.net', status: 401, bytesOut: 98, bytesIn: 180, latencyMs: 3,
        requestId: 'c3d4e5f6-a7b8-49c0-9d1e-f2a3b4c5d6e7', auth: 'failure', format: 'azure-apim',
      },
      {
        // Another instance's export: durationMs_d and correlationId_g, numbers as strings, "204.0".
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '203.0.113.13', user: '7', apiKey: 'sub-gold-07', method: 'DELETE', path: '/orders/1003',
        host: 'contoso.azure-api.net', status: 204, bytesOut: 0, bytesIn: 312, latencyMs: 8,
        requestId: 'd4e5f6a7-b8c9-40d1-8e2f-a3b4c5d6e7f8', auth: 'unknown', format: 'azure-apim',
      },
      {
        // BackendConnectionFailure is no authentication error.
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '2001:db8::60', user: '1', apiKey: 'sub-starter-01', method: 'GET', path: '/reports/export',
        host: 'contoso.azure-api.net', status: 502, bytesOut: 0, bytesIn: 512, latencyMs: 1200,
        requestId: 'e5f6a7b8-c9d0-41e2-9f3a-b4c5d6e7f8a9', auth: 'unknown', format: 'azure-apim',
      },
    ]);
    expect(columns('azure-apim-azurediagnostics.ndjson')).toEqual({
      ts: 'TimeGenerated', ip: 'callerIpAddress_s', user: 'userId_s', apiKey: 'apimSubscriptionId_s', method: 'method_s', path: 'url_s',
      query: 'url_s', host: 'url_s', status: 'responseCode_d', bytesOut: 'responseSize_d', bytesIn: 'requestSize_d',
      latencyMs: 'DurationMs', requestId: 'CorrelationId', auth: 'lastError_reason_s',
    });
    const other = describeRecords(loadFixture('azure-apim-azurediagnostics.ndjson').slice(3, 4));
    expect(other.perField.filter((f) => ['latencyMs', 'requestId'].includes(f.field)).map((f) => f.sourcePath)).toEqual(['durationMs_d', 'correlationId_g']);
    // Columns that fed a field are not listed as unused.
    expect(other.unmappedKeys).not.toContain('durationMs_d');
    expect(other.unmappedKeys).toContain('backendTime_d');
  });

  it('which records are rows: suffixed columns beside TimeGenerated and Category or ResourceProvider, no properties object', () => {
    const row = { TimeGenerated: '2024-03-01T09:15:02Z', Category: 'FrontDoorAccessLog', clientIp_s: '203.0.113.10' };
    expect(isAzureDiagnosticsRow(row)).toBe(true);
    expect(isAzureDiagnosticsRow({ TimeGenerated: 't', ResourceProvider: 'MICROSOFT.CDN', httpStatusCode_d: 200 })).toBe(true);
    // Resource-specific tables have PascalCase columns and no suffixes; _ResourceId is no suffixed column.
    expect(isAzureDiagnosticsRow({ TimeGenerated: 't', Category: 'GatewayLogs', CallerIpAddress: '1.2.3.4', _ResourceId: '/x' })).toBe(false);
    expect(isAzureDiagnosticsRow({ TimeGenerated: 't', Type: 'AGWAccessLogs', ClientIp: '1.2.3.4', HttpStatus: 200 })).toBe(false);
    // The diagnostic-settings export itself, and ordinary logs with a suffix-like key.
    expect(isAzureDiagnosticsRow({ TimeGenerated: 't', category: 'x', Category: 'x', properties: {}, a_s: 1 })).toBe(false);
    expect(isAzureDiagnosticsRow({ timestamp: 't', Category: 'x', user_s: 'u' })).toBe(false);
    expect(isAzureDiagnosticsRow({ TimeGenerated: 't', path: '/a', status: 200 })).toBe(false);
  });

  it('the view: standard columns to the common schema, suffixed columns under properties, the columns kept; other records unchanged', () => {
    const row = {
      TimeGenerated: '2024-03-01T09:15:02Z', Category: 'GatewayLogs', OperationName: 'Microsoft.ApiManagement/GatewayLogs',
      CallerIPAddress: '', callerIpAddress_s: '203.0.113.10', durationMs_d: 42, responseCode_d: 200, isRequestSuccess_b: true,
      lastError_reason_s: 'SubscriptionKeyInvalid', url_s: '', Type: 'AzureDiagnostics',
    };
    expect(azureDiagnosticsView(row)).toEqual({
      ...row,
      time: '2024-03-01T09:15:02Z', category: 'GatewayLogs', operationName: 'Microsoft.ApiManagement/GatewayLogs',
      callerIpAddress: '203.0.113.10', durationMs: 42,
      properties: { responseCode: 200, isRequestSuccess: true, lastError_reason: 'SubscriptionKeyInvalid' },
    });
    const plain = { timestamp: '2024-03-01T09:15:02Z', path: '/a', status: 200 };
    expect(azureDiagnosticsView(plain)).toBe(plain);
    expect(azureDiagnosticsColumn(row, 'properties.responseCode')).toBe('responseCode_d');
    expect(azureDiagnosticsColumn(row, 'properties.lastError.reason')).toBe('lastError_reason_s');
    expect(azureDiagnosticsColumn(row, 'callerIpAddress')).toBe('callerIpAddress_s');
    expect(azureDiagnosticsColumn(row, 'time')).toBe('TimeGenerated');
    expect(azureDiagnosticsColumn(row, 'Type')).toBe('Type');
  });

  it('a forced format reads the rows too; --map names a column as the file spells it', () => {
    const recs = loadFixture('azure-frontdoor-azurediagnostics.ndjson');
    const forced = run(recs, { format: 'azure-frontdoor' });
    expect(forced.n.detection()).toEqual({ format: 'azure-frontdoor', confidence: 1, votes: {}, table: 'AzureDiagnostics' });
    expect(forced.events).toHaveLength(5);
    const m = run(recs, { map: { user: 'originName_s' } });
    expect(m.events[0]).toMatchObject({ user: 'shop-api.azurewebsites.net:443', status: 200, format: 'azure-frontdoor' });
    expect(m.issues).toEqual([]);
    const d = describeRecords(recs, { map: { user: 'originName_s' } });
    expect(d.perField.find((f) => f.field === 'user')?.sourcePath).toBe('originName_s');
  });

  it('leaves other logs alone: no table mark, the same events', () => {
    for (const f of ['azure-frontdoor.json', 'azure-appgw.ndjson', 'azure-apim.ndjson', 'flat.ndjson']) {
      expect(run(loadFixture(f)).n.detection()?.table, f).toBeUndefined();
    }
    const { events } = run(records([{ TimeGenerated: '2024-03-01T09:15:02Z', path: '/a', status: 200, Category: 'x' }]));
    expect(events.map(core)).toEqual([]);
  });
});
