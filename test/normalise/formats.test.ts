/**
 * One test per supported format: the fixture goes through createNormaliser with NO forced
 * format; detection must pick the format, and every canonical field the format carries is
 * asserted with its exact value.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describeRecords, listFormats } from '../../src/normalise/index.js';
import { FORMATS } from '../../src/normalise/formats/index.js';
import { core, fixturePath, loadFixture, records, run, utc } from './helpers.js';

function detectAndMap(fixture: string, format: string, minConfidence = 1) {
  const res = run(loadFixture(fixture));
  const d = res.n.detection();
  expect(d?.format).toBe(format);
  expect(d?.confidence).toBeGreaterThanOrEqual(minConfidence);
  for (const e of res.events) expect(e.format).toBe(format);
  return { ...res, cores: res.events.map(core) };
}

describe('format fixtures (auto-detected, exact fields)', () => {
  it('flat: security write-up style with mixed shapes', () => {
    const { cores, n } = detectAndMap('flat.ndjson', 'flat');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', user: 'u-1001', roles: ['admin'], sessionId: 's-aa1',
        method: 'GET', path: '/api/orders/1001', query: 'expand=items', host: 'shop.example.com', status: 200, bytesOut: 5120,
        latencyMs: 42, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', requestId: 'req-0001', auth: 'unknown', format: 'flat',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '203.0.113.11', user: 'u-1002', roles: ['customer', 'beta'], method: 'POST',
        path: '/api/login', status: 401, bytesOut: 87, latencyMs: 15, userAgent: 'curl/8.4.0', requestId: 'req-0002',
        auth: 'failure', format: 'flat',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '203.0.113.11', user: 'u-1002', roles: ['customer', 'beta'], apiKey: 'sk_live_…[REDACTED stripe-key len=32 sha256:78a08441]',
        method: 'POST', path: '/api/login', status: 200, latencyMs: 18.5, requestId: 'req-0003', auth: 'success', format: 'flat',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '2001:db8::1', user: 'u-1003', method: 'DELETE', path: '/api/orders/1002',
        host: 'shop.example.com', status: 204, latencyMs: 7, requestId: 'req-0004', auth: 'unknown', format: 'flat',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '198.51.100.7', user: 'u-1004', method: 'GET', path: '/api/users/7/profile',
        status: 403, latencyMs: 3, userAgent: 'python-requests/2.31.0', auth: 'failure', format: 'flat',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 7), ip: '2001:db8::2', user: 'u-1005', roles: ['support', 'admin'], method: 'PUT',
        path: '/api/users/8', status: 200, latencyMs: 12, country: 'DE', auth: 'unknown', format: 'flat',
      },
    ]);
    expect(n.missingFields()).toEqual(['route', 'bytesIn', 'action']);
  });

  it('flat: pino-http (nested req/res, ::ffff: mapped address, startup line skipped)', () => {
    const { cores, n, issues } = detectAndMap('flat-pino.ndjson', 'flat', 0.8);
    expect(n.skipped).toEqual({ 'not-an-access-record': 1 });
    expect(issues[0]).toMatchObject({ kind: 'unmapped', line: 1 });
    expect(cores[0]).toEqual({
      ts: 1709284502120, ip: '203.0.113.10', method: 'GET', path: '/api/orders/1001', query: 'expand=items',
      host: 'shop.example.com', status: 200, latencyMs: 42, userAgent: 'Mozilla/5.0', requestId: '1', auth: 'unknown', format: 'flat',
    });
    expect(cores.map((e) => [e.ip, e.status, e.auth])).toEqual([
      ['203.0.113.10', 200, 'unknown'],
      ['203.0.113.11', 401, 'failure'],
      ['203.0.113.11', 200, 'success'],
      ['::1', 403, 'failure'],
      ['2001:db8::3', 204, 'unknown'],
    ]);
  });

  it('flat: pino-http behind a proxy: a private peer gives way to the first X-Forwarded-For hop; a public peer does not', () => {
    const rec = (remoteAddress: string, xff?: string) => ({
      level: 30, time: 1709284502120, req: { id: 1, method: 'GET', url: '/api/orders/1', headers: { host: 'shop.example.com', ...(xff ? { 'x-forwarded-for': xff } : {}) }, remoteAddress },
      res: { statusCode: 200 }, responseTime: 4,
    });
    const { events } = run(records([
      rec('::ffff:10.42.0.1', '31.17.44.201, 10.42.0.7'),
      rec('127.0.0.1', 'unknown, 31.17.44.202'),
      rec('81.2.69.160', '6.6.6.6'),
      rec('10.42.0.1'),
    ]));
    expect(events.map((e) => e.ip)).toEqual(['31.17.44.201', '31.17.44.202', '81.2.69.160', '10.42.0.1']);
    // formats detect names the source it took.
    const source = (r: ReturnType<typeof rec>) => describeRecords(records([r])).perField.find((f) => f.field === 'ip')?.sourcePath;
    expect(source(rec('::ffff:10.42.0.1', '31.17.44.201'))).toBe('req.headers.x-forwarded-for');
    expect(source(rec('81.2.69.160', '6.6.6.6'))).toBe('req.remoteAddress');
  });

  it("flat: logstash-logback-encoder's access events (Spring Boot): requested_uri is the path, elapsed_time milliseconds", () => {
    const rec = {
      '@timestamp': '2025-09-04T21:30:00.000Z', '@version': '1', message: 'request', logger_name: 'access', level: 'INFO', remote_host: '81.2.69.14',
      principal: 'alice', method: 'GET', requested_uri: '/api/v2/invoices/50001', protocol: 'HTTP/1.1', status_code: 200, content_length: 2100,
      elapsed_time: 12,
    };
    const { events } = run(records([rec]));
    expect(events[0]).toMatchObject({ format: 'flat', ip: '81.2.69.14', user: 'alice', method: 'GET', path: '/api/v2/invoices/50001', status: 200, bytesOut: 2100, latencyMs: 12 });
  });

  it("envoy: a custom format naming the request-id header the way Istio names x_forwarded_for (x_request_id) gives the request id", () => {
    const rec = {
      start_time: '2025-09-04T21:30:00.000Z', method: 'GET', path: '/items/7', response_code: 200, response_flags: '-', bytes_sent: 120, duration: 4,
      downstream_remote_address: '81.2.69.14:51000', x_request_id: '9f1c2d3e-aaaa-4bbb-8ccc-0123456789ab',
    };
    const { events } = run(records([rec]));
    expect(events[0]).toMatchObject({ format: 'envoy', ip: '81.2.69.14', requestId: '9f1c2d3e-aaaa-4bbb-8ccc-0123456789ab' });
  });

  it('one odd record does not make the whole file another format (nginx stays nginx; its request_time is no timestamp)', () => {
    const line = (k: number) => ({
      time_iso8601: new Date(Date.UTC(2025, 5, 2, 8, 0, k)).toISOString(), remote_addr: '203.0.113.10', request_method: 'GET',
      request_uri: `/api/orders/${k}`, status: '200', body_bytes_sent: '512', request_time: '0.042', http_user_agent: 'curl/8.4.0',
    });
    const lines: Record<string, unknown>[] = Array.from({ length: 50 }, (_, k) => line(k));
    const { time_iso8601, ...rest } = line(7);
    lines[7] = { ts: time_iso8601, ...rest };
    const { events } = run(records(lines));
    expect(new Set(events.map((e) => e.format))).toEqual(new Set(['nginx']));
    expect(events.every((e) => e.ts >= Date.UTC(2025, 5, 2))).toBe(true);
  });

  it('any format behind a proxy: a private peer gives way to the X-Forwarded-For the record carries, wherever it keeps it', () => {
    // ingress-nginx's escape=json log (flat), Kong behind a load balancer, Caddy behind one: each
    // logs the balancer as the peer on every line, and the client only in the header.
    const nginx = { time: '2025-06-02T08:01:27.650+00:00', remote_addr: '10.1.0.4', x_forwarded_for: '185.220.101.7, 10.1.0.4', method: 'POST', path: '/api/v1/auth/login', status: 401 };
    const kong = {
      request: { method: 'POST', uri: '/api/v1/auth/login', headers: { host: 'api.acme.io', 'x-forwarded-for': '185.220.101.7, 10.0.0.3' } },
      response: { status: 401 }, client_ip: '10.0.0.3', started_at: 1748863800000, latencies: { request: 20 }, route: { name: 'auth' },
    };
    const caddy = {
      level: 'info', ts: 1748863800, logger: 'http.log.access', msg: 'handled request', status: 401,
      request: { remote_ip: '10.0.0.3', method: 'POST', host: 'api.acme.io', uri: '/api/v1/auth/login', headers: { 'X-Forwarded-For': ['185.220.101.7'] } },
    };
    for (const [rec, format, path] of [
      [nginx, 'flat', 'x_forwarded_for'],
      [kong, 'kong', 'request.headers.x-forwarded-for'],
      [caddy, 'caddy', 'request.headers.X-Forwarded-For'],
    ] as const) {
      const { events } = run(records([rec]));
      expect(events.map((e) => [e.format, e.ip])).toEqual([[format, '185.220.101.7']]);
      expect(describeRecords(records([rec])).perField.find((f) => f.field === 'ip')?.sourcePath).toBe(path);
    }
    // Hops the client wrote itself in front of the proxy's entry do not stand in for it (a stuffing
    // run sending a random X-Forwarded-For each time would pass as many clients).
    expect(run(records([{ ...nginx, x_forwarded_for: '6.6.6.6, 185.220.101.7, 10.1.0.4' }])).events[0]!.ip).toBe('185.220.101.7');
    // A public peer is kept (a client cannot talk its way past the address the server saw); so is
    // a private peer without the header, and the peer the user names with --map.
    expect(run(records([{ ...nginx, remote_addr: '81.2.69.160' }])).events[0]!.ip).toBe('81.2.69.160');
    expect(run(records([{ ...nginx, x_forwarded_for: undefined }])).events[0]!.ip).toBe('10.1.0.4');
    expect(run(records([nginx]), { map: { ip: 'remote_addr' } }).events[0]!.ip).toBe('10.1.0.4');
    // Unique-local IPv6 and carrier-grade NAT peers are proxies too; 100.128.0.1 is public.
    expect(run(records([{ ...nginx, remote_addr: 'fd00:ec2::254' }, { ...nginx, remote_addr: '100.64.3.9' }, { ...nginx, remote_addr: '100.128.0.1' }])).events.map((e) => e.ip)).toEqual([
      '185.220.101.7', '185.220.101.7', '100.128.0.1',
    ]);
  });

  it('flat: Go slog (no ip or user, nanosecond RFC 3339)', () => {
    const { cores } = detectAndMap('flat-slog.ndjson', 'flat', 0.8);
    expect(cores[0]).toEqual({
      ts: utc(2024, 3, 1, 9, 15, 2, 120), method: 'GET', path: '/api/orders/1001', status: 200, bytesOut: 5120, latencyMs: 42.7,
      userAgent: 'Go-http-client/1.1', requestId: '9f1c0001', auth: 'unknown', format: 'flat',
    });
    expect(cores.map((e) => e.ts)).toEqual([
      utc(2024, 3, 1, 9, 15, 2, 120), utc(2024, 3, 1, 9, 15, 3, 500), utc(2024, 3, 1, 9, 15, 4), utc(2024, 3, 1, 9, 15, 5),
      utc(2024, 3, 1, 9, 15, 6),
    ]);
    expect(cores[3]).toMatchObject({ path: '/api/orders', query: 'page=2' });
  });

  it("flat: python-json-logger (logging's asctime: no offset, comma before the milliseconds)", () => {
    const { cores } = detectAndMap('flat-python-json-logger.ndjson', 'flat', 0.7);
    expect(cores[0]).toEqual({
      ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', user: 'alice', method: 'GET', path: '/api/orders/1001', status: 200,
      bytesOut: 5120, latencyMs: 42.7, userAgent: 'python-requests/2.31.0', requestId: 'c0ffee01', auth: 'unknown', format: 'flat',
    });
    expect(cores.map((e) => e.ts)).toEqual([utc(2024, 3, 1, 9, 15, 2, 120), utc(2024, 3, 1, 9, 15, 3, 500), utc(2024, 3, 1, 9, 15, 4)]);
    expect(cores[2]).toMatchObject({ path: '/api/login', status: 401, auth: 'failure' });
  });

  it("flat: python-json-logger with logging's %(created)f (epoch seconds as a float) as its only time", () => {
    const { cores } = detectAndMap('flat-python-created.ndjson', 'flat', 0.7);
    expect(cores.map((e) => e.ts)).toEqual([utc(2024, 3, 1, 9, 15, 2, 120), utc(2024, 3, 1, 9, 15, 3, 500), utc(2024, 3, 1, 9, 15, 4)]);
    expect(cores[2]).toMatchObject({ user: 'bob', path: '/api/login', status: 401, auth: 'failure', format: 'flat' });
  });

  it('ecs: nested, dotted and mixed keys; event.outcome only on authentication events', () => {
    const { cores } = detectAndMap('ecs.ndjson', 'ecs');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', user: 'alice', roles: ['admin'], method: 'GET',
        path: '/api/orders/1001', query: 'expand=items', host: 'shop.example.com', status: 200, bytesOut: 5120, bytesIn: 0,
        latencyMs: 42, userAgent: 'Mozilla/5.0', requestId: 'req-e1', country: 'NL', auth: 'unknown', format: 'ecs',
      },
      {
        ts: utc(2024, 3, 1, 9, 16), ip: '198.51.100.20', user: 'u-77', method: 'POST', path: '/api/login', query: 'next=%2Fhome',
        status: 200, latencyMs: 1.5, userAgent: 'curl/8.4.0', auth: 'failure', format: 'ecs',
      },
      {
        ts: utc(2024, 3, 1, 9, 17, 0, 500), ip: '2001:db8::5', user: 'u-78', method: 'DELETE', path: '/v1/items/5',
        query: 'force=true', host: 'api.example.com', status: 403, latencyMs: 2, auth: 'failure', format: 'ecs',
      },
      {
        ts: utc(2024, 3, 1, 9, 18), ip: '203.0.113.12', method: 'GET', path: '/.env', status: 404, bytesOut: 310, bytesIn: 220,
        userAgent: 'zgrab/0.x', requestId: 'tx-404', auth: 'unknown', format: 'ecs',
      },
      {
        ts: utc(2024, 3, 1, 9, 19), ip: '198.51.100.20', user: 'u-77', method: 'POST', path: '/api/login', status: 200,
        latencyMs: 0.8, requestId: '4bf92f3577b34da6a3ce929d0e0e4736', auth: 'success', format: 'ecs',
      },
    ]);
  });

  it('otel: flattened OTLP log records and spans (stable, pre-1.21 and array attributes)', () => {
    const { cores, n } = detectAndMap('otel.ndjson', 'otel', 0.8);
    expect(n.skipped).toEqual({ 'not-an-access-record': 1 });
    expect(cores).toEqual([
      {
        ts: 1709284502120, ip: '203.0.113.10', user: 'u-1001', roles: ['admin', 'ops'], sessionId: 's-aa1', method: 'GET',
        path: '/api/orders/1001', route: '/api/orders/{id}', query: 'expand=items', host: 'shop.example.com', status: 200,
        bytesOut: 5120, bytesIn: 0, latencyMs: 42, userAgent: 'Mozilla/5.0', requestId: '5b8efff798038103d269b633813fc60c',
        auth: 'unknown', format: 'otel',
      },
      {
        ts: 1709284503500, ip: '203.0.113.11', method: 'POST', path: '/api/login', route: '/api/login', status: 401,
        userAgent: 'curl/8.4.0', requestId: '0af7651916cd43dd8448eb211c80319c', latencyMs: 15.25, auth: 'failure', format: 'otel',
      },
      {
        ts: 1709284504000, ip: '198.51.100.20', user: 'svc-sync', method: 'PUT', path: '/api/users/8', query: 'notify=1',
        host: 'api.example.com', status: 200, bytesOut: 64, bytesIn: 321, userAgent: 'okhttp/4.12.0',
        requestId: '1e223ff1f80f1c69f8f0b81c1a2d32ad', auth: 'unknown', format: 'otel',
      },
      {
        ts: 1709284505000, ip: '2001:db8::9', method: 'GET', path: '/api/health', status: 200,
        requestId: '8a3c60f7d188f8fa79d48a391a778fa6', auth: 'unknown', format: 'otel',
      },
      {
        ts: 1709284507000, ip: '203.0.113.10', method: 'GET', path: '/api/orders', query: 'page=2', host: 'shop.example.com',
        status: 200, requestId: 'd4cda95b652f4a1592b449d5929fda1b', auth: 'unknown', format: 'otel',
      },
    ]);
  });

  it('otel: semantic-convention keys at top level (dotted and nested)', () => {
    const { cores } = detectAndMap('otel-keys.ndjson', 'otel');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', user: 'u-1001', method: 'GET', path: '/api/orders/1001',
        route: '/api/orders/{id}', query: 'expand=items', status: 200, userAgent: 'Mozilla/5.0',
        requestId: '5b8efff798038103d269b633813fc60c', auth: 'unknown', format: 'otel',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '203.0.113.11', method: 'POST', path: '/api/login', status: 401,
        userAgent: 'curl/8.4.0', auth: 'failure', format: 'otel',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '198.51.100.20', method: 'DELETE', path: '/api/orders/1002', route: '/api/orders/{id}',
        status: 204, auth: 'unknown', format: 'otel',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '2001:db8::9', user: 'svc-report', method: 'GET', path: '/api/orders', query: 'page=2',
        host: 'shop.example.com', status: 200, auth: 'unknown', format: 'otel',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '203.0.113.10', method: 'PATCH', path: '/api/orders/1003', status: 200, bytesOut: 64,
        bytesIn: 128, auth: 'unknown', format: 'otel',
      },
    ]);
  });

  it('flat: a request nested in an `http` object (in-house logger), not otel although http.method / http.status_code spell OTel names', () => {
    const { cores, n } = detectAndMap('flat-nested-http.ndjson', 'flat', 5 / 6);
    expect(n.detection()).toEqual({ format: 'flat', confidence: 5 / 6, votes: { flat: 5 } });
    expect(n.skipped).toEqual({ 'not-an-access-record': 1 });
    expect(cores).toEqual([
      {
        ts: 1748851375000, ip: '86.12.44.3', method: 'GET', path: '/api/v1/products/107', status: 200, bytesOut: 561, latencyMs: 73,
        userAgent: 'okhttp/4.12.0', requestId: '8c2720a2ea99889a0ea36320561fe87f', auth: 'unknown', format: 'flat',
      },
      {
        ts: 1748851515000, ip: '92.40.8.17', method: 'GET', path: '/api/v1/search', query: 'q=shoes&page=2', status: 200, bytesOut: 564,
        latencyMs: 151, userAgent: 'AcmeMobile/3.2 (iOS 17.5)', requestId: '803f6bfefd2c45b16276dffd044805ad', auth: 'unknown', format: 'flat',
      },
      {
        ts: 1748863817000, ip: '185.220.101.7', method: 'POST', path: '/api/v1/auth/login', status: 401, bytesOut: 48, latencyMs: 30,
        userAgent: 'python-requests/2.31.0', requestId: '2f9c1d7a6b0e4c3d8a5f1e2d3c4b5a69', auth: 'failure', format: 'flat',
      },
      {
        ts: 1748863819000, ip: '185.220.101.7', method: 'POST', path: '/api/v1/auth/login', status: 401, bytesOut: 48, latencyMs: 29,
        userAgent: 'python-requests/2.31.0', requestId: '7e6d5c4b3a291807f6e5d4c3b2a19080', auth: 'failure', format: 'flat',
      },
      {
        ts: 1748864000000, ip: '151.101.1.5', method: 'PUT', path: '/api/v1/me', status: 204, bytesOut: 0, latencyMs: 163,
        userAgent: 'Mozilla/5.0', requestId: '87ec7006461f22578209a818c7b1ee81', auth: 'unknown', format: 'flat',
      },
    ]);
  });

  it('flat: Datadog standard attributes (http.url, http.status_code, network.client.ip, usr.*, duration in ns), not otel', () => {
    const { cores, n } = detectAndMap('flat-datadog.ndjson', 'flat', 0.8);
    expect(n.detection()).toEqual({ format: 'flat', confidence: 0.8, votes: { flat: 4 } });
    expect(cores).toEqual([
      {
        ts: utc(2025, 6, 2, 8, 4, 53, 760), ip: '92.40.8.17', user: 'carol', method: 'GET', path: '/api/v1/orders/5002', query: 'expand=items',
        host: 'api-7d9f', status: 200, bytesOut: 800, latencyMs: 12, userAgent: 'okhttp/4.12.0', requestId: 'r32', auth: 'unknown', format: 'flat',
      },
      {
        ts: utc(2025, 6, 2, 8, 6, 53, 679), ip: '45.133.1.77', user: 'bob@acme.io', method: 'POST', path: '/api/v1/login', host: 'api-7d9f',
        status: 401, bytesOut: 48, latencyMs: 3.5, userAgent: 'curl/8.5.0', requestId: 'r33', auth: 'failure', format: 'flat',
      },
      {
        ts: utc(2025, 6, 2, 8, 7, 0, 1), ip: '2001:db8::7', user: 'alice', method: 'GET', path: '/api/v1/me', host: 'api-7d9f', status: 200,
        bytesOut: 312, bytesIn: 0, latencyMs: 0.8, userAgent: 'okhttp/4.12.0', requestId: 'r34', auth: 'unknown', format: 'flat',
      },
      {
        ts: utc(2025, 6, 2, 8, 8, 11, 500), ip: '86.12.44.3', user: 'bob', method: 'DELETE', path: '/api/v1/orders/5001', host: 'api-7d9f',
        status: 403, bytesOut: 0, latencyMs: 1.2, userAgent: 'okhttp/4.12.0', requestId: 'r35', auth: 'failure', format: 'flat',
      },
    ]);
  });

  it('otel: pre-1.21 names select otel as dotted keys only; nested, with no OTel-only name beside them, they are left to flat', () => {
    const otel = FORMATS.find((f) => f.id === 'otel')!;
    const dotted = { timestamp: '2024-03-01T09:15:03Z', 'http.method': 'GET', 'http.status_code': 200, 'http.target': '/a' };
    const nested = { timestamp: '2024-03-01T09:15:03Z', http: { method: 'GET', status_code: 200, target: '/a' } };
    const nestedStable = { timestamp: '2024-03-01T09:15:03Z', http: { request: { method: 'GET' } }, client: { address: '203.0.113.9' } };
    expect([otel.detect(dotted), otel.detect(nested), otel.detect(nestedStable)]).toEqual([0.75, 0, 0.75]);
    // OTel names at top level with the time under a name of the logger's own: read, not skipped.
    const { events, n } = run(records([{ ts: '2024-03-01T09:15:03Z', 'http.request.method': 'GET', 'url.path': '/a', 'http.response.status_code': 200 }]));
    expect(n.detection()).toEqual({ format: 'otel', confidence: 1, votes: { otel: 1 } });
    expect(events.map(core)).toEqual([{ ts: utc(2024, 3, 1, 9, 15, 3), method: 'GET', path: '/a', status: 200, auth: 'unknown', format: 'otel' }]);
  });

  it('apigateway: console preset, Lambda authorizer, HTTP API routeKey, literal dotted keys', () => {
    const { cores, n } = detectAndMap('apigateway.ndjson', 'apigateway');
    expect(cores).toEqual([
      {
        ts: utc(2021, 7, 15, 5, 35, 16), ip: '198.51.100.34', apiKey: '**********************************iFNdgS', method: 'GET',
        route: '/', status: 200, bytesOut: 1309, requestId: '80aa583d-6caa-42e8-ab43-98e5c4341215', auth: 'unknown',
        format: 'apigateway',
      },
      {
        ts: 1680997508004, ip: '203.0.113.61', user: 'eca065fa-1c1e-4ad5-a1b0-2b2b2b2b2b2b', method: 'GET',
        path: '/main/v1/booking-service', route: '/v1/booking-service', host: 'api.example.com', status: 200, bytesOut: 9,
        latencyMs: 23, requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', auth: 'success', format: 'apigateway',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 2), ip: '203.0.113.50', user: 'user-sub-123', method: 'POST', path: '/orders/17',
        route: '/orders/{id}', status: 403, bytesOut: 42, userAgent: 'curl/8.4.0', requestId: 'Jx1yKjPlIAMEa6Q=', auth: 'denied',
        format: 'apigateway',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3), ip: '203.0.113.51', apiKey: 'abc123keyid', method: 'GET', path: '/prod/v1/items',
        route: '/v1/items', status: 403, userAgent: 'python-requests/2.31.0', requestId: 'Jx1yKjPlIAMEa6R=', auth: 'failure',
        format: 'apigateway',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '2001:db8::52', method: 'GET', route: '$default', status: 200, bytesOut: 512,
        latencyMs: 7, requestId: 'Jx1yKjPlIAMEa6S=', auth: 'unknown', format: 'apigateway',
      },
    ]);
    expect(n.missingFields()).toContain('query');
  });

  it('apigateway: an HTTP API template that names the JWT subject jwtSub maps it as the user', () => {
    const http = { requestId: 'Kx1', ip: '203.0.113.9', requestTime: '01/Mar/2024:09:15:02 +0000', routeKey: 'GET /users/{id}', status: '200', jwtSub: 'c0ffee-42', jwtScope: 'read' };
    const { events } = run(records([http, { ...http, requestId: 'Kx2', jwtSub: undefined, jwt_sub: 'c0ffee-43' }]), { format: 'apigateway' });
    expect(events.map((e) => [e.format, e.user])).toEqual([['apigateway', 'c0ffee-42'], ['apigateway', 'c0ffee-43']]);
  });

  it('cloudtrail: action, roles, readOnly stand-in, ConsoleLogin, errorCode, non-IP source', () => {
    const { cores } = detectAndMap('cloudtrail.json', 'cloudtrail');
    expect(cores).toEqual([
      {
        ts: utc(2020, 9, 14, 1, 2, 34), ip: '198.51.100.77',
        user: 'arn:aws:sts::123456789012:assumed-role/BankingWAFRole/i-0317f6c6b66ae9c40', apiKey: 'ASIA5FLZVX4OPVKKVBMX',
        method: 'GET', query: 'bucketName=mordor-bucket&Host=mordor-bucket.s3.amazonaws.com&key=ring.txt',
        host: 'mordor-bucket.s3.amazonaws.com', bytesOut: 1024, bytesIn: 0,
        userAgent: '[aws-cli/1.18.136 Python/3.8.5 Darwin/19.5.0 botocore/1.17.59]', requestId: 'A471D1060ED5FD07',
        action: 's3.amazonaws.com:GetObject', roles: ['AssumedRole', 'arn:aws:iam::123456789012:role/BankingWAFRole'],
        auth: 'success', format: 'cloudtrail', // no errorCode: the call went through
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 2), ip: '203.0.113.5', user: 'arn:aws:iam::123456789012:user/alice', method: 'POST',
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', requestId: '3fcfb0e4-2b1c-4d5e-9f60-1a2b3c4d5e6f',
        action: 'signin.amazonaws.com:ConsoleLogin', roles: ['IAMUser'], auth: 'failure', format: 'cloudtrail',
      },
      {
        ts: utc(2024, 3, 1, 9, 16, 10), ip: '203.0.113.5', user: 'arn:aws:iam::123456789012:user/alice',
        apiKey: 'AKIAIOSFODNN7EXAMPLE', method: 'POST', userAgent: 'aws-cli/2.15.0 Python/3.11.6',
        requestId: 'f0a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b', action: 'iam.amazonaws.com:CreateUser', roles: ['IAMUser'],
        // AccessDenied: authenticated, not allowed (an InvalidClientTokenId would be a failure).
        auth: 'denied', format: 'cloudtrail',
      },
      {
        ts: utc(2024, 3, 1, 9, 17), user: 'ec2.amazonaws.com', method: 'GET',
        query: 'roleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FBankingWAFRole&roleSessionName=i-0317f6c6b66ae9c40',
        userAgent: 'ec2.amazonaws.com', requestId: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', action: 'sts.amazonaws.com:AssumeRole',
        roles: ['AWSService'], auth: 'success', format: 'cloudtrail',
      },
      {
        ts: utc(2024, 3, 1, 23, 40), ip: '2001:db8::77', user: 'arn:aws:iam::123456789012:root', method: 'POST',
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)', requestId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
        action: 'signin.amazonaws.com:ConsoleLogin', roles: ['Root'], auth: 'success', format: 'cloudtrail',
      },
    ]);
  });

  it("kong: a header written in another case in some records (User-Agent beside user-agent) is still read", () => {
    const recs = loadFixture('kong.ndjson');
    const shouty = recs.map((r, i) => {
      if (i % 2 === 0) return r;
      const v = structuredClone(r.value) as { request: { headers: Record<string, unknown> } };
      const h = v.request.headers;
      v.request.headers = Object.fromEntries(Object.entries(h).map(([k, x]) => [k.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-'), x]));
      return { ...r, value: v };
    });
    const want = run(recs).events.map(core);
    const got = run(shouty).events.map(core);
    expect(want.filter((e) => e.userAgent !== undefined).length).toBeGreaterThanOrEqual(4);
    expect(got).toEqual(want);
  });

  it('flat (pino-http): the header spelled User-Agent in the first records and user-agent in later ones is read in both', () => {
    const rec = (i: number, name: string) => ({ time: 1717430400000 + i * 1000, req: { method: 'GET', url: `/api/x/${i}`, headers: { [name]: `agent-${i}` } }, res: { statusCode: 200 } });
    const recs = records([...Array.from({ length: 60 }, (_, i) => rec(i, 'User-Agent')), ...Array.from({ length: 40 }, (_, i) => rec(60 + i, 'user-agent'))]);
    const { events } = run(recs);
    expect(events).toHaveLength(100);
    expect(events.map((e) => e.userAgent)).toEqual(Array.from({ length: 100 }, (_, i) => `agent-${i}`));
  });

  it('kong: consumer, credential id, querystring object, string sizes of old versions', () => {
    const { cores } = detectAndMap('kong.ndjson', 'kong');
    expect(cores).toEqual([
      {
        ts: 1614232668342, ip: '192.168.144.1', user: 'foo', apiKey: 'c62c1455-9b1d-4f2d-8797-509ba83b8ae8', method: 'GET',
        path: '/log', query: 'status=available', host: 'localhost:8000', status: 200, bytesOut: 827, bytesIn: 138, latencyMs: 515,
        userAgent: 'HTTPie/2.4.0', requestId: '8f1f3e0a6c5d4b9e', auth: 'unknown', format: 'kong',
      },
      {
        ts: 1709284502120, ip: '203.0.113.70', method: 'GET', path: '/orders', query: 'limit=10', host: 'api.example.com',
        status: 401, bytesOut: 61, bytesIn: 96, latencyMs: 2, userAgent: 'curl/8.4.0', auth: 'failure', format: 'kong',
      },
      {
        ts: 1709284503000, ip: '203.0.113.71', user: 'cust-42', apiKey: '7d2f1e3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f', method: 'PUT',
        path: '/orders/1001', host: 'api.example.com', status: 200, bytesOut: 340, bytesIn: 210, latencyMs: 31,
        userAgent: 'okhttp/4.12.0', requestId: 'b1f6a0c2d3e4f5061728394a5b6c7d8e', auth: 'unknown', format: 'kong',
      },
      {
        ts: 1709284504000, ip: '10.0.0.9', method: 'GET', path: '/status', host: 'localhost:8000', status: 200, bytesOut: 44,
        bytesIn: 138, latencyMs: 1, userAgent: 'kube-probe/1.28', auth: 'unknown', format: 'kong',
      },
      {
        ts: 1709284505000, ip: '2001:db8::20', user: 'foo', method: 'GET', path: '/search', query: 'q=shoes&page=2',
        host: 'api.example.com', status: 200, bytesOut: 20480, bytesIn: 150, latencyMs: 88, userAgent: 'Mozilla/5.0',
        auth: 'unknown', format: 'kong',
      },
    ]);
  });

  it('envoy: Istio keys and Envoy Gateway header-style keys, the peer before X-Forwarded-For, authz denials', () => {
    const { cores } = detectAndMap('envoy.ndjson', 'envoy');
    expect(cores).toEqual([
      {
        ts: utc(2023, 3, 23, 4, 9, 46, 421), ip: '172.17.0.1', method: 'GET', path: '/items', host: 'catalog.istioinaction.io',
        status: 200, bytesOut: 502, bytesIn: 0, latencyMs: 420, userAgent: 'curl/7.86.0',
        requestId: '722ef34b-553e-9b82-8a73-a716de0b14fc', auth: 'unknown', format: 'envoy',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '198.51.100.14', method: 'GET', path: '/get', query: 'x=1', host: 'www.example.com',
        status: 429, bytesOut: 19, bytesIn: 0, latencyMs: 3, userAgent: 'curl/8.4.0',
        requestId: '4b2d6a4e-3e1f-4b8a-9d1c-0f9e8d7c6b5a', auth: 'unknown', format: 'envoy',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3), ip: '203.0.113.80', method: 'POST', path: '/api/admin/users', host: 'api.example.com',
        status: 403, bytesOut: 0, bytesIn: 120, latencyMs: 5, userAgent: 'python-requests/2.31.0',
        requestId: '0c9a2b7e-1f3d-4e5a-8b6c-7d8e9f0a1b2c', auth: 'denied', format: 'envoy', // rbac_access_denied
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '2001:db8::81', method: 'GET', path: '/api/orders/1001', host: 'api.example.com',
        status: 401, bytesOut: 14, bytesIn: 0, latencyMs: 1, userAgent: 'curl/8.4.0',
        requestId: '1d0b3c8f-2a4e-4f6b-9c7d-8e9f0a1b2c3d', auth: 'failure', format: 'envoy',
      },
      {
        // A public peer that appended itself to X-Forwarded-For: the caller, unless rules name it a proxy (trustedProxies).
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '203.0.113.82', method: 'GET', path: '/status/418', host: 'teapot.example.com',
        status: 418, bytesOut: 18, bytesIn: 0, latencyMs: 12, userAgent: 'curl/8.4.0',
        requestId: '2e1c4d9a-3b5f-4a7c-8d8e-9f0a1b2c3d4e', auth: 'unknown', format: 'envoy',
      },
    ]);
  });

  it('nginx: request_uri, request line splitting, CLF time_local, msec, Elastic short keys', () => {
    const { cores } = detectAndMap('nginx.ndjson', 'nginx');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2), ip: '203.0.113.10', method: 'GET', path: '/api/orders/1001', query: 'expand=items',
        host: 'shop.example.com', status: 200, bytesOut: 5120, bytesIn: 412, latencyMs: 42, userAgent: 'Mozilla/5.0',
        requestId: '7c3f9e2a1b0d4c5e8f6a7b8c9d0e1f2a', auth: 'unknown', format: 'nginx',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3), ip: '198.51.100.9', user: 'alice', method: 'POST', path: '/login', status: 302, bytesOut: 0,
        latencyMs: 15, userAgent: 'curl/8.4.0', auth: 'unknown', format: 'nginx',
      },
      {
        ts: utc(2015, 5, 17, 8, 5, 32), ip: '198.51.100.3', method: 'GET', path: '/downloads/product_1', status: 304, bytesOut: 0,
        userAgent: 'Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)', auth: 'unknown', format: 'nginx',
      },
      {
        ts: 1709284504123, ip: '2001:db8::7', method: 'GET', path: '/search', query: 'q=shoes&page=2', host: 'shop.example.com',
        status: 200, bytesOut: 20480, latencyMs: 250, userAgent: 'Mozilla/5.0', auth: 'unknown', format: 'nginx',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '203.0.113.12', user: 'bob', method: 'GET', path: '/admin/', status: 401, bytesOut: 179,
        latencyMs: 0, userAgent: 'python-requests/2.31.0', auth: 'failure', format: 'nginx',
      },
    ]);
  });

  it('caddy: startup lines skipped (set aside: counted, not listed as issues), client_ip, header arrays, float seconds', () => {
    const { cores, n, issues } = detectAndMap('caddy.ndjson', 'caddy', 0.6);
    expect(n.detection()).toEqual({ format: 'caddy', confidence: 5 / 8, votes: { caddy: 5 } });
    expect(n.skipped).toEqual({ 'set-aside': 3 });
    expect(issues).toEqual([]);
    expect(cores).toEqual([
      {
        ts: 1709284502615, ip: '203.0.113.10', method: 'GET', path: '/api/orders/1001', query: 'expand=items', host: 'localhost',
        status: 200, bytesOut: 5120, bytesIn: 0, latencyMs: 1.675, userAgent: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:142.0)',
        requestId: 'c-0001', auth: 'unknown', format: 'caddy',
      },
      {
        ts: 1709284503500, ip: '203.0.113.11', method: 'POST', path: '/api/login', host: 'shop.example.com', status: 401,
        bytesOut: 31, bytesIn: 57, latencyMs: 15, userAgent: 'curl/8.4.0', auth: 'failure', format: 'caddy',
      },
      {
        ts: 1709284504000, ip: '203.0.113.12', user: 'alice', method: 'GET', path: '/admin/', host: 'shop.example.com', status: 200,
        bytesOut: 1024, bytesIn: 0, latencyMs: 2.5, userAgent: 'curl/8.4.0', auth: 'unknown', format: 'caddy',
      },
      {
        ts: 1709284505250, ip: '2001:db8::90', method: 'DELETE', path: '/api/orders/1002', host: 'shop.example.com', status: 502,
        bytesOut: 0, bytesIn: 0, latencyMs: 1200, userAgent: 'okhttp/4.12.0', auth: 'unknown', format: 'caddy',
      },
      {
        ts: 1709284506750, ip: '203.0.113.10', method: 'HEAD', path: '/', host: 'shop.example.com', status: 200, bytesOut: 0,
        bytesIn: 0, latencyMs: 0.1, auth: 'unknown', format: 'caddy',
      },
    ]);
  });

  it('traefik: RFC3339Nano, ns Duration, ClientHost before the X-Forwarded-For header field, ClientUsername', () => {
    const { cores } = detectAndMap('traefik.ndjson', 'traefik');
    expect(cores).toEqual([
      {
        ts: utc(2024, 9, 29, 23, 5, 40, 189), ip: '203.0.113.4', method: 'GET', path: '/.env', host: 'sentinel.apps.example.com',
        status: 200, bytesOut: 397, bytesIn: 0, latencyMs: 3.454, auth: 'unknown', format: 'traefik',
      },
      {
        // ClientHost is a Cloudflare edge (public): the caller, unless rules name it a proxy (trustedProxies).
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '172.70.1.1', method: 'GET', path: '/api/orders/1001', query: 'expand=items',
        host: 'shop.example.com', status: 200, bytesOut: 5120, bytesIn: 0, latencyMs: 42, userAgent: 'Mozilla/5.0',
        requestId: 't-0001', auth: 'unknown', format: 'traefik',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3), ip: '203.0.113.20', user: 'bob', method: 'GET', path: '/admin', host: 'shop.example.com',
        status: 401, bytesOut: 17, bytesIn: 0, latencyMs: 0.15, auth: 'failure', format: 'traefik',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4, 500), ip: '203.0.113.21', method: 'GET', path: '/search', query: 'q=shoes',
        host: 'shop.example.com', status: 200, bytesOut: 20480, bytesIn: 0, latencyMs: 88, auth: 'unknown', format: 'traefik',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '2001:db8::30', method: 'DELETE', path: '/api/orders/1002', host: 'shop.example.com',
        status: 204, bytesOut: 0, bytesIn: 64, latencyMs: 7, auth: 'unknown', format: 'traefik',
      },
    ]);
  });

  it('cloudflare: ns / RFC 3339 / seconds timestamps, ClientCountry upper-cased, XX dropped, T1 (Tor) kept', () => {
    const { cores } = detectAndMap('cloudflare.ndjson', 'cloudflare');
    expect(cores).toEqual([
      {
        ts: 1709284502120, ip: '203.0.113.10', method: 'GET', path: '/api/orders/1001', query: 'expand=items',
        host: 'www.example.com', status: 200, bytesOut: 12480, bytesIn: 567, latencyMs: 42, userAgent: 'Mozilla/5.0',
        requestId: '7f1a2b3c4d5e6f70', country: 'NL', auth: 'unknown', format: 'cloudflare',
      },
      {
        ts: utc(2022, 10, 30, 0, 0, 2), ip: '198.51.100.87', method: 'HEAD', path: '/', host: 'www.example.org', status: 301,
        bytesOut: 570, bytesIn: 567, latencyMs: 0, userAgent: 'Go-http-client/1.1', requestId: '761fde4e984e5ab2', country: 'RU',
        auth: 'unknown', format: 'cloudflare',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '2001:db8::88', method: 'POST', path: '/api/login', host: 'www.example.com',
        status: 401, bytesOut: 90, bytesIn: 310, latencyMs: 15, userAgent: 'curl/8.4.0', requestId: '7f1a2b3c4d5e6f71',
        auth: 'failure', format: 'cloudflare',
      },
      {
        ts: 1709284504000, ip: '203.0.113.89', method: 'GET', path: '/search', query: 'q=shoes&page=2', host: 'www.example.com',
        status: 200, bytesOut: 20480, latencyMs: 250, userAgent: 'Mozilla/5.0', requestId: '7f1a2b3c4d5e6f72', country: 'T1', auth: 'unknown',
        format: 'cloudflare',
      },
      {
        ts: 1709284505000, ip: '203.0.113.90', method: 'GET', path: '/wp-login.php', host: 'www.example.com', status: 403,
        bytesOut: 0, userAgent: 'zgrab/0.x', requestId: '7f1a2b3c4d5e6f73', country: 'US', auth: 'failure', format: 'cloudflare',
      },
    ]);
  });

  it('gcp: httpRequest at top level and under jsonPayload, latency "0.048s", full URLs, audit logs', () => {
    const { cores } = detectAndMap('gcp.ndjson', 'gcp');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '192.168.1.2', method: 'GET', path: '/test', host: 'send.example.com', status: 200,
        bytesOut: 2692, bytesIn: 43, latencyMs: 48.18, userAgent: 'Mozilla',
        requestId: 'projects/test/traces/0af7651916cd43dd8448eb211c80319c', auth: 'unknown', format: 'gcp',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '2001:db8::40', method: 'POST', path: '/api/login', query: 'next=%2F', status: 401,
        bytesOut: 31, latencyMs: 15, userAgent: 'curl/8.4.0', requestId: '65e19a2f000a1b2c3d4e5f60', auth: 'failure', format: 'gcp',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '203.0.113.66', user: 'mallory@example.com', userAgent: 'google-cloud-sdk gcloud/460.0.0',
        requestId: '1x2y3z', action: 'storage.googleapis.com:storage.objects.get', auth: 'denied', format: 'gcp', // PERMISSION_DENIED
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '203.0.113.67', method: 'DELETE', path: '/v1/items/5', query: 'force=true',
        host: 'api.example.com', status: 204, bytesOut: 0, bytesIn: 0, latencyMs: 1200, userAgent: 'okhttp/4.12.0',
        requestId: 'projects/test/traces/4bf92f3577b34da6a3ce929d0e0e4736', auth: 'unknown', format: 'gcp',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '198.51.100.68', method: 'GET', path: '/admin', host: 'app.example.com', status: 403,
        bytesOut: 120, latencyMs: 2, userAgent: 'Mozilla/5.0', requestId: 'CCCC', auth: 'failure', format: 'gcp',
      },
    ]);
  });

  it('azure-apim: ApiManagementGatewayLogs table columns', () => {
    const { cores } = detectAndMap('azure-apim.ndjson', 'azure-apim');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', user: '1', apiKey: 'sub-starter-01', method: 'GET',
        path: '/orders/1001', query: 'expand=items', host: 'contoso.azure-api.net', status: 200, bytesOut: 5120, bytesIn: 412,
        latencyMs: 42, requestId: 'a1b2c3d4-e5f6-47a8-9b0c-d1e2f3a4b5c6', userAgent: 'Mozilla/5.0', auth: 'unknown',
        format: 'azure-apim',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '198.51.100.20', method: 'POST', path: '/orders', host: 'contoso.azure-api.net',
        status: 401, bytesOut: 152, bytesIn: 230, latencyMs: 1, requestId: 'b2c3d4e5-f6a7-48b9-8c0d-e1f2a3b4c5d6',
        userAgent: 'curl/8.4.0', auth: 'failure', format: 'azure-apim',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '198.51.100.21', user: '42', apiKey: 'sub-gold-07', method: 'GET', path: '/admin/users',
        host: 'contoso.azure-api.net', status: 401, latencyMs: 3, requestId: 'c3d4e5f6-a7b8-49c0-9d1e-f2a3b4c5d6e7',
        auth: 'failure', format: 'azure-apim',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '2001:db8::50', user: '42', apiKey: 'sub-gold-07', method: 'PUT', path: '/orders/1002',
        host: 'contoso.azure-api.net', status: 502, bytesOut: 0, bytesIn: 512, latencyMs: 1200,
        requestId: 'd4e5f6a7-b8c9-40d1-8e2f-a3b4c5d6e7f8', auth: 'unknown', format: 'azure-apim',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '203.0.113.10', user: '1', apiKey: 'sub-starter-01', method: 'DELETE',
        path: '/orders/1003', host: 'contoso.azure-api.net', status: 204, latencyMs: 8,
        requestId: 'e5f6a7b8-c9d0-41e2-9f3a-b4c5d6e7f8a9', auth: 'unknown', format: 'azure-apim',
      },
    ]);
  });

  it('azure-apim: legacy GatewayLogs diagnostic schema ({"records":[...]} envelope)', () => {
    const { cores } = detectAndMap('azure-apim-legacy.json', 'azure-apim');
    expect(cores[0]).toEqual({
      ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', user: '1', apiKey: 'sub-starter-01', method: 'GET',
      path: '/orders/1001', query: 'expand=items', host: 'contoso.azure-api.net', status: 200, bytesOut: 5120, bytesIn: 412,
      latencyMs: 42, requestId: 'a1b2c3d4-e5f6-47a8-9b0c-d1e2f3a4b5c6', auth: 'unknown', format: 'azure-apim',
    });
    expect(cores.map((e) => [e.status, e.auth, e.user, e.userAgent])).toEqual([
      [200, 'unknown', '1', undefined],
      [401, 'failure', undefined, undefined],
      [200, 'unknown', '42', undefined],
      [403, 'failure', '42', undefined],
      [200, 'unknown', '1', 'okhttp/4.12.0'],
    ]);
  });

  it('azure-appgw: diagnostic-settings export ({"records":[...]}), v2 seconds, "-" absent, requestQuery when no original URI', () => {
    const { cores } = detectAndMap('azure-appgw.json', 'azure-appgw');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', method: 'GET', path: '/api/orders/1001', query: 'expand=items',
        host: 'shop.contoso.com', status: 200, bytesOut: 5120, bytesIn: 412, latencyMs: 42,
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', requestId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', auth: 'unknown',
        format: 'azure-appgw',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '198.51.100.20', method: 'POST', path: '/api/login', query: 'next=%2Fadmin&lang=en',
        host: 'shop.contoso.com', status: 401, bytesOut: 152, bytesIn: 230, latencyMs: 15, userAgent: 'curl/8.4.0',
        requestId: 'b2c3d4e5f6a70819304b5c6d7e8f9a01', auth: 'failure', format: 'azure-appgw',
      },
      {
        // userAgent, originalHost and host are "-": absent.
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '198.51.100.77', method: 'GET', path: '/wp-login.php', query: 'action=register',
        status: 403, bytesOut: 386, bytesIn: 118, latencyMs: 1, requestId: 'c3d4e5f6a7b8091a2b3c4d5e6f708192', auth: 'failure',
        format: 'azure-appgw',
      },
      {
        // legacy top-level timeStamp; originalHost wins over the rewritten host.
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '2001:db8::50', method: 'PUT', path: '/api/users/42', host: 'shop.contoso.com',
        status: 200, bytesOut: 96, bytesIn: 1830, latencyMs: 1204, userAgent: 'okhttp/4.12.0',
        requestId: 'd4e5f6a7b8c90a1b2c3d4e5f60718293', auth: 'unknown', format: 'azure-appgw',
      },
      {
        // no originalRequestUriWithArgs: requestUri + requestQuery; an integer timeTaken of a v2 record is still seconds.
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '203.0.113.11', method: 'GET', path: '/api/search', query: 'q=shoes&page=2',
        host: 'shop.contoso.com', status: 200, bytesOut: 20480, bytesIn: 301, latencyMs: 2000, userAgent: 'Mozilla/5.0',
        requestId: 'e5f6a7b8c9d00a1b2c3d4e5f6a7b8c9d', auth: 'unknown', format: 'azure-appgw',
      },
    ]);
  });

  it('azure-frontdoor: Standard/Premium and classic records in the diagnostic export; the full request URL split, numbers as strings, seconds', () => {
    const { cores } = detectAndMap('azure-frontdoor.json', 'azure-frontdoor');
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', method: 'GET', path: '/api/orders/1001', query: 'expand=items',
        host: 'shop.contoso.com', status: 200, bytesOut: 5120, bytesIn: 412, latencyMs: 42,
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', requestId: '0A1B2C3D4E5F60718293A4B5C6D7E8F9', auth: 'unknown',
        format: 'azure-frontdoor',
      },
      {
        // socketIp is the proxy in front: the caller is clientIp. The origin is never the user.
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '198.51.100.20', method: 'POST', path: '/api/login', host: 'shop.contoso.com',
        status: 401, bytesOut: 152, bytesIn: 230, latencyMs: 15, userAgent: 'curl/8.4.0', requestId: '1B2C3D4E5F60718293A4B5C6D7E8F90A',
        auth: 'failure', format: 'azure-frontdoor',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '2001:db8::50', method: 'GET', path: '/export/customers.csv', host: 'shop.contoso.com',
        status: 200, bytesOut: 424464155, bytesIn: 118, latencyMs: 72362, userAgent: 'python-requests/2.31.0',
        requestId: '2C3D4E5F60718293A4B5C6D7E8F90A1B', auth: 'unknown', format: 'azure-frontdoor',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '203.0.113.11', method: 'PUT', path: '/api/users/42', host: 'shop.contoso.com',
        status: 204, bytesOut: 96, bytesIn: 1830, latencyMs: 1204, userAgent: 'okhttp/4.12.0',
        requestId: '3D4E5F60718293A4B5C6D7E8F90A1B2C', auth: 'unknown', format: 'azure-frontdoor',
      },
      {
        // Refused at the edge (WAF): no origin ("N/A"), an empty user agent is absent.
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '198.51.100.77', method: 'GET', path: '/.env', host: 'shop.contoso.com',
        status: 403, bytesOut: 0, bytesIn: 95, latencyMs: 1, requestId: '4E5F60718293A4B5C6D7E8F90A1B2C3D', auth: 'failure',
        format: 'azure-frontdoor',
      },
    ]);
  });

  it('azure-appgw: AGWAccessLogs table rows (TimeTaken in seconds, numbers as strings, a projected row without Type)', () => {
    const { cores, n } = detectAndMap('azure-appgw.ndjson', 'azure-appgw');
    expect(n.detection()).toEqual({ format: 'azure-appgw', confidence: 1, votes: { 'azure-appgw': 5 } });
    expect(cores).toEqual([
      {
        ts: utc(2024, 3, 1, 9, 15, 2, 120), ip: '203.0.113.10', method: 'GET', path: '/api/orders/1001', query: 'expand=items',
        host: 'shop.contoso.com', status: 200, bytesOut: 5120, bytesIn: 412, latencyMs: 42,
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', requestId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', auth: 'unknown',
        format: 'azure-appgw',
      },
      {
        // OriginalRequestUriWithArgs "" (absent): RequestUri + RequestQuery.
        ts: utc(2024, 3, 1, 9, 15, 3, 500), ip: '198.51.100.20', method: 'POST', path: '/api/login', query: 'next=%2Fadmin',
        host: 'shop.contoso.com', status: 401, bytesOut: 152, bytesIn: 230, latencyMs: 15, userAgent: 'curl/8.4.0',
        requestId: 'b2c3d4e5f6a70819304b5c6d7e8f9a01', auth: 'failure', format: 'azure-appgw',
      },
      {
        // OriginalHost "-": Host; UserAgent "-": absent.
        ts: utc(2024, 3, 1, 9, 15, 4), ip: '198.51.100.77', method: 'GET', path: '/wp-login.php', query: 'action=register',
        host: '192.0.2.44', status: 403, bytesOut: 386, bytesIn: 118, latencyMs: 1, requestId: 'c3d4e5f6a7b8091a2b3c4d5e6f708192',
        auth: 'failure', format: 'azure-appgw',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 5), ip: '2001:db8::50', method: 'PUT', path: '/api/users/42', host: 'shop.contoso.com',
        status: 200, bytesOut: 96, bytesIn: 1830, latencyMs: 1204, userAgent: 'okhttp/4.12.0',
        requestId: 'd4e5f6a7b8c90a1b2c3d4e5f60718293', auth: 'unknown', format: 'azure-appgw',
      },
      {
        ts: utc(2024, 3, 1, 9, 15, 6), ip: '203.0.113.12', method: 'DELETE', path: '/api/orders/1002', host: 'shop.contoso.com',
        status: 204, bytesOut: 0, bytesIn: 64, latencyMs: 8, userAgent: 'okhttp/4.12.0',
        requestId: 'e5f6a7b8c9d00a1b2c3d4e5f6a7b8c9e', auth: 'unknown', format: 'azure-appgw',
      },
    ]);
  });

  it('azure-appgw: v1 records: integer ms timeTaken, gateway parameters dropped from requestQuery, LOG-ID as request id', () => {
    const v1 = (properties: Record<string, unknown>) => ({
      resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/APPLICATIONGATEWAYS/AGW-V1',
      operationName: 'ApplicationGatewayAccess',
      time: '2017-04-26T19:27:38Z',
      category: 'ApplicationGatewayAccessLog',
      properties: {
        instanceId: 'ApplicationGatewayRole_IN_0', clientIP: '191.96.249.97', clientPort: 46886, httpMethod: 'GET',
        userAgent: '-', httpStatus: 404, httpVersion: 'HTTP/1.0', receivedBytes: 65, sentBytes: 553, timeTaken: 205,
        sslEnabled: 'off', host: 'www.contoso.com', ...properties,
      },
    });
    const { events, n } = run(records([
      v1({
        requestUri: '/phpmyadmin/scripts/setup.php',
        requestQuery: 'X-AzureApplicationGateway-CACHE-HIT=0&SERVER-ROUTED=10.4.0.4&X-AzureApplicationGateway-LOG-ID=874f1f0f-6807-41c9-b7bc-f3cfa74aa0b1&SERVER-STATUS=404',
      }),
      v1({
        requestUri: '/search', timeTaken: '12',
        requestQuery: 'q=shoes&X-AzureApplicationGateway-CACHE-HIT=0&SERVER-ROUTED=10.4.0.5&X-AzureApplicationGateway-LOG-ID=9a8b7c6d-0000-4000-8000-000000000001&SERVER-STATUS=200',
      }),
    ]));
    expect(n.detection()?.format).toBe('azure-appgw');
    expect(events.map(core)).toEqual([
      {
        ts: utc(2017, 4, 26, 19, 27, 38), ip: '191.96.249.97', method: 'GET', path: '/phpmyadmin/scripts/setup.php',
        host: 'www.contoso.com', status: 404, bytesOut: 553, bytesIn: 65, latencyMs: 205,
        requestId: '874f1f0f-6807-41c9-b7bc-f3cfa74aa0b1', auth: 'unknown', format: 'azure-appgw',
      },
      {
        ts: utc(2017, 4, 26, 19, 27, 38), ip: '191.96.249.97', method: 'GET', path: '/search', query: 'q=shoes',
        host: 'www.contoso.com', status: 404, bytesOut: 553, bytesIn: 65, latencyMs: 12,
        requestId: '9a8b7c6d-0000-4000-8000-000000000001', auth: 'unknown', format: 'azure-appgw',
      },
    ]);
  });

  it('azure-appgw: leaves APIM records and Application Gateway firewall / performance logs alone; an AzureDiagnostics row is read as its export record', () => {
    for (const f of ['azure-apim.ndjson', 'azure-apim-legacy.json']) expect(run(loadFixture(f)).n.detection()?.format).toBe('azure-apim');
    const fw = {
      resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/APPLICATIONGATEWAYS/AGW',
      operationName: 'ApplicationGatewayFirewall', time: '2017-03-20T15:52:09.1494499Z', category: 'ApplicationGatewayFirewallLog',
      properties: { instanceId: 'appgw_0', clientIp: '52.161.109.147', clientPort: '0', requestUri: '/', ruleId: '920350', action: 'Matched' },
    };
    const perf = {
      operationName: 'ApplicationGatewayPerformance', time: '2016-04-09T00:00:00Z', category: 'ApplicationGatewayPerformanceLog',
      properties: { instanceId: 'ApplicationGatewayRole_IN_1', requestCount: '185', latency: '0', failedRequestCount: '0' },
    };
    expect(run(records([fw, perf])).n.detection()).toBeNull();
    // The format itself does not claim an AzureDiagnostics row (suffixed columns); the normaliser reads
    // it as the diagnostic-settings record it came from (src/normalise/azure-diagnostics.ts), which it maps.
    const diag = {
      TimeGenerated: '2024-03-01T09:15:02Z', Category: 'ApplicationGatewayAccessLog', OperationName: 'ApplicationGatewayAccess',
      ResourceType: 'APPLICATIONGATEWAYS', clientIP_s: '203.0.113.10', httpMethod_s: 'GET', requestUri_s: '/a', httpStatus_d: 200,
      Type: 'AzureDiagnostics',
    };
    expect(FORMATS.map((f) => f.detect(diag)).filter((x) => x >= 0.5)).toEqual([]);
    const { events, n } = run(records([fw, perf, diag]));
    expect(n.detection()).toMatchObject({ format: 'azure-appgw', votes: { 'azure-appgw': 1 }, table: 'AzureDiagnostics' });
    expect(events.map(core)).toEqual([
      { ts: utc(2024, 3, 1, 9, 15, 2), ip: '203.0.113.10', method: 'GET', path: '/a', status: 200, auth: 'unknown', format: 'azure-appgw' },
    ]);
  });

  it('apigee: analytics records, X-Forwarded-For preferred, consumer key masked', () => {
    const { cores } = detectAndMap('apigee.ndjson', 'apigee');
    expect(cores).toEqual([
      {
        ts: 1709284502120, ip: '203.0.113.10', user: 'dev@example.com', roles: ['gold'], apiKey: 'Jx8Rw3kP…[REDACTED api-key len=32 sha256:46bbfc4a]', method: 'GET',
        path: '/v1/orders/1001', query: 'expand=items', status: 200, bytesOut: 5120, bytesIn: 0, latencyMs: 42,
        userAgent: 'Mozilla/5.0', requestId: 'flow-001', action: 'orders-v1', auth: 'unknown', format: 'apigee',
      },
      {
        ts: 1709284503500, ip: '198.51.100.20', method: 'POST', path: '/v1/orders', status: 401, bytesOut: 90, bytesIn: 230,
        latencyMs: 2, userAgent: 'curl/8.4.0', requestId: 'flow-002', action: 'orders-v1', auth: 'failure', format: 'apigee',
      },
      {
        ts: 1709284504000, ip: '203.0.113.11', user: 'mobile-app', roles: ['silver'], apiKey: 'ab…[REDACTED api-key len=8 sha256:e9cee71a]', method: 'PUT',
        path: '/v1/users/42', status: 200, bytesOut: 64, bytesIn: 128, latencyMs: 31, userAgent: 'okhttp/4.12.0',
        requestId: 'rrt-0123456789abcdef-a', action: 'users-v1', auth: 'unknown', format: 'apigee',
      },
      {
        ts: 1709284505000, ip: '2001:db8::60', user: 'dev@example.com', method: 'GET', path: '/v1/search', query: 'q=shoes&page=2',
        status: 200, bytesOut: 20480, latencyMs: 88, userAgent: 'Mozilla/5.0', requestId: 'flow-004', action: 'search-v1',
        auth: 'unknown', format: 'apigee',
      },
      {
        ts: 1709284506000, ip: '198.51.100.61', user: 'intern@example.com', method: 'GET', path: '/v1/admin/export', status: 403,
        latencyMs: 5, userAgent: 'python-requests/2.31.0', requestId: 'flow-005', action: 'admin-v1', auth: 'failure',
        format: 'apigee',
      },
    ]);
  });

  it('akamai: DataStream 2 JSON: numbers as strings, "-" and left-out fields absent, the user agent URL-decoded, cliIP the caller', () => {
    const { cores, n } = detectAndMap('akamai.ndjson', 'akamai');
    expect(n.detection()).toEqual({ format: 'akamai', confidence: 1, votes: { akamai: 6 } });
    expect(cores).toEqual([
      {
        // customField (the customer's own data, here an e-mail) is not mapped; queryStr "-" is absent.
        ts: utc(2025, 3, 11, 2, 0, 7, 921), ip: '203.0.113.45', method: 'POST', path: '/api/v1/auth/login', host: 'api.example.com',
        status: 401, bytesOut: 58, latencyMs: 99, userAgent: 'python-requests/2.31.0', requestId: 'c2d45ff4db', auth: 'failure',
        country: 'DE', format: 'akamai',
      },
      {
        ts: utc(2025, 3, 11, 2, 0, 13, 447), ip: '198.51.100.23', method: 'GET', path: '/api/v1/products', query: 'page=2&sort=price',
        host: 'api.example.com', status: 200, bytesOut: 4150, latencyMs: 41,
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
        requestId: '43ed3d5159', auth: 'unknown', country: 'DE', format: 'akamai',
      },
      {
        // A chunked export: no Content-Length ("-"), bytes is what was served. IPv6 client; edgeIP is Akamai's, never the caller.
        ts: utc(2025, 3, 11, 2, 0, 16, 611), ip: '2001:db8::7', method: 'GET', path: '/api/v1/export/customers.csv', query: 'all=true',
        host: 'api.example.com', status: 200, bytesOut: 38215004, latencyMs: 5230, userAgent: 'curl/8.5.0', requestId: '508458526b',
        auth: 'unknown', country: 'US', format: 'akamai',
      },
      {
        // A JSON stream leaves the "-" fields out: no UA, query or custom field at all.
        ts: utc(2025, 3, 11, 2, 0, 23, 457), ip: '203.0.113.46', method: 'DELETE', path: '/api/v1/cart/items/17', host: 'api.example.com',
        status: 204, bytesOut: 0, latencyMs: 12, requestId: 'e46f8ef978', auth: 'unknown', country: 'FR', format: 'akamai',
      },
      {
        // Denied at the edge; the X-Forwarded-For the client wrote (127.0.0.1) is not taken over cliIP. The query stays raw.
        ts: utc(2025, 3, 11, 2, 0, 31, 2), ip: '198.51.100.77', method: 'GET', path: '/admin/users', query: 'id=1%27+OR+1%3D1',
        host: 'api.example.com', status: 403, bytesOut: 272, latencyMs: 1, userAgent: 'sqlmap/1.8#stable (https://sqlmap.org)',
        requestId: '9a1f3c77e2', auth: 'failure', country: 'NL', format: 'akamai',
      },
      {
        // Malformed escapes in the user agent stay as written.
        ts: utc(2025, 3, 11, 2, 0, 40, 250), ip: '203.0.113.45', method: 'GET', path: '/api/v1/users/me', host: 'api.example.com',
        status: 200, bytesOut: 512, latencyMs: 23, userAgent: 'okhttp/4.12.0 %ZZ %E2%82', requestId: '0b7e91d4aa', auth: 'unknown',
        country: 'DE', format: 'akamai',
      },
    ]);
    expect(n.missingFields()).toEqual(['user', 'roles', 'apiKey', 'sessionId', 'route', 'bytesIn', 'action']);
  });

  it('akamai: rspContentLen when bytes is absent; a reqPath without its leading "/" gets one; the minimal signature', () => {
    const base = { reqTimeSec: '1741658407.921', cliIP: '203.0.113.45', reqMethod: 'GET', statusCode: '200' };
    const { events, n } = run(records([
      { version: '1', cp: '1234567', reqId: 'a1', ...base, reqPath: 'api/v1/products', rspContentLen: '4150' },
      { reqId: 'a2', ...base, reqPath: '/api/v1/products', bytes: '-', rspContentLen: '512', UA: '-' },
    ]));
    expect(n.detection()).toEqual({ format: 'akamai', confidence: 1, votes: { akamai: 2 } });
    expect(events.map((e) => [e.path, e.bytesOut, e.userAgent])).toEqual([
      ['/api/v1/products', 4150, undefined],
      ['/api/v1/products', 512, undefined],
    ]);
  });

  it('django-structlog: request_finished and request_failed counted once each, request_started set aside quietly, its user agent kept', () => {
    const { cores, n, issues } = detectAndMap('django-structlog.ndjson', 'django-structlog');
    expect(n.detection()).toEqual({ format: 'django-structlog', confidence: 1, votes: { 'django-structlog': 8 } });
    // The four request_started records: counted as skipped, no issue each.
    expect(n.skipped).toEqual({ 'set-aside': 4 });
    expect(issues).toEqual([]);
    expect(cores).toEqual([
      {
        // Newer versions write user_agent on request_started only: taken from it by request_id.
        ts: utc(2025, 3, 11, 9, 15, 2, 164), ip: '203.0.113.10', user: '42', method: 'GET', path: '/api/v1/orders/1001',
        query: 'expand=items', status: 200,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
        requestId: '3a8f801c-072b-4805-8f38-e1337f363ed4', auth: 'unknown', format: 'django-structlog',
      },
      {
        // user_id null (anonymous): absent. code is the status.
        ts: utc(2025, 3, 11, 9, 15, 3, 517), ip: '198.51.100.7', method: 'POST', path: '/api/v1/auth/login', status: 401,
        userAgent: 'python-requests/2.31.0', requestId: 'b7e2c0d4-5f1a-4c3e-9a0b-6d2f8e1c4a77', auth: 'failure',
        format: 'django-structlog',
      },
      {
        // request_failed without a code: an unhandled exception, answered 500.
        ts: utc(2025, 3, 11, 9, 15, 9, 930), ip: '2001:db8::5', user: '7', method: 'GET', path: '/api/v1/reports/export',
        query: 'format=csv', status: 500, userAgent: 'curl/8.5.0', requestId: '0c4d9e21-8b7a-4f6e-a1d3-52c9b0e7f814',
        auth: 'unknown', format: 'django-structlog',
      },
      {
        ts: utc(2025, 3, 11, 9, 16, 0, 31), ip: '203.0.113.10', user: '42', method: 'DELETE', path: '/api/v1/cart/items/17',
        status: 204, userAgent: 'MyShop-iOS/5.2.1 (iPhone; iOS 17.3.1)', requestId: 'f1d2c3b4-a596-4877-8c9d-0e1f2a3b4c5d',
        auth: 'unknown', format: 'django-structlog',
      },
    ]);
    // Times without an offset are read as UTC and said so, as for every format.
    expect(n.timesWithoutOffset).toBe(4);
    const d = describeRecords(loadFixture('django-structlog.ndjson'));
    expect(d.skipped).toEqual({ 'set-aside': 4 });
    expect(d.advice).toContain(
      '4 of 8 records set aside by django-structlog as not access records (counted as skipped, set-aside); first at line 1: ' +
        'request_started: django-structlog logs each request twice; the request_finished record is the one counted',
    );
    expect(d.advice.some((a) => a.includes('records skipped ('))).toBe(false);
    expect(d.perField.find((f) => f.field === 'status')?.sourcePath).toBe('code');
  });

  it('django-structlog: 1.x request repr, a renamed message key, no logger; request_started never mapped by the flat table', () => {
    const ts = (s: number) => `2025-03-11T09:15:0${s}Z`;
    const values = [
      { request: "<WSGIRequest: GET '/api/v1/orders/7?expand=items'>", user_agent: 'curl/8.5.0', event: 'request_started', request_id: 'r1', ip: '203.0.113.10', timestamp: ts(1) },
      { code: 404, request: "<WSGIRequest: GET '/api/v1/orders/7?expand=items'>", event: 'request_finished', request_id: 'r1', ip: '203.0.113.10', timestamp: ts(2) },
      { request: 'POST /api/v1/orders', message: 'request_started', request_id: 'r2', ip: '203.0.113.11', timestamp: ts(3) },
      { request: 'POST /api/v1/orders', message: 'request_failed', code: 500, request_id: 'r2', ip: '203.0.113.11', timestamp: ts(4) },
    ];
    const { events, n, issues } = run(records(values));
    expect(n.detection()?.format).toBe('django-structlog');
    expect(events.map(core)).toEqual([
      {
        ts: utc(2025, 3, 11, 9, 15, 2), ip: '203.0.113.10', method: 'GET', path: '/api/v1/orders/7', query: 'expand=items', status: 404,
        userAgent: 'curl/8.5.0', requestId: 'r1', auth: 'unknown', format: 'django-structlog',
      },
      {
        ts: utc(2025, 3, 11, 9, 15, 4), ip: '203.0.113.11', method: 'POST', path: '/api/v1/orders', status: 500, requestId: 'r2',
        auth: 'unknown', format: 'django-structlog',
      },
    ]);
    expect([n.skipped, issues]).toEqual([{ 'set-aside': 2 }, []]);
    // Forced: request_started is still set aside, not "does not match the forced format".
    const forced = run(records(values), { format: 'django-structlog' });
    expect([forced.events.length, forced.n.skipped, forced.issues]).toEqual([2, { 'set-aside': 2 }, []]);
  });

  it('flat: Fastly\'s documented JSON log format (request_user_agent, response_body_size; geo_country is a name, not mapped)', () => {
    const fastly = (i: number, status: number, size: number) => ({
      timestamp: `2025-03-11T05:00:0${i}+0000`, client_ip: '203.0.113.14', geo_country: 'Viet Nam', geo_city: 'hanoi',
      host: 'api.example.com', url: `/api/v1/products?page=${i}`, request_method: 'GET', request_protocol: 'HTTP/2',
      request_referer: '', request_user_agent: 'Mozilla/5.0 (X11; Linux x86_64)', response_state: 'PASS', response_status: status,
      response_reason: 'OK', response_body_size: size, fastly_server: 'cache-fra-eddf8230089-FRA', fastly_is_edge: true,
    });
    const { events, n } = run(records([fastly(1, 200, 4150), fastly(2, 304, 0)]));
    expect(n.detection()?.format).toBe('flat');
    expect(events.map(core)).toEqual([
      {
        ts: utc(2025, 3, 11, 5, 0, 1), ip: '203.0.113.14', method: 'GET', path: '/api/v1/products', query: 'page=1', host: 'api.example.com',
        status: 200, bytesOut: 4150, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', auth: 'unknown', format: 'flat',
      },
      {
        ts: utc(2025, 3, 11, 5, 0, 2), ip: '203.0.113.14', method: 'GET', path: '/api/v1/products', query: 'page=2', host: 'api.example.com',
        status: 304, bytesOut: 0, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', auth: 'unknown', format: 'flat',
      },
    ]);
  });

  it('akamai and django-structlog claim no record of another format\'s fixture, and no other format but flat scores theirs', () => {
    const mine = new Set(['akamai', 'django-structlog']);
    for (const f of readdirSync(path.dirname(fixturePath('x')))) {
      const own = f.replace(/\.(nd)?json$/, '');
      for (const r of loadFixture(f)) {
        const rec = r.value as Record<string, unknown>;
        for (const fmt of FORMATS) {
          if (fmt.detect(rec) < 0.5 || fmt.id === own) continue;
          if (mine.has(fmt.id)) expect.fail(`${fmt.id} claims ${f}:${r.source.line}`);
          if (mine.has(own) && fmt.id !== 'flat') expect.fail(`${fmt.id} claims ${f}:${r.source.line}`);
        }
      }
    }
  });

  it('every listed format has a fixture, and every fixture keeps source and raw', () => {
    const files = readdirSync(path.dirname(fixturePath('x')));
    for (const f of listFormats()) {
      if (f.id === 'custom') continue;
      expect(files.some((x) => x === `${f.id}.ndjson` || x === `${f.id}.json`), f.id).toBe(true);
      const recs = loadFixture(files.find((x) => x === `${f.id}.ndjson` || x === `${f.id}.json`) as string);
      expect(recs.length).toBeGreaterThanOrEqual(5);
      const { events } = run(recs);
      for (const e of events) {
        const rec = recs.find((r) => r.source.line === e.source.line);
        expect(e.raw).toBe(rec?.value);
        expect(e.source.file).toBe(rec?.source.file);
      }
    }
  });
});
