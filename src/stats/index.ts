/**
 * Traffic statistics, fed every event (synchronous, cheap): per actor, routes, statuses, IPs,
 * busiest windows and an activity timeline. Memory is bounded: actors, routes and IPs are tracked
 * up to caps (the least active are dropped and counted as "others"), distinct IPs / user agents /
 * countries per actor are tracked up to a small cap, and time is counted in fixed buckets.
 *
 * Per event the collector only updates maps and counters: no object is created for an actor,
 * route or IP already known.
 */
import { createZoneOffset } from '../util/zone-offset.js';
import type { EnrichedEvent } from '../enrich/types.js';
import type { ActorSummary, CountRow, DistinctOverflow, SummaryRecord, TimelineBucket } from '../report/records.js';

export interface StatsOptions {
  /** Actors tracked at once (default 10,000). Beyond twice this, the least active are dropped. */
  maxActors?: number;
  /** Actors listed in the result (default 50; actors with alerts first). */
  listActors?: number;
  /** Rows in top routes / top IPs (default 10). */
  top?: number;
  /** Values listed per actor for IPs, user agents and countries (default 20). */
  listDistinct?: number;
  /** Distinct values tracked per actor and field (default 50): "+N more" is exact up to this. */
  trackDistinct?: number;
  /** Busiest windows listed (default 5). */
  busiest?: number;
}

export interface StatsResultOptions {
  /** IANA zone the timeline's hours / days are aligned to (default UTC). */
  tz?: string;
  /** Alert start times (epoch ms), counted into the timeline buckets. */
  alertTimes?: number[];
}

export type StatsResult = Pick<
  SummaryRecord,
  | 'actors'
  | 'topRoutes'
  | 'topFailedRoutes'
  | 'statuses'
  | 'topIps'
  | 'busiestWindows'
  | 'timeline'
  | 'timeSpan'
  | 'timelineUnit'
  | 'timeZone'
  | 'otherActors'
  | 'evictedActors'
> & { events: number };

export interface StatsCollector {
  add(e: EnrichedEvent): void;
  /**
   * The tables. `alertCountsByActor` is keyed by actor key (EnrichedEvent.actor).
   * The second argument is the display zone, or `{ tz, alertTimes }`; `alertTimes` may also be
   * given third.
   */
  result(
    alertCountsByActor: Map<string, number>,
    tzOrOptions?: string | StatsResultOptions,
    alertTimes?: number[],
  ): StatsResult;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The timeline is hourly up to this span, daily beyond. */
const HOURLY_MAX_SPAN = 3 * DAY;
/** Bucket widths, finest first; the collector coarsens when too many buckets are held. */
const BUCKET_WIDTHS = [300_000, 900_000, HOUR, 6 * HOUR, DAY];
const MAX_BUCKETS = 300_000;
/** Above this many daily buckets the timeline lists only the non-empty ones. */
const MAX_DENSE_BUCKETS = 2_000;
const MAX_ROUTES = 2_000;
const MAX_IPS = 50_000;
/** Longest value kept as a distinct IP / user agent / country (longer ones are cut). */
const MAX_VALUE_LENGTH = 512;
const NO_STATUS = -1;

class ActorState {
  first: number;
  last: number;
  requests = 0;
  successes = 0;
  failures = 0;
  user: string | undefined = undefined;
  apiKey: string | undefined = undefined;
  readonly ips = new Set<string>();
  readonly userAgents = new Set<string>();
  readonly countries = new Set<string>();
  ipsFull = false;
  userAgentsFull = false;
  countriesFull = false;

