/**
 * One analysis run: ingest -> normalise -> (merge by time) -> enrich -> detect / checklist / stats
 * -> records for the reporter. Knows the order of the stages, nothing about their insides.
 */
import { expandInputs, iterate, openBytes, type InputSource } from '../ingest/index.js';
import type { IngestIssue } from '../ingest/types.js';
import type { ApiEvent } from '../normalise/event.js';
import type { PipelineResult } from '../detect/index.js';
import { severityRank, type Alert, type Detector, type Severity } from '../detect/types.js';
import { correlate, LATER_STAGE_RULES, linkKey, TAKEOVER_RULES } from '../detect/correlate.js';
import type { AlertRecord, EntryRecord, FileSummary, SummaryRecord } from '../report/records.js';
import { openEventStream, type EventStream } from './events.js';
import { forwardChannel, readAhead, replay, type ReadAhead } from './forward.js';
import { combineDetected, createConsumers, prepare, WHOLE_LANE, type LaneFinished, type LaneSpec } from './consumers.js';
import { planLanes, startLane, type RemoteLane } from './lanes.js';
import { createIssueLog } from './issues.js';
import { maskSecrets, maskSummary, withFingerprint } from './mask.js';
import { buildSummary, fileSummary, finishRun } from './summary.js';
import { readEvents, readableOnce } from './sources.js';
import { createMapSuggester } from './map-suggestions.js';
import { UsageError, ruleSelected, type AnalyzeOptions } from './options.js';
import { weekdayList, weekdaysCovered } from '../baseline/stats.js';
import { isProxyAddress, mostlyForwarding, type PublicForwarders } from '../normalise/forwarded.js';
import { MAX_REVERSED_EVENTS, type FileOrderVerdict } from './file-order.js';
import { createBusinessHours, keptForHoursOnly } from '../checklist/index.js';
import type { RuleSet } from '../rules/types.js';
import { readOnce } from '../util/read-once.js';

export interface AnalyzeResult {
  summary: SummaryRecord;
  alerts: AlertRecord[];
  /**
   * The per-entry findings, masked, made one at a time as they are read (the largest output of a
   * run is never held whole): read them once.
   */
  entries: Iterable<EntryRecord>;
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
  /** The number of threads the run uses, once decided (before the first event is analysed). */
  onThreads?: (threads: number) => void;
  /** Every batch of events this thread analyses (the whole input: each thread reads all of it). */
  onEvents?: (batch: readonly ApiEvent[]) => void;
  /** How long a pipe is read ahead at most (READ_AHEAD_MS): a test on a loaded machine gives its writer longer. */
  readAheadMs?: number;
}

/** Below this much input, a second thread costs more (start-up, rules, GeoIP) than it saves. */
const MIN_BYTES_PER_EXTRA_THREAD = 16 * 1024 * 1024;
/**
 * How long stdin or a pipe is read ahead, at most, to learn whether it holds that much: a
 * decompressing or copying pipe sends it in well under a second; a slower one (a download, a live
 * `tail`) is read on one thread.
 */
const READ_AHEAD_MS = 1_000;

