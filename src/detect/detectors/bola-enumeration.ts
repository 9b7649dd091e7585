/**
 * bola-enumeration (OWASP API1:2023): one actor touching many distinct foreign object ids on one route
 * template in a sliding window. Ids the actor owns (used long before, listed in the baseline, or equal
 * to their own user id) do not count; ids under an own parent (/users/{self}/orders/{id},
 * /accounts/{own account}/..., /me/...) are in the actor's own scope (see below). Reads on routes
 * classified public (rules.classification) are no object-level authorization matter: crawling them
 * is scraping's. Severity follows the outcome: successful reads of many foreign
 * objects are high (at least half, or at least 10% and 3 whether the ids are walked in order or
 * guessed), mostly refused probing is medium, successful writes across many are critical.
 *
 * Actors known only by IP (no user or API key logged: gateway logs of Istio, Envoy, Cloudflare,
 * nginx...) are judged for one pattern by default: a sequential walk of ids on a route not classified
 * public, mostly answered 2xx. Whose objects those are cannot be judged without an identity, but
 * every id is someone's, and serving them in order to a caller who counts is the missing check.
 * Their other reads (random ids, mostly refused walks) are judged only with includeAnonymous.
 *
 * A slow tier finds the walk no window sees (one id a minute for hours): per (actor, route) the ids
 * foreign to the actor and never used by it before (its id history), hour after hour
 * (util/foreign-walk.ts). Reported when enough of its hours bring slowMinIdsPerHour of them and
 * the ids go through a range or are mostly refused; severity as for the window.
 *
 * Ids under the actor's own scope are counted apart, and judged only as a walk (through a range,
 * or mostly refused) over ownScopeMinIds child ids the actor had never used: a user opening their
 * own orders is none, a walk of /users/{self}/orders/1..400 on a server that trusts the parent is.
 */
import type { EnrichedEvent, ObjectRef } from '../../enrich/types.js';
import type { Alert, Detector, Severity } from '../types.js';
import { keyedState, liveIncidents } from '../state.js';
import { allowlisted, hasRole, ruleMatchers, WRITE_METHODS } from '../util/rules.js';
import { actorName, bump, fmtDuration, minSeverity, round, Samples, subjectOfActor, topCounts } from '../util/evidence.js';
import { SequenceStats } from '../util/stats.js';
import { TimeQueue } from '../util/queue.js';
import { IdHistory, idKey, type IdKey } from '../util/id-history.js';
import { cachedTest } from '../../rules/match.js';
import { ForeignWalk } from '../util/foreign-walk.js';
import { HOUR_MS } from '../util/slow-walk.js';
import { QuietWindows, quietSlack } from '../util/quiet-windows.js';

/** Foreign ids an incident remembers (a memory bound; beyond it requests are counted, not ids). */
const MAX_INCIDENT_IDS = 20_000;
const ID_OK = 1;
const ID_WRITE = 2;
const ID_WRITE_OK = 4;

export type BolaOptions = {
  /** Sliding window for distinct ids, minutes. */
  windowMinutes: number;
  /** Distinct foreign ids per (actor, route) in the window that make an incident. */
  threshold: number;
  /** Lower tier for routes in routes.sensitive. */
  sensitiveThreshold: number;
  /** Successful PUT/PATCH/DELETE/POST on this many distinct foreign ids -> critical. */
  writeThreshold: number;
  /** Sequential walk: a constant-stride run this long... */
  sequentialRun: number;
  /** ...or an id/time rank correlation this high... */
  spearman: number;
  /** ...or this share of the id range swept... */
  coverage: number;
  /** ...over at least this many ids. */
  sequenceMinIds: number;
  /** An id first used at least this long before counts as the actor's own, minutes. */
  ownIdMinAgeMinutes: number;
  /** How long the ids an actor used are remembered, hours. */
  historyHours: number;
  /** Own ids remembered per (actor, route). */
  maxOwnIds: number;
  /** Own-id history entries kept over all actors and routes (memory bound). */
  maxHistoryEntries: number;
  /** Roles that legitimately read many customers' records: alerts are lowered to low. */
  privilegedRoles: string[];
  /** With a baseline: the threshold is at least this many times the actor's usual p99. */
  baselineFactor: number;
  /**
   * Also judge every read of actors known only by IP (unauthenticated). Off by default: their
   * sequential walks mostly answered 2xx on routes not classified public are judged anyway; other
   * anonymous reads (random ids, refused probing) are scraping's and endpoint-probing's business.
   */
  includeAnonymous: boolean;
  /** Also judge reads (GET) on routes classified "public"; off by default: reading public objects is no BOLA, crawling them is scraping's business. */
  includePublic: boolean;
  /** Slow tier: an hour of a walk counts when it brings this many foreign ids new to the actor... */
  slowMinIdsPerHour: number;
  /** ...this many on routes in routes.sensitive... */
  slowSensitiveMinIdsPerHour: number;
  /** ...and a walk (through a range, or mostly refused) is reported once this many of its hours count. */
  slowMinHours: number;
  /** A walk ends after this long without a new foreign id, minutes. */
  slowGapMinutes: number;
  /**
   * Ids under the actor's own scope (/users/{self}/orders/{id}, /me/orders/{id}) count once the actor
   * walks this many distinct ones it had not used before (through a range, or mostly refused).
   */
  ownScopeMinIds: number;
};

