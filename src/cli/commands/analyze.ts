/** `apilog analyze` and `apilog summary`: options -> analyze() -> report. */
import { availableParallelism } from 'node:os';
import { analyze } from '../../analyze/run.js';
import { UsageError, type AnalyzeOptions, type OutputFormat } from '../../analyze/options.js';
import { DEFAULT_INGEST_LIMITS, losesInput } from '../../ingest/types.js';
import { listFormats, loadMapFile } from '../../normalise/index.js';
import { writeReport } from '../../report/index.js';
import { createProgress } from '../../report/progress.js';
import { checkOutputFile, openOutput, outputError, resolveColor, terminalWidth } from '../../report/output.js';
import {
  OUTPUT_FORMATS,
  parseDuration,
  parseEntries,
  parseTimeRange,
  parseList,
  parseMapPairs,
  parsePositiveInt,
  parseSeverity,
  parseSize,
  validTimeZone,
} from '../parse.js';
import { exitWithError } from '../errors.js';
import { isUnreadable, skippedLines, unreadableMessage } from '../../analyze/events.js';
import type { IngestIssue } from '../../ingest/types.js';
import { textLogAdvice } from '../../ingest/text-logs.js';
import { sanitize } from '../../report/sanitize.js';
import { notAnalysed } from '../../report/records.js';
import { watchInterrupts } from '../interrupts.js';
import { arr, checkMapKeys, checkSigmaPaths, refuseInputAsOutput, str, type Opts } from './shared.js';

/** Options every log-reading command shares. */
export function inputOptionsFrom(paths: string[], o: Opts): Pick<
  AnalyzeOptions,
  'inputs' | 'include' | 'exclude' | 'logFormat' | 'map' | 'inputTz' | 'limits' | 'strict' | 'rulesPaths' | 'geoipDb' | 'tz'
> {
  const mapFile = str(o.mapFile);
  let map: Record<string, string> = {};
  if (mapFile) {
    try {
      map = loadMapFile(mapFile);
    } catch (err) {
      throw new UsageError(`--map-file: ${(err as Error).message}`);
    }
  }
  map = { ...map, ...parseMapPairs(arr(o.map)) };
  checkMapKeys(map);
  const logFormat = str(o.logFormat);
  if (logFormat && !listFormats().some((f) => f.id === logFormat) && logFormat !== 'custom') {
    throw new UsageError(`--log-format: unknown format "${logFormat}"; known: ${listFormats().map((f) => f.id).join(', ')}`);
  }
  return {
    inputs: paths,
    include: arr(o.include),
    exclude: arr(o.exclude),
    ...(logFormat ? { logFormat } : {}),
    map,
    ...(str(o.inputTz) ? { inputTz: validTimeZone(str(o.inputTz)!, '--input-tz') } : {}),
    limits: {
      ...DEFAULT_INGEST_LIMITS,
      maxLineBytes: parseSize(str(o.maxLineBytes) ?? '16MB', '--max-line-bytes'),
      maxDepth: parsePositiveInt(str(o.maxDepth) ?? '256', '--max-depth'),
      maxDecompressedBytes: parseSize(str(o.maxDecompressed) ?? '64GB', '--max-decompressed'),
    },
    strict: o.strict === true,
    rulesPaths: arr(o.rules),
    ...(str(o.geoipDb) ? { geoipDb: str(o.geoipDb) } : {}),
    tz: validTimeZone(str(o.tz) ?? 'UTC'),
  };
}