export async function analyze(opts: AnalyzeOptions, hooks: RunHooks = {}): Promise<AnalyzeResult> {
  const setup = await prepare(opts);
  const { detectors } = setup;
  const notes: string[] = [...setup.notes];
  const givenBaseline = setup.baseline;
  const covered = givenBaseline ? weekdaysCovered(givenBaseline.period) : null;
  if (covered !== null) {
    notes.push(
      `the baseline covers only ${weekdayList(covered)} (UTC): on other weekdays "usual hour" is judged by the hour of day on those days; learn it from a week or more`,
    );
  }

  // Inputs
  const log = createIssueLog(opts.strict, hooks.onIssue);
  const expanded = await expandInputs(opts.inputs, {
    include: opts.include,
    exclude: opts.exclude,
    dropIdentical: true,
    ...(opts.outputFile !== undefined ? { skip: [opts.outputFile] } : {}),
  });
  for (const d of expanded.identical) notes.push(`${d.path} has the same content as ${d.sameAs}: read once`);
  const totalBytes = expanded.sources.reduce((n, s) => n + (s.size ?? 0), 0);
  hooks.onTotalBytes?.(totalBytes);
  const range = await resolveTimeRange(opts, expanded.sources, notes);
  // Inputs that cannot be read are named now, before a mistake in a detector's options stops the run.
  for (const i of expanded.issues) log.onIssue(i);
  // Stdin or a pipe is read here only; with more threads, its bytes are forwarded to them. Its size
  // is unknown, so some is read ahead first, to tell whether it is worth another thread.
  const piped = pipedSource(opts, expanded.sources);
  const wanted = opts.threadsExplicit ? 0 : Math.max(0, MIN_BYTES_PER_EXTRA_THREAD - totalBytes);
  const ahead = piped ? await readAhead(iterate(openBytes(piped)), wanted, hooks.readAheadMs ?? READ_AHEAD_MS, hooks.signal) : undefined;

  // The consumers after the merge run here, or shared out between threads (--threads). The local
  // lane is set up first: a mistake in the rules then stops the run before any thread starts.
  const specs = lanesFor(opts, detectors, expanded.sources, totalBytes, ahead);
  hooks.onThreads?.(specs.length);
  const local = createConsumers(setup, specs[0]!, opts);
  const channels = piped && specs.length > 1 ? specs.slice(1).map(() => forwardChannel()) : [];
  const forwarders = channels.map((c) => c.forwarder);
  const remote: RemoteLane[] = [];
  try {
    specs.slice(1).forEach((spec, i) => {
      const forwarded = piped && channels[i] ? { forwarded: { path: piped.path, port: channels[i].port } } : {};
      remote.push(startLane({ opts, spec, sources: expanded.sources, range, ...forwarded }));
    });
  } catch (err) {
    // A thread that cannot start: the ones started stop, or they would keep the process alive.
    remote.forEach((r) => r.terminate());
    forwarders.forEach((f) => f.close());
    throw err;
  }
  const streamOf = piped && ahead ? (s: InputSource) => (s === piped ? replay(ahead, forwarders) : undefined) : undefined;
  // A lane that fails stops the run at the next batch, not after the whole input.
  let laneFailure: unknown = null;
  for (const r of remote) {
    r.detected.catch((err: unknown) => {
      laneFailure ??= err;
      forwarders.forEach((f) => f.release());
    });
  }
  // Interrupted while reading ahead: the input is what was read ahead, analysed in full.
  let partial = ahead?.interrupted === true;
  const signal = partial ? undefined : hooks.signal;
  // Stopped while waiting for the other lanes too: they report what they have read.
  const onAbort = (): void => {
    partial = true;
    forwarders.forEach((f) => {
      f.end();
      f.release();
    });
    remote.forEach((r) => r.abort());
  };
  if (remote.length > 0) signal?.addEventListener('abort', onAbort, { once: true });

  let events = 0;
  let detected: PipelineResult;
  let allAlerts: AlertRecord[];
  let finished: LaneFinished[];
  let input: EventStream;
  try {
    const named = new Set(expanded.issues);
    const onIssue = (i: IngestIssue): void => (named.has(i) ? undefined : log.onIssue(i));
    // Opening waits for each source's first events (to merge them in time order): stdin that sends
    // nothing would hold an interrupt until the pipe closes.
    const opened = await settledOrInterrupted(openEventStream({ ...opts, ...range, ...(streamOf ? { streamOf } : {}), trustedProxies: setup.rules.trustedProxies ?? [] }, onIssue, expanded), signal);
    if (opened === 'interrupted') {
      onAbort();
      input = { sources: expanded.sources, results: new Map(), bytesRead: () => 0, batches: noBatches(), repeated: () => 0 };
    } else {
      input = opened;
    }
    for (;;) {
      const next = await nextOrInterrupted(input.batches, signal);
      if (next === 'interrupted') {
        onAbort();
        break;
      }
      if (next.done) break;
      const batch = next.value;
      hooks.onEvents?.(batch);
      for (const e of batch) local.add(e);
      log.failIfStrict();
      if (laneFailure) throw laneFailure;
      events += batch.length;
      hooks.onProgress?.(input.bytesRead(), events);
    }
    log.failIfStrict();
    detected = combineDetected([local.detected(), ...(await Promise.all(remote.map((r) => r.detected)))], detectors);
    // Alerts that are one incident: a later stage on an account just taken over is linked and raised.
    detected.alerts = correlate(detected.alerts, { windowHours: setup.rules.takeoverWindowHours, tz: opts.tz });
    const unlinked = takeoverRulesOff(detected.statuses);
    if (unlinked !== undefined) notes.push(unlinked);
    notes.push(...detected.notes);
    allAlerts = toAlertRecords(detected.alerts);
    // The other threads' results first, and their heaps let go, before this thread builds the
    // entries (the largest allocation at the end of a run): with every thread still at its fullest,
    // that is where a run's memory peaked.
    const remoteFinished = await Promise.all(remote.map((r) => r.finish(allAlerts)));
    remote.forEach((r) => r.terminate());
    finished = [local.finish(allAlerts), ...remoteFinished];
  } finally {
    signal?.removeEventListener('abort', onAbort);
    remote.forEach((r) => r.terminate());
    forwarders.forEach((f) => f.close());
  }
  const sources = input.sources;
  const done = input.results;
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
  // (With --min-severity above low, low findings are already left out: nothing to say.)
  const hoursOnly = checklist && severityRank(opts.minSeverity) <= severityRank('low') ? offHoursNote(checklist.entries.heads, setup.rules) : undefined;
  if (hoursOnly !== undefined) notes.push(hoursOnly);
  const proxied = onePrivatePeer(traffic, events);
  if (proxied !== undefined) notes.push(proxied);
  const forwardedFor = publicForwarderNote([...done.values()].map((r) => r.normaliser.publicForwarders));
  if (forwardedFor !== undefined) notes.push(forwardedFor);
  const behind = hopBehindNote([...done.values()].map((r) => r.normaliser.hopsBehind));
  if (behind !== undefined) notes.push(behind);
  notes.push(...orderNotes([...done.values()]));
  const shown = (e: { severity: Severity }): boolean => severityRank(e.severity) >= severityRank(opts.minSeverity);

  const files: FileSummary[] = [];
  const suggest = createMapSuggester({ map: opts.map, inputTz: opts.inputTz, trustedProxies: setup.rules.trustedProxies });
  for (const s of sources) {
    const r = done.get(s.path);
    if (r) files.push(fileSummary(s.path, r.stats, r.normaliser, suggest));
  }

  // What --fail-on judges and the summary counts: every alert of the selected rules, whatever
  // --min-severity hides from the report (a display filter must not open a CI gate).
  const gated = allAlerts.filter((a) => ruleSelected(a.rule, opts));
  const summary = buildSummary({
    partial,
    events,
    traffic,
    files,
    issues: log.listed,
    issuesTotal: log.total(),
    detectors: detected.statuses,
    alerts: gated,
    entries: { flagged: checklist?.flagged ?? 0, written: checklist?.entries.heads.filter(shown).length ?? 0 },
    baseline: givenBaseline ? { origin: 'file', path: opts.baselinePath } : { origin: checklist?.learned ? 'input' : 'none' },
    evictedActors: detected.evictedActors,
    notes,
  });
  const repeated = input.repeated();
  if (repeated > 0) {
    notes.push(`${repeated} record(s) repeated one already read (the same request id within 2 s: rotated files that overlap, or two layers logging one request) and were counted once`);
  }
  const exitCode = finishRun(summary, { gated, ...(opts.failOn ? { failOn: opts.failOn } : {}), failOnEmpty: opts.failOnEmpty === true, unreadable: log.unreadable(), repeated });
  // Everything below quotes log content: mask any secret in it before a reporter sees it.
  return {
    summary: maskSummary(summary),
    alerts: shownAlerts.map((a) => withFingerprint(maskSecrets(a))),
    entries: opts.entries === 'none' || !checklist ? [] : readOnce(masked(checklist.entries.records(shown)), 'entries'),
    exitCode,
  };
}

