/**
 * `describeRecords`: what `apilog formats detect <file>` prints. Runs the real normaliser over
 * the records and reports, per canonical field, which source path fed it and a short sample;
 * which fields are missing; which source keys nothing used; and advice in plain words: what
 * cannot run without a field, and which key in the data probably holds it (`--map f=path`).
 */
import ipaddr from 'ipaddr.js';
import { CANONICAL_FIELDS, type ApiEvent, type CanonicalField } from './event.js';
import { SET_ASIDE, type IngestIssue, type RawRecord } from '../ingest/types.js';
import { get, isObj, type Rec } from './get.js';
import { Normaliser, DETECTION_SAMPLE, type Detection } from './normaliser.js';
import { FLAT_ALIASES, inferLatencyUnit, latencyUnitOfName, normKey } from './formats/flat.js';
import { splitSource } from './spec.js';
import { parseMapKey } from './mapping.js';
import { parseTimestamp } from './time.js';
import { ipOf } from './ip.js';
import { methodOf, safeText, statusOf, str } from './values.js';
import { isKeyName } from '../hygiene/key-identity.js';
import { mostlyForwarding } from './forwarded.js';
import { shellWord } from '../util/text.js';

export interface DescribeOptions {
  file?: string;
  format?: string;
  map?: Record<string, string>;
  /** Zone of timestamps that carry no UTC offset (--input-tz). */
  inputTz?: string;
  /** rules' trustedProxies (formats detect --rules). */
  trustedProxies?: readonly string[];
}

export interface FieldReport {
  field: CanonicalField;
  /** Source path that fed the field (the first mapped record that has it), or null. */
  sourcePath: string | null;
  /** Short sample of the canonical value; control characters escaped; apiKey shows its masked name, or only type and length. */
  sample: string | null;
}

export interface DescribeResult {
  detection: Detection | null;
  /** Records examined, events mapped from them, and skipped records by reason. */
  records: number;
  events: number;
  skipped: Record<string, number>;
  /** Mapped records whose timestamp carried no UTC offset. */
  timesWithoutOffset: number;
  perField: FieldReport[];
  missing: CanonicalField[];
  /** Source leaf keys (dotted) that no field used, most frequent first. */
  unmappedKeys: string[];
  advice: string[];
  /**
   * For each missing field an unused key probably holds, the key's path (as `--map field=path` names
   * it); for the user, only a key whose name says so (`X-User-Id`, `principal.id`, not `name`).
   */
  mapSuggestions: Array<{ field: CanonicalField; path: string }>;
}

const MAX_EXPLAIN = 200;
const MAX_LEAVES = 500;
const MAX_UNMAPPED = 50;

function sampleOf(field: CanonicalField, v: unknown): string | null {
  if (v === undefined) return null;
  if (field === 'ts' && typeof v === 'number') return new Date(v).toISOString();
  // A key read as a secret is held by its masked name, which may be shown; an identifier (which
  // some services issue as the key itself) only by its type and length.
  if (field === 'apiKey') return typeof v === 'string' && isKeyName(v) ? safeText(v, 80) : `${typeof v}, ${String(v).length} chars`;
  if (Array.isArray(v)) return safeText(v.join(','), 60);
  return safeText(String(v), 60);
}

/** A placeholder rather than a value: null, empty, or a log's "-". */
function blank(v: unknown): boolean {
  return v === null || v === undefined || v === '' || v === '-';
}

/** A key of the sampled records: how many carry it, one usable value, and up to 20 distinct values. */
interface Leaf {
  n: number;
  value: unknown;
  distinct: Set<string>;
}

function leafPaths(o: Rec, prefix: string, depth: number, out: Map<string, Leaf>): void {
  for (const k of Object.keys(o)) {
    const p = prefix ? `${prefix}.${k}` : k;
    const v = o[k];
    if (isObj(v) && depth < 6 && Object.keys(v).length > 0) {
      leafPaths(v, p, depth + 1, out);
    } else {
      const e = out.get(p);
      if (e !== undefined) {
        e.n++;
        // Keep a usable sample: the first login of a gateway log often has user "-".
        if (blank(e.value) && !blank(v)) e.value = v;
        if (e.distinct.size < 20) e.distinct.add(String(v));
      } else if (out.size < MAX_LEAVES) out.set(p, { n: 1, value: v, distinct: new Set([String(v)]) });
    }
  }
}

