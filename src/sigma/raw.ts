/**
 * Values the canonical event does not carry but web rules look at (referer, cookie, logged request
 * body), read from the raw record where common log formats put them. Header maps may hold arrays
 * (Caddy); the first string is used.
 */

type Obj = Record<string, unknown>;

function first(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v;
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'string' && x !== '' && x !== '-') return x;
  }
  return undefined;
}

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** Header maps that formats nest (request.headers, headers, httpRequest, request_headers). */
function headerMaps(r: Obj): Obj[] {
  const out: Obj[] = [];
  const h = obj(r.headers);
  if (h) out.push(h);
  const req = obj(r.request);
  const rh = req ? obj(req.headers) : undefined;
  if (rh) out.push(rh);
  const rqh = obj(r.request_headers) ?? obj(r.requestHeaders);
  if (rqh) out.push(rqh);
  const gcp = obj(r.httpRequest);
  if (gcp) out.push(gcp);
  return out;
}

function fromHeaders(r: Obj, names: readonly string[]): string | undefined {
  for (const m of headerMaps(r)) {
    for (const n of names) {
      const v = first(m[n]);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

const REFERER_TOP = ['referer', 'referrer', 'http_referer', 'Referer', 'Referrer', 'cs(Referer)', 'cs-referer', 'ClientRequestReferer', 'httpReferer', 'request_referer'];
const REFERER_HDR = ['referer', 'Referer', 'referrer', 'Referrer', 'REFERER'];
const COOKIE_TOP = ['cookie', 'Cookie', 'cookies', 'http_cookie', 'cs(Cookie)', 'cs-cookie', 'request_cookie'];
const COOKIE_HDR = ['cookie', 'Cookie', 'COOKIE'];
const BODY_TOP = ['body', 'request_body', 'requestBody', 'req_body', 'reqBody', 'request_payload', 'payload', 'RequestBody', 'post_data'];

export function rawReferer(raw: unknown): string | undefined {
  const r = obj(raw);
  if (!r) return undefined;
  for (const k of REFERER_TOP) {
    const v = first(r[k]);
    if (v !== undefined) return v;
  }
  return fromHeaders(r, REFERER_HDR);
}

export function rawCookie(raw: unknown): string | undefined {
  const r = obj(raw);
  if (!r) return undefined;
  for (const k of COOKIE_TOP) {
    const v = first(r[k]);
    if (v !== undefined) return v;
  }
  return fromHeaders(r, COOKIE_HDR);
}

const MAX_BODY = 64 * 1024;

const REFERER_KEYS = new Set(REFERER_TOP);
const BODY_KEYS = new Set([...BODY_TOP, 'request']);
const HEADER_KEYS = new Set(['headers', 'request', 'request_headers', 'requestHeaders', 'httpRequest']);

/** Bit 1: a referer key at the top level; bit 2: a body key (or `request`); bit 4: a header map. */
export const RAW_REFERER = 1;
export const RAW_BODY = 2;
export const RAW_HEADERS = 4;

/**
 * Which of referer, body and header maps the record may carry, from one pass over its top-level
 * keys (cheaper than probing every candidate name on every record).
 */
export function rawShape(raw: unknown): number {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 0;
  let bits = 0;
  for (const k in raw as Obj) {
    if (REFERER_KEYS.has(k)) bits |= RAW_REFERER;
    if (BODY_KEYS.has(k)) bits |= RAW_BODY;
    if (HEADER_KEYS.has(k)) bits |= RAW_HEADERS;
  }
  return bits;
}

/** Whether the record carries a logged request body (cheap: no serialisation). */
export function hasRawBody(raw: unknown): boolean {
  const r = obj(raw);
  if (!r) return false;
  for (const k of BODY_TOP) {
    const v = r[k];
    if (v !== undefined && v !== null && v !== '' && v !== '-') return true;
  }
  const req = obj(r.request);
  return !!req && req.body !== undefined && req.body !== null && req.body !== '';
}

/** The logged request body as text (objects are serialised, bounded to 64 KiB). */
export function rawBody(raw: unknown): string | undefined {
  const r = obj(raw);
  if (!r) return undefined;
  let v: unknown;
  for (const k of BODY_TOP) {
    if (r[k] !== undefined && r[k] !== null) {
      v = r[k];
      break;
    }
  }
  if (v === undefined) {
    const req = obj(r.request);
    if (req && req.body !== undefined && req.body !== null) v = req.body;
  }
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v.length > MAX_BODY ? v.slice(0, MAX_BODY) : v;
  if (typeof v === 'object') {
    try {
      const s = JSON.stringify(v);
      return s.length > MAX_BODY ? s.slice(0, MAX_BODY) : s;
    } catch {
      return undefined;
    }
  }
  return String(v);
}

/** A dotted path into the raw record ("headers.x-forwarded-for", "request.tls.version"). */
export function rawAt(raw: unknown, path: readonly string[]): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[p];
  }
  return cur;
}

/** String leaves of the raw record (bounded), for Sigma keyword search. */
export function rawStrings(raw: unknown, out: string[], maxDepth = 8, maxChars = 64 * 1024): void {
  let budget = maxChars;
  const walk = (v: unknown, depth: number): void => {
    if (budget <= 0) return;
    if (typeof v === 'string') {
      if (v.length > 0) {
        out.push(v.length > budget ? v.slice(0, budget) : v);
        budget -= v.length;
      }
      return;
    }
    if (typeof v === 'number' || typeof v === 'boolean') {
      out.push(String(v));
      return;
    }
    if (v === null || typeof v !== 'object' || depth >= maxDepth) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const k in v as Obj) walk((v as Obj)[k], depth + 1);
  };
  walk(raw, 0);
}