/**
 * One request to an id in a group's window, with what an incident needs of it; the event itself (and
 * its raw record) is not retained. One object per request: the window is the bulk of this detector's
 * memory and garbage-collector work.
 */
interface Entry {
  ts: number;
  id: string;
  /** Whether the id counted as foreign at this request (an id may be judged own at a later re-read). */
  foreign: boolean;
  method: string;
  status: number | undefined;
  numeric: number | undefined;
  ip: string | undefined;
  path: string | undefined;
  source: EnrichedEvent['source'];
  requestId: string | undefined;
  apiKey: string | undefined;
  role: string | null;
}

/**
 * What a group knows of an id in its window, packed into the window map's number (no object per id:
 * the window is this detector's largest share of the garbage collector's work): the requests there
 * (times WINDOW_COUNT), whether the id is in the actor's history, and whether it counted as foreign
 * when it entered the window. A window's ids always have at least one request.
 */
const IN_HISTORY = 1;
const FOREIGN = 2;
const WINDOW_COUNT = 4;
/** Group.slowWrites: a successful write counts this much, any write 1. */
const WRITE_OK = 65_536;

interface Incident {
  /** The first request to a foreign id (own ids read in the same window do not widen it). */
  start: number;
  /**
   * The last request that brought a new foreign id: re-reads after the walk (an actor's own
   * accounts, still too new to count as theirs) are counted as requests but do not stretch the
   * incident to the end of the window.
   */
  end: number;
  lastHot: number;
  requests: number;
  /**
   * Foreign ids seen, with what happened to them (ID_OK | ID_WRITE | ID_WRITE_OK), at most
   * MAX_INCIDENT_IDS: a long incident must not grow without bound. Ids past the cap are counted in
   * `idsBeyondCap` (as requests, since their novelty can no longer be checked).
   */
  ids: Map<string, number>;
  idsBeyondCap: number;
  okIds: number;
  writeIds: number;
  writeOkIds: number;
  statuses: Map<string, number>;
  methods: Map<string, number>;
  ips: Map<string, number>;
  seq: SequenceStats;
  samples: Samples;
  firstIds: string[];
  lastIds: string[];
  peak: number;
  role: string | null;
  threshold: number;
  sensitive: boolean;
}

/** Per (actor, route, id position): the sliding window and the actor's history of ids there. */
interface Group {
  actor: string;
  template: string;
  /**
   * Ids in the window, with their packed state (IN_HISTORY, FOREIGN, requests x WINDOW_COUNT); null
   * while the window is empty (most groups, most of the time: they live on for their history).
   */
  window: Map<IdKey, number> | null;
  /**
   * The actor's own history here: ids and the time of their first use (at most maxOwnIds). Most of
   * this detector's memory on a long log, hence its compact form.
   */
  history: IdHistory;
  /** The window's requests. */
  q: TimeQueue<Entry>;
  /** Distinct foreign ids in the window. */
  foreign: number;
  incident: Incident | null;
  /** The actor is known only by IP: no user or API key was logged. */
  anonymous: boolean;
  /**
   * Ids under the actor's own scope (after /me/, or after a parent id of theirs): a group apart from
   * the same route's ids under others' parents, judged only on a walk of ownScopeMinIds new ids.
   */
  ownScope: boolean;
  /**
   * The slow tier before a walk is kept: the first new foreign id of the hour being counted (its
   * time, and its request for the walk's first sample), the new foreign ids since (with those
   * answered 2xx, and the writes, successful ones times WRITE_OK), and the last one's time. Most
   * groups never bring slowMinIdsPerHour in an hour, so they keep only these.
   */
  slowFrom: number;
  slowNew: number;
  slowOk: number;
  slowWrites: number;
  slowLast: number;
  slowFirst: Entry | null;
  /** The walk once an hour brought slowMinIdsPerHour new foreign ids; dropped after slowGapMinutes without one. */
  walk: ForeignWalk | null;
}

function statusClass(s: number | undefined): string {
  if (s === undefined) return 'none';
  if (s === 401 || s === 403 || s === 404) return String(s);
  return `${Math.floor(s / 100)}xx`;
}

const ok = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;

/** Path segments that name the caller: ids after one (/me/orders/{id}) are in the actor's own scope. */
const SELF_SEGMENTS: ReadonlySet<string> = new Set(['me', '@me', 'self', 'my', 'mine']);
const SELF_SEGMENT_RE = /\/(?:me|@me|self|my|mine)(?:\/|$)/i;

/** The index of the first path segment naming the caller ("path:N" numbering), or -1. */
function selfSegment(path: string): number {
  const segs = path.split('/');
  const skip = path.charCodeAt(0) === 47 ? 1 : 0;
  for (let i = skip; i < segs.length; i++) if (SELF_SEGMENTS.has(segs[i]!.toLowerCase())) return i - skip;
  return -1;
}

const OWN_SCOPE_REASON =
  "; the ids follow a parent of the actor's own (or /me/), yet the actor had never used them: the server appears to trust the parent segment and serve any child id asked for";

