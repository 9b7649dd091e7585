/**
 * "Simple flat" application and security-write-up JSON, pino-http, Go slog, Serilog CLEF and
 * FUR-API-style CSV rows, through one alias table. Key matching ignores case, "_" and "-"
 * (snake = camel = kebab); dotted aliases walk nested objects (req.method, res.statusCode).
 *
 * Hot path: `prepare` resolves, once per file, which aliases the sample actually uses (with the
 * file's own spelling) and the unit of unit-less latency fields; `map` then reads only those
 * keys. A record the compiled plan cannot map (no timestamp or no request field) goes through
 * full alias resolution for that record alone, so odd records still map correctly.
 */
import { CANONICAL_FIELDS, blankEvent, type ApiEvent, type CanonicalField } from '../event.js';
import { isObj, type Rec } from '../get.js';
import { fieldDocs, type FormatModule, type MapContext } from '../format.js';
import {
  compileSource, runFields, sourceFor, splitSource, type CompiledField, type CompiledSource, type Ev, type SourceSpec,
} from '../spec.js';
import { num, parseDurationString, type DurationUnit } from '../values.js';

/**
 * The alias table, in priority order per field. "|auto" = unit inferred from the file's values.
 * The `http.*`, `client.*`, `network.*` and `usr.*` names are the nested objects of Datadog's
 * standard attributes (`{"http":{"method","url","status_code","useragent"},"network":{"client":{"ip"}}}`)
 * and of in-house loggers that group a request the same way; each comes after the top-level names.
 */
export const FLAT_ALIASES: SourceSpec = {
  ts: [
    'timestamp', '@timestamp', 'time', 'ts', 'datetime', 'date', 'eventTime', 'event_time', 'start_time', 'StartUTC',
    'requestTime', 'time_iso8601', 'time_local', 'log_time', '@t',
    // python-json-logger's default (logging's %(asctime)s: "2024-03-01 09:15:02,120", no offset),
    // and logging's %(created)f (epoch seconds, a float): last, a creation time of something else
    // is named so too, and is only taken when nothing above is there.
    'asctime', 'created',
  ],
  ip: [
    'ip', 'client_ip', 'source_ip', 'src_ip', 'remote_addr', 'remote_ip', 'ip_address', 'req.remoteAddress',
    'client_address', 'remote_address', 'remote_host', 'x_forwarded_for|xff', 'forwarded_for|xff', 'client.ip', 'network.client.ip',
    // pino-http with no peer address. A private peer gives way to the header in any format
    // (normalise/forwarded.ts).
    'req.headers.x-forwarded-for|xff',
  ],
  user: [
    'user_id', 'user', 'username', 'uid', 'sub', 'principal', 'principal_id', 'actor_id', 'account_id', 'customer_id',
    'user_identity', 'user.id', 'user.name', 'user_name', 'actor', 'usr.id', 'usr.name', 'usr.email',
  ],
  roles: ['role', 'roles', 'user_role', 'scope', 'scopes', 'user.roles', 'permissions', 'groups'],
  apiKey: ['api_key_id', 'key_id', 'api_key|secret', 'x_api_key|secret', 'client_id', 'subscription_id'],
  sessionId: ['session_id', 'session', 'sid'],
  method: ['method', 'http_method', 'verb', 'request_method', 'req.method', 'http.method'],
  // 'request' last: nginx's $request, a request line ("GET /p HTTP/1.1") that the path applier splits.
  // requested_uri: logstash-logback-encoder's access events (Spring Boot, Dropwizard).
  path: [
    'endpoint', 'path', 'url', 'uri', 'request_uri', 'request_path', 'request_url', 'req.url', 'http.path', 'http.url', 'http.target',
    'requested_uri', 'target', 'route', 'request',
  ],
  route: ['route', 'route_template', 'http_route'],
  // request_query, vhost: ingress-nginx's documented JSON log-format names ($args, $host).
  query: ['query', 'query_string', 'querystring', 'qs', 'args', 'request_query', 'http.query'],
  host: ['host', 'http_host', 'request_host', 'vhost', 'req.headers.host'],
  status: ['status', 'status_code', 'response_code', 'http_status', 'res.statusCode', 'response_status', 'http.status_code'],
  // response_body_size, request_user_agent: Fastly's documented JSON log format.
  bytesOut: [
    'bytes', 'bytes_sent', 'response_size', 'response_bytes', 'size', 'content_length', 'body_bytes_sent', 'bytes_out',
    'res.contentLength', 'response_body_size', 'http.bytes_out', 'network.bytes_written',
  ],
  bytesIn: ['request_size', 'bytes_received', 'request_bytes', 'request_length', 'bytes_in', 'http.bytes_in', 'network.bytes_read'],
  latencyMs: [
    'response_time_ms|ms', 'duration_ms|ms', 'latency_ms|ms', 'elapsed_ms|ms', 'took_ms|ms', 'request_time_ms|ms',
    'response_time|auto', 'responseTime|auto', 'latency|auto', 'duration|auto', 'took|auto', 'elapsed|auto',
    'time_taken|auto', 'request_time|s', 'duration_s|s', 'duration_sec|s', 'duration_us|us', 'duration_ns|ns', 'http.duration_ms|ms',
    // logstash-logback-encoder's access events: milliseconds.
    'elapsed_time|ms',
  ],
  userAgent: [
    'user_agent', 'ua', 'agent', 'http_user_agent', 'useragent', 'req.headers.user-agent', 'request_user_agent', 'http.useragent',
    'http.user_agent', 'client.user_agent',
  ],
  requestId: ['request_id', 'req_id', 'req.id', 'trace_id', 'correlation_id', 'x_request_id', 'http.request_id'],
  auth: ['auth', 'auth_result', 'login_success', 'success', 'outcome', 'result', 'authenticated'],
  action: ['action'],
  country: ['country', 'geo.country', 'country_code', 'geo.country_code'],
};

