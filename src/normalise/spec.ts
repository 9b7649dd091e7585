/**
 * The mapping engine. A format declares, per canonical field, the source paths to try in
 * priority order ("path" or "path|modifier"). `compileSpec` turns that into getters and
 * appliers once; `runFields` is the per-record hot loop: for each field, the first source whose
 * value converts wins. The same declarations feed `listFormats()` and `describeRecords()`, so
 * documentation and behaviour cannot drift apart.
 *
 * Modifiers:
 *   ip|xff            first valid hop of an X-Forwarded-For list
 *   apiKey|secret     the field holds the key itself: always masked
 *   method|readOnly   CloudTrail readOnly: true -> GET, false -> POST
 *   method|requestLine, path|requestLine   from "GET /p?q HTTP/1.1"
 *   method|routeKey, route|routeKey        from API Gateway "GET /orders/{id}"
 *   query|fromTarget  the query part of a path-with-query or URL
 *   host|fromUrl      the host part of a full URL
 *   latencyMs|s|ms|us|ns  unit of a bare number (strings with their own unit suffix are honoured)
 *   userAgent|urlEncoded  form-encoded text ("%2F", "+" for a space; Akamai): decoded, malformed escapes kept
 */
import { CANONICAL_FIELDS, type ApiEvent, type CanonicalField } from './event.js';
import { compilePath, compileSegments, type Getter } from './get.js';
import { parseTimestamp } from './time.js';
import { firstHopIp, ipOf } from './ip.js';
import { authFromValue } from './auth.js';
import { splitRequestLine, splitTarget } from './url.js';
import {
  boolOf, bytesOf, countryOf, durationMs, maskKey, methodOf, queryOf, rolesOf, statusOf, str, urlDecoded, type DurationUnit,
} from './values.js';

export type Ev = Partial<ApiEvent>;
export type Applier = (ev: Ev, v: unknown) => boolean;
export type SourceSpec = Partial<Record<CanonicalField, readonly string[]>>;

function setTarget(ev: Ev, s: string | undefined): boolean {
  if (s === undefined) return false;
  const t = splitTarget(s);
  if (t === undefined) return false;
  ev.path = t.path;
  if (t.query !== undefined && ev.query === undefined) ev.query = t.query;
  if (t.host !== undefined && ev.host === undefined) ev.host = t.host;
  return true;
}

const REQUEST_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE', 'PROPFIND']);

/** "GET /p" or "POST https://h/p HTTP/1.1": a known method, one space, then a target. */
function isRequestLine(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c < 65 || c > 90) return false;
  const sp = s.indexOf(' ');
  if (sp < 3 || sp > 8 || !REQUEST_METHODS.has(s.slice(0, sp))) return false;
  const t = s.charCodeAt(sp + 1);
  return t === 47 || t === 104 || t === 72 || t === 42; // "/", "h"ttp, "H"TTP, "*"
}

function latency(unit: DurationUnit): Applier {
  return (ev, v) => {
    const ms = durationMs(v, unit);
    if (ms === undefined) return false;
    ev.latencyMs = ms;
    return true;
  };
}

/*
 * One applier per string field (not a shared `ev[field] = s` closure): each store site then sees
 * a single property name, which keeps V8's inline caches monomorphic on the hot path.
 */
const setUser: Applier = (ev, v) => {
  const s = str(v);
  if (s === undefined) return false;
  ev.user = s;
  return true;
};
const setSessionId: Applier = (ev, v) => {
  const s = str(v);
  if (s === undefined) return false;
  ev.sessionId = s;
  return true;
};
const setRoute: Applier = (ev, v) => {
  const s = str(v);
  if (s === undefined) return false;
  ev.route = s;
  return true;
};
const setHost: Applier = (ev, v) => {
  const s = str(v);
  if (s === undefined) return false;
  ev.host = s;
  return true;
};
const setUserAgent: Applier = (ev, v) => {
  const s = str(v);
  if (s === undefined) return false;
  ev.userAgent = s;
  return true;
};
const setRequestId: Applier = (ev, v) => {
  const s = str(v);
  if (s === undefined) return false;
  ev.requestId = s;
  return true;
};
const setAction: Applier = (ev, v) => {
  const s = str(v);
  if (s === undefined) return false;
  ev.action = s;
  return true;
};

function routeKeyParts(v: unknown): { method?: string; route: string } | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const sp = s.indexOf(' ');
  if (sp < 0) return { route: s };
  const m = methodOf(s.slice(0, sp));
  const route = s.slice(sp + 1).trim();
  if (route.length === 0) return undefined;
  return m === undefined || m === 'ANY' ? { route } : { method: m, route };
}

