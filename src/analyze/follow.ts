/**
 * The live runner behind `apilog analyze --follow`: inputs that keep growing are read as they grow
 * (src/ingest/follow.ts), mapped and merged by event time, and fed through the same enrich -> detect
 * pipeline as a batch run. Alerts are handed out as they fire, masked like every report record.
 *
 * Timing. Events reach the detectors through the pipeline's reorder buffer (rules.latenessMs past
 * the newest event, as in batch mode), and detectors report an incident when it closes in event
 * time. When no input arrives for `graceMs` of wall-clock time, the pipeline is advanced to
 * max(newest event time, now - latenessMs): the buffer is emptied and keyed state idle at that time
 * expires, so the incidents that closed are reported without waiting for the next event. For input
 * whose timestamps follow the clock, an alert therefore comes at most the detector's incident gap
 * plus latenessMs (plus an eighth of the gap, the sweep granularity, and one poll) after the last
 * event of the incident; for input with past timestamps (a replayed or historical file), the first
 * quiet period of `graceMs` closes every open incident, as the end of a batch run does.
 *
 * Incidents. The pipeline merges alerts of one rule and subject at the end of a batch run; here an
 * alert that merges with one already handed out is handed out again, merged, under the same id
 * (`A3` then `A3` again): the last line with an id is the incident as it now stands.
 */
import type { Readable } from 'node:stream';
import { expandInputs, type InputSource } from '../ingest/index.js';
import { followFile, followStream, type Follower } from '../ingest/follow.js';
import type { IngestIssue, RawRecord } from '../ingest/types.js';
import { createNormaliser, type FileNormaliser } from '../normalise/index.js';
import type { ApiEvent } from '../normalise/event.js';
import { createEnricher } from '../enrich/index.js';
import { createPipeline } from '../detect/index.js';
import { mergeAlerts, subjectKey } from '../detect/merge.js';
import { accountKey, correlate, LATER_STAGE_RULES, linkKey, TAKEOVER_RULES, takeoverSignals } from '../detect/correlate.js';
import { severityRank, type Alert } from '../detect/types.js';
import { createStatsCollector } from '../stats/index.js';
import type { AlertRecord, SummaryRecord } from '../report/records.js';
import { isUnreadable } from './events.js';
import { maskSecrets, maskSummary, withFingerprint } from './mask.js';
import { UsageError, ruleSelected, type AnalyzeOptions } from './options.js';
import { prepare } from './consumers.js';
import { createIssueLog } from './issues.js';
import { hopBehindNote, onePrivatePeer, publicForwarderNote, toAlertRecords } from './run.js';
import { buildSummary, fileSummary, finishRun, trafficTables } from './summary.js';
import { createMapSuggester } from './map-suggestions.js';

const TAKEOVER_RULE_SET: ReadonlySet<string> = new Set(TAKEOVER_RULES);

export interface FollowSettings {
  /** Wall-clock quiet time after which the event clock is advanced (default 5 s). */
  graceMs: number;
  /** How often the inputs are looked at for growth (default 250 ms). */
  pollMs: number;
  /** Read files from their start (their history too) or from their current end. */
  from: 'start' | 'end';
}

export const DEFAULT_FOLLOW: FollowSettings = { graceMs: 5000, pollMs: 250, from: 'start' };

export interface FollowHooks {
  /** An alert as it fires (masked, filtered by --min-severity/--only/--skip); an update repeats its id. */
  onAlert: (a: AlertRecord) => void;
  /** Every ingest or mapping issue, as it happens. */
  onIssue?: (i: IngestIssue) => void;
  /** Rotations and truncations of followed files. */
  onNote?: (message: string) => void;
  /** Stop following: read what is there, close the open incidents, and return the summary. */
  signal: AbortSignal;
  /** Wall clock (tests). */
  now?: () => number;
  /** stdin (tests give their own stream). */
  stdin?: Readable;
}

export interface FollowResult {
  /** The summary, `partial` when the run was stopped rather than reaching the end of its inputs. */
  summary: SummaryRecord;
  /** As in batch mode (0, 1 for --fail-on, 3 for unreadable input); the CLI uses 130/143 after a signal. */
  exitCode: number;
  /** Alert records handed out, each incident once, as it last stood. */
  alerts: AlertRecord[];
}

interface Input {
  source: InputSource;
  follower: Follower;
  normaliser: FileNormaliser;
  queue: ApiEvent[];
  head: number;
}