/** Spellings already made: a file repeats its few keys on every record (bounded, cleared when full). */
const normalised = new Map<string, string>();
const NORMALISED_CAP = 4_096;

/** Lower-case, "_" and "-" removed: the key spelling flat matching compares. */
export function normKey(k: string): string {
  let simple = true;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c === 95 || c === 45) {
      simple = false;
      break;
    }
  }
  if (simple) return k;
  let n = normalised.get(k);
  if (n === undefined) {
    n = k.toLowerCase().replace(/[_-]/g, '');
    if (normalised.size >= NORMALISED_CAP) normalised.clear();
    normalised.set(k, n);
  }
  return n;
}

/** Per-object index normKey -> actual key (first spelling wins). */
const indexCache = new WeakMap<object, Map<string, string>>();

function keyIndex(o: Rec): Map<string, string> {
  let idx = indexCache.get(o);
  if (idx === undefined) {
    idx = new Map();
    for (const k of Object.keys(o)) {
      const n = normKey(k);
      if (!idx.has(n)) idx.set(n, k);
    }
    indexCache.set(o, idx);
  }
  return idx;
}

/** The actual keys that spell `alias` in `rec` (literal key first, then nested by segments), or null. */
export function resolveAlias(rec: Rec, alias: string): string[] | null {
  const top = keyIndex(rec).get(normKey(alias));
  if (top !== undefined && rec[top] !== undefined && rec[top] !== null) return [top];
  if (alias.indexOf('.') < 0) return null;
  const segs = alias.split('.');
  const out: string[] = [];
  let cur: unknown = rec;
  for (const s of segs) {
    if (!isObj(cur)) return null;
    const k = keyIndex(cur).get(normKey(s));
    if (k === undefined) return null;
    out.push(k);
    cur = cur[k];
  }
  return cur === undefined || cur === null ? null : out;
}

