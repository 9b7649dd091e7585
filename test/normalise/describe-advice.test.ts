import { describe, expect, it } from 'vitest';
import { describeRecords } from '../../src/normalise/index.js';
import { records } from './helpers.js';

const field = (r: ReturnType<typeof describeRecords>, f: string) => r.perField.find((x) => x.field === f);
const NO_USER = 'no user field: per-user detectors (impossible-travel, and authorization-probing unless an API key names the caller) cannot run, bola-enumeration judges only sequential walks of callers known by IP, and the others know callers by IP only; ';

/** An API Gateway HTTP API access log whose template names the authorizer's subject itself. */
const apigw = (extra: Record<string, unknown>) =>
  [0, 1, 2].map((i) => ({
    requestId: `r${i}=`, ip: '92.40.8.17', requestTime: '02/Jun/2025:08:02:19 +0000', httpMethod: 'GET', routeKey: 'GET /a',
    path: '/a', status: '200', responseLength: '10', integrationLatency: '5', userAgent: 'curl/8', ...extra,
  }));

describe('formats detect advice: which unused key probably holds a field', () => {
  it('suggests a camelCase subject (cognitoSub) as the user, not the generic path.to.user', () => {
    const r = describeRecords(records(apigw({ cognitoSub: 'dave', integrationErrorMessage: '-' })));
    expect(r.detection?.format).toBe('apigateway');
    expect(r.advice).toContain(`${NO_USER}the key "cognitoSub" looks like it: --map user=cognitoSub`);
  });

  it('names the runners-up after the best user key, strongest names first', () => {
    const flat = [0, 1, 2].map((i) => ({
      timestamp: `2025-06-02T08:0${i}:00Z`, ip: '92.40.8.17', method: 'GET', path: '/a', status: 200,
      ownerName: `o${i}`, callerPrincipalId: `p${i}`, tenantAccountRef: `t${i}`,
    }));
    const r = describeRecords(records(flat));
    const a = r.advice.find((x) => x.startsWith(NO_USER));
    expect(a).toBe(`${NO_USER}the key "callerPrincipalId" looks like it: --map user=callerPrincipalId (or "tenantAccountRef", "ownerName")`);
  });

  it('reads ingress-nginx\'s request_query and vhost (its documented log-format names) as query and host', () => {
    const r = describeRecords(records([
      { time: '2025-06-02T08:01:27Z', remote_addr: '10.1.0.4', status: 200, vhost: 'api.acme.io', path: '/s', request_query: 'q=1', method: 'GET' },
    ]));
    expect(field(r, 'query')).toMatchObject({ sourcePath: 'request_query', sample: 'q=1' });
    expect(field(r, 'host')).toMatchObject({ sourcePath: 'vhost', sample: 'api.acme.io' });
  });

  it('suggests an unused key for a missing query or host, and says nothing when none looks like one', () => {
    const base = { timestamp: '2025-06-02T08:01:27Z', ip: '203.0.113.9', status: 200, method: 'GET', path: '/s' };
    const r = describeRecords(records([{ ...base, req_args: 'q=1', server_authority: 'api.acme.io', upstream_host: 'svc.cluster.local:80' }]));
    expect(r.advice).toContain('query string is not mapped (optional); the key "req_args" looks like it: --map query=req_args');
    expect(r.advice).toContain('host is not mapped (optional); the key "server_authority" looks like it: --map host=server_authority');
    const quiet = describeRecords(records([{ ...base, upstream_host: '10.0.0.1:80', level: 'info' }]));
    expect(quiet.advice.filter((a) => a.includes('(optional)'))).toEqual([]);
  });

  it('mentions latency, user agent and request id held under names the alias table does not read, latency with its unit', () => {
    const az = [0, 1, 2].map((i) => ({
      TimeGenerated: `2025-06-02T08:14:1${i}Z`, clientIp_s: '81.2.69.142', requestUri_s: 'https://api.acme.io/a', httpStatusCode_s: '200',
      httpMethod_s: 'GET', userAgent_s: 'okhttp/4.12.0', timeTaken_s: `0.03${i}`, trackingRequestId_s: `t${i}`,
    }));
    const map = { ts: 'TimeGenerated', ip: 'clientIp_s', path: 'requestUri_s', status: 'httpStatusCode_s', method: 'httpMethod_s' };
    const r = describeRecords(records(az), { map });
    expect(r.advice).toContain('latency is not mapped (optional); the key "timeTaken_s" looks like it: --map latencyS=timeTaken_s');
    expect(r.advice).toContain('user agent is not mapped (optional); the key "userAgent_s" looks like it: --map userAgent=userAgent_s');
    expect(r.advice).toContain('request id is not mapped (optional); the key "trackingRequestId_s" looks like it: --map requestId=trackingRequestId_s');
    // The command to try keeps the maps already given.
    expect(r.advice.find((a) => a.startsWith('try: '))).toBe(
      'try: apilog formats detect test.ndjson --map ts=TimeGenerated --map ip=clientIp_s --map path=requestUri_s --map status=httpStatusCode_s ' +
        '--map method=httpMethod_s --map latencyS=timeTaken_s --map userAgent=userAgent_s --map requestId=trackingRequestId_s',
    );
  });

  it('takes a latency key\'s unit from its name before its values: 1500 under latency_us is 1.5 ms, not 1500', () => {
    const base = (i: number) => ({ timestamp: `2025-06-02T08:0${i}:00Z`, ip: '92.40.8.17', method: 'GET', path: '/a', status: 200, user: 'u1' });
    const latencyMap = (extra: (i: number) => Record<string, unknown>) =>
      describeRecords(records([0, 1, 2].map((i) => ({ ...base(i), ...extra(i) })))).advice.find((a) => a.startsWith('latency is not mapped'));
    expect(latencyMap((i) => ({ latency_us: 1500 + i }))).toContain('--map latencyUs=latency_us');
    expect(latencyMap((i) => ({ elapsed_micros: 900 + i }))).toContain('--map latencyUs=elapsed_micros');
    expect(latencyMap((i) => ({ durationNanos: 2_000_000 + i }))).toContain('--map latencyNs=durationNanos');
    // A camelCase unit after a separator, and an upper-case one.
    expect(latencyMap((i) => ({ request_durationMicros: 1500 + i }))).toContain('--map latencyUs=request_durationMicros');
    expect(latencyMap((i) => ({ upstream_latencyNanos: 2_000 + i }))).toContain('--map latencyNs=upstream_latencyNanos');
    expect(latencyMap((i) => ({ handlerElapsedMS: 0.5 + i }))).toContain('--map latencyMs=handlerElapsedMS');
    // Whole seconds: the values alone would read as milliseconds.
    expect(latencyMap((i) => ({ response_time_s: 2 + i }))).toContain('--map latencyS=response_time_s');
    // Fractions under 5 would read as seconds; the name says milliseconds.
    expect(latencyMap((i) => ({ handlerLatencyMillis: 0.5 + i }))).toContain('--map latencyMs=handlerLatencyMillis');
    // No unit in the name: the values decide, as before (fractional and small: seconds).
    expect(latencyMap((i) => ({ svc_elapsed: 0.031 + i / 1000 }))).toContain('--map latencyS=svc_elapsed');
  });

  it('a URI without "?" has no query: no advice that its values are unusable (Kong request.uri)', () => {
    const kong = [0, 1].map((i) => ({
      request: { method: 'POST', uri: '/api/v1/auth/login', size: 300, headers: { host: 'api.acme.io', 'user-agent': 'python-requests/2.31.0' } },
      response: { status: 401, size: 40 }, client_ip: '185.220.101.7', started_at: 1748863800000 + i * 1000,
      latencies: { request: 20, kong: 1, proxy: 19 }, route: { name: 'auth' }, service: { name: 'auth' }, upstream_uri: '/login',
    }));
    const r = describeRecords(records(kong));
    expect(r.detection?.format).toBe('kong');
    expect(r.advice.filter((a) => a.startsWith('query:'))).toEqual([]);
  });

  it('reads "200 OK" (code and reason phrase) as the status', () => {
    const r = describeRecords(records([
      { timestamp: '1748851200.000', user: { id: 'u0' }, method: 'get', path: '/me', status: '401 Unauthorized', ip: '86.12.44.3' },
      { timestamp: '1748851800.000', user: { id: 'u1' }, method: 'get', path: '/me', status: '200 OK', ip: '86.12.44.3' },
    ]));
    expect(field(r, 'status')).toMatchObject({ sourcePath: 'status', sample: '401' });
    expect(r.advice.some((a) => a.includes('not usable as status'))).toBe(false);
  });

  it('a misspelt --map path is said with the closest existing keys first', () => {
    const keys = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`k${i}`, i]));
    const recs = [0, 1].map((i) => ({
      start_time: `2025-06-02T08:02:5${i}Z`, method: 'GET', path: '/a', response_code: 200, bytes_sent: 5, duration: 3, ...keys, jwt_sub: 'grace',
    }));
    const r = describeRecords(records(recs), { map: { user: 'jwt_subject' } });
    const a = r.advice.find((x) => x.startsWith('--map user=jwt_subject'));
    expect(a).toMatch(/^--map user=jwt_subject: none of the first 2 records has "jwt_subject"; did you mean --map user=jwt_sub\? \(keys: /);
    expect(a).toContain('jwt_sub)');
  });
});

describe('roles advice', () => {
  it("a cloud's resource group or log group is no role: Log Analytics rows get no --map roles= suggestion", () => {
    const rows = Array.from({ length: 6 }, (_, k) => ({
      TimeGenerated: `2025-06-10T09:0${k}:00Z`, Category: 'FrontDoorAccessLog', ResourceGroup: 'RG-SHOP-PROD', ResourceProvider: 'MICROSOFT.CDN',
      clientIp_s: '203.0.113.7', httpMethod_s: 'GET', requestUri_s: `https://shop.example.com/api/orders/${k}`, httpStatusCode_s: '200',
      logGroup: '/aws/apigateway/shop',
    }));
    const advice = describeRecords(records(rows)).advice;
    expect(advice.filter((a) => a.includes('roles'))).toEqual([]);
    // A real group claim is still suggested.
    const claims = describeRecords(records(rows.map((r) => ({ ...r, user_groups: ['admin'] })))).advice;
    expect(claims.some((a) => a.includes('--map roles=user_groups'))).toBe(true);
  });
});