export async function analyzeCommand(paths: string[], o: Opts, mode: { detect: boolean }): Promise<number> {
  const interrupts = watchInterrupts();
  try {
    let format = (str(o.format) ?? 'text') as OutputFormat;
    const base = inputOptionsFrom(paths, o);
    // `--format kong` is unambiguous: an input format id, not an output one.
    if (!OUTPUT_FORMATS.includes(format)) {
      if (listFormats().some((f) => f.id === format)) {
        base.logFormat = format;
        format = 'text';
      } else {
        throw new UsageError(`--format: expected ${OUTPUT_FORMATS.join(', ')} (or an input format id), got "${format}"`);
      }
    }
    // Options that would do nothing are refused, not ignored: a CI job that gives them expects their effect.
    if (o.sinceNow === true && !str(o.since)) throw new UsageError('--since-now makes --since count back from now: give --since too (e.g. --since 24h --since-now)');
    if (str(o.csvOf) === 'entries') {
      if (format !== 'csv') throw new UsageError(`--csv-of entries chooses what --format csv writes; the report format is ${format}`);
      if (str(o.entries) === 'none') throw new UsageError('--csv-of entries with --entries none would write only the header: give --entries flagged or all');
    }
    const opts: AnalyzeOptions = {
      ...base,
      sigmaPaths: arr(o.sigma),
      ...(str(o.baseline) ? { baselinePath: str(o.baseline) } : {}),
      ...parseTimeRange(str(o.from), str(o.to), base.tz),
      ...(str(o.since) ? { sinceMs: parseDuration(str(o.since)!, '--since') } : {}),
      sinceNow: o.sinceNow === true,
      minSeverity: parseSeverity(str(o.minSeverity) ?? 'info', '--min-severity'),
      only: parseList(arr(o.only)),
      skip: parseList(arr(o.skip)),
      ...(str(o.failOn) ? { failOn: parseSeverity(str(o.failOn)!, '--fail-on') } : {}),
      ...(o.failOnEmpty === true ? { failOnEmpty: true } : {}),
      entries: mode.detect ? parseEntries(str(o.entries) ?? 'flagged') : 'none',
      detect: mode.detect,
      threads: str(o.threads) ? parsePositiveInt(str(o.threads)!, '--threads') : availableParallelism(),
      threadsExplicit: str(o.threads) !== undefined,
    };

    // The report's file is checked now, but opened only when the report is ready: a run that
    // stops early (--strict, a bad rule) leaves an earlier report there as it was.
    const target = str(o.output) === '-' ? undefined : str(o.output);
    if (target !== undefined) {
      checkOutputFile(target, { writable: true });
      refuseInputAsOutput(target, paths);
      opts.outputFile = target;
    }
    const toStdout = target === undefined;
    checkSigmaPaths(opts.sigmaPaths);
    const tty = toStdout ? process.stdout : {};
    const quiet = o.quiet === true;
    const progress = createProgress({ enabled: !quiet && process.stderr.isTTY === true, stream: process.stderr });
    // Diagnostics on stderr as they happen: an input that cannot be read is named at once.
    let problems = 0;
    let firstProblem: IngestIssue | undefined;
    // Lines with invalid UTF-8 are read (bad bytes replaced by U+FFFD), not skipped: said apart.
    let replaced = 0;
    let firstReplaced: IngestIssue | undefined;
    // Named once as unreadable: no "run formats detect" advice for them after.
    const unreadableFiles = new Set<string>();
    // Files whose lines look like a known text access log: said when nothing in them maps.
    const textLogs = new Map<string, string>();
    const onIssue = (i: IngestIssue): void => {
      if (i.textLog !== undefined && !textLogs.has(i.file)) textLogs.set(i.file, i.textLog);
      if (isUnreadable(i.kind)) {
        unreadableFiles.add(i.file);
        progress.clear();
        process.stderr.write(`apilog: ${sanitize(unreadableMessage(i))}\n`);
        return;
      }
      // Also said at once: a damaged .gz (exit 3), which a notes file's lines must not hide.
      if (i.kind === 'file-changed' || i.kind === 'file-shrank' || i.kind === 'map-unused' || i.kind === 'gzip-error' || i.kind === 'decompressed-too-large') {
        progress.clear();
        process.stderr.write(`apilog: ${sanitize(i.file)}: ${sanitize(i.message)}\n`);
        return;
      }
      if (i.kind === 'invalid-utf8') {
        replaced++;
        firstReplaced ??= i;
        return;
      }
      problems++;
      firstProblem ??= i;
    };
    const startedAt = performance.now();
    const result = await analyze(opts, {
      onIssue,
      onTotalBytes: (b) => progress.setTotal?.(b),
      onProgress: (bytes, events) => progress.update(bytes, events),
      signal: interrupts.signal,
    });
    progress.done();
    if (interrupts.received()) result.summary.partial = true;
    if (problems > 0 && !quiet && firstProblem) {
      const where = `${firstProblem.file}${firstProblem.line ? `:${firstProblem.line}` : ''}`;
      process.stderr.write(
        `apilog: ${skippedLines(result.summary.files) || problems} input line(s) skipped as malformed or not mappable; first ${sanitize(where)}: ${sanitize(firstProblem.message)} (the report's summary lists them)\n`,
      );
    }
    if (replaced > 0 && !quiet && firstReplaced) {
      const where = `${firstReplaced.file}${firstReplaced.line ? `:${firstReplaced.line}` : ''}`;
      process.stderr.write(
        `apilog: ${replaced} input line(s) held invalid UTF-8, read with the bad bytes replaced by U+FFFD; first ${sanitize(where)} (the report's summary lists them)\n`,
      );
    }
    for (const f of result.summary.files) {
      // A file that failed only as a gzip stream (or was cut short) before any line: its own message
      // above says so, and `formats detect` could say no more.
      const onlyCut = f.malformed === 0 && Object.entries(f.skipped).every(([k, n]) => n === 0 || losesInput(k));
      if (f.events === 0 && !unreadableFiles.has(f.path) && !onlyCut && (f.malformed > 0 || Object.values(f.skipped).some((n) => n > 0))) {
        const kind = textLogs.get(f.path);
        const why = kind !== undefined ? textLogAdvice(kind) : `run \`apilog formats detect ${sanitize(f.path)}\` to see why`;
        process.stderr.write(`apilog: no events could be mapped from ${sanitize(f.path)}: ${why}\n`);
      }
    }
    // Nothing judged passes a --fail-on gate: said where a CI log shows it (a log shipper that broke
    // sends an empty file), with the flag that makes it fail.
    if (result.summary.events === 0 && !quiet && !interrupts.received() && result.exitCode !== 3 && !result.summary.files.some(notAnalysed)) {
      const mapped = result.summary.files.reduce((n, f) => n + f.events, 0);
      const what = mapped > 0 ? `none of the ${mapped} events read fell within the time filter` : 'the input holds no events';
      const gate = !opts.detect ? '' : opts.failOnEmpty === true ? ' (exit 1: --fail-on-empty)' : ' (exit 0; --fail-on-empty makes it 1)';
      process.stderr.write(`apilog: ${what}${opts.detect ? ': nothing was judged' : ''}${gate}\n`);
    }
    // A detector that could not run is no clean result: said where a CI log shows it, not only
    // inside a JSON report written to a file (the text report's header says it on a terminal).
    // Sigma rules that were rejected (bad YAML, unknown modifier) are in the report's notes; a CI
    // log with a machine report or a file shows only stderr.
    const rejected = result.summary.notes.filter((n) => n.startsWith('sigma rule not run: '));
    if (rejected.length > 0 && !quiet && (format !== 'text' || !toStdout)) {
      for (const n of rejected.slice(0, 5)) process.stderr.write(`apilog: ${sanitize(n)}\n`);
      if (rejected.length > 5) process.stderr.write(`apilog: … and ${rejected.length - 5} more sigma rules not run (the report's notes list them)\n`);
    }
    const notRun = result.summary.detectors.filter((d) => d.status === 'unavailable');
    if (notRun.length > 0 && !quiet && result.summary.events > 0 && (format !== 'text' || !toStdout)) {
      const first = notRun[0]!;
      process.stderr.write(
        `apilog: ${notRun.length} detector(s) could not run: ${notRun.map((d) => d.id).join(', ')}; ${first.id}: ${sanitize(first.reason ?? 'fields missing')} (\`apilog formats detect FILE\` shows the --map that would fix it)\n`,
      );
    }

    // The text report groups the entries by actor, so it reads them all before printing: made here,
    // before the run's time and peak memory are taken, those include them. Machine formats write
    // each as it is made.
    const entries = format === 'text' ? [...result.entries] : result.entries;
    if (format === 'text') {
      // On a terminal a responder wants to know what the run took. Machine formats leave it out:
      // two runs of one input give the same records (diffs, the --threads equality).
      const elapsedMs = Math.round(performance.now() - startedAt);
      result.summary.run = {
        elapsedMs,
        ...(elapsedMs > 0 && result.summary.events > 0 ? { eventsPerSecond: (result.summary.events * 1000) / elapsedMs } : {}),
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
      };
    }
    const out = await openOutput(target);
    // Known now, before the report is written: a reader that closes the pipe early (`| head`)
    // ends the run there, and the exit code (lost input, --fail-on) must not become 0.
    process.exitCode = result.exitCode;
    try {
      await writeReport(
        { summary: result.summary, alerts: result.alerts, entries },
        {
          format,
          csvOf: (str(o.csvOf) as 'alerts' | 'entries') ?? 'alerts',
          color: resolveColor(o.color === false ? 'never' : ((str(o.color) as 'auto' | 'always' | 'never') ?? 'auto'), tty),
          width: terminalWidth(tty),
          full: o.full === true,
          quiet,
          tz: opts.tz,
          entriesMode: opts.entries,
        },
        out.stream,
      );
    } catch (err) {
      // -o FILE on a full disk: name the file, not only the system error.
      throw out.isStdout ? err : outputError(str(o.output)!, err);
    }
    await out.close();
    if (interrupts.received()) {
      // The report is written; an input that is still open (stdin) must not keep the process alive.
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
