/**
 * Enrichment shared by every detector: route template, object ids, actor key. One synchronous call
 * per event; the ApiEvent is extended in place (no copy) and returned.
 */
import type { ApiEvent } from '../normalise/event.js';
import type { RuleSet } from '../rules/types.js';
import { queryIds, templatePath, type Templated } from './template.js';
import { GenerationCache } from './cache.js';
import type { EnrichedEvent, ObjectRef } from './types.js';

export { createGeoLookup } from './geo.js';
export { reservedRange } from './reserved.js';
export { classifyId, isIdParamName } from './ids.js';
export { templatePath, queryIds } from './template.js';
export type { EnrichedEvent, ObjectRef, GeoInfo, GeoLookup, ObjectIdKind } from './types.js';

/**
 * Paths whose templates are cached (two generations of this many). Small on purpose: most paths
 * with an id in them never repeat, and larger maps cost more per lookup than templating saves
 * (docs/performance.md, fifth pass); the static routes that do repeat stay in the young one.
 */
const PATH_CACHE_HALF = 4_096;
/** Actor keys kept for reuse (two generations of this many). */
const ACTOR_CACHE_HALF = 25_000;
/** IPs, user agents and route templates kept for reuse (two generations of this many each). */
const INTERN_HALF = 25_000;

/** Stable actor key: "user:ID", else "key:ID", else "ip:IP" ("ip:unknown" when nothing identifies it). */
export function actorKey(e: Pick<ApiEvent, 'user' | 'apiKey' | 'ip'>): string {
  if (e.user) return `user:${e.user}`;
  if (e.apiKey) return `key:${e.apiKey}`;
  return `ip:${e.ip ?? 'unknown'}`;
}

/** The copy of `s` already in `strings`, else `s`, remembered. */
function intern(strings: GenerationCache<string, string>, s: string): string {
  const known = strings.get(s);
  if (known !== undefined) return known;
  strings.set(s, s);
  return s;
}

export function createEnricher(_rules?: RuleSet): (e: ApiEvent) => EnrichedEvent {
  const cache = new GenerationCache<string, Templated>(PATH_CACHE_HALF);
  // One string per actor, not one per event: every consumer hashes e.actor into its maps, and a
  // string that was already hashed (and flattened) costs nothing the next time.
  const userKeys = new GenerationCache<string, string>(ACTOR_CACHE_HALF);
  const actorOf = (e: ApiEvent): string => {
    if (!e.user) return actorKey(e);
    let k = userKeys.get(e.user);
    if (k === undefined) {
      k = `user:${e.user}`;
      userKeys.set(e.user, k);
    }
    return k;
  };
  // One string per IP, user agent and template, not one per event: each is a key in several
  // consumers' maps, and a string that is already in a map is found by identity, where a fresh
  // copy is hashed and compared character by character at every lookup (and kept alive by any
  // window that holds it).
  const ips = new GenerationCache<string, string>(INTERN_HALF);
  const userAgents = new GenerationCache<string, string>(INTERN_HALF);
  const templates = new GenerationCache<string, string>(INTERN_HALF);
  const template = (path: string): Templated => {
    let t = cache.get(path);
    if (t === undefined) {
      t = templatePath(path);
      t.template = intern(templates, t.template);
      cache.set(path, t);
    }
    return t;
  };
  return (e: ApiEvent): EnrichedEvent => {
    const out = e as EnrichedEvent;
    let objectIds: ObjectRef[];
    if (e.path !== undefined) {
      const t = template(e.path);
      out.template = e.route ?? t.template;
      objectIds = t.ids;
    } else {
      out.template = e.route ?? e.action ?? '';
      objectIds = [];
    }
    if (e.query) {
      const q = queryIds(e.query);
      if (q.length > 0) objectIds = objectIds.length > 0 ? objectIds.concat(q) : q;
    }
    out.objectIds = objectIds;
    if (e.ip !== undefined) out.ip = intern(ips, e.ip);
    if (e.userAgent !== undefined) out.userAgent = intern(userAgents, e.userAgent);
    out.actor = actorOf(e);
    return out;
  };
}
