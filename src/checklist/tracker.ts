/**
 * Per-actor streaming state and the per-event judgement behind the checklist. `observe` runs on
 * the hot path: it updates small bounded state, derives the flags, and builds an Observation
 * (the facts the ten answers are written from) only when the entry is notable or when asked.
 */
import type { EnrichedEvent, GeoInfo, GeoLookup } from '../enrich/types.js';
import type { RuleSet } from '../rules/types.js';
import type { Severity } from '../detect/types.js';
import type { ActorBaseline, Baseline } from '../baseline/types.js';
import { hourOfWeekUtc, own, weekdaysCovered } from '../baseline/stats.js';
import { createBusinessHours, type BusinessHoursCheck } from './clock.js';
import { actorKind, clientKind, statusClass, type ActorKind, type ClientKind, type StatusClass } from './classify.js';
import { createRouteClassifier, type PermissionNeed, type RouteClassifier, type RouteInfo } from './routes.js';
import type { ChecklistOptions } from './options.js';
import { reservedRangeName } from './reserved.js';
import { allowlisted, ruleMatchers } from '../detect/util/rules.js';

const HOUR_MS = 3_600_000;

export type BaselineMode = 'file' | 'input' | 'none';

/** Severity weight of each flag (some depend on the entry; see flagWeight). */
export const FLAG_ORDER = [
  'in-alert',
  'unknown-actor',
  'crawler',
  'off-hours',
  'unusual-hour',
  'new-location',
  'new-ip',
  'reserved-ip',
  'admin-route-by-non-admin',
  'permission-denied-by-policy',
  'admin-route',
  'new-route',
  'sensitive-data',
  'bulk',
  'write',
  'delete',
  'burst',
  'volume-above-baseline',
  'failure-streak',
  'auth-failure',
  'server-error',
] as const;
export type Flag = (typeof FLAG_ORDER)[number];

const SEV_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const SEV_BY_RANK: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEV_RANK[a] >= SEV_RANK[b] ? a : b;
}
export function severityRankOf(s: Severity): number {
  return SEV_RANK[s];
}
export function severityOfRank(r: number): Severity {
  return SEV_BY_RANK[r] as Severity;
}

export interface RecentRate {
  /** Requests from this actor within the rate window, this one included (a lower bound when saturated). */
  count: number;
  /** From the earliest of them to this one. */
  spanMs: number;
  windowMs: number;
  saturated: boolean;
}

export interface PermissionCheck {
  needed: PermissionNeed[];
  roles: readonly string[] | undefined;
  /** Needed permissions some role of the actor holds. */
  held: string[];
  /** Roles known, permissions needed, none held. */
  denied: boolean;
}

export interface Observation {
  e: EnrichedEvent;
  mode: BaselineMode;
  /** The actor's entry in the baseline (file or input mode). */
  base: ActorBaseline | undefined;
  /** file mode: whether the actor is in the baseline. */
  known: boolean | undefined;
  kind: ActorKind;
  client: ClientKind;
  route: RouteInfo;
  routeKey: string;
  slot: number;
  offHours: boolean;
  /** file mode, known actor: active at this hour of week (±1 h) in the baseline. */
  usualHour: boolean | undefined;
  /** How usualHour was told: this hour of week, or this hour of day on other days (a day off). */
  usualBy: UsualBy | undefined;
  geo: GeoInfo | null;
  /** The special-purpose range of the IP (private, documentation...), from geo or named here. */
  reserved: string | undefined;
  country: string | undefined;
  newIp: boolean;
  newCountry: boolean;
  /**
   * The country was new for this actor a short while ago (`NEW_COUNTRY_RECENT_MS`), not on this
   * entry: when, and where they came from before. Only the first entry from a new country carries
   * the `new-location` flag; the entries after it are just as far from home.
   */
  newCountrySince: NewCountry | undefined;
  newRoute: boolean;
  /**
   * The API key ids this actor used earlier in this input, when this entry's key is not among them
   * (a user with a second credential); empty otherwise. Context for question 1, no flag.
   */
  keysBefore: string[];
  /** IPs / countries this actor used earlier in this input (capped lists). */
  ipsBefore: string[];
  countriesBefore: string[];
  recent: RecentRate;
  inBurst: boolean;
  hourCount: number;
  hourBytes: number;
  volumeThreshold: number;
  failStreak: number;
  status: StatusClass;
  perm: PermissionCheck;
  adminByNonAdmin: boolean;
  bulk: boolean;
  requestsInInput: number;
  firstInInput: number;
  /** UTC hours of day (0-23) at which the actor was active in this input, this entry included. */
  hoursInInput: number[];
  flags: Flag[];
  severity: Severity;
}

