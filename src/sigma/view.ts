/**
 * Fields a Sigma rule can name, and the per-event view rules are matched against.
 *
 * Sigma's webserver/proxy taxonomy uses W3C/IIS names (`cs-uri-query`, `sc-status`...). They map onto
 * apilog's canonical fields; the canonical names work too. `raw.<dotted.path>` reads the raw record.
 * The view caches each field's value (and its lower-case form) once per event, however many rules
 * read it, and can URL-decode the request fields once (the attack-signature detector does).
 */
import type { EnrichedEvent } from '../enrich/types.js';
import { urlDecodeOnce } from '../signatures/decode.js';
import { rawAt, rawBody, rawCookie, rawReferer, rawStrings } from './raw.js';
import { ensureLength } from '../util/typed.js';

export type FieldValue = string | number | readonly string[] | undefined;

export interface FieldDef {
  id: number;
  /** Canonical field or pseudo-field: "path", "uri", "referer", "raw.headers.x-forwarded-for"... */
  key: string;
  /** Request text that is URL-decoded in decoding views (path, query, uri, referer, body). */
  decodable: boolean;
  get(e: EnrichedEvent): FieldValue;
}

const defs: FieldDef[] = [];
const byKey = new Map<string, FieldDef>();

function define(key: string, get: (e: EnrichedEvent) => FieldValue, decodable = false): FieldDef {
  const d: FieldDef = { id: defs.length, key, decodable, get };
  defs.push(d);
  byKey.set(key, d);
  return d;
}

function uri(e: EnrichedEvent): string | undefined {
  if (e.path === undefined) return e.query !== undefined ? `?${e.query}` : undefined;
  return e.query !== undefined && e.query !== '' ? `${e.path}?${e.query}` : e.path;
}

function extension(e: EnrichedEvent): string | undefined {
  const p = e.path;
  if (p === undefined) return undefined;
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  return dot > slash && dot < p.length - 1 ? p.slice(dot + 1) : undefined;
}

/** The fields, by canonical key. */
export const F = {
  ts: define('ts', (e) => e.ts),
  ip: define('ip', (e) => e.ip),
  user: define('user', (e) => e.user),
  roles: define('roles', (e) => e.roles),
  apiKey: define('apiKey', (e) => e.apiKey),
  sessionId: define('sessionId', (e) => e.sessionId),
  method: define('method', (e) => e.method),
  path: define('path', (e) => e.path, true),
  route: define('route', (e) => e.route),
  query: define('query', (e) => e.query, true),
  host: define('host', (e) => e.host),
  status: define('status', (e) => e.status),
  bytesOut: define('bytesOut', (e) => e.bytesOut),
  bytesIn: define('bytesIn', (e) => e.bytesIn),
  latencyMs: define('latencyMs', (e) => e.latencyMs),
  userAgent: define('userAgent', (e) => e.userAgent),
  requestId: define('requestId', (e) => e.requestId),
  auth: define('auth', (e) => e.auth),
  action: define('action', (e) => e.action),
  country: define('country', (e) => e.country),
  format: define('format', (e) => e.format),
  template: define('template', (e) => e.template),
  actor: define('actor', (e) => e.actor),
  uri: define('uri', uri, true),
  uriExtension: define('uriExtension', extension),
  referer: define('referer', (e) => rawReferer(e.raw), true),
  cookie: define('cookie', (e) => rawCookie(e.raw)),
  body: define('body', (e) => rawBody(e.raw), true),
} as const;

/** Sigma field names (lower case) -> canonical key. Canonical names map to themselves. */
const SIGMA_NAMES: Record<string, string> = {
  'c-ip': 'ip',
  'src_ip': 'ip',
  'clientip': 'ip',
  'client_ip': 'ip',
  'cs-method': 'method',
  'cs-uri-stem': 'path',
  'c-uri-stem': 'path',
  'cs-uri-query': 'query',
  'c-uri-query': 'query',
  'cs-uri': 'uri',
  'c-uri': 'uri',
  'url': 'uri',
  'c-uri-extension': 'uriExtension',
  'sc-status': 'status',
  'cs-user-agent': 'userAgent',
  'c-useragent': 'userAgent',
  'cs(user-agent)': 'userAgent',
  'useragent': 'userAgent',
  'user-agent': 'userAgent',
  'cs-referer': 'referer',
  'cs-referrer': 'referer',
  'cs(referer)': 'referer',
  'cs-host': 'host',
  'cs(host)': 'host',
  'r-dns': 'host',
  'cs-bytes': 'bytesIn',
  'sc-bytes': 'bytesOut',
  'time-taken': 'latencyMs',
  'cs-username': 'user',
  'username': 'user',
  'cs-cookie': 'cookie',
  'cs(cookie)': 'cookie',
  'timestamp': 'ts',
  '@timestamp': 'ts',
};
for (const k of byKey.keys()) SIGMA_NAMES[k.toLowerCase()] = k;

