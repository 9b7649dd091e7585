/**
 * One analysis run: ingest -> normalise -> (merge by time) -> enrich -> detect / checklist / stats
 * -> records for the reporter. Knows the order of the stages, nothing about their insides.
 */
import { expandInputs, type InputSource } from '../ingest/index.js';
import type { IngestIssue } from '../ingest/types.js';
import { createEnricher, createGeoLookup } from '../enrich/index.js';
import { loadRules } from '../rules/index.js';
import { builtinDetectors, createPipeline } from '../detect/index.js';
import { severityRank, type Alert, type Detector, type Severity, SEVERITIES } from '../detect/types.js';
import { createChecklist } from '../checklist/index.js';
import { createBaselineLearner, loadBaseline } from '../baseline/index.js';
import type { Baseline } from '../baseline/types.js';
import { createStatsCollector } from '../stats/index.js';
import {
  SCHEMA_VERSION,
  type AlertRecord,
  type DetectorStatus,
  type EntryRecord,
  type FileSummary,
  type SummaryRecord,
} from '../report/records.js';
import { openEventStream, isUnreadable } from './events.js';
import { maskSecrets } from './mask.js';
import { readEvents } from './sources.js';
import { InputError, UsageError, type AnalyzeOptions } from './options.js';
import { VERSION } from '../version.js';

export interface AnalyzeResult {
  summary: SummaryRecord;
  alerts: AlertRecord[];
  entries: EntryRecord[];
  /** Exit code the CLI should use (0, 1 for --fail-on, 3 for unreadable input / strict). */
  exitCode: number;
}

export interface RunHooks {
  /** Progress: bytes read and events analysed so far. */
  onProgress?: (bytes: number, events: number) => void;
  /** Total size when known (for ETA). */
  onTotalBytes?: (bytes: number) => void;
  /** Every ingest or mapping issue, as it happens (the CLI names unreadable inputs on stderr). */
  onIssue?: (i: IngestIssue) => void;
  /** Aborted from a signal handler: stop reading (even mid-wait on stdin) and report what was read. */
  signal?: AbortSignal;
}

const MAX_ISSUES_LISTED = 50;