function isUsed(leaf: string, used: readonly string[]): boolean {
  const l = leaf.toLowerCase();
  for (const u of used) {
    if (l === u || l.startsWith(u + '.') || u.startsWith(l + '.')) return true;
  }
  return false;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);
const TS_MIN = Date.UTC(2000, 0, 1);
const TS_MAX = Date.UTC(2100, 0, 1);

/**
 * How strongly a key's name says it holds the user: 2 for user, principal, account and the like
 * (`request_X-User-Id`, `uid`, `jwt_sub`; never a user agent); 1 for a bare `name`, `member`, `customer` or `owner`, unless the name says
 * it names something else (`entryPointName`, `serviceName`, `hostname`, `backendPoolName`); 0 otherwise.
 */
function userNameScore(name: string): number {
  // userAgent, user_agent: the client software, not the user.
  if (/agent/.test(name)) return 0;
  if (/(user|who|actor|principal|account|login|email|subject|^sub$|[_.-]sub$|^uid$|[_.-]uid$)/.test(name)) return 2;
  if (/(member|customer|owner|name)/.test(name) && !/(entry|point|route|router|host|server|service|app|file|level|logger|span|operation|event|type|field|key|table|bucket|region|zone|pool|backend|listener|rule|setting|cluster|instance|domain|stage|resource|category|container|pod|node|namespace|policy|product)/.test(name)) return 1;
  return 0;
}

/**
 * userNameScore of a key path, where a generic last name (`id`, `name`) takes the score of the key
 * that holds it: `caller.principal.id` is the user, `meta.node.id` is not.
 */
function userPathScore(path: string): number {
  // cognitoSub, principalId, userArn: camelCase read as snake_case (cognito_sub).
  const segs = path.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split('.');
  const own = userNameScore(segs[segs.length - 1]!);
  if (own === 2 || segs.length < 2 || !/^(id|name|login|email|key|value)$/.test(segs[segs.length - 1]!)) return own;
  const parent = segs[segs.length - 2]!;
  if (userNameScore(parent) === 2) return 2;
  // Read with its holder: `service.name` names a service, as `service_name` would.
  return userNameScore(`${parent}_${segs[segs.length - 1]!}`);
}

/** A host name or host:port (an origin, a server), not a person: `api.example.com:443`. */
function hostLike(v: unknown): boolean {
  return typeof v === 'string' && !v.includes('@') && (/^[\w.-]+:\d{2,5}$/.test(v) || /^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/i.test(v));
}

