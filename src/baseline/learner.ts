/**
 * Learns a Baseline from enriched events, in one streaming pass with bounded memory.
 * Every map has a cap (BaselineCaps, stored in the output); what a cap left out is recorded in
 * `truncated` / `dropped` so that readers do not mistake "not in the baseline" for "new".
 */
import type { EnrichedEvent, GeoLookup } from '../enrich/types.js';
import type { ActorBaseline, Baseline, BaselineCaps, RouteBaseline } from './types.js';
import { hourOfWeekUtc, routeKey, setOwn, summarise } from './stats.js';
import { HourlyCounts } from './hourly.js';
import { BASELINE_SCHEMA_VERSION } from './version.js';

export const DEFAULT_BASELINE_CAPS: Readonly<BaselineCaps> = Object.freeze({
  actors: 100_000,
  routes: 5_000,
  routesPerActor: 500,
  countriesPerActor: 64,
  ipsPerActor: 256,
  templatesPerActor: 200,
  ownIdsPerTemplate: 200,
  hoursPerActor: 24 * 366,
  callersPerRoute: 100,
});

export interface BaselineLearnerOptions {
  /** Used for the country when the event does not carry one. */
  geo?: GeoLookup;
  /** 'file' for `apilog baseline`, 'input' when learned from the analysed input itself. */
  origin?: 'file' | 'input';
  caps?: Partial<BaselineCaps>;
  /**
   * 'full' (default): everything a baseline file holds. 'fit': only what the checklist's question
   * 10 reads from a baseline learned from the input (hours of week, routes, countries, volumes);
   * IPs, object ids and the per-route tables are left empty, which costs a third less per event.
   */
  scope?: 'full' | 'fit';
  /** Clock for `createdAt` (tests). */
  now?: () => Date;
}