export async function analyze(opts: AnalyzeOptions, hooks: RunHooks = {}): Promise<AnalyzeResult> {
  const rules = loadRules(opts.rulesPaths);
  const detectors: Detector[] = [...builtinDetectors];
  const notes: string[] = [];
  if (opts.sigmaPaths.length > 0) {
    // Loaded only when asked for: most runs use no Sigma rules of the user's own.
    const { loadSigmaRules, createSigmaDetector } = await import('../sigma/index.js');
    const sigma = loadSigmaRules(opts.sigmaPaths);
    for (const r of sigma.rejected) {
      notes.push(`sigma rule not run: ${r.file}${r.id ? ` (${r.id})` : ''}: ${r.reason}`);
    }
    if (sigma.rules.length > 0) detectors.push(createSigmaDetector(sigma.rules));
  }
  checkRuleIds([...opts.only, ...opts.skip], detectors);
  const givenBaseline: Baseline | undefined = opts.baselinePath ? loadBaseline(opts.baselinePath) : undefined;
  const geo = createGeoLookup({ dbPath: opts.geoipDb });

  // Inputs
  const issues: IngestIssue[] = [];
  let issuesTotal = 0;
  let unreadable = 0;
  const onIssue = (i: IngestIssue): void => {
    issuesTotal++;
    hooks.onIssue?.(i);
    if (isUnreadable(i.kind)) unreadable++;
    if (issues.length < MAX_ISSUES_LISTED) issues.push(i);
    // Stages report issues through callbacks that must not throw; --strict stops the run from the main loop.
    if (opts.strict && !isUnreadable(i.kind) && !strictFailure) strictFailure = i;
  };
  let strictFailure: IngestIssue | undefined;
  const failIfStrict = (): void => {
    if (strictFailure) {
      const i = strictFailure;
      throw new InputError(`${i.file}${i.line ? `:${i.line}` : ''}: ${i.message} (--strict makes malformed input fatal)`);
    }
  };
  const expanded = await expandInputs(opts.inputs, { include: opts.include, exclude: opts.exclude });
  hooks.onTotalBytes?.(expanded.sources.reduce((n, s) => n + (s.size ?? 0), 0));
  const range = await resolveTimeRange(opts, expanded.sources);
  const input = await openEventStream({ ...opts, ...range }, onIssue, expanded);
  const sources = input.sources;
  const done = input.results;

  // Stages after the merge: synchronous per event.
  const enrich = createEnricher(rules);
  const pipeline = opts.detect
    ? createPipeline({ detectors, rules, geo, baseline: givenBaseline, only: opts.only, skip: opts.skip })
    : undefined;
  const checklist =
    opts.detect && opts.entries !== 'none'
      ? createChecklist({ rules, geo, baseline: givenBaseline, tz: opts.tz, keepAll: opts.entries === 'all' })
      : undefined;
  // With no baseline file, the checklist judges "fit with known behaviour" against one learned from
  // the input itself; nothing else reads it, so it is learned only when there are entries to judge.
  const learner = checklist && !givenBaseline ? createBaselineLearner({ geo, origin: 'input' }) : undefined;
  const stats = createStatsCollector();

  let events = 0;
  let partial = false;
  for (;;) {
    const next = await nextOrInterrupted(input.batches, hooks.signal);
    if (next === 'interrupted') {
      partial = true;
      break;
    }
    if (next.done) break;
    const batch = next.value;
    for (const raw of batch) {
      const e = enrich(raw);
      stats.add(e);
      learner?.add(e);
      pipeline?.push(e);
      checklist?.add(e);
    }
    failIfStrict();
    events += batch.length;
    hooks.onProgress?.(input.bytesRead(), events);
  }

  failIfStrict();
  const detected = pipeline
    ? pipeline.end()
    : { alerts: [] as Alert[], statuses: [] as DetectorStatus[], notes: [] as string[], evictedActors: 0 };
  notes.push(...detected.notes);
  const droppedEntries = checklist?.droppedCount() ?? 0;
  if (droppedEntries > 0) {
    notes.push(`per-entry findings: ${droppedEntries} notable entries beyond the kept maximum were counted but not written (the most severe are kept)`);
  }
  const checklistEvicted = checklist?.evictedActors() ?? 0;
  if (checklistEvicted > 0) {
    notes.push(`per-entry checklist: the state of ${checklistEvicted} idle actors was dropped at the tracking cap`);
  }
  const allAlerts = toAlertRecords(detected.alerts);
  const shownAlerts = allAlerts.filter(
    (a) => severityRank(a.severity) >= severityRank(opts.minSeverity) && ruleSelected(a.rule, opts),
  );

  const learned = learner?.finish();
  const entries = checklist ? checklist.finish(allAlerts, learned) : [];
  const shownEntries = entries.filter((e) => severityRank(e.severity) >= severityRank(opts.minSeverity));

  const alertsByActor = new Map<string, number>();
  for (const a of allAlerts) {
    for (const key of subjectKeys(a)) alertsByActor.set(key, (alertsByActor.get(key) ?? 0) + 1);
  }
  const traffic = stats.result(alertsByActor, opts.tz, allAlerts.map((a) => Date.parse(a.start)));
  // Stats count the countries a log carries itself; for the rest, locate the actors' listed IPs.
  for (const a of traffic.actors) {
    if (a.countries.length > 0) continue;
    const found = new Set<string>();
    for (const ip of a.ips) {
      const c = geo(ip)?.country;
      if (c) found.add(c);
    }
    a.countries = [...found].sort();
  }

  const files: FileSummary[] = [];
  for (const s of sources) {
    const r = done.get(s.path);
    if (!r) continue;
    const det = r.normaliser.detection();
    files.push({
      path: s.path,
      format: det?.format ?? 'unknown',
      confidence: det?.confidence ?? 0,
      container: r.stats.container,
      gzip: r.stats.gzip,
      events: r.normaliser.events,
      malformed: r.stats.malformed,
      skipped: { ...r.stats.skipped, ...r.normaliser.skipped } as Record<string, number>,
      missingFields: r.normaliser.missingFields(),
    });
  }

  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byRule: Record<string, number> = {};
  for (const a of shownAlerts) {
    bySeverity[a.severity]++;
    byRule[a.rule] = (byRule[a.rule] ?? 0) + 1;
  }

  const summary: SummaryRecord = {
    type: 'summary',
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'apilog', version: VERSION },
    partial,
    events,
    timeSpan: traffic.timeSpan,
    files,
    issues: issues.map((i) => ({ kind: i.kind, file: i.file, ...(i.line ? { line: i.line } : {}), message: i.message })),
    issuesTotal,
    detectors: detected.statuses,
    alerts: { total: shownAlerts.length, bySeverity, byRule },
    entries: { flagged: checklist?.flaggedCount() ?? 0, written: shownEntries.length },
    baseline: givenBaseline
      ? { origin: 'file', path: opts.baselinePath }
      : { origin: learned ? 'input' : 'none' },
    actors: traffic.actors,
    topRoutes: traffic.topRoutes,
    statuses: traffic.statuses,
    topIps: traffic.topIps,
    busiestWindows: traffic.busiestWindows,
    timeline: traffic.timeline,
    evictedActors: detected.evictedActors ?? 0,
    notes,
  };
  if (events === 0 && files.length > 0) {
    notes.push('no events were read: check `apilog formats detect <file>` to see how the input maps');
  }

  let exitCode = 0;
  // Input that was there but gave no event is no clean result: say so and fail like unreadable input.
  const unmappable = files.filter((f) => f.events === 0 && (f.malformed > 0 || Object.values(f.skipped).some((n) => n > 0)));
  if (events === 0 && unmappable.length > 0) {
    notes.push('no events could be mapped from the input: nothing was analysed (see `apilog formats detect <file>`)');
    exitCode = 3;
  }
  if (opts.failOn && shownAlerts.some((a) => severityRank(a.severity) >= severityRank(opts.failOn!))) exitCode = 1;
  if (unreadable > 0) exitCode = 3;
  // Everything below quotes log content: mask any secret in it before a reporter sees it.
  return {
    summary: maskSecrets(summary),
    alerts: shownAlerts.map(maskSecrets),
    entries: opts.entries === 'none' ? [] : shownEntries.map(maskSecrets),
    exitCode,
  };
}