/** The field a Sigma field name refers to, or null when apilog has no such field. */
export function fieldFor(sigmaName: string): FieldDef | null {
  if (sigmaName.startsWith('raw.') && sigmaName.length > 4) {
    const existing = byKey.get(sigmaName);
    if (existing) return existing;
    const parts = sigmaName.slice(4).split('.');
    return define(sigmaName, (e) => {
      const v = rawAt(e.raw, parts);
      if (typeof v === 'string' || typeof v === 'number') return v;
      if (typeof v === 'boolean') return String(v);
      if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
      return undefined;
    });
  }
  const key = SIGMA_NAMES[sigmaName.toLowerCase()];
  return key === undefined ? null : byKey.get(key)!;
}

/** Sigma names apilog maps (for docs and `apilog rules`). */
export function sigmaFieldNames(): Record<string, string> {
  return { ...SIGMA_NAMES };
}

/** Per-event field access with caching; one view is reused across events (reset per event). */
export class EventView {
  e: EnrichedEvent = undefined as unknown as EnrichedEvent;
  private gen = 0;
  private readonly stamps: number[] = [];
  private readonly vals: FieldValue[] = [];
  private readonly lowStamps: number[] = [];
  private readonly lows: Array<string | readonly string[] | undefined> = [];
  private kwGen = -1;
  private readonly kw: string[] = [];
  /** Per field: which ASCII characters its lower-case text holds (4 x 32 bits), for quick rejects. */
  private readonly hiddenStamps: number[] = [];
  private readonly maskStamps: number[] = [];
  private readonly maskOk: boolean[] = [];
  masks = new Int32Array(64);

  /** `decode`: URL-decode path, query, uri, referer and body once before matching. */
  constructor(readonly decode = false) {}

  reset(e: EnrichedEvent): void {
    this.e = e;
    this.gen++;
  }

  /**
   * Hide a field for the current event (it reads as absent). The attack-signature detector hides
   * request fields its pre-filter found clean, for rules that are an OR of one-field selections.
   */
  hide(f: FieldDef): void {
    this.hiddenStamps[f.id] = this.gen;
  }

  value(f: FieldDef): FieldValue {
    if (this.stamps[f.id] === this.gen) return this.vals[f.id];
    if (this.hiddenStamps[f.id] === this.gen) {
      this.vals[f.id] = undefined;
      this.stamps[f.id] = this.gen;
      return undefined;
    }
    let v = f.get(this.e);
    if (this.decode && f.decodable && typeof v === 'string') v = urlDecodeOnce(v);
    this.vals[f.id] = v;
    this.stamps[f.id] = this.gen;
    return v;
  }

  /** Text form (numbers as decimal strings), as written. */
  text(f: FieldDef): string | readonly string[] | undefined {
    const v = this.value(f);
    return typeof v === 'number' ? String(v) : v;
  }

  /** Lower-case text form, cached. */
  lower(f: FieldDef): string | readonly string[] | undefined {
    if (this.lowStamps[f.id] === this.gen) return this.lows[f.id];
    const v = this.value(f);
    let l: string | readonly string[] | undefined;
    if (typeof v === 'string') l = v.toLowerCase();
    else if (typeof v === 'number') l = String(v);
    else if (v !== undefined) l = v.map((x) => x.toLowerCase());
    this.lows[f.id] = l;
    this.lowStamps[f.id] = this.gen;
    return l;
  }

  /**
   * Index into `masks` of the set of ASCII characters in the field's lower-case text (bit c of the
   * 128-bit set = character code c present), or -1 when the field is not a single string.
   */
  charMask(f: FieldDef): number {
    const base = f.id * 4;
    if (this.maskStamps[f.id] === this.gen) return this.maskOk[f.id] ? base : -1;
    const t = this.lower(f);
    if (base + 4 > this.masks.length) this.masks = ensureLength(this.masks, base + 4);
    this.maskStamps[f.id] = this.gen;
    this.maskOk[f.id] = typeof t === 'string';
    if (typeof t !== 'string') return -1;
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 32) m0 |= 1 << c;
      else if (c < 64) m1 |= 1 << (c - 32);
      else if (c < 96) m2 |= 1 << (c - 64);
      else if (c < 128) m3 |= 1 << (c - 96);
    }
    this.masks[base] = m0;
    this.masks[base + 1] = m1;
    this.masks[base + 2] = m2;
    this.masks[base + 3] = m3;
    return base;
  }

  /** Lower-case strings of the whole record (for keyword search), plus decoded request fields in decoding views. */
  keywords(): readonly string[] {
    if (this.kwGen === this.gen) return this.kw;
    this.kw.length = 0;
    rawStrings(this.e.raw, this.kw);
    if (this.decode) {
      for (const f of [F.path, F.query, F.referer, F.body]) {
        const v = this.value(f);
        if (typeof v === 'string') this.kw.push(v);
      }
    }
    for (let i = 0; i < this.kw.length; i++) this.kw[i] = this.kw[i]!.toLowerCase();
    this.kwGen = this.gen;
    return this.kw;
  }
}
