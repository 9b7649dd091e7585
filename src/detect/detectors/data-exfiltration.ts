/**
 * data-exfiltration (API3/API4/API6): response bytes and export-route requests per actor in a sliding
 * hour, against the actor's own history (median/MAD of earlier active hours, or the baseline), with an
 * absolute floor. Too little history is said so, and the actor is compared with peers or fixed
 * thresholds at lower severity. Single responses far larger than the route's usual are reported too.
 */
import type { EnrichedEvent } from '../../enrich/types.js';
import { severityRank, type Detector, type EvidenceSample, type Severity } from '../types.js';
import { keyedState, liveIncidents } from '../state.js';
import { allowlisted, ruleMatchers } from '../util/rules.js';
import { actorName, bump, fmtBytes, fmtDuration, maxSeverity, sampleOf, Samples, subjectOfActor, topCounts } from '../util/evidence.js';
import { mad, median, quantile } from '../util/stats.js';
import { ItemQueue, NumberQueue } from '../util/queue.js';
import { QuietWindows, quietSlack } from '../util/quiet-windows.js';
import { H_BYTES, H_EXPORTS, H_REQUESTS, HourHistory } from '../util/hour-history.js';
import { capSamples } from '../merge.js';

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
  /**
   * Sustained tier: at least this many elevated hours of one actor, each at most sustainedStepHours
   * after the last...
   */
  sustainedMinHours: number;
  /** ...totalling at least this many bytes, is an incident even when no window reached minBytes. */
  sustainedMinBytes: number;
  /** An hour is elevated above this many bytes... */
  sustainedHourBytes: number;
  /** ...and above this many times the actor's usual (median) active hour and their p95 hour. */
  sustainedFactor: number;
  /** Elevated hours at most this many hours apart are one run (1: strictly consecutive; 2: one hour between). */
  sustainedStepHours: number;
  /** A sustained incident of at least this many bytes is high (otherwise medium). */
  sustainedHighBytes: number;
};

/** The actor's usual hour, as the sustained tier judges an hour by. */
interface HourJudge {
  /** Bytes above which the hour is elevated. */
  thr: number;
  /** The actor's usual (median) active hour. */
  usual: number;
  mode: 'history' | 'baseline';
  historyHours: number;
}

/** Evidence of an elevated hour, from its crossing of the threshold on. */
interface HourEvidence {
  samples: Samples;
  routes: Map<string, number>;
  ips: Map<string, number>;
}

/** A run of elevated hours of one actor (the sustained tier). */
interface Streak {
  /** Hour index (ms / 1 h) of the first and the last elevated hour. */
  firstHour: number;
  lastHour: number;
  /** First and last request of the run (widened by the per-window incidents it took in). */
  start: number;
  end: number;
  hours: number;
  /** Elevated hours that were also part of a per-window incident. */
  hotHours: number;
  bytes: number;
  requests: number;
  exportRequests: number;
  minHour: number;
  maxHour: number;
  /** Bytes of each elevated hour (the first 48). */
  hourly: number[];
  judge: HourJudge;
  /** The elevated hours kept out of the history until the run is judged (null once it qualified). */
  pending: NumberQueue | null;
  /** Per-window incidents of the same hours, and the highest severity they were reported at. */
  windowAlerts: number;
  windowSeverity: Severity | null;
  head: EvidenceSample[];
  tail: EvidenceSample[];
  routes: Map<string, number>;
  ips: Map<string, number>;
}

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
/** Columns of ActorState.refs. */
const ROUTE = 0;
const IP = 1;