/** Each record masked as it is read. */
function* masked<T>(records: Iterable<T>): Generator<T> {
  for (const r of records) yield maskSecrets(r);
}

/**
 * Said when --only/--skip turned off a detector that finds account takeovers while a later-stage
 * one ran: the takeovers it would find raise nothing (detect/correlate.ts).
 */
function takeoverRulesOff(statuses: PipelineResult['statuses']): string | undefined {
  const status = (id: string): string | undefined => statuses.find((s) => s.id === id)?.status;
  const off = TAKEOVER_RULES.filter((id) => status(id) === 'disabled');
  if (off.length === 0 || ![...LATER_STAGE_RULES].some((id) => status(id) === 'ran')) return undefined;
  return `alerts are linked to account takeovers only as far as the detectors that find them ran: --only/--skip turned off ${off.join(', ')}`;
}

/**
 * Most severe first, then earliest; ids A1, A2... in that order. An alert's links to others (rule,
 * subject, start) become their ids; a link to an alert not among `alerts` is left out.
 */
export function toAlertRecords(alerts: Alert[]): AlertRecord[] {
  const sorted = [...alerts].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.start - b.start || a.rule.localeCompare(b.rule),
  );
  const idOf = new Map<string, string>();
  if (sorted.some((a) => a.related)) sorted.forEach((a, i) => idOf.set(linkKey(a), `A${i + 1}`));
  const relatedOf = (a: Alert): Pick<AlertRecord, 'related'> => {
    const out: NonNullable<AlertRecord['related']> = [];
    for (const l of a.related ?? []) {
      const id = idOf.get(linkKey(l));
      if (id !== undefined && !out.some((r) => r.id === id)) out.push({ id, relation: l.relation });
    }
    return out.length > 0 ? { related: out } : {};
  };
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
    ...relatedOf(a),
  }));
}

