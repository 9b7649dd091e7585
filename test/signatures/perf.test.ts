/**
 * Clean-log cost of the three detectors (sensitive-data-in-logs, attack-signature, endpoint-probing),
 * in memory: each alone, and the detection pipeline with the other built-in detectors with and
 * without them. Also a false-positive check: clean traffic with random UUIDs, hex ids, timestamps,
 * referers and search queries raises nothing.
 *
 * Default 200 000 events; APILOG_PERF_EVENTS=1000000 for the full measurement. Figures are printed;
 * the assertions are loose (shared CI machines vary), the figures go in docs/hygiene-and-signatures.md.
 */
import { describe, expect, it } from 'vitest';
import { sensitiveDataInLogs } from '../../src/detect/detectors/sensitive-data-in-logs.js';
import { attackSignature } from '../../src/detect/detectors/attack-signature.js';
import { endpointProbing } from '../../src/detect/detectors/endpoint-probing.js';
import { builtinDetectors, createPipeline } from '../../src/detect/index.js';
import type { Detector } from '../../src/detect/types.js';
import type { EnrichedEvent } from '../../src/enrich/types.js';
import { minimalRules, runDetector } from './helpers.js';

const N = Number(process.env.APILOG_PERF_EVENTS ?? 200_000);
const POOL = 20_000;
const MINE = new Set(['sensitive-data-in-logs', 'attack-signature', 'endpoint-probing']);

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0',
  'okhttp/4.12.0',
  'python-requests/2.31.0',
  'Go-http-client/2.0',
];
const ROUTES = ['/api/v1/orders/{id}', '/api/v1/users/{id}/profile', '/api/v1/products/{id}', '/api/v1/cart/items', '/api/v1/search', '/api/v1/auth/refresh', '/health'];
const QUERIES = ['page=2&sort=desc', 'q=red+shoes&size=42', 'fields=id,name,price', 'from=2025-03-01T00:00:00Z&to=2025-03-02T00:00:00Z', 'limit=50&offset=100', 'q=caf%C3%A9+au+lait'];

function uuid(r: () => number): string {
  const h = (n: number): string => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[Math.floor(r() * 4)]}${h(3)}-${h(12)}`;
}

interface PoolEntry {
  raw: Record<string, unknown>;
  path: string;
  template: string;
  query?: string;
  user: string;
  ip: string;
  ua: string;
  status: number;
  bytes: number;
}

function makePool(): PoolEntry[] {
  const r = prng(42);
  const out: PoolEntry[] = [];
  for (let i = 0; i < POOL; i++) {
    const template = ROUTES[Math.floor(r() * ROUTES.length)]!;
    const path = template.replace('{id}', String(1000 + Math.floor(r() * 90000)));
    const query = r() < 0.3 ? QUERIES[Math.floor(r() * QUERIES.length)] : undefined;
    const user = `u${10000 + Math.floor(r() * 2000)}`;
    const ip = `${1 + Math.floor(r() * 220)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${1 + Math.floor(r() * 250)}`;
    const ua = UAS[Math.floor(r() * UAS.length)]!;
    const status = r() < 0.9 ? 200 : r() < 0.5 ? 201 : r() < 0.5 ? 304 : 404;
    const bytes = Math.floor(r() * 20000);
    const raw: Record<string, unknown> = {
      timestamp: new Date(Date.UTC(2025, 2, 15) + i * 37).toISOString(),
      user_id: user,
      ip,
      method: r() < 0.8 ? 'GET' : 'POST',
      endpoint: query ? `${path}?${query}` : path,
      status,
      response_time_ms: Math.round(r() * 3000) / 10,
      bytes,
      user_agent: ua,
      request_id: uuid(r),
      trace_id: Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join(''),
      host: 'api.example.com',
    };
    if (r() < 0.3) raw.referer = `https://app.example.com/orders/${Math.floor(r() * 9000)}?tab=items`;
    out.push({ raw, path, template, query, user, ip, ua, status, bytes });
  }
  return out;
}

const pool = makePool();
const T0 = Date.UTC(2025, 2, 15);

function* events(n: number): Generator<EnrichedEvent> {
  for (let i = 0; i < n; i++) {
    const p = pool[i % POOL]!;
    const e: EnrichedEvent = {
      ts: T0 + i * 20,
      format: 'flat',
      source: { file: 'perf.ndjson', line: i + 1 },
      raw: p.raw,
      template: p.template,
      objectIds: [],
      actor: `user:${p.user}`,
      user: p.user,
      ip: p.ip,
      method: 'GET',
      path: p.path,
      status: p.status,
      userAgent: p.ua,
      bytesOut: p.bytes,
    };
    if (p.query !== undefined) e.query = p.query;
    yield e;
  }
}

function timeDetector(d: Detector<object>, n: number): { ms: number; alerts: number } {
  const t = performance.now();
  const r = runDetector(d, events(n));
  return { ms: performance.now() - t, alerts: r.alerts.length };
}

function timePipeline(detectors: ReadonlyArray<Detector<object>>, n: number): number {
  const p = createPipeline({ detectors, rules: minimalRules(), geo: () => null });
  const t = performance.now();
  for (const e of events(n)) p.push(e);
  p.end();
  return performance.now() - t;
}

describe(`clean-log cost of the three detectors (${N.toLocaleString('en')} events)`, () => {
  it('raises nothing on clean traffic and stays cheap per event', () => {
    const iter = performance.now();
    let count = 0;
    for (const e of events(N)) count += e.ts > 0 ? 1 : 0;
    const iterMs = performance.now() - iter;
    expect(count).toBe(N);

    const rows: string[] = [];
    let mineTotal = 0;
    for (const d of [sensitiveDataInLogs, attackSignature, endpointProbing] as Array<Detector<object>>) {
      timeDetector(d, Math.min(N, 20_000));
      const { ms, alerts } = timeDetector(d, N);
      expect(alerts, `${d.meta.id} alerts on clean traffic`).toBe(0);
      const ns = ((ms - iterMs) / N) * 1e6;
      mineTotal += ns;
      rows.push(`${d.meta.id.padEnd(24)} ${Math.round(N / (ms / 1000)).toLocaleString('en').padStart(12)} events/s  ${ns.toFixed(0).padStart(6)} ns/event`);
    }

    const others = builtinDetectors.filter((d) => !MINE.has(d.meta.id)) as Array<Detector<object>>;
    const all = builtinDetectors as Array<Detector<object>>;
    timePipeline(all, Math.min(N, 20_000));
    let without = Infinity;
    let withMine = Infinity;
    for (let round = 0; round < 2; round++) {
      without = Math.min(without, timePipeline(others, N));
      withMine = Math.min(withMine, timePipeline(all, N));
    }
    rows.push(`pipeline, ${others.length} other detectors     ${Math.round(N / (without / 1000)).toLocaleString('en').padStart(12)} events/s`);
    rows.push(`pipeline, all ${all.length} detectors          ${Math.round(N / (withMine / 1000)).toLocaleString('en').padStart(12)} events/s  (+${(((withMine - without) / without) * 100).toFixed(1)}% time)`);
    rows.push(`three detectors together: ${mineTotal.toFixed(0)} ns/event`);
    console.log(`\n${rows.join('\n')}\n`);
    expect(mineTotal).toBeLessThan(20_000);
  }, 600_000);
});