const APPLIERS: Record<string, Applier> = {
  ts(ev, v) {
    const t = parseTimestamp(v);
    if (t === undefined) return false;
    ev.ts = t;
    return true;
  },
  ip(ev, v) {
    const ip = ipOf(v);
    if (ip === undefined) return false;
    ev.ip = ip;
    return true;
  },
  'ip|xff'(ev, v) {
    const ip = firstHopIp(v);
    if (ip === undefined) return false;
    ev.ip = ip;
    return true;
  },
  user: setUser,
  roles(ev, v) {
    const r = rolesOf(v);
    if (r === undefined) return false;
    ev.roles = r;
    return true;
  },
  apiKey(ev, v) {
    const k = maskKey(v);
    if (k === undefined) return false;
    ev.apiKey = k;
    return true;
  },
  'apiKey|secret'(ev, v) {
    const k = maskKey(v, true);
    if (k === undefined) return false;
    ev.apiKey = k;
    return true;
  },
  sessionId: setSessionId,
  method(ev, v) {
    const m = methodOf(v);
    if (m === undefined) return false;
    ev.method = m;
    return true;
  },
  'method|readOnly'(ev, v) {
    const b = boolOf(v);
    if (b === undefined) return false;
    ev.method = b ? 'GET' : 'POST';
    return true;
  },
  'method|requestLine'(ev, v) {
    const s = str(v);
    const line = s === undefined ? undefined : splitRequestLine(s);
    const m = line === undefined ? undefined : methodOf(line.method);
    if (m === undefined) return false;
    ev.method = m;
    return true;
  },
  'method|routeKey'(ev, v) {
    const p = routeKeyParts(v);
    if (p?.method === undefined) return false;
    ev.method = p.method;
    return true;
  },
  path(ev, v) {
    const s = str(v);
    // A request line ("GET /p?q HTTP/1.1", nginx's $request) under a key mapped as the path: its
    // target is the path, and its method is used when no other source gives one.
    if (s !== undefined && isRequestLine(s)) {
      const line = splitRequestLine(s)!;
      ev.method ??= line.method;
      return setTarget(ev, line.target);
    }
    return setTarget(ev, s);
  },
  'path|requestLine'(ev, v) {
    const s = str(v);
    const line = s === undefined ? undefined : splitRequestLine(s);
    return line !== undefined && setTarget(ev, line.target);
  },
  route: setRoute,
  'route|routeKey'(ev, v) {
    const p = routeKeyParts(v);
    if (p === undefined) return false;
    ev.route = p.route;
    return true;
  },
  query(ev, v) {
    const q = queryOf(v);
    if (q === undefined) return false;
    ev.query = q;
    return true;
  },
  'query|fromTarget'(ev, v) {
    const s = str(v);
    const t = s === undefined ? undefined : splitTarget(s);
    if (t?.query === undefined) return false;
    ev.query = t.query;
    return true;
  },
  host: setHost,
  'host|fromUrl'(ev, v) {
    const s = str(v);
    const t = s === undefined ? undefined : splitTarget(s);
    if (t?.host === undefined) return false;
    ev.host = t.host;
    return true;
  },
  status(ev, v) {
    const s = statusOf(v);
    if (s === undefined) return false;
    ev.status = s;
    return true;
  },
  bytesOut(ev, v) {
    const b = bytesOf(v);
    if (b === undefined) return false;
    ev.bytesOut = b;
    return true;
  },
  bytesIn(ev, v) {
    const b = bytesOf(v);
    if (b === undefined) return false;
    ev.bytesIn = b;
    return true;
  },
  latencyMs: latency('ms'),
  'latencyMs|ms': latency('ms'),
  'latencyMs|s': latency('s'),
  'latencyMs|us': latency('us'),
  'latencyMs|ns': latency('ns'),
  userAgent: setUserAgent,
  'userAgent|urlEncoded'(ev, v) {
    const raw = str(v);
    const s = raw === undefined ? undefined : str(urlDecoded(raw));
    if (s === undefined) return false;
    ev.userAgent = s;
    return true;
  },
  requestId: setRequestId,
  auth(ev, v) {
    const a = authFromValue(v);
    if (a === undefined) return false;
    ev.auth = a;
    return true;
  },
  action: setAction,
  country(ev, v) {
    const c = countryOf(v);
    if (c === undefined) return false;
    ev.country = c;
    return true;
  },
};

export function applierFor(field: CanonicalField, mod: string): Applier {
  const a = APPLIERS[mod ? `${field}|${mod}` : field];
  if (a === undefined) throw new Error(`internal: no converter for ${field}|${mod}`);
  return a;
}

