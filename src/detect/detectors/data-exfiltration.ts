/**
 * data-exfiltration (API3/API4/API6): response bytes and export-route requests per actor in a sliding
 * hour, against the actor's own history (median/MAD of earlier active hours, or the baseline), with an
 * absolute floor. Too little history is said so, and the actor is compared with peers or fixed
 * thresholds at lower severity. Single responses far larger than the route's usual are reported too.
 */
import type { EnrichedEvent } from '../../enrich/types.js';
import type { Detector, Severity } from '../types.js';
import { keyedState, liveIncidents } from '../state.js';
import { allowlisted, ruleMatchers } from '../util/rules.js';
import { actorName, bump, fmtBytes, fmtDuration, maxSeverity, sampleOf, Samples, subjectOfActor, topCounts } from '../util/evidence.js';
import { mad, median, quantile } from '../util/stats.js';
import { NumberQueue, TimeQueue } from '../util/queue.js';

export type ExfilOptions = {
  /** Sliding window, minutes. */
  windowMinutes: number;
  /** Never alert below this many bytes in the window. */
  minBytes: number;
  /** Robust z: the window total must exceed median + z * 1.4826 * MAD of the actor's active hours... */
  robustZ: number;
  /** ...and this many times their median hour... */
  medianFactor: number;
  /** ...given at least this many earlier active hours. */
  minHistoryHours: number;
  /** With fewer (but some) earlier hours: more than this many times their largest hour. */
  shortHistoryFactor: number;
  /** With no history: bytes in the window that are alerted at medium (below it, peer comparison at low). */
  noHistoryBytes: number;
  /** With no history: more than this many times the peers' median active hour is reported (low). */
  peerFactor: number;
  /** Export/bulk-route requests in the window that are unusual without history... */
  exportMinRequests: number;
  /** ...or this many times the actor's usual export requests per active hour. */
  exportFactor: number;
  /** Successful requests (records fetched) in the window that are unusual without history; with history the
   * same robust test as for bytes applies, never below this. */
  requestMinPerWindow: number;
  /** A single response this large... */
  largeResponseBytes: number;
  /** ...and this many times the route's median response is reported. */
  largeResponseFactor: number;
  /** Total bytes in one incident that make it critical. */
  criticalBytes: number;
  /** Active hours of history kept per actor. */
  historyHours: number;
  /**
   * An incident at the hour of day (±1 h) of this actor's incidents on this many earlier days, with
   * a volume within a factor of 2 of each, is a scheduled job's and lowered to low.
   */
  recurringDays: number;
};

interface Incident {
  start: number;
  end: number;
  lastHot: number;
  peakBytes: number;
  peakExport: number;
  totalBytes: number;
  requests: number;
  exportRequests: number;
  noBytes: number;
  routes: Map<string, number>;
  ips: Map<string, number>;
  samples: Samples;
  mode: Mode;
  threshold: number;
  exportThreshold: number;
  median: number | null;
  historyHours: number;
  trigger: string;
  peakRequests: number;
  requestThreshold: number;
  /** Whether bytes (not only request counts) exceeded their threshold at some point. */
  bytesHot: boolean;
}

type Mode = 'baseline' | 'history' | 'short-history' | 'no-history';

/** Columns of ActorState.q. */
const TS = 0;
const BYTES = 1;
const EXP = 2;

interface ActorState {
  /** The window's requests: time, response bytes, 1 for an export route (no object per request). */
  q: NumberQueue;
  /**
   * The route template and IP of each of q's requests, in step with it (interned strings, so a
   * reference each): an incident counts the window from its start, and its breakdown by route and
   * IP must cover the same requests as its totals.
   */
  routesQ: TimeQueue<string>;
  ipsQ: TimeQueue<string | undefined>;
  bytes: number;
  requests: number;
  exportRequests: number;
  hour: number;
  hourBytes: number;
  hourExport: number;
  hourHot: boolean;
  /** Earlier active hours (not hot ones, the last historyHours): bytes, export requests, requests. */
  history: NumberQueue;
  hourRequests: number;
  thr: { mode: Mode; bytes: number; exp: number; req: number; median: number | null } | null;
  incident: Incident | null;
}