/** What an incident's answers show, for the window and the slow tier alike. */
interface Outcome {
  distinct: number;
  /** Ids answered 2xx. */
  okN: number;
  writeOkIds: number;
  writeIds: number;
  /** No user or API key was logged. */
  anon: boolean;
  /** The ids were walked through in order. */
  walk: boolean;
  /** "foreign ", "new " (own scope) or "" (anonymous). */
  foreignWord: string;
  /** How mostly refused requests are named ("probing", "slow probing"). */
  probing: string;
}

/** Severity by the outcome: successful writes, then 2xx answers on foreign ids, then write attempts. */
function judgeOutcome(c: Outcome, writeThreshold: number): { severity: Severity; reason: string } {
  const { distinct, okN } = c;
  if (c.writeOkIds >= writeThreshold) {
    return {
      severity: 'critical',
      reason: `successful writes (PUT/PATCH/DELETE/POST) on ${c.writeOkIds} distinct ${c.foreignWord}objects: destructive object-level authorization bypass${c.anon ? " by a caller with no user or API key logged (every id is someone's)" : ''}`,
    };
  }
  if (okN >= 0.5 * distinct) {
    return {
      severity: 'high',
      reason: c.anon && c.walk
        ? `${okN} of ${distinct} ids walked in sequence were returned with 2xx to a caller with no user or API key logged: whose objects they are cannot be judged, but every id is someone's, and they were served to anyone who counts (object-level authorization or authentication missing)`
        : `${okN} of ${distinct} foreign objects were returned with 2xx: the authorization check appears to be missing`,
    };
  }
  if (okN >= Math.max(3, 0.1 * distinct)) {
    // Confirmed access to foreign objects among the refusals: the ids' order (a walk, or random
    // guesses) changes how they were found, not what the 2xx answers show.
    return {
      severity: 'high',
      reason: c.walk
        ? `a sequential walk through ids with ${okN} successes among the refusals: the classic enumeration signature`
        : `${okN} of ${distinct} foreign objects were returned with 2xx among the refusals: access to objects not the actor's is confirmed`,
    };
  }
  if (c.writeIds >= writeThreshold) return { severity: 'high', reason: `write attempts on ${c.writeIds} distinct foreign objects, mostly refused` };
  const one = okN === 1;
  return {
    severity: 'medium',
    reason:
      okN === 0
        ? `mostly refused or missing (${distinct} of ${distinct} ids not answered 2xx): ${c.probing} without confirmed access`
        : `mostly refused or missing (${distinct - okN} of ${distinct} ids not answered 2xx); ${okN} foreign object${one ? ' was' : 's were'} returned with 2xx: check whether the actor may read ${one ? 'it' : 'them'}`,
  };
}

/** The segment index of a path id ("path:N"), or Infinity for a query id (after every path segment). */
function position(r: ObjectRef): number {
  return r.param.startsWith('path:') ? Number(r.param.slice(5)) : Infinity;
}

