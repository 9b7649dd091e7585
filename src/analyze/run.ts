/**
 * One analysis run: ingest -> normalise -> (merge by time) -> enrich -> detect / checklist / stats
 * -> records for the reporter. Knows the order of the stages, nothing about their insides.
 */
import { expandInputs, type InputSource } from '../ingest/index.js';
import type { IngestIssue } from '../ingest/types.js';
import type { PipelineResult } from '../detect/index.js';
import { severityRank, type Alert, type Detector } from '../detect/types.js';
import type { AlertRecord, EntryRecord, FileSummary, SummaryRecord } from '../report/records.js';
import { openEventStream } from './events.js';
import { combineDetected, createConsumers, prepare, WHOLE_LANE, type LaneFinished, type LaneSpec } from './consumers.js';
import { planLanes, startLane } from './lanes.js';
import { createIssueLog } from './issues.js';
import { maskSecrets } from './mask.js';
import { buildSummary, fileSummary, finishRun } from './summary.js';
import { readEvents, readableOnce } from './sources.js';
import { UsageError, ruleSelected, type AnalyzeOptions } from './options.js';

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

/** Below this much input, a second thread costs more (start-up, rules, GeoIP) than it saves. */
const MIN_BYTES_PER_EXTRA_THREAD = 16 * 1024 * 1024;

export async function analyze(opts: AnalyzeOptions, hooks: RunHooks = {}): Promise<AnalyzeResult> {
  const setup = await prepare(opts);
  const { detectors } = setup;
  const notes: string[] = [...setup.notes];
  const givenBaseline = setup.baseline;

  // Inputs
  const log = createIssueLog(opts.strict, hooks.onIssue);
  const expanded = await expandInputs(opts.inputs, { include: opts.include, exclude: opts.exclude, dropIdentical: true });
  for (const d of expanded.identical) notes.push(`${d.path} has the same content as ${d.sameAs}: read once`);
  const totalBytes = expanded.sources.reduce((n, s) => n + (s.size ?? 0), 0);
  hooks.onTotalBytes?.(totalBytes);
  const range = await resolveTimeRange(opts, expanded.sources);
  const input = await openEventStream({ ...opts, ...range }, log.onIssue, expanded);
  const sources = input.sources;
  const done = input.results;

  // The consumers after the merge run here, or shared out between threads (--threads). The local
  // lane is set up first: a mistake in the rules then stops the run before any thread starts.
  const specs = lanesFor(opts, detectors, expanded.sources, totalBytes);
  const local = createConsumers(setup, specs[0]!, opts);
  const remote = specs.slice(1).map((spec) => startLane({ opts, spec, sources: expanded.sources, range }));
  // A lane that fails stops the run at the next batch, not after the whole input.
  let laneFailure: unknown = null;
  for (const r of remote) r.detected.catch((err: unknown) => (laneFailure ??= err));
  let partial = false;
  // Stopped while waiting for the other lanes too: they report what they have read.
  const onAbort = (): void => {
    partial = true;
    remote.forEach((r) => r.abort());
  };
  if (remote.length > 0) hooks.signal?.addEventListener('abort', onAbort, { once: true });

  let events = 0;
  let detected: PipelineResult;
  let allAlerts: AlertRecord[];
  let finished: LaneFinished[];
  try {
    for (;;) {
      const next = await nextOrInterrupted(input.batches, hooks.signal);
      if (next === 'interrupted') {
        onAbort();
        break;
      }
      if (next.done) break;
      const batch = next.value;
      for (const e of batch) local.add(e);
      log.failIfStrict();
      if (laneFailure) throw laneFailure;
      events += batch.length;
      hooks.onProgress?.(input.bytesRead(), events);
    }
    log.failIfStrict();
    detected = combineDetected([local.detected(), ...(await Promise.all(remote.map((r) => r.detected)))], detectors);
    notes.push(...detected.notes);
    allAlerts = toAlertRecords(detected.alerts);
    // The other threads' results first, and their heaps let go, before this thread builds the
    // entries (the largest allocation at the end of a run): with every thread still at its fullest,
    // that is where a run's memory peaked.
    const remoteFinished = await Promise.all(remote.map((r) => r.finish(allAlerts)));
    remote.forEach((r) => r.terminate());
    finished = [local.finish(allAlerts), ...remoteFinished];
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    remote.forEach((r) => r.terminate());
  }
  const shownAlerts = allAlerts.filter(
    (a) => severityRank(a.severity) >= severityRank(opts.minSeverity) && ruleSelected(a.rule, opts),
  );
  const checklist = finished.find((f) => f.checklist)?.checklist ?? null;
  const traffic = finished.find((f) => f.traffic)!.traffic!;
  if (checklist && checklist.dropped > 0) {
    notes.push(`per-entry findings: ${checklist.dropped} notable entries beyond the kept maximum were counted but not written (the most severe are kept)`);
  }
  if (checklist && checklist.evicted > 0) {
    notes.push(`per-entry checklist: the state of ${checklist.evicted} idle actors was dropped at the tracking cap`);
  }
  const entries = checklist?.entries ?? [];
  const shownEntries = entries.filter((e) => severityRank(e.severity) >= severityRank(opts.minSeverity));

  const files: FileSummary[] = [];
  for (const s of sources) {
    const r = done.get(s.path);
    if (r) files.push(fileSummary(s.path, r.stats, r.normaliser));
  }

  const summary = buildSummary({
    partial,
    events,
    traffic,
    files,
    issues: log.listed,
    issuesTotal: log.total(),
    detectors: detected.statuses,
    shownAlerts,
    entries: { flagged: checklist?.flagged ?? 0, written: shownEntries.length },
    baseline: givenBaseline ? { origin: 'file', path: opts.baselinePath } : { origin: checklist?.learned ? 'input' : 'none' },
    evictedActors: detected.evictedActors,
    notes,
  });
  const exitCode = finishRun(summary, { shownAlerts, ...(opts.failOn ? { failOn: opts.failOn } : {}), unreadable: log.unreadable() });
  // Everything below quotes log content: mask any secret in it before a reporter sees it.
  return {
    summary: maskSecrets(summary),
    alerts: shownAlerts.map(maskSecrets),
    entries: opts.entries === 'none' ? [] : shownEntries.map(maskSecrets),
    exitCode,
  };
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
 * The lanes of this run: one (everything on this thread) unless --threads allows more and the input
 * is worth it. Sources that can be read only once (stdin, pipes) cannot be read by several threads.
 */
function lanesFor(opts: AnalyzeOptions, detectors: Detector[], sources: InputSource[], totalBytes: number): LaneSpec[] {
  const threads = opts.threads ?? 1;
  const worthIt = opts.threadsExplicit === true || totalBytes >= MIN_BYTES_PER_EXTRA_THREAD;
  if (threads <= 1 || !opts.detect || !worthIt || sources.length === 0 || sources.some(readableOnce)) return [WHOLE_LANE];
  const running = (id: string): boolean => ruleSelected(id, opts);
  return planLanes(threads, detectors.map((d) => d.meta.id), running, opts.entries !== 'none');
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
      const once = sources.find(readableOnce);
      if (once) {
        const what = once.kind === 'stdin' ? 'stdin' : `${once.path} (not a regular file)`;
        throw new UsageError(`--since on ${what} needs --since-now (a pipe cannot be read twice to find the last event)`);
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