/**
 * The lanes of this run: one (everything on this thread) unless --threads allows more and the input
 * is worth it. A source that can be read only once (stdin, a pipe) is read by this thread alone,
 * which forwards its bytes to the others (pipedSource, forward.ts).
 */
function lanesFor(opts: AnalyzeOptions, detectors: Detector[], sources: InputSource[], totalBytes: number, ahead?: ReadAhead): LaneSpec[] {
  const threads = opts.threads ?? 1;
  const bytes = totalBytes + (ahead?.bytes ?? 0);
  const worthIt = opts.threadsExplicit === true || bytes >= MIN_BYTES_PER_EXTRA_THREAD;
  // A source read once is shared by forwarding it (pipedSource), which needs its read ahead.
  const shareable = !sources.some(readableOnce) || (ahead !== undefined && !ahead.interrupted);
  if (threads <= 1 || !opts.detect || !worthIt || sources.length === 0 || !shareable) return [WHOLE_LANE];
  const running = (id: string): boolean => ruleSelected(id, opts);
  return planLanes(threads, detectors.map((d) => d.meta.id), running, opts.entries !== 'none');
}

/**
 * The one source that only this thread can read (stdin, a pipe), when the run may use more threads
 * and forward its bytes to them. With several such sources the run keeps to one thread: forwarding
 * each in the order this thread's merge reads them could leave a lane waiting on one source while
 * this thread waits on the lane to take another.
 */
function pipedSource(opts: AnalyzeOptions, sources: InputSource[]): InputSource | undefined {
  if ((opts.threads ?? 1) <= 1 || !opts.detect) return undefined;
  const once = sources.filter(readableOnce);
  return once.length === 1 ? once[0] : undefined;
}

/**
 * --since is relative to the last event of the input; finding it costs one extra pass over the
 * input (ingest and normalise only). With --since-now it is relative to the clock instead.
 */
