/**
 * Test helpers: flat/ECS/Kong records -> ApiEvent (a deliberately small mapping, independent of
 * src/normalise), and a runner through the real enricher and pipeline.
 */
import { createEnricher, createGeoLookup } from '../../src/enrich/index.js';
import { builtinDetectors, createPipeline, type Alert, type Detector, type PipelineResult } from '../../src/detect/index.js';
import { emptyRules, loadRules } from '../../src/rules/index.js';
import type { RuleSet } from '../../src/rules/types.js';
import type { ApiEvent } from '../../src/normalise/event.js';
import type { Baseline } from '../../src/baseline/types.js';
import type { FlatRecord, Label, QuietExpectation } from '../../fixtures/scenarios/generate.js';
import { severityRank } from '../../src/detect/types.js';

export const geo = createGeoLookup();

/** The six behavioural detectors these tests are about (the registry also holds other engineers' detectors). */
export const BEHAVIOURAL_IDS = ['bola-enumeration', 'credential-stuffing', 'data-exfiltration', 'impossible-travel', 'after-hours-admin', 'scraping'];
export const behavioural: Detector[] = BEHAVIOURAL_IDS.map((id) => builtinDetectors.find((d) => d.meta.id === id)!);
export const shippedRules: RuleSet = loadRules([]);
export { emptyRules };

function authFrom(status: number | undefined, path: string | undefined): ApiEvent['auth'] {
  if (status === 401 || status === 403) return 'failure';
  if (status !== undefined && status < 300 && path && /\/(login|token)$/.test(path)) return 'success';
  return undefined;
}

function split(endpoint: string): { path: string; query?: string } {
  const q = endpoint.indexOf('?');
  return q < 0 ? { path: endpoint } : { path: endpoint.slice(0, q), query: endpoint.slice(q + 1) };
}

export function toEvent(r: FlatRecord, file = 'flat.ndjson', line = 1): ApiEvent {
  const { path, query } = split(r.endpoint);
  const e: ApiEvent = { ts: Date.parse(r.timestamp), ip: r.ip, method: r.method, path, status: r.status, bytesOut: r.bytes, latencyMs: r.response_time_ms, userAgent: r.user_agent, requestId: r.request_id, format: 'flat', source: { file, line }, raw: r };
  if (query) e.query = query;
  if (r.user_id !== undefined) e.user = r.user_id;
  if (r.role !== undefined) e.roles = [r.role];
  if (r.session_id !== undefined) e.sessionId = r.session_id;
  const auth = authFrom(r.status, path);
  if (auth) e.auth = auth;
  return e;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function fromEcs(d: Obj, file = 'ecs.ndjson', line = 1): ApiEvent {
  const e: ApiEvent = {
    ts: Date.parse(d['@timestamp']),
    ip: d.source?.ip,
    method: d.http?.request?.method,
    path: d.url?.path,
    status: d.http?.response?.status_code,
    bytesOut: d.http?.response?.body?.bytes,
    latencyMs: d.event?.duration / 1e6,
    userAgent: d.user_agent?.original,
    requestId: d.http?.request?.id,
    format: 'ecs',
    source: { file, line },
    raw: d,
  };
  if (d.url?.query) e.query = d.url.query;
  if (d.user?.name) e.user = d.user.name;
  if (d.user?.roles) e.roles = d.user.roles;
  const auth = authFrom(e.status, e.path);
  if (auth) e.auth = auth;
  return e;
}

export function fromKong(d: Obj, file = 'kong.ndjson', line = 1): ApiEvent {
  const uri: string = d.request.uri;
  const { path, query } = split(uri);
  const e: ApiEvent = {
    ts: d.started_at,
    ip: d.client_ip,
    method: d.request.method,
    path,
    status: d.response.status,
    bytesOut: d.response.size,
    latencyMs: d.latencies.request,
    userAgent: d.request.headers['user-agent'],
    requestId: d.request.id,
    format: 'kong',
    source: { file, line },
    raw: d,
  };
  if (query) e.query = query;
  if (d.consumer?.username) e.user = d.consumer.username;
  const auth = authFrom(e.status, e.path);
  if (auth) e.auth = auth;
  return e;
}

export interface RunOptions {
  rules?: RuleSet;
  detectors?: Detector[];
  baseline?: Baseline;
  only?: string[];
  skip?: string[];
}

/** Events -> enricher -> pipeline -> result. */
export function runEvents(events: Iterable<ApiEvent>, opts: RunOptions = {}): PipelineResult {
  const rules = opts.rules ?? shippedRules;
  const enrich = createEnricher(rules);
  const p = createPipeline({
    detectors: opts.detectors ?? behavioural,
    rules,
    geo,
    ...(opts.baseline ? { baseline: opts.baseline } : {}),
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.skip ? { skip: opts.skip } : {}),
  });
  for (const e of events) p.push(enrich(e));
  return p.end();
}