function valueAt(rec: Rec, keys: readonly string[]): unknown {
  let cur: unknown = rec;
  for (const k of keys) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Unit suffixes of latency key names (`latency_us`, `durationNanos`, `elapsed_seconds`), lower-cased. */
const NAMED_UNITS: ReadonlyMap<string, DurationUnit> = new Map([
  ...['ns', 'nanos', 'nanosecond', 'nanoseconds'].map((u) => [u, 'ns'] as const),
  ...['us', 'µs', 'μs', 'usec', 'usecs', 'micros', 'microsecond', 'microseconds'].map((u) => [u, 'us'] as const),
  ...['ms', 'msec', 'msecs', 'millis', 'millisecond', 'milliseconds'].map((u) => [u, 'ms'] as const),
  ...['s', 'sec', 'secs', 'second', 'seconds'].map((u) => [u, 's'] as const),
]);

/**
 * The unit a latency key's name states (`latency_us`, `durationNanos`, `elapsed_seconds`), or
 * undefined: a name is surer than the values' magnitude (1500 µs reads as a plausible 1500 ms). A
 * bare `_s` is seconds only over numbers, since Azure Log Analytics names every string column
 * `…_s` (`timeTaken_s` holds "0.031"). `numbers`: the key holds JSON numbers.
 */
export function latencyUnitOfName(keyPath: string, numbers: boolean): DurationUnit | undefined {
  const name = keyPath.slice(keyPath.lastIndexOf('.') + 1);
  // The last word, after a separator (latency_us) or a camelCase hump (durationMicros,
  // request_durationMicros, elapsedMS).
  const cut = Math.max(name.lastIndexOf('_'), name.lastIndexOf('-'));
  const tail = name.slice(cut + 1);
  let suffix = cut >= 0 && NAMED_UNITS.has(tail.toLowerCase()) ? tail.toLowerCase() : undefined;
  if (suffix === undefined) {
    const hump = /[a-z0-9]([A-Z][a-z]+|[NUM][sS]|[µμ]s)$/.exec(tail);
    if (hump !== null && NAMED_UNITS.has(hump[1]!.toLowerCase())) suffix = hump[1]!.toLowerCase();
  }
  if (suffix === undefined || (suffix === 's' && !numbers)) return undefined;
  return NAMED_UNITS.get(suffix);
}

/** Unit of a unit-less latency field from its values: floats with a median under 5 are seconds; a median over 50 000 is ns. */
export function inferLatencyUnit(values: readonly unknown[]): DurationUnit {
  const nums: number[] = [];
  let fractional = false;
  for (const v of values) {
    if (typeof v === 'string' && Number.isNaN(Number(v)) && !Number.isNaN(parseDurationString(v.trim()))) continue;
    const n = num(v);
    if (n === undefined) continue;
    nums.push(n);
    if (!Number.isInteger(n)) fractional = true;
  }
  if (nums.length === 0) return 'ms';
  nums.sort((a, b) => a - b);
  const median = nums[Math.floor(nums.length / 2)] as number;
  if (fractional && median < 5) return 's';
  if (!fractional && median > 50_000) return 'ns';
  return 'ms';
}

export interface FlatPlan {
  fields: CompiledField[];
  /** Inferred unit per resolved auto-latency key path. */
  units: Map<string, DurationUnit>;
  /** Top-level keys already resolved against the alias table (the sample's, then any seen later, each with a value). */
  known: Set<string>;
}

/** A resolved alias: its priority in the alias table and the exact keys it resolved to. */
interface RankedSource extends CompiledSource {
  rank: number;
  id: string;
}

/** Cap on remembered top-level keys: a file of random keys stops growing the plan there. */
const MAX_KNOWN_KEYS = 4096;

/**
 * Resolves the alias table against sample records. Every alias the sample spells is kept (even
 * when the sample's values are placeholders such as "-"), in alias-table priority order.
 */
export function buildPlan(sample: readonly Rec[], units0?: Map<string, DurationUnit>): FlatPlan {
  const fields: CompiledField[] = [];
  const units = new Map<string, DurationUnit>(units0);
  // Keys with a value only: a key that is null in every sampled record (user_id on anonymous
  // requests) resolves to nothing yet, and must be looked at again when a record fills it.
  const known = new Set<string>();
  for (const rec of sample) for (const k in rec) if (rec[k] !== null && rec[k] !== undefined) known.add(k);
  for (const field of CANONICAL_FIELDS) {
    const list = FLAT_ALIASES[field];
    if (!list) continue;
    const sources: RankedSource[] = [];
    const seen = new Set<string>();
    list.forEach((spec, rank) => {
      const { path, mod } = splitSource(spec);
      const byPath = new Map<string, { keys: string[]; values: unknown[] }>();
      for (const rec of sample) {
        const keys = resolveAlias(rec, path);
        if (keys === null) continue;
        const id = keys.join('\u0000');
        let e = byPath.get(id);
        if (e === undefined) byPath.set(id, (e = { keys, values: [] }));
        e.values.push(valueAt(rec, keys));
      }
      for (const [id, e] of byPath) {
        if (seen.has(id)) continue;
        let m = mod;
        if (mod === 'auto') {
          const joined = e.keys.join('.');
          let u = units.get(joined);
          if (u === undefined) units.set(joined, (u = inferLatencyUnit(e.values)));
          m = u;
        }
        seen.add(id);
        sources.push({ ...compileSource(field, m ? `${path}|${m}` : path, e.keys), rank, id });
      }
    });
    if (sources.length > 0) fields.push({ field, sources });
  }
  return { fields, units, known };
}

/**
 * A record with top-level keys the plan has not seen (the first 50 records were anonymous, the
 * user id appears later): resolve the aliases for it and merge what it adds into the plan, in
 * alias priority order. Later records with the same keys take the fast path again.
 */
function extendPlan(plan: FlatPlan, rec: Rec): void {
  const add = buildPlan([rec], plan.units);
  for (const k of add.known) if (plan.known.size < MAX_KNOWN_KEYS) plan.known.add(k);
  if (add.fields.length === 0) return;
  const byField = new Map<CanonicalField, RankedSource[]>();
  for (const cf of plan.fields) byField.set(cf.field, cf.sources as RankedSource[]);
  let changed = false;
  for (const cf of add.fields) {
    const cur = byField.get(cf.field) ?? [];
    const ids = new Set(cur.map((x) => x.id));
    const extra = (cf.sources as RankedSource[]).filter((x) => !ids.has(x.id));
    if (extra.length === 0) continue;
    changed = true;
    byField.set(cf.field, [...cur, ...extra].sort((a, b) => a.rank - b.rank));
  }
  if (!changed) return;
  const fields: CompiledField[] = [];
  for (const field of CANONICAL_FIELDS) {
    const sources = byField.get(field);
    if (sources !== undefined && sources.length > 0) fields.push({ field, sources });
  }
  plan.fields = fields;
  for (const [k, u] of add.units) if (!plan.units.has(k)) plan.units.set(k, u);
}

/**
 * Whether resolving the aliases for this record alone could find a field the plan did not: through
 * a nested path (an object value, whose keys the plan's top-level `known` does not cover) or a key
 * the plan stopped recording. Called after extendPlan, so every top-level key is otherwise known.
 */
function mayHoldMore(plan: FlatPlan, rec: Rec): boolean {
  if (plan.known.size >= MAX_KNOWN_KEYS) return true;
  for (const k in rec) {
    const v = rec[k];
    // Only a dotted alias reaches into an object, through its first segment (pino's `req`, `http`);
    // a logger's own bag (Serilog's `Properties`) is reached by --map alone.
    if (typeof v === 'object' && v !== null && ALIAS_PARENTS.has(normKey(k))) return true;
  }
  return false;
}

/** True when the record has a top-level key, with a value, that the plan has not resolved yet. */
function hasNewKey(plan: FlatPlan, rec: Rec): boolean {
  const known = plan.known;
  if (known.size >= MAX_KNOWN_KEYS) return false;
  for (const k in rec) {
    if (known.has(k)) continue;
    const v = rec[k];
    if (v !== null && v !== undefined) return true;
  }
  return false;
}

/** Normalised top-level alias names of the request fields (method, path, route, status). */
const REQUEST_KEYS = new Set(
  (['method', 'path', 'route', 'status'] as const).flatMap((f) =>
    (FLAT_ALIASES[f] ?? []).map((a) => splitSource(a).path).filter((p) => p.indexOf('.') < 0).map(normKey),
  ),
);
/** First segments of the dotted request aliases (pino's req / res). */
const REQUEST_PARENTS = new Set(
  (['method', 'path', 'route', 'status'] as const).flatMap((f) =>
    (FLAT_ALIASES[f] ?? []).map((a) => splitSource(a).path).filter((p) => p.indexOf('.') > 0).map((p) => normKey(p.slice(0, p.indexOf('.')))),
  ),
);

/** First segments of every dotted alias: the only objects alias resolution looks into. */
const ALIAS_PARENTS = new Set(
  Object.values(FLAT_ALIASES)
    .flatMap((list) => (list ?? []).map((a) => splitSource(a).path))
    .filter((p) => p.indexOf('.') > 0)
    .map((p) => normKey(p.slice(0, p.indexOf('.')))),
);

/** Normalised top-level timestamp aliases, and the first segments of dotted ones. */
const TIME_KEYS = new Set((FLAT_ALIASES.ts ?? []).map((a) => splitSource(a).path).filter((p) => p.indexOf('.') < 0).map(normKey));
const TIME_PARENTS = new Set(
  (FLAT_ALIASES.ts ?? []).map((a) => splitSource(a).path).filter((p) => p.indexOf('.') > 0).map((p) => normKey(p.slice(0, p.indexOf('.')))),
);

/**
 * Whether any key could give the record a timestamp, without which it scores under a vote (0.5)
 * whatever else it holds. A file whose time comes from `--map` has none on any record, and each of
 * its records is offered to every format: resolving the alias table for each cost more than the
 * rest of the analysis.
 */
function mayHaveTime(rec: Rec): boolean {
  for (const k in rec) {
    const n = normKey(k);
    if (TIME_KEYS.has(n)) return true;
    if (TIME_PARENTS.has(n) && isObj(rec[k])) return true;
  }
  return false;
}

/**
 * Cheap pre-check before full alias resolution: does any top-level key name a request field?
 * Keeps records that are plainly not access records (app messages, startup lines) off the slow path.
 */
export function mayBeRequest(rec: Rec): boolean {
  for (const k in rec) {
    const n = normKey(k);
    if (REQUEST_KEYS.has(n)) return true;
    if (REQUEST_PARENTS.has(n) && isObj(rec[k])) return true;
  }
  return false;
}

function requestish(ev: Ev): boolean {
  return ev.method !== undefined || ev.path !== undefined || ev.status !== undefined || ev.route !== undefined;
}

/** Score of one record against the alias table (0.5..0.65 when it looks like an access record). */
export function scoreFlat(rec: Rec): number {
  if (!mayBeRequest(rec) || !mayHaveTime(rec)) return 0;
  const plan = buildPlan([rec]);
  const ev: Ev = blankEvent();
  runFields(rec, plan.fields, ev);
  const ts = ev.ts !== undefined;
  const path = ev.path !== undefined;
  const who = ev.ip !== undefined || ev.user !== undefined;
  const req = ev.status !== undefined || ev.method !== undefined;
  let score: number;
  if (ts && path && req) score = who ? 0.6 : 0.55;
  else if (ts && ev.status !== undefined && ev.method !== undefined) score = 0.5;
  else score = ((ts ? 1 : 0) + (path ? 1 : 0) + (req ? 1 : 0) + (who ? 1 : 0)) * 0.1;
  // pino-http's shape is distinctive.
  const req0 = rec.req;
  const res0 = rec.res;
  if (score >= 0.5 && isObj(req0) && isObj(res0) && req0.method !== undefined && res0.statusCode !== undefined) score = 0.65;
  return score;
}

function mapFlat(rec: Rec, ctx: MapContext, lenient: boolean): Partial<ApiEvent> | null {
  const plan = ctx.state as FlatPlan | undefined;
  if (plan !== undefined) {
    if (hasNewKey(plan, rec)) extendPlan(plan, rec);
    const ev: Ev = blankEvent();
    runFields(rec, plan.fields, ev);
    if (ev.ts !== undefined && requestish(ev)) return ev;
    // The plan has resolved every key of a record without nested values: resolving them for it
    // alone finds nothing more. (A custom mapping whose timestamp comes from --map lands here on
    // every record: the slow path made such a file 5x slower to read.)
    if (!mayHoldMore(plan, rec)) return lenient || requestish(ev) ? ev : null;
  }
  // Slow path: resolve the aliases for this record alone.
  if (!lenient && !mayBeRequest(rec)) return null;
  const own = buildPlan([rec], plan?.units);
  const ev: Ev = blankEvent();
  runFields(rec, own.fields, ev);
  return lenient || requestish(ev) ? ev : null;
}

function explainFlat(rec: Rec, ctx: MapContext, ev: Partial<ApiEvent>): Partial<Record<CanonicalField, string>> {
  const plan = (ctx.state as FlatPlan | undefined) ?? buildPlan([rec]);
  const own = buildPlan([rec], plan.units);
  const out: Partial<Record<CanonicalField, string>> = {};
  for (const cf of [...plan.fields, ...own.fields]) {
    if (ev[cf.field] === undefined || out[cf.field] !== undefined) continue;
    const s = sourceFor(rec, cf.sources);
    if (s !== undefined) out[cf.field] = s.path;
  }
  return out;
}

const FLAT_DOCS = fieldDocs(FLAT_ALIASES);

export const flat: FormatModule = {
  id: 'flat',
  title: 'Flat JSON (app and security logs, pino-http, Go slog, Serilog) via the alias table',
  detectKeys: 'alias table (case-insensitive, snake = camel): a timestamp, a path and a status or method resolve (an ip or user raises confidence); pino-http req/res objects',
  fields: FLAT_DOCS,
  sources: FLAT_ALIASES,
  detect: scoreFlat,
  prepare: (sample) => buildPlan(sample),
  map: (rec, ctx) => mapFlat(rec, ctx, false),
  explain: explainFlat,
};

/**
 * `--log-format custom` (and files no format matches): only the --map paths plus the alias table.
 * Never auto-detected. Records are kept whenever the alias table finds anything; the
 * normaliser applies --map on top and then requires a timestamp and a request field.
 */
export const custom: FormatModule = {
  id: 'custom',
  title: 'Custom mapping (--map paths + the flat alias table)',
  detectKeys: 'never auto-detected; used with --log-format custom, or with --map when no format matches',
  fields: FLAT_DOCS,
  sources: FLAT_ALIASES,
  detect: () => 0,
  prepare: (sample) => buildPlan(sample),
  map: (rec, ctx) => mapFlat(rec, ctx, true),
  explain: explainFlat,
};