export const bolaEnumeration: Detector<BolaOptions> = {
  meta: {
    id: 'bola-enumeration',
    title: 'Object enumeration (BOLA/IDOR)',
    description: 'One actor requests many distinct object ids that are not theirs on one route within a sliding window.',
    severity: 'high',
    references: ['OWASP API1:2023 Broken Object Level Authorization', 'CWE-639'],
    readsRecord: false,
    options: {
      windowMinutes: 10,
      threshold: 50,
      sensitiveThreshold: 20,
      writeThreshold: 10,
      sequentialRun: 10,
      spearman: 0.9,
      coverage: 0.8,
      sequenceMinIds: 20,
      ownIdMinAgeMinutes: 60,
      historyHours: 168,
      maxOwnIds: 500,
      maxHistoryEntries: 500_000,
      privilegedRoles: ['admin', 'support'],
      baselineFactor: 3,
      includeAnonymous: false,
      includePublic: false,
      slowMinIdsPerHour: 30,
      slowSensitiveMinIdsPerHour: 12,
      slowMinHours: 2,
      slowGapMinutes: 30,
      ownScopeMinIds: 100,
    },
    // No user or API key is needed: actors known only by IP are judged for sequential walks.
    requires: { allOf: ['path'] },
    unavailableImpact: 'object enumeration cannot be judged',
    mergeGapMs: (o) => o.windowMinutes * 60_000,
  },

  create(ctx) {
    const o = ctx.options;
    const m = ruleMatchers(ctx.rules);
    const windowMs = o.windowMinutes * 60_000;
    // Route templates alone (API Gateway resourcePath) satisfy the enricher but hide the ids: say so.
    let sawPath = false;
    const routeOnlyFormats = new Set<string>();
    let lastRouteOnlyFormat = '';
    const ownAgeMs = o.ownIdMinAgeMinutes * 60_000;
    const privileged = new Set([...o.privilegedRoles, ...ctx.rules.policy.adminRoles].map((r) => r.toLowerCase()));
    const baselineOwn = new Map<string, Set<string>>();
    // The own-id history is capped per key (maxOwnIds) and in all (maxHistoryEntries): thousands of
    // actors on a dozen routes would otherwise keep millions of ids for a week of event time.
    let historyEntries = 0;
    let historyFullNoted = false;
    // Whether any event with object ids named a user or API key (else the end says what was judged).
    let sawIdentity = false;
    let sawAnonymousIds = false;

    // One entry per (actor, route, parameter): its window, and its history kept for historyHours.
    const groups = keyedState<Group>(ctx, {
      idleMs: Math.max(windowMs, o.historyHours * 3_600_000),
      onRemove: (_k, g) => {
        if (g.incident) emit(g, g.incident);
        if (g.walk) closeWalk(g);
        historyEntries -= g.history.size;
        windowed.delete(g);
      },
    });

    // The slow tier: groups with a walk, by the group's key, expiring slowGapMinutes after the walk's
    // last new id, so that a walk that went quiet is reported (and its memory let go) while its group
    // lives on for the history's sake (live too: advance() expires them).
    const slowGapMs = o.slowGapMinutes * 60_000;
    const walks = keyedState<Group>(ctx, {
      idleMs: slowGapMs,
      onRemove: (_k, g) => {
        if (g.walk) closeWalk(g);
      },
    });

    // Live, a walk is alerted once its group has been quiet for the window (see liveIncidents).
    const open = liveIncidents<Group>(ctx, windowMs, (_k, g) => {
      if (g.incident) emit(g, g.incident);
    });

    function ownFromBaseline(actor: string, template: string): Set<string> | undefined {
      const b = ctx.baseline?.actors[actor]?.ownIds?.[template];
      if (!b) return undefined;
      const k = `${actor}\u0001${template}`;
      let s = baselineOwn.get(k);
      if (!s) baselineOwn.set(k, (s = new Set(b)));
      return s;
    }

    function thresholdFor(actor: string, template: string, sensitive: boolean): number {
      const base = sensitive ? o.sensitiveThreshold : o.threshold;
      const p99 = ctx.baseline?.actors[actor]?.distinctIdsPer10m?.[template];
      return p99 !== undefined ? Math.max(base, Math.ceil(o.baselineFactor * p99)) : base;
    }

    function addToIncident(inc: Incident, x: Entry, foreign: boolean): void {
      inc.requests++;
      bump(inc.statuses, statusClass(x.status));
      bump(inc.methods, x.method);
      if (x.ip) bump(inc.ips, x.ip, 1, 50);
      if (x.role && !inc.role) inc.role = x.role;
      if (!foreign) return;
      if (x.ts < inc.start) inc.start = x.ts;
      let flags = inc.ids.get(x.id);
      if (flags === undefined) {
        // A new id: the samples and the sequence show the walk, one request per id, not the
        // re-reads in between (which would break a stride run).
        if (x.ts > inc.end) inc.end = x.ts;
        inc.samples.add(x);
        if (x.numeric !== undefined) inc.seq.add(x.numeric);
        if (inc.ids.size >= MAX_INCIDENT_IDS) {
          inc.idsBeyondCap++;
        } else {
          flags = 0;
          if (inc.firstIds.length < 5) inc.firstIds.push(x.id);
          else {
            inc.lastIds.push(x.id);
            if (inc.lastIds.length > 5) inc.lastIds.shift();
          }
        }
      }
      if (flags !== undefined) {
        const add = (ok(x.status) ? ID_OK : 0) | (WRITE_METHODS.has(x.method) ? ID_WRITE | (ok(x.status) ? ID_WRITE_OK : 0) : 0);
        const gained = add & ~flags;
        if (gained & ID_OK) inc.okIds++;
        if (gained & ID_WRITE) inc.writeIds++;
        if (gained & ID_WRITE_OK) inc.writeOkIds++;
        inc.ids.set(x.id, flags | add);
      }
    }

    /** A constant-stride run, or a range swept densely: what a walk through ids shows (not order alone). */
    function denseRun(seq: SequenceStats): boolean {
      return seq.longestRun >= o.sequentialRun || (seq.distinctCount >= o.sequenceMinIds && seq.coverage() >= o.coverage);
    }

    /**
     * One new foreign id (never used by the actor here): counted for the slow tier. Until an hour
     * brings slowMinIdsPerHour of them the group only counts; then its walk is kept.
     */
    function slowStep(key: string, g: Group, x: Entry, sensitive: boolean): void {
      const now = x.ts;
      let w = g.walk;
      if (w !== null && now - w.last > slowGapMs) {
        closeWalk(g);
        w = null;
      }
      if (w === null) {
        if (g.slowFirst === null || now - g.slowLast > slowGapMs || now - g.slowFrom >= HOUR_MS) {
          g.slowFrom = now;
          g.slowNew = g.slowOk = g.slowWrites = 0;
          g.slowFirst = x;
        }
        g.slowLast = now;
        const minIds = sensitive ? o.slowSensitiveMinIdsPerHour : o.slowMinIdsPerHour;
        if (++g.slowNew < minIds) {
          if (ok(x.status)) g.slowOk++;
          if (WRITE_METHODS.has(x.method)) g.slowWrites += ok(x.status) ? WRITE_OK + 1 : 1;
          return;
        }
        // The hour's earlier ids were counted; of their requests only the first is kept, as a sample,
        // and the ids themselves are recovered, in order, from the history (where each was added at
        // its first use, unless the history was full).
        const writes = g.slowWrites % WRITE_OK;
        w = g.walk = new ForeignWalk(g.slowFrom, minIds, { ids: g.slowNew - 1, ok: g.slowOk, writes, writeOk: (g.slowWrites - writes) / WRITE_OK });
        if (g.slowFirst !== x) w.addFirstSample(g.slowFirst);
        g.slowFirst = null;
        const current = idKey(x.id, x.numeric);
        const user = g.actor.startsWith('user:') && !g.ownScope ? g.actor.slice(5) : undefined;
        const baseline = ctx.baseline !== undefined ? ownFromBaseline(g.actor, g.template) : undefined;
        for (const key of g.history.usedSince(g.slowFrom)) {
          // Ids first used in that hour that were own all the same (the actor's user id, the baseline's) were no part of it.
          if (key === current || String(key) === user || baseline?.has(String(key)) === true) continue;
          w.addEarlier(key);
        }
      }
      // (A group evicted and made again under the same key is a new one: its walk is the one kept.)
      const kept = walks.find(key, now);
      if (kept !== g) {
        if (kept !== undefined) walks.delete(key);
        walks.add(key, now, g);
      }
      w.add(x, x.role, statusClass(x.status));
      if (g.foreign > w.peak) w.peak = g.foreign;
      // Live, the walk is reported once it qualifies; its final report updates that alert.
      if (ctx.live && !w.reported && slowQualifies(g, w)) {
        w.reported = true;
        emitSlow(g, w);
      }
    }

    function slowQualifies(g: Group, w: ForeignWalk): boolean {
      if (w.qualifyingHours < o.slowMinHours) return false;
      if (g.ownScope && w.ids < o.ownScopeMinIds) return false;
      const dense = w.dense({ sequentialRun: o.sequentialRun, coverage: o.coverage, minIds: o.sequenceMinIds });
      // Many new ids read slowly without a walk through a range, mostly answered 2xx, is also what a
      // job reading its own scattered objects shows the first time: not judged.
      if (!dense && w.okIds >= 0.5 * w.ids) return false;
      return !(g.anonymous && !o.includeAnonymous && !(dense && w.okIds >= 0.5 * w.ids));
    }

    function closeWalk(g: Group): void {
      const w = g.walk!;
      g.walk = null;
      if (slowQualifies(g, w)) emitSlow(g, w);
    }

    function emitSlow(g: Group, w: ForeignWalk): void {
      const distinct = w.ids;
      const okN = w.okIds;
      const anon = g.anonymous;
      const seq = w.seq;
      const span = w.last - w.start;
      const perMinute = distinct / Math.max(1, span / 60_000);
      const hourly = w.newIdsPerHour();
      const busiest = Math.max(...hourly);
      const dense = w.dense({ sequentialRun: o.sequentialRun, coverage: o.coverage, minIds: o.sequenceMinIds });
      const sensitive = m.sensitive(g.template);
      const minIds = sensitive ? o.slowSensitiveMinIdsPerHour : o.slowMinIdsPerHour;
      const threshold = Math.max(sensitive ? o.sensitiveThreshold : o.threshold, g.ownScope ? o.ownScopeMinIds : 0);
      const foreignWord = anon ? '' : g.ownScope ? 'new ' : 'foreign ';
      const pace = `${perMinute.toFixed(2)} new ids a minute on average over ${fmtDuration(span)}, at most ${busiest} in an hour`;
      const judged = judgeOutcome({ distinct, okN, writeOkIds: w.writeOkIds, writeIds: w.writeIds, anon, walk: dense, foreignWord, probing: 'slow probing' }, o.writeThreshold);
      let severity = judged.severity;
      const outcome = judged.reason;
      // Under the window's threshold all along (before the walk was kept, its hour had fewer new ids
      // than slowMinIdsPerHour): the window did not see it.
      const unseen = w.peak < threshold && minIds <= threshold ? `, at most ${w.peak} in any ${o.windowMinutes} minutes: a pace under the window's ${threshold}` : '';
      let reason = `a slow walk over ${distinct} ${foreignWord}ids the actor had never used, ${pace}, at least ${minIds} new in each of ${w.qualifyingHours} hours${dense ? ' through a range of ids' : ''}${unseen}; ${outcome}`;
      if (g.ownScope) reason += OWN_SCOPE_REASON;
      if (w.role) {
        severity = minSeverity(severity, 'low');
        reason += `; lowered to low because the actor has role "${w.role}", which legitimately reads many records`;
      }
      const walkText = !dense
        ? ''
        : w.coverage() >= o.coverage
          ? `; ids ${seq.min}..${seq.max} swept, ${Math.floor(w.coverage() * 100)}% of the range (longest run ${seq.longestRun} with stride ${seq.longestStride})`
          : `; ids ${seq.runFrom}..${seq.runTo} walked with stride ${seq.longestStride} (${seq.longestRun} in a row)`;
      const methods = [...w.methods.keys()].join('/');
      ctx.report({
        rule: 'bola-enumeration',
        severity,
        title: 'Object enumeration (BOLA/IDOR, slow walk)',
        subject: { ...subjectOfActor(g.actor), route: g.template },
        start: w.start,
        end: w.last,
        summary: `${actorName(g.actor)}${anon ? ' (no user or API key was logged)' : ''} requested ${distinct} distinct ${foreignWord}ids${g.ownScope ? ' under its own scope' : ''} on ${methods} ${g.template} over ${fmtDuration(span)}, one at a time (${perMinute.toFixed(2)} a minute on average, at most ${busiest} in an hour, new ids per hour ${hourly.join(' ')}); ${okN} answered 2xx, ${distinct - okN} refused or missing${walkText}.`,
        severityReason: reason,
        evidence: {
          metrics: {
            variant: 'slow-walk',
            distinctIds: distinct,
            durationHours: round(span / HOUR_MS, 2),
            qualifyingHours: w.qualifyingHours,
            newIdsPerHour: hourly.join(' '),
            averagePerMinute: round(perMinute, 2),
            peakDistinctInWindow: w.peak,
            successIds: okN,
            refusedIds: distinct - okN,
            writeIds: w.writeIds,
            writeSuccessIds: w.writeOkIds,
            sequential: dense,
            longestStrideRun: seq.longestRun,
            stride: seq.longestStride,
            coverage: Number.isNaN(w.coverage()) ? null : round(w.coverage(), 3),
            idRange: seq.count >= 2 ? `${seq.min}..${seq.max}` : null,
            walkedRange: seq.longestRun >= 2 ? `${seq.runFrom}..${seq.runTo}` : null,
            sensitiveRoute: sensitive,
            anonymous: anon,
            ...(g.ownScope ? { ownScope: true } : {}),
          },
          thresholds: {
            slowMinIdsPerHour: minIds,
            slowMinHours: o.slowMinHours,
            slowGapMinutes: o.slowGapMinutes,
            ...(g.ownScope ? { ownScopeMinIds: o.ownScopeMinIds } : {}),
            threshold,
            writeThreshold: o.writeThreshold,
            sequentialRun: o.sequentialRun,
            coverage: o.coverage,
          },
          samples: w.samples.list(),
          statuses: topCounts(w.statuses, 10),
          methods: topCounts(w.methods, 5),
          ips: topCounts(w.ips, 5),
          sampleIds: [...w.firstIds, ...w.lastIds],
        },
      });
    }

    function emit(g: Group, inc: Incident): void {
      g.incident = null;
      const distinct = inc.ids.size + inc.idsBeyondCap;
      const okN = inc.okIds;
      const seq = inc.seq;
      const walk = seq.distinctCount >= 2 && seq.isWalk({ sequentialRun: o.sequentialRun, spearman: o.spearman, coverage: o.coverage, minIds: o.sequenceMinIds });
      const anon = g.anonymous;
      // An actor known only by IP, unless includeAnonymous: only a sequential walk mostly answered 2xx
      // (random ids are scraping's, mostly refused walks endpoint-probing's business).
      if (anon && !o.includeAnonymous && !(walk && okN >= 0.5 * distinct)) return;
      // Under the actor's own scope, many new child ids are also what a client syncing its own
      // objects reads: only a walk through a range, or mostly refused probing, is judged.
      if (g.ownScope && !(denseRun(seq) || okN < 0.5 * distinct)) return;
      const foreignWord = anon ? '' : g.ownScope ? 'new ' : 'foreign ';
      let { severity, reason } = judgeOutcome({ distinct, okN, writeOkIds: inc.writeOkIds, writeIds: inc.writeIds, anon, walk, foreignWord, probing: 'probing' }, o.writeThreshold);
      if (g.ownScope) reason += OWN_SCOPE_REASON;
      if (inc.role) {
        severity = minSeverity(severity, 'low');
        reason += `; lowered to low because the actor has role "${inc.role}", which legitimately reads many records`;
      }
      const subject = { ...subjectOfActor(g.actor), route: g.template };
      const methods = [...inc.methods.keys()].join('/');
      // A range read nearly whole is said as such: the longest run alone understates it when the
      // actor's own ids (not foreign, so not in the sequence) or a refused id break it up.
      const walkText = !walk
        ? ''
        : seq.distinctCount >= o.sequenceMinIds && seq.coverage() >= o.coverage && seq.longestRun < 0.9 * seq.distinctCount
          ? `; ids ${seq.min}..${seq.max} swept, ${Math.floor(seq.coverage() * 100)}% of the range (longest run ${seq.longestRun} with stride ${seq.longestStride})`
          : seq.longestRun >= o.sequentialRun
            ? `; ids ${seq.runFrom}..${seq.runTo} walked with stride ${seq.longestStride} (${seq.longestRun} in a row)`
            : `; ids ${seq.min}..${seq.max} walked in order`;
      const alert: Alert = {
        rule: 'bola-enumeration',
        severity,
        title: 'Object enumeration (BOLA/IDOR)',
        subject,
        start: inc.start,
        end: inc.end,
        summary: `${actorName(g.actor)}${anon ? ' (no user or API key was logged: the ids cannot be judged own or foreign, every id is someone\'s)' : ''} requested ${distinct} distinct ${foreignWord}ids${g.ownScope ? ' under its own scope' : ''} on ${methods} ${g.template} within ${fmtDuration(inc.end - inc.start)} (peak ${inc.peak} in ${o.windowMinutes} min); ${okN} answered 2xx, ${distinct - okN} refused or missing${walkText}.`,
        severityReason: reason,
        evidence: {
          metrics: {
            distinctIds: distinct,
            peakDistinctInWindow: inc.peak,
            windowMinutes: o.windowMinutes,
            requests: inc.requests,
            successIds: okN,
            refusedIds: distinct - okN,
            writeIds: inc.writeIds,
            writeSuccessIds: inc.writeOkIds,
            sequential: walk,
            longestStrideRun: seq.longestRun,
            stride: seq.longestStride,
            spearman: seq.distinctCount >= 3 ? round(seq.spearman(), 3) : null,
            coverage: seq.distinctCount >= 2 ? round(seq.coverage(), 3) : null,
            idRange: seq.distinctCount >= 2 ? `${seq.min}..${seq.max}` : null,
            walkedRange: seq.longestRun >= 2 ? `${seq.runFrom}..${seq.runTo}` : null,
            sensitiveRoute: inc.sensitive,
            anonymous: anon,
            ...(g.ownScope ? { ownScope: true } : {}),
          },
          thresholds: {
            threshold: inc.threshold,
            writeThreshold: o.writeThreshold,
            sequentialRun: o.sequentialRun,
            spearman: o.spearman,
            coverage: o.coverage,
          },
          samples: inc.samples.list(),
          statuses: topCounts(inc.statuses, 10),
          methods: topCounts(inc.methods, 5),
          ips: topCounts(inc.ips, 5),
          sampleIds: [...inc.firstIds, ...inc.lastIds],
        },
      };
      ctx.report(alert);
    }

    /** Drop the window's requests before `cutoff`. */
    function slide(g: Group, cutoff: number): void {
      const q = g.q;
      while (q.size > 0 && q.firstTime() < cutoff) {
        const old = q.shift();
        const oldKey = idKey(old.id, old.numeric);
        const window = g.window!;
        const state = window.get(oldKey)!;
        if (state < 2 * WINDOW_COUNT) {
          if (state & FOREIGN) g.foreign--;
          window.delete(oldKey);
        } else window.set(oldKey, state - WINDOW_COUNT);
      }
    }

    // Groups live on for their history: their windows are also slid on a timer (util/quiet-windows.ts).
    const windowed = new QuietWindows<Group>(
      windowMs,
      quietSlack(windowMs),
      (g, cutoff) => {
        slide(g, cutoff);
        return g.q.size === 0;
      },
      (g) => {
        g.q.release();
        g.window = null;
      },
    );

    /** Whether the route template has a segment naming the caller (/me/...), remembered per template. */
    const hasSelfSegment = cachedTest((template) => SELF_SEGMENT_RE.test(template));

    /**
     * Counts one id of the event; returns whether it is foreign to the actor at this request. Ids
     * under the actor's own scope (`ownScope`) are counted in a group of their own, with
     * ownScopeMinIds as the threshold.
     */
    function onRef(e: EnrichedEvent, r: ObjectRef, method: string, role: string | null, sensitive: boolean, threshold: number, ownScope: boolean): boolean {
      const now = e.ts;
      const key = `${e.actor}\u0001${e.template}${ownScope ? '\u0002' : '\u0001'}${r.param}`;
      let g = groups.find(key, now);
      if (g === undefined) {
        const anonymous = e.user === undefined && e.apiKey === undefined;
        g = groups.add(key, now, {
          actor: e.actor,
          template: e.template,
          window: null,
          history: new IdHistory(),
          q: new TimeQueue(),
          foreign: 0,
          incident: null,
          anonymous,
          ownScope,
          slowFrom: 0,
          slowNew: 0,
          slowOk: 0,
          slowWrites: 0,
          slowLast: 0,
          slowFirst: null,
          walk: null,
        });
      }
      if (ownScope && threshold < o.ownScopeMinIds) threshold = o.ownScopeMinIds;

      // Slide the window first (it does not read the history, so the order does not matter).
      slide(g, now - windowMs);
      const q = g.q;

      // Own history for this actor and route: looked up when the id enters the window (and when a
      // foreign id is re-read, below).
      const k = idKey(r.value, r.numeric);
      const known = g.window?.get(k);
      // Entering the window, the id's first use comes from the history; an id already in the window
      // needs only to know whether it is in the history.
      const entering = known === undefined;
      const first = entering ? g.history.get(k) : undefined;
      let state = entering ? (first !== undefined ? IN_HISTORY : 0) : known;
      if ((state & IN_HISTORY) === 0 && g.history.size < o.maxOwnIds) {
        if (historyEntries < o.maxHistoryEntries) {
          g.history.add(k, now);
          state |= IN_HISTORY;
          historyEntries++;
        } else if (!historyFullNoted) {
          historyFullNoted = true;
          ctx.note(
            `bola-enumeration: the id history reached ${o.maxHistoryEntries} entries; ids first used after that are not recognised as an actor's own (raise maxHistoryEntries, or give a baseline)`,
          );
        }
      }
      if (!entering && (state & FOREIGN) !== 0 && (state & IN_HISTORY) !== 0) {
        // Re-read while still in the window: an id that was too new to be the actor's own when it
        // entered may be old enough now (own accounts read every minute never leave the window).
        const since = g.history.get(k);
        if (since !== undefined && since <= now - ownAgeMs) {
          state &= ~FOREIGN;
          g.foreign--;
        }
      }
      // A foreign id the actor had never used here (not in its history): what the slow tier counts.
      let fresh = false;
      if (entering) {
        // Entering the window: whether the id is foreign is judged now, and again on a re-read.
        const own =
          (first !== undefined && first <= now - ownAgeMs) ||
          // (Under the actor's own scope, order 42 of user 42 is no more theirs than order 41.)
          (r.value === e.user && !g.ownScope) ||
          (ctx.baseline !== undefined && ownFromBaseline(e.actor, e.template)?.has(r.value) === true);
        if (!own) {
          state |= FOREIGN;
          g.foreign++;
          // Only an id the history now holds: past its caps, a re-read could not be told from a new id.
          fresh = first === undefined && (state & IN_HISTORY) !== 0;
        }
      }
      (g.window ??= new Map()).set(k, state + WINDOW_COUNT);
      const x: Entry = {
        ts: now,
        id: r.value,
        foreign: (state & FOREIGN) !== 0,
        method,
        status: e.status,
        numeric: r.numeric,
        ip: e.ip,
        path: e.path,
        source: e.source,
        requestId: e.requestId,
        apiKey: e.apiKey,
        role,
      };
      if (q.size === 0) windowed.add(g);
      q.push(now, x);
      if (fresh) slowStep(key, g, x, sensitive);

      let inc = g.incident;
      if (inc && now > inc.lastHot + windowMs && g.foreign < threshold) {
        emit(g, inc);
        inc = null;
      }
      if (inc) {
        open?.touch(key, now, () => g!);
        addToIncident(inc, x, x.foreign);
        if (g.foreign >= threshold) inc.lastHot = now;
        if (g.foreign > inc.peak) inc.peak = g.foreign;
      } else if (g.foreign >= threshold) {
        inc = {
          start: Infinity,
          end: -Infinity,
          lastHot: now,
          requests: 0,
          ids: new Map(),
          idsBeyondCap: 0,
          okIds: 0,
          writeIds: 0,
          writeOkIds: 0,
          statuses: new Map(),
          methods: new Map(),
          ips: new Map(),
          seq: new SequenceStats(),
          samples: new Samples(),
          firstIds: [],
          lastIds: [],
          peak: g.foreign,
          role: null,
          threshold,
          sensitive,
        };
        g.incident = inc;
        open?.touch(key, now, () => g!);
        // Each request as its id stands now: one judged own since it entered counts as own.
        for (let i = 0; i < q.size; i++) {
          const y = q.at(i);
          addToIncident(inc, y, y.foreign && ((g.window!.get(idKey(y.id, y.numeric)) ?? 0) & FOREIGN) !== 0);
        }
      }
      return x.foreign;
    }

    return {
      event(e) {
        groups.sweep(e.ts);
        open?.sweep(e.ts);
        windowed.trim(e.ts);
        if (e.path !== undefined) sawPath = true;
        else if (e.route !== undefined && e.format !== lastRouteOnlyFormat) routeOnlyFormats.add((lastRouteOnlyFormat = e.format));
        if (e.objectIds.length === 0) return;
        walks.sweep(e.ts);
        // Actors known only by IP are judged too: by default only for a sequential walk mostly
        // answered 2xx (see emit).
        if (e.user === undefined && e.apiKey === undefined) sawAnonymousIds = true;
        else sawIdentity = true;
        const method = e.method ?? 'GET';
        if (method === 'OPTIONS' || method === 'HEAD') return;
        if (m.health(e.template) || allowlisted(m, e)) return;
        // Public objects (a catalogue) are anyone's to read; a route also listed in routes.sensitive is judged.
        if (!o.includePublic && method === 'GET' && m.publicRead(e.template) && !m.sensitive(e.template)) return;
        const role = hasRole(e, privileged);
        // The same for every id of the event: judged once.
        const sensitive = m.sensitive(e.template);
        const threshold = thresholdFor(e.actor, e.template, sensitive);
        const n = Math.min(3, e.objectIds.length);
        // Ids after a segment naming the caller (/me/orders/{id}), or after a path id that is the
        // actor's own (/users/{self}/orders/{id}, an account of theirs), are in the actor's own
        // scope: counted apart from the route's other ids (the same child id under another parent
        // is another object), and judged only on a walk of ownScopeMinIds ids the actor had never
        // used (a server that trusts the parent segment serves any child id). The parent itself is
        // judged as any id.
        let ownScopeFrom = e.path !== undefined && hasSelfSegment(e.template) ? selfSegment(e.path) : -1;
        if (ownScopeFrom < 0) ownScopeFrom = Infinity;
        for (let i = 0; i < n; i++) {
          const r = e.objectIds[i]!;
          // The position is read only when it can matter (no substring per id on the common path).
          if (ownScopeFrom !== Infinity && position(r) > ownScopeFrom) {
            onRef(e, r, method, role, sensitive, threshold, true);
            continue;
          }
          if (!onRef(e, r, method, role, sensitive, threshold, false)) {
            const at = position(r);
            if (at < ownScopeFrom) ownScopeFrom = at;
          }
        }
      },
      end() {
        if (!sawIdentity && sawAnonymousIds && !o.includeAnonymous) {
          ctx.note(
            'no user or API key in the events with object ids: callers are known only by IP, and only their sequential walks of ids mostly answered 2xx on routes not classified public are judged (whose objects they are cannot be told; includeAnonymous: true judges all their reads)',
          );
        }
        if (routeOnlyFormats.size === 0) return;
        const hint = `only route templates (e.g. API Gateway resourcePath): object ids cannot be seen; log $context.path`;
        const formats = [...routeOnlyFormats].sort().join(', ');
        if (!sawPath) ctx.unavailable(`no path field in the input, ${hint} (formats: ${formats})`);
        else ctx.note(`some events (formats: ${formats}) carry ${hint}`);
      },
    };
  },
};