export function hasApplier(field: CanonicalField, mod: string): boolean {
  return APPLIERS[mod ? `${field}|${mod}` : field] !== undefined;
}

export interface CompiledSource {
  field: CanonicalField;
  /** The source path as declared (or as resolved in the data). */
  path: string;
  mod: string;
  get: Getter;
  apply: Applier;
}

export interface CompiledField {
  field: CanonicalField;
  sources: CompiledSource[];
}

export function splitSource(s: string): { path: string; mod: string } {
  const bar = s.lastIndexOf('|');
  return bar < 0 ? { path: s, mod: '' } : { path: s.slice(0, bar), mod: s.slice(bar + 1) };
}

export function compileSource(field: CanonicalField, spec: string, keys?: readonly string[]): CompiledSource {
  const { path, mod } = splitSource(spec);
  // Keys already resolved in the data are read exactly as spelled; a declared path by its groupings.
  const segs = keys ?? path.split('.');
  const compile = (n: number): Getter => (keys ? compileSegments(keys.slice(0, n)) : compilePath(segs.slice(0, n).join('.')));
  return {
    field,
    path: keys ? keys.join('.') : path,
    mod,
    get: headerAware(segs, compile(segs.length), compile),
    apply: applierFor(field, mod),
  };
}

/** A segment that holds HTTP headers (`headers`, `resp_headers`). */
const HEADERS_SEGMENT = /^(?:req_|resp_|request_|response_)?headers$/i;

/**
 * HTTP header names are case-insensitive, and a producer may write them either way in one file (a
 * custom serializer's `User-Agent` beside Kong's `user-agent`): a header path that finds nothing in
 * its declared spelling looks the name up in any case. Other paths are returned as compiled.
 */
function headerAware(segs: readonly string[], exact: Getter, prefix: (segments: number) => Getter): Getter {
  let at = -1;
  for (let i = segs.length - 2; i >= 0 && at < 0; i--) if (HEADERS_SEGMENT.test(segs[i]!)) at = i;
  if (at < 0) return exact;
  const headers = prefix(at + 1);
  const name = segs.slice(at + 1).join('.').toLowerCase();
  return (o) => {
    const v = exact(o);
    if (v !== undefined) return v;
    const h = headers(o);
    if (h === null || typeof h !== 'object' || Array.isArray(h)) return undefined;
    for (const k in h) if (k.length === name.length && k.toLowerCase() === name && Object.prototype.hasOwnProperty.call(h, k)) return (h as Record<string, unknown>)[k];
    return undefined;
  };
}

/** Compiles a spec in canonical field order (path before query and host, so explicit fields win). */
export function compileSpec(spec: SourceSpec): CompiledField[] {
  const out: CompiledField[] = [];
  for (const field of CANONICAL_FIELDS) {
    const list = spec[field];
    if (!list || list.length === 0) continue;
    out.push({ field, sources: list.map((s) => compileSource(field, s)) });
  }
  return out;
}

/** The hot loop: fills `ev` from `rec`. */
export function runFields(rec: unknown, fields: readonly CompiledField[], ev: Ev): void {
  for (let i = 0; i < fields.length; i++) {
    const srcs = (fields[i] as CompiledField).sources;
    for (let j = 0; j < srcs.length; j++) {
      const s = srcs[j] as CompiledSource;
      const v = s.get(rec);
      if (v !== undefined && v !== null && s.apply(ev, v)) break;
    }
  }
}

/** Which declared source produces `field` for this record (for describe), or undefined. */
export function sourceFor(rec: unknown, sources: readonly CompiledSource[]): CompiledSource | undefined {
  for (const s of sources) {
    const v = s.get(rec);
    if (v !== undefined && v !== null && s.apply({}, v)) return s;
  }
  return undefined;
}

const MOD_NOTES: Record<string, string> = {
  xff: 'first X-Forwarded-For hop',
  secret: 'masked',
  readOnly: 'true -> GET, false -> POST',
  requestLine: 'from the request line',
  routeKey: 'from "METHOD /route"',
  fromTarget: 'query part',
  fromUrl: 'host part of the URL',
  urlEncoded: 'URL-decoded',
  auto: 'unit inferred from the file',
  s: 'seconds',
  ms: 'ms',
  us: 'µs',
  ns: 'ns',
};

/** Human description of a field's sources, for `listFormats()` and the docs. */
export function describeSources(list: readonly string[] | undefined, note?: string): string | undefined {
  const parts = (list ?? []).map((s) => {
    const { path, mod } = splitSource(s);
    const n = mod ? MOD_NOTES[mod] ?? mod : '';
    return n ? `${path} (${n})` : path;
  });
  if (note) parts.push(note);
  return parts.length > 0 ? parts.join(' | ') : undefined;
}
