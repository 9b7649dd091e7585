/**
 * Test helpers: flat application-log records -> EnrichedEvent (the enricher's job, done the
 * simple way here), a stub GeoLookup and a RuleSet built in code.
 */
import fs from 'node:fs';
import type { EnrichedEvent, GeoInfo, GeoLookup, ObjectRef } from '../../src/enrich/types.js';
import type { RuleSet } from '../../src/rules/types.js';

export interface FlatRecord {
  timestamp: string;
  user_id?: string;
  role?: string;
  ip?: string;
  method?: string;
  endpoint: string;
  status?: number;
  response_time_ms?: number;
  session_id?: string;
  request_id?: string;
  bytes?: number;
  user_agent?: string;
  api_key?: string;
  country?: string;
}

/** Path segments made of digits become "{id}". */
export function templateOf(path: string): { template: string; objectIds: ObjectRef[] } {
  const objectIds: ObjectRef[] = [];
  const segs = path.split('/').map((seg, i) => {
    if (/^\d+$/.test(seg)) {
      objectIds.push({ param: `path:${i}`, value: seg, kind: 'int', numeric: Number(seg) });
      return '{id}';
    }
    return seg;
  });
  return { template: segs.join('/'), objectIds };
}

export function fromFlat(r: FlatRecord, file = 'test.ndjson', line = 1): EnrichedEvent {
  const [pathOnly, query] = r.endpoint.split('?', 2) as [string, string | undefined];
  const { template, objectIds } = templateOf(pathOnly);
  const e: EnrichedEvent = {
    ts: Date.parse(r.timestamp),
    method: r.method,
    path: pathOnly,
    template,
    objectIds,
    actor: r.user_id !== undefined ? `user:${r.user_id}` : r.api_key !== undefined ? `key:${r.api_key}` : `ip:${r.ip ?? '-'}`,
    format: 'flat',
    source: { file, line },
    raw: r,
  };
  if (r.user_id !== undefined) e.user = r.user_id;
  if (r.role !== undefined) e.roles = [r.role];
  if (r.ip !== undefined) e.ip = r.ip;
  if (query !== undefined) e.query = query;
  if (r.status !== undefined) e.status = r.status;
  if (r.response_time_ms !== undefined) e.latencyMs = r.response_time_ms;
  if (r.session_id !== undefined) e.sessionId = r.session_id;
  if (r.request_id !== undefined) e.requestId = r.request_id;
  if (r.bytes !== undefined) e.bytesOut = r.bytes;
  if (r.user_agent !== undefined) e.userAgent = r.user_agent;
  if (r.api_key !== undefined) e.apiKey = r.api_key;
  if (r.country !== undefined) e.country = r.country;
  return e;
}

export function loadFlat(file: string): EnrichedEvent[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.trim() !== '')
    .map(({ l, i }) => fromFlat(JSON.parse(l) as FlatRecord, file, i + 1));
}

/** Geo by exact IP or by prefix ("203.0.113."); documentation/private prefixes are reserved. */
export function stubGeo(table: Record<string, GeoInfo> = {}): GeoLookup & { calls: number } {
  const fn = ((ip: string | undefined): GeoInfo | null => {
    fn.calls++;
    if (ip === undefined) return null;
    if (ip.startsWith('198.51.100.') || ip.startsWith('192.0.2.') || ip.startsWith('203.0.113.')) return { reserved: 'documentation (RFC 5737)' };
    if (ip.startsWith('10.') || ip.startsWith('192.168.')) return { reserved: 'private (RFC 1918)' };
    const exact = table[ip];
    if (exact !== undefined) return exact;
    for (const [prefix, info] of Object.entries(table)) if (prefix.endsWith('.') && ip.startsWith(prefix)) return info;
    return null;
  }) as GeoLookup & { calls: number };
  fn.calls = 0;
  return fn;
}

export function testRules(over: Partial<RuleSet> = {}): RuleSet {
  return {
    businessHours: { timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' },
    routes: {
      admin: ['/api/v1/admin/**'],
      login: ['/api/v1/login'],
      export: ['/api/v1/exports/**', '/api/*/reports/export'],
      sensitive: [],
      health: ['/health'],
    },
    allow: { ips: [], users: [], apiKeys: [], userAgents: [] },
    classification: [
      { pattern: '/api/v1/users/**', kind: 'personal' },
      { pattern: '/api/v1/payments/**', kind: 'financial' },
      { pattern: '/api/v1/orders/**', kind: 'business' },
      { pattern: '/api/v1/admin/**', kind: 'admin' },
    ],
    policy: {
      adminRoles: ['admin'],
      roles: {
        external_partner: ['create_order', 'read_products'],
        analyst: ['read_orders', 'read_products', 'read_reports'],
        support: ['read_users', 'read_orders'],
      },
      permissions: {
        create_order: ['POST /api/v1/orders'],
        read_orders: ['GET /api/v1/orders/**'],
        read_products: ['GET /api/v1/products/**'],
        read_users: ['GET /api/v1/users/**'],
        read_reports: ['GET /api/v1/reports/**'],
        manage_users: ['POST /api/v1/admin/**', 'DELETE /api/v1/admin/**'],
      },
    },
    detectors: {},
    latenessMs: 300_000,
    origins: {},
    ...over,
  };
}