interface Incident {
  id: string;
  alert: Alert;
  parts: number;
  record: AlertRecord | null;
  /** The record as last written, but for its count of merged parts (see handOut). */
  written?: string;
}

export async function follow(opts: AnalyzeOptions, settings: FollowSettings, hooks: FollowHooks): Promise<FollowResult> {
  const clock = hooks.now ?? Date.now;
  const signal = hooks.signal;
  const { rules, detectors, geo, baseline, ...setup } = await prepare(opts);
  const notes: string[] = [...setup.notes];
  const log = createIssueLog(opts.strict, hooks.onIssue);
  const onIssue = log.onIssue;
  const failIfStrict = log.failIfStrict;

  const expanded = await expandInputs(opts.inputs, { include: opts.include, exclude: opts.exclude, keepMissing: hooks.onNote !== undefined });
  for (const i of expanded.issues) onIssue(i);
  if (expanded.sources.length === 0 && !expanded.issues.some((i) => isUnreadable(i.kind))) {
    throw new UsageError('no input files matched (check the paths and --include/--exclude)');
  }
  const inputs: Input[] = expanded.sources.map((source) => ({
    source,
    follower:
      source.kind === 'stdin'
        ? followStream(hooks.stdin ?? process.stdin, source.path || '-', opts.limits, onIssue)
        : followFile(source.path, opts.limits, onIssue, { from: settings.from, ...(hooks.onNote ? { onNote: hooks.onNote } : {}) }),
    normaliser: createNormaliser({ file: source.path, format: opts.logFormat, map: opts.map, inputTz: opts.inputTz, ...(rules.trustedProxies ? { trustedProxies: rules.trustedProxies } : {}) }, onIssue),
    queue: [],
    head: 0,
  }));

  // Live incidents: merged per rule and subject as the pipeline merges them at the end.
  const incidents: Incident[] = [];
  const groups = new Map<string, Incident[]>();
  const reported: Alert[] = [];
  const enrich = createEnricher(rules);
  const pipeline = createPipeline({
    detectors,
    rules,
    geo,
    ...(baseline ? { baseline } : {}),
    only: opts.only,
    skip: opts.skip,
    onAlert: (a) => reported.push(a),
    // Merged here as they come (incidents below); the pipeline need not keep them for end().
    keepAlerts: false,
    live: true,
  });
  const gapFor = (rule: string): number => pipeline.mergeGapMs?.(rule) ?? 10 * 60_000;
  const shown = (r: AlertRecord): boolean => severityRank(r.severity) >= severityRank(opts.minSeverity) && ruleSelected(r.rule, opts);
  /**
   * The incident as said: a later-stage alert linked to the takeovers handed out so far (as a batch
   * run links it, detect/correlate.ts), with their ids. `inc.alert` stays as the detectors said it,
   * so that a link is judged afresh, not stacked, each time the incident or a takeover changes.
   */
  const linkedRecord = (inc: Incident): AlertRecord => {
    const base = { ...toAlertRecords([inc.alert])[0]!, id: inc.id };
    if (!LATER_STAGE_RULES.has(inc.alert.rule) || inc.alert.subject.user === undefined) return base;
    const signs = incidents.filter((i) => i !== inc && TAKEOVER_RULE_SET.has(i.alert.rule)).map((i) => i.alert);
    if (signs.length === 0) return base;
    const linked = correlate([...signs, inc.alert], { windowHours: rules.takeoverWindowHours, tz: opts.tz }).at(-1)!;
    if (linked.related === undefined) return base;
    const related: NonNullable<AlertRecord['related']> = [];
    for (const l of linked.related) {
      const sign = incidents.find((i) => linkKey(i.alert) === linkKey(l));
      if (sign !== undefined && !related.some((r) => r.id === sign.id)) related.push({ id: sign.id, relation: l.relation });
    }
    return { ...base, severity: linked.severity, severityReason: linked.severityReason, ...(related.length > 0 ? { related } : {}) };
  };
  const handOut = (inc: Incident): void => {
    const rec = withFingerprint(maskSecrets(linkedRecord(inc)));
    inc.record = rec;
    // A detector that said an incident early (a takeover, live) says it again when it closes: a
    // line that would differ only in its count of merged parts tells the reader nothing new.
    const { mergedAlerts: _parts, ...evidence } = rec.evidence;
    const text = JSON.stringify({ ...rec, evidence });
    if (text === inc.written) return;
    inc.written = text;
    if (shown(rec)) hooks.onAlert(rec);
  };
  const takeAlerts = (stopped = false): void => {
    const signs: Alert[] = [];
    for (let a of reported.splice(0)) {
      if (TAKEOVER_RULE_SET.has(a.rule)) signs.push(a);
      // Stopped (Ctrl-C) while an incident could still be running by the clock: the detectors
      // close it because the run ends, not because it is over, so it is said to be open, and its
      // summary (a detector's closing words, "no success observed") says as of when.
      const gap = gapFor(a.rule);
      if (stopped && a.evidence.open !== true && Number.isFinite(gap) && clock() - a.end <= gap) {
        a = { ...a, summary: `${a.summary} (as of the stop: following ended while this may still be under way)`, evidence: { ...a.evidence, open: true } };
      }
      // An incident said while under way (evidence.open: a running brute force) is worth a line
      // only while it can still be running: replayed history closes at the next quiet period anyway.
      const open = a.evidence.open === true;
      if (open && clock() - a.end > gap) continue;
      const key = `${a.rule}\u0001${subjectKey(a.subject)}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      const inc = group.find((i) => a.start <= i.alert.end + gap && i.alert.start <= a.end + gap);
      if (inc) {
        const merged = mergeAlerts([inc.alert, a], () => gap);
        if (merged.length === 1) {
          // A line said while the incident was under way is the same incident, not another part.
          if (!open && inc.alert.evidence.open !== true) inc.parts++;
          const { mergedAlerts: _count, ...evidence } = merged[0]!.evidence;
          inc.alert = { ...merged[0]!, evidence: inc.parts > 1 ? { ...evidence, mergedAlerts: inc.parts } : evidence };
          handOut(inc);
          continue;
        }
      }
      const fresh: Incident = { id: `A${incidents.length + 1}`, alert: a, parts: 1, record: null };
      incidents.push(fresh);
      group.push(fresh);
      handOut(fresh);
    }
    // A takeover said after a later-stage incident of its account: that incident is linked now (a
    // line is written only when it changes). Only the accounts these signs name are looked at.
    if (signs.length > 0) {
      const accounts = new Set(takeoverSignals(signs).map((t) => accountKey(t.account)));
      for (const inc of incidents) {
        const user = inc.alert.subject.user;
        if (user !== undefined && LATER_STAGE_RULES.has(inc.alert.rule) && accounts.has(accountKey(user))) handOut(inc);
      }
    }
  };

  const stats = createStatsCollector();
  const { from, to } = opts;
  let events = 0;
  let newest = -Infinity;
  const feed = (e: ApiEvent): void => {
    if ((from !== undefined && e.ts < from) || (to !== undefined && e.ts > to)) return;
    const en = enrich(e);
    stats.add(en);
    pipeline.push(en);
    events++;
    if (e.ts > newest) newest = e.ts;
  };
  const map = (input: Input, records: RawRecord[]): void => {
    for (const r of records) input.normaliser.push(r, input.queue);
  };
  /**
   * Merge the inputs' queued events by time, as far as it is safe: an input that has more to read
   * but nothing queued may hold earlier events, so the merge waits for it; an input that is caught
   * up does not hold the others back.
   */
  const mergeQueued = (all: boolean): void => {
    for (;;) {
      let best: Input | null = null;
      for (const input of inputs) {
        if (input.head >= input.queue.length) {
          if (!all && !input.follower.caughtUp && !input.follower.ended) return;
          continue;
        }
        if (!best || input.queue[input.head]!.ts < best.queue[best.head]!.ts) best = input;
      }
      if (!best) return;
      feed(best.queue[best.head++]!);
      if (best.head >= best.queue.length) {
        best.queue = [];
        best.head = 0;
      }
    }
  };

  let partial = false;
  let lastInput = clock();
  let lastAdvance = -Infinity;
  try {
    // At least one pass, even when stopped at once: it opens the files and reads what one poll reads
    // (4 MiB a file), which the end below then analyses; a follower that never polled held nothing.
    do {
      let got = 0;
      for (const input of inputs) {
        if (input.head < input.queue.length) continue;
        const records = await input.follower.poll();
        got += records.length;
        map(input, records);
        if (records.length === 0 && input.follower.caughtUp) {
          // Nothing more for now: decide what still waits for more input (the encoding sniff, the
          // format vote), as a batch run decides at the end of a short file.
          const settled = input.follower.settle();
          got += settled.length;
          map(input, settled);
          input.normaliser.settle?.(input.queue);
        }
      }
      mergeQueued(false);
      failIfStrict();
      takeAlerts();
      if (inputs.every((i) => i.follower.ended && i.head >= i.queue.length)) break; // stdin at its end, gzip only
      const t = clock();
      if (got > 0 || inputs.some((i) => !i.follower.caughtUp)) {
        lastInput = t;
        // more to read: no pause
        if (inputs.some((i) => !i.follower.caughtUp)) continue;
      } else if (t - lastInput >= settings.graceMs && t - lastAdvance >= settings.graceMs) {
        // Quiet for the grace period (and then once per grace period): event time runs on with the
        // wall clock, held back by the lateness as the reorder buffer holds events back.
        lastAdvance = t;
        mergeQueued(true);
        pipeline.advance?.(Math.max(newest, t - rules.latenessMs));
        takeAlerts();
      }
      await sleep(settings.pollMs, signal);
    } while (!signal.aborted);
    partial = signal.aborted;

    // The end: what is left in the inputs, then the pipeline's end (open incidents close).
    for (const input of inputs) {
      map(input, await input.follower.close());
      input.normaliser.flush(input.queue);
    }
    mergeQueued(true);
    failIfStrict();
  } finally {
    // Also after an error (--strict): release the files. Closing twice is harmless.
    for (const input of inputs) await input.follower.close().catch(() => undefined);
  }
  const detected = pipeline.end();
  takeAlerts(partial);
  notes.push(...detected.notes);
  if (settings.from === 'end') notes.push('--follow-from end: the files were read from where they ended when following started');

  // Statuses count the incidents handed out, as the batch run counts merged alerts; a detector found
  // unavailable at the end (a field no event carried) has its alerts left out, as in batch mode.
  const detectorOf = (rule: string): string => (rule.startsWith('sigma:') ? 'sigma' : rule);
  const perDetector = new Map<string, number>();
  for (const inc of incidents) perDetector.set(detectorOf(inc.alert.rule), (perDetector.get(detectorOf(inc.alert.rule)) ?? 0) + 1);
  const ran = new Set(detected.statuses.filter((s) => s.status === 'ran').map((s) => s.id));
  for (const s of detected.statuses) if (s.status === 'ran') s.alerts = perDetector.get(s.id) ?? 0;
  const all = incidents.filter((i) => ran.has(detectorOf(i.alert.rule))).map((i) => i.record!);
  const shownAlerts = all.filter(shown);

  const traffic = trafficTables(stats, all, opts.tz, geo);
  // What the batch run says of the callers, said here too: a follower watches the same gateways.
  const proxied = onePrivatePeer(traffic, events);
  if (proxied !== undefined) notes.push(proxied);
  const forwardedFor = publicForwarderNote(inputs.map((i) => i.normaliser.publicForwarders));
  if (forwardedFor !== undefined) notes.push(forwardedFor);
  const behind = hopBehindNote(inputs.map((i) => i.normaliser.hopsBehind));
  if (behind !== undefined) notes.push(behind);
  const suggest = createMapSuggester({ map: opts.map, inputTz: opts.inputTz, trustedProxies: rules.trustedProxies });
  const files = inputs.map((i) => fileSummary(i.source.path, i.follower.stats, i.normaliser, suggest));
  // What --fail-on judges and the summary counts: every alert of the selected rules, whatever
  // --min-severity hides from the report (a display filter must not open a CI gate).
  const gated = all.filter((a) => ruleSelected(a.rule, opts));
  const summary = buildSummary({
    partial,
    events,
    traffic,
    files,
    issues: log.listed,
    issuesTotal: log.total(),
    detectors: detected.statuses,
    alerts: gated,
    entries: { flagged: 0, written: 0 },
    baseline: baseline ? { origin: 'file', path: opts.baselinePath } : { origin: 'none' },
    evictedActors: detected.evictedActors ?? 0,
    notes,
  });
  const exitCode = finishRun(summary, { gated, ...(opts.failOn ? { failOn: opts.failOn } : {}), failOnEmpty: opts.failOnEmpty === true, unreadable: log.unreadable() });
  return { summary: maskSummary(summary), exitCode, alerts: shownAlerts };
}

/** Wait `ms`, or less when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