async function resolveTimeRange(
  opts: AnalyzeOptions,
  sources: InputSource[],
  notes: string[],
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
      const last = await lastEventTime(opts, sources);
      anchor = last.ts;
      if (last.future > 0) {
        notes.push(
          `${last.future} event(s) dated more than a day after the clock's time were not taken as the last event for --since (one forged line must not move the window past an incident); the last event before them was used`,
        );
      }
    }
    const since = anchor - opts.sinceMs;
    from = from === undefined ? since : Math.max(from, since);
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/**
 * Nearly every event of several users or keys from one private address: the log most likely records
 * the proxy in front of the application as the client, with no X-Forwarded-For to take the client
 * from (normalise takes it when there is one). Every per-IP finding then names the proxy: said
 * once, with the way out. (One unnamed caller, a kubelet's health probes, is no proxy.)
 */
export function onePrivatePeer(traffic: Pick<SummaryRecord, 'topIps' | 'actors'>, events: number): string | undefined {
  const top = traffic.topIps[0];
  if (top === undefined || events < 20 || top.count < 0.9 * events || !isProxyAddress(top.key)) return undefined;
  if (traffic.actors.filter((a) => !a.actor.startsWith('ip:')).length < 2) return undefined;
  const share = top.count === events ? 'all' : `${Math.floor((100 * top.count) / events)}%`;
  return `${share} of the events came from ${top.key}, a private address: most likely the proxy or load balancer in front of the application, so every per-IP finding names it, not the clients. If the log keeps the client's address in another field, name it with --map ip=<path> (an X-Forwarded-For header in the records is taken by itself)`;
}

/**
 * Most findings kept only for being outside business hours, with the shipped hours (Mon–Fri
 * 09:00–18:00 UTC): an API whose callers are customers, or people in other zones, keeps no office
 * hours, and a first run shows mostly that. Said once, with the ways to tune it.
 */
export function offHoursNote(entries: ReadonlyArray<{ severity: string; flags: readonly string[] }>, rules: RuleSet): string | undefined {
  const shipped = ['timezone', 'days', 'start', 'end'].every((k) => rules.origins[`businessHours.${k}`] === 'rules/defaults.yaml');
  if (!shipped || entries.length === 0) return undefined;
  const only = entries.filter(keptForHoursOnly).length;
  if (only < 20 || only * 2 < entries.length) return undefined;
  return `${only} of ${entries.length} findings are kept only for being outside business hours, which are the shipped default (${createBusinessHours(rules.businessHours).describe()}): if the API's callers are customers or work in other time zones, set businessHours in a --rules file (docs/checklist-and-baselines.md), or leave low findings out with --min-severity medium`;
}

/**
 * Most callers are public addresses whose records name another client in X-Forwarded-For: a CDN's
 * edges or a public load balancer in front (or clients writing the header). apilog keeps the
 * address that connected unless it is told the proxies: said once, with the way to tell it.
 */
export function publicForwarderNote(files: readonly PublicForwarders[]): string | undefined {
  const most = mostlyForwarding(files, 20);
  if (most === undefined) return undefined;
  const { checked, forwarding, example } = most;
  const share = forwarding === checked ? 'all' : `${Math.floor((100 * forwarding) / checked)}%`;
  return `${share} of ${checked} events looked at came from public addresses whose X-Forwarded-For names another client (${example.peer} for ${example.client}): a CDN or load balancer in front of the application, or clients writing the header themselves. apilog takes the address that connected, since a header the client wrote could name anyone; if those addresses are your proxies, list their ranges under trustedProxies in a --rules file (docs/formats.md, "Behind a proxy") and the client is taken from the header`;
}

/**
 * When the client taken from X-Forwarded-For mostly follows another public address there, it is
 * probably a load balancer in front of the proxy, not the client: every request then "comes from"
 * a handful of the provider's addresses, which blinds the per-IP detectors and names the wrong
 * address to block. Said, with the way out, rather than guessed: a client can write the header too.
 */
