/**
 * `apilog analyze --follow`: options -> follow() -> one ndjson line per alert as it fires, the
 * summary line at the end (Ctrl-C / SIGTERM, or the end of stdin).
 */
import { follow, DEFAULT_FOLLOW, type FollowSettings } from '../../analyze/follow.js';
import { UsageError, type AnalyzeOptions } from '../../analyze/options.js';
import { isUnreadable, skippedLines, unreadableMessage } from '../../analyze/events.js';
import type { IngestIssue } from '../../ingest/types.js';
import { listFormats } from '../../normalise/index.js';
import { openOutput } from '../../report/output.js';
import { safeJson, sanitize } from '../../report/sanitize.js';
import { parseDuration, parseList, parseSeverity, parseTimeRange } from '../parse.js';
import { exitWithError } from '../errors.js';
import { inputOptionsFrom } from './analyze.js';
import { arr, checkSigmaPaths, refuseInputAsOutput, str, type Opts } from './shared.js';
import { watchInterrupts } from '../interrupts.js';

/** Malformed lines named on stderr as they come; beyond this many, only counted. */
const ISSUES_SHOWN = 10;

/** Check the options that --follow changes or cannot honour; returns the live settings. */
export function followSettings(o: Opts, given: (option: string) => boolean): FollowSettings {
  if (o.follow !== true) {
    const stray = ['followGrace', 'followPoll', 'followFrom'].find(given);
    if (stray) throw new UsageError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies with --follow`);
  }
  const graceMs = parseDuration(str(o.followGrace) ?? '5s', '--follow-grace');
  const pollMs = parseDuration(str(o.followPoll) ?? '250ms', '--follow-poll');
  if (pollMs < 10) throw new UsageError(`--follow-poll: at least 10ms, got "${str(o.followPoll)}"`);
  const from = str(o.followFrom) ?? 'start';
  if (from !== 'start' && from !== 'end') throw new UsageError(`--follow-from: expected start or end, got "${from}"`);
  const format = str(o.format);
  if (given('format') && format !== 'ndjson' && !listFormats().some((f) => f.id === format)) {
    throw new UsageError(`--follow writes ndjson (each alert as it fires, the summary last): --format ${format} cannot be used with it`);
  }
  if (given('entries') && str(o.entries) !== 'none') {
    throw new UsageError('--entries: per-entry findings need the whole input; --follow writes alerts and the summary only');
  }
  if (given('csvOf')) throw new UsageError('--csv-of: --follow writes ndjson, not csv');
  if (str(o.since) && o.sinceNow !== true) {
    throw new UsageError('--since with --follow needs --since-now (followed input has no last event to count back from)');
  }
  return { ...DEFAULT_FOLLOW, graceMs, pollMs, from };
}

export async function followCommand(paths: string[], o: Opts, given: (option: string) => boolean): Promise<number> {
  const interrupts = watchInterrupts();
  try {
    const settings = followSettings(o, given);
    const base = inputOptionsFrom(paths, o);
    const format = str(o.format);
    // `--format kong` is an input format id, as in batch mode.
    if (given('format') && format !== 'ndjson' && format) base.logFormat = format;
    const opts: AnalyzeOptions = {
      ...base,
      sigmaPaths: arr(o.sigma),
      ...(str(o.baseline) ? { baselinePath: str(o.baseline) } : {}),
      ...parseTimeRange(str(o.from), str(o.to), base.tz),
      sinceNow: o.sinceNow === true,
      minSeverity: parseSeverity(str(o.minSeverity) ?? 'info', '--min-severity'),
      only: parseList(arr(o.only)),
      skip: parseList(arr(o.skip)),
      ...(str(o.failOn) ? { failOn: parseSeverity(str(o.failOn)!, '--fail-on') } : {}),
      entries: 'none',
      detect: true,
    };
    if (str(o.since)) {
      const since = Date.now() - parseDuration(str(o.since)!, '--since');
      opts.from = opts.from === undefined ? since : Math.max(opts.from, since);
    }
    checkSigmaPaths(opts.sigmaPaths);
    // Written live, so opened now: naming a followed log would empty it first.
    const target = str(o.output) === '-' ? undefined : str(o.output);
    if (target !== undefined) refuseInputAsOutput(target, paths);

    const out = await openOutput(str(o.output));
    const quiet = o.quiet === true;
    let problems = 0;
    let firstProblem: IngestIssue | undefined;
    const onIssue = (i: IngestIssue): void => {
      if (isUnreadable(i.kind)) {
        process.stderr.write(`apilog: ${sanitize(unreadableMessage(i))}\n`);
        return;
      }
      problems++;
      firstProblem ??= i;
      if (!quiet && problems <= ISSUES_SHOWN) {
        process.stderr.write(`apilog: ${sanitize(`${i.file}${i.line ? `:${i.line}` : ''}`)}: ${sanitize(i.message)}\n`);
        if (problems === ISSUES_SHOWN) process.stderr.write('apilog: further malformed or unmappable lines are only counted (the summary lists them)\n');
      }
    };
    if (!quiet && process.stderr.isTTY === true) {
      process.stderr.write('apilog: following; alerts are printed as they fire, Ctrl-C prints the summary\n');
    }
    const result = await follow(opts, settings, {
      onAlert: (a) => out.stream.write(safeJson(a) + '\n'),
      onIssue,
      onNote: (m) => {
        if (!quiet) process.stderr.write(`apilog: ${sanitize(m)}\n`);
      },
      signal: interrupts.signal,
    });
    if (interrupts.received()) result.summary.partial = true;
    if (problems > ISSUES_SHOWN && !quiet && firstProblem) {
      process.stderr.write(`apilog: ${skippedLines(result.summary.files) || problems} input line(s) skipped as malformed or not mappable (the summary lists the first ones)\n`);
    }
    out.stream.write(safeJson(result.summary) + '\n');
    await out.close();
    if (interrupts.received()) {
      // The summary is written; stdin that is still open must not keep the process alive.
      process.exit(interrupts.exitCode());
    }
    return result.exitCode;
  } catch (err) {
    exitWithError(err);
    return Number(process.exitCode ?? 70);
  } finally {
    interrupts.dispose();
  }
}
