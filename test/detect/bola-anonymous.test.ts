/**
 * bola-enumeration on logs that carry no user or API key (Istio, Envoy Gateway, Cloudflare, nginx...):
 * an IP walking object ids in sequence on a route not classified public, mostly answered 2xx, is
 * objects of others served to anyone who counts. Through the real reader, normaliser, enricher and
 * pipeline (analyze), in the Istio/Envoy access-log format; the look-alikes stay quiet.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { analyze } from '../../src/analyze/run.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';

const temp = tempDirs();
const T0 = Date.UTC(2025, 5, 2, 8);
const ATTACKER = '45.133.1.77';

interface Req {
  ts: number;
  ip: string;
  path: string;
  status?: number;
  method?: string;
  ua?: string;
}

/** One Istio/Envoy JSON access-log line: no user, no API key, the client in x-forwarded-for. */
function envoy(r: Req, i: number): string {
  return JSON.stringify({
    authority: 'orders.shop.svc.cluster.local',
    bytes_received: 0,
    bytes_sent: 900 + (i % 50),
    downstream_remote_address: '10.244.0.5:43218',
    duration: 20,
    method: r.method ?? 'GET',
    path: r.path,
    protocol: 'HTTP/1.1',
    request_id: `req-${i.toString(16).padStart(8, '0')}`,
    response_code: r.status ?? 200,
    response_flags: '-',
    route_name: 'default',
    start_time: new Date(r.ts).toISOString(),
    upstream_host: '10.244.1.17:8080',
    user_agent: r.ua ?? 'curl/8.5.0',
    x_forwarded_for: `${r.ip},10.244.0.5`,
  });
}

/** Ordinary anonymous traffic over eight hours: a few visitors reading a few orders and products. */
function background(): Req[] {
  const out: Req[] = [];
  const visitors = ['81.2.69.142', '212.58.244.20', '62.210.33.7', '78.46.10.9', '92.40.8.17'];
  for (let k = 0; k < 120; k++) {
    const ip = visitors[k % visitors.length]!;
    const p = k % 3 === 0 ? `/api/v1/orders/${5000 + (k % 7)}` : k % 3 === 1 ? `/api/v1/products/${100 + (k % 13)}` : '/api/v1/cart';
    out.push({ ts: T0 + k * 240_000, ip, path: p, ua: 'Mozilla/5.0 (Macintosh) Safari/605.1.15' });
  }
  return out;
}

/** 400 requests from one IP, 40 a minute, starting at 13:00. */
function run40(path: (k: number) => string, status: (k: number) => number = () => 200, ip = ATTACKER): Req[] {
  return Array.from({ length: 400 }, (_, k) => ({ ts: T0 + 5 * 3_600_000 + k * 1_500, ip, path: path(k + 1), status: status(k + 1) }));
}

async function analyse(name: string, reqs: Req[]) {
  const dir = temp('apilog-anon-bola-');
  const file = path.join(dir, `${name}.ndjson`);
  const lines = [...background(), ...reqs].sort((a, b) => a.ts - b.ts).map(envoy);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return analyze(analyzeOptions([file], { threads: 1 }));
}

const bolaOf = (r: Awaited<ReturnType<typeof analyse>>) => r.alerts.filter((a) => a.rule === 'bola-enumeration');
const status = (r: Awaited<ReturnType<typeof analyse>>) => r.summary.detectors.find((d) => d.id === 'bola-enumeration')!;
/** The detector ran on the IP-only log and raised nothing. */
function quiet(r: Awaited<ReturnType<typeof analyse>>): void {
  expect(status(r).status).toBe('ran');
  expect(bolaOf(r)).toEqual([]);
}

describe('bola-enumeration on IP-only logs', () => {
  it('finds an IP walking /api/v1/orders/1..400 at 40 a minute, all 200: high, and says no identity was logged', async () => {
    const r = await analyse('attack', run40((id) => `/api/v1/orders/${id}`));
    expect(status(r).status).toBe('ran');
    const bola = bolaOf(r);
    expect(bola).toHaveLength(1);
    const a = bola[0]!;
    expect(a.severity).toBe('high');
    expect(a.subject).toEqual({ ip: ATTACKER, route: '/api/v1/orders/{id}' });
    expect(a.evidence.metrics).toMatchObject({ distinctIds: 400, successIds: 400, sequential: true, stride: 1, anonymous: true });
    expect(a.summary).toContain(`IP ${ATTACKER}`);
    expect(a.summary).toMatch(/no user or API key was logged/);
    expect(a.severityReason).toMatch(/every id is someone's/);
    // The status says what an IP-only log can and cannot show.
    expect(status(r).notes?.join(' ')).toMatch(/no user or API key/);
  });

  it('stays quiet for an anonymous crawl of the public product catalogue (/api/v1/products/{id})', async () => {
    const r = await analyse('catalogue', run40((id) => `/api/v1/products/${id}`));
    quiet(r);
  });

  it('stays quiet for health checks', async () => {
    const r = await analyse('health', run40((id) => (id % 2 ? '/healthz' : `/api/v1/health/${id}`), () => 200, '10.0.0.5'));
    quiet(r);
  });

  it('stays quiet for a frontend paging with ?page=N (query paging is not an id walk)', async () => {
    const r = await analyse('paging', run40((n) => `/api/v1/orders?page=${n}`));
    quiet(r);
  });

  it('stays quiet for static assets', async () => {
    const r = await analyse('static', run40((n) => (n % 2 ? `/static/chunks/${n}` : `/assets/${n}`)));
    quiet(r);
  });

  it('leaves an anonymous caller mostly getting 401/404 to probing (no bola alert)', async () => {
    const r = await analyse('refused', run40((id) => `/api/v1/orders/${id}`, (id) => (id % 10 === 0 ? 200 : id % 2 ? 401 : 404)));
    quiet(r);
  });

  it('does not judge anonymous reads of random ids unless includeAnonymous is set', async () => {
    const r = await analyse('random', run40((k) => `/api/v1/orders/${Math.floor(Math.abs(Math.sin(k) * 1e6))}`));
    quiet(r);
  });
});