export function hopBehindNote(files: readonly PublicForwarders[]): string | undefined {
  const most = mostlyForwarding(files, 20);
  if (most === undefined) return undefined;
  // The addresses before the hop must recur, as clients making several requests each do: a client
  // that writes a made-up hop of its own into every request (to pass as many) writes a new one each time.
  const before = files.reduce((n, f) => n + (f.distinctBefore ?? 0), 0);
  if (before * 2 > most.forwarding) return undefined;
  const { checked, forwarding, example } = most;
  const share = forwarding === checked ? 'all' : `${Math.floor((100 * forwarding) / checked)}%`;
  return `${share} of ${checked} events whose client was taken from X-Forwarded-For had another public address before it in the header (${example.peer} after ${example.client}): ${example.peer} and its like are probably a load balancer or CDN in front of your proxy (Google's front ends, CloudFront, an Azure front door), and every request is then taken to come from them. If so, list their ranges under trustedProxies in a --rules file (docs/formats.md, "Behind a proxy"), and the address before them is taken; apilog does not guess, since a client can write the header itself`;
}

/** Files written newest first: read in reverse, or too long for that (src/analyze/file-order.ts); one note each way. */
function orderNotes(results: ReadonlyArray<{ source: InputSource; order: FileOrderVerdict; normaliser: { events: number } }>): string[] {
  const named = (files: typeof results): string => {
    const shown = files.slice(0, 3).map((r) => r.source.path).join(', ');
    return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown;
  };
  const notes: string[] = [];
  const reversed = results.filter((r) => r.order === 'reversed');
  if (reversed.length === 1) {
    notes.push(`${reversed[0]!.source.path} was written newest first (as exports from a SIEM or Log Analytics often are): its ${reversed[0]!.normaliser.events} events were read oldest first`);
  } else if (reversed.length > 1) {
    notes.push(`${reversed.length} files were written newest first (as exports from a SIEM or Log Analytics often are): ${named(reversed)}; their events were read oldest first`);
  }
  const long = results.filter((r) => r.order === 'newest-first-too-large');
  if (long.length > 0) {
    notes.push(
      `${named(long)} ${long.length === 1 ? 'is' : 'are'} written newest first, with more events than ${MAX_REVERSED_EVENTS} held at once can reverse in memory: analysed as written, so the detectors' windows, paces and id orders there are unreliable; sort oldest first and run again (NDJSON: tac FILE; a JSON array: jq -c 'sort_by(.TimeGenerated)[]' FILE, with its time field)`,
    );
  }
  return notes;
}

/** The last event's time, leaving out events dated in the future (counted): log lines can be forged. */
async function lastEventTime(opts: AnalyzeOptions, sources: InputSource[]): Promise<{ ts: number; future: number }> {
  const horizon = Date.now() + 86_400_000;
  let last = -Infinity;
  let future = 0;
  for (const s of sources) {
    for await (const batch of readEvents(s, { limits: opts.limits, logFormat: opts.logFormat, map: opts.map, inputTz: opts.inputTz }, () => undefined, () => undefined)) {
      for (const e of batch) {
        if (e.ts > horizon) future++;
        else if (e.ts > last) last = e.ts;
      }
    }
  }
  return { ts: Number.isFinite(last) ? last : Date.now(), future };
}


/**
 * A promise's value, or 'interrupted' as soon as the signal aborts (the promise is left to settle).
 * The abort listener lives for one wait only.
 */
function settledOrInterrupted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'interrupted'> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.resolve('interrupted');
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      p.catch(() => undefined);
      resolve('interrupted');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

async function* noBatches(): AsyncGenerator<ApiEvent[]> {
  // Interrupted before the input could be opened: nothing was read.
}

/**
 * The next batch, or 'interrupted' as soon as the signal aborts: stdin may never send more. The
 * abort listener lives for one wait only. (Racing every wait against one long-lived promise would
 * leave a reaction on it per batch, each holding its batch: the whole input, in memory.)
 */
function nextOrInterrupted<T>(it: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T> | 'interrupted'> {
  // Aborted already: no read is started.
  if (signal?.aborted === true) return Promise.resolve('interrupted');
  return settledOrInterrupted(it.next(), signal);
}
