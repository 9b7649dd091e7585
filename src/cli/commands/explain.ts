/** `apilog explain`: the ten questions for one entry, in prose for an incident ticket, or JSON. */
import { openEventStream } from '../../analyze/events.js';
import { UsageError } from '../../analyze/options.js';
import { createEnricher, createGeoLookup } from '../../enrich/index.js';
import { loadRules } from '../../rules/index.js';
import { loadBaseline } from '../../baseline/index.js';
import { answerObserved, createEntryWalk, entryMatches, renderProse, sameFile, type EntrySelector } from '../../checklist/index.js';
import { maskSecrets } from '../../analyze/mask.js';
import { sanitize } from '../../report/sanitize.js';
import { inputOptionsFrom } from './analyze.js';
import { issueLine, stderrIssues, str, write, writeJson, type Opts } from './shared.js';
import { exitWithError } from '../errors.js';
import type { IngestIssue } from '../../ingest/types.js';
import type { ApiEvent } from '../../normalise/event.js';
import { redactString } from '../../hygiene/index.js';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { analyze } from '../../analyze/run.js';
import { readableOnce } from '../../analyze/sources.js';
import { lineRef, losesInput } from '../../ingest/types.js';
import type { AlertRecord } from '../../report/records.js';
import { createProgress } from '../../report/progress.js';

