// Deterministic generator of realistic flat-format NDJSON API access-log lines.
// Used by scripts/bench-ingest.mjs (and usable by other benches / tests).
//
//   import { generateNdjson, createEventGenerator } from './lib/gen-events.mjs';
//   await generateNdjson('bench-data/x.ndjson', 200 * 1024 * 1024, 42);
//
// Same (targetBytes, seed) -> byte-identical file.

import fs from 'node:fs';

/** mulberry32: small, fast, good enough for synthetic data. Returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Mostly customers; a few staff and admins, as in a real tenant.
const ROLES = [...Array(90).fill('customer'), ...Array(5).fill('employee'), 'support', 'support', 'analyst', 'service', 'admin'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'okhttp/4.12.0',
  'python-requests/2.31.0',
  'Go-http-client/2.0',
  'axios/1.6.8',
  'curl/8.5.0',
  'PostmanRuntime/7.37.3',
];
// A realistic mix: about 2% client errors, 0.5% server errors.
const STATUS = [...Array(160).fill(200), ...Array(14).fill(201), ...Array(6).fill(204), ...Array(14).fill(304), 400, 401, 403, 404, 404, 409, 500];

/** Route templates; `{id}` becomes a numeric id, `{n}` a small page number. */
const ROUTES = [
  ['GET', '/api/v1/orders/{id}', 14],
  ['GET', '/api/v1/orders', 8],
  ['POST', '/api/v1/orders', 4],
  ['PUT', '/api/v1/orders/{id}', 2],
  ['DELETE', '/api/v1/orders/{id}', 1],
  ['GET', '/api/v1/users/{id}', 8],
  ['GET', '/api/v1/users/{id}/profile', 6],
  ['PATCH', '/api/v1/users/{id}', 2],
  ['GET', '/api/v1/products', 10],
  ['GET', '/api/v1/products/{id}', 12],
  ['GET', '/api/v1/products/{id}/reviews?page={n}', 4],
  ['POST', '/api/v1/cart/items', 5],
  ['DELETE', '/api/v1/cart/items/{id}', 1],
  ['GET', '/api/v1/invoices/{id}/pdf', 3],
  ['POST', '/api/v1/auth/login', 4],
  ['POST', '/api/v1/auth/refresh', 3],
  ['POST', '/api/v1/auth/logout', 1],
  ['GET', '/api/v1/admin/users?page={n}', 1],
  ['GET', '/api/v1/search?q=item{n}', 5],
  ['GET', '/health', 2],
];
const ROUTE_TABLE = [];
for (const r of ROUTES) for (let i = 0; i < r[2]; i++) ROUTE_TABLE.push(r);

const HEX = '0123456789abcdef';

/**
 * Returns a `next()` function producing one NDJSON line (with trailing "\n") per call.
 * @param {number} seed
 * @param {{ users?: number, startMs?: number }} [opts]
 */
export function createEventGenerator(seed, opts = {}) {
  const rnd = mulberry32(seed);
  const nUsers = opts.users ?? 3000;
  // A Monday 09:00 UTC: traffic follows a day/night cycle from there (see next()).
  let ts = opts.startMs ?? Date.UTC(2024, 3, 29, 9, 0, 0);
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[(rnd() * 16) | 0];
    return s;
  };
  const users = [];
  for (let i = 0; i < nUsers; i++) {
    users.push({
      id: `u${String(10000 + i)}`,
      role: ROLES[(rnd() * ROLES.length) | 0],
      ip: `${10 + ((rnd() * 180) | 0)}.${(rnd() * 256) | 0}.${(rnd() * 256) | 0}.${1 + ((rnd() * 254) | 0)}`,
      ua: USER_AGENTS[(rnd() * USER_AGENTS.length) | 0],
      session: hex(24),
      left: 0,
    });
  }
  return function next() {
    // Busy days, quiet nights: gaps are ten times longer between 20:00 and 07:00 UTC.
    const hour = Math.floor(ts / 3_600_000) % 24;
    ts += ((rnd() * 40) | 0) * (hour >= 20 || hour < 7 ? 10 : 1);
    // a few heavy users, a long tail
    const r = rnd();
    const u = users[r < 0.3 ? (rnd() * 50) | 0 : (rnd() * nUsers) | 0];
    if (u.left <= 0) {
      u.session = hex(24);
      u.left = 20 + ((rnd() * 200) | 0);
      // A new session sometimes comes from a new address of the same provider (same /16).
      if (rnd() < 0.1) u.ip = `${u.ip.split('.').slice(0, 2).join('.')}.${(rnd() * 256) | 0}.${1 + ((rnd() * 254) | 0)}`;
    }
    u.left--;
    let route = ROUTE_TABLE[(rnd() * ROUTE_TABLE.length) | 0];
    // Only administrators use the admin console.
    if (route[1].startsWith('/api/v1/admin/') && u.role !== 'admin') route = ROUTE_TABLE[0];
    const endpoint = route[1]
      .replace('{id}', String(1000 + ((rnd() * 90000) | 0)))
      .replace('{n}', String(1 + ((rnd() * 20) | 0)));
    const status = STATUS[(rnd() * STATUS.length) | 0];
    const rt = Math.round(Math.exp(2.5 + rnd() * 3) * 10) / 10;
    const bytes = status === 204 || status === 304 ? 0 : 80 + ((rnd() * rnd() * 40000) | 0);
    const reqId = `${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`;
    return (
      `{"timestamp":"${new Date(ts).toISOString()}","user_id":"${u.id}","role":"${u.role}","ip":"${u.ip}",` +
      `"method":"${route[0]}","endpoint":"${endpoint}","status":${status},"response_time_ms":${rt},"bytes":${bytes},` +
      `"user_agent":"${u.ua}","request_id":"${reqId}","session_id":"${u.session}"}\n`
    );
  };
}

/**
 * Write about `targetBytes` of NDJSON (whole lines; stops at the first line that reaches the target)
 * to `path`, honouring stream backpressure. Resolves with { bytes, lines }.
 * @param {string} path
 * @param {number} targetBytes
 * @param {number} seed
 */
export async function generateNdjson(path, targetBytes, seed) {
  const next = createEventGenerator(seed);
  const out = fs.createWriteStream(path, { highWaterMark: 4 * 1024 * 1024 });
  let bytes = 0;
  let lines = 0;
  const done = new Promise((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  while (bytes < targetBytes) {
    let block = '';
    while (block.length < 1024 * 1024 && bytes + block.length < targetBytes) {
      block += next();
      lines++;
    }
    bytes += Buffer.byteLength(block);
    if (!out.write(block)) await new Promise((resolve) => out.once('drain', resolve));
  }
  out.end();
  await done;
  return { bytes, lines };
}