interface ActorState {
  /** The window's requests: time, response bytes, 1 for an export route (no object per request). */
  q: NumberQueue;
  /**
   * The route template and IP of each of q's requests, in step with it (interned strings, so a
   * reference each; one array for both, the times being q's): an incident counts the window from
   * its start, and its breakdown by route and IP must cover the same requests as its totals.
   */
  refs: ItemQueue<string | undefined>;
  bytes: number;
  requests: number;
  exportRequests: number;
  hour: number;
  hourBytes: number;
  hourExport: number;
  hourHot: boolean;
  /** Earlier active hours (not hot ones, the last historyHours): bytes, export requests, requests. */
  history: HourHistory;
  hourRequests: number;
  thr: { mode: Mode; bytes: number; exp: number; req: number; median: number | null } | null;
  incident: Incident | null;
  /** First request of the current hour, and the latest request. */
  hourFirst: number;
  lastTs: number;
  /** Sustained tier: the current hour's judge (undefined: not needed yet; null: no usual hour to judge by). */
  hourJudge: HourJudge | null | undefined;
  /** The current hour's evidence once it is elevated. */
  hourEv: HourEvidence | null;
  /** The run of elevated hours under way, and one that ended at this request's hour change. */
  streak: Streak | null;
  doneStreak: Streak | null;
}

const HOUR = 3_600_000;
const DAY_MS = 24 * HOUR;
/** A run that has not qualified after this many elevated hours is let go (its hours join the history). */
const MAX_PENDING_HOURS = 24;

