/**
 * OTLP/JSON flattening. An export is `{"resourceLogs":[ResourceLogs…]}` or
 * `{"resourceSpans":[ResourceSpans…]}`; ingest streams the ResourceLogs/ResourceSpans elements and
 * turns each log record or span into one flat object:
 *
 *   { timeUnixNano, observedTimeUnixNano, severityText, severityNumber, body, traceId, spanId,
 *     parentSpanId, name, kind, startTimeUnixNano, endTimeUnixNano, status, eventName,
 *     attributes: { "http.request.method": "GET", … },   // key -> unwrapped AnyValue
 *     resource:   { "service.name": "…", … },
 *     scope: "io.opentelemetry.…" }
 *
 * Fields absent from the source are absent from the object. AnyValue is unwrapped: stringValue,
 * intValue (a string in OTLP/JSON; converted to a number), doubleValue, boolValue, bytesValue
 * (kept as base64 text), arrayValue (array), kvlistValue (object). The `resource` object is shared
 * by all records of one resource: treat it as read-only.
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setKey(o: Obj, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function toNumber(v: unknown): unknown {
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (!Number.isNaN(n) || v === 'NaN') return n;
  }
  return v;
}

/** Unwrap an OTLP AnyValue. */
export function anyValue(v: unknown): unknown {
  if (!isObj(v)) return v === undefined ? null : v;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return toNumber(v.intValue);
  if (v.doubleValue !== undefined) return toNumber(v.doubleValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) {
    const vals = isObj(v.arrayValue) ? v.arrayValue.values : undefined;
    return Array.isArray(vals) ? vals.map(anyValue) : [];
  }
  if (v.kvlistValue !== undefined) {
    return flattenAttributes(isObj(v.kvlistValue) ? v.kvlistValue.values : undefined);
  }
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** `[{key, value: AnyValue}]` -> `{ key: unwrapped }`. */
export function flattenAttributes(list: unknown): Obj {
  const out: Obj = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (isObj(kv) && typeof kv.key === 'string') setKey(out, kv.key, anyValue(kv.value));
  }
  return out;
}

function copy(from: Obj, to: Obj, keys: readonly string[]): void {
  for (const k of keys) {
    const v = from[k];
    if (v !== undefined && v !== null) to[k] = v;
  }
}

const LOG_KEYS = ['timeUnixNano', 'observedTimeUnixNano', 'severityText', 'severityNumber', 'traceId', 'spanId', 'flags', 'eventName'] as const;
const SPAN_KEYS = ['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'status', 'traceState'] as const;

function scopeName(scoped: Obj): string | undefined {
  const scope = isObj(scoped.scope) ? scoped.scope : isObj(scoped.instrumentationLibrary) ? scoped.instrumentationLibrary : undefined;
  return scope !== undefined && typeof scope.name === 'string' && scope.name !== '' ? scope.name : undefined;
}

function resourceOf(r: Obj): Obj {
  return flattenAttributes(isObj(r.resource) ? r.resource.attributes : undefined);
}

/** One ResourceLogs element -> flat log records. */
export function flattenResourceLogs(rl: unknown, emit: (rec: Obj) => void): void {
  if (!isObj(rl)) return;
  const resource = resourceOf(rl);
  const scopes = Array.isArray(rl.scopeLogs) ? rl.scopeLogs : Array.isArray(rl.instrumentationLibraryLogs) ? rl.instrumentationLibraryLogs : [];
  for (const sl of scopes) {
    if (!isObj(sl) || !Array.isArray(sl.logRecords)) continue;
    const scope = scopeName(sl);
    for (const lr of sl.logRecords) {
      if (!isObj(lr)) continue;
      const rec: Obj = {};
      copy(lr, rec, LOG_KEYS);
      if (lr.body !== undefined) rec.body = anyValue(lr.body);
      rec.attributes = flattenAttributes(lr.attributes);
      rec.resource = resource;
      if (scope !== undefined) rec.scope = scope;
      emit(rec);
    }
  }
}

/** One ResourceSpans element -> flat spans. */
export function flattenResourceSpans(rs: unknown, emit: (rec: Obj) => void): void {
  if (!isObj(rs)) return;
  const resource = resourceOf(rs);
  const scopes = Array.isArray(rs.scopeSpans) ? rs.scopeSpans : Array.isArray(rs.instrumentationLibrarySpans) ? rs.instrumentationLibrarySpans : [];
  for (const ss of scopes) {
    if (!isObj(ss) || !Array.isArray(ss.spans)) continue;
    const scope = scopeName(ss);
    for (const sp of ss.spans) {
      if (!isObj(sp)) continue;
      const rec: Obj = {};
      copy(sp, rec, SPAN_KEYS);
      rec.attributes = flattenAttributes(sp.attributes);
      rec.resource = resource;
      if (scope !== undefined) rec.scope = scope;
      emit(rec);
    }
  }
}
