import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS } from '../../src/normalise/event.js';
import { describeRecords, listFormats } from '../../src/normalise/index.js';
import { loadFixture, records } from './helpers.js';

const field = (r: ReturnType<typeof describeRecords>, f: string) => r.perField.find((x) => x.field === f);

describe('describeRecords', () => {
  it('reports, per canonical field, the source path and a sample', () => {
    const r = describeRecords(loadFixture('nginx.ndjson'));
    expect(r.detection).toEqual({ format: 'nginx', confidence: 1, votes: { nginx: 5 } });
    expect(r.records).toBe(5);
    expect(r.events).toBe(5);
    expect(r.perField.map((x) => x.field)).toEqual([...CANONICAL_FIELDS]);
    expect(field(r, 'ts')).toEqual({ field: 'ts', sourcePath: 'time_iso8601', sample: '2024-03-01T09:15:02.000Z' });
    expect(field(r, 'ip')).toEqual({ field: 'ip', sourcePath: 'remote_addr', sample: '203.0.113.10' });
    expect(field(r, 'path')).toEqual({ field: 'path', sourcePath: 'request_uri', sample: '/api/orders/1001' });
    expect(field(r, 'query')).toEqual({ field: 'query', sourcePath: 'request_uri', sample: 'expand=items' });
    expect(field(r, 'latencyMs')).toEqual({ field: 'latencyMs', sourcePath: 'request_time', sample: '42' });
    expect(field(r, 'roles')).toEqual({ field: 'roles', sourcePath: null, sample: null });
    expect(r.missing).toEqual(['roles', 'apiKey', 'sessionId', 'route', 'action', 'country']);
    expect(r.unmappedKeys).toEqual(expect.arrayContaining(['server_protocol', 'upstream_response_time', 'http_referer']));
    expect(r.unmappedKeys).not.toContain('remote_addr');
    expect(r.advice).toEqual([]);
  });

  it('counts both keys of a source built from two (CloudTrail action = eventSource + eventName) as used', () => {
    const r = describeRecords(loadFixture('cloudtrail.json'));
    expect(field(r, 'action')?.sourcePath).toBe('eventSource + eventName');
    expect(r.unmappedKeys).not.toContain('eventSource');
    expect(r.unmappedKeys).not.toContain('eventName');
    expect(r.unmappedKeys).toEqual(expect.arrayContaining(['awsRegion']));
  });

  it('a log of actions (CloudTrail) gets no advice to map a path or a status, but says what it means', () => {
    const r = describeRecords(loadFixture('cloudtrail.json'));
    expect(r.missing).toEqual(expect.arrayContaining(['path', 'status']));
    expect(r.advice.some((a) => a.startsWith('no status') || a.startsWith('no request path') || a.includes('--map status') || a.includes('--map path'))).toBe(false);
    expect(r.advice).toContain(
      'a log of actions, not HTTP requests: no path or status to map (outcomes come from its error codes, routes from the action); bola-enumeration and endpoint-probing need request paths and do not run, the other detectors judge actions',
    );
    // An HTTP log without statuses is still told what it misses.
    const noStatus = describeRecords(records([{ timestamp: '2024-03-01T09:15:02Z', ip: '203.0.113.9', method: 'GET', path: '/x' }]));
    expect(noStatus.advice.some((a) => a.startsWith('no status'))).toBe(true);
  });

  it('never shows an API key: a key read as a secret by its masked name, an identifier by its type and length', () => {
    const r = describeRecords(loadFixture('apigee.ndjson'));
    expect(field(r, 'apiKey')).toEqual({ field: 'apiKey', sourcePath: 'client_id', sample: 'Jx8Rw3kP…[REDACTED api-key len=32 sha256:46bbfc4a]' });
    expect(JSON.stringify(r)).not.toContain('Jx8Rw3kP0');
    const ids = describeRecords(records([{ timestamp: 1709284502, path: '/x', status: 200, method: 'GET', api_key_id: 'partner-acme-7' }]));
    expect(field(ids, 'apiKey')?.sample).toBe('string, 14 chars');
    expect(JSON.stringify(ids)).not.toContain('partner-acme');
  });

  it('escapes control characters in samples', () => {
    const r = describeRecords(records([{ timestamp: 1709284502, path: '/x\u001b[2J', status: 200, method: 'GET', user_agent: 'evil\nline' }]));
    expect(field(r, 'path')?.sample).toBe('/x\\u001b[2J');
    expect(field(r, 'userAgent')?.sample).toBe('evil\\nline');
  });

  it('advice for a file without a user field names the detectors that cannot run', () => {
    const r = describeRecords(loadFixture('cloudflare.ndjson'));
    expect(r.detection?.format).toBe('cloudflare');
    expect(r.missing).toContain('user');
    expect(r.advice).toContain(
      'no user field: per-user detectors (impossible-travel, and authorization-probing unless an API key names the caller) cannot run, bola-enumeration judges only sequential walks of callers known by IP, and the others know callers by IP only; map one with --map user=path.to.user',
    );
  });

  it('advice suggests the key that probably holds a missing field', () => {
    const values = [
      { timestamp: '2024-03-01T09:15:02Z', ip: '203.0.113.1', method: 'GET', path: '/a', status: 200, account: { login: 'alice' } },
      { timestamp: '2024-03-01T09:15:03Z', ip: '203.0.113.1', method: 'GET', path: '/b', status: 200, account: { login: 'alice' } },
    ];
    const r = describeRecords(records(values));
    expect(r.advice).toContain(
      'no user field: per-user detectors (impossible-travel, and authorization-probing unless an API key names the caller) cannot run, bola-enumeration judges only sequential walks of callers known by IP, and the others know callers by IP only; the key "account.login" looks like it: --map user=account.login',
    );
    expect(r.unmappedKeys).toEqual(['account.login']);
  });

  it('prefers a key named for a user over one that only ends in "name" (Traefik: request_X-User-Id, not entryPointName)', () => {
    const values = [1, 2, 3].map((k) => ({
      StartUTC: `2024-03-01T09:15:0${k}Z`,
      ClientHost: '203.0.113.1',
      RequestMethod: 'GET',
      RequestPath: `/api/orders/${k}`,
      DownstreamStatus: 200,
      entryPointName: 'websecure',
      RouterName: 'api@docker',
      'request_X-User-Id': `u10${k}`,
    }));
    const r = describeRecords(records(values));
    expect(r.detection?.format).toBe('traefik');
    expect(r.advice.find((a) => a.startsWith('no user field'))).toMatch(/--map user=request_X-User-Id$/);
  });

  it('never suggests as the user a key whose one value names the server (HAProxy frontend_name, Front Door originName)', () => {
    const at = (k: number): string => `2024-03-01T09:15:${String(10 + k).padStart(2, '0')}Z`;
    const haproxy = Array.from({ length: 8 }, (_, k) => ({ timestamp: at(k), client_ip: `203.0.113.${k}`, method: 'GET', path: `/p/${k}`, status: 200, frontend_name: 'fe_https~' }));
    expect(describeRecords(records(haproxy)).advice.join('\n')).toMatch(/--map user=path\.to\.user/);
    const origin = Array.from({ length: 8 }, (_, k) => ({ timestamp: at(k), client_ip: `203.0.113.${k}`, method: 'GET', path: `/p/${k}`, status: 200, props: { originName: `app-${k % 2}.azurewebsites.net:443` } }));
    expect(describeRecords(records(origin)).advice.join('\n')).toMatch(/--map user=path\.to\.user/);
    // One user in a short sample is still a user when the key says so.
    const one = haproxy.map((v) => ({ ...v, frontend_name: undefined, login: 'alice' }));
    expect(describeRecords(records(one)).advice.join('\n')).toMatch(/--map user=login/);
  });

  it('suggests a generic id under a key that names the caller (caller.principal.id), not under one that does not', () => {
    const values = Array.from({ length: 6 }, (_, k) => ({
      meta: { when: `2024-03-01T09:15:0${k}Z`, node: { id: 'n-1' } },
      caller: { addr: `203.0.113.${k}`, principal: { id: `u_10${k}`, kind: 'user' } },
      http: { verb: 'GET', target: `/api/orders/${k}`, result: { code: 200 } },
    }));
    const advice = describeRecords(records(values), { map: { ts: 'meta.when', ip: 'caller.addr', method: 'http.verb', path: 'http.target', status: 'http.result.code' } }).advice.join('\n');
    expect(advice).toMatch(/--map user=caller\.principal\.id/);
  });

  it('suggests the key that holds the path alone over a message that starts with the request (python-json-logger)', () => {
    const values = Array.from({ length: 4 }, (_, k) => ({ asctime: `2024-03-01 09:15:0${k},084`, message: `POST /api/login 200`, remote_addr: '203.0.113.9', http_method: 'POST', url_path: '/api/login', status: 200 }));
    const r = describeRecords(records(values, 'my logs/app.json'));
    // asctime is a known time key: the records map, and the path is what is missing.
    expect(r.detection?.format).toBe('flat');
    expect(r.events).toBe(4);
    const advice = r.advice.join('\n');
    expect(advice).toMatch(/--map path=url_path/);
    expect(advice).not.toMatch(/path=message/);
    // Where nothing maps, the advice can be pasted as it is: the file name, quoted for the shell.
    const renamed = values.map(({ asctime, ...rest }) => ({ logged: asctime, ...rest }));
    const none = describeRecords(records(renamed, 'my logs/app.json'));
    expect(none.advice.join('\n')).not.toMatch(/path=message/);
    expect(none.advice.find((a) => a.startsWith('try:'))).toMatch(/^try: apilog formats detect 'my logs\/app\.json' --map .*path=url_path/);
  });

  it('names a role claim the alias table does not know (Cognito groups behind an authorizer)', () => {
    const values = [1, 2, 3].map((k) => ({
      timestamp: `2024-03-01T09:15:0${k}Z`,
      ip: '203.0.113.1',
      method: 'GET',
      path: `/admin/users/${k}`,
      status: 200,
      user: `u10${k}`,
      authorizer: { claims: { 'cognito:groups': ['admins'], group_count: 1 } },
    }));
    const r = describeRecords(records(values));
    expect(r.missing).toContain('roles');
    expect(r.advice.find((a) => a.startsWith('no roles'))).toMatch(/--map roles=authorizer\.claims\.cognito:groups$/);
    // Without such a key nothing is said: most access logs carry no roles.
    const plain = describeRecords(records(values.map(({ authorizer: _a, ...rest }) => rest)));
    expect(plain.missing).toContain('roles');
    expect(plain.advice.some((a) => a.startsWith('no roles'))).toBe(false);
  });

  it('suggests the key that holds each field, not a look-alike (user agent, request bytes, the balancer\'s address)', () => {
    const values = [1, 2, 3].map((k) => ({
      ts: `13/Mar/2025:08:10:0${k} +0100`,
      client: '172.31.4.10',
      fwd: `79.208.23.1${k}`,
      req: `GET /portal/invoices/${k} HTTP/1.1`,
      code: 200,
      receivedBytes: 412,
      sentBytes: 14000,
      userAgent: 'Mozilla/5.0',
      backendPoolName: 'pool-api',
      // A gateway's first line is often a login, with no user yet.
      uid: k === 1 ? '-' : `b-20${k}`,
    }));
    const r = describeRecords(records(values));
    expect(r.advice.at(-1)).toBe('try: apilog formats detect test.ndjson --map ip=fwd --map path=req --map status=code --map bytesOut=sentBytes');
    // Names the alias table reads by itself are missing only because no record mapped: not sent to --map.
    expect(r.advice).toContain('no timestamp was read because no record mapped; the key "ts" is read as one by itself once they do (the other missing fields say how)');
    expect(r.advice).toContain('no user was read because no record mapped; the key "uid" is read as one by itself once they do (the other missing fields say how)');
    const mapped = describeRecords(records(values), { map: { ip: 'fwd', path: 'req', status: 'code', bytesOut: 'sentBytes' } });
    expect(mapped.missing).not.toContain('ts');
    expect(mapped.missing).not.toContain('user');
    const jwt = describeRecords(records(values.map(({ uid, ...rest }) => ({ ...rest, jwt_sub: uid }))));
    expect(jwt.advice.find((a) => a.startsWith('no user field'))).toMatch(/--map user=jwt_sub$/);
  });

  it("a format's own user key that holds only \"-\" is said so, not sent to --map (anonymous requests)", () => {
    const values = [1, 2, 3].map((k) => ({
      requestId: `r${k}`,
      ip: `203.0.113.${k}`,
      requestTime: `01/Mar/2024:09:15:0${k} +0000`,
      httpMethod: 'GET',
      path: `/prod/items/${k}`,
      resourcePath: '/items/{id}',
      status: '200',
      authorizer: { claims: { sub: '-' } },
    }));
    const r = describeRecords(records(values));
    expect(r.detection?.format).toBe('apigateway');
    const advice = r.advice.find((a) => a.startsWith('no user field'));
    expect(advice).toMatch(/"authorizer\.claims\.sub" holds "-" or nothing in every sampled record: these requests were logged without one$/);
    expect(r.advice.join(' ')).not.toContain('--map user=');
  });

  it('a route template without a concrete path is called out (API Gateway without $context.path)', () => {
    const recs = loadFixture('apigateway.ndjson').filter((r) => (r.value as Record<string, unknown>).path === undefined);
    const r = describeRecords(recs);
    expect(r.missing).toContain('path');
    expect(r.advice.some((a) => a.startsWith('only a route template') && a.includes('"path":"$context.path"'))).toBe(true);
  });

  it('a file that maps nothing: says which keys it saw and what it expected', () => {
    const values = [
      { when: '2024-03-01T09:15:02Z', who: { name: 'alice' }, addr: '203.0.113.7', verb: 'get', uri: '/orders/1?x=1', code: 200, size_bytes: 120 },
      { when: '2024-03-01T09:15:03Z', who: { name: 'bob' }, addr: '203.0.113.8', verb: 'POST', uri: '/login', code: '401', size_bytes: 87 },
    ];
    const r = describeRecords(records(values, 'weird.json'));
    expect(r.detection).toBeNull();
    expect(r.events).toBe(0);
    expect(r.skipped).toEqual({ 'no-timestamp': 2 });
    expect(r.advice[0]).toBe(
      'no known format matched: none of the first 2 records carries the signature of a supported format (see `apilog formats`). Keys seen: when, who, addr, verb, uri, code, size_bytes.',
    );
    expect(r.advice[1]).toMatch(/^apilog needs at least a timestamp \(e\.g\. timestamp, @timestamp, time, ts, datetime\), a request path \(endpoint, path, url/);
    expect(r.advice).toContain('2 of 2 records skipped (no-timestamp); first at line 1: no usable timestamp (custom looks for timestamp, @timestamp, time, ts, datetime, date, …); map one with --map ts=<path>');
    expect(r.advice).toContain('no timestamp: records cannot be placed in time and are all skipped; the key "when" looks like it: --map ts=when');
    expect(r.advice).toContain('no client ip: per-ip detectors (credential attacks, scraping) and IP geolocation cannot run; the key "addr" looks like it: --map ip=addr');
    expect(r.advice).toContain(
      'no status: failed requests and 401/403 auth failures cannot be seen (credential-attack detectors need them); the key "code" looks like it: --map status=code',
    );
    expect(r.advice.at(-1)).toBe(
      'try: apilog formats detect weird.json --map ts=when --map user=who.name --map ip=addr --map status=code --map bytesOut=size_bytes',
    );
    // Fields found by the alias table even without a timestamp are still described.
    expect(field(r, 'method')).toEqual({ field: 'method', sourcePath: 'verb', sample: 'GET' });
    expect(r.unmappedKeys).toEqual(['addr', 'code', 'size_bytes', 'when', 'who.name']);

    const fixed = describeRecords(records(values), { map: { ts: 'when', user: 'who.name', ip: 'addr', status: 'code', bytesOut: 'size_bytes' } });
    expect(fixed.events).toBe(2);
    expect(fixed.unmappedKeys).toEqual([]);
    expect(fixed.advice).toEqual(['no built-in format matched; 2 of 2 records were mapped with your --map paths plus the flat alias table (format custom)']);
    expect(field(fixed, 'user')).toEqual({ field: 'user', sourcePath: 'who.name', sample: 'alice' });
  });

  it('a file of objects with nothing recognisable', () => {
    const r = describeRecords(records([{ a: 1, b: { c: 'x' } }, { a: 2 }]));
    expect(r.detection).toBeNull();
    expect(r.advice[0]).toContain('Keys seen: a, b.');
    expect(r.advice).toContain('2 of 2 records skipped (not-an-access-record); first at line 1: no method, path, status or action found (custom); keys: a, b');
    expect(r.unmappedKeys).toEqual(['a', 'b.c']);
  });

  it('values present but unusable are named', () => {
    const r = describeRecords(records([{ timestamp: 'last tuesday', path: '/x', status: 200, method: 'GET' }]));
    expect(r.advice).toContain('no timestamp: records cannot be placed in time and are all skipped; map one with --map ts=path.to.time');
    expect(r.advice.some((a) => a.includes('"timestamp" holds "last tuesday", which is not a timestamp'))).toBe(true);
  });

  it('empty input and non-object input', () => {
    expect(describeRecords([]).advice).toEqual(['no records: the input holds no JSON values to map']);
    expect(describeRecords(records([1, 'x'])).advice[0]).toBe('none of the 2 records is a JSON object; access-log records must be objects');
  });
});

describe('listFormats', () => {
  it('lists every format in detection order with detection keys and field sources', () => {
    const list = listFormats();
    expect(list.map((f) => f.id)).toEqual([
      'otel', 'cloudtrail', 'azure-apim', 'azure-appgw', 'azure-frontdoor', 'gcp', 'cloudflare', 'akamai', 'traefik', 'caddy', 'kong', 'apigee', 'ecs', 'envoy', 'apigateway', 'nginx',
      'django-structlog', 'flat', 'custom',
    ]);
    for (const f of list) {
      expect(f.title.length).toBeGreaterThan(5);
      expect(f.detect.length).toBeGreaterThan(10);
      expect(f.fields.ts, f.id).toBeDefined();
    }
    const traefik = list.find((f) => f.id === 'traefik');
    expect(traefik?.fields.latencyMs).toBe('Duration (ns)');
    expect(traefik?.fields.ip).toBe('ClientHost | ClientAddr | request_X-Forwarded-For (first X-Forwarded-For hop) | request_X-Real-Ip');
    expect(list.find((f) => f.id === 'cloudtrail')?.fields.action).toBe('eventSource:eventName');
  });
});

describe('describeRecords: formats whose signature the records carry but which cannot map them', () => {
  it('a request nested in an `http` object (in-house, Datadog) maps as flat: no otel at 100% with every record skipped, no --map ts=ts', () => {
    for (const fixture of ['flat-nested-http.ndjson', 'flat-datadog.ndjson']) {
      const r = describeRecords(loadFixture(fixture));
      expect(r.detection?.format, fixture).toBe('flat');
      expect(r.skipped, fixture).toEqual({ 'not-an-access-record': 1 });
      for (const f of ['ts', 'method', 'path', 'status', 'ip']) expect(field(r, f)?.sourcePath, `${fixture} ${f}`).not.toBeNull();
      expect(r.advice.some((a) => a.includes('--map ts=')), fixture).toBe(false);
    }
    const inhouse = describeRecords(loadFixture('flat-nested-http.ndjson'));
    expect([field(inhouse, 'ts')?.sourcePath, field(inhouse, 'status')?.sourcePath]).toEqual(['ts', 'http.statusCode']);
    expect(inhouse.advice).toContain(
      'no user field: per-user detectors (impossible-travel, and authorization-probing unless an API key names the caller) cannot run, bola-enumeration judges only sequential walks of callers known by IP, and the others know callers by IP only; the key "auth.userId" looks like it: --map user=auth.userId',
    );
    const datadog = describeRecords(loadFixture('flat-datadog.ndjson'));
    expect([field(datadog, 'ts')?.sourcePath, field(datadog, 'path')?.sourcePath, field(datadog, 'status')?.sourcePath]).toEqual(['date', 'http.url', 'http.status_code']);
  });

  it('says which signature was passed over for the format that maps the records', () => {
    const line = (i: number) => ({ ts: `2025-06-02T08:00:0${i}Z`, remote_addr: '81.2.69.142', request: 'GET /a HTTP/1.1', status: 200, body_bytes_sent: 5 });
    const r = describeRecords(records([line(1), line(2)]));
    expect(r.detection).toEqual({ format: 'flat', confidence: 1, votes: { nginx: 2 } });
    expect(r.advice).toContain('2 of the first 2 records carry the signature of nginx, but nginx maps fewer of them than flat, which maps 2: they are read as flat');
  });

  it('nothing maps: says the format maps none of the records it claims, and why a flat name needs --map under it', () => {
    const values = loadFixture('ecs.ndjson').map((x) => {
      const { '@timestamp': ts, ...rest } = x.value as Record<string, unknown>;
      return { ...rest, ts };
    });
    const r = describeRecords(records(values));
    expect(r.detection).toEqual({ format: 'ecs', confidence: 0, votes: { ecs: 5 } });
    expect(r.advice).toContain('5 of the first 5 records look like ecs, but it maps none of them (see the skipped records below)');
    expect(r.advice).toContain(
      'no timestamp: records cannot be placed in time and are all skipped; the key "ts" looks like it; flat JSON is read by that name, ' +
        'but these records were detected as ecs, which reads only its own keys: --map ts=ts',
    );
  });
});

describe('docs/formats.md', () => {
  it('lists every format and its field sources exactly as the code declares them', async () => {
    const { readFileSync } = await import('node:fs');
    const { fixturePath } = await import('./helpers.js');
    const doc = readFileSync(fixturePath('../../docs/formats.md'), 'utf8');
    for (const f of listFormats()) {
      expect(doc, f.id).toContain(`| \`${f.id}\` | ${f.title.replace(/\|/g, '\\|')} | ${f.detect.replace(/\|/g, '\\|')} |`);
      if (f.id === 'custom') continue;
      expect(doc).toContain(`### \`${f.id}\` — ${f.title}`);
      for (const [field, text] of Object.entries(f.fields)) {
        expect(doc, `${f.id}.${field}`).toContain(`| ${field} | ${text.replace(/\|/g, '\\|').replace(/ \\\| /g, ' · ')} |`);
      }
    }
  });

  it('says when timestamps carry no UTC offset, and how they are read', () => {
    const recs = records([
      { timestamp: '2025-07-01 09:00:00', path: '/a', status: 200, ip: '203.0.113.9' },
      { timestamp: '2025-07-01T09:00:01+02:00', path: '/b', status: 200, ip: '203.0.113.9' },
    ]);
    const utc = describeRecords(recs);
    expect(utc.timesWithoutOffset).toBe(1);
    expect(utc.advice).toContain(
      '1 of 2 timestamps carry no UTC offset and are read as UTC; if the log writes local time, say where with --input-tz <zone> (e.g. --input-tz Europe/Berlin)',
    );
    const berlin = describeRecords(recs, { inputTz: 'Europe/Berlin' });
    expect(field(berlin, 'ts')?.sample).toBe('2025-07-01T07:00:00.000Z');
    expect(berlin.advice).toContain('1 of 2 timestamps carry no UTC offset: read as local time in Europe/Berlin (--input-tz)');
    const zoned = describeRecords(records([{ timestamp: '2025-07-01T09:00:00Z', path: '/a', status: 200 }]));
    expect([zoned.timesWithoutOffset, zoned.advice.some((a) => a.includes('UTC offset'))]).toEqual([0, false]);
  });

  it('a --map-only (custom) mapping is as confident as the share of records it maps', () => {
    const recs = records([
      { when: '2025-07-01T09:00:00Z', uri: '/a', code: 200 },
      { when: '2025-07-01T09:00:01Z', uri: '/b', code: 200 },
      { note: 'not a request' },
    ]);
    const r = describeRecords(recs, { map: { ts: 'when', path: 'uri', status: 'code' } });
    expect(r.detection).toEqual({ format: 'custom', confidence: 2 / 3, votes: {} });
    expect(r.advice[0]).toBe('no built-in format matched; 2 of 3 records were mapped with your --map paths plus the flat alias table (format custom)');
  });
});

describe('describeRecords: where a missing field may be', () => {
  const span = (i: number) => ({ timeUnixNano: `17145576${i}0000000000`, kind: 2, name: 'GET /api/orders/{id}', attributes: { 'http.request.method': 'GET', 'url.path': `/api/orders/${i}`, 'http.response.status_code': 200, 'client.address': '203.0.113.30' }, resource: { 'service.name': 'orders' } });

  it('looks in the records that were mapped: a key only a skipped record holds is no place to map from, nor a value that failed', () => {
    // As the OTLP reader flattens a log: two request logs, and a "login failed" line that is no request.
    const failed = { timeUnixNano: '1714557602000000000', body: 'login failed', attributes: { 'user.id': 'mallory' } };
    const r = describeRecords(records([span(1), span(2), failed]));
    expect(r.skipped).toEqual({ 'not-an-access-record': 1 });
    expect(r.missing).toContain('user');
    expect(r.mapSuggestions.filter((s) => s.field === 'user')).toEqual([]);
    expect(r.advice.filter((a) => a.includes('user.id'))).toEqual([]);
  });

  it('does not take a name for the user when its holder says it names something else (service.name)', () => {
    const r = describeRecords(records([1, 2, 3].map(span)));
    expect(r.missing).toContain('user');
    expect(r.mapSuggestions.filter((s) => s.field === 'user')).toEqual([]);
    // A generic name under a user-like holder still is one.
    const owned = describeRecords(records([1, 2, 3].map((i) => ({ ...span(i), owner: { name: `o${i}` }, caller: { principal: { id: `p${i}` } } }))));
    expect(owned.mapSuggestions.find((s) => s.field === 'user')?.path).toBe('caller.principal.id');
  });
});

describe('describeRecords: keys that hold something else than the field they resemble', () => {
  const line = (i: number, extra: Record<string, unknown>) => ({ timestamp: `2025-03-10T12:00:0${i}Z`, method: 'GET', status: 200, user: `u${i}`, ...extra });

  it("takes no server or upstream address for the client, and no page size for the response's", () => {
    const r = describeRecords(records([1, 2, 3, 4, 5, 6].map((i) => line(i, { path: '/api/v1/items', page_size: 50, server_ip: '198.51.100.7', upstream_addr: '10.0.0.5:8080' }))));
    expect(r.missing).toEqual(expect.arrayContaining(['ip', 'bytesOut']));
    expect(r.mapSuggestions).toEqual([]);
    expect(r.advice.join('\n')).not.toMatch(/server_ip|upstream_addr|page_size/);
    // A client's address under its own name is still found.
    const c = describeRecords(records([1, 2, 3].map((i) => line(i, { path: '/a', server_ip: '198.51.100.7', visitor_ip: `203.0.113.${i}` }))));
    expect(c.mapSuggestions).toEqual([{ field: 'ip', path: 'visitor_ip' }]);
  });

  it("takes neither the shipper's log file path nor a referer for the request path", () => {
    const r = describeRecords(records([1, 2, 3].map((i) => line(i, { ip: '203.0.113.9', log: { file: { path: '/var/log/app/api.log' } }, referer: 'https://shop.example.com/cart', bytes: 100 }))));
    expect(r.missing).toContain('path');
    expect(r.mapSuggestions.filter((m) => m.field === 'path')).toEqual([]);
    const u = describeRecords(records([1, 2, 3].map((i) => line(i, { ip: '203.0.113.9', referer: 'https://shop.example.com/cart', target_path: `/api/v1/orders/${i}` }))));
    expect(u.mapSuggestions.filter((m) => m.field === 'path')).toEqual([{ field: 'path', path: 'target_path' }]);
  });
});
