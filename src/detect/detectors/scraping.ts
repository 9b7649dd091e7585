/**
 * scraping (OAT-011, API4/API6:2023): machine-speed access (a sliding 60 s rate above the threshold,
 * sustained) with a second signal: regular timing, a sequential id walk, or breadth of distinct URLs.
 * Rate alone, or regular timing on a few routes (a batch job), is reported low. Health checks and
 * allowlisted actors and user agents are ignored. Pagination parameters (`paginationParams`) do not
 * make distinct URLs: paging one list endpoint is one resource family.
 *
 * A second window finds the low-and-slow scraper that no per-minute rate sees: one actor reading
 * the ids of one route, hour after hour, mostly ids it has not read before (util/slow-walk.ts).
 * It is reported as its own alert, about the actor and the route.
 */
import type { EnrichedEvent, ObjectRef } from '../../enrich/types.js';
import type { Detector, Severity } from '../types.js';
import { keyedState } from '../state.js';
import { allowlisted, ruleMatchers } from '../util/rules.js';
import { actorName, bump, fmtDuration, round, Samples, subjectOfActor, topCounts } from '../util/evidence.js';
import { cv, mad, median, SequenceStats } from '../util/stats.js';
import { compileUaList } from '../../rules/match.js';
import { TimeQueue } from '../util/queue.js';
import { PagingParams, pagingNameProblem } from '../util/paging.js';
import { idKey } from '../util/id-history.js';
import { HOUR_MS, SlowWalk } from '../util/slow-walk.js';

export type ScrapingOptions = {
  /** Requests in any 60 s that count as machine speed. */
  ratePerMinute: number;
  /** The rate must hold this long, seconds. */
  minDurationSeconds: number;
  /** Regular timing: coefficient of variation of the gaps below this... */
  regularCv: number;
  /** ...or this share of gaps within 10% of the median gap. */
  regularModeShare: number;
  sequentialRun: number;
  spearman: number;
  coverage: number;
  sequenceMinIds: number;
  /** Breadth: at least this many distinct URLs... */
  breadthMinPaths: number;
  /** ...making at least this share of the requests. */
  breadthMinShare: number;
  /** Regular traffic on at most this many routes, without walk or breadth, is a batch job (low). */
  batchMaxTemplates: number;
  /** Extra user agents (substring or "re:") to ignore, besides allow.userAgents. */
  ignoreUserAgents: string[];
  /** Query parameters that page through a list: left out of the distinct-URL key, never an id. */
  paginationParams: string[];
  /** Low and slow: an hour of an id walk counts when it brings this many ids new to the walk... */
  slowMinIdsPerHour: number;
  /** ...making at least this share of the hour's requests (little repetition)... */
  slowMinDistinctShare: number;
  /** ...and the walk is reported once this many of its hours count. */
  slowMinHours: number;
  /** A walk ends when its route has had no request from the actor for this long, minutes. */
  slowGapMinutes: number;
};

/** Routes with an id walk tracked per actor at once (a memory bound). */
const MAX_WALKS_PER_ACTOR = 50;

/**
 * An actor's open id walks, by route template. Most actors never read `slowMinIdsPerHour` ids in
 * an hour on all their routes together, so until one does (`byRoute` null) it is only counted, in
 * hours from its first id read; its walks start at the read that makes it busy.
 */
interface ActorWalks {
  byRoute: Map<string, SlowWalk> | null;
  /** When its other routes are next looked at for walks that went quiet (event time). */
  nextScan: number;
  /** Not busy yet: the start of its hour under way, and its id reads in it. */
  hourStart: number;
  hourReads: number;
}

interface Incident {
  start: number;
  end: number;
  lastHot: number;
  firstHot: number;
  requests: number;
  peak: number;
  prevTs: number;
  gaps: number[];
  wholeSeconds: boolean;
  perSecond: Map<number, number>;
  paths: Set<string>;
  templates: Map<string, number>;
  seqs: Map<string, SequenceStats>;
  statuses: Map<string, number>;
  uas: Map<string, number>;
  ips: Map<string, number>;
  ok: number;
  sensitive: number;
  /** Requests that carried a concrete path (the rest had only a route template or action). */
  concrete: number;
  samples: Samples;
}