/** Does a leaf (by name and value) look like it holds `field`? */
function looksLike(field: CanonicalField, path: string, v: unknown): boolean {
  const name = (path.split('.').pop() ?? path).toLowerCase();
  switch (field) {
    case 'ts': {
      if (typeof v === 'number' && v < 1e9) return false;
      const t = parseTimestamp(v);
      return t !== undefined && t >= TS_MIN && t < TS_MAX;
    }
    case 'ip':
      // The caller's address, not the server's or a backend's (`server_ip`, `upstream_addr`).
      return typeof v === 'string' && ipOf(v) !== undefined && !/(server|local|upstream|backend|dest|target|node|pod|machine)/.test(name);
    case 'method': {
      const m = methodOf(v);
      return m !== undefined && METHODS.has(m);
    }
    case 'path':
      // A path, a URL, or a request line ("GET /p HTTP/1.1"), which --map path= splits; not a file's
      // path on disk (ECS `log.file.path`, the log the shipper read), nor the page that linked to the
      // request or one it sends the client to (referer, redirect).
      return typeof v === 'string' && (cleanPath(v) || /^[A-Z]{3,8} (\/|https?:\/\/)\S*( HTTP\/[\d.]+)?$/.test(v)) &&
        !/(^|[._])(file|filename|dir|directory|folder)([._]|$)/i.test(path) && !/(referr?er|redirect|callback|location|^origin$)/i.test(name);
    case 'status': {
      const s = statusOf(v);
      return s !== undefined && s < 600 && (Number.isInteger(Number(v)) || (typeof v === 'string' && / [A-Za-z]/.test(v))) &&
        !/(size|byte|len|ms|time|dur|port|count)/.test(name);
    }
    case 'user':
      // (Not a span or log name such as "GET /api/orders/{id}": a request, not a caller.)
      return str(v) !== undefined && typeof v !== 'boolean' && !hostLike(v) && !/^[A-Z]+ \//.test(String(v)) && userPathScore(path) > 0;
    case 'roles': {
      // A role, group or scope claim: a word or a list of words (`cognito:groups`, `X-User-Role`).
      const words = Array.isArray(v) ? v.every((x) => typeof x === 'string') && v.length > 0 : typeof v === 'string' && v.length > 0 && v.length <= 200;
      // Not a cloud's resource group, log group or security group: those name where, not who.
      return words && /(role|group|scope|permission|entitlement|authorit)/.test(name) && !/(count|size|id$|_id|name$|resource_?group|log_?group|security_?group|consumer_?group)/.test(name);
    }
    case 'bytesOut':
      // What was sent to the client, not what it sent (Azure receivedBytes, Envoy bytes_received).
      return typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))
        ? /(byte|size|length|len|sent)/.test(name) && !/(receiv|request|req[_.-]?|upload|_in$|bytesin|inbytes|page|limit|batch|chunk|buffer|max|min)/.test(name)
        : false;
    case 'latencyMs':
      return (typeof v === 'number' || (typeof v === 'string' && /^[\d.]+(ms|s|us|µs|ns)?$/.test(v))) && /(dur|lat|took|taken|elapsed|response_?time|resp_?time|ms$)/.test(name);
    case 'userAgent':
      return typeof v === 'string' && (/agent/.test(name) || /^(mozilla|curl|python|go-http|okhttp|postman|wget|java)/i.test(v));
    case 'query':
      // A query string without its "?" (ingress-nginx's request_query, $args), not a path or URL.
      return str(v) !== undefined && typeof v === 'string' && /(query|args|^qs$|[_.-]qs$)/.test(name) && !/(count|size|len|time|dur|id$)/.test(name) &&
        !v.startsWith('/') && !/^https?:/i.test(v) && !/\s/.test(v);
    case 'host':
      // The host the client asked for (vhost, :authority), not the upstream or the machine that logged.
      return typeof v === 'string' && /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{2,5})?$/i.test(v) && /(host|authority|server_name|domain)/.test(name) && !/(upstream|backend|origin|local|pod|node|machine|container)/.test(name) &&
        ipOf(String(v).replace(/:\d+$/, '')) === undefined;
    case 'requestId':
      return str(v) !== undefined && /(req|trace|correl|span).*id|^id$/.test(name);
    default:
      return false;
  }
}

/**
 * A URI without "?" simply has no query, and a path alone names no host: a format reading the query
 * (or host) from the URI finds nothing there, which is no unusable value.
 */