export interface NewCountry {
  country: string;
  at: number;
  before: string[];
}

/** How long after its first entry a new country is still told on the actor's entries. */
const NEW_COUNTRY_RECENT_MS = 24 * 3_600_000;

interface ActorState {
  ring: Float64Array;
  head: number;
  n: number;
  hour: number;
  hourCount: number;
  hourBytes: number;
  volumeFlaggedHour: number;
  burstActive: boolean;
  failStreak: number;
  ips: Set<string> | null;
  /** API key ids the actor used in this input (a user's second credential: question 1 says so). */
  keys: Set<string> | null;
  countries: Set<string> | null;
  /** The last country that was new for this actor (see Observation.newCountrySince). */
  newCountry: NewCountry | null;
  novelRoutes: Set<string> | null;
  lastIp: string | undefined;
  lastGeo: GeoWhere | undefined;
  hoursMask: number;
  first: number;
  last: number;
  count: number;
  base: ActorBaseline | undefined;
  volumeThreshold: number;
  /** Decided on the actor's first notable entry (naming and roles do not change; a crawler UA is per entry). */
  kind: ActorKind | undefined;
}

const NONE: string[] = [];
const IPS_CAP = 64;
const KEYS_CAP = 16;
const COUNTRIES_CAP = 32;
const NOVEL_ROUTES_CAP = 256;
const GEO_CACHE_CAP = 50_000;

interface GeoWhere {
  geo: GeoInfo | null;
  reserved: string | undefined;
}

export interface TrackerContext {
  rules: RuleSet;
  geo: GeoLookup;
  baseline: Baseline | undefined;
  options: ChecklistOptions;
}

export interface Tracker {
  /**
   * Update state with the event; the Observation when the entry is notable (or `force`) and
   * `admit` (given the severity rank) accepts it, else null. `admit` lets a caller that will drop
   * the entry anyway (a full store) skip building the Observation.
   */
  observe(e: EnrichedEvent, force?: boolean, admit?: (rank: number) => boolean): Observation | null;
  mode: BaselineMode;
  business: BusinessHoursCheck;
  classifier: RouteClassifier;
  /** Actors dropped at maxActors. */
  evicted(): number;
}

/** How an hour was found usual: at this hour of week, or at this hour of day on other weekdays. */
export type UsualBy = 'hour-of-week' | 'hour-of-day';

/**
 * Whether the actor is usually active at this hour of week (or the hour either side), and how it
 * was told. On a weekday the baseline's period did not cover (a baseline of one Tuesday, judged on
 * Thursday), or a business day the actor was not active on at all (a day off in a baseline of one
 * week), the same hour of day on the other weekdays decides instead: otherwise every request of
 * that day would be unusual. A weekend day without activity stays a signal. `businessDays`: UTC
 * weekdays 0 (Monday) to 6 that are business days.
 */
function usualAt(base: ActorBaseline, slot: number, covered: ReadonlySet<number> | null, businessDays: ReadonlySet<number>): UsualBy | null {
  const h = base.hoursOfWeek;
  const day = Math.floor(slot / 24);
  if (covered === null || covered.has(day)) {
    if (activeNear(h, slot)) return 'hour-of-week';
    if (activeOn(h, day) || !businessDays.has(day)) return null;
  }
  const hour = slot % 24;
  for (let d = 0; d < 7; d++) if (d !== day && (covered === null || covered.has(d)) && activeNear(h, d * 24 + hour)) return 'hour-of-day';
  return null;
}

/** Any activity on this weekday (0-6) in the baseline. */
function activeOn(h: readonly number[], day: number): boolean {
  for (let i = day * 24; i < day * 24 + 24; i++) if ((h[i] ?? 0) > 0) return true;
  return false;
}

/** Activity in this hour of week or the hour either side. */
function activeNear(h: readonly number[], slot: number): boolean {
  return (h[slot] ?? 0) > 0 || (h[(slot + 167) % 168] ?? 0) > 0 || (h[(slot + 1) % 168] ?? 0) > 0;
}

function maskToHours(mask: number): number[] {
  const out: number[] = [];
  for (let h = 0; h < 24; h++) if ((mask & (1 << h)) !== 0) out.push(h);
  return out;
}