const HOUR = 3_600_000;
const DAY_MS = 24 * HOUR;
/** Columns of ActorState.history. */
const H_BYTES = 0;
const H_EXPORTS = 1;
const H_REQUESTS = 2;

/** Math.max over an array, without spreading it into arguments. */
function maxOf(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) m = Math.max(m, x);
  return m;
}

export const dataExfiltration: Detector<ExfilOptions> = {
  meta: {
    id: 'data-exfiltration',
    title: 'Unusual data volume (exfiltration)',
    description: "Response bytes or export requests per actor in a sliding hour far above the actor's own history, or single oversized responses.",
    severity: 'high',
    references: ['OWASP API3:2023 Broken Object Property Level Authorization', 'OWASP API4:2023 Unrestricted Resource Consumption', 'OWASP API6:2023 Unrestricted Access to Sensitive Business Flows'],
    options: {
      windowMinutes: 60,
      minBytes: 50 * 1024 * 1024,
      robustZ: 6,
      medianFactor: 5,
      minHistoryHours: 8,
      shortHistoryFactor: 3,
      noHistoryBytes: 250 * 1024 * 1024,
      peerFactor: 10,
      exportMinRequests: 50,
      exportFactor: 5,
      requestMinPerWindow: 1000,
      largeResponseBytes: 100 * 1024 * 1024,
      largeResponseFactor: 20,
      criticalBytes: 1024 * 1024 * 1024,
      historyHours: 720,
      recurringDays: 2,
    },
    // Without response sizes, record counts (requests) are still judged; a note says so.
    requires: { anyOf: ['bytesOut', 'path', 'action'] },
    unavailableImpact: 'data volume per actor cannot be judged',
    mergeGapMs: (o) => o.windowMinutes * 60_000,
  },

  create(ctx) {
    const o = ctx.options;
    const m = ruleMatchers(ctx.rules);
    const windowMs = o.windowMinutes * 60_000;
    const peers: number[] = [];
    let peerPos = 0;
    let peerMedian = NaN;
    let peerDirty = 0;
    const routeSizes = new Map<string, { xs: number[]; pos: number }>();
    const judgedWithout = new Set<string>();
    // Actor -> its past incidents (UTC day and hour of the start, bytes). Incident hours are kept
    // out of the history on purpose (an attack must not train the baseline), so a nightly export
    // would otherwise be judged anew, and critical, every night.
    const pastIncidents = new Map<string, Array<{ day: number; hour: number; bytes: number }>>();

    /** Earlier days with an incident of this actor at this hour (±1) and of a similar volume. */
    function recurring(actor: string, inc: Incident): number {
      const day = Math.floor(inc.start / DAY_MS);
      const hour = new Date(inc.start).getUTCHours();
      let past = pastIncidents.get(actor);
      if (past === undefined) {
        if (pastIncidents.size >= 50_000) pastIncidents.delete(pastIncidents.keys().next().value!);
        pastIncidents.set(actor, (past = []));
      }
      const days = new Set<number>();
      for (const x of past) {
        const dh = Math.abs(x.hour - hour);
        if (x.day < day && Math.min(dh, 24 - dh) <= 1 && inc.totalBytes <= 2 * x.bytes && x.bytes <= 2 * inc.totalBytes) days.add(x.day);
      }
      if (past.length >= 30) past.shift();
      past.push({ day, hour, bytes: inc.totalBytes });
      return days.size;
    }
    let sawBytes = false;

    const actors = keyedState<ActorState>(ctx, {
      idleMs: 30 * 24 * HOUR,
      onRemove: (k, s) => {
        if (s.incident) emit(k, s.incident);
      },
    });

    // Live, an export is alerted once its actor has been quiet for the window (see liveIncidents).
    const open = liveIncidents<ActorState>(ctx, windowMs, (k, s) => {
      if (s.incident) emit(k, s.incident);
      s.incident = null;
    });

    function peerMed(): number {
      if (peerDirty > 0 && peers.length >= 16) {
        peerMedian = median(peers);
        peerDirty = 0;
      }
      return peers.length >= 16 ? peerMedian : NaN;
    }

    function thresholds(actor: string, s: ActorState): NonNullable<ActorState['thr']> {
      if (s.thr) return s.thr;
      const ab = ctx.baseline?.actors[actor];
      const bl = ab?.bytesPerHour;
      const n = s.history.size;
      let t: NonNullable<ActorState['thr']>;
      const bytes = s.history.column(H_BYTES);
      const exports = s.history.column(H_EXPORTS);
      const rq = s.history.column(H_REQUESTS);
      const expMed = exports.length ? median(exports) : 0;
      if (bl && bl.median > 0) {
        // The baseline counts all requests per active hour, not export requests: an upper bound for those.
        const rph = ab.requestsPerHour ?? { median: 0, p99: 0 };
        t = { mode: 'baseline', bytes: Math.max(o.minBytes, bl.p99, bl.median + o.robustZ * 1.4826 * bl.mad, o.medianFactor * bl.median), exp: Math.max(o.exportMinRequests, rph.p99, o.exportFactor * rph.median), req: Math.max(o.requestMinPerWindow, rph.p99, o.medianFactor * rph.median), median: bl.median };
      } else if (n >= o.minHistoryHours) {
        const med = median(bytes);
        t = {
          mode: 'history',
          bytes: Math.max(o.minBytes, quantile(bytes, 0.99), med + o.robustZ * 1.4826 * mad(bytes, med), o.medianFactor * med),
          exp: Math.max(o.exportMinRequests, quantile(exports, 0.99), o.exportFactor * expMed),
          req: robust(rq, o.requestMinPerWindow),
          median: med,
        };
      } else if (n > 0) {
        t = { mode: 'short-history', bytes: Math.max(o.minBytes, o.shortHistoryFactor * maxOf(bytes)), exp: Math.max(o.exportMinRequests, o.shortHistoryFactor * maxOf(exports)), req: Math.max(o.requestMinPerWindow, o.shortHistoryFactor * maxOf(rq)), median: median(bytes) };
      } else {
        const pm = peerMed();
        t = { mode: 'no-history', bytes: Math.max(o.minBytes, Number.isFinite(pm) ? Math.min(o.noHistoryBytes, o.peerFactor * pm) : o.noHistoryBytes), exp: o.exportMinRequests, req: o.requestMinPerWindow, median: null };
      }
      s.thr = t;
      return t;
    }

    /** The robust threshold of a history: max(p99, median + z * 1.4826 * MAD, k * median, floor). */
    function robust(xs: number[], floor: number): number {
      const med = median(xs);
      return Math.max(floor, quantile(xs, 0.99), med + o.robustZ * 1.4826 * mad(xs, med), o.medianFactor * med);
    }

    function closeHour(s: ActorState): void {
      if (s.hourBytes > 0 || s.hourExport > 0) {
        if (!s.hourHot) {
          s.history.push(s.hourBytes, s.hourExport, s.hourRequests);
          if (s.history.size > o.historyHours) s.history.shift();
          if (peers.length < 5000) peers.push(s.hourBytes);
          else {
            peers[peerPos] = s.hourBytes;
            peerPos = (peerPos + 1) % 5000;
          }
          peerDirty++;
        }
        s.thr = null;
      }
      s.hourBytes = 0;
      s.hourExport = 0;
      s.hourRequests = 0;
      s.hourHot = false;
    }

    function emit(actor: string, inc: Incident): void {
      let severity: Severity;
      let reason: string;
      const earlierDays = recurring(actor, inc);
      // Hours that were incidents themselves are no history: a job seen only at its nightly hour has none.
      const basis =
        inc.mode === 'no-history'
          ? earlierDays > 0
            ? "no ordinary hour of this actor's activity in the input to compare with (its earlier hours were incidents like this one, which are not history; baseline: insufficient), compared with fixed and peer thresholds"
            : "no earlier hour of this actor's activity in the input to compare with (baseline: insufficient), compared with fixed and peer thresholds"
          : inc.mode === 'short-history'
            ? `only ${inc.historyHours} earlier active hours (baseline: insufficient, needs ${o.minHistoryHours}): compared with their largest hour`
            : inc.mode === 'baseline'
              ? 'compared with the learned baseline'
              : `compared with ${inc.historyHours} earlier active hours (median ${fmtBytes(inc.median ?? 0)})`;
      if (inc.mode === 'history' || inc.mode === 'baseline') {
        severity = 'high';
        reason = `far above the actor's own history (${basis})`;
      } else if (inc.mode === 'short-history') {
        severity = 'medium';
        reason = basis;
      } else if (inc.peakBytes >= o.noHistoryBytes) {
        severity = 'medium';
        reason = `${fmtBytes(inc.peakBytes)} in ${o.windowMinutes} min exceeds the fixed threshold ${fmtBytes(o.noHistoryBytes)}; ${basis}`;
      } else {
        severity = 'low';
        reason = `above the peers' usual hour but ${basis}: could be this actor's normal work`;
      }
      if (!inc.bytesHot && inc.trigger === 'requests') {
        // Many small records: unusual volume, but no large amount of data proven to have left.
        severity = inc.mode === 'history' || inc.mode === 'baseline' ? 'medium' : 'low';
        reason = `${inc.peakRequests} successful requests in ${o.windowMinutes} min against a threshold of ${Math.round(inc.requestThreshold)} (${basis})`;
      }
      if (inc.totalBytes >= o.criticalBytes) {
        severity = maxSeverity(severity, 'critical');
        reason = `${fmtBytes(inc.totalBytes)} left in one incident (critical at ${fmtBytes(o.criticalBytes)}); ${reason}`;
      }
      if (earlierDays >= o.recurringDays) {
        severity = 'low';
        reason = `lowered: a like volume left at this hour on ${earlierDays} earlier days, a scheduled job (allow-list it, or give a baseline file); ${reason}`;
      }
      const exportPart = inc.exportRequests > 0 ? `, ${inc.exportRequests} export/bulk requests` : '';
      // Where the data went: the first thing a responder asks after how much. The same IP as the
      // evidence's first (topCounts); IPs are counted up to 50, so 50 reads as "at least".
      const ips = topCounts(inc.ips, 5);
      const top = Object.keys(ips)[0];
      const wherePart =
        top === undefined || actorName(actor) === `IP ${top}`
          ? ''
          : inc.ips.size === 1
            ? ` from ${top}`
            : ` from ${inc.ips.size >= 50 ? 'at least 50' : inc.ips.size} IPs (most from ${top})`;
      ctx.report({
        rule: 'data-exfiltration',
        severity,
        title: 'Unusual data volume (exfiltration)',
        subject: subjectOfActor(actor),
        start: inc.start,
        end: inc.end,
        summary: `${actorName(actor)} received ${fmtBytes(inc.totalBytes)} in ${inc.requests} requests over ${fmtDuration(inc.end - inc.start)}${wherePart}${exportPart}; ${
          !inc.bytesHot && inc.trigger === 'requests'
            ? `peak ${inc.peakRequests} requests per ${o.windowMinutes} min against a threshold of ${Math.round(inc.requestThreshold)}`
            : `peak ${fmtBytes(inc.peakBytes)} per ${o.windowMinutes} min against a threshold of ${fmtBytes(inc.threshold)}${
                // The floor, not the history, set it: "(baseline)" alone would read as their own p99.
                inc.threshold > o.minBytes ? '' : inc.mode === 'no-history' ? ' (the minBytes floor)' : ' (the minBytes floor; their history alone would allow less)'
              }`
        } (${inc.mode}).`,
        severityReason: reason,
        evidence: {
          metrics: {
            totalBytes: inc.totalBytes,
            peakBytesPerWindow: inc.peakBytes,
            requests: inc.requests,
            exportRequests: inc.exportRequests,
            peakExportRequestsPerWindow: inc.peakExport,
            peakRequestsPerWindow: inc.peakRequests,
            requestsWithoutBytes: inc.noBytes,
            windowMinutes: o.windowMinutes,
            baseline: inc.mode,
            historyHours: inc.historyHours,
            medianBytesPerActiveHour: inc.median,
            trigger: inc.trigger,
          },
          thresholds: { bytesPerWindow: Math.round(inc.threshold), exportRequestsPerWindow: Math.round(inc.exportThreshold), requestsPerWindow: Math.round(inc.requestThreshold), minBytes: o.minBytes, criticalBytes: o.criticalBytes },
          samples: inc.samples.list(),
          routes: topCounts(inc.routes, 5),
          ips,
        },
      });
    }

    function largeResponse(e: EnrichedEvent, bytes: number): void {
      let r = routeSizes.get(e.template);
      if (!r) {
        if (routeSizes.size >= 20_000) routeSizes.clear();
        routeSizes.set(e.template, (r = { xs: [], pos: 0 }));
      }
      // The route's median is only needed for the rare response above the absolute size.
      const enough = r.xs.length >= 20;
      const med = enough && bytes >= o.largeResponseBytes ? median(r.xs) : NaN;
      if (bytes >= o.largeResponseBytes && (enough ? bytes >= o.largeResponseFactor * Math.max(med, 1) : bytes >= 2 * o.largeResponseBytes)) {
        ctx.report({
          rule: 'data-exfiltration',
          severity: 'medium',
          title: 'Oversized response',
          subject: { ...subjectOfActor(e.actor), route: e.template },
          start: e.ts,
          end: e.ts,
          summary: `${actorName(e.actor)} received a single ${fmtBytes(bytes)} response from ${e.method ?? ''} ${e.template}${enough ? `, ${Math.round(bytes / Math.max(med, 1))} times the route's median of ${fmtBytes(med)}` : ''}.`,
          severityReason: 'one response far larger than the route usually returns (API4: missing page-size limit, or a bulk dump)',
          evidence: {
            metrics: { bytes, routeMedianBytes: enough ? Math.round(med) : null },
            thresholds: { largeResponseBytes: o.largeResponseBytes, largeResponseFactor: o.largeResponseFactor },
            samples: [sampleOf(e)],
          },
        });
      }
      if (r.xs.length < 256) r.xs.push(bytes);
      else {
        r.xs[r.pos] = bytes;
        r.pos = (r.pos + 1) % 256;
      }
    }

    return {
      event(e) {
        actors.sweep(e.ts);
        open?.sweep(e.ts);
        if (e.status !== undefined && e.status >= 400) return;
        if (m.health(e.template) || allowlisted(m, e)) return;
        const now = e.ts;
        const bytes = e.bytesOut ?? 0;
        if (e.bytesOut !== undefined) sawBytes = true;
        const exp = m.export(e.template) ? 1 : 0;
        const s =
          actors.find(e.actor, now) ??
          actors.add(e.actor, now, {
            q: new NumberQueue(3), routesQ: new TimeQueue(), ipsQ: new TimeQueue(), bytes: 0, requests: 0, exportRequests: 0, hour: Math.floor(now / HOUR), hourBytes: 0, hourExport: 0, hourHot: false,
            history: new NumberQueue(3), hourRequests: 0, thr: null, incident: null,
          });
        const hour = Math.floor(now / HOUR);
        if (hour !== s.hour) {
          closeHour(s);
          s.hour = hour;
        }
        s.hourBytes += bytes;
        s.hourExport += exp;
        s.hourRequests++;
        const cutoff = now - windowMs;
        const q = s.q;
        while (q.size > 0 && q.first(TS) < cutoff) {
          s.bytes -= q.first(BYTES);
          s.requests--;
          s.exportRequests -= q.first(EXP);
          q.shift();
          s.routesQ.shift();
          s.ipsQ.shift();
        }
        q.push(now, bytes, exp);
        s.routesQ.push(now, e.template);
        s.ipsQ.push(now, e.ip);
        s.bytes += bytes;
        s.requests++;
        s.exportRequests += exp;
        if (bytes > 0) largeResponse(e, bytes);

        let inc = s.incident;
        // Every threshold is at least the absolute floors, so most events need no statistics at all.
        if (!inc && s.bytes <= o.minBytes && s.exportRequests <= o.exportMinRequests && s.requests <= o.requestMinPerWindow) return;
        const t = thresholds(e.actor, s);
        const hotBytes = s.bytes > t.bytes;
        const hotExport = s.exportRequests > t.exp;
        const hotRequests = s.requests > t.req;
        if (inc && now > inc.lastHot + windowMs && !hotBytes && !hotExport && !hotRequests) {
          emit(e.actor, inc);
          s.incident = inc = null;
        }
        if (inc) {
          open?.touch(e.actor, now, () => s);
          if (now > inc.end) inc.end = now;
          if (now < inc.start) inc.start = now;
          inc.requests++;
          inc.totalBytes += bytes;
          inc.exportRequests += exp;
          if (e.bytesOut === undefined) inc.noBytes++;
          bump(inc.routes, e.template, bytes || 1, 200);
          if (e.ip) bump(inc.ips, e.ip, 1, 50);
          inc.samples.add(e);
          if ((hotBytes || hotExport || hotRequests) && now > inc.lastHot) inc.lastHot = now;
          if (s.requests > inc.peakRequests) inc.peakRequests = s.requests;
          if (hotBytes) inc.bytesHot = true;
          if (s.bytes > inc.peakBytes) inc.peakBytes = s.bytes;
          if (s.exportRequests > inc.peakExport) inc.peakExport = s.exportRequests;
          if (inc.mode !== 'no-history' || inc.peakBytes >= o.noHistoryBytes) s.hourHot = true;
        } else if (hotBytes || hotExport || hotRequests) {
          if (t.mode === 'no-history' || t.mode === 'short-history') judgedWithout.add(e.actor);
          inc = {
            start: q.first(TS), end: now, lastHot: now, peakBytes: s.bytes, peakExport: s.exportRequests, totalBytes: 0, requests: 0, exportRequests: 0, noBytes: 0,
            routes: new Map(), ips: new Map(), samples: new Samples(), mode: t.mode, threshold: t.bytes, exportThreshold: t.exp, median: t.median,
            historyHours: s.history.size, trigger: hotBytes ? 'bytes' : hotExport ? 'export requests' : 'requests',
            peakRequests: s.requests, requestThreshold: t.req, bytesHot: hotBytes,
          };
          // The window so far, this request included.
          for (let i = 0; i < q.size; i++) {
            const b = q.at(i, BYTES);
            inc.totalBytes += b;
            inc.requests++;
            inc.exportRequests += q.at(i, EXP);
            bump(inc.routes, s.routesQ.at(i), b || 1, 200);
            const ip = s.ipsQ.at(i);
            if (ip) bump(inc.ips, ip, 1, 50);
          }
          inc.samples.add(e);
          s.incident = inc;
          open?.touch(e.actor, now, () => s);
          // A peer-only finding (no history, below the fixed threshold) may be this actor's normal work:
          // the hour still joins their history so the same volume tomorrow is compared with it.
          s.hourHot = !(t.mode === 'no-history' && s.bytes < o.noHistoryBytes);
        }
      },
      end() {
        if (!sawBytes) ctx.note('no response sizes (bytesOut) in the input: only request counts were judged');
        if (judgedWithout.size > 0) ctx.note(`baseline insufficient for ${judgedWithout.size} actor(s): fixed and peer thresholds used, at lower severity`);
      },
    };
  },
};
