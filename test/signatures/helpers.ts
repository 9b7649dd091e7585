/**
 * Test helpers shared by the hygiene, signature and Sigma tests: raw record -> EnrichedEvent (a tiny
 * stand-in for normalise + enrich), a minimal RuleSet, and a detector runner with a hand-made context.
 */
import fs from 'node:fs';
import type { EnrichedEvent } from '../../src/enrich/types.js';
import type { Alert, Detector, DetectorContext, KeyedState, KeyedStateOptions } from '../../src/detect/types.js';
import type { RuleSet } from '../../src/rules/types.js';
import { KeyedTable } from '../../src/detect/state.js';

export function minimalRules(detectors: Record<string, Record<string, unknown>> = {}): RuleSet {
  return {
    businessHours: { timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
    routes: { admin: [], login: [], export: [], sensitive: [], health: [] },
    allow: { ips: [], users: [], apiKeys: [], userAgents: [] },
    classification: [],
    policy: { adminRoles: [], roles: {}, permissions: {} },
    detectors,
    latenessMs: 0,
    origins: {},
  } as RuleSet;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v !== '-' ? v : undefined;
}

/** Build an EnrichedEvent from a raw record the way a simple JSON access-log format would. */
export function eventFromRaw(raw: Record<string, unknown>, file = 'test.ndjson', line = 1): EnrichedEvent {
  const headers = (raw.headers ?? {}) as Record<string, unknown>;
  let path = str(raw.path) ?? str(raw.url) ?? str(raw.uri);
  let query = str(raw.query);
  if (path !== undefined && query === undefined) {
    const q = path.indexOf('?');
    if (q >= 0) {
      query = path.slice(q + 1);
      path = path.slice(0, q);
    }
  }
  const tsRaw = raw.ts ?? raw.time ?? raw.timestamp;
  const ts = typeof tsRaw === 'number' ? tsRaw : typeof tsRaw === 'string' ? Date.parse(tsRaw) : Date.UTC(2025, 2, 15, 12) + line * 1000;
  const ip = str(raw.ip) ?? '203.0.113.10';
  const user = str(raw.user);
  const apiKey = str(raw.api_key_id);
  const e: EnrichedEvent = {
    ts,
    format: 'test',
    source: { file, line },
    raw,
    template: path ?? '/',
    objectIds: [],
    actor: user !== undefined ? `user:${user}` : apiKey !== undefined ? `key:${apiKey}` : `ip:${ip}`,
    ip,
  };
  if (user !== undefined) e.user = user;
  if (apiKey !== undefined) e.apiKey = apiKey;
  if (path !== undefined) e.path = path;
  if (query !== undefined) e.query = query;
  const method = str(raw.method);
  if (method !== undefined) e.method = method.toUpperCase();
  if (typeof raw.status === 'number') e.status = raw.status;
  const ua = str(raw.ua) ?? str(raw.user_agent) ?? str(headers['user-agent']);
  if (ua !== undefined) e.userAgent = ua;
  const host = str(raw.host);
  if (host !== undefined) e.host = host;
  if (typeof raw.bytes_out === 'number') e.bytesOut = raw.bytes_out;
  if (typeof raw.bytes_in === 'number') e.bytesIn = raw.bytes_in;
  if (typeof raw.latency_ms === 'number') e.latencyMs = raw.latency_ms;
  const rid = str(raw.request_id);
  if (rid !== undefined) e.requestId = rid;
  return e;
}

/** Read an NDJSON fixture into events (line numbers kept). */
export function eventsFromNdjson(file: string, display = file): EnrichedEvent[] {
  const out: EnrichedEvent[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    out.push(eventFromRaw(JSON.parse(l) as Record<string, unknown>, display, i + 1));
  });
  return out;
}

export interface RunResult {
  alerts: Alert[];
  notes: string[];
  unavailable: string | null;
}

/** Run one detector over events with a hand-made context (options = defaults merged with `options`). */
export function runDetector<O extends object>(detector: Detector<O>, events: Iterable<EnrichedEvent>, options: Partial<O> = {}): RunResult {
  const alerts: Alert[] = [];
  const notes: string[] = [];
  let unavailable: string | null = null;
  const tables: KeyedTable<unknown>[] = [];
  const ctx: DetectorContext<O> = {
    options: { ...detector.meta.options, ...options },
    rules: minimalRules(),
    geo: () => null,
    report: (a) => alerts.push(a),
    unavailable: (r) => {
      unavailable ??= r;
    },
    note: (m) => notes.push(m),
    keyed<V>(o: KeyedStateOptions<V>): KeyedState<V> {
      const t = new KeyedTable<V>(o);
      tables.push(t as KeyedTable<unknown>);
      return t;
    },
  };
  const h = detector.create(ctx);
  for (const e of events) h.event?.(e);
  h.end?.();
  for (const t of tables) t.flush();
  return { alerts, notes, unavailable };
}