export function runFlat(records: readonly FlatRecord[], opts: RunOptions = {}, file = 'flat.ndjson'): PipelineResult {
  return runEvents(
    records.map((r, i) => toEvent(r, file, i + 1)),
    opts,
  );
}

export function matches(a: Alert, rule: string, subject: Record<string, string>): boolean {
  if (a.rule !== rule) return false;
  return Object.entries(subject).every(([k, v]) => (a.subject as Record<string, string | undefined>)[k] === v);
}

export function atLeast(alerts: Alert[], sev: Alert['severity']): Alert[] {
  return alerts.filter((a) => severityRank(a.severity) >= severityRank(sev));
}

/** Alerts at medium+ about a quiet subject (any rule). */
export function noisyAbout(alerts: Alert[], q: QuietExpectation): Alert[] {
  return atLeast(alerts, 'medium').filter((a) => Object.entries(q.subject).every(([k, v]) => (a.subject as Record<string, string | undefined>)[k] === v));
}

export function found(alerts: Alert[], l: Label): Alert | undefined {
  return alerts.find((a) => matches(a, l.rule, l.subject));
}

/** A comparable fingerprint of alerts, without where the evidence lines came from. */
export function fingerprint(alerts: Alert[]): unknown[] {
  return alerts.map((a) => ({
    rule: a.rule,
    severity: a.severity,
    subject: a.subject,
    start: a.start,
    end: a.end,
    summary: a.summary,
    metrics: a.evidence.metrics,
    samples: a.evidence.samples.map((s) => s.requestId ?? `${s.time}`),
  }));
}

export function describe1(a: Alert): string {
  return `${a.severity} ${a.rule} ${JSON.stringify(a.subject)} ${a.summary}`;
}

let seq = 0;
/** A flat record with defaults, for hand-made cases. */
export function rec(ts: number, r: Partial<FlatRecord> & { endpoint: string }): FlatRecord {
  seq++;
  return {
    timestamp: new Date(ts).toISOString(),
    ip: '2.205.77.10',
    method: 'GET',
    status: 200,
    response_time_ms: 20,
    bytes: 1000,
    user_agent: 'Mozilla/5.0',
    request_id: `t-${seq}`,
    ...r,
  };
}

/** Deterministic shuffle within a time tolerance: each record moves by less than `maxShiftMs` of event time. */
export function jitterOrder<T extends { timestamp: string }>(records: readonly T[], maxShiftMs: number, seed = 1): T[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return records
    .map((r) => ({ r, k: Date.parse(r.timestamp) + rnd() * maxShiftMs }))
    .sort((x, y) => x.k - y.k)
    .map((x) => x.r);
}

/** Split records round-robin into `n` "files", then merge them back in time order as the orchestrator does (k-way by ts). */
export function splitAndMerge(records: readonly FlatRecord[], n: number): ApiEvent[] {
  const files: ApiEvent[][] = Array.from({ length: n }, () => []);
  records.forEach((r, i) => {
    const f = files[i % n]!;
    f.push(toEvent(r, `part-${i % n}.ndjson`, f.length + 1));
  });
  return files.flat().sort((a, b) => a.ts - b.ts);
}

/**
 * The event as a log that carries only a route template (the AWS API Gateway REST preset logs
 * `resourcePath`, mapped to `route`, and no concrete `path`): path and query dropped.
 */
export function routeOnly(e: ApiEvent, route: string, format = 'apigateway'): ApiEvent {
  const { path: _path, query: _query, ...rest } = e;
  return { ...rest, route, format };
}