function nothingToTake(field: CanonicalField, v: unknown): boolean {
  if (typeof v !== 'string') return false;
  if (field === 'query') return (v.startsWith('/') || /^[a-z][\w+.-]*:\/\//i.test(v) || /^[A-Z]+ \//.test(v)) && !v.includes('?');
  if (field === 'host') return v.startsWith('/') || /^[A-Z]+ \//.test(v);
  return false;
}

/** A path or URL alone, not a line of text that starts with one. */
function cleanPath(v: string): boolean {
  return (v.startsWith('/') || /^https?:\/\//i.test(v)) && !/\s/.test(v);
}

/** A field as advice names it. */
const FIELD_NAME: Partial<Record<CanonicalField, string>> = {
  ts: 'timestamp', user: 'user', ip: 'client ip', path: 'request path', status: 'status', method: 'HTTP method', bytesOut: 'response size', roles: 'roles',
};

const WHY: Partial<Record<CanonicalField, string>> = {
  ts: 'no timestamp: records cannot be placed in time and are all skipped',
  user: 'no user field: per-user detectors (impossible-travel, and authorization-probing unless an API key names the caller) cannot run, bola-enumeration judges only sequential walks of callers known by IP, and the others know callers by IP only',
  ip: 'no client ip: per-ip detectors (credential attacks, scraping) and IP geolocation cannot run',
  path: 'no request path: route statistics, bola-enumeration and scraping cannot run',
  status: 'no status: failed requests and 401/403 auth failures cannot be seen (credential-attack detectors need them)',
  method: 'no HTTP method: write vs read cannot be told apart',
  bytesOut: 'no response size: data-exfiltration volume checks cannot run',
  roles: 'no roles: admin access is recognised by admin routes only (after-hours-admin), and question 9 (permissions used) cannot say which role a request ran with',
};

const EXAMPLE: Partial<Record<CanonicalField, string>> = {
  ts: 'path.to.time',
  user: 'path.to.user',
  ip: 'path.to.client_ip',
  path: 'path.to.url',
  status: 'path.to.status',
  method: 'path.to.method',
  bytesOut: 'path.to.response_bytes',
};

/** Optional fields worth a word when an unused key plausibly holds them. */
const OPTIONAL: CanonicalField[] = ['latencyMs', 'userAgent', 'requestId', 'query', 'host'];
const OPTIONAL_LABEL: Partial<Record<CanonicalField, string>> = {
  latencyMs: 'latency', userAgent: 'user agent', requestId: 'request id', query: 'query string', host: 'host',
};

/** Does the flat alias table read `path` (as spelt in the records) for `field`? */
function isFlatAlias(field: CanonicalField, path: string): boolean {
  const n = normKey(path);
  return (FLAT_ALIASES[field] ?? []).some((a) => normKey(splitSource(a).path) === n);
}

function aliasExamples(field: CanonicalField, n = 5): string {
  return (FLAT_ALIASES[field] ?? []).slice(0, n).map((s) => splitSource(s).path).join(', ');
}

export function describeRecords(records: RawRecord[], opts: DescribeOptions = {}): DescribeResult {
  const file = opts.file ?? records[0]?.source.file ?? '-';
  const issues: IngestIssue[] = [];
  const n = new Normaliser({ file, format: opts.format, map: opts.map, inputTz: opts.inputTz, ...(opts.trustedProxies ? { trustedProxies: opts.trustedProxies } : {}) }, (i) => issues.push(i), true);
  // Untimed records come back with ts NaN (and are counted as skipped) so their other fields can be described.
  const events: ApiEvent[] = [];
  for (const r of records) n.push(r, events);
  n.flush(events);
  const timed = events.filter((e) => !Number.isNaN(e.ts)).length;
  const detection = n.detection();

  // Per field: first event carrying it, and where it came from.
  const perField: FieldReport[] = [];
  const used = new Set<string>();
  const explained = events.slice(0, MAX_EXPLAIN).map((e) => {
    const x = n.explain(e);
    // A source built from two keys ("eventSource + eventName", "endTimeUnixNano - startTimeUnixNano") uses both.
    for (const p of Object.values(x)) if (p !== undefined) for (const part of p.split(/ [+-] /)) used.add(part.toLowerCase());
    return x;
  });
  for (const field of CANONICAL_FIELDS) {
    let idx = events.findIndex((e) =>
      field === 'auth' ? e.auth !== 'unknown' : field === 'ts' ? !Number.isNaN(e.ts) : e[field] !== undefined,
    );
    if (idx < 0 && field === 'auth') idx = events.findIndex((e) => e.status !== undefined);
    if (idx < 0) {
      perField.push({ field, sourcePath: null, sample: null });
      continue;
    }
    const e = events[idx] as ApiEvent;
    const path = (idx < explained.length ? explained[idx] : n.explain(e))?.[field];
    const sourcePath = path ?? (field === 'auth' ? 'derived from status (401/403) and login paths' : null);
    perField.push({ field, sourcePath, sample: sampleOf(field, e[field]) });
  }
  for (const o of n.overridesInUse()) used.add(o.source.path.toLowerCase());

  const missing = n.missingFields();

  // Leaf keys of the input nothing used, most frequent first.
  const usedList = [...used];
  const unusedLeaves = (values: Rec[], leaves = new Map<string, Leaf>()): Array<[string, Leaf]> => {
    for (const o of values.slice(0, MAX_EXPLAIN)) leafPaths(o, '', 0, leaves);
    return [...leaves.entries()].filter(([p]) => !isUsed(p, usedList)).sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]));
  };
  const leaves = new Map<string, Leaf>();
  const objs = records.map((r) => r.value).filter(isObj);
  const unmapped = unusedLeaves(objs, leaves);
  const unmappedKeys = unmapped.slice(0, MAX_UNMAPPED).map(([p]) => safeText(p, 80));
  // Where a missing field may be is looked for in the records that were mapped: a key only a skipped
  // record holds (an OTLP "login failed" log line among the request spans) is no place to map from.
  const mappedSources = new Set(events.map((e) => e.source));
  const mappedObjs = records.filter((r) => mappedSources.has(r.source)).map((r) => r.value).filter(isObj);
  const pool = mappedObjs.length > 0 && mappedObjs.length < objs.length ? unusedLeaves(mappedObjs) : unmapped;

  // Which unused keys probably hold a missing field, best first.
  const candidates = (field: CanonicalField): string[] => {
    if (field === 'user') {
      // The strongest name wins over the most frequent key: request_X-User-Id over entryPointName.
      const scored: { p: string; score: number }[] = [];
      for (const [p, e] of pool) {
        if (!looksLike(field, p, e.value)) continue;
        const score = userPathScore(p);
        // A weak name with one value in every record names the server, not the caller
        // (HAProxy's frontend_name, Front Door's originName): mapped, it would blame one "user" for all.
        if (score < 2 && e.n >= 5 && e.distinct.size === 1) continue;
        scored.push({ p, score });
      }
      // Stable: among equal names, the most frequent key first (pool is sorted so).
      return scored.sort((a, b) => b.score - a.score).map((x) => x.p);
    }
    const all = pool.filter(([p, e]) => looksLike(field, p, e.value));
    if (field === 'ip') {
      // A public address over a private one: behind a load balancer the peer ("client") is the
      // balancer on every line, and the caller is in a forwarded-for key.
      const pub = (v: unknown): boolean => {
        const ip = ipOf(String(v));
        return ip !== undefined && ipaddr.isValid(ip) && ipaddr.process(ip).range() === 'unicast';
      };
      return [...all.filter(([, e]) => pub(e.value)), ...all.filter(([, e]) => !pub(e.value))].map(([p]) => p);
    }
    if (field === 'path') {
      // A key holding the path alone (url_path) over a message that starts with one ("POST /login 200").
      const clean = all.filter(([, e]) => typeof e.value === 'string' && cleanPath(e.value));
      return [...new Set([...clean, ...all].map(([p]) => p))];
    }
    return all.map(([p]) => p);
  };
  const candidate = (field: CanonicalField): string | undefined => candidates(field)[0];
  /** `the key "a" looks like it: --map f=a`, and the runners-up (up to two) after it. */
  const looksLikeIt = (field: CanonicalField, key: string, mapKey: string = field): string => {
    const others = candidates(field).filter((p) => p !== key).slice(0, 2);
    return `the key "${safeText(key, 60)}" looks like it: --map ${mapKey}=${key}` +
      (others.length > 0 ? ` (or ${others.map((o) => `"${safeText(o, 60)}"`).join(', ')})` : '');
  };

  const advice: string[] = [];
  const skippedTotal = Object.values(n.skipped).reduce((a, b) => a + b, 0);
  if (records.length === 0) {
    advice.push('no records: the input holds no JSON values to map');
  } else if (objs.length === 0) {
    advice.push(`none of the ${records.length} records is a JSON object; access-log records must be objects`);
  } else if (detection !== null && detection.format === 'custom' && !opts.format && timed > 0) {
    advice.push(
      `no built-in format matched; ${timed} of ${records.length} records were mapped with your --map paths plus the flat alias table (format custom)`,
    );
  } else if (detection === null || (detection.format === 'custom' && detection.confidence === 0)) {
    const k = Math.min(objs.length, DETECTION_SAMPLE);
    const keys = [...new Set(objs.slice(0, k).flatMap((o) => Object.keys(o)))];
    const shown = keys.slice(0, 20).map((x) => safeText(x, 40)).join(', ') + (keys.length > 20 ? `, … (${keys.length} keys)` : '');
    advice.push(
      `no known format matched: none of the first ${k} records carries the signature of a supported format ` +
        `(see \`apilog formats\`). Keys seen: ${shown}.`,
    );
    advice.push(
      'apilog needs at least a timestamp (e.g. ' + aliasExamples('ts') + '), a request path (' + aliasExamples('path') +
        '), a status (' + aliasExamples('status') + ') or method (' + aliasExamples('method') + '), and a client ip (' +
        aliasExamples('ip') + ') or user (' + aliasExamples('user') + '); keys are matched case-insensitively, snake_case = camelCase.',
    );
  } else if (!opts.format) {
    const sampled = Math.min(records.length, DETECTION_SAMPLE);
    const voted = detection.votes[detection.format] ?? 0;
    const handled = Math.round(detection.confidence * sampled);
    // The vote's leader when it is not the chosen format: its signature is there, its mapping is not.
    const leader = Object.entries(detection.votes).reduce<[string, number] | undefined>((a, e) => (a === undefined || e[1] > a[1] ? e : a), undefined);
    if (leader !== undefined && leader[1] > voted) {
      advice.push(
        `${leader[1]} of the first ${sampled} records carry the signature of ${leader[0]}, but ${leader[0]} maps fewer of them than ` +
          `${detection.format}, which maps ${handled}: they are read as ${detection.format}`,
      );
    } else if (handled < voted) {
      advice.push(
        `${voted} of the first ${sampled} records look like ${detection.format}, but it maps ${handled === 0 ? 'none' : `only ${handled}`} of them (see the skipped records below)`,
      );
    } else if (detection.confidence < 0.9) {
      advice.push(
        `only ${voted} of the first ${sampled} records look like ${detection.format}; the others are mapped by another format or skipped`,
      );
    }
  }
  // A --map path no record holds (misspelt, most likely): said here too, with the keys it may have meant.
  for (const i of issues) if (i.kind === 'map-unused') advice.push(i.message);
  if (skippedTotal > 0) {
    const first = new Map<string, IngestIssue>();
    for (const i of issues) {
      const reason = i.message.slice(0, i.message.indexOf(':'));
      if (i.line !== undefined && !first.has(reason)) first.set(reason, i);
    }
    // Records a format knew and set aside are said apart: expected, and why is the format's to say.
    const setAside = n.setAsideRecords();
    for (const [reason, count] of Object.entries(n.skipped)) {
      if (reason === SET_ASIDE) continue;
      const f = first.get(reason);
      advice.push(`${count} of ${records.length} records skipped (${reason})` + (f ? `; first at line ${f.line}: ${f.message.slice(reason.length + 2)}` : ''));
    }
    for (const s of setAside) {
      advice.push(
        `${s.count} of ${records.length} records set aside by ${s.format} as not access records (counted as skipped, ${SET_ASIDE})` +
          (s.line !== undefined ? `; first at line ${s.line}: ` : ': ') + safeText(s.message, 200),
      );
    }
  }

  // Fields that are missing: what cannot run, and where the value probably is.
  const suggestions: string[] = [];
  const mapSuggestions: DescribeResult['mapSuggestions'] = [];
  const hasRoute = events.some((e) => e.route !== undefined);
  const fmt = n.primaryFormat();
  /** The format's own source of `field` when the records hold it, but only as "-" or "" (nothing to map). */
  const placeholderSource = (field: CanonicalField): string | undefined => {
    if (fmt === null) return undefined;
    for (const spec of fmt.sources[field] ?? []) {
      const p = splitSource(spec).path;
      const vs = objs.map((r) => get(r, p)).filter((v) => v !== undefined && v !== null);
      if (vs.length > 0 && vs.every((v) => v === '' || v === '-')) return p;
    }
    return undefined;
  };
  // A log of actions (CloudTrail, GCP audit): no paths or statuses to map, outcomes from its error codes.
  const actionLog = events.length > 0 && events.every((e) => e.action !== undefined) && missing.includes('path') && missing.includes('status');
  if (actionLog) {
    advice.push(
      'a log of actions, not HTTP requests: no path or status to map (outcomes come from its error codes, routes from the action); ' +
        'bola-enumeration and endpoint-probing need request paths and do not run, the other detectors judge actions',
    );
  }
  for (const field of ['ts', 'user', 'ip', 'path', 'status', 'method', 'bytesOut', 'roles'] as CanonicalField[]) {
    if (objs.length === 0 || !missing.includes(field)) continue;
    if (actionLog && (field === 'path' || field === 'status')) continue;
    const cand = candidate(field);
    // Many logs carry no roles at all: only a key that looks like one is worth a word.
    if (field === 'roles' && cand === undefined) continue;
    // A name the alias table reads by itself, missing only because no record mapped (Serilog's
    // `Timestamp` beside a `Properties` bag): "--map ts=Timestamp" would send the user after the wrong field.
    if (cand !== undefined && timed === 0 && (fmt === null || fmt.id === 'flat' || fmt.id === 'custom') && isFlatAlias(field, cand)) {
      advice.push(`no ${FIELD_NAME[field] ?? field} was read because no record mapped; the key "${safeText(cand, 60)}" is read as one by itself once they do (the other missing fields say how)`);
      continue;
    }
    const placeholder = cand === undefined ? placeholderSource(field) : undefined;
    if (placeholder !== undefined) {
      // The key is there and mapped: these requests carry no value (anonymous ones, an authorizer that did not run).
      advice.push(`${WHY[field]}; "${safeText(placeholder, 60)}" holds "-" or nothing in every sampled record: these requests were logged without one`);
      continue;
    }
    if (cand !== undefined) {
      suggestions.push(`--map ${shellWord(`${field}=${cand}`)}`);
      // A user only by a name that says so (a bare `name` or `owner` is a guess for the advice alone).
      if (field !== 'user' || userPathScore(cand) === 2) mapSuggestions.push({ field, path: cand });
    }
    // A name the flat alias table reads for this field, under a format that reads only its own keys:
    // "--map ts=ts" alone would look absurd, so say why it is needed.
    const aliasOf = cand !== undefined && fmt !== null && fmt.id !== 'flat' && fmt.id !== 'custom' && isFlatAlias(field, cand);
    const how = cand === undefined
      ? `map one with --map ${field}=${EXAMPLE[field]}`
      : aliasOf
        ? `the key "${safeText(cand, 60)}" looks like it; flat JSON is read by that name, but these records were detected as ${fmt.id}, ` +
          `which reads only its own keys: --map ${field}=${cand}`
        : looksLikeIt(field, cand);
    if (field === 'path' && hasRoute) {
      advice.push(
        'only a route template (e.g. resourcePath / routeKey / http.route) and no concrete path: bola-enumeration cannot count object ids; ' +
          'log the concrete path (API Gateway: "path":"$context.path") or ' + how,
      );
    } else {
      advice.push(`${WHY[field]}; ${how}`);
    }
  }
  // Optional fields: said only when an unused key plausibly holds one (no noise otherwise).
  if (objs.length > 0 && !actionLog) {
    for (const field of OPTIONAL) {
      if (!missing.includes(field)) continue;
      // A name the alias table reads is taken by itself once the file maps as flat JSON (or custom).
      const cand = candidates(field).find((c) => !((fmt === null || fmt.id === 'flat' || fmt.id === 'custom') && isFlatAlias(field, c)));
      if (cand === undefined) continue;
      let mapKey: string = field;
      if (field === 'latencyMs') {
        // A unit-less number in seconds or nanoseconds is said so: --map latencyMs would read 0.034 s as 0.034 ms.
        const leaf = leaves.get(cand);
        const unit = latencyUnitOfName(cand, typeof leaf?.value === 'number') ?? inferLatencyUnit([...(leaf?.distinct ?? [])]);
        if (unit !== 'ms') mapKey = `latency${unit[0]!.toUpperCase()}${unit.slice(1)}`;
      }
      suggestions.push(`--map ${shellWord(`${mapKey}=${cand}`)}`);
      advice.push(`${OPTIONAL_LABEL[field]!} is not mapped (optional); ${looksLikeIt(field, cand, mapKey)}`);
    }
  }
  // Sources present in the data whose values did not convert (in records that were mapped: a
  // skipped record's value was never taken, so it cannot have failed to convert).
  if (fmt !== null && objs.length > 0) {
    for (const field of missing) {
      for (const spec of fmt.sources[field] ?? []) {
        const p = splitSource(spec).path;
        const o = (mappedObjs.length > 0 ? mappedObjs : objs).find((r) => {
          const v = get(r, p);
          return v !== undefined && v !== null && v !== '' && v !== '-' && !nothingToTake(field, v);
        });
        if (o !== undefined) {
          const v = get(o, p);
          const shown = typeof v === 'string' || typeof v === 'number' ? JSON.stringify(safeText(String(v), 40)) : Array.isArray(v) ? 'an array' : typeof v;
          advice.push(`${field}: "${safeText(p, 60)}" is present but its values are not usable as ${field} (e.g. ${shown})`);
          break;
        }
      }
    }
  }
  // The maps already given stay in the command, so that it can be pasted as it is.
  // A field suggested anew (its given path is in no record) is given by the suggestion alone.
  const suggested = new Set(suggestions.map((x) => parseMapKey(x.slice('--map '.length, x.indexOf('=')))?.field));
  const given = Object.entries(opts.map ?? {})
    .filter(([k]) => !suggested.has(parseMapKey(k)?.field))
    .map(([k, v]) => `--map ${shellWord(`${k}=${v}`)}`);
  if (suggestions.length > 1 || (suggestions.length > 0 && given.length > 0)) {
    advice.push(`try: apilog formats detect ${shellWord(file)} ${[...given, ...suggestions].join(' ')}`);
  }
  if (n.timesWithoutOffset > 0) advice.push(noOffsetAdvice(n.timesWithoutOffset, timed, opts.inputTz));
  const fw = mostlyForwarding([n.publicForwarders], 5);
  if (fw !== undefined) {
    advice.push(
      `${fw.forwarding} of ${fw.checked} records come from a public address whose X-Forwarded-For names another client (${fw.example.peer} for ${fw.example.client}): ` +
        'the address that connected is taken (a header the client wrote could name anyone); if it is your CDN or load balancer, list its ranges under trustedProxies in a --rules file and the client is taken from the header',
    );
  }

  return {
    detection, records: records.length, events: timed, skipped: { ...n.skipped }, timesWithoutOffset: n.timesWithoutOffset,
    perField, missing, unmappedKeys, advice, mapSuggestions,
  };
}

/** Wall-clock times are read as UTC unless told otherwise: a log in local time would shift every alert. */
export function noOffsetAdvice(count: number, of: number, inputTz: string | undefined): string {
  const which = count === of ? 'the timestamps carry' : `${count} of ${of} timestamps carry`;
  return inputTz !== undefined
    ? `${which} no UTC offset: read as local time in ${inputTz} (--input-tz)`
    : `${which} no UTC offset and are read as UTC; if the log writes local time, say where with --input-tz <zone> (e.g. --input-tz Europe/Berlin)`;
}