/** "2025-03-12 09:00–17:00 UTC": the clock hours from `firstHour` to the end of `lastHour`. */
function hourSpan(firstHour: number, lastHour: number): string {
  const a = new Date(firstHour * HOUR).toISOString();
  const b = new Date((lastHour + 1) * HOUR).toISOString();
  const end = b.slice(0, 10) === a.slice(0, 10) ? b.slice(11, 16) : `${b.slice(0, 10)} ${b.slice(11, 16)}`;
  return `${a.slice(0, 10)} ${a.slice(11, 16)}–${end} UTC`;
}

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
    readsRecord: false,
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
      sustainedMinHours: 4,
      sustainedMinBytes: 200 * 1024 * 1024,
      sustainedHourBytes: 10 * 1024 * 1024,
      sustainedFactor: 5,
      sustainedStepHours: 2,
      sustainedHighBytes: 512 * 1024 * 1024,
    },
    // Without response sizes, record counts (requests) are still judged; a note says so.
    requires: { anyOf: ['bytesOut', 'path', 'action'] },
    unavailableImpact: 'data volume per actor cannot be judged',
    mergeGapMs: (o) => o.windowMinutes * 60_000,
    checkOption(key, value) {
      // Counts of clock hours: a fraction would read as a finer step than the hourly history has.
      if ((key === 'sustainedMinHours' || key === 'sustainedStepHours') && !Number.isInteger(value)) {
        return { problem: `expected a whole number of hours, got ${JSON.stringify(value)}` };
      }
      return null;
    },
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
    function recurring(actor: string, start: number, totalBytes: number): number {
      const day = Math.floor(start / DAY_MS);
      const hour = new Date(start).getUTCHours();
      let past = pastIncidents.get(actor);
      if (past === undefined) {
        if (pastIncidents.size >= 50_000) pastIncidents.delete(pastIncidents.keys().next().value!);
        pastIncidents.set(actor, (past = []));
      }
      const days = new Set<number>();
      for (const x of past) {
        const dh = Math.abs(x.hour - hour);
        if (x.day < day && Math.min(dh, 24 - dh) <= 1 && totalBytes <= 2 * x.bytes && x.bytes <= 2 * totalBytes) days.add(x.day);
      }
      if (past.length >= 30) past.shift();
      past.push({ day, hour, bytes: totalBytes });
      return days.size;
    }
    let sawBytes = false;

    const actors = keyedState<ActorState>(ctx, {
      idleMs: 30 * 24 * HOUR,
      onRemove: (k, s) => {
        // The hour under way ends the actor's run of elevated hours (if any) first, so the
        // per-window incident's severity is known to the run before it is judged. (Only then: the
        // last hour of other actors is left out of the history and the peers, as it always was.)
        if (s.streak !== null || s.hourEv !== null) closeHour(s, Infinity);
        if (s.incident) emit(k, s.incident, s);
        s.incident = null;
        finishDone(k, s);
        windowed.delete(s);
      },
    });

    // Live, an export is alerted once its actor has been quiet for the window (see liveIncidents).
    const open = liveIncidents<ActorState>(ctx, windowMs, (k, s) => {
      if (s.incident) emit(k, s.incident, s);
      s.incident = null;
    });
    // Live, a run of elevated hours is judged once no later hour can continue it.
    const openRuns = liveIncidents<ActorState>(ctx, (o.sustainedStepHours + 1) * HOUR, (k, s) => {
      closeHour(s, Infinity);
      finishDone(k, s);
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

    function addHistory(s: ActorState, bytes: number, exp: number, requests: number): void {
      s.history.push(bytes, exp, requests);
      if (peers.length < 5000) peers.push(bytes);
      else {
        peers[peerPos] = bytes;
        peerPos = (peerPos + 1) % 5000;
      }
      peerDirty++;
    }

    /**
     * The sustained tier's measure of an hour: elevated above sustainedFactor x the actor's usual
     * (median) active hour, their p95 hour (the baseline's p99) and sustainedHourBytes. Null
     * without a usual hour: fewer than minHistoryHours earlier hours and no baseline.
     */
    function hourJudge(actor: string, s: ActorState): HourJudge | null {
      const bl = ctx.baseline?.actors[actor]?.bytesPerHour;
      if (bl && bl.median > 0) return { thr: Math.max(o.sustainedHourBytes, o.sustainedFactor * bl.median, bl.p99), usual: bl.median, mode: 'baseline', historyHours: s.history.size };
      const n = s.history.size;
      if (n < o.minHistoryHours) return null;
      const xs = s.history.column(H_BYTES).sort((a, b) => a - b);
      const med = median(xs);
      return { thr: Math.max(o.sustainedHourBytes, o.sustainedFactor * med, quantile(xs, 0.95)), usual: med, mode: 'history', historyHours: n };
    }

    /**
     * The end of the clock hour s.hour (`next` is the hour of the request that ends it). An active
     * hour joins the history unless it was part of an incident; an elevated hour (sustained tier)
     * extends the actor's run of them instead, kept out of the history until the run is judged.
     * A run that `next` cannot continue moves to doneStreak, judged once the request is through.
     */
    function closeHour(s: ActorState, next: number): void {
      const active = s.hourBytes > 0 || s.hourExport > 0;
      const j = s.hourJudge;
      if (active && j && s.hourBytes > j.thr) {
        let st = s.streak;
        if (st && st.pending !== null && st.hours >= MAX_PENDING_HOURS) {
          // A slow run that never totals sustainedMinBytes: its hours are ordinary after all.
          release(st, s);
          st = s.streak = null;
        }
        const ev = s.hourEv;
        const list = ev ? ev.samples.list() : [];
        if (!st) {
          st = s.streak = {
            firstHour: s.hour, lastHour: s.hour, start: s.hourFirst, end: s.lastTs, hours: 0, hotHours: 0, bytes: 0, requests: 0, exportRequests: 0,
            minHour: Infinity, maxHour: 0, hourly: [], judge: j, pending: new NumberQueue(3), windowAlerts: 0, windowSeverity: null,
            head: list.slice(0, 5), tail: [], routes: new Map(), ips: new Map(),
          };
        }
        st.lastHour = s.hour;
        st.end = Math.max(st.end, s.lastTs);
        st.hours++;
        if (s.hourHot) st.hotHours++;
        st.bytes += s.hourBytes;
        st.requests += s.hourRequests;
        st.exportRequests += s.hourExport;
        st.minHour = Math.min(st.minHour, s.hourBytes);
        st.maxHour = Math.max(st.maxHour, s.hourBytes);
        if (st.hourly.length < 48) st.hourly.push(s.hourBytes);
        st.judge = j;
        st.tail = list;
        if (ev) {
          for (const [k, v] of ev.routes) bump(st.routes, k, v, 200);
          for (const [k, v] of ev.ips) bump(st.ips, k, v, 50);
        }
        if (st.pending !== null) {
          if (st.hours >= o.sustainedMinHours && st.bytes >= o.sustainedMinBytes) st.pending = null; // an incident: its hours are no history
          else if (!s.hourHot) st.pending.push(s.hourBytes, s.hourExport, s.hourRequests);
        }
      } else if (active && !s.hourHot) addHistory(s, s.hourBytes, s.hourExport, s.hourRequests);
      if (active) s.thr = null;
      if (s.streak && next - s.streak.lastHour > o.sustainedStepHours) {
        s.doneStreak = s.streak;
        s.streak = null;
      }
      s.hourBytes = 0;
      s.hourExport = 0;
      s.hourRequests = 0;
      s.hourHot = false;
      s.hourJudge = undefined;
      s.hourEv = null;
    }

    /** A run that is no incident after all: its held-back hours join the history. */
    function release(st: Streak, s: ActorState): void {
      const p = st.pending;
      if (p) for (let i = 0; i < p.size; i++) addHistory(s, p.at(i, H_BYTES), p.at(i, H_EXPORTS), p.at(i, H_REQUESTS));
      st.pending = null;
    }

    /** Judge the run that ended (if any), after the per-window tier has seen the request. */
    function finishDone(actor: string, s: ActorState): void {
      const st = s.doneStreak;
      if (st === null) return;
      s.doneStreak = null;
      const qualifies = st.hours >= o.sustainedMinHours && st.bytes >= o.sustainedMinBytes;
      // Every hour of it inside one per-window incident: that alert already tells it.
      const covered = st.hotHours === st.hours && st.windowAlerts <= 1;
      if (qualifies && !covered) emitSustained(actor, st);
      else release(st, s);
    }

    function emit(actor: string, inc: Incident, s?: ActorState): void {
      let severity: Severity;
      let reason: string;
      const earlierDays = recurring(actor, inc.start, inc.totalBytes);
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
      if (s) {
        // A run of elevated hours this incident is part of takes it in: the run's alert (if any) is
        // at least as severe and spans it, so the two merge into the run's.
        for (const st of [s.streak, s.doneStreak]) {
          if (st === null || inc.end < st.firstHour * HOUR || (st === s.doneStreak && inc.start >= (st.lastHour + 1) * HOUR)) continue;
          st.windowAlerts++;
          st.windowSeverity = st.windowSeverity === null ? severity : maxSeverity(st.windowSeverity, severity);
          st.start = Math.min(st.start, inc.start);
          st.end = Math.max(st.end, inc.end);
        }
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

    /** The sustained tier's alert: a run of elevated hours whose total is large. */
    function emitSustained(actor: string, st: Streak): void {
      const j = st.judge;
      const span = st.lastHour - st.firstHour + 1;
      const hoursPart = `${st.hours === span ? `${st.hours} hours in a row` : `${st.hours} of ${span} hours`} (${hourSpan(st.firstHour, st.lastHour)})`;
      const basis = j.mode === 'baseline' ? 'the learned baseline' : `${j.historyHours} earlier active hours`;
      let sens = 0;
      let all = 0;
      for (const [route, b] of st.routes) {
        all += b;
        if (m.export(route) || m.sensitive(route)) sens += b;
      }
      const sensShare = all > 0 ? sens / all : 0;
      let severity: Severity = 'medium';
      let reason = `${hoursPart}, each from ${fmtBytes(st.minHour)} to ${fmtBytes(st.maxHour)}, above ${fmtBytes(j.thr)} against a usual hour of ${fmtBytes(j.usual)} (${basis}): ${fmtBytes(st.bytes)} in all`;
      if (st.hotHours === 0) reason += `, though no ${o.windowMinutes}-min window was over its threshold`;
      const raised: string[] = [];
      if (st.bytes >= o.sustainedHighBytes) raised.push(`${fmtBytes(st.bytes)} is at least ${fmtBytes(o.sustainedHighBytes)}`);
      if (sensShare >= 0.5) raised.push(`${Math.round(sensShare * 100)}% of it from export or sensitive routes`);
      if (raised.length > 0) {
        severity = 'high';
        reason = `${raised.join(' and ')}; ${reason}`;
      }
      if (st.windowSeverity !== null && severityRank(st.windowSeverity) > severityRank(severity)) {
        severity = st.windowSeverity;
        reason = `${st.windowAlerts} ${o.windowMinutes}-min window incident(s) of these hours were ${st.windowSeverity}; ${reason}`;
      }
      if (st.bytes >= o.criticalBytes) {
        severity = maxSeverity(severity, 'critical');
        reason = `${fmtBytes(st.bytes)} left in one incident (critical at ${fmtBytes(o.criticalBytes)}); ${reason}`;
      }
      const earlierDays = recurring(actor, st.start, st.bytes);
      if (earlierDays >= o.recurringDays) {
        severity = 'low';
        reason = `lowered: a like volume left at this hour on ${earlierDays} earlier days, a scheduled job (allow-list it, or give a baseline file); ${reason}`;
      }
      const ips = topCounts(st.ips, 5);
      const top = Object.keys(ips)[0];
      const wherePart =
        top === undefined || actorName(actor) === `IP ${top}`
          ? ''
          : st.ips.size === 1
            ? ` from ${top}`
            : ` from ${st.ips.size >= 50 ? 'at least 50' : st.ips.size} IPs (most from ${top})`;
      const exportPart = st.exportRequests > 0 ? `, ${st.exportRequests} export/bulk requests` : '';
      ctx.report({
        rule: 'data-exfiltration',
        severity,
        title: 'Sustained data volume (exfiltration)',
        subject: subjectOfActor(actor),
        start: st.start,
        end: st.end,
        summary: `${actorName(actor)} received ${fmtBytes(st.bytes)} in ${st.requests} requests over ${hoursPart}${wherePart}${exportPart}; every one of those hours above ${fmtBytes(j.thr)}, ${o.sustainedFactor} times or more their usual hour of ${fmtBytes(j.usual)} (sustained, ${j.mode}).`,
        severityReason: reason,
        evidence: {
          metrics: {
            tier: 'sustained',
            totalBytes: st.bytes,
            requests: st.requests,
            exportRequests: st.exportRequests,
            elevatedHours: st.hours,
            spanHours: span,
            hoursInWindowIncidents: st.hotHours,
            windowIncidents: st.windowAlerts,
            minHourBytes: st.minHour,
            maxHourBytes: st.maxHour,
            hourlyBytes: st.hourly.map((b) => fmtBytes(b)).join(', ') + (st.hours > st.hourly.length ? ', …' : ''),
            usualHourBytes: j.usual,
            exportOrSensitiveShare: Math.round(sensShare * 100) / 100,
            baseline: j.mode,
            historyHours: j.historyHours,
          },
          thresholds: {
            hourBytes: Math.round(j.thr),
            sustainedMinHours: o.sustainedMinHours,
            sustainedMinBytes: o.sustainedMinBytes,
            sustainedHourBytes: o.sustainedHourBytes,
            sustainedFactor: o.sustainedFactor,
            sustainedHighBytes: o.sustainedHighBytes,
            criticalBytes: o.criticalBytes,
          },
          samples: capSamples([...st.head, ...st.tail]),
          routes: topCounts(st.routes, 5),
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

    /** Drop the window's requests before `cutoff`. */
    function slide(s: ActorState, cutoff: number): void {
      const q = s.q;
      while (q.size > 0 && q.first(TS) < cutoff) {
        s.bytes -= q.first(BYTES);
        s.requests--;
        s.exportRequests -= q.first(EXP);
        q.shift();
        s.refs.shift();
      }
    }

    // Actors live on for their hourly history: their windows are also slid on a timer (util/quiet-windows.ts).
    const windowed = new QuietWindows<ActorState>(
      windowMs,
      quietSlack(windowMs),
      (s, cutoff) => {
        slide(s, cutoff);
        return s.q.size === 0;
      },
      (s) => {
        s.q.release();
        s.refs.release();
      },
    );

    return {
      event(e) {
        actors.sweep(e.ts);
        open?.sweep(e.ts);
        windowed.trim(e.ts);
        if (e.status !== undefined && e.status >= 400) return;
        if (m.health(e.template) || allowlisted(m, e)) return;
        const now = e.ts;
        const bytes = e.bytesOut ?? 0;
        if (e.bytesOut !== undefined) sawBytes = true;
        const exp = m.export(e.template) ? 1 : 0;
        const s =
          actors.find(e.actor, now) ??
          actors.add(e.actor, now, {
            q: new NumberQueue(3), refs: new ItemQueue(2), bytes: 0, requests: 0, exportRequests: 0, hour: Math.floor(now / HOUR), hourBytes: 0, hourExport: 0, hourHot: false,
            history: new HourHistory(o.historyHours), hourRequests: 0, thr: null, incident: null,
            hourFirst: now, lastTs: now, hourJudge: undefined, hourEv: null, streak: null, doneStreak: null,
          });
        const hour = Math.floor(now / HOUR);
        if (hour !== s.hour) {
          closeHour(s, hour);
          s.hour = hour;
          s.hourFirst = now;
        }
        if (now > s.lastTs) s.lastTs = now;
        s.hourBytes += bytes;
        s.hourExport += exp;
        s.hourRequests++;
        // Sustained tier: an hour past sustainedHourBytes is measured against the actor's usual hour
        // (once an hour), and its requests from the crossing of the hour's threshold on are evidence.
        if (s.hourBytes >= o.sustainedHourBytes) {
          let j = s.hourJudge;
          if (j === undefined) j = s.hourJudge = hourJudge(e.actor, s);
          if (j !== null && s.hourBytes > j.thr) {
            let ev = s.hourEv;
            if (ev === null) ev = s.hourEv = { samples: new Samples(), routes: new Map(), ips: new Map() };
            ev.samples.add(e);
            bump(ev.routes, e.template, bytes || 1, 200);
            if (e.ip) bump(ev.ips, e.ip, 1, 50);
          }
        }
        if (openRuns && (s.streak !== null || s.hourEv !== null)) openRuns.touch(e.actor, now, () => s);
        slide(s, now - windowMs);
        const q = s.q;
        if (q.size === 0) windowed.add(s);
        q.push(now, bytes, exp);
        s.refs.push(e.template, e.ip);
        s.bytes += bytes;
        s.requests++;
        s.exportRequests += exp;
        if (bytes > 0) largeResponse(e, bytes);

        let inc = s.incident;
        // Every threshold is at least the absolute floors, so most events need no statistics at all.
        if (!inc && s.bytes <= o.minBytes && s.exportRequests <= o.exportMinRequests && s.requests <= o.requestMinPerWindow) {
          if (s.doneStreak !== null) finishDone(e.actor, s);
          return;
        }
        const t = thresholds(e.actor, s);
        const hotBytes = s.bytes > t.bytes;
        const hotExport = s.exportRequests > t.exp;
        const hotRequests = s.requests > t.req;
        if (inc && now > inc.lastHot + windowMs && !hotBytes && !hotExport && !hotRequests) {
          emit(e.actor, inc, s);
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
            bump(inc.routes, s.refs.at(i, ROUTE)!, b || 1, 200);
            const ip = s.refs.at(i, IP);
            if (ip) bump(inc.ips, ip, 1, 50);
          }
          inc.samples.add(e);
          s.incident = inc;
          open?.touch(e.actor, now, () => s);
          // A peer-only finding (no history, below the fixed threshold) may be this actor's normal work:
          // the hour still joins their history so the same volume tomorrow is compared with it.
          s.hourHot = !(t.mode === 'no-history' && s.bytes < o.noHistoryBytes);
        }
        if (s.doneStreak !== null) finishDone(e.actor, s);
      },
      end() {
        if (!sawBytes) ctx.note('no response sizes (bytesOut) in the input: only request counts were judged');
        if (judgedWithout.size > 0) ctx.note(`baseline insufficient for ${judgedWithout.size} actor(s): fixed and peer thresholds used, at lower severity`);
      },
    };
  },
};
