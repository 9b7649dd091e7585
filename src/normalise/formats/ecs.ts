/** Elastic Common Schema (ECS) HTTP events; keys dotted, nested, or mixed. */
import { defineFormat, getters, present } from '../format.js';
import { authFromValue } from '../auth.js';
import type { Rec } from '../get.js';

const g = getters(
  'ecs.version', 'http.request.method', 'url.path', 'url.original', 'url.full', 'source.ip', 'client.ip',
  'event.category', 'event.outcome', 'http.response.status_code',
);

function isAuthEvent(r: Rec): boolean {
  const c = g['event.category'](r);
  if (c === 'authentication') return true;
  return Array.isArray(c) && c.includes('authentication');
}

export const ecs = defineFormat({
  id: 'ecs',
  title: 'Elastic Common Schema (ECS)',
  detectKeys: 'ecs.version (dotted or nested), or @timestamp + ECS paths (http.request.method, url.path, source.ip)',
  sources: {
    ts: ['@timestamp'],
    ip: ['source.ip', 'client.ip', 'source.address', 'client.address'],
    user: ['user.id', 'user.name', 'user.email'],
    roles: ['user.roles'],
    method: ['http.request.method'],
    path: ['url.path', 'url.original', 'url.full'],
    query: ['url.query'],
    host: ['url.domain'],
    status: ['http.response.status_code'],
    bytesOut: ['http.response.body.bytes', 'http.response.bytes'],
    bytesIn: ['http.request.body.bytes', 'http.request.bytes'],
    latencyMs: ['event.duration|ns'],
    userAgent: ['user_agent.original'],
    requestId: ['http.request.id', 'transaction.id', 'trace.id'],
    country: ['source.geo.country_iso_code', 'client.geo.country_iso_code'],
  },
  notes: { auth: 'event.outcome on authentication events (event.category = authentication)' },
  detect(r) {
    if (present(g['ecs.version'](r))) return 1;
    const method = g['http.request.method'](r) !== undefined;
    const url = g['url.path'](r) !== undefined || g['url.original'](r) !== undefined || g['url.full'](r) !== undefined;
    const src = g['source.ip'](r) !== undefined || g['client.ip'](r) !== undefined;
    if (r['@timestamp'] !== undefined) {
      if (method || url) return 0.85;
      if (src && g['http.response.status_code'](r) !== undefined) return 0.8;
      return 0;
    }
    return method && src ? 0.6 : 0;
  },
  post(r, ev) {
    if (!isAuthEvent(r)) return;
    const a = authFromValue(g['event.outcome'](r));
    if (a !== undefined) ev.auth = a;
  },
  explainPost(r) {
    return isAuthEvent(r) ? { auth: 'event.outcome' } : {};
  },
});