/**
 * What is kept of each request in the actor's 60 s window, so that an incident opening there counts the
 * window's earlier requests in full (statuses, URLs, ids), not only their times. Compact on purpose:
 * every actor keeps its last minute of these.
 */
interface Lite {
  ts: number;
  /** The concrete path, or the route template when the log has none: with the query, the distinct-URL key. */
  base: string;
  query: string | undefined;
  template: string;
  numeric: number | undefined;
  concrete: boolean;
  status: number | undefined;
  method: string | undefined;
  path: string | undefined;
  ip: string | undefined;
  userAgent: string | undefined;
  requestId: string | undefined;
  apiKey: string | undefined;
  source: EnrichedEvent['source'];
}

interface ActorState {
  /** The actor's requests of the last 60 s. */
  q: TimeQueue<Lite>;
  incident: Incident | null;
}

export const scraping: Detector<ScrapingOptions> = {
  meta: {
    id: 'scraping',
    title: 'Scraping (machine-speed harvesting)',
    description: 'Sustained machine-speed requests with regular timing, sequential ids or many distinct URLs.',
    severity: 'medium',
    references: ['OWASP OAT-011 Scraping', 'OWASP API4:2023 Unrestricted Resource Consumption', 'OWASP API6:2023 Unrestricted Access to Sensitive Business Flows', 'CWE-799'],
    readsRecord: false,
    options: {
      ratePerMinute: 200,
      minDurationSeconds: 60,
      regularCv: 0.25,
      regularModeShare: 0.6,
      sequentialRun: 10,
      spearman: 0.9,
      coverage: 0.8,
      sequenceMinIds: 20,
      breadthMinPaths: 100,
      breadthMinShare: 0.5,
      batchMaxTemplates: 3,
      ignoreUserAgents: [],
      paginationParams: [
        'cursor', 'page', 'page_token', 'pageToken', 'next', 'next_token', 'nextToken', 'next_page_token', 'after', 'before', 'offset', 'skip',
        'starting_after', 'ending_before', 'since_id', 'max_id', 'marker', 'continuation', 'continuation_token', 'continuationToken', 'continuation-token',
        'limit', 'per_page', 'page_size', 'pageSize', '$skip', '$skiptoken', '$top',
      ],
      slowMinIdsPerHour: 300,
      slowMinDistinctShare: 0.8,
      slowMinHours: 3,
      slowGapMinutes: 30,
    },
    // A route template (API Gateway resourcePath, OTel http.route) or a CloudTrail action is enough for
    // rates and timing; URLs and id walks then cannot be seen (said in the alert).
    requires: { anyOf: ['path', 'route', 'action'] },
    unavailableImpact: 'request rates per route cannot be judged',
    mergeGapMs: () => 5 * 60_000,
    checkOption(key, value) {
      if (key !== 'paginationParams') return null;
      const list = value as string[];
      for (let i = 0; i < list.length; i++) {
        const problem = pagingNameProblem(list[i]!);
        if (problem) return { index: i, problem };
      }
      return null;
    },
  },

  create(ctx) {
    const o = ctx.options;
    const m = ruleMatchers(ctx.rules);
    const ignoreUa = compileUaList(o.ignoreUserAgents);
    const paging = new PagingParams(o.paginationParams);
    const slowGapMs = o.slowGapMinutes * 60_000;
    const bar = { minIds: o.slowMinIdsPerHour, minShare: o.slowMinDistinctShare, memoryHours: o.slowMinHours };
    // Per actor, its open id walks by route. Kept for the gap after the actor's last request (a
    // slow scraper may pause for minutes); the fast window's state above lasts only 2 minutes.
    const walks = keyedState<ActorWalks>(ctx, {
      idleMs: slowGapMs,
      onRemove: (k, a) => {
        if (a.byRoute !== null) for (const [template, w] of a.byRoute) closeWalk(k, template, w);
      },
    });
    const actors = keyedState<ActorState>(ctx, {
      idleMs: 120_000,
      onRemove: (k, s) => {
        if (s.incident) emit(k, s.incident);
      },
    });

    function regularity(inc: Incident): { regular: boolean; metric: Record<string, number | string | null> } {
      if (inc.wholeSeconds) {
        // Whole-second timestamps: gaps collapse to 0/1 s, so judge the steadiness of per-second counts.
        const first = Math.floor(inc.start / 1000);
        const last = Math.floor(inc.end / 1000);
        const counts: number[] = [];
        if (last - first <= 36_000) for (let s = first; s <= last; s++) counts.push(inc.perSecond.get(s) ?? 0);
        const c = counts.length >= 20 ? cv(counts) : NaN;
        return { regular: Number.isFinite(c) && c < o.regularCv, metric: { timestampResolution: '1 s', perSecondCountCv: Number.isFinite(c) ? round(c, 3) : null } };
      }
      const g = inc.gaps;
      if (g.length < 20) return { regular: false, metric: { gapSamples: g.length } };
      const med = median(g);
      const dev = mad(g, med);
      const c = cv(g);
      let near = 0;
      for (const x of g) if (Math.abs(x - med) <= Math.max(0.1 * med, 5)) near++;
      const modeShare = near / g.length;
      const regular = med > 0 && (c < o.regularCv || modeShare >= o.regularModeShare);
      return { regular, metric: { medianGapMs: round(med, 1), gapMadMs: round(dev, 1), gapCv: round(c, 3), gapModeShare: round(modeShare, 3) } };
    }

    function emit(actor: string, inc: Incident): void {
      if (inc.lastHot - inc.firstHot < o.minDurationSeconds * 1000) return; // a short burst, not sustained
      const reg = regularity(inc);
      let walk: { template: string; s: SequenceStats } | null = null;
      for (const [template, s] of inc.seqs) {
        if (s.distinctCount >= 2 && s.isWalk({ sequentialRun: o.sequentialRun, spearman: o.spearman, coverage: o.coverage, minIds: o.sequenceMinIds })) {
          if (!walk || s.distinctCount > walk.s.distinctCount) walk = { template, s };
        }
      }
      const distinct = inc.paths.size;
      const breadth = distinct >= o.breadthMinPaths && distinct / inc.requests >= o.breadthMinShare;
      const signals: string[] = [];
      if (walk) signals.push(`sequential ids on ${walk.template} (${walk.s.longestRun >= o.sequentialRun ? `${walk.s.runFrom}..${walk.s.runTo}` : `${walk.s.min}..${walk.s.max}`})`);
      if (breadth) signals.push(`${distinct} distinct URLs`);
      if (reg.regular) signals.push('regular timing');
      const okShare = inc.ok / inc.requests;
      const blind = inc.concrete === 0 ? '; the log has only route templates (no concrete paths), so URLs and id walks cannot be seen' : '';
      let severity: Severity;
      let reason: string;
      if (!walk && !breadth && !reg.regular) {
        severity = 'low';
        reason = 'machine-speed rate alone, without regular timing, id walk or breadth (excessive rate, API4)';
      } else if (!walk && !breadth && inc.templates.size <= o.batchMaxTemplates) {
        severity = 'low';
        reason = `regular machine traffic on ${inc.templates.size} route(s) without an id walk or breadth: looks like a batch job or integration`;
      } else if ((walk || breadth) && okShare >= 0.8 && (inc.sensitive / inc.requests >= 0.5 || inc.peak >= 5 * o.ratePerMinute)) {
        severity = 'high';
        reason = `${signals.join(', ')} with ${Math.round(okShare * 100)}% answered 2xx${inc.sensitive / inc.requests >= 0.5 ? ' on sensitive routes' : ` at ${inc.peak}/min`}: data is being harvested`;
      } else {
        severity = 'medium';
        reason = `machine-speed access with ${signals.join(', ')}`;
      }
      reason += blind;
      const minutes = Math.max(1, (inc.end - inc.start) / 60_000);
      ctx.report({
        rule: 'scraping',
        severity,
        title: 'Scraping (machine-speed harvesting)',
        subject: subjectOfActor(actor),
        start: inc.start,
        end: inc.end,
        summary: `${actorName(actor)} made ${inc.requests} requests in ${fmtDuration(inc.end - inc.start)} (peak ${inc.peak}/min, ${Math.round(inc.requests / minutes)}/min on average) to ${inc.concrete > 0 ? `${distinct} distinct URLs on ` : ''}${inc.templates.size} routes${signals.length ? `; ${signals.join(', ')}` : ''}.`,
        severityReason: reason,
        evidence: {
          metrics: {
            requests: inc.requests,
            peakPerMinute: inc.peak,
            averagePerMinute: round(inc.requests / minutes, 1),
            distinctUrls: distinct,
            routes: inc.templates.size,
            successShare: round(okShare, 3),
            sequential: walk !== null,
            longestStrideRun: walk ? walk.s.longestRun : null,
            spearman: walk && walk.s.distinctCount >= 3 ? round(walk.s.spearman(), 3) : null,
            regularTiming: reg.regular,
            ...reg.metric,
          },
          thresholds: { ratePerMinute: o.ratePerMinute, minDurationSeconds: o.minDurationSeconds, regularCv: o.regularCv, breadthMinPaths: o.breadthMinPaths, sequentialRun: o.sequentialRun },
          samples: inc.samples.list(),
          routes: topCounts(inc.templates, 5),
          statuses: topCounts(inc.statuses, 8),
          userAgents: topCounts(inc.uas, 3),
          ips: topCounts(inc.ips, 5),
        },
      });
    }

    /** The event's first id outside the paging parameters (a ?since_id= counter walks pages, not objects). */
    function firstRef(ids: readonly ObjectRef[]): ObjectRef | undefined {
      for (let i = 0; i < ids.length; i++) if (!paging.ref(ids[i]!.param)) return ids[i];
      return undefined;
    }

    function lite(e: EnrichedEvent, ref: ObjectRef | undefined): Lite {
      return {
        ts: e.ts,
        base: e.path ?? e.template,
        query: e.query,
        template: e.template,
        numeric: ref?.numeric,
        concrete: e.path !== undefined,
        status: e.status,
        method: e.method,
        path: e.path,
        ip: e.ip,
        userAgent: e.userAgent,
        requestId: e.requestId,
        apiKey: e.apiKey,
        source: e.source,
      };
    }

    /** Every request of an incident goes through here, the window's earlier ones included. */
    function add(inc: Incident, x: Lite): void {
      inc.requests++;
      if (inc.prevTs >= 0 && inc.gaps.length < 20_000) inc.gaps.push(x.ts - inc.prevTs);
      inc.prevTs = x.ts;
      // Min and max, not first and last: a record later than the reorder window still comes late.
      if (x.ts > inc.end) inc.end = x.ts;
      if (x.ts < inc.start) inc.start = x.ts;
      if (x.ts % 1000 !== 0) inc.wholeSeconds = false;
      const sec = Math.floor(x.ts / 1000);
      if (inc.perSecond.size < 40_000) inc.perSecond.set(sec, (inc.perSecond.get(sec) ?? 0) + 1);
      // The URL is put together only here: most requests never join an incident.
      if (inc.paths.size < 50_000) {
        const q = x.query ? paging.strip(x.query) : '';
        inc.paths.add(q ? `${x.base}?${q}` : x.base);
      }
      bump(inc.templates, x.template, 1, 1000);
      if (x.numeric !== undefined) {
        let s = inc.seqs.get(x.template);
        if (!s && inc.seqs.size < 50) inc.seqs.set(x.template, (s = new SequenceStats()));
        s?.add(x.numeric);
      }
      bump(inc.statuses, x.status === undefined ? 'none' : String(x.status), 1, 100);
      if (x.userAgent) bump(inc.uas, x.userAgent, 1, 20);
      if (x.ip) bump(inc.ips, x.ip, 1, 50);
      if (x.status !== undefined && x.status >= 200 && x.status < 300) inc.ok++;
      if (m.sensitive(x.template)) inc.sensitive++;
      if (x.concrete) inc.concrete++;
      inc.samples.add(x);
    }

    function closeWalk(actor: string, template: string, w: SlowWalk): void {
      if (w.qualifyingHours >= o.slowMinHours) emitSlow(actor, template, w);
    }

    function emitSlow(actor: string, template: string, w: SlowWalk): void {
      const distinct = w.distinct;
      const span = w.last - w.start;
      const perMinute = w.requests / Math.max(1, span / 60_000);
      const share = distinct / w.requests;
      const okShare = w.ok / w.requests;
      const seq = w.sequence();
      const walk = seq.distinctCount >= 2 && seq.isWalk({ sequentialRun: o.sequentialRun, spearman: o.spearman, coverage: o.coverage, minIds: o.sequenceMinIds });
      const walkText = !walk ? '' : seq.longestRun >= o.sequentialRun ? `; ids ${seq.runFrom}..${seq.runTo} walked in order` : `; ids ${seq.min}..${seq.max} walked in order`;
      const sensitive = m.sensitive(template);
      const pace = `${round(perMinute, 1)}/min on average, peak ${w.peak}/min${w.peak <= o.ratePerMinute ? `, under the ${o.ratePerMinute}/min machine-speed rate` : ''}`;
      const hourly = w.newIdsPerHour();
      let severity: Severity = 'medium';
      let reason = `a low-and-slow id walk: at least ${o.slowMinIdsPerHour} new ids in each of ${w.qualifyingHours} hours, ${Math.round(share * 100)}% of requests to distinct ids, at ${round(perMinute, 1)}/min: a pace no per-minute rate sees (OAT-011)`;
      if (sensitive && okShare >= 0.8) {
        severity = 'high';
        reason += `; ${Math.round(okShare * 100)}% answered 2xx on a sensitive route: records are being harvested`;
      }
      ctx.report({
        rule: 'scraping',
        severity,
        title: 'Scraping (low and slow)',
        subject: { ...subjectOfActor(actor), route: template },
        start: w.start,
        end: w.last,
        summary: `${actorName(actor)} requested ${distinct} distinct ids on GET ${template} over ${fmtDuration(span)} (${pace}); at least ${o.slowMinIdsPerHour} new ids in each of ${w.qualifyingHours} hours, ${Math.round(share * 100)}% of ${w.requests} requests to distinct ids${walkText}; ${Math.round(okShare * 100)}% answered 2xx.`,
        severityReason: reason,
        evidence: {
          metrics: {
            variant: 'low-and-slow',
            requests: w.requests,
            distinctIds: distinct,
            distinctShare: round(share, 3),
            durationHours: round(span / HOUR_MS, 2),
            qualifyingHours: w.qualifyingHours,
            newIdsPerHour: hourly.join(' '),
            averagePerMinute: round(perMinute, 1),
            peakPerMinute: w.peak,
            successShare: round(okShare, 3),
            sequential: walk,
            longestStrideRun: seq.longestRun,
            spearman: seq.distinctCount >= 3 ? round(seq.spearman(), 3) : null,
            idRange: seq.distinctCount >= 2 ? `${seq.min}..${seq.max}` : null,
            sensitiveRoute: sensitive,
          },
          thresholds: {
            slowMinIdsPerHour: o.slowMinIdsPerHour,
            slowMinDistinctShare: o.slowMinDistinctShare,
            slowMinHours: o.slowMinHours,
            slowGapMinutes: o.slowGapMinutes,
            ratePerMinute: o.ratePerMinute,
          },
          samples: w.samples.list(),
          sampleIds: w.sampleIds(),
        },
      });
    }

    /** One GET to an id: its walk on this route goes on, or a new one starts after the gap. */
    function slowStep(e: EnrichedEvent, ref: ObjectRef, rate: number): void {
      const now = e.ts;
      const a = walks.find(e.actor, now) ?? walks.add(e.actor, now, { byRoute: null, nextScan: 0, hourStart: now, hourReads: 0 });
      let byRoute = a.byRoute;
      if (byRoute === null) {
        if (now - a.hourStart >= HOUR_MS) {
          a.hourStart = now;
          a.hourReads = 0;
        }
        if (++a.hourReads < o.slowMinIdsPerHour) return;
        a.byRoute = byRoute = new Map();
        a.nextScan = now + slowGapMs / 4;
      }
      if (now >= a.nextScan) {
        // A walk that went quiet while its actor stayed busy on other routes (so the actor never
        // expires) is closed here, at most a quarter of the gap late: live, it is alerted then.
        a.nextScan = now + slowGapMs / 4;
        for (const [template, other] of byRoute) {
          if (now - other.last > slowGapMs) {
            closeWalk(e.actor, template, other);
            byRoute.delete(template);
          }
        }
      }
      let w = byRoute.get(e.template);
      if (w !== undefined && now - w.last > slowGapMs) {
        closeWalk(e.actor, e.template, w);
        byRoute.delete(e.template);
        w = undefined;
      }
      if (w === undefined) {
        if (byRoute.size >= MAX_WALKS_PER_ACTOR) return;
        byRoute.set(e.template, (w = new SlowWalk(now, bar)));
      }
      w.add(e, idKey(ref.value, ref.numeric), e.status !== undefined && e.status >= 200 && e.status < 300);
      if (rate > w.peak) w.peak = rate;
      // Live, the walk is reported once it qualifies; its final report updates that alert.
      if (ctx.live && !w.reported && w.qualifyingHours >= o.slowMinHours) {
        w.reported = true;
        emitSlow(e.actor, e.template, w);
      }
    }

    return {
      event(e) {
        actors.sweep(e.ts);
        walks.sweep(e.ts);
        if (m.health(e.template)) return;
        if (ignoreUa(e.userAgent) || allowlisted(m, e)) return;
        const now = e.ts;
        const s = actors.find(e.actor, now) ?? actors.add(e.actor, now, { q: new TimeQueue(), incident: null });
        const q = s.q;
        const ref = e.objectIds.length === 0 ? undefined : firstRef(e.objectIds);
        const x = lite(e, ref);
        q.push(now, x);
        const cutoff = now - 60_000;
        while (q.firstTime() <= cutoff) q.shift(); // never empties it: this request is in the window
        const rate = q.size;
        const hot = rate > o.ratePerMinute;
        let inc = s.incident;
        if (inc && !hot && now > inc.lastHot + 60_000) {
          emit(e.actor, inc);
          s.incident = inc = null;
        }
        if (inc) {
          add(inc, x);
          if (hot && now > inc.lastHot) inc.lastHot = now;
          if (rate > inc.peak) inc.peak = rate;
        } else if (hot) {
          inc = s.incident = {
            start: q.firstTime(), end: now, lastHot: now, firstHot: now, requests: 0, peak: rate, prevTs: -1, gaps: [], wholeSeconds: true, perSecond: new Map(),
            paths: new Set(), templates: new Map(), seqs: new Map(), statuses: new Map(), uas: new Map(), ips: new Map(), ok: 0, sensitive: 0, concrete: 0, samples: new Samples(),
          };
          // The window's requests (this one last) are all part of the burst: count every figure of each.
          for (let i = 0; i < q.size; i++) add(inc, q.at(i));
        }
        // Reads only: a walk of writes is not harvesting (and bola-enumeration judges foreign writes).
        if (ref !== undefined && (e.method === undefined || e.method === 'GET')) slowStep(e, ref, rate);
      },
    };
  },
};
