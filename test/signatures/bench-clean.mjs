// Clean-log cost of sensitive-data-in-logs, attack-signature and endpoint-probing, measured on the
// built code (dist/) in a plain Node process, the way `apilog analyze` runs them.
//   node test/signatures/bench-clean.mjs [events]      (default 1 000 000)
// Prints one JSON object. Used by test/signatures/perf.test.ts; runnable on its own.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32 } from '../../scripts/lib/gen-events.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (p) => pathToFileURL(path.join(ROOT, 'dist', p)).href;
const { builtinDetectors, createPipeline } = await import(dist('detect/index.js'));

const N = Number(process.argv[2] ?? 1_000_000);
const POOL = 20_000;
const MINE = new Set(['sensitive-data-in-logs', 'attack-signature', 'endpoint-probing']);

const prng = mulberry32;

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

const r = prng(42);
const hex = (n) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const pool = [];
for (let i = 0; i < POOL; i++) {
  const template = ROUTES[Math.floor(r() * ROUTES.length)];
  const p = template.replace('{id}', String(1000 + Math.floor(r() * 90000)));
  const query = r() < 0.3 ? QUERIES[Math.floor(r() * QUERIES.length)] : undefined;
  const user = `u${10000 + Math.floor(r() * 2000)}`;
  const ip = `${1 + Math.floor(r() * 220)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${1 + Math.floor(r() * 250)}`;
  const ua = UAS[Math.floor(r() * UAS.length)];
  const status = r() < 0.9 ? 200 : r() < 0.5 ? 201 : r() < 0.5 ? 304 : 404;
  const bytes = Math.floor(r() * 20000);
  const raw = {
    timestamp: new Date(Date.UTC(2025, 2, 15) + i * 37).toISOString(),
    user_id: user,
    ip,
    method: r() < 0.8 ? 'GET' : 'POST',
    endpoint: query ? `${p}?${query}` : p,
    status,
    response_time_ms: Math.round(r() * 3000) / 10,
    bytes,
    user_agent: ua,
    request_id: `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(r() * 4)]}${hex(3)}-${hex(12)}`,
    trace_id: hex(32),
    host: 'api.example.com',
  };
  if (r() < 0.3) raw.referer = `https://app.example.com/orders/${Math.floor(r() * 9000)}?tab=items`;
  pool.push({ raw, path: p, template, query, user, ip, ua, status, bytes });
}

const T0 = Date.UTC(2025, 2, 15);
function* events(n) {
  for (let i = 0; i < n; i++) {
    const p = pool[i % POOL];
    const e = {
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

const rules = {
  businessHours: { timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  routes: { admin: [], login: [], export: [], sensitive: [], health: [] },
  allow: { ips: [], users: [], apiKeys: [], userAgents: [] },
  classification: [],
  policy: { adminRoles: [], roles: {}, permissions: {} },
  detectors: {},
  latenessMs: 0,
  origins: {},
};

function runAlone(d, n) {
  const alerts = [];
  const h = d.create({ options: { ...d.meta.options }, rules, geo: () => null, report: (a) => alerts.push(a), unavailable() {}, note() {} });
  const t = performance.now();
  for (const e of events(n)) h.event?.(e);
  h.end?.();
  return { ms: performance.now() - t, alerts: alerts.length };
}

function runPipeline(detectors, n) {
  const p = createPipeline({ detectors, rules, geo: () => null });
  const t = performance.now();
  for (const e of events(n)) p.push(e);
  const res = p.end();
  return { ms: performance.now() - t, alerts: res.alerts.filter((a) => MINE.has(a.rule)).length };
}

let t = performance.now();
for (const e of events(N)) if (e.ts < 0) throw new Error('unreachable');
const iterMs = performance.now() - t;

const detectors = {};
for (const d of builtinDetectors.filter((x) => MINE.has(x.meta.id))) {
  runAlone(d, Math.min(N, 50_000));
  const { ms, alerts } = runAlone(d, N);
  detectors[d.meta.id] = { eventsPerSecond: Math.round(N / (ms / 1000)), nsPerEvent: Math.round(((ms - iterMs) / N) * 1e6), alerts };
}

const others = builtinDetectors.filter((d) => !MINE.has(d.meta.id));
runPipeline(builtinDetectors, Math.min(N, 50_000));
let without = Infinity;
let withMine = Infinity;
let pipelineAlerts = 0;
for (let round = 0; round < 2; round++) {
  without = Math.min(without, runPipeline(others, N).ms);
  const w = runPipeline(builtinDetectors, N);
  withMine = Math.min(withMine, w.ms);
  pipelineAlerts = w.alerts;
}

process.stdout.write(
  `${JSON.stringify({
    events: N,
    iterationNsPerEvent: Math.round((iterMs / N) * 1e6),
    detectors,
    pipeline: {
      others: others.length,
      withoutEventsPerSecond: Math.round(N / (without / 1000)),
      withEventsPerSecond: Math.round(N / (withMine / 1000)),
      addedNsPerEvent: Math.round(((withMine - without) / N) * 1e6),
      addedPercent: Math.round(((withMine - without) / without) * 1000) / 10,
      alertsFromTheThree: pipelineAlerts,
    },
  })}\n`,
);