export function createTracker(ctx: TrackerContext): Tracker {
  const { rules, baseline, options } = ctx;
  const mode: BaselineMode = baseline === undefined ? 'none' : baseline.origin;
  const covered = baseline === undefined ? null : weekdaysCovered(baseline.period);
  const business = createBusinessHours(rules.businessHours);
  // Business days as UTC weekdays 0 (Monday) to 6, the baseline's hours of week index them so.
  const businessDays = new Set(rules.businessHours.days.filter((d) => d >= 1 && d <= 7).map((d) => d - 1));
  const classifier = createRouteClassifier(rules);
  const policy = classifier.policy;
  const judgeAdmin = policy.adminRoles.size > 0;
  const matchers = ruleMatchers(rules);
  const ringSize = Math.max(options.burstCount, 16);
  const actors = new Map<string, ActorState>();
  const geoCache = new Map<string, GeoWhere>();
  let evictedCount = 0;

  function geoOf(ip: string): GeoWhere {
    let g = geoCache.get(ip);
    if (g === undefined) {
      const info = ctx.geo(ip);
      g = { geo: info, reserved: info?.reserved ?? reservedRangeName(ip) };
      if (geoCache.size >= GEO_CACHE_CAP) geoCache.clear();
      geoCache.set(ip, g);
    }
    return g;
  }

  function evict(): void {
    const n = Math.max(1, Math.floor(actors.size / 10));
    const lasts: number[] = [];
    for (const s of actors.values()) lasts.push(s.last);
    lasts.sort((a, b) => a - b);
    const cutoff = lasts[n - 1] as number;
    let removed = 0;
    for (const [k, s] of actors) {
      if (removed >= n) break;
      if (s.last <= cutoff) {
        actors.delete(k);
        removed++;
      }
    }
    evictedCount += removed;
  }

  function newState(e: EnrichedEvent): ActorState {
    if (actors.size >= options.maxActors) evict();
    const base = baseline === undefined ? undefined : own(baseline.actors, e.actor);
    let volumeThreshold = Infinity;
    if (base !== undefined) {
      const { median, p99 } = base.requestsPerHour;
      volumeThreshold = Math.max(options.volumeMin, median * options.volumeFactor, mode === 'file' ? p99 * options.volumeP99Factor : 0);
    }
    const s: ActorState = {
      ring: new Float64Array(ringSize),
      head: 0,
      n: 0,
      hour: -Infinity,
      hourCount: 0,
      hourBytes: 0,
      volumeFlaggedHour: -Infinity,
      burstActive: false,
      failStreak: 0,
      ips: null,
      keys: null,
      countries: null,
      newCountry: null,
      novelRoutes: null,
      lastIp: undefined,
      lastGeo: undefined,
      hoursMask: 0,
      first: e.ts,
      last: e.ts,
      count: 0,
      base,
      volumeThreshold,
      kind: undefined,
    };
    actors.set(e.actor, s);
    return s;
  }

  function observe(e: EnrichedEvent, force = false, admit?: (rank: number) => boolean): Observation | null {
    const ts = e.ts;
    let s = actors.get(e.actor);
    const firstOfActor = s === undefined;
    if (s === undefined) s = newState(e);
    s.count++;
    if (ts > s.last) s.last = ts;
    if (ts < s.first) s.first = ts;

    // --- rate: ring of recent timestamps ---
    const ring = s.ring;
    ring[s.head] = ts;
    s.head = (s.head + 1) % ringSize;
    if (s.n < ringSize) s.n++;
    let inRate = 0;
    let inBurstWin = 0;
    let earliest = ts;
    const rateFrom = ts - options.rateWindowMs;
    const burstFrom = ts - options.burstWindowMs;
    for (let i = 1; i <= s.n; i++) {
      const t = ring[(s.head - i + ringSize) % ringSize] as number;
      if (t > ts) continue; // a later event that arrived first
      if (t < rateFrom) break;
      inRate++;
      if (t < earliest) earliest = t;
      if (t >= burstFrom) inBurstWin++;
    }
    const inBurst = inBurstWin >= options.burstCount;
    const burst = inBurst && !s.burstActive;
    s.burstActive = inBurst;

    // --- hourly volume ---
    const hour = Math.floor(ts / HOUR_MS);
    if (hour > s.hour) {
      s.hour = hour;
      s.hourCount = 0;
      s.hourBytes = 0;
    }
    s.hourCount++;
    s.hourBytes += e.bytesOut ?? 0;
    const volumeHigh = s.hourCount > s.volumeThreshold && s.volumeFlaggedHour !== s.hour;
    if (volumeHigh) s.volumeFlaggedHour = s.hour;
    s.hoursMask |= 1 << (((hour % 24) + 24) % 24);

    // --- status and failure streak ---
    const st = statusClass(e.status, e.auth);
    const failed = st === 'auth-failure' || st === 'client-error';
    if (failed) s.failStreak++;
    else if (st === 'success' || st === 'redirect') s.failStreak = 0;
    const streakCrossed = failed && s.failStreak === options.failureStreak;

    // --- where ---
    let where: GeoWhere | undefined;
    let country = e.country;
    if (e.ip !== undefined) {
      if (e.ip === s.lastIp && s.lastGeo !== undefined) where = s.lastGeo;
      else {
        where = geoOf(e.ip);
        s.lastIp = e.ip;
        s.lastGeo = where;
      }
      if (country === undefined) country = where.geo?.country;
    }
    const base = s.base;
    const known = mode === 'file' ? base !== undefined : undefined;
    const againstBaseline = mode === 'file' && base !== undefined;
    let newIp = false;
    let newCountry = false;
    let newRoute = false;
    const ipsBefore = s.ips;
    const countriesBefore = s.countries;
    let ipsSnap: string[] | null = null;
    let countriesSnap: string[] | null = null;
    if (e.ip !== undefined) {
      if (s.ips === null) s.ips = new Set();
      if (!s.ips.has(e.ip)) {
        if (againstBaseline) newIp = own(base.ips, e.ip) === undefined && base.truncated?.ips !== true;
        else newIp = s.ips.size > 0 && s.ips.size < IPS_CAP;
        if (newIp || force) ipsSnap = [...s.ips];
        if (s.ips.size < IPS_CAP) s.ips.add(e.ip);
      }
    }
    if (country !== undefined) {
      if (s.countries === null) s.countries = new Set();
      if (!s.countries.has(country)) {
        if (againstBaseline) {
          const hasCountries = Object.keys(base.countries).length > 0;
          newCountry = hasCountries && own(base.countries, country) === undefined && base.truncated?.countries !== true;
        } else newCountry = s.countries.size > 0 && s.countries.size < COUNTRIES_CAP;
        if (newCountry || force) countriesSnap = [...s.countries];
        if (newCountry) s.newCountry = { country, at: ts, before: countriesSnap ?? [] };
        if (s.countries.size < COUNTRIES_CAP) s.countries.add(country);
      }
    }
    let keysBefore: string[] | null = null;
    if (e.apiKey !== undefined) {
      if (s.keys === null) s.keys = new Set();
      if (!s.keys.has(e.apiKey)) {
        if (s.keys.size > 0) keysBefore = [...s.keys];
        if (s.keys.size < KEYS_CAP) s.keys.add(e.apiKey);
      }
    }
    const sinceNew = s.newCountry;
    const newCountrySince =
      !newCountry && sinceNew !== null && sinceNew.country === country && ts - sinceNew.at <= NEW_COUNTRY_RECENT_MS ? sinceNew : undefined;
    const route = classifier.info(e.method, e.template, e.action);
    const rk = route.key;
    if (againstBaseline && own(base.routes, rk) === undefined && base.truncated?.routes !== true) {
      if (s.novelRoutes === null) s.novelRoutes = new Set();
      if (!s.novelRoutes.has(rk)) {
        newRoute = true;
        if (s.novelRoutes.size < NOVEL_ROUTES_CAP) s.novelRoutes.add(rk);
      }
    }

    // --- when ---
    const offHours = business.isOffHours(ts);
    const margin = options.offHoursMarginMinutes * 60_000;
    const deepOffHours = offHours && business.isOffHours(ts - margin) && business.isOffHours(ts + margin);
    const slot = hourOfWeekUtc(ts);
    const usual = againstBaseline ? usualAt(base, slot, covered, businessDays) : undefined;
    const usualHour = usual === undefined ? undefined : usual !== null;

    // --- who ---
    const client = clientKind(e.userAgent);
    const unknownActor = mode === 'file' && base === undefined && firstOfActor && (e.user !== undefined || e.apiKey !== undefined);

    // --- permissions ---
    const roles = e.roles !== undefined && e.roles.length > 0 ? e.roles : undefined;
    let held: string[] = NONE;
    let denied = false;
    if (roles !== undefined && route.permissions.length > 0) {
      for (const p of route.permissions) {
        // Index loops over roles: see hasRole in detect/util/rules.ts.
        for (let i = 0; i < roles.length; i++) {
          if (policy.holds(roles[i]!, p.permission)) {
            if (held === NONE) held = [];
            held.push(p.permission);
            break;
          }
        }
      }
      // Only a role the policy knows can be denied by it: an unlisted role is "cannot judge".
      denied = held.length === 0 && roles.some((r) => policy.knowsRole(r));
    }
    let adminByNonAdmin = false;
    if (route.admin && judgeAdmin && roles !== undefined) {
      adminByNonAdmin = true;
      for (let i = 0; i < roles.length; i++) if (policy.isAdminRole(roles[i]!)) adminByNonAdmin = false;
    }
    const bulk = (e.bytesOut !== undefined && e.bytesOut >= options.bulkBytes) || route.export;
    const succeeded = st === 'success' || st === 'redirect';

    // --- weight first (no allocation on the quiet path), then the flags in their fixed order ---
    // Business hours are people's hours: a service account's or crawler's night work is not a finding
    // by itself, nor is anonymous traffic's (health checkers, a CDN fetching from the origin, the
    // public on the internet keep no office hours; 15,840 low entries for one load balancer's probes).
    const kind = client === 'crawler' ? 'crawler' : (s.kind ?? (s.kind = actorKind(e.user, e.apiKey, e.roles, 'none')));
    const humanOffHours = deepOffHours && kind === 'human';
    // An allow-listed actor (a known batch job, a monitor) is expected to run at night and in
    // bursts: its rate, volume and hours raise no entry. What it reaches, and from where, still do.
    const expected = !matchers.noAllowlist && allowlisted(matchers, e) !== null;
    let rank = 0;
    if ((unknownActor && !expected) || newCountry || ((burst || volumeHigh) && !expected) || streakCrossed) rank = 2;
    if ((adminByNonAdmin || denied) && rank < 3) rank = succeeded ? 3 : 2;
    // A large or export response is context; on a sensitive route it is worth a look.
    if (rank < 1 && bulk && route.sensitive) rank = 1;
    if (rank < 1 && ((!expected && ((humanOffHours && usualHour !== true) || usualHour === false)) || (newIp && againstBaseline) || newRoute || st === 'auth-failure')) rank = 1;
    if (rank === 0 && !force) return null;
    if (admit !== undefined && !admit(rank)) return null;

    const flags: Flag[] = [];
    if (unknownActor) flags.push('unknown-actor');
    if (client === 'crawler') flags.push('crawler');
    if (offHours) flags.push('off-hours');
    if (usualHour === false) flags.push('unusual-hour');
    if (newCountry) flags.push('new-location');
    if (newIp) flags.push('new-ip');
    if (where?.reserved !== undefined) flags.push('reserved-ip');
    if (adminByNonAdmin) flags.push('admin-route-by-non-admin');
    if (denied) flags.push('permission-denied-by-policy');
    if (route.admin) flags.push('admin-route');
    if (newRoute) flags.push('new-route');
    if (route.sensitive) flags.push('sensitive-data');
    if (bulk) flags.push('bulk');
    if (route.modification === 'delete') flags.push('delete');
    else if (route.modification !== null) flags.push('write');
    if (burst) flags.push('burst');
    if (volumeHigh) flags.push('volume-above-baseline');
    if (streakCrossed) flags.push('failure-streak');
    if (st === 'auth-failure') flags.push('auth-failure');
    if (st === 'server-error') flags.push('server-error');

    return {
      e,
      mode,
      base,
      known,
      kind,
      client,
      route,
      routeKey: rk,
      slot,
      offHours,
      usualHour,
      usualBy: usual ?? undefined,
      geo: where?.geo ?? null,
      reserved: where?.reserved,
      country,
      newIp,
      newCountry,
      newCountrySince,
      newRoute,
      keysBefore: keysBefore ?? [],
      ipsBefore: ipsSnap ?? (ipsBefore === null ? [] : [...ipsBefore].filter((x) => x !== e.ip)),
      countriesBefore: countriesSnap ?? (countriesBefore === null ? [] : [...countriesBefore].filter((x) => x !== country)),
      recent: { count: inRate, spanMs: ts - earliest, windowMs: options.rateWindowMs, saturated: inRate >= s.n && s.n === ringSize },
      inBurst,
      hourCount: s.hourCount,
      hourBytes: s.hourBytes,
      volumeThreshold: s.volumeThreshold,
      failStreak: s.failStreak,
      status: st,
      perm: { needed: route.permissions, roles, held: held === NONE ? [] : held, denied },
      adminByNonAdmin,
      bulk,
      requestsInInput: s.count,
      firstInInput: s.first,
      hoursInInput: maskToHours(s.hoursMask),
      flags,
      severity: severityOfRank(rank),
    };
  }

  return { observe, mode, business, classifier, evicted: () => evictedCount };
}