  constructor(
    readonly key: string,
    ts: number,
  ) {
    this.first = ts;
    this.last = ts;
  }
}

interface Others {
  actors: number;
  requests: number;
  successes: number;
  failures: number;
}

/** Add a value to a capped set; returns whether the set is now known to have overflowed. */
function track(set: Set<string>, value: string, cap: number, full: boolean): boolean {
  const v = value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value;
  if (set.size < cap) {
    set.add(v);
    return full;
  }
  return full || !set.has(v);
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Keep the `keep` largest counts of a map (in place). */
function prune(map: Map<string, number>, keep: number): void {
  const sorted = [...map.entries()].sort((a, b) => b[1] - a[1]);
  map.clear();
  for (let i = 0; i < keep && i < sorted.length; i++) {
    const row = sorted[i]!;
    map.set(row[0], row[1]);
  }
}

function topRows(map: Map<string, number>, n: number): CountRow[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([key, count]) => ({ key, count }));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function overflow(set: Set<string>, listed: number, full: boolean): DistinctOverflow | undefined {
  const extra = set.size - listed;
  if (extra > 0 || full) return { count: Math.max(0, extra), atLeast: full };
  return undefined;
}

/** Offset (ms) of a zone at an instant; 0 for an unknown zone. */
function offsetFunction(tz: string | undefined): (ms: number) => number {
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC') return () => 0;
  const minutes = createZoneOffset(tz);
  return (ms) => {
    const m = minutes(ms);
    return Number.isFinite(m) ? m * 60_000 : 0;
  };
}

/** Start (UTC ms) of the local hour or day containing `ts`. */
function localFloor(ts: number, unit: number, offset: (ms: number) => number): number {
  const off1 = offset(ts);
  const local = Math.floor((ts + off1) / unit) * unit;
  let start = local - off1;
  const off2 = offset(start);
  if (off2 !== off1) start = local - off2;
  return start > ts ? localFloor(ts - unit / 2, unit, offset) : start;
}

export function createStatsCollector(opts: StatsOptions = {}): StatsCollector {
  const maxActors = Math.max(1, opts.maxActors ?? 10_000);
  const listActors = opts.listActors ?? 50;
  const top = opts.top ?? 10;
  const listDistinct = opts.listDistinct ?? 20;
  const trackDistinct = Math.max(listDistinct, opts.trackDistinct ?? 50);
  const busiest = opts.busiest ?? 5;

  const actors = new Map<string, ActorState>();
  const routes = new Map<string, number>();
  /** Failed requests per route template: where the failures are, not only where the traffic is. */
  const failedRoutes = new Map<string, number>();
  const ips = new Map<string, number>();
  const statuses = new Map<number, number>();
  let buckets = new Map<number, number>();
  let widthIndex = 0;
  let bucketWidth = BUCKET_WIDTHS[0]!;
  let events = 0;
  let minTs = Infinity;
  let maxTs = -Infinity;
  let evicted = 0;
  const others: Others = { actors: 0, requests: 0, successes: 0, failures: 0 };

  function evictActors(): void {
    const sorted = [...actors.values()].sort((a, b) => b.requests - a.requests);
    actors.clear();
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i]!;
      if (i < maxActors) {
        actors.set(a.key, a);
      } else {
        evicted++;
        others.actors++;
        others.requests += a.requests;
        others.successes += a.successes;
        others.failures += a.failures;
      }
    }
  }

  function coarsen(): void {
    while (buckets.size > MAX_BUCKETS && widthIndex < BUCKET_WIDTHS.length - 1) {
      widthIndex++;
      bucketWidth = BUCKET_WIDTHS[widthIndex]!;
      const ratio = bucketWidth / BUCKET_WIDTHS[widthIndex - 1]!;
      const next = new Map<number, number>();
      for (const [k, c] of buckets) {
        const nk = Math.floor(k / ratio);
        next.set(nk, (next.get(nk) ?? 0) + c);
      }
      buckets = next;
    }
  }

  function add(e: EnrichedEvent): void {
    const ts = e.ts;
    events++;
    if (ts < minTs) minTs = ts;
    if (ts > maxTs) maxTs = ts;

    // Outcome: failure on 4xx/5xx or a failed authentication; success on 2xx/3xx otherwise.
    const status = e.status;
    let failed = e.auth === 'failure' || e.auth === 'denied';
    let ok = false;
    if (status !== undefined) {
      if (status >= 400) failed = true;
      else if (status >= 200) ok = !failed;
    } else if (e.auth === 'success') {
      ok = true;
    }

    let a = actors.get(e.actor);
    if (a === undefined) {
      // Make room first, so the newcomer is never dropped before it is counted.
      if (actors.size >= maxActors * 2) evictActors();
      a = new ActorState(e.actor, ts);
      actors.set(e.actor, a);
    }
    a.requests++;
    if (failed) a.failures++;
    else if (ok) a.successes++;
    if (ts < a.first) a.first = ts;
    if (ts > a.last) a.last = ts;
    if (a.user === undefined && e.user !== undefined) a.user = e.user;
    if (a.apiKey === undefined && e.apiKey !== undefined) a.apiKey = e.apiKey;
    if (e.ip !== undefined) a.ipsFull = track(a.ips, e.ip, trackDistinct, a.ipsFull);
    if (e.userAgent !== undefined) a.userAgentsFull = track(a.userAgents, e.userAgent, trackDistinct, a.userAgentsFull);
    if (e.country !== undefined) a.countriesFull = track(a.countries, e.country, trackDistinct, a.countriesFull);

    bump(routes, e.template);
    if (routes.size > MAX_ROUTES * 2) prune(routes, MAX_ROUTES);
    if (failed) {
      bump(failedRoutes, e.template);
      if (failedRoutes.size > MAX_ROUTES * 2) prune(failedRoutes, MAX_ROUTES);
    }
    if (e.ip !== undefined) {
      bump(ips, e.ip);
      if (ips.size > MAX_IPS * 2) prune(ips, MAX_IPS);
    }
    const sk = status ?? NO_STATUS;
    statuses.set(sk, (statuses.get(sk) ?? 0) + 1);

    const bk = Math.floor(ts / bucketWidth);
    buckets.set(bk, (buckets.get(bk) ?? 0) + 1);
    if (buckets.size > MAX_BUCKETS) coarsen();
  }

