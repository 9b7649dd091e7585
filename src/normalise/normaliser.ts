/**
 * One normaliser per input file: buffers the first records, votes on the format, then maps
 * every record with the winner's compiled accessors. Records the winner does not recognise are
 * offered to the other formats (mixed files) and otherwise skipped with a counted reason. A
 * record the format knows and sets aside (FormatModule.setAside: Caddy's startup messages,
 * django-structlog's request_started) is counted as skipped, quietly, and offered to no other format.
 */
import { CANONICAL_FIELDS, blankEvent, type ApiEvent, type CanonicalField } from './event.js';
import { SET_ASIDE, type IngestIssue, type RawRecord } from '../ingest/types.js';
import { caseInsensitiveView, get, isObj, type Rec } from './get.js';
import { azureDiagnosticsColumn, azureDiagnosticsView, isAzureDiagnosticsRow } from './azure-diagnostics.js';
import type { FormatModule, MapContext } from './format.js';
import { FORMATS, bestFormat, custom, flat, formatById, formatIds } from './formats/index.js';
import { compileOverrides, validateMap, type Override } from './mapping.js';
import { deriveAuth } from './auth.js';
import { splitSource, type Ev } from './spec.js';
import { safeText } from './values.js';
import { lastTimestampHadNoOffset } from './time.js';
import { ForwardedFor, forwardedHeader, isProxyAddress, type PublicForwarders } from './forwarded.js';
import { ipOf } from './ip.js';
import { compileIpList, type IpTest } from '../rules/match.js';
import { createWallClockToUtc } from '../util/zone-offset.js';

export interface Detection {
  format: string;
  /**
   * Share of the sampled records that voted for `format` and that it maps (or sets aside as its
   * own non-access records): a signature that matches records the format cannot map (no timestamp
   * it knows) does not make confidence. When the winner of the vote maps fewer of the sampled
   * records than another format does, that format is chosen, and this is the share it maps. For a
   * forced format or custom (no format voted, --map paths did the work), the share of the sampled
   * records it mapped.
   */
  confidence: number;
  /** Records of the sample per format they matched best. Empty when the format was forced. */
  votes: Record<string, number>;
  /**
   * Set when the records are rows of a Log Analytics table read as the records they came from:
   * 'AzureDiagnostics' (type-suffixed columns read as the diagnostic-settings record's properties).
   */
  table?: 'AzureDiagnostics';
}

export interface NormaliserOptions {
  /** The file as the user named it, for issues. */
  file: string;
  /** Force a format id ('custom' = --map paths + alias table). Absent or 'auto' = detect. */
  format?: string;
  /** canonical field -> source path (from --map or a mapping file). */
  map?: Record<string, string>;
  /** IANA zone of wall-clock timestamps that carry no UTC offset (--input-tz); absent = UTC. */
  inputTz?: string;
  /** The site's own proxies outside the private ranges (rules: trustedProxies), as IPs or CIDRs. */
  trustedProxies?: readonly string[];
}

export interface FileNormaliser {
  push(rec: RawRecord, out: ApiEvent[]): void;
  flush(out: ApiEvent[]): void;
  /**
   * Live reading (`--follow`): the input went quiet with fewer than DETECTION_SAMPLE records
   * buffered. Vote on those now; later records are mapped as they come.
   */
  settle?(out: ApiEvent[]): void;
  detection(): Detection | null;
  missingFields(): CanonicalField[];
  /**
   * The records the format was chosen on (up to DETECTION_SAMPLE), as read: what `formats detect`
   * would describe. Empty when they were read through a view (keys lowercased by a pipeline,
   * AzureDiagnostics rows), whose key paths a user could not pass to --map as they are.
   */
  detectionSample(): readonly unknown[];
  /**
   * Records skipped, by reason: 'not-an-object', 'not-an-access-record', 'no-timestamp', and
   * SET_ASIDE for records a format knew and does not count (expected, so no issue each).
   */
  skipped: Record<string, number>;
  events: number;
  /** Events whose timestamp carried no UTC offset, and the zone they were read in. */
  timesWithoutOffset: number;
  readonly inputTz: string;
  /** Of the first events with a public caller not in trustedProxies, those whose X-Forwarded-For names another client (forwarded.ts). */
  readonly publicForwarders: PublicForwarders;
  /**
   * Of the first events whose client was taken from X-Forwarded-For, those where a public address
   * came before it in the header (`example`: the hop taken, as `peer`, and the one before it).
   */
  readonly hopsBehind: PublicForwarders;
}

