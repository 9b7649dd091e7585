/**
 * OpenTelemetry HTTP semantic conventions. Two shapes:
 * - flattened OTLP log records / spans (ingest peels resourceLogs/resourceSpans):
 *   `{ timeUnixNano | startTimeUnixNano, attributes: { "http.request.method": ... }, resource: {...}, traceId, spanId }`;
 *   attributes still in OTLP array form (`[{key, value:{stringValue}}]`) are flattened here;
 * - plain JSON with OTel attribute names at top level.
 * Stable names (>= 1.23) first, pre-1.21 names (http.method, http.target, ...) as fall-back.
 */
import { isObj, type Rec } from '../get.js';
import { defineFormat, getters, present } from '../format.js';
import { durationMs } from '../values.js';
import type { SourceSpec } from '../spec.js';
import { FLAT_ALIASES } from './flat.js';

function anyValue(v: unknown): unknown {
  if (!isObj(v)) return v;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  const arr = v.arrayValue;
  if (isObj(arr) && Array.isArray(arr.values)) return arr.values.map(anyValue);
  return undefined;
}

function flattenAttrs(list: unknown[]): Rec {
  const out: Rec = {};
  for (const kv of list) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue;
    // An attribute named "__proto__" is an own key like any other: assigning it would set the
    // prototype of `out`, and its value's keys would then read as attributes.
    if (kv.key === '__proto__') Object.defineProperty(out, kv.key, { value: anyValue(kv.value), enumerable: true, writable: true, configurable: true });
    else out[kv.key] = anyValue(kv.value);
  }
  return out;
}

function root(rec: Rec): Rec {
  return Array.isArray(rec.attributes) ? { ...rec, attributes: flattenAttrs(rec.attributes) } : rec;
}

/** Each attribute name is looked up under `attributes` first, then at top level. */
const A = (...names: string[]): string[] => names.flatMap((n) => [`attributes.${n}`, n]);

/** Semantic-convention names per field (stable first, then pre-1.21), before the `attributes.` expansion. */
const NAMES = {
  ip: ['client.address', 'http.client_ip|xff', 'net.sock.peer.addr', 'network.peer.address', 'net.peer.ip'],
  user: ['user.id', 'enduser.id', 'user.name'],
  roles: ['user.roles', 'enduser.role'],
  sessionId: ['session.id'],
  method: ['http.request.method', 'http.method'],
  path: ['url.path', 'http.target', 'url.full', 'http.url'],
  route: ['http.route'],
  query: ['url.query'],
  host: ['server.address', 'http.host', 'net.host.name'],
  status: ['http.response.status_code', 'http.status_code'],
  bytesOut: ['http.response.body.size', 'http.response_content_length', 'http.response.size'],
  bytesIn: ['http.request.body.size', 'http.request_content_length', 'http.request.size'],
  latencyMs: ['http.server.request.duration|s'],
  userAgent: ['user_agent.original', 'http.user_agent'],
} satisfies SourceSpec;

/**
 * OTLP's own time fields, then the timestamp names of the flat alias table: the semantic
 * conventions name no timestamp key, so plain JSON with OTel attribute names at top level keeps
 * its time under whatever name its logger uses ("ts", "date", ...). Without them such records
 * carry OTel's signature, are read as otel, and are all skipped for want of a timestamp.
 */
const OTLP_TS = ['timeUnixNano', 'startTimeUnixNano', 'observedTimeUnixNano', 'timestamp', 'time'];
const OWN = {
  ts: [...OTLP_TS, ...(FLAT_ALIASES.ts ?? []).filter((a) => !OTLP_TS.includes(a))],
  requestId: ['traceId', 'trace_id'],
} satisfies SourceSpec;

const SOURCES: SourceSpec = { ...OWN };
for (const [f, names] of Object.entries(NAMES)) SOURCES[f as keyof typeof NAMES] = A(...names);

/**
 * Attribute names that say "OpenTelemetry" however they are spelt: as a dotted key or as nested
 * objects (a pipeline that expanded the dots). The stable names are OTel's own.
 */
const OTEL_ONLY = [
  'client.address', 'http.response.body.size', 'http.request.body.size', 'net.peer.ip', 'network.peer.address',
] as const;
/**
 * Pre-1.21 names that say "OpenTelemetry" only as literal dotted keys (OTel attributes are a flat
 * map of dotted names). Nested (`{"http":{"method":..,"status_code":..,"url":..}}`) they are the
 * shape of Datadog's standard attributes and of many in-house loggers, which OTel does not map:
 * those records are left to the flat alias table.
 */
const OTEL_DOTTED = ['http.method', 'http.status_code', 'http.target', 'http.url', 'http.route', 'http.client_ip'] as const;
const g = getters('http.request.method', 'http.method', ...OTEL_ONLY, 'url.path', 'url.full', 'ecs.version');

function attrHasMethodOrUrl(a: Rec): number {
  if (a['http.request.method'] !== undefined || a['http.method'] !== undefined) return 2;
  if (a['url.path'] !== undefined || a['url.full'] !== undefined || a['http.target'] !== undefined || a['http.route'] !== undefined) return 1;
  return 0;
}

function digits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function nsDiffMs(start: unknown, end: unknown): number | undefined {
  if (typeof start === 'string' && typeof end === 'string' && digits(start) && digits(end)) {
    return durationMs(Number(BigInt(end) - BigInt(start)), 'ns');
  }
  if (typeof start === 'number' && typeof end === 'number') return durationMs(end - start, 'ns');
  return undefined;
}

export const otel = defineFormat({
  id: 'otel',
  title: 'OpenTelemetry (OTLP log records / spans, semantic-convention attributes; read under attributes, then top level)',
  detectKeys: 'attributes with http.request.method / http.method (+ timeUnixNano or startTimeUnixNano); or OTel attribute keys at top level (http.request.method, client.address, ...; pre-1.21 names such as http.method, http.status_code, http.route only as dotted keys, not nested)',
  sources: SOURCES,
  docSources: { ...OWN, ...NAMES },
  notes: { latencyMs: 'endTimeUnixNano - startTimeUnixNano (spans)' },
  root,
  detect(rec) {
    const a = rec.attributes;
    if (isObj(a) || Array.isArray(a)) {
      const k = attrHasMethodOrUrl(isObj(a) ? a : flattenAttrs(a));
      if (k === 0) return 0;
      const t = rec.timeUnixNano !== undefined || rec.startTimeUnixNano !== undefined || rec.observedTimeUnixNano !== undefined;
      return k === 2 ? (t ? 1 : 0.9) : 0.8;
    }
    if (present(g['ecs.version'](rec))) return 0;
    if (g['http.request.method'](rec) === undefined && g['http.method'](rec) === undefined) return 0;
    for (const k of OTEL_ONLY) if (g[k](rec) !== undefined) return 0.75;
    for (const k of OTEL_DOTTED) if (rec[k] !== undefined) return 0.75;
    return rec['@timestamp'] === undefined && (g['url.path'](rec) !== undefined || g['url.full'](rec) !== undefined) ? 0.55 : 0;
  },
  post(r, ev) {
    if (ev.latencyMs === undefined && r.endTimeUnixNano !== undefined) {
      const ms = nsDiffMs(r.startTimeUnixNano, r.endTimeUnixNano);
      if (ms !== undefined) ev.latencyMs = ms;
    }
  },
  explainPost(r) {
    return r.endTimeUnixNano !== undefined ? { latencyMs: 'endTimeUnixNano - startTimeUnixNano' } : {};
  },
});