  function result(
    alertCountsByActor: Map<string, number>,
    tzOrOptions?: string | StatsResultOptions,
    alertTimesArg?: number[],
  ): StatsResult {
    const options: StatsResultOptions =
      typeof tzOrOptions === 'string' ? { tz: tzOrOptions } : { ...(tzOrOptions ?? {}) };
    const alertTimes = alertTimesArg ?? options.alertTimes ?? [];
    const tz = options.tz && options.tz.length > 0 ? options.tz : 'UTC';
    const offset = offsetFunction(tz);

    // Actors: those with alerts first, then the busiest.
    const all = [...actors.values()];
    const alertsOf = (a: ActorState): number => alertCountsByActor.get(a.key) ?? 0;
    all.sort((x, y) => alertsOf(y) - alertsOf(x) || y.requests - x.requests || (x.key < y.key ? -1 : 1));
    const listed = all.slice(0, listActors);
    const rest = { ...others };
    for (let i = listActors; i < all.length; i++) {
      const a = all[i]!;
      rest.actors++;
      rest.requests += a.requests;
      rest.successes += a.successes;
      rest.failures += a.failures;
    }
    const actorRows: ActorSummary[] = listed.map((a) => {
      const row: ActorSummary = {
        actor: a.key,
        firstSeen: iso(a.first),
        lastSeen: iso(a.last),
        requests: a.requests,
        successes: a.successes,
        failures: a.failures,
        countries: [...a.countries].slice(0, listDistinct),
        ips: [...a.ips].slice(0, listDistinct),
        userAgents: [...a.userAgents].slice(0, listDistinct),
        alerts: alertsOf(a),
      };
      if (a.user !== undefined) row.user = a.user;
      if (a.apiKey !== undefined) row.apiKey = a.apiKey;
      if (a.key.startsWith('ip:')) row.ip = a.key.slice(3);
      const more: NonNullable<ActorSummary['more']> = {};
      const mi = overflow(a.ips, listDistinct, a.ipsFull);
      const mu = overflow(a.userAgents, listDistinct, a.userAgentsFull);
      const mc = overflow(a.countries, listDistinct, a.countriesFull);
      if (mi) more.ips = mi;
      if (mu) more.userAgents = mu;
      if (mc) more.countries = mc;
      if (mi || mu || mc) row.more = more;
      return row;
    });

    const statusRows: CountRow[] = [...statuses.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] === NO_STATUS ? 1 : b[0] === NO_STATUS ? -1 : a[0] - b[0]))
      .map(([k, count]) => ({ key: k === NO_STATUS ? 'none' : String(k), count }));

    const busiestWindows = [...buckets.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, busiest)
      .map(([k, count]) => ({ start: iso(k * bucketWidth), end: iso((k + 1) * bucketWidth), events: count }));

    // Timeline: local hours (span up to three days) or local days.
    let timeline: TimelineBucket[] = [];
    let timelineUnit: 'hour' | 'day' = 'hour';
    if (events > 0) {
      timelineUnit = maxTs - minTs > HOURLY_MAX_SPAN ? 'day' : 'hour';
      const unit = timelineUnit === 'day' ? DAY : HOUR;
      const counts = new Map<number, { events: number; alerts: number }>();
      const slot = (ts: number): { events: number; alerts: number } => {
        const start = localFloor(ts, unit, offset);
        let c = counts.get(start);
        if (c === undefined) {
          c = { events: 0, alerts: 0 };
          counts.set(start, c);
        }
        return c;
      };
      for (const [k, c] of buckets) slot(k * bucketWidth).events += c;
      for (const t of alertTimes) if (Number.isFinite(t)) slot(t).alerts++;
      const keys = [...counts.keys()].sort((a, b) => a - b);
      const first = keys[0]!;
      const last = keys[keys.length - 1]!;
      const step = (t: number): number => localFloor(t + unit * 1.5, unit, offset);
      let dense = 0;
      for (let t = first; t <= last && dense <= MAX_DENSE_BUCKETS; t = step(t)) dense++;
      if (dense <= MAX_DENSE_BUCKETS) {
        for (let t = first; t <= last; t = step(t)) {
          const c = counts.get(t);
          timeline.push({ start: iso(t), events: c?.events ?? 0, alerts: c?.alerts ?? 0 });
        }
      } else {
        timeline = keys.map((t) => ({ start: iso(t), events: counts.get(t)!.events, alerts: counts.get(t)!.alerts }));
      }
    }

    const res: StatsResult = {
      events,
      timeSpan: events > 0 ? { start: iso(minTs), end: iso(maxTs) } : null,
      actors: actorRows,
      topRoutes: topRows(routes, top),
      topFailedRoutes: topRows(failedRoutes, top),
      statuses: statusRows,
      topIps: topRows(ips, top),
      busiestWindows,
      timeline,
      timelineUnit,
      timeZone: tz,
      evictedActors: evicted,
    };
    if (rest.actors > 0) res.otherActors = rest;
    return res;
  }

  return { add, result };
}