/**
 * One matcher (and its cache of answers) per list: the files of a run share the rules' array, and a
 * folder of rotated logs would otherwise keep a cache per file until the summary is written.
 */
const trustedTests = new WeakMap<readonly string[], IpTest>();
function trustedTest(list: readonly string[]): IpTest {
  let t = trustedTests.get(list);
  if (t === undefined) trustedTests.set(list, (t = compileIpList(list)));
  return t;
}

/** Events with a public caller whose X-Forwarded-For is looked at, per file. */
const PEEK_FORWARDERS = 4096;

/** Records buffered for the vote. */
export const DETECTION_SAMPLE = 50;
/** Issues reported per file and reason; the rest are counted. */
export const ISSUES_PER_REASON = 20;

function requestish(ev: Ev): boolean {
  return ev.method !== undefined || ev.path !== undefined || ev.status !== undefined || ev.route !== undefined || ev.action !== undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function keyList(rec: Rec, max = 8): string {
  const keys = Object.keys(rec);
  const shown = keys.slice(0, max).map((k) => safeText(k, 32));
  return shown.join(', ') + (keys.length > max ? `, … (${keys.length} keys)` : '');
}

/** Edit distance (Levenshtein) of two short strings; stops early past `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(d);
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Key paths (dotted, nested objects walked) of the sampled records, first seen first. */
function keyPaths(sample: readonly Rec[], max = 500): string[] {
  const out = new Set<string>();
  const walk = (o: Rec, prefix: string, depth: number): void => {
    for (const k of Object.keys(o)) {
      if (out.size >= max) return;
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      const v = o[k];
      if (depth < 4 && v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Rec, p, depth + 1);
    }
  };
  for (const r of sample) walk(r, '', 0);
  return [...out];
}

/**
 * The keys of the sample a misspelt --map path most likely meant, closest first (up to three):
 * a small edit distance (about a third of the name), or one name the start of the other
 * (`jwt_subject` for `jwt_sub`). Compared as flat keys are: case, "_" and "-" ignored.
 */
export function closestKeys(paths: readonly string[], sample: readonly Rec[]): string[] {
  const norm = (s: string): string => s.toLowerCase().replace(/[_-]/g, '');
  const scored: { key: string; d: number }[] = [];
  for (const key of keyPaths(sample)) {
    const k = norm(key);
    let best = Infinity;
    for (const p of paths) {
      const n = norm(p);
      const max = Math.max(1, Math.floor(Math.max(n.length, k.length) / 3));
      let d = editDistance(n, k, max);
      if (d > max && Math.min(n.length, k.length) >= 3 && (n.startsWith(k) || k.startsWith(n))) d = max + 0.5;
      if (d <= max + 0.5) best = Math.min(best, d);
    }
    if (best < Infinity) scored.push({ key, d: best });
  }
  return scored.sort((a, b) => a.d - b.d).slice(0, 3).map((x) => x.key);
}

/** Records a format knew and set aside (FormatModule.setAside), per format and reason. */
export interface SetAside {
  format: string;
  /** The format's one-line reason. */
  message: string;
  count: number;
  /** Line of the first one, when known. */
  line: number | undefined;
}

interface Vote {
  winner: FormatModule | undefined;
  votes: Record<string, number>;
  /** The format each sampled record voted for (undefined: none), in sample order. */
  ballots: (FormatModule | undefined)[];
}

function vote(sample: readonly Rec[]): Vote {
  const votes: Record<string, number> = {};
  const ballots: (FormatModule | undefined)[] = [];
  for (const rec of sample) {
    const b = bestFormat(rec);
    ballots.push(b?.format);
    if (b !== undefined) votes[b.format.id] = (votes[b.format.id] ?? 0) + 1;
  }
  let winner: FormatModule | undefined;
  let most = 0;
  for (const f of FORMATS) {
    const n = votes[f.id] ?? 0;
    if (n > most) {
      most = n;
      winner = f;
    }
  }
  return { winner, votes, ballots };
}

const ALL_FIELDS = (1 << CANONICAL_FIELDS.length) - 1;
const BIT = Object.fromEntries(CANONICAL_FIELDS.map((f, i) => [f, 1 << i])) as Record<CanonicalField, number>;

/**
 * Which canonical fields an event carries, as a bit mask. Written out field by field: plain
 * property loads stay monomorphic, where a loop over `ev[field]` would not. `auth` counts as
 * present when it is known or derivable (explicit outcome, or a status to derive it from).
 */
function presence(ev: Ev, untimed: boolean): number {
  let m = 0;
  if (!untimed) m |= BIT.ts;
  if (ev.ip !== undefined) m |= BIT.ip;
  if (ev.user !== undefined) m |= BIT.user;
  if (ev.roles !== undefined) m |= BIT.roles;
  if (ev.apiKey !== undefined) m |= BIT.apiKey;
  if (ev.sessionId !== undefined) m |= BIT.sessionId;
  if (ev.method !== undefined) m |= BIT.method;
  if (ev.path !== undefined) m |= BIT.path;
  if (ev.route !== undefined) m |= BIT.route;
  if (ev.query !== undefined) m |= BIT.query;
  if (ev.host !== undefined) m |= BIT.host;
  if (ev.status !== undefined) m |= BIT.status | BIT.auth;
  if (ev.bytesOut !== undefined) m |= BIT.bytesOut;
  if (ev.bytesIn !== undefined) m |= BIT.bytesIn;
  if (ev.latencyMs !== undefined) m |= BIT.latencyMs;
  if (ev.userAgent !== undefined) m |= BIT.userAgent;
  if (ev.requestId !== undefined) m |= BIT.requestId;
  if (ev.auth !== 'unknown') m |= BIT.auth;
  if (ev.action !== undefined) m |= BIT.action;
  if (ev.country !== undefined) m |= BIT.country;
  return m;
}

export class Normaliser implements FileNormaliser {
  skipped: Record<string, number> = {};
  events = 0;
  timesWithoutOffset = 0;
  readonly publicForwarders: PublicForwarders = { checked: 0, forwarding: 0 };
  readonly hopsBehind: PublicForwarders = { checked: 0, forwarding: 0 };
  /**
   * The addresses seen before the hop taken (peekHopBehind): clients recur, made-up hops seldom do.
   * Only their count outlives the peek: let go once the file's peeks are done, or at its end (the
   * normalisers of a folder of rotated files live until the summary).
   */
  private readonly firstHops = new Set<string>();
  readonly inputTz: string;

  private readonly file: string;
  private readonly onIssue: (i: IngestIssue) => void;
  private readonly map: Record<string, string> | undefined;
  private readonly wallClockToUtc: ((wallMs: number) => number) | undefined;
  private readonly forced: FormatModule | undefined;
  private buffer: RawRecord[] | null = [];
  private primary: FormatModule | null = null;
  private primaryCtx: MapContext = { state: undefined };
  private readonly ctxs = new Map<FormatModule, MapContext>();
  private det: Detection | null = null;
  private ci = false;
  /** The file's records are AzureDiagnostics rows: each is read as its diagnostic-settings record (azure-diagnostics.ts). */
  private azdiag = false;
  private overrides: Override[] = [];
  /** --map names the client address: no X-Forwarded-For is read behind the user's choice. */
  private ipMapped = false;
  private readonly forwarded = new ForwardedFor();
  /** rules' trustedProxies; absent when the list is empty (the usual case: nothing to test). */
  private readonly trusted: IpTest | undefined;
  private sample: Rec[] = [];
  private lastAlt: FormatModule | undefined;
  /** Skipped records per reason that were (or, past the cap, would have been) raised as issues. */
  private readonly issued: Record<string, number> = {};
  private readonly setAsides = new Map<string, SetAside>();
  /** Bit i set = CANONICAL_FIELDS[i] was present in some event. */
  private seen = 0;
  private tailReported = false;

  /**
   * `keepUntimed` (describe only): records without a timestamp are still counted and reported as
   * skipped, but also handed out with `ts: NaN` so their other fields can be described.
   */
  constructor(
    opts: NormaliserOptions,
    onIssue: (i: IngestIssue) => void,
    private readonly keepUntimed = false,
  ) {
    this.file = opts.file;
    this.onIssue = onIssue;
    if (opts.trustedProxies !== undefined && opts.trustedProxies.length > 0) this.trusted = trustedTest(opts.trustedProxies);
    const zone = opts.inputTz ?? 'UTC';
    this.inputTz = zone;
    if (zone !== 'UTC' && zone !== 'Etc/UTC') this.wallClockToUtc = createWallClockToUtc(zone);
    const map = opts.map && Object.keys(opts.map).length > 0 ? opts.map : undefined;
    if (map) validateMap(map);
    this.map = map;
    const name = opts.format?.trim().toLowerCase();
    if (name && name !== 'auto') {
      const f = formatById(name);
      if (f === undefined) throw new Error(`unknown format "${opts.format}" (known: ${formatIds().join(', ')}, auto)`);
      this.forced = f;
    }
  }

  /** Whether a public caller's record names another client in X-Forwarded-For (see PublicForwarders). */
  private peekForwarder(peer: string, value: Rec): void {
    const f = this.publicForwarders;
    f.checked++;
    const client = this.forwarded.client(value, (ip) => ip === peer || (this.trusted !== undefined && this.trusted(ip)));
    // The header's first hop taken as the caller (a format that reads the header when no peer is logged) is no forwarder.
    if (client === undefined || client === peer || this.forwarded.firstHop(value) === peer) return;
    f.forwarding++;
    f.example ??= { peer, client };
  }

  /**
   * Whether a public address came before the hop taken as the client: a load balancer or CDN in
   * front of the proxy that wrote the header (Google's GFE, CloudFront) when most events show it;
   * a client writing the header itself when few do. A private first hop is the client's own network.
   */
  private peekHopBehind(client: string, value: Rec): void {
    const f = this.hopsBehind;
    f.checked++;
    const first = this.forwarded.firstHop(value);
    if (first !== undefined && first !== client && !isProxyAddress(first)) {
      f.forwarding++;
      f.example ??= { peer: client, client: first };
      this.firstHops.add(first);
      f.distinctBefore = this.firstHops.size;
    }
    if (f.checked >= PEEK_FORWARDERS) this.firstHops.clear();
  }

  push(rec: RawRecord, out: ApiEvent[]): void {
    const buf = this.buffer;
    if (buf !== null) {
      buf.push(rec);
      if (buf.length >= DETECTION_SAMPLE) this.decide(out);
      return;
    }
    this.one(rec, out);
  }

  flush(out: ApiEvent[]): void {
    if (this.buffer !== null) this.decide(out);
    this.firstHops.clear();
    if (this.tailReported) return;
    this.tailReported = true;
    for (const [reason, n] of Object.entries(this.issued)) {
      if (n > ISSUES_PER_REASON) {
        this.onIssue({
          kind: 'unmapped',
          file: this.file,
          message: `${reason}: ${n - ISSUES_PER_REASON} more records skipped for this reason (only the first ${ISSUES_PER_REASON} are listed)`,
        });
      }
    }
  }

  settle(out: ApiEvent[]): void {
    if (this.buffer !== null && this.buffer.length > 0) this.decide(out);
  }

  detection(): Detection | null {
    return this.det;
  }

  missingFields(): CanonicalField[] {
    return CANONICAL_FIELDS.filter((_, i) => (this.seen & (1 << i)) === 0);
  }

  detectionSample(): readonly unknown[] {
    return this.ci || this.azdiag ? [] : this.sample;
  }

  /** Records set aside by the formats that knew them (counted in `skipped`, not raised as issues), first seen first. */
  setAsideRecords(): readonly SetAside[] {
    return [...this.setAsides.values()];
  }

  /** The format a record would be mapped with first (after detection). */
  primaryFormat(): FormatModule | null {
    return this.primary;
  }

  overridesInUse(): readonly Override[] {
    return this.overrides;
  }

  /** Which source path fed each field of an event this normaliser produced. */
  explain(ev: ApiEvent): Partial<Record<CanonicalField, string>> {
    const fmt = formatById(ev.format) ?? custom;
    const raw = ev.raw as Rec;
    const view = this.azdiag ? azureDiagnosticsView(raw) : raw;
    const rec = this.ci ? caseInsensitiveView(view) : view;
    const ctx = fmt === this.primary ? this.primaryCtx : this.ctxFor(fmt);
    const out = fmt.explain(rec, ctx, ev);
    for (const o of this.overrides) {
      const v = o.source.get(rec);
      if (v !== undefined && v !== null && o.source.apply({}, v)) out[o.field] = o.source.path;
    }
    // An AzureDiagnostics row: name the column each field was read from, not the view's path.
    if (view !== raw) {
      for (const f of CANONICAL_FIELDS) {
        const p = out[f];
        if (p !== undefined) out[f] = azureDiagnosticsColumn(raw, p);
      }
    }
    // The header is the source only when map() took it: the peer was a proxy's address (or listed
    // in trustedProxies) and the header's client replaced it.
    if (ev.ip !== undefined && !this.ipMapped && out.ip !== undefined) {
      const peer = ipOf(get(raw, out.ip));
      if (peer !== undefined && peer !== ev.ip && (isProxyAddress(peer) || (this.trusted !== undefined && this.trusted(peer)))) {
        const via = forwardedHeader(raw, this.trusted);
        if (via !== undefined && via.client === ev.ip) out.ip = via.path;
      }
    }
    // Query and host split off a path or URL come from the path's source.
    if (out.path !== undefined) {
      if (ev.query !== undefined && out.query === undefined) out.query = out.path;
      if (ev.host !== undefined && out.host === undefined) out.host = out.path;
    }
    return out;
  }

  private decide(out: ApiEvent[]): void {
    const buf = this.buffer ?? [];
    this.buffer = null;
    let sample = buf.map((r) => r.value).filter(isObj);
    // Rows exported from the AzureDiagnostics table: read as the diagnostic-settings records they
    // came from (forced format or not). Decided once on the sample, so other logs pay nothing per record.
    if (sample.some(isAzureDiagnosticsRow)) {
      this.azdiag = true;
      sample = sample.map(azureDiagnosticsView);
    }
    let v: Vote | undefined;
    if (this.forced === undefined) {
      v = vote(sample);
      if (v.winner === undefined && sample.length > 0) {
        // Keys lowercased by a pipeline (e.g. Panther's "httprequest")? Retry case-insensitively.
        const view = sample.map(caseInsensitiveView);
        const v2 = vote(view);
        if (v2.winner !== undefined) {
          this.ci = true;
          sample = view;
          v = v2;
        }
      }
    }
    this.overrides = compileOverrides(this.map, sample);
    this.ipMapped = this.overrides.some((o) => o.field === 'ip');
    if (this.forced !== undefined) {
      this.primary = this.forced;
      this.det = { format: this.forced.id, confidence: 1, votes: {} };
    } else if (v !== undefined && v.winner !== undefined) {
      const chosen = this.chooseByMapping(v.winner, v.ballots, sample);
      this.primary = chosen.format;
      this.det = { format: chosen.format.id, confidence: chosen.handled / buf.length, votes: v.votes };
    } else {
      this.primary = null;
      this.det = this.map ? { format: 'custom', confidence: 0, votes: v?.votes ?? {} } : null;
    }
    if (this.det !== null && this.azdiag) this.det.table = 'AzureDiagnostics';
    this.sample = sample;
    const p = this.primary;
    if (p !== null && p.prepare !== undefined) {
      const own = this.forced !== undefined ? sample : sample.filter((r) => p.detect(r) >= 0.5);
      this.primaryCtx = { state: p.prepare(own.length > 0 ? own : sample) };
    }
    if (p !== null) this.ctxs.set(p, this.primaryCtx);
    this.reportUnusedOverrides(sample);
    const before = this.events;
    for (const r of buf) this.one(r, out);
    // Nothing voted (forced, or --map paths alone): how well the records fit is how many of
    // them the mapping could read. A forced format that reads none says 0%, not 100%.
    const det = this.det;
    if (det !== null && buf.length > 0 && (this.forced !== undefined || det.format === 'custom')) {
      det.confidence = (this.events - before) / buf.length;
    }
  }

  /**
   * Which sampled records `f` handles: maps into an event (a timestamp and a request field, with
   * the --map paths applied), or sets aside as its own non-access record. Runs on a throwaway
   * context, so that state a format carries from record to record starts afresh for the real pass.
   */
  private trial(f: FormatModule, sample: readonly Rec[]): boolean[] {
    let ctx: MapContext = { state: undefined };
    if (f.prepare !== undefined) {
      const own = sample.filter((r) => f.detect(r) >= 0.5);
      ctx = { state: f.prepare(own.length > 0 ? own : sample) };
    }
    const ov = this.overrides;
    return sample.map((r) => {
      const ev = f.map(r, ctx);
      if (ev === null) return f.setAside !== undefined && f.setAside(r, ctx) !== undefined;
      for (const o of ov) {
        const x = o.source.get(r);
        if (x !== undefined && x !== null) o.source.apply(ev, x);
      }
      return ev.ts !== undefined && requestish(ev);
    });
  }

  /**
   * The vote's winner, unless it cannot map some of the records that voted for it and another
   * format maps more of the sample: then that one. A signature can match records its format has no
   * timestamp for (an NGINX-shaped log that names its time "ts"), and a format chosen for them
   * would skip every record while the flat alias table maps them. `handled` is how many sampled
   * records the chosen format handles: the winner's own voters only; for another format, all it maps.
   * Once per file, on the sample only: the winner is tried on it, the others only when the winner
   * leaves some of its voters unmapped.
   */
  private chooseByMapping(winner: FormatModule, ballots: readonly (FormatModule | undefined)[], sample: readonly Rec[]): { format: FormatModule; handled: number } {
    const ok = this.trial(winner, sample);
    let voters = 0;
    let handledVoters = 0;
    let handledAll = 0;
    for (let i = 0; i < sample.length; i++) {
      if (ok[i] === true) handledAll++;
      if (ballots[i] !== winner) continue;
      voters++;
      if (ok[i] === true) handledVoters++;
    }
    if (handledVoters === voters) return { format: winner, handled: handledVoters };
    // A few odd records (a line with its time under another key) are no reason to read the whole
    // file another way: another format is tried only when the winner fails most of its own voters.
    if (2 * handledVoters >= voters) return { format: winner, handled: handledAll };
    let best: { format: FormatModule; handled: number } = { format: winner, handled: handledAll };
    for (const f of FORMATS) {
      if (f === winner || (f !== flat && !ballots.includes(f))) continue;
      const n = this.trial(f, sample).filter(Boolean).length;
      if (n > best.handled) best = { format: f, handled: n };
    }
    return best.format === winner ? { format: winner, handled: handledVoters } : best;
  }

  /** A --map path that no sampled record holds is most likely misspelt: said once per file, not silently ignored. */
  private reportUnusedOverrides(sample: readonly Rec[]): void {
    if (sample.length === 0) return;
    const holds = (o: Override): boolean =>
      sample.some((r) => {
        const x = o.source.get(this.ci ? caseInsensitiveView(r) : r);
        return x !== undefined && x !== null;
      });
    // A field given several paths (one per gateway in a mixed folder) is unused in a file only
    // when none of them is there; it is then named once, with all of its paths.
    const byField = new Map<CanonicalField, Override[]>();
    for (const o of this.overrides) byField.set(o.field, [...(byField.get(o.field) ?? []), o]);
    for (const [field, list] of byField) {
      if (list.some(holds)) continue;
      const paths = list.map((o) => o.path).reverse();
      const given = paths.map((p) => `--map ${field}=${safeText(p, 60)}`).join(' ');
      const names = paths.map((p) => `"${safeText(p, 60)}"`).join(' or ');
      const near = closestKeys(paths, sample);
      const mean = near.length > 0 ? `; did you mean ${near.map((k) => `--map ${field}=${safeText(k, 60)}`).join(' or ')}?` : '';
      this.onIssue({
        kind: 'map-unused',
        file: this.file,
        message: `${given}: none of the first ${sample.length} records has ${names}${mean} (keys: ${keyList(sample[0]!, 24)}); check its spelling with \`apilog formats detect\``,
      });
    }
  }

  private ctxFor(f: FormatModule): MapContext {
    let ctx = this.ctxs.get(f);
    if (ctx === undefined) {
      const own = f === custom ? this.sample : this.sample.filter((r) => f.detect(r) >= 0.5);
      ctx = { state: f.prepare !== undefined ? f.prepare(own) : undefined };
      this.ctxs.set(f, ctx);
    }
    return ctx;
  }

  private skip(reason: string, rec: RawRecord, message: () => string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
    const n = (this.issued[reason] ?? 0) + 1;
    this.issued[reason] = n;
    if (n <= ISSUES_PER_REASON) {
      this.onIssue({ kind: 'unmapped', file: this.file, line: rec.source.line, message: `${reason}: ${message()}` });
    }
  }

  /**
   * Asks `f` whether it knows this record and sets it aside; if so, counts it (skipped, no issue)
   * and returns true.
   */
  private setAsideBy(f: FormatModule, v: Rec, ctx: MapContext, rec: RawRecord): boolean {
    if (f.setAside === undefined) return false;
    const why = f.setAside(v, ctx);
    if (why === undefined) return false;
    this.skipped[SET_ASIDE] = (this.skipped[SET_ASIDE] ?? 0) + 1;
    const key = `${f.id}\u0000${why}`;
    const seen = this.setAsides.get(key);
    if (seen !== undefined) seen.count++;
    else this.setAsides.set(key, { format: f.id, message: why, count: 1, line: rec.source.line });
    return true;
  }

  private one(rec: RawRecord, out: ApiEvent[]): void {
    const value = rec.value;
    if (!isObj(value)) {
      this.skip('not-an-object', rec, () => `record is ${typeName(value)}, not a JSON object`);
      return;
    }
    const row = this.azdiag ? azureDiagnosticsView(value) : value;
    const v = this.ci ? caseInsensitiveView(row) : row;
    let fmt: FormatModule | null = this.primary;
    let ev: Ev | null = fmt !== null ? fmt.map(v, this.primaryCtx) : null;
    // A record the format knows and does not count is offered to no other format.
    if (ev === null && fmt !== null && this.setAsideBy(fmt, v, this.primaryCtx, rec)) return;

    if (ev === null && this.forced === undefined) {
      // Mixed file: another format may know this record.
      const last = this.lastAlt;
      if (last !== undefined) {
        const ctx = this.ctxFor(last);
        ev = last.map(v, ctx);
        if (ev !== null) fmt = last;
        else if (this.setAsideBy(last, v, ctx, rec)) return;
      }
      if (ev === null) {
        const b = bestFormat(v, this.primary ?? undefined);
        if (b !== undefined) {
          const ctx = this.ctxFor(b.format);
          ev = b.format.map(v, ctx);
          if (ev !== null) {
            fmt = b.format;
            this.lastAlt = b.format === flat ? undefined : b.format;
          } else if (this.setAsideBy(b.format, v, ctx, rec)) {
            return;
          }
        }
      }
      if (ev === null && this.primary === null) {
        fmt = custom;
        ev = custom.map(v, this.ctxFor(custom));
      }
    }
    if (ev === null && this.overrides.length > 0) {
      ev = blankEvent();
      fmt = custom;
    }
    if (ev === null || fmt === null) {
      const forced = this.forced;
      this.skip('not-an-access-record', rec, () =>
        forced !== undefined
          ? `does not match the forced format ${forced.id} (expects ${forced.detectKeys}); keys: ${keyList(value)}`
          : `matches no known access-log format; keys: ${keyList(value)}`,
      );
      return;
    }
    const ov = this.overrides;
    for (let i = 0; i < ov.length; i++) {
      const s = (ov[i] as Override).source;
      const x = s.get(v);
      if (x !== undefined && x !== null) s.apply(ev, x);
    }
    if (ev.ip !== undefined && !this.ipMapped) {
      if (isProxyAddress(ev.ip) || (this.trusted !== undefined && this.trusted(ev.ip))) {
        const client = this.forwarded.client(value, this.trusted);
        if (client !== undefined) {
          ev.ip = client;
          if (this.hopsBehind.checked < PEEK_FORWARDERS) this.peekHopBehind(client, value);
        }
      } else if (this.publicForwarders.checked < PEEK_FORWARDERS) this.peekForwarder(ev.ip, value);
    }
    if (!requestish(ev)) {
      const f = fmt;
      this.skip('not-an-access-record', rec, () => `no method, path, status or action found (${f.id}); keys: ${keyList(value)}`);
      return;
    }
    let untimed = false;
    if (ev.ts === undefined) {
      const f = fmt;
      this.skip('no-timestamp', rec, () => this.noTsMessage(f, v));
      if (!this.keepUntimed) return;
      untimed = true;
      ev.ts = Number.NaN;
    }
    // Only the ts converter parses times, and it ran last of all that could (see time.ts).
    if (!untimed && lastTimestampHadNoOffset()) {
      this.timesWithoutOffset++;
      if (this.wallClockToUtc !== undefined) ev.ts = this.wallClockToUtc(ev.ts as number);
    }
    if (ev.auth === undefined) ev.auth = deriveAuth(ev.status, ev.path, ev.method);
    ev.format = fmt.id;
    ev.source = rec.source;
    ev.raw = value;
    if (this.seen !== ALL_FIELDS) this.seen |= presence(ev, untimed);
    out.push(ev as ApiEvent);
    if (!untimed) this.events++;
  }

  private noTsMessage(f: FormatModule, v: Rec): string {
    const tried = (f.sources.ts ?? []).map((s) => splitSource(s).path);
    const ovTs = this.overrides.find((o) => o.field === 'ts');
    if (ovTs !== undefined) tried.unshift(ovTs.path);
    for (const p of tried) {
      const x = get(v, p);
      if (x !== undefined && x !== null && x !== '') {
        const shown = typeof x === 'string' || typeof x === 'number' ? safeText(String(x), 40) : typeName(x);
        return `"${safeText(p, 40)}" holds ${JSON.stringify(shown)}, which is not a timestamp (${f.id}); map another with --map ts=<path>`;
      }
    }
    const list = tried.slice(0, 6).map((p) => safeText(p, 32)).join(', ');
    return `no usable timestamp (${f.id} looks for ${list}${tried.length > 6 ? ', …' : ''}); map one with --map ts=<path>`;
  }
}

export function createNormaliser(opts: NormaliserOptions, onIssue: (i: IngestIssue) => void): FileNormaliser {
  return new Normaliser(opts, onIssue);
}