export interface BaselineLearner {
  add(e: EnrichedEvent): void;
  finish(): Baseline;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const TEN_MIN_MS = 600_000;
/** Ids counted per template before the most used are kept (a multiple of ownIdsPerTemplate). */
const OWN_ID_COUNT_FACTOR = 4;
/** 10-minute samples kept per template for the distinct-id p99. */
const MAX_ID_SAMPLES = 5_000;
/** Distinct ids counted in one 10-minute bucket. */
const MAX_IDS_PER_BUCKET = 10_000;
/** Callers counted per route before further new callers are ignored. */
const CALLER_COUNT_FACTOR = 10;

interface IdTrack {
  bucket: number;
  ids: Set<string>;
  samples: number[];
  own: Map<string, Counter>;
  ownFull: boolean;
}

interface ActorAcc {
  requests: number;
  firstSeen: number;
  lastSeen: number;
  hoursOfWeek: Uint32Array;
  /** Requests and bytes per clock hour (ts / 1h). */
  hours: HourlyCounts;
  hoursFull: boolean;
  days: Set<number>;
  routes: Map<string, Counter>;
  routesFull: boolean;
  countries: Map<string, Counter>;
  countriesFull: boolean;
  ips: Map<string, Counter>;
  ipsFull: boolean;
  templates: Map<string, IdTrack>;
  templatesFull: boolean;
  // Memos of the previous event's values: most consecutive requests of an actor repeat them.
  geoIp: string | undefined;
  geoCountry: string | undefined;
  lastDay: number;
  lastIpKey: string | undefined;
  lastIpCounter: Counter | undefined;
  lastCountryKey: string | undefined;
  lastCountryCounter: Counter | undefined;
}

interface Counter {
  n: number;
}

interface RouteAcc {
  requests: number;
  callers: Map<string, Counter>;
  hours: HourlyCounts;
}

/** Count one more `key`; the counter, or undefined when the map is at its cap. */
function bump(map: Map<string, Counter>, key: string, cap: number): Counter | undefined {
  const c = map.get(key);
  if (c !== undefined) {
    c.n++;
    return c;
  }
  if (map.size >= cap) return undefined;
  const fresh = { n: 1 };
  map.set(key, fresh);
  return fresh;
}

function toRecord(map: Map<string, Counter>, limit = Infinity): Record<string, number> {
  const entries: Array<[string, number]> = [];
  for (const [k, c] of map) entries.push([k, c.n]);
  if (entries.length > limit) {
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    entries.length = limit;
  }
  const out: Record<string, number> = {};
  for (const [k, v] of entries) setOwn(out, k, v);
  return out;
}

export function createBaselineLearner(options: BaselineLearnerOptions = {}): BaselineLearner {
  const caps: BaselineCaps = { ...DEFAULT_BASELINE_CAPS, ...(options.caps ?? {}) };
  const geo = options.geo;
  const full = options.scope !== 'fit';
  const actors = new Map<string, ActorAcc>();
  const routes = new Map<string, RouteAcc>();
  const droppedActors = new Set<string>();
  let droppedActorCount = 0;
  let droppedRouteCount = 0;
  const droppedRoutes = new Set<string>();
  const keys = new Map<string | undefined, Map<string, string>>();
  let keyCount = 0;
  let events = 0;
  let start = Infinity;
  let end = -Infinity;

  /** routeKey, memoised so the hot path does not build a string per event. */
  function keyOf(method: string | undefined, template: string): string {
    let byTemplate = keys.get(method);
    if (byTemplate === undefined) {
      byTemplate = new Map();
      keys.set(method, byTemplate);
    }
    let k = byTemplate.get(template);
    if (k === undefined) {
      k = routeKey(method, template);
      if (keyCount >= 50_000) {
        keys.clear();
        keyCount = 0;
        byTemplate = new Map();
        keys.set(method, byTemplate);
      }
      byTemplate.set(template, k);
      keyCount++;
    }
    return k;
  }

  function newActor(ts: number): ActorAcc {
    return {
      requests: 0,
      firstSeen: ts,
      lastSeen: ts,
      hoursOfWeek: new Uint32Array(168),
      hours: new HourlyCounts(caps.hoursPerActor),
      hoursFull: false,
      days: new Set(),
      routes: new Map(),
      routesFull: false,
      countries: new Map(),
      countriesFull: false,
      ips: new Map(),
      ipsFull: false,
      templates: new Map(),
      templatesFull: false,
      geoIp: undefined,
      geoCountry: undefined,
      lastDay: NaN,
      lastIpKey: undefined,
      lastIpCounter: undefined,
      lastCountryKey: undefined,
      lastCountryCounter: undefined,
    };
  }

  function countryOf(a: ActorAcc, e: EnrichedEvent): string | undefined {
    if (e.country !== undefined) return e.country;
    if (geo === undefined || e.ip === undefined) return undefined;
    if (e.ip === a.geoIp) return a.geoCountry;
    const c = geo(e.ip)?.country;
    a.geoIp = e.ip;
    a.geoCountry = c;
    return c;
  }

  function trackIds(a: ActorAcc, e: EnrichedEvent): void {
    let t = a.templates.get(e.template);
    if (t === undefined) {
      if (a.templates.size >= caps.templatesPerActor) {
        a.templatesFull = true;
        return;
      }
      t = { bucket: Math.floor(e.ts / TEN_MIN_MS), ids: new Set(), samples: [], own: new Map<string, Counter>(), ownFull: false };
      a.templates.set(e.template, t);
    }
    const bucket = Math.floor(e.ts / TEN_MIN_MS);
    if (bucket > t.bucket) {
      if (t.ids.size > 0 && t.samples.length < MAX_ID_SAMPLES) t.samples.push(t.ids.size);
      t.ids.clear();
      t.bucket = bucket;
    }
    const ownCap = caps.ownIdsPerTemplate * OWN_ID_COUNT_FACTOR;
    for (const ref of e.objectIds) {
      if (t.ids.size < MAX_IDS_PER_BUCKET) t.ids.add(ref.value);
      if (bump(t.own, ref.value, ownCap) === undefined) t.ownFull = true;
    }
  }

  function add(e: EnrichedEvent): void {
    const ts = e.ts;
    if (!Number.isFinite(ts)) return;
    events++;
    if (ts < start) start = ts;
    if (ts > end) end = ts;

    let a = actors.get(e.actor);
    if (a === undefined) {
      if (actors.size >= caps.actors) {
        if (!droppedActors.has(e.actor)) {
          droppedActorCount++;
          if (droppedActors.size < 10_000) droppedActors.add(e.actor);
        }
      } else {
        a = newActor(ts);
        actors.set(e.actor, a);
      }
    }
    const rk = keyOf(e.method, e.template);
    const hour = Math.floor(ts / HOUR_MS);
    const bytes = e.bytesOut ?? 0;

    if (a !== undefined) {
      a.requests++;
      if (ts < a.firstSeen) a.firstSeen = ts;
      if (ts > a.lastSeen) a.lastSeen = ts;
      const how = hourOfWeekUtc(ts);
      a.hoursOfWeek[how] = (a.hoursOfWeek[how] as number) + 1;
      if (!a.hours.add(hour, bytes)) a.hoursFull = true;
      const day = Math.floor(ts / DAY_MS);
      if (day !== a.lastDay) {
        a.days.add(day);
        a.lastDay = day;
      }
      if (bump(a.routes, rk, caps.routesPerActor) === undefined) a.routesFull = true;
      if (full && e.ip !== undefined) {
        if (e.ip === a.lastIpKey && a.lastIpCounter !== undefined) a.lastIpCounter.n++;
        else {
          const c = bump(a.ips, e.ip, caps.ipsPerActor);
          if (c === undefined) a.ipsFull = true;
          a.lastIpKey = e.ip;
          a.lastIpCounter = c;
        }
      }
      const country = countryOf(a, e);
      if (country !== undefined) {
        if (country === a.lastCountryKey && a.lastCountryCounter !== undefined) a.lastCountryCounter.n++;
        else {
          const c = bump(a.countries, country, caps.countriesPerActor);
          if (c === undefined) a.countriesFull = true;
          a.lastCountryKey = country;
          a.lastCountryCounter = c;
        }
      }
      if (full && e.objectIds.length > 0) trackIds(a, e);
    }
    if (!full) return;

    let r = routes.get(rk);
    if (r === undefined) {
      if (routes.size >= caps.routes) {
        if (!droppedRoutes.has(rk)) {
          droppedRouteCount++;
          if (droppedRoutes.size < 10_000) droppedRoutes.add(rk);
        }
        return;
      }
      r = { requests: 0, callers: new Map(), hours: new HourlyCounts(caps.hoursPerActor) };
      routes.set(rk, r);
    }
    r.requests++;
    bump(r.callers, e.actor, caps.callersPerRoute * CALLER_COUNT_FACTOR);
    r.hours.add(hour, 0);
  }

  function finishActor(a: ActorAcc): ActorBaseline {
    const rph = summarise(a.hours.requests());
    const bph = summarise(a.hours.bytes());
    const out: ActorBaseline = {
      hoursOfWeek: Array.from(a.hoursOfWeek),
      routes: toRecord(a.routes),
      countries: toRecord(a.countries),
      ips: toRecord(a.ips),
      requestsPerHour: { median: rph.median, p99: rph.p99 },
      bytesPerHour: bph,
      activeDays: a.days.size,
      firstSeen: a.firstSeen,
      lastSeen: a.lastSeen,
      requests: a.requests,
      activeHours: a.hours.size,
    };
    if (a.templates.size > 0) {
      const distinct: Record<string, number> = {};
      const ownIds: Record<string, string[]> = {};
      let ownTruncated = false;
      for (const [tpl, t] of a.templates) {
        const samples = t.ids.size > 0 && t.samples.length < MAX_ID_SAMPLES ? [...t.samples, t.ids.size] : t.samples;
        setOwn(distinct, tpl, summarise(samples).p99);
        const ids = [...t.own.entries()].map(([id, c]): [string, number] => [id, c.n]).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
        if (ids.length > caps.ownIdsPerTemplate || t.ownFull) ownTruncated = true;
        setOwn(ownIds, tpl, ids.slice(0, caps.ownIdsPerTemplate).map(([id]) => id));
      }
      out.distinctIdsPer10m = distinct;
      out.ownIds = ownIds;
      if (ownTruncated || a.templatesFull) out.truncated = { ...(out.truncated ?? {}), ownIds: true };
    }
    const truncated: NonNullable<ActorBaseline['truncated']> = { ...(out.truncated ?? {}) };
    if (a.routesFull) truncated.routes = true;
    if (a.countriesFull) truncated.countries = true;
    if (a.ipsFull) truncated.ips = true;
    if (a.hoursFull) truncated.hours = true;
    if (Object.keys(truncated).length > 0) out.truncated = truncated;
    return out;
  }

  function finishRoute(r: RouteAcc): RouteBaseline {
    const s = summarise(r.hours.requests());
    return {
      callers: toRecord(r.callers, caps.callersPerRoute),
      requestsPerHour: { median: s.median, p99: s.p99 },
      requests: r.requests,
      distinctCallers: r.callers.size,
    };
  }

  function finish(): Baseline {
    const outActors: Record<string, ActorBaseline> = {};
    for (const key of [...actors.keys()].sort()) setOwn(outActors, key, finishActor(actors.get(key) as ActorAcc));
    const outRoutes: Record<string, RouteBaseline> = {};
    for (const key of [...routes.keys()].sort()) setOwn(outRoutes, key, finishRoute(routes.get(key) as RouteAcc));
    return {
      schemaVersion: BASELINE_SCHEMA_VERSION,
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      origin: options.origin ?? 'file',
      period: events > 0 ? { start, end } : { start: 0, end: 0 },
      actors: outActors,
      routes: outRoutes,
      events,
      caps,
      dropped: { actors: droppedActorCount, routes: droppedRouteCount },
    };
  }

  return { add, finish };
}