function ruleSelected(rule: string, opts: AnalyzeOptions): boolean {
  if (opts.only.length > 0 && !opts.only.some((r) => matchesRule(rule, r))) return false;
  return !opts.skip.some((r) => matchesRule(rule, r));
}

/** "sigma" selects every sigma rule; otherwise exact ids. */
function matchesRule(rule: string, pattern: string): boolean {
  return rule === pattern || (pattern === 'sigma' && rule.startsWith('sigma:'));
}

function subjectKeys(a: AlertRecord): string[] {
  const keys: string[] = [];
  if (a.subject.user) keys.push(`user:${a.subject.user}`);
  if (a.subject.apiKey) keys.push(`key:${a.subject.apiKey}`);
  if (a.subject.ip) keys.push(`ip:${a.subject.ip}`);
  return keys;
}

/** Most severe first, then earliest; ids A1, A2... in that order. */
export function toAlertRecords(alerts: Alert[]): AlertRecord[] {
  const sorted = [...alerts].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.start - b.start || a.rule.localeCompare(b.rule),
  );
  return sorted.map((a, i) => ({
    type: 'alert',
    id: `A${i + 1}`,
    rule: a.rule,
    severity: a.severity,
    title: a.title,
    subject: a.subject,
    start: new Date(a.start).toISOString(),
    end: new Date(a.end).toISOString(),
    summary: a.summary,
    severityReason: a.severityReason,
    evidence: a.evidence,
    references: a.references ?? [],
    ...(a.sigma ? { sigma: a.sigma } : {}),
  }));
}

/**
 * --since is relative to the last event of the input; finding it costs one extra pass over the
 * input (ingest and normalise only). With --since-now it is relative to the clock instead.
 */
async function resolveTimeRange(
  opts: AnalyzeOptions,
  sources: InputSource[],
): Promise<{ from?: number; to?: number }> {
  let from = opts.from;
  const to = opts.to;
  if (opts.sinceMs !== undefined) {
    let anchor: number;
    if (opts.sinceNow) {
      anchor = Date.now();
    } else {
      if (sources.some((s) => s.kind === 'stdin')) {
        throw new UsageError('--since on stdin needs --since-now (stdin cannot be read twice to find the last event)');
      }
      anchor = await lastEventTime(opts, sources);
    }
    const since = anchor - opts.sinceMs;
    from = from === undefined ? since : Math.max(from, since);
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

async function lastEventTime(opts: AnalyzeOptions, sources: InputSource[]): Promise<number> {
  let last = -Infinity;
  for (const s of sources) {
    for await (const batch of readEvents(s, { limits: opts.limits, logFormat: opts.logFormat, map: opts.map }, () => undefined, () => undefined)) {
      for (const e of batch) if (e.ts > last) last = e.ts;
    }
  }
  return Number.isFinite(last) ? last : Date.now();
}

/** --only/--skip name rules that exist: a typo must not pass as "no alerts". */
function checkRuleIds(ids: string[], detectors: Detector[]): void {
  const known = new Set(detectors.map((d) => d.meta.id));
  for (const id of ids) {
    if (known.has(id) || id === 'sigma' || id.startsWith('sigma:')) continue;
    throw new UsageError(`--only/--skip: unknown rule "${id}"; known rules: ${[...known].join(', ')}, sigma, sigma:<rule id>`);
  }
}

/**
 * The next batch, or 'interrupted' as soon as the signal aborts: stdin may never send more. The
 * abort listener lives for one wait only. (Racing every wait against one long-lived promise would
 * leave a reaction on it per batch, each holding its batch: the whole input, in memory.)
 */
function nextOrInterrupted<T>(it: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T> | 'interrupted'> {
  if (!signal) return it.next();
  if (signal.aborted) return Promise.resolve('interrupted');
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve('interrupted');
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
