import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createNormaliser, DETECTION_SAMPLE, ISSUES_PER_REASON, MAP_PATH_SEPARATOR } from '../../src/normalise/index.js';
import { Normaliser } from '../../src/normalise/normaliser.js';
import { blankEvent, CANONICAL_FIELDS, EVENT_BOOKKEEPING_KEYS, type ApiEvent } from '../../src/normalise/event.js';
import { core, loadFixture, records, run, utc } from './helpers.js';

const caddyAccess = (i: number) => ({
  level: 'info',
  ts: 1709284502 + i,
  logger: 'http.log.access.log0',
  msg: 'handled request',
  request: { remote_ip: '203.0.113.10', client_ip: '203.0.113.10', method: 'GET', host: 'h', uri: `/p/${i}`, headers: {} },
  status: 200,
  size: 10,
  duration: 0.01,
});
const caddyStartup = (i: number) => ({ level: 'info', ts: 1709284500 + i / 100, logger: i % 2 ? 'admin' : 'tls', msg: `startup ${i}` });

describe('detection by vote', () => {
  it('leading non-access lines (Caddy startup) are skipped and counted, not fatal, and not listed as issues', () => {
    const values = [...Array.from({ length: 10 }, (_, i) => caddyStartup(i)), ...Array.from({ length: 45 }, (_, i) => caddyAccess(i))];
    const { events, n, issues } = run(records(values, 'caddy.log'));
    expect(n.detection()).toEqual({ format: 'caddy', confidence: 40 / DETECTION_SAMPLE, votes: { caddy: 40 } });
    expect(events).toHaveLength(45);
    expect(n.events).toBe(45);
    expect(n.skipped).toEqual({ 'set-aside': 10 });
    // Caddy's own messages are expected: set aside (FormatModule.setAside), counted, no issue each.
    expect(issues).toEqual([]);
    expect((n as Normaliser).setAsideRecords()).toEqual([
      { format: 'caddy', message: 'a Caddy process message (startup, configuration, TLS, admin, errors), not an access record', count: 10, line: 1 },
    ]);
    expect(events[0]?.source).toEqual({ file: 'caddy.log', line: 11 });
  });

  it("a flat record's duration under a time-like name (nginx's request_time, forced flat) gives way to its real time", () => {
    const recs = records(
      Array.from({ length: 3 }, (_, k) => ({ request_time: 0.259 + k, time_iso8601: `2025-05-14T02:13:0${k}+00:00`, remote_addr: '203.0.113.9', request_method: 'GET', request_uri: '/a', status: 200 })),
    );
    const { events } = run(recs, { format: 'flat' });
    expect(events.map((e) => e.ts)).toEqual([0, 1, 2].map((k) => utc(2025, 5, 14, 2, 13, k)));
  });

  it('detection waits for the sample; a short file is decided at flush', () => {
    const n = createNormaliser({ file: 'f' }, () => undefined);
    const out: ApiEvent[] = [];
    for (const r of records([caddyAccess(1), caddyAccess(2)])) n.push(r, out);
    expect(n.detection()).toBeNull();
    expect(out).toHaveLength(0);
    n.flush(out);
    expect(n.detection()?.format).toBe('caddy');
    expect(out).toHaveLength(2);
  });

  it('the majority wins; records of another known format are still mapped by it (mixed files)', () => {
    const nginx = loadFixture('nginx.ndjson').map((r) => r.value);
    const kong = loadFixture('kong.ndjson').map((r) => r.value);
    const values = [nginx[0], kong[0], nginx[1], nginx[2], kong[1], nginx[3], nginx[4]];
    const { events, n } = run(records(values));
    expect(n.detection()).toEqual({ format: 'nginx', confidence: 5 / 7, votes: { nginx: 5, kong: 2 } });
    expect(events.map((e) => e.format)).toEqual(['nginx', 'kong', 'nginx', 'nginx', 'kong', 'nginx', 'nginx']);
    expect(core(events[1] as ApiEvent)).toMatchObject({ user: 'foo', path: '/log', latencyMs: 515 });
  });

  it('a signature is not a mapping: a winner that maps none of its voters gives way to the format that maps them', () => {
    // NGINX's escape=json keys, but the time under "ts", which the nginx format does not read and the flat alias table does.
    const line = (i: number) => ({
      ts: `2025-06-02T08:00:0${i}Z`, remote_addr: '81.2.69.142', request: `POST /api/v1/login?try=${i} HTTP/1.1`, status: 401, body_bytes_sent: 48,
    });
    const { events, n } = run(records([line(1), line(2), line(3)]));
    expect(n.detection()).toEqual({ format: 'flat', confidence: 1, votes: { nginx: 3 } });
    expect(n.skipped).toEqual({});
    expect(events.map(core)[0]).toEqual({
      ts: utc(2025, 6, 2, 8, 0, 1), ip: '81.2.69.142', method: 'POST', path: '/api/v1/login', query: 'try=1', status: 401, bytesOut: 48,
      auth: 'failure', format: 'flat',
    });
    // A --map that gives the winner its timestamp keeps the winner.
    const mapped = run(records([line(1), line(2)]), { map: { ts: 'ts' } });
    expect(mapped.n.detection()).toEqual({ format: 'nginx', confidence: 1, votes: { nginx: 2 } });
    expect(mapped.events).toHaveLength(2);
  });

  it('a winner that maps none of its voters, when nothing maps more, is kept with confidence 0, not 1', () => {
    // ECS, with the time under "ts" instead of @timestamp: ecs reads only @timestamp, flat finds no request field.
    const values = loadFixture('ecs.ndjson').map((r) => {
      const { '@timestamp': ts, ...rest } = r.value as Record<string, unknown>;
      return { ...rest, ts };
    });
    const { events, n } = run(records(values));
    expect(n.detection()).toEqual({ format: 'ecs', confidence: 0, votes: { ecs: 5 } });
    expect([events.length, n.skipped]).toEqual([0, { 'no-timestamp': 5 }]);
  });

  it('keys lowercased by a pipeline (Panther) are matched case-insensitively', () => {
    const values = [
      { httprequest: { requestmethod: 'GET', requesturl: 'https://a.example/x?y=1', status: 200, remoteip: '203.0.113.1', latency: '0.5s' }, timestamp: '2024-03-01T09:15:02Z', insertid: 'i1' },
      { httprequest: { requestmethod: 'POST', requesturl: '/login', status: 401, remoteip: '203.0.113.2' }, timestamp: '2024-03-01T09:15:03Z', insertid: 'i2' },
    ];
    const { events, n } = run(records(values));
    expect(n.detection()?.format).toBe('gcp');
    expect(events.map(core)).toEqual([
      { ts: utc(2024, 3, 1, 9, 15, 2), ip: '203.0.113.1', method: 'GET', path: '/x', query: 'y=1', host: 'a.example', status: 200, latencyMs: 500, requestId: 'i1', auth: 'unknown', format: 'gcp' },
      { ts: utc(2024, 3, 1, 9, 15, 3), ip: '203.0.113.2', method: 'POST', path: '/login', status: 401, requestId: 'i2', auth: 'failure', format: 'gcp' },
    ]);
    expect(events[0]?.raw).toBe(values[0]);
  });

  it('CloudTrail inside EventBridge and LookupEvents rows', () => {
    const ct = loadFixture('cloudtrail.json')[2]?.value as Record<string, unknown>;
    const values = [
      { version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.cloudtrail', detail: ct },
      { EventId: 'x', EventName: 'CreateUser', CloudTrailEvent: JSON.stringify(ct) },
    ];
    const { events } = run(records(values));
    expect(events.map((e) => [e.format, e.action, e.auth, e.ip])).toEqual([
      ['cloudtrail', 'iam.amazonaws.com:CreateUser', 'denied', '203.0.113.5'],
      ['cloudtrail', 'iam.amazonaws.com:CreateUser', 'denied', '203.0.113.5'],
    ]);
  });

  it('CloudTrail outcomes: no error a success, access denied refused, bad credentials (Cognito too) failed, any other error unknown', () => {
    const ct = loadFixture('cloudtrail.json')[2]?.value as Record<string, unknown>;
    const call = (eventName: string, errorCode?: string, eventSource = 'iam.amazonaws.com') => {
      const { errorCode: _code, errorMessage: _message, ...rest } = ct;
      return errorCode === undefined ? { ...rest, eventSource, eventName } : { ...rest, eventSource, eventName, errorCode, errorMessage: 'not allowed' };
    };
    const { events } = run(records([
      call('ListUsers'),
      call('ListRoles', 'AccessDenied'),
      call('DescribeInstances', 'Client.UnauthorizedOperation', 'ec2.amazonaws.com'),
      call('GetUser', 'InvalidClientTokenId'),
      call('InitiateAuth', 'NotAuthorizedException', 'cognito-idp.amazonaws.com'),
      call('GetSecretValue', 'ResourceNotFoundException', 'secretsmanager.amazonaws.com'),
      call('CreateUser', 'EntityAlreadyExists'),
    ]));
    expect(events.map((e) => [e.action!.split(':')[1], e.auth])).toEqual([
      ['ListUsers', 'success'],
      ['ListRoles', 'denied'],
      ['DescribeInstances', 'denied'],
      ['GetUser', 'failure'],
      ['InitiateAuth', 'failure'],
      ['GetSecretValue', 'unknown'],
      ['CreateUser', 'unknown'],
    ]);
  });

  it("CloudTrail principals: Cognito's Anonymous and a hidden console user name are no user; a failed console login is named by the ARN its other events carry", () => {
    const ct = loadFixture('cloudtrail.json')[1]?.value as Record<string, unknown>; // a failed ConsoleLogin
    const ui = ct.userIdentity as Record<string, unknown>;
    const login = (userIdentity: Record<string, unknown>) => ({ ...ct, userIdentity });
    const { events } = run(records([
      login({ type: 'IAMUser', principalId: 'AIDAX', accountId: '123456789012', userName: 'ops-admin' }),
      login({ type: 'IAMUser', accountId: '123456789012', accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' }),
      { ...ct, eventSource: 'cognito-idp.amazonaws.com', eventName: 'InitiateAuth', userIdentity: { type: 'Unknown', principalId: 'Anonymous' } },
      login(ui),
    ]));
    expect(events.map((e) => e.user)).toEqual(['arn:aws:iam::123456789012:user/ops-admin', undefined, undefined, ui.arn]);
  });

  it("a flat log's own outcome words: denied and forbidden are refusals, failed and unauthorized failures", () => {
    const base = { timestamp: '2024-03-01T09:15:02Z', ip: '203.0.113.9', user_id: 'u1', action: 'orders.export' };
    const { events } = run(records(['denied', 'forbidden', 'access_denied', 'failed', 'unauthorized', 'success'].map((outcome) => ({ ...base, outcome }))));
    expect(events.map((e) => e.auth)).toEqual(['denied', 'denied', 'denied', 'failure', 'failure', 'success']);
  });
});

describe('flat records', () => {
  it('mixed timestamp shapes in one file', () => {
    const T = utc(2024, 3, 1, 9, 15, 2);
    const shapes = [
      '2024-03-01T09:15:02Z', '2024-03-01T10:15:02+01:00', '2024-03-01T09:15:02.000000000Z', '2024-03-01 09:15:02',
      '01/Mar/2024:09:15:02 +0000', 1709284502, '1709284502', 1709284502000, '1709284502000', 1709284502000000,
      '1709284502000000000', 1709284502.0, 'Fri, 01 Mar 2024 09:15:02 GMT',
    ];
    const values = shapes.map((timestamp, i) => ({ timestamp, ip: '203.0.113.1', method: 'GET', path: `/p/${i}`, status: 200 }));
    const { events, n } = run(records(values));
    expect(n.skipped).toEqual({});
    expect(events.map((e) => e.ts)).toEqual(shapes.map(() => T));
  });

  it('numbers as strings, whitespace, "-" placeholders', () => {
    const { events } = run(
      records([{ timestamp: ' 1709284502 ', status: '200', bytes: ' 1309 ', response_time_ms: '12.5', method: ' get', path: '/x', user: ' bob ', session_id: '-', ip: '' }]),
    );
    expect(core(events[0] as ApiEvent)).toEqual({
      ts: utc(2024, 3, 1, 9, 15, 2), user: 'bob', method: 'GET', path: '/x', status: 200, bytesOut: 1309, latencyMs: 12.5, auth: 'unknown', format: 'flat',
    });
  });

  it('a status that is not a decimal integer ("0x194", "4e2") gives no status, not 404 or 400', () => {
    const { events } = run(
      records([
        { ts: '2026-01-01T00:00:00Z', path: '/a', method: 'GET', status: '0x194' },
        { ts: '2026-01-01T00:00:01Z', path: '/a', method: 'GET', status: '4e2' },
        { ts: '2026-01-01T00:00:02Z', path: '/a', method: 'GET', status: '404' },
      ]),
    );
    expect(events.map((e) => e.status)).toEqual([undefined, undefined, 404]);
  });

  it('IPv6, ports, X-Forwarded-For first hop, path/query split, full URLs', () => {
    const base = { timestamp: '2024-03-01T09:15:02Z', method: 'GET', status: 200 };
    const { events } = run(
      records([
        { ...base, ip: '2001:0db8:0000:0000:0000:0000:0000:0001', path: '/a?x=1&y=2' },
        { ...base, ip: '[2001:db8::2]:443', path: '/b' },
        { ...base, client_ip: '203.0.113.5:5678', url: 'https://api.example.com:8443/c/d?z=3' },
        { ...base, x_forwarded_for: '198.51.100.7, 10.0.0.1', uri: '/e?' },
        { ...base, remote_addr: '::ffff:192.0.2.1', request_uri: '/f?g=h?i' },
      ]),
    );
    expect(events.map((e) => [e.ip, e.path, e.query, e.host])).toEqual([
      ['2001:db8::1', '/a', 'x=1&y=2', undefined],
      ['2001:db8::2', '/b', undefined, undefined],
      ['203.0.113.5', '/c/d', 'z=3', 'api.example.com:8443'],
      ['198.51.100.7', '/e', undefined, undefined],
      ['192.0.2.1', '/f', 'g=h?i', undefined],
    ]);
  });

  it('a record spelled differently from the sample still maps (slow path)', () => {
    const a = Array.from({ length: DETECTION_SAMPLE }, (_, i) => ({ timestamp: 1709284502 + i, ip: '203.0.113.1', method: 'GET', path: '/a', status: 200 }));
    const b = { Time: '2024-03-01T09:20:00Z', ClientIP: '203.0.113.9', HTTPMethod: 'post', RequestURI: '/b?c=d', StatusCode: '201', UserName: 'zoe' };
    const { events } = run(records([...a, b]));
    expect(core(events[DETECTION_SAMPLE] as ApiEvent)).toEqual({
      ts: utc(2024, 3, 1, 9, 20), ip: '203.0.113.9', user: 'zoe', method: 'POST', path: '/b', query: 'c=d', status: 201, auth: 'unknown', format: 'flat',
    });
  });

  it('a field that first appears after the detection sample is still mapped', () => {
    const anon = (i: number, extra: Record<string, unknown> = {}) => ({ timestamp: 1709284502 + i, ip: '203.0.113.1', method: 'GET', path: `/p/${i}`, status: 200, ...extra });
    const values = [
      ...Array.from({ length: DETECTION_SAMPLE + 10 }, (_, i) => anon(i, i % 2 ? { user_id: '-' } : {})),
      anon(100, { user_id: 'u-7', role: 'admin', session_id: 's-1' }),
      anon(101, { user_id: 'u-8' }),
    ];
    const { events } = run(records(values));
    expect(events.slice(-3).map((e) => [e.user, e.roles, e.sessionId])).toEqual([
      [undefined, undefined, undefined],
      ['u-7', ['admin'], 's-1'],
      ['u-8', undefined, undefined],
    ]);
  });

  it('splitting a file changes nothing: each part maps its records exactly as the whole file does', () => {
    const lines = loadFixture('flat.ndjson').map((r) => r.value as Record<string, unknown>);
    // 60 anonymous records, then the fixture's records with users, roles, keys.
    const values = [
      ...Array.from({ length: 60 }, (_, i) => ({ timestamp: 1709284400 + i, ip: '203.0.113.9', method: 'GET', endpoint: '/health', status: 200 })),
      ...lines,
    ];
    const whole = run(records(values)).events.map(core);
    const parts = [values.slice(0, 55), values.slice(55)].flatMap((p) => run(records(p)).events.map(core));
    expect(parts).toEqual(whole);
    expect(whole.slice(60)).toEqual(run(loadFixture('flat.ndjson')).events.map(core));
  });

  it('unit-less latency: seconds when the file has small fractions, ms when integers', () => {
    const mk = (d: number) => ({ timestamp: 1709284502, path: '/x', status: 200, method: 'GET', duration: d });
    expect(run(records([mk(0.25), mk(1.5), mk(0.004)])).events.map((e) => e.latencyMs)).toEqual([250, 1500, 4]);
    expect(run(records([mk(25), mk(3), mk(120)])).events.map((e) => e.latencyMs)).toEqual([25, 3, 120]);
    expect(run(records([mk(2500000), mk(1500000), mk(900000)])).events.map((e) => e.latencyMs)).toEqual([2.5, 1.5, 0.9]);
  });

  it('explicit auth fields win over the status; API key secrets are never kept whole', () => {
    const { events } = run(
      records([
        { timestamp: 1709284502, path: '/login', method: 'POST', status: 200, login_success: false, api_key: 'abcdefgh12345678abcdefgh' },
        { timestamp: 1709284503, path: '/login', method: 'POST', status: 200, outcome: 'success', api_key_id: 'key-42' },
      ]),
    );
    expect(events.map((e) => e.auth)).toEqual(['failure', 'success']);
    expect(events[0]!.apiKey).toMatch(/^abcdefgh…\[REDACTED api-key len=24 sha256:[0-9a-f]{8}\]$/);
    expect(events[1]!.apiKey).toBe('key-42');
  });
});

describe('a key that is null in every sampled record', () => {
  // Anonymous requests first (user_id: null), a signed-in user after the first 50: the plan made on
  // the sample has no source for the user yet, and must take it when a record fills the key.
  const values = (timeKey: string) =>
    Array.from({ length: 80 }, (_, k) => ({ [timeKey]: 1741597200 + k, user_id: k < 60 ? null : 'alice', ip: '198.51.100.1', method: 'GET', path: `/api/v1/orders/${k}`, status: 200 }));

  it('is resolved when a later record fills it (flat)', () => {
    const { events } = run(records(values('timestamp')));
    expect(events.filter((e) => e.user === 'alice')).toHaveLength(20);
  });

  it('is resolved when a later record fills it (a custom mapping whose time comes from --map)', () => {
    const { events } = run(records(values('when')), { map: { ts: 'when' } });
    expect(events).toHaveLength(80);
    expect(events.filter((e) => e.user === 'alice')).toHaveLength(20);
  });
});

describe('skipped records', () => {
  it('no-timestamp records are counted and reported with file and line, capped per reason', () => {
    const good = { timestamp: '2024-03-01T09:15:02Z', ip: '203.0.113.1', method: 'GET', path: '/a', status: 200 };
    const values = [good, ...Array.from({ length: 25 }, (_, i) => ({ ip: '203.0.113.2', method: 'GET', path: `/n/${i}`, status: 200 })), good];
    const { events, n, issues } = run(records(values, 'app.log'));
    expect(events).toHaveLength(2);
    expect(n.skipped).toEqual({ 'no-timestamp': 25 });
    const lined = issues.filter((i) => i.line !== undefined);
    expect(lined).toHaveLength(ISSUES_PER_REASON);
    expect(lined.map((i) => i.line)).toEqual(Array.from({ length: ISSUES_PER_REASON }, (_, i) => i + 2));
    expect(lined[0]).toMatchObject({ kind: 'unmapped', file: 'app.log' });
    expect(lined[0]?.message).toMatch(/^no-timestamp: no usable timestamp \(flat looks for timestamp, @timestamp, time/);
    const tail = issues.filter((i) => i.line === undefined);
    expect(tail).toHaveLength(1);
    expect(tail[0]?.message).toContain('5 more records');
  });

  it('an unparsable timestamp is named in the message, without control characters', () => {
    const base = { ip: '203.0.113.1', method: 'GET', path: '/a', status: 200 };
    const { issues, n } = run(records([{ ...base, timestamp: '2024-03-01T09:15:02Z' }, { ...base, timestamp: 'yesterday\n\u001b[31m' }]));
    expect(n.skipped).toEqual({ 'no-timestamp': 1 });
    expect(issues[0]?.message).toBe('no-timestamp: "timestamp" holds "yesterday\\\\n\\\\u001b[31m", which is not a timestamp (flat); map another with --map ts=<path>');
  });

  it('non-objects are skipped with their own reason', () => {
    const { n, events } = run(records([1, 'text', null, [1, 2], { timestamp: 1709284502, path: '/x', status: 200, method: 'GET' }]));
    expect(events).toHaveLength(1);
    expect(n.skipped).toEqual({ 'not-an-object': 4 });
  });

  it('a record its format knows and sets aside is counted quietly and offered to no other format (django-structlog request_started)', () => {
    const started = (i: number) => ({
      request: `GET /api/v1/orders/${i}`, user_agent: 'curl/8.5.0', event: 'request_started', request_id: `r${i}`, ip: '203.0.113.10',
      timestamp: `2025-03-11T09:15:${String(10 + i).padStart(2, '0')}Z`, logger: 'django_structlog.middlewares.request', level: 'info',
    });
    const finished = (i: number) => ({ ...started(i), user_agent: undefined, event: 'request_finished', code: 200 });
    const flatLine = { timestamp: '2025-03-11T09:16:00Z', ip: '203.0.113.20', method: 'GET', path: '/health', status: 200 };
    const msg = 'request_started: django-structlog logs each request twice; the request_finished record is the one counted';
    // django-structlog the primary: request_started is not handed to the flat table, which would map it
    // as a second request (a timestamp, an ip and a request line); a real flat line still falls back.
    const a = run(records([started(1), finished(1), flatLine, started(2), finished(2)], 'app.log'));
    expect(a.n.detection()?.format).toBe('django-structlog');
    expect(a.events.map((e) => [e.format, e.path, e.userAgent])).toEqual([
      ['django-structlog', '/api/v1/orders/1', 'curl/8.5.0'],
      ['flat', '/health', undefined],
      ['django-structlog', '/api/v1/orders/2', 'curl/8.5.0'],
    ]);
    expect([a.n.skipped, a.issues]).toEqual([{ 'set-aside': 2 }, []]);
    expect((a.n as Normaliser).setAsideRecords()).toEqual([{ format: 'django-structlog', message: msg, count: 2, line: 1 }]);
    // Another format the primary (a mixed file): the format that knows the record sets it aside, whether
    // it is found for this record or is the one the last odd record went to.
    const nginx = loadFixture('nginx.ndjson').map((r) => r.value);
    const b = run(records([nginx[0], started(1), finished(1), nginx[1], started(2), finished(2), nginx[2], nginx[3], nginx[4]], 'mixed.log'));
    expect(b.n.detection()?.format).toBe('nginx');
    expect(b.events.map((e) => e.format)).toEqual(['nginx', 'django-structlog', 'nginx', 'django-structlog', 'nginx', 'nginx', 'nginx']);
    expect([b.n.skipped, b.issues]).toEqual([{ 'set-aside': 2 }, []]);
    expect((b.n as Normaliser).setAsideRecords()).toEqual([{ format: 'django-structlog', message: msg, count: 2, line: 2 }]);
  });

  it('set-aside records do not use up the issues listed for records that really did not map', () => {
    const unknown = (i: number) => ({ note: `not a request ${i}` });
    const values = [
      ...Array.from({ length: 10 }, (_, i) => caddyAccess(i)),
      ...Array.from({ length: 30 }, (_, i) => caddyStartup(i)),
      ...Array.from({ length: 25 }, (_, i) => unknown(i)),
      ...Array.from({ length: 20 }, (_, i) => caddyAccess(10 + i)),
    ];
    const { events, n, issues } = run(records(values, 'caddy.log'));
    expect(n.detection()?.format).toBe('caddy');
    expect(events).toHaveLength(30);
    expect(n.skipped).toEqual({ 'set-aside': 30, 'not-an-access-record': 25 });
    const lined = issues.filter((i) => i.line !== undefined);
    expect(lined.map((i) => i.line)).toEqual(Array.from({ length: ISSUES_PER_REASON }, (_, i) => i + 41));
    const tail = issues.filter((i) => i.line === undefined);
    expect(tail.map((i) => i.message)).toEqual([
      `not-an-access-record: 5 more records skipped for this reason (only the first ${ISSUES_PER_REASON} are listed)`,
    ]);
  });

  it('a file that matches nothing: detection is null and records are skipped', () => {
    const { n, events, issues } = run(records([{ a: 1 }, { b: 'x' }]));
    expect(n.detection()).toBeNull();
    expect(events).toHaveLength(0);
    expect(n.skipped).toEqual({ 'not-an-access-record': 2 });
    expect(issues[0]?.message).toContain('keys: a');
    expect(n.missingFields()).toContain('ts');
  });
});

describe('--format and --map', () => {
  const unknown = [
    { when: '2024-03-01T09:15:02Z', who: { name: 'alice' }, addr: '203.0.113.7', verb: 'get', uri: '/orders/1?x=1', code: 200 },
    { when: '2024-03-01T09:15:03Z', who: { name: 'bob' }, addr: '203.0.113.8', verb: 'POST', uri: '/login', code: '401' },
  ];

  it('an unknown format maps with --map (plus the alias table) and reports custom', () => {
    const without = run(records(unknown));
    expect(without.n.detection()).toBeNull();
    expect(without.events).toHaveLength(0);
    expect(without.n.skipped).toEqual({ 'no-timestamp': 2 });

    const { events, n } = run(records(unknown), { map: { ts: 'when', user: 'who.name', ip: 'addr', status: 'code' } });
    expect(n.detection()).toEqual({ format: 'custom', confidence: 1, votes: {} });
    expect(events.map(core)).toEqual([
      { ts: utc(2024, 3, 1, 9, 15, 2), ip: '203.0.113.7', user: 'alice', method: 'GET', path: '/orders/1', query: 'x=1', status: 200, auth: 'unknown', format: 'custom' },
      { ts: utc(2024, 3, 1, 9, 15, 3), ip: '203.0.113.8', user: 'bob', method: 'POST', path: '/login', status: 401, auth: 'failure', format: 'custom' },
    ]);
  });

  it('--format custom with only --map paths, including literal dotted keys and unit-named latency', () => {
    const values = [{ 'event.time': 1709284502123, actor: { 'login.name': 'carol' }, req: { line: 'DELETE /x/9 HTTP/1.1' }, res: 204, took: 1.5 }];
    const { events, n } = run(records(values), {
      format: 'custom',
      map: { timestamp: 'event.time', user: 'actor.login.name', path: 'req.line', status: 'res', latencyS: 'took' },
    });
    expect(n.detection()).toEqual({ format: 'custom', confidence: 1, votes: {} });
    expect(core(events[0] as ApiEvent)).toMatchObject({ ts: 1709284502123, user: 'carol', status: 204, latencyMs: 1500, format: 'custom' });
  });

  it('a request line mapped as the path (nginx $request under a custom key) gives the path, query and method', () => {
    const values = [
      { ts: '13/Mar/2025:08:10:07 +0100', fwd: '79.208.23.15', req: 'GET /portal/invoices/download?invoice_id=770153 HTTP/1.1', code: 200 },
      { ts: '13/Mar/2025:08:10:09 +0100', fwd: '79.208.23.15', req: 'POST https://portal.example/api/x HTTP/2.0', code: 201 },
      // Not a request line: a path that starts with a word stays as it is.
      { ts: '13/Mar/2025:08:10:10 +0100', fwd: '79.208.23.15', req: 'GETTER /x', method: 'PUT', code: 200 },
    ];
    const { events } = run(records(values), { map: { ts: 'ts', ip: 'fwd', path: 'req', status: 'code' } });
    expect(events.map((e) => [e.method, e.path, e.query, e.host])).toEqual([
      ['GET', '/portal/invoices/download', 'invoice_id=770153', undefined],
      ['POST', '/api/x', undefined, 'portal.example'],
      ['PUT', 'GETTER /x', undefined, undefined],
    ]);
    // The flat alias table reads a "request" key the same way.
    const flat = run(records([{ time: '2025-03-13T08:10:07Z', remote_addr: '79.208.23.15', request: 'DELETE /v1/items/5 HTTP/1.1', status: 204 }])).events;
    expect(flat.map((e) => [e.method, e.path])).toEqual([['DELETE', '/v1/items/5']]);
  });

  it('a field given two --map paths takes the first one a record holds (a folder of two gateways), and is unused only when neither is there', () => {
    const values = [
      { ts: '2025-03-13T08:00:00Z', path: '/a', status: 200, userId: 'u-1' },
      { ts: '2025-03-13T08:00:01Z', path: '/a', status: 200, jwt_sub: 'an.fischer' },
      { ts: '2025-03-13T08:00:02Z', path: '/a', status: 200, userId: 'u-2', jwt_sub: 'ignored' },
    ];
    const { events, issues } = run(records(values), { map: { user: `userId${MAP_PATH_SEPARATOR}jwt_sub` } });
    expect(events.map((e) => e.user)).toEqual(['u-1', 'an.fischer', 'u-2']);
    expect(issues.filter((i) => i.kind === 'map-unused')).toEqual([]);
    const none = run(records(values.map(({ userId: _u, jwt_sub: _j, ...rest }) => rest)), { map: { user: `userId${MAP_PATH_SEPARATOR}jwt_sub` } });
    expect(none.issues.filter((i) => i.kind === 'map-unused').map((i) => i.message)).toEqual([
      expect.stringMatching(/^--map user=userId --map user=jwt_sub: none of the first 3 records has "userId" or "jwt_sub"/),
    ]);
  });

  it('--map overrides a field of a detected format', () => {
    const recs = loadFixture('apigateway.ndjson');
    const { events } = run(recs, { map: { user: 'authorizer.claims.sub', requestId: 'extendedRequestId' } });
    expect(events.map((e) => [e.user, e.requestId])).toEqual([
      [undefined, 'CiBvFGjCoAMFkRA='],
      ['eca065fa-1c1e-4ad5-a1b0-2b2b2b2b2b2b', 'DdWzQG1xIAMFx5Q='],
      ['user-sub-123', 'Jx1yKjPlIAMEa6Q='],
      [undefined, 'Jx1yKjPlIAMEa6R='],
      [undefined, 'Jx1yKjPlIAMEa6S='],
    ]);
  });

  it('--map paths are matched case-insensitively when the exact spelling is absent', () => {
    const { events } = run(records([{ Timestamp: 1709284502, Path: '/x', Status: 200, Method: 'GET', Who: 'dan' }]), { map: { user: 'who' } });
    expect(events[0]?.user).toBe('dan');
  });

  it('--format forces a format: other records are skipped, not re-detected', () => {
    const recs = [...loadFixture('kong.ndjson'), ...loadFixture('nginx.ndjson')];
    const { events, n, issues } = run(recs, { format: 'kong' });
    expect(n.detection()).toEqual({ format: 'kong', confidence: 0.5, votes: {} });
    expect(events).toHaveLength(5);
    expect(n.skipped).toEqual({ 'not-an-access-record': 5 });
    expect(issues[0]?.message).toContain('does not match the forced format kong');
  });

  it('rejects unknown format names and unknown canonical fields', () => {
    expect(() => createNormaliser({ file: 'f', format: 'apache' }, () => undefined)).toThrow(/unknown format "apache".*kong/);
    expect(() => createNormaliser({ file: 'f', map: { usr: 'x' } }, () => undefined)).toThrow(/unknown canonical field "usr"/);
    expect(() => createNormaliser({ file: 'f', map: { user: ' ' } }, () => undefined)).toThrow(/non-empty/);
  });
});

describe('robustness', () => {
  it('any JSON value: never throws; every event has a finite ts and a request field', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 60 }), (values) => {
        const { events, n } = run(records(values));
        const skipped = Object.values(n.skipped).reduce((a, b) => a + b, 0);
        expect(events.length + skipped).toBe(values.length);
        for (const e of events) {
          expect(Number.isFinite(e.ts)).toBe(true);
          expect(e.method !== undefined || e.path !== undefined || e.status !== undefined || e.route !== undefined || e.action !== undefined).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('access-like random records never throw and keep canonical types', () => {
    const anyScalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant('-'));
    const rec = fc.record(
      { timestamp: anyScalar, ip: anyScalar, user_id: anyScalar, method: anyScalar, path: anyScalar, status: anyScalar, bytes: anyScalar, duration: anyScalar, role: fc.oneof(anyScalar, fc.array(anyScalar)) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 60 }), (values) => {
        for (const e of run(records(values)).events) {
          if (e.status !== undefined) expect(Number.isInteger(e.status)).toBe(true);
          if (e.method !== undefined) expect(e.method).toBe(e.method.toUpperCase());
          if (e.latencyMs !== undefined) expect(e.latencyMs).toBeGreaterThanOrEqual(0);
          if (e.roles !== undefined) expect(e.roles.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
          for (const v of Object.values(core(e))) expect(v === null || v === '' || v === '-').toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('blankEvent', () => {
  it('has every canonical field and slot, all undefined, on the plain Object prototype', () => {
    const e = blankEvent();
    expect(Object.keys(e)).toEqual([...CANONICAL_FIELDS, ...EVENT_BOOKKEEPING_KEYS]);
    expect(Object.values(e).every((v) => v === undefined)).toBe(true);
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
    expect(blankEvent()).not.toBe(e);
  });

  it('gives events of one format the same keys in the same order, whichever fields a record carries', () => {
    const { events } = run(
      records([
        { timestamp: '2024-03-01T10:00:00Z', user: 'alice', method: 'GET', path: '/a', status: 200 },
        { timestamp: '2024-03-01T10:00:01Z', ip: '203.0.113.9', path: '/b', status: 404 },
      ]),
    );
    expect(events).toHaveLength(2);
    expect(Object.keys(events[0]!)).toEqual(Object.keys(events[1]!));
  });
});

describe('timestamps without a UTC offset (--input-tz)', () => {
  const recs = (times: Array<string | number>) =>
    records(times.map((t, i) => ({ timestamp: t, path: `/orders/${i}`, status: 200, method: 'GET', ip: '203.0.113.9' })));

  it('are read as UTC by default, and counted', () => {
    const { events, n } = run(recs(['2024-07-15 10:00:00', '2024-07-15T10:00:01Z', '15/Jul/2024:10:00:02']));
    expect(events.map((e) => e.ts)).toEqual([utc(2024, 7, 15, 10), utc(2024, 7, 15, 10, 0, 1), utc(2024, 7, 15, 10, 0, 2)]);
    expect([n.timesWithoutOffset, n.inputTz]).toEqual([2, 'UTC']);
  });

  it('are read in the zone --input-tz names; times with an offset and epoch numbers are left as they are', () => {
    const { events, n } = run(recs(['2024-07-15 10:00:00', '2024-01-15 10:00:00', '2024-07-15T10:00:01Z', 1721037602, '15/Jul/2024:10:00:03 +0000']), {
      inputTz: 'Europe/Berlin',
    });
    expect(events.map((e) => e.ts)).toEqual([utc(2024, 7, 15, 8), utc(2024, 1, 15, 9), utc(2024, 7, 15, 10, 0, 1), utc(2024, 7, 15, 10, 0, 2), utc(2024, 7, 15, 10, 0, 3)]);
    expect([n.timesWithoutOffset, n.inputTz]).toEqual([2, 'Europe/Berlin']);
  });

  it('a --map ts override that holds no time leaves the format time and its zone reading alone', () => {
    const values = [{ timestamp: '2024-07-15 10:00:00', when: 'soon', path: '/a', status: 200, method: 'GET', ip: '203.0.113.9' }];
    const { events } = run(records(values), { map: { ts: 'when' }, inputTz: 'America/New_York' });
    expect(events.map((e) => e.ts)).toEqual([utc(2024, 7, 15, 14)]);
  });
});

describe('confidence when nothing voted', () => {
  it('a forced format that reads none of the records says 0, one that reads half says 0.5', () => {
    const kong = loadFixture('kong.ndjson');
    const nginx = loadFixture('nginx.ndjson');
    expect(run(nginx, { format: 'caddy' }).n.detection()).toEqual({ format: 'caddy', confidence: 0, votes: {} });
    expect(run([...kong, ...nginx], { format: 'kong' }).n.detection()?.confidence).toBe(0.5);
  });
});