function selectorFrom(o: Opts): EntrySelector {
  const requestId = str(o.requestId);
  const line = str(o.line);
  if (requestId && line) throw new UsageError('give either --request-id or --line, not both');
  if (requestId) return { requestId };
  if (line) {
    const m = /^(.*):(\d+)(?:#(\d+))?$/.exec(line);
    if (!m || !m[1]) throw new UsageError(`--line: expected FILE:N or FILE:N#K, the K-th record of a line (e.g. access.log:1234, trail.json:1#3), got "${line}"`);
    return m[3] === undefined ? { file: m[1], line: Number(m[2]) } : { file: m[1], line: Number(m[2]), record: Number(m[3]) };
  }
  throw new UsageError('say which entry: --request-id ID or --line FILE:N');
}

/**
 * What the records around a line asked for (explain --line) tell, when none matched: how many
 * records the line holds (FILE:N#K counts from 1), or where the records nearest it start.
 */
class LineNeighbours {
  onLine = 0;
  /** The highest record number on the line (records a format skipped leave gaps below it). */
  lastRecord = 0;
  before = 0;
  after = Infinity;
  last = 0;
  constructor(private readonly line: number) {}

  see(line: number, record: number | undefined): void {
    if (line === this.line) {
      this.onLine++;
      this.lastRecord = Math.max(this.lastRecord, record ?? 1);
    } else if (line < this.line) this.before = Math.max(this.before, line);
    else this.after = Math.min(this.after, line);
    this.last = Math.max(this.last, line);
  }

  why(record: number | undefined): string | undefined {
    if (this.onLine > 0) {
      const range = this.lastRecord > 1 ? `#1 to #${this.lastRecord}` : '#1';
      const skipped = this.lastRecord - this.onLine;
      const entries = skipped > 0 ? `${this.onLine} entries among records ${range} (${skipped} skipped: see the issues above)` : `${this.onLine === 1 ? 'one record' : `${this.onLine} records`}, ${range}`;
      return `line ${this.line} holds ${entries}${record === 0 ? ' (K counts from 1)' : ''}`;
    }
    if (this.last === 0) return undefined;
    if (this.after === Infinity) return `the last record of the file starts on line ${this.last}`;
    return `no record starts on line ${this.line} (a record is named by the line its opening brace is on; the nearest start on lines ${this.before || '-'} and ${this.after})`;
  }
}

/**
 * Said when --line names a file that was not read: which files were, and the one meant when the
 * name is the end of one path (`access.ndjson:12`, or the text report's `…/access.ndjson:12`).
 */
function notAnInput(file: string, line: string, sources: string[]): string | undefined {
  if (sources.some((src) => sameFile(src, file))) return undefined;
  // The text report cuts a pointer's start: `…/access.ndjson` or `…cess.ndjson` is any path's end.
  const cut = file.startsWith('…');
  const tail = cut ? file.slice(1) : file.replace(/^\.\//, '');
  const meant = sources.filter((src) => src === tail || src.endsWith(cut ? tail : `/${tail}`) || src.endsWith(`${path.sep}${tail}`));
  if (meant.length === 1) return `${file} is not one of the files read; give the path as read: --line ${meant[0]!}:${line}`;
  const listed = sources.slice(0, 5).join(', ') + (sources.length > 5 ? `, … (${sources.length} files)` : '');
  return `${file} is not one of the files read (${listed})`;
}

export async function explainCommand(paths: string[], o: Opts): Promise<number> {
  try {
    const sel = selectorFrom(o);
    const input = inputOptionsFrom(paths, o);
    const rules = loadRules(input.rulesPaths);
    const geo = createGeoLookup(input.geoipDb ? { dbPath: input.geoipDb } : {});
    const baseline = str(o.baseline) ? loadBaseline(str(o.baseline)!) : undefined;
    const enrich = createEnricher(rules);
    const walk = createEntryWalk(sel, { rules, geo, ...(baseline ? { baseline } : {}) });
    // Lines that could not be read are named, as analyze names them: the answers count the
    // actor's earlier requests, and those would be missing from the count.
    // Lines that could not be read are named: the answers count the actor's earlier requests,
    // and those lines would be missing from the count.
    const issues = stderrIssues(o.quiet === true);
    const unreadable = issues.unreadable;
    // Why the line asked for is no entry, when the input says so (even with --quiet).
    const target = 'line' in sel ? sel : undefined;
    const isTarget = (file: string, line: number | undefined, record?: number): boolean =>
      target !== undefined && line === target.line && (record ?? 1) === (target.record ?? 1) && sameFile(file, target.file);
    let why: string | undefined;
    // Input lost (a damaged .gz) is said once, whichever pass meets it first.
    const lostSaid = new Set<string>();
    const onIssue = (i: IngestIssue): void => {
      if (losesInput(i.kind)) lostSaid.add(lostKey(i));
      issues.onIssue(i);
      if (isTarget(i.file, i.line)) why ??= `it was not read as an entry: ${i.message}`;
    };
    const onRepeat = (e: ApiEvent): void => {
      if (!isTarget(e.source.file, e.source.line, e.source.record)) return;
      // Never re-print a secret: an id that reads as one (a JWT as request id) is not quoted.
      const id = e.requestId ?? '';
      const shown = redactString(id, 'requestId').value === id ? id : undefined;
      why ??=
        'it repeats a record of another input file (the same request id within 2 s) and was counted once, as that record' +
        (shown !== undefined ? `: --request-id "${shown}" explains it` : '');
    };
    const stream = await openEventStream({ ...input, onRepeat, trustedProxies: rules.trustedProxies ?? [] }, onIssue);
    const near = target !== undefined ? new LineNeighbours(target.line) : undefined;
    // Whether an event's file is the one named, decided once per file string (path.resolve per event costs).
    const inTarget = new Map<string, boolean>();
    const ofTarget = (file: string): boolean => {
      let hit = inTarget.get(file);
      if (hit === undefined) inTarget.set(file, (hit = target !== undefined && sameFile(file, target.file)));
      return hit;
    };
    // FILE:N on a line of several records names the first: the others on it are counted, to say so.
    let countingLine = false;
    read: for await (const batch of stream.batches) {
      for (const e of batch) {
        const mine = near !== undefined && ofTarget(e.source.file);
        if (mine) near.see(e.source.line, e.source.record);
        if (countingLine) {
          // Another input's events may come between the line's records (merged by time).
          if (!mine) continue;
          if (e.source.line !== target!.line) break read;
          continue;
        }
        walk.push(enrich(e));
        if (walk.done()) {
          if (target === undefined || target.record !== undefined) break read;
          countingLine = true;
        }
      }
    }
    await stream.batches.return(undefined);
    const found = walk.result();
    if (!found) {
      const what = 'requestId' in sel ? `request id "${sel.requestId}"` : `${sel.file}:${lineRef(sel.line, sel.record)}`;
      if (target !== undefined && why === undefined) why = notAnInput(target.file, lineRef(target.line, target.record), stream.sources.map((src) => src.path));
      if (target !== undefined && why === undefined) why = near?.why(target.record);
      process.stderr.write(`apilog: no entry with ${sanitize(what)} in the input${why !== undefined ? `: ${sanitize(why)}` : ''}\n`);
      return unreadable() > 0 ? 3 : 2;
    }
    if (near !== undefined && near.onLine > 1 && target?.record === undefined && o.quiet !== true) {
      const at = `${found.entry.source.file}:${found.entry.source.line}`;
      process.stderr.write(`apilog: line ${target!.line} holds ${near.onLine} records; this explains the first (${sanitize(at)}#2 to #${near.lastRecord} name the others)\n`);
    }
    // Question 8 (which alerts the entry belongs to) needs the detectors over the whole input, the
    // alerts that end after the entry included: a second pass, as `apilog analyze` would run it.
    let alerts: AlertRecord[] | undefined;
    let notJudged: string | undefined;
    let lost = 0;
    if (o.alerts === false) notJudged = '--no-alerts was given, so the detectors did not run';
    else if (stream.sources.some(readableOnce)) notJudged = 'standard input can be read only once, and it was read to find the entry (save it to a file to have the alerts)';
    else {
      // The same request id on other entries (a retried request, a reused id): the first is
      // explained, and the others are named, so a responder can pick one with --line.
      const others: string[] = [];
      let sameId = 0;
      const onEvents = 'requestId' in sel
        ? (batch: readonly ApiEvent[]): void => {
            for (const e of batch) {
              if (!entryMatches(e, sel)) continue;
              sameId++;
              const at = `${e.source.file}:${lineRef(e.source.line, e.source.record)}`;
              const f = found.entry.source;
              if (others.length < 3 && !(e.source.file === f.file && e.source.line === f.line && e.source.record === f.record)) others.push(at);
            }
          }
        : undefined;
      const pass = await alertsOver(input, str(o.baseline), o.quiet === true, lostSaid, onEvents);
      alerts = pass.alerts;
      lost = pass.lost;
      if (sameId > 1 && o.quiet !== true) {
        process.stderr.write(
          `apilog: ${sameId} entries have this request id; this explains the first (${sanitize(`${found.entry.source.file}:${lineRef(found.entry.source.line, found.entry.source.record)}`)}); others: ${sanitize(others.join(', '))}${sameId - 1 > others.length ? ', …' : ''} (--line FILE:N picks one)\n`,
        );
      }
    }
    const { record: raw } = answerObserved(found, { rules, geo, tz: input.tz, ...(baseline ? { baseline } : {}), ...(alerts ? { alerts } : {}), ...(notJudged ? { notJudged } : {}) });
    // The answers quote the request (path, query, agent): masked like every other output.
    const record = maskSecrets(raw);
    if (str(o.format) === 'json') writeJson(record);
    else write(renderProse(record));
    return unreadable() + lost > 0 ? 3 : 0;
  } catch (err) {
    exitWithError(err);
    return Number(process.exitCode ?? 70);
  }
}

function lostKey(i: IngestIssue): string {
  return `${i.kind}\u0000${i.file}\u0000${i.line ?? ''}`;
}

/**
 * The detectors' alerts over the whole input, as `apilog analyze` finds them (every rule, no
 * entries). The first pass has named the input's problems up to the entry; input lost later in
 * the input (a damaged .gz) is named here, and counted for the exit code.
 */
async function alertsOver(
  input: ReturnType<typeof inputOptionsFrom>,
  baselinePath: string | undefined,
  quiet: boolean,
  said: Set<string>,
  onEvents?: (batch: readonly ApiEvent[]) => void,
): Promise<{ alerts: AlertRecord[]; lost: number }> {
  let lost = 0;
  const progress = createProgress({ enabled: !quiet && process.stderr.isTTY === true, stream: process.stderr });
  const result = await analyze(
    {
      ...input,
      sigmaPaths: [],
      ...(baselinePath !== undefined ? { baselinePath } : {}),
      sinceNow: false,
      minSeverity: 'info',
      only: [],
      skip: [],
      entries: 'none',
      detect: true,
      threads: availableParallelism(),
      threadsExplicit: false,
    },
    {
      onIssue: (i) => {
        if (!losesInput(i.kind)) return;
        const key = lostKey(i);
        if (said.has(key)) return;
        said.add(key);
        lost++;
        if (quiet) return;
        progress.clear();
        process.stderr.write(issueLine(i));
      },
      onTotalBytes: (b) => progress.setTotal(b),
      onProgress: (bytes, events) => progress.update(bytes, events),
      ...(onEvents ? { onEvents } : {}),
    },
  );
  progress.done();
  return { alerts: result.alerts, lost };
}
