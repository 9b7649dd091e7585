/**
 * The text report an investigator reads at a glance: header (what was read), alerts (most severe
 * first), findings by actor, then summary tables and an activity timeline.
 * Every value that came from a log is sanitised; long values are cut to the width unless `full`.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { SEVERITIES, type EvidenceSample, type Severity } from '../detect/types.js';
import type { AlertRecord, EntryRecord, SummaryRecord } from './records.js';
import { isUnreadable, lineRef, losesInput } from '../ingest/types.js';
import type { Report, ReportOptions } from './options.js';
import { selectEntries } from './options.js';
import { alertOrigin, type AlertOrigin } from './alert-origin.js';
import {
  bar,
  commonFolder,
  cutPath,
  fitLine,
  renderTable,
  resample,
  sideBySide,
  sparkline,
  truncateMiddle,
  truncateStart,
  wrap,
  type Paint,
  type TableContext,
} from './layout.js';
import { ELLIPSIS, clip, displayWidth, pad, sanitize, truncate } from './sanitize.js';
import { createTimeFormatter, formatDuration, toMs, type TimeFormatter } from './time.js';
import { formatBytes } from './units.js';
import { SET_ASIDE } from '../ingest/types.js';
import { shellWord } from '../util/text.js';

/** Rows listed per table unless `full`. */
const LIMITS = { samples: 5, entriesPerActor: 20, actorGroups: 12, actors: 15, issues: 5, detectorLines: 10, summaryLines: 6 };

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const SEVERITY_DESC = [...SEVERITIES].reverse();
const SHORT: Record<Severity, string> = { critical: 'crit', high: 'high', medium: 'med', low: 'low', info: 'info' };

export function severityRankOf(s: Severity): number {
  return RANK[s] ?? 0;
}

interface Painters {
  chalk: ChalkInstance;
  /** The severity colour for text. */
  sev(s: Severity): Paint;
  /** The severity badge (" CRITICAL "). */
  badge(s: Severity): string;
  bold: Paint;
  dim: Paint;
  head: Paint;
  section: Paint;
}

export function createPainters(color: boolean): Painters {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const sevPaint: Record<Severity, Paint> = {
    critical: (s) => chalk.bold.red(s),
    high: (s) => chalk.red(s),
    medium: (s) => chalk.yellow(s),
    low: (s) => chalk.cyan(s),
    info: (s) => chalk.dim(s),
  };
  const badgePaint: Record<Severity, Paint> = {
    critical: (s) => chalk.bgRed.white.bold(s),
    high: (s) => chalk.red.bold(s),
    medium: (s) => chalk.yellow.bold(s),
    low: (s) => chalk.cyan(s),
    info: (s) => chalk.dim(s),
  };
  return {
    chalk,
    sev: (s) => sevPaint[s] ?? ((x: string) => x),
    badge: (s) => (badgePaint[s] ?? ((x: string) => x))(pad(` ${s.toUpperCase()} `, 10)),
    bold: (s) => chalk.bold(s),
    dim: (s) => chalk.dim(s),
    head: (s) => chalk.bold(s),
    section: (s) => chalk.bold.underline(s),
  };
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 entry", "3 entries", "1 alert", "2 alerts". */
function plural(n: number, one: string, many = `${one}s`): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}

function pct(part: number, total: number): string {
  if (total <= 0) return '-';
  const p = (part / total) * 100;
  return p > 0 && p < 0.1 ? '<0.1%' : `${p.toFixed(1)}%`;
}


/** "user:alice", "key:k-1", "ip:203.0.113.9" from a subject, for grouping entries. */
export function actorOf(subject: { user?: string; apiKey?: string; ip?: string }): string {
  if (subject.user !== undefined) return `user:${subject.user}`;
  if (subject.apiKey !== undefined) return `key:${subject.apiKey}`;
  if (subject.ip !== undefined) return `ip:${subject.ip}`;
  return '(unknown actor)';
}

const SUBJECT_KEYS = ['user', 'apiKey', 'ip', 'userAgent', 'session', 'route', 'field'] as const;

function subjectText(subject: AlertRecord['subject']): string {
  const parts: string[] = [];
  for (const k of SUBJECT_KEYS) {
    const v = subject[k];
    if (v !== undefined) parts.push(`${k}=${sanitize(v)}`);
  }
  return parts.length > 0 ? parts.join('  ') : '(none)';
}

function figure(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? num(v) : String(Math.round(v * 1000) / 1000);
  if (v === null || v === undefined) return '-';
  return sanitize(v);
}

/** Metrics with the threshold they crossed, by the same name where possible. */
export function figuresText(metrics: Record<string, unknown>, thresholds: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(metrics)) {
    const t = thresholds[k];
    out.push(t === undefined ? `${sanitize(k)} ${figure(v)}` : `${sanitize(k)} ${figure(v)} (threshold ${figure(t)})`);
  }
  for (const [k, t] of Object.entries(thresholds)) {
    // A threshold simply named "threshold" is not said twice ("threshold threshold 50").
    if (!(k in metrics)) out.push(k === 'threshold' ? `threshold ${figure(t)}` : `threshold ${sanitize(k)} ${figure(t)}`);
  }
  return out;
}

class Lines {
  readonly lines: string[] = [];
  constructor(
    private readonly width: number,
    private readonly full: boolean,
  ) {}
  push(line = ''): void {
    this.lines.push(this.full ? line : fitLine(line, this.width));
  }
  pushAll(lines: string[]): void {
    for (const l of lines) this.push(l);
  }
}

interface Ctx {
  o: ReportOptions;
  p: Painters;
  t: TimeFormatter;
  width: number;
  table: TableContext;
}

function sectionTitle(ctx: Ctx, title: string): string {
  const text = ` ${title} `;
  const rule = Math.max(2, Math.min(ctx.width, 100) - displayWidth(text) - 2);
  return ctx.p.section('──' + text) + ctx.p.dim('─'.repeat(rule));
}

/** A "label     value" line with a fixed label column; continuation lines are indented. */
function labelled(ctx: Ctx, label: string, value: string[], indent = 2): string[] {
  const labelWidth = 10;
  const first = ' '.repeat(indent) + ctx.p.dim(pad(label, labelWidth));
  const cont = ' '.repeat(indent + labelWidth);
  return value.map((v, i) => (i === 0 ? first : cont) + v);
}

// ---------------------------------------------------------------------------------------------

/**
 * "logs/a.ndjson skipped: non-request 12" per file, and "logs/a.ndjson lacks: apiKey, route" per
 * list of missing fields: files lacking the same fields share a line ("all 3 files lack: …").
 * Paths under `folder` (said once above them) are named from there.
 */
export function fileNotes(files: SummaryRecord['files'], full: boolean, folder = ''): string[] {
  const out: string[] = [];
  const name = (path: string): string => underFolder(path, folder);
  const who = (paths: string[], one: string, many: string): string =>
    paths.length === 1
      ? `${paths[0]!} ${one}`
      : paths.length === files.length
        ? `all ${num(paths.length)} files ${many}`
        : full || paths.length <= 3
          ? `${paths.join(', ')} ${many}`
          : `${paths.slice(0, 2).join(', ')} and ${num(paths.length - 2)} more files ${many}`;
  // Skipped lines, per file while that is a few lines; a folder of rotated logs gets one line, the
  // counts summed (the JSON summary has them per file).
  const skippers = files.filter((f) => Object.entries(f.skipped).some(([k, n]) => n > 0 && k !== SET_ASIDE));
  const perFile = full || skippers.length <= 3;
  const summed = new Map<string, number>();
  for (const f of skippers) {
    const reasons = Object.entries(f.skipped).filter(([k, n]) => n > 0 && k !== SET_ASIDE);
    if (perFile) out.push(`${name(f.path)} skipped: ${reasons.map(([k, n]) => `${sanitize(k)} ${num(n)}`).join(', ')}`);
    else for (const [k, n] of reasons) summed.set(k, (summed.get(k) ?? 0) + n);
  }
  if (!perFile) {
    const reasons = [...summed].map(([k, n]) => `${sanitize(k)} ${num(n)}`).join(', ');
    out.push(`${who(skippers.map((f) => name(f.path)), 'skipped', 'skipped')}: ${reasons}`);
  }
  // Records a format knew as no access records, one line per format.
  const aside = new Map<string, { paths: string[]; n: number }>();
  for (const f of files) {
    const n = f.skipped[SET_ASIDE] ?? 0;
    if (n === 0) continue;
    const g = aside.get(f.format) ?? { paths: [], n: 0 };
    g.paths.push(name(f.path));
    g.n += n;
    aside.set(f.format, g);
  }
  for (const [format, g] of aside) {
    const whose = g.paths.length === 1 ? `${g.paths[0]!}:` : `${who(g.paths, '', '').trimEnd()}:`;
    out.push(`${whose} ${num(g.n)} record${g.n === 1 ? '' : 's'} set aside, known to ${sanitize(format)} as no access records (\`apilog formats detect\` says which)`);
  }
  const byFields = new Map<string, string[]>();
  for (const f of files) {
    if (f.missingFields.length === 0) continue;
    const key = f.missingFields.map(sanitize).join(', ');
    byFields.set(key, [...(byFields.get(key) ?? []), name(f.path)]);
  }
  for (const [fields, paths] of byFields) out.push(`${who(paths, 'lacks', 'lack')}: ${fields}`);
  // Where a missing field probably is (what `apilog formats detect` finds), grouped the same way.
  const bySuggestion = new Map<string, { field: string; path: string; files: string[] }>();
  for (const f of files) {
    for (const m of f.mapSuggestions ?? []) {
      const k = `${m.field}\u0000${m.path}`;
      const g = bySuggestion.get(k) ?? { field: m.field, path: m.path, files: [] };
      g.files.push(name(f.path));
      bySuggestion.set(k, g);
    }
  }
  for (const g of bySuggestion.values()) {
    const key = sanitize(g.path);
    // A header is what the client sent: the caller it names is a claim unless a gateway sets it.
    const header = /header|(^|[._])(request|http)_x[-_]|(^|\.)x-/i.test(g.path) ? ' (a request header: trust it as far as your gateway sets it, not the client)' : '';
    out.push(`${who(g.files, '', '').trimEnd()}: ${sanitize(g.field)} is probably "${key}": --map ${shellWord(`${sanitize(g.field)}=${key}`)}${header}`);
  }
  // Zone-less times are read as UTC unless --input-tz says otherwise: said, since a log in local
  // time would shift every alert and the after-hours judgement with it.
  const byZone = new Map<string, { paths: string[]; events: number; of: number }>();
  for (const f of files) {
    const z = f.timesWithoutOffset;
    if (z === undefined) continue;
    const g = byZone.get(z.readIn) ?? { paths: [], events: 0, of: 0 };
    g.paths.push(name(f.path));
    g.events += z.events;
    g.of += f.events;
    byZone.set(z.readIn, g);
  }
  for (const [zone, g] of byZone) {
    const count = g.events >= g.of ? '' : ` (${num(g.events)} of ${num(g.of)} events)`;
    out.push(
      `${who(g.paths, 'writes', 'write')} times without a UTC offset${count}: ` +
        (zone === 'UTC' ? 'read as UTC; if they are local time, give --input-tz <zone>' : `read as local time in ${sanitize(zone)} (--input-tz)`),
    );
  }
  return out;
}

/** `path` (sanitised) named from `folder` when it lies under it. */
function underFolder(path: string, folder: string): string {
  return sanitize(folder !== '' && path.startsWith(folder) ? path.slice(folder.length) : path);
}

function renderHeader(ctx: Ctx, s: SummaryRecord, out: Lines): void {
  const { p, t, o } = ctx;
  const full = o.full;
  const avail = ctx.width - 12;
  out.push(p.bold(`apilog ${sanitize(s.tool.version)}`) + p.dim(' · API access log report'));
  if (s.partial) {
    out.push(p.chalk.bold.yellow('PARTIAL REPORT: the run was interrupted; this covers only what was read before.'));
  }

  const span = s.timeSpan ? t.range(s.timeSpan.start, s.timeSpan.end) : 'no timestamps';
  const malformed = s.files.reduce((a, f) => a + f.malformed, 0);
  // Lines that were JSON but no access record, or not JSON at all: with the malformed ones, they
  // add up to the "skipped" count said on stderr, so the two figures do not seem to disagree.
  // Records a format knew as no access records (Caddy's startup lines) are said apart: expected, not lost.
  const setAside = s.files.reduce((a, f) => a + (f.skipped[SET_ASIDE] ?? 0), 0);
  // A damaged or truncated .gz (or one cut at --max-decompressed) counts one issue but loses the
  // rest of the file: said as such, not as one more line skipped.
  let cutShort = 0;
  let otherSkipped = -setAside;
  for (const f of s.files) {
    let cut = false;
    for (const [k, n] of Object.entries(f.skipped)) {
      if (n > 0 && !isUnreadable(k) && losesInput(k)) cut = true;
      else otherSkipped += n;
    }
    if (cut) cutShort++;
  }
  const inputParts = [
    `${num(s.files.length)} file${s.files.length === 1 ? '' : 's'}`,
    `${num(s.events)} event${s.events === 1 ? '' : 's'}`,
    `${num(malformed)} malformed`,
    ...(otherSkipped > 0 ? [`${num(otherSkipped)} other skipped`] : []),
    ...(cutShort > 0 ? [`${num(cutShort)} file${cutShort === 1 ? '' : 's'} cut short (the rest lost)`] : []),
    ...(setAside > 0 ? [`${num(setAside)} set aside`] : []),
  ];
  out.pushAll(labelled(ctx, 'Input', wrap(inputParts.join(' · '), avail)));
  out.pushAll(labelled(ctx, 'Time span', wrap(`${span}`, avail)));
  out.pushAll(labelled(ctx, 'Times in', [t.label(s.timeSpan?.start)]));

  // The folder all the files share is said once, above the table, and the files are named from
  // it, so that the names that tell them apart are what a narrow File column shows.
  const folder = commonFolder(s.files.map((f) => f.path));
  if (s.files.length > 0) {
    if (folder !== '') out.pushAll(labelled(ctx, 'Files in', [full ? sanitize(folder) : cutPath(sanitize(folder), avail)]));
    const rows = s.files.map((f) => {
      const container = [sanitize(f.container), f.gzip ? 'gzip' : ''].filter((x) => x).join(' ');
      return [
        underFolder(f.path, folder),
        sanitize(f.format),
        `${Math.round(f.confidence * 100)}%`,
        container,
        f.events,
        f.malformed,
      ];
    });
    out.pushAll(
      renderTable(
        {
          head: ['File', 'Format', 'Conf.', 'Container', 'Events', 'Malformed'],
          rows,
          right: [2, 4, 5],
          fixed: [2, 4, 5],
          min: [16, 8, 5, 6, 6, 9],
          drop: [3, 2, 5],
          paths: [0],
        },
        ctx.table,
      ),
    );
    // What the files skipped or lack, under the table (a table cell would cut the lists short).
    for (const note of fileNotes(s.files, full, folder)) {
      wrap(note, ctx.width - 4, full ? 0 : 3).forEach((l, i) => out.push((i === 0 ? '  ' : '    ') + l));
    }
  }

  if (s.issuesTotal > 0 || s.issues.length > 0) {
    const total = Math.max(s.issuesTotal, s.issues.length);
    const shown = full ? s.issues : pickIssues(s.issues, LIMITS.issues);
    const lines = shown.map((i) => {
      const kind = sanitize(i.kind);
      const lineNo = i.line !== undefined ? `:${i.line}` : '';
      const message = sanitize(i.message);
      // Named in full (a pointer to copy), unless too long: see below.
      let file = sanitize(i.file);
      if (!full && displayWidth(`${kind}  ${file}${lineNo}  ${message}`) > avail) {
        // A long path gives way from its start (its file name and line number stay), leaving the
        // message some room, before the line's end is cut.
        const room = Math.max(12, avail - displayWidth(`${kind}  ${lineNo}  `) - 16);
        file = cutPath(file, room);
      }
      const text = `${kind}  ${file}${lineNo}  ${message}`;
      return full ? text : truncate(text, avail);
    });
    const first = shown.every((i, k) => i === s.issues[k]);
    const head = `${num(total)} in all${shown.length < total ? (first ? `, first ${shown.length}:` : `, ${shown.length} shown (one of each file and kind first):`) : ':'}`;
    out.pushAll(labelled(ctx, 'Issues', [head, ...lines]));
  }

  if (s.detectors.length > 0) {
    const count = (st: string): number => s.detectors.filter((d) => d.status === st).length;
    const line = [`${count('ran')} ran`, `${count('unavailable')} could not run`, `${count('disabled')} disabled`].join(' · ');
    // Detectors that could not run for one same reason (no events at all, say) share a line.
    const notRun = new Map<string, string[]>();
    for (const d of s.detectors) {
      if (d.status === 'ran') continue;
      const why = `(${d.status})${d.reason ? `: ${sanitize(d.reason)}` : ''}`;
      notRun.set(why, [...(notRun.get(why) ?? []), d.id]);
    }
    const groups = [...notRun];
    const shown = full ? groups : groups.slice(0, LIMITS.detectorLines);
    // The reason before the names of several: clipped to the width, the names are what may go.
    const lines = shown.map(([why, ids]) =>
      clip(ids.length === 1 ? `${ids[0]} ${why}` : `${ids.length === s.detectors.length ? `all ${ids.length}` : ids.length} ${why}: ${ids.join(', ')}`, avail, full),
    );
    if (shown.length < groups.length) lines.push(p.dim(`… ${groups.length - shown.length} more (--full)`));
    const detNotes = s.detectors.flatMap((d) => (d.notes ?? []).map((n) => clip(`${d.id}: ${sanitize(n)}`, avail, full)));
    out.pushAll(labelled(ctx, 'Detectors', [line, ...lines, ...detNotes]));
  }

  const b = s.baseline;
  const baseline =
    s.detectors.length === 0
      ? 'not used (no detector ran)'
      : b.origin === 'file'
      ? `loaded from ${full ? sanitize(b.path ?? 'a file') : cutPath(sanitize(b.path ?? 'a file'), avail - 12)}`
      : b.origin === 'input'
        ? s.events === 0
          ? 'none (no events to learn from)'
          : 'learned from this input'
        : 'none (fixed thresholds)';
  out.pushAll(labelled(ctx, 'Baseline', [clip(baseline, avail, full)]));

  if (s.evictedActors > 0) {
    out.pushAll(labelled(ctx, 'Memory', [`${num(s.evictedActors)} actors dropped at the tracking cap (their traffic is counted as "others")`]));
  }
  for (const n of s.notes) out.pushAll(labelled(ctx, 'Note', wrap(sanitize(n), avail, full ? 0 : 3)));
  if (s.run) {
    const parts = [formatDuration(s.run.elapsedMs)];
    if (s.run.eventsPerSecond !== undefined) parts.push(`${num(Math.round(s.run.eventsPerSecond))} events/s`);
    if (s.run.peakRssBytes !== undefined) parts.push(`peak memory ${formatBytes(s.run.peakRssBytes)}`);
    out.pushAll(labelled(ctx, 'Run', [parts.join(' · ')]));
  }
  out.push();
}

// ---------------------------------------------------------------------------------------------

/** Columns a cut file pointer keeps before the note gives way (`…probing.json:3011`). */
const FILE_KEEP = 20;

/**
 * One evidence sample on one line: time, `METHOD path status`, IP, request id, note, and the
 * `file:line` pointer last. Unless `full`, a line wider than `width` gives way in this order: the
 * pointer's directory (`…/name:line`), the request id, the file name (cut from its start to 20
 * columns; the line number stays), the note (cut in its middle to 16 columns, then all of it), the
 * file name (to 10), the path (to 12 columns), the file name (to 4), then the line's end.
 */
export function sampleLine(sm: EvidenceSample, time: string, width: number, full: boolean): string {
  return fitSample(sm, time, width, full, 0).text;
}

/**
 * The evidence lines of one alert (see sampleLine), cut alike: when one line loses the pointer's
 * directory or its request id, every line does, so the pointers read the same down the list.
 */
export function sampleLines(samples: EvidenceSample[], time: (ms: number) => string, width: number, full: boolean): string[] {
  const stage = Math.min(2, Math.max(0, ...samples.map((sm) => fitSample(sm, time(sm.time), width, full, 0).stage)));
  return samples.map((sm) => fitSample(sm, time(sm.time), width, full, stage).text);
}

/** sampleLine, applying at least the first `minStage` cuts; `stage` tells how many were needed. */
function fitSample(sm: EvidenceSample, time: string, width: number, full: boolean, minStage: number): { text: string; stage: number } {
  const method = sm.method !== undefined ? sanitize(sm.method) : undefined;
  let path = sm.path !== undefined ? sanitize(sm.path) : undefined;
  const status = sm.status !== undefined ? sanitize(sm.status) : undefined;
  const ip = sm.ip !== undefined ? sanitize(sm.ip) : undefined;
  let requestId = sm.requestId !== undefined ? sanitize(sm.requestId) : undefined;
  let note = sm.note !== undefined ? `(${sanitize(sm.note)})` : undefined;
  const lineNo = `:${lineRef(sm.line, sm.record)}`;
  let file = sanitize(sm.file);
  const build = (): string => {
    const request = [method, path, status].filter((x) => x !== undefined && x !== '').join(' ');
    return [time, request, ip, requestId, note, file + lineNo].filter((x) => x !== undefined && x !== '').join('  ');
  };
  const over = (): number => displayWidth(build()) - width;
  if (full || (minStage < 1 && over() <= 0)) return { text: build(), stage: 0 };
  const sep = Math.max(sm.file.lastIndexOf('/'), sm.file.lastIndexOf('\\'));
  if (sep >= 0) file = `${ELLIPSIS}/${sanitize(sm.file.slice(sep + 1))}`;
  if (minStage < 2 && over() <= 0) return { text: build(), stage: 1 };
  requestId = undefined;
  if (over() <= 0) return { text: build(), stage: 2 };
  // The note says what the sample shows (the operation refused, the id's owner): it keeps its
  // room before a long file name does, which keeps its end and the line number.
  if (over() > 0) file = truncateStart(file, Math.max(FILE_KEEP, displayWidth(file) - over()));
  if (note !== undefined && over() > 0) note = truncateMiddle(note, Math.max(16, displayWidth(note) - over()));
  if (over() > 0) note = undefined;
  if (over() > 0) file = truncateStart(file, Math.max(10, displayWidth(file) - over()));
  if (over() > 0 && path !== undefined) path = truncate(path, Math.max(12, displayWidth(path) - over()));
  if (over() > 0) file = truncateStart(file, Math.max(4, displayWidth(file) - over()));
  return { text: truncate(build(), width), stage: 3 };
}

export function sortAlerts(alerts: AlertRecord[]): AlertRecord[] {
  return [...alerts].sort(
    (a, b) => severityRankOf(b.severity) - severityRankOf(a.severity) || toMs(a.start) - toMs(b.start) || (a.id < b.id ? -1 : 1),
  );
}

/** The addresses and API keys an alert's requests came from, when its subject does not name them. */
function originText(origin: AlertOrigin, full: boolean): string {
  const list = (rows: Array<[string, number]>, each: (n: number) => string): string => {
    const shown = full ? rows : rows.slice(0, 3);
    const more = rows.length - shown.length;
    return shown.map(([k, n]) => `${sanitize(k)} (${each(n)})`).join(', ') + (more > 0 ? `, ${num(more)} more` : '');
  };
  const parts: string[] = [];
  const ofSamples = (n: number): string => `${num(n)} of ${plural(origin.samples, 'sample')}`;
  if (origin.ips.length > 0) parts.push(`${origin.ips.length === 1 ? 'ip' : 'ips'} ${list(origin.ips, origin.ipsFrom === 'requests' ? (n) => plural(n, 'request') : ofSamples)}`);
  if (origin.keys.length > 0) parts.push(`${origin.keys.length === 1 ? 'api key' : 'api keys'} ${list(origin.keys, ofSamples)}`);
  return parts.join(' · ');
}

/** What a link says of the alert it points at (which --min-severity may have left out of the report). */
const RELATION_WORDS: Record<string, string> = { 'follows-takeover': 'this follows its takeover of the account' };

function relatedText(r: NonNullable<AlertRecord['related']>[number], other: AlertRecord | undefined): string {
  const what = other !== undefined ? ` ${sanitize(other.rule)} · ${subjectText(other.subject)}` : ' (not shown: below --min-severity)';
  return `${sanitize(r.id)}${what} · ${RELATION_WORDS[r.relation] ?? sanitize(r.relation)}`;
}

function renderAlerts(ctx: Ctx, report: Report, out: Lines): void {
  const { p, t, o } = ctx;
  const alerts = sortAlerts(report.alerts);
  const byId = new Map(alerts.map((a) => [a.id, a]));
  const s = report.summary;
  const counts = SEVERITY_DESC.filter((sv) => alerts.some((a) => a.severity === sv))
    .map((sv) => p.sev(sv)(`${alerts.filter((a) => a.severity === sv).length} ${sv}`))
    .join(' · ');
  out.push(sectionTitle(ctx, `Alerts (${alerts.length})`));
  if (s.alerts.total > alerts.length) {
    out.push(p.dim(`  ${num(s.alerts.total)} alerts in all; ${num(alerts.length)} shown after filters.`));
  }
  if (s.detectors.length === 0) {
    // `apilog summary`: traffic only. "No alerts" would read as a clean bill of health.
    out.push('  Not judged: `apilog summary` runs no detectors (`apilog analyze` does).');
    out.push();
    return;
  }
  if (alerts.length === 0 && s.events === 0) {
    // Nothing was read or mapped: "No alerts" would read as a clean log.
    // With -q the header (and its notes) is left out: the pointer then says where the reason is.
    out.push(`  Not judged: no events were analysed (${o.quiet ? 'run without -q for the notes that say why' : 'the notes above say why'}).`);
    out.push();
    return;
  }
  if (alerts.length === 0) {
    out.push('  No alerts.');
    out.push();
    return;
  }
  out.push('  ' + counts);
  out.push();
  const avail = Math.max(20, ctx.width - 12);
  for (const a of alerts) {
    const paint = p.sev(a.severity);
    const headText = `${a.id}  ${sanitize(a.rule)} · ${sanitize(a.title)}`;
    out.push(p.badge(a.severity) + ' ' + paint(o.full ? headText : truncate(headText, ctx.width - 11)));
    out.pushAll(labelled(ctx, 'subject', wrap(subjectText(a.subject), avail, o.full ? 0 : 2)));
    const via = originText(alertOrigin(a), o.full);
    if (via !== '') out.pushAll(labelled(ctx, 'from', wrap(via, avail, o.full ? 0 : 2)));
    out.pushAll(labelled(ctx, 'window', [t.range(a.start, a.end)]));
    out.pushAll(labelled(ctx, 'summary', wrap(sanitize(a.summary), avail, o.full ? 0 : LIMITS.summaryLines)));
    const figs = figuresText(a.evidence.metrics ?? {}, a.evidence.thresholds ?? {});
    if (figs.length > 0) out.pushAll(labelled(ctx, 'figures', wrap(figs.join(' · '), avail, o.full ? 0 : 4)));
    if (a.severityReason) {
      out.pushAll(labelled(ctx, 'severity', wrap(sanitize(a.severityReason), avail, o.full ? 0 : 3)));
    }
    if (a.related !== undefined && a.related.length > 0) {
      out.pushAll(labelled(ctx, 'related', a.related.map((r) => clip(relatedText(r, byId.get(r.id)), avail, o.full))));
    }
    const samples = a.evidence.samples ?? [];
    if (samples.length > 0) {
      const shown = o.full ? samples : samples.slice(0, LIMITS.samples);
      // Within one day the window line gives the date; across days each sample carries its own.
      const when = t.date(a.start) === t.date(a.end) ? t.time : t.dateTime;
      const lines = sampleLines(shown, when, avail, o.full);
      if (shown.length < samples.length) lines.push(p.dim(`… ${plural(samples.length - shown.length, 'more sample')} (--full)`));
      out.pushAll(labelled(ctx, 'evidence', lines));
    }
    if (a.references.length > 0) {
      out.pushAll(labelled(ctx, 'refs', a.references.map((r) => clip(r, avail, o.full))));
    }
    if (a.sigma) {
      const tags = a.sigma.tags?.length ? ` [${a.sigma.tags.map(sanitize).join(', ')}]` : '';
      out.pushAll(labelled(ctx, 'sigma', [clip(`${a.sigma.id} ${a.sigma.title}${tags}`, avail, o.full)]));
    }
    out.push();
  }
}

// ---------------------------------------------------------------------------------------------

/** An actor and its findings. A listed group is one of these, or several whose single findings share a shape. */
type ActorGroup = [actor: string, entries: EntryRecord[]];

/**
 * The alerts naming each actor as their subject (by user, else key, else IP), most severe first:
 * an actor an alert is about is listed by that alert's severity too, even when none of its
 * findings is in the alert (a walk of plain 200s leaves no notable entry of its own).
 */
function alertsByActor(alerts: readonly AlertRecord[]): Map<string, AlertRecord[]> {
  const out = new Map<string, AlertRecord[]>();
  for (const a of alerts) {
    const s = a.subject;
    if (s.user === undefined && s.apiKey === undefined && s.ip === undefined) continue;
    const k = actorOf(s);
    const l = out.get(k);
    if (l === undefined) out.set(k, [a]);
    else l.push(a);
  }
  for (const l of out.values()) l.sort((x, y) => severityRankOf(y.severity) - severityRankOf(x.severity));
  return out;
}

function renderFindings(ctx: Ctx, entries: EntryRecord[], alerts: readonly AlertRecord[], out: Lines): void {
  const { p, t, o } = ctx;
  if (entries.length === 0) {
    // Alerts with no finding of their own to list (a walk of plain 200s): said, or the section's
    // absence reads as though the alerts' actors did nothing notable.
    if (o.entriesMode === 'flagged' && alerts.length > 0) {
      out.push(sectionTitle(ctx, 'Findings by actor (0 entries)'));
      const why = 'No request was notable on its own: the alerts above show what their actors did, in their figures and samples. --entries all lists every request with the alerts it belongs to.';
      out.pushAll(wrap(why, ctx.width - 2, 0).map((l) => `  ${p.dim(l)}`));
    }
    return;
  }
  const aboutActor = alertsByActor(alerts);
  const groups = new Map<string, EntryRecord[]>();
  for (const e of entries) {
    const k = actorOf(e.subject);
    let g = groups.get(k);
    if (!g) {
      g = [];
      groups.set(k, g);
    }
    g.push(e);
  }
  const worstOf = new Map<EntryRecord[], number>();
  const worst = (g: EntryRecord[]): number => {
    let w = worstOf.get(g);
    if (w === undefined) {
      w = 0;
      for (const e of g) w = Math.max(w, severityRankOf(e.severity));
      worstOf.set(g, w);
    }
    return w;
  };
  const alertRank = (actor: string): number => {
    const l = aboutActor.get(actor);
    return l === undefined ? -1 : severityRankOf(l[0]!.severity);
  };
  const rank = (g: ActorGroup): number => Math.max(worst(g[1]), alertRank(g[0]));
  const ordered = [...groups.entries()].sort(
    (a, b) => rank(b) - rank(a) || alertRank(b[0]) - alertRank(a[0]) || worst(b[1]) - worst(a[1]) || b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1),
  );
  out.push(sectionTitle(ctx, `Findings by actor (${plural(entries.length, 'entry', 'entries')}, ${plural(groups.size, 'actor')})`));
  // Fixed columns: time 19, severity 4, status 3, method 7; the rest is shared by path and flags.
  const fixed = 2 + 19 + 2 + 4 + 2 + 7 + 2 + 3 + 2;
  const rest = Math.max(20, ctx.width - fixed);
  let longestPath = 4;
  for (const e of entries) longestPath = Math.max(longestPath, displayWidth(sanitize(e.request.path ?? e.request.template ?? '')));
  const pathWidth = Math.max(12, Math.min(longestPath, Math.floor(rest * 0.5)));
  const flagsWidth = Math.max(8, rest - pathWidth - 2);
  // Alerts about an actor that none of its findings belongs to: named in its header, so the
  // reader goes there (such an actor keeps a header of its own).
  const apartOf = (actor: string, group: EntryRecord[]): string[] => {
    const joined = new Set(group.flatMap((e) => e.alerts));
    return (aboutActor.get(actor) ?? []).filter((a) => !joined.has(a.id)).map((a) => sanitize(a.id));
  };
  // A stuffing run touches hundreds of accounts once each: consecutive actors with one finding of
  // the same shape share a group (unless `full`), the most severe groups are listed, and the rest
  // are summed up by the alerts they belong to, rather than print hundreds of one-line groups.
  const units: ActorGroup[][] = [];
  let lastShape: string | undefined;
  for (const g of ordered) {
    const shape = !o.full && g[1].length === 1 && apartOf(g[0], g[1]).length === 0 ? shapeOf(g[1][0]!) : undefined;
    const last = units[units.length - 1];
    if (shape !== undefined && shape === lastShape && last !== undefined) last.push(g);
    else units.push([g]);
    lastShape = shape;
  }
  const listed = o.full ? units : units.slice(0, LIMITS.actorGroups);
  const unlisted = units.slice(listed.length).flat();
  const row = (run: EntryRecord[]): string => {
    const e = run[0]!;
    const r = e.request;
    const path = sanitize(r.path ?? r.template ?? '');
    const tmpl = r.template !== undefined && r.path !== undefined && r.template !== r.path ? ` ${sanitize(r.template)}` : '';
    // The alerts first: where the column is cut, which incident a row belongs to matters most.
    // "in-alert" says no more than the ids do.
    const ownFlags = e.alerts.length > 0 ? e.flags.filter((f) => f !== 'in-alert') : e.flags;
    const flags = [...e.alerts.map((id) => `[${sanitize(id)}]`), ...ownFlags.map(sanitize)].join(', ');
    const status = r.status !== undefined ? String(r.status) : '-';
    const pathCell = o.full ? path + tmpl : pad(truncate(path, pathWidth), pathWidth);
    const statusPaint = r.status !== undefined && r.status >= 400 ? p.sev('medium') : (x: string) => x;
    let last = o.full ? flags : truncate(flags, flagsWidth);
    if (run.length > 1) {
      // A run: "×37 → 03:19:54" (how many, until when) before the flags they share, so that a cut
      // takes the flags first.
      const marker = `×${num(run.length)} → ${until(t, e.time, run[run.length - 1]!.time)}`;
      const room = flagsWidth - displayWidth(marker) - 2;
      last = p.bold(marker) + (flags !== '' && room > 0 ? `  ${truncate(flags, room)}` : '');
    }
    const line = [
      ' ',
      t.dateTime(e.time),
      p.sev(e.severity)(pad(SHORT[e.severity] ?? e.severity, 4)),
      pad(truncate(sanitize(r.method ?? '-'), 7), 7),
      pathCell,
      statusPaint(pad(status, 3)),
      last,
    ].join('  ');
    return line.trimEnd();
  };
  for (const unit of listed) {
    if (unit.length > 1) {
      // Actors with one finding each, all of one shape: one header naming them, one row.
      const run = unit.map(([, g]) => g[0]!).sort((a, b) => toMs(a.time) - toMs(b.time));
      const sev = run[0]!.severity;
      const tail = `(${num(unit.length)} actors, 1 finding each, most severe: `;
      const names = nameList(
        unit.map(([a]) => sanitize(a)),
        Math.max(16, ctx.width - displayWidth(`  ${tail}${sev})`)),
      );
      out.push(p.bold(`${names}  ${p.dim(tail)}${p.sev(sev)(sev)}${p.dim(')')}`));
      out.push(row(run));
      continue;
    }
    const [actor, group] = unit[0]!;
    group.sort((a, b) => toMs(a.time) - toMs(b.time));
    const top = SEVERITY_DESC.find((sv) => RANK[sv] === worst(group)) ?? 'info';
    const apart = apartOf(actor, group);
    const about = apart.length === 0 ? '' : `; subject of ${apart.slice(0, 3).join(', ')}${apart.length > 3 ? ` and ${apart.length - 3} more` : ''}`;
    const title = `${clip(actor, Math.max(16, ctx.width - 40 - about.length), o.full)}  ${p.dim(`(${plural(group.length, 'finding')}, most severe: `)}${p.sev(top)(top)}${p.dim(`${about})`)}`;
    out.push(p.bold(title));
    // More than fit: the most severe are listed (in time order), so an attack is not hidden behind
    // the same actor's earlier, lesser findings. `full` lists every entry on its own row.
    const { rows, shown } = o.full ? { rows: group.map((e) => [e]), shown: group.length } : pickRows(group, LIMITS.entriesPerActor);
    for (const run of rows) out.push(row(run));
    if (shown < group.length) out.push(p.dim(`    … ${num(group.length - shown)} more for this actor, less severe or later (--full)`));
  }
  if (unlisted.length > 0) out.push(p.dim(`… ${restSummary(unlisted.map(([, g]) => g))} (--full lists them; --format ndjson gives every entry)`));
  out.push();
}

/**
 * What makes findings read alike on one row: method, path (or template when there is no path),
 * status, severity, flags and alert ids. Raw values: two that sanitise alike stay apart.
 */
function shapeOf(e: EntryRecord): string {
  const r = e.request;
  return JSON.stringify([r.method ?? null, r.path ?? r.template ?? null, r.status ?? null, e.severity, e.flags, e.alerts]);
}

/** Findings in time order, of the given shapes, cut into runs of consecutive findings of one shape. */
function runsOf(entries: EntryRecord[], shapes: string[]): EntryRecord[][] {
  const runs: EntryRecord[][] = [];
  entries.forEach((e, i) => {
    const run = runs[runs.length - 1];
    if (i > 0 && shapes[i] === shapes[i - 1] && run !== undefined) run.push(e);
    else runs.push([e]);
  });
  return runs;
}

/**
 * The rows listed for one actor's findings (`group`, in time order): a run of consecutive findings
 * of one shape is one row, and at most `limit` rows are listed. When not all fit, the runs holding
 * the most severe findings are taken first (the earliest among equals), each whole: a row never
 * stands for findings that had others between them. `shown` counts the findings the rows hold.
 */
function pickRows(group: EntryRecord[], limit: number): { rows: EntryRecord[][]; shown: number } {
  const runs = runsOf(group, group.map(shapeOf));
  if (runs.length <= limit) return { rows: runs, shown: group.length };
  const rank = (run: EntryRecord[]): number => severityRankOf(run[0]!.severity);
  const picked = runs
    .map((run, i) => ({ run, i }))
    .sort((a, b) => rank(b.run) - rank(a.run) || a.i - b.i)
    .slice(0, limit)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.run);
  return { rows: picked, shown: picked.reduce((n, r) => n + r.length, 0) };
}

/** The end of a run after its start: the time alone on the same day, else the date and time. */
function until(t: TimeFormatter, first: string, last: string): string {
  if (t.date(first) === t.date(last)) return t.time(last);
  const end = t.dateTime(last);
  return t.date(first).slice(0, 4) === t.date(last).slice(0, 4) ? end.slice(5) : end;
}

/** "user:1, user:2, user:3 …": as many (sanitised) names as fit in `max` columns, whole. */
function nameList(names: string[], max: number): string {
  let text = '';
  for (let i = 0; i < names.length; i++) {
    const longer = text === '' ? names[i]! : `${text}, ${names[i]!}`;
    if (displayWidth(longer) > (i === names.length - 1 ? max : max - 2)) {
      return text === '' ? truncate(names.join(', '), max) : `${text} ${ELLIPSIS}`;
    }
    text = longer;
  }
  return text;
}

/** "172 more actors with 1,604 findings; 150 of them in A1" for the actors not listed. */
function restSummary(groups: EntryRecord[][]): string {
  let findings = 0;
  const byAlert = new Map<string, number>();
  for (const g of groups) {
    findings += g.length;
    for (const e of g) for (const id of e.alerts) byAlert.set(id, (byAlert.get(id) ?? 0) + 1);
  }
  const top = [...byAlert.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const inAlerts = top.length > 0 ? `; ${top.map(([id, n]) => `${num(n)} in ${sanitize(id)}`).join(', ')}` : '';
  return `${plural(groups.length, 'more actor')} with ${plural(findings, 'finding')}${inAlerts}`;
}

// ---------------------------------------------------------------------------------------------

/**
 * What two alert titles of one rule have in common, to the last ":" or " (" they share
 * ("Credential attack: stuffing" and "Credential attack: distributed" are "Credential attack"):
 * one row counts both. Nothing in common: the first.
 */
export function sharedTitle(a: string, b: string): string {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  const head = a.slice(0, n);
  // One title is the other's start, up to a ":" or " (": the shorter is what they share.
  const rest = n === a.length ? b.slice(n) : n === b.length ? a.slice(n) : '';
  if (rest.startsWith(':') || rest.startsWith(' (')) return head;
  const cut = Math.max(head.lastIndexOf(':'), head.lastIndexOf(' ('));
  return cut > 0 ? a.slice(0, cut).trimEnd() : a;
}

function renderAlertTable(ctx: Ctx, report: Report, out: Lines): void {
  const { p } = ctx;
  const alerts = report.alerts;
  const s = report.summary;
  if (alerts.length === 0 && s.alerts.total === 0) return;
  out.push(sectionTitle(ctx, 'Alerts by rule and severity'));
  const byRule = new Map<string, { title: string; counts: Record<Severity, number> }>();
  for (const a of alerts) {
    let r = byRule.get(a.rule);
    if (!r) {
      r = { title: a.title, counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } };
      byRule.set(a.rule, r);
    } else if (r.title !== a.title) r.title = sharedTitle(r.title, a.title);
    r.counts[a.severity]++;
  }
  const rows = [...byRule.entries()].sort((a, b) => {
    const wa = SEVERITY_DESC.findIndex((sv) => a[1].counts[sv] > 0);
    const wb = SEVERITY_DESC.findIndex((sv) => b[1].counts[sv] > 0);
    const ta = Object.values(a[1].counts).reduce((x, y) => x + y, 0);
    const tb = Object.values(b[1].counts).reduce((x, y) => x + y, 0);
    return (wa < 0 ? 9 : wa) - (wb < 0 ? 9 : wb) || tb - ta || (a[0] < b[0] ? -1 : 1);
  });
  const cell = (sv: Severity, n: number): { text: string; paint?: Paint } =>
    n > 0 ? { text: num(n), paint: p.sev(sv) } : { text: '·', paint: p.dim };
  // The table counts the alerts listed; those a filter (--min-severity) left out are counted below
  // it. Mixing the two gave a total row that did not add up its rows.
  const tableRows = rows.map(([rule, r]) => {
    const total = Object.values(r.counts).reduce((x, y) => x + y, 0);
    return [sanitize(rule), sanitize(r.title), ...SEVERITY_DESC.map((sv) => cell(sv, r.counts[sv])), num(total)];
  });
  const totals = SEVERITY_DESC.map((sv) => alerts.filter((a) => a.severity === sv).length);
  tableRows.push([
    { text: 'total', paint: p.bold },
    '',
    ...SEVERITY_DESC.map((sv, i) => cell(sv, totals[i]!)),
    { text: num(alerts.length), paint: p.bold },
  ]);
  const unlisted = notListed(alerts, s);
  out.pushAll(
    renderTable(
      {
        head: ['Rule', 'Title', ...SEVERITY_DESC.map((sv) => SHORT[sv]), 'Total'],
        rows: tableRows,
        right: [2, 3, 4, 5, 6, 7],
        fixed: [2, 3, 4, 5, 6, 7],
        min: [16, 12],
        drop: [1],
      },
      ctx.table,
    ),
  );
  if (unlisted !== null) out.push(p.dim(unlisted));
  out.push();
}

/** "4 more alerts not listed after filters: 1 medium, 3 low." or null. */
function notListed(alerts: readonly AlertRecord[], s: SummaryRecord): string | null {
  const hidden = s.alerts.total - alerts.length;
  if (hidden <= 0) return null;
  const bySev = SEVERITY_DESC.map((sv) => [sv, (s.alerts.bySeverity?.[sv] ?? 0) - alerts.filter((a) => a.severity === sv).length] as const)
    .filter(([, n]) => n > 0)
    .map(([sv, n]) => `${num(n)} ${sv}`);
  return `  ${plural(hidden, 'more alert')} not listed after filters: ${bySev.join(', ')}.`;
}

function listWithMore(values: string[], more: { count: number; atLeast: boolean } | undefined, show: number): string {
  const shown = values.slice(0, show).map(sanitize);
  const hidden = values.length - shown.length + (more?.count ?? 0);
  const plus = more?.atLeast ? '+' : '';
  if (shown.length === 0) return hidden > 0 ? `+${hidden}${plus} more` : '-';
  return hidden > 0 || more?.atLeast ? `${shown.join(', ')} +${hidden}${plus}` : shown.join(', ');
}

/** The shortest unambiguous time format for the report's span: time, month-day time, or full. */
function compactTime(ctx: Ctx, s: SummaryRecord): (t: string) => string {
  const { t } = ctx;
  const span = s.timeSpan;
  if (span && t.date(span.start) === t.date(span.end)) return t.time;
  if (span && t.date(span.start).slice(0, 4) === t.date(span.end).slice(0, 4)) return (x) => t.dateTimeMinutes(x).slice(5);
  return t.dateTimeMinutes;
}

/** Distinct values seen: "3", or "50+" when tracking stopped at its cap. */
function distinctCount(values: string[], more: { count: number; atLeast: boolean } | undefined): string {
  const n = values.length + (more?.count ?? 0);
  return `${num(n)}${more?.atLeast ? '+' : ''}`;
}

function renderActors(ctx: Ctx, s: SummaryRecord, out: Lines): void {
  const { p, o } = ctx;
  if (s.actors.length === 0) return;
  out.push(sectionTitle(ctx, 'Actors'));
  const when = compactTime(ctx, s);
  const shown = o.full ? s.actors : s.actors.slice(0, LIMITS.actors);
  // `apilog summary` runs no detectors: "0 alerts" per actor would read as judged and clean.
  const judged = s.detectors.length > 0;
  const rows = shown.map((a) => [
    a.alerts > 0 ? { text: sanitize(a.actor), paint: p.bold } : sanitize(a.actor),
    when(a.firstSeen),
    when(a.lastSeen),
    a.requests,
    a.failures > 0
      ? { text: `${num(a.successes)} / ${num(a.failures)}`, paint: a.failures > a.successes ? p.sev('medium') : undefined }
      : `${num(a.successes)} / 0`,
    listWithMore(a.countries, a.more?.countries, o.full ? a.countries.length : 3),
    o.full ? listWithMore(a.ips, a.more?.ips, a.ips.length) : distinctCount(a.ips, a.more?.ips),
    o.full ? listWithMore(a.userAgents, a.more?.userAgents, a.userAgents.length) : distinctCount(a.userAgents, a.more?.userAgents),
    a.alerts > 0 ? { text: num(a.alerts), paint: p.sev('high') } : { text: judged ? '0' : '—', paint: p.dim },
  ]);
  const hiddenListed = s.actors.length - shown.length;
  const others = s.otherActors;
  if (hiddenListed > 0 || others) {
    const hidden = s.actors.slice(shown.length);
    const count = hiddenListed + (others?.actors ?? 0);
    const req = hidden.reduce((x, a) => x + a.requests, 0) + (others?.requests ?? 0);
    const okN = hidden.reduce((x, a) => x + a.successes, 0) + (others?.successes ?? 0);
    const failN = hidden.reduce((x, a) => x + a.failures, 0) + (others?.failures ?? 0);
    const al = hidden.reduce((x, a) => x + a.alerts, 0);
    rows.push([
      { text: `${num(count)} other${count === 1 ? '' : 's'}`, paint: p.dim },
      '',
      '',
      req,
      `${num(okN)} / ${num(failN)}`,
      '',
      '',
      '',
      al > 0 ? num(al) : '',
    ]);
  }
  out.pushAll(
    renderTable(
      {
        head: ['Actor', 'First seen', 'Last seen', 'Requests', 'OK / fail', 'Countries', 'IPs', 'UAs', 'Alerts'],
        rows,
        right: o.full ? [3, 4, 8] : [3, 4, 6, 7, 8],
        fixed: o.full ? [1, 2, 3, 4, 8] : [1, 2, 3, 4, 6, 7, 8],
        min: [16, undefined, undefined, undefined, undefined, 7],
        max: [40, undefined, undefined, undefined, undefined, 20],
        drop: [5, 2, 7, 6],
        // Actor keys that share their start (IAM ARNs of one account) differ at the end.
        middle: [0],
      },
      ctx.table,
    ),
  );
  if (hiddenListed > 0) {
    // The "others" row also sums the actors the summary record keeps no row for: say which is which.
    const counted = s.otherActors?.actors ?? 0;
    out.push(
      p.dim(
        counted > 0
          ? `  of the ${num(hiddenListed + counted)} others, ${num(hiddenListed)} are listed in the summary record (--full lists them here); ${num(counted)} are only counted`
          : `  ${num(hiddenListed)} more actors in the summary record (--full to list them)`,
      ),
    );
  }
  out.push();
}

function renderTraffic(ctx: Ctx, s: SummaryRecord, out: Lines): void {
  const total = s.events;
  const blocks: string[][] = [];
  if (s.topRoutes.length > 0) {
    blocks.push(
      renderTable(
        {
          head: ['Route', 'Requests', '%'],
          rows: s.topRoutes.map((r) => [sanitize(r.key), r.count, pct(r.count, total)]),
          right: [1, 2],
          fixed: [1, 2],
          min: [12],
          max: [48],
        },
        ctx.table,
      ),
    );
  }
  if (s.statuses.length > 0) {
    const rows = (ctx.o.full ? s.statuses : s.statuses.slice(0, 12)).map((r) => {
      const code = Number(r.key);
      const paint = code >= 500 ? ctx.p.sev('high') : code >= 400 ? ctx.p.sev('medium') : undefined;
      return [{ text: sanitize(r.key), paint }, r.count, pct(r.count, total)];
    });
    if (!ctx.o.full && s.statuses.length > 12) {
      const rest = s.statuses.slice(12).reduce((a, r) => a + r.count, 0);
      rows.push([{ text: 'other', paint: ctx.p.dim }, rest, pct(rest, total)]);
    }
    blocks.push(renderTable({ head: ['Status', 'Count', '%'], rows, right: [1, 2], fixed: [1, 2], min: [6], max: [12] }, ctx.table));
  }
  if (s.topIps.length > 0) {
    blocks.push(
      renderTable(
        {
          head: ['IP', 'Requests', '%'],
          rows: s.topIps.map((r) => [sanitize(r.key), r.count, pct(r.count, total)]),
          right: [1, 2],
          fixed: [1, 2],
          min: [15],
          max: [39],
        },
        ctx.table,
      ),
    );
  }
  if (blocks.length === 0) return;
  out.push(sectionTitle(ctx, 'Traffic: top routes · status mix · top IPs'));
  out.pushAll(sideBySide(blocks, ctx.width));
  out.push();
}

function renderBusiest(ctx: Ctx, s: SummaryRecord, out: Lines): void {
  const { t, p } = ctx;
  if (s.busiestWindows.length === 0) return;
  out.push(sectionTitle(ctx, 'Busiest windows'));
  const max = Math.max(...s.busiestWindows.map((w) => w.events));
  const barWidth = Math.max(4, Math.min(30, ctx.width - 56));
  const rows = s.busiestWindows.map((w) => {
    const end = w.end ?? new Date(toMs(w.start) + 300_000).toISOString();
    return [`${t.dateTime(w.start)} → ${t.time(end)}`, w.events, { text: bar(w.events, max, barWidth), paint: p.sev('medium') }];
  });
  out.pushAll(renderTable({ head: ['Window', 'Events', ''], rows, right: [1], fixed: [0, 1] }, ctx.table));
  out.push();
}

/**
 * Alerts per timeline bucket, counted from the alerts given to the reporter (so after
 * `--min-severity` / `--only`), each in the bucket of its start: the last bucket starting at or
 * before it (the first bucket for an earlier start).
 */
export function alertsPerBucket(timeline: Array<{ start: string }>, alerts: Array<{ start: string }>): number[] {
  const starts = timeline.map((b) => toMs(b.start));
  const counts = starts.map(() => 0);
  if (counts.length === 0) return counts;
  for (const a of alerts) {
    const at = toMs(a.start);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    counts[lo]!++;
  }
  return counts;
}

function renderTimeline(ctx: Ctx, report: Report, out: Lines): void {
  const { t, p } = ctx;
  const s = report.summary;
  const tl = s.timeline;
  if (tl.length === 0) return;
  const perBucket = alertsPerBucket(tl, report.alerts);
  const unit = s.timelineUnit ?? (tl.length >= 2 && toMs(tl[1]!.start) - toMs(tl[0]!.start) >= 86_400_000 ? 'day' : 'hour');
  const labelWidth = 8;
  const tailWidth = 18;
  const cols = Math.max(10, ctx.width - 2 - labelWidth - 2 - tailWidth);
  const ev = resample(
    tl.map((b) => b.events),
    cols,
  );
  const al = resample(perBucket, cols);
  // Few buckets: widen each to several columns so the chart reads at a glance.
  const stretch = Math.max(1, Math.min(4, Math.floor(cols / ev.values.length)));
  const widen = (line: string): string => [...line].map((ch) => ch.repeat(stretch)).join('');
  const per = ev.group === 1 ? unit : `${ev.group} ${unit}s`;
  const zone = s.timeZone ?? t.tz;
  out.push(sectionTitle(ctx, `Activity per ${per} (${zone})`));
  const peakIdx = tl.reduce((best, b, i) => (b.events > tl[best]!.events ? i : best), 0);
  const peak = tl[peakIdx]!;
  const fmt = unit === 'day' ? t.date : t.dateTimeMinutes;
  const eventsLine = widen(sparkline(ev.values));
  out.push('  ' + pad('events', labelWidth) + '▕' + eventsLine + '▏' + ` max ${num(Math.max(...ev.values))}`);
  const alertTotal = perBucket.reduce((a, b) => a + b, 0);
  if (alertTotal > 0) {
    out.push('  ' + pad('alerts', labelWidth) + '▕' + p.sev('high')(widen(sparkline(al.values))) + '▏' + ` max ${num(Math.max(...al.values))}`);
  }
  const first = fmt(tl[0]!.start);
  const last = fmt(tl[tl.length - 1]!.start);
  const axisWidth = displayWidth(eventsLine) + 2;
  const axis = axisWidth >= first.length + last.length + 2 ? first + ' '.repeat(axisWidth - first.length - last.length) + last : `${first} → ${last}`;
  out.push('  ' + ' '.repeat(labelWidth) + p.dim(axis));
  // As in the Alerts section: the alerts shown, and the count before filters when it differs.
  // `apilog summary` runs no detectors: no alert count, which would read as a clean bill.
  const alertText =
    s.detectors.length === 0
      ? ''
      : s.alerts.total > alertTotal
        ? `; ${plural(alertTotal, 'alert')} shown (${num(s.alerts.total)} before filters)`
        : `; ${plural(alertTotal, 'alert')} in all`;
  out.push(p.dim(`  peak: ${num(peak.events)} events in the ${unit} from ${fmt(peak.start)}${alertText}`));
  out.push();
}

// ---------------------------------------------------------------------------------------------

/** Render the whole text report into lines (without trailing newline characters). */
export function renderTextLines(report: Report, o: ReportOptions): string[] {
  const width = Math.max(40, Math.floor(o.width) || 100);
  const p = createPainters(o.color);
  const t = createTimeFormatter(o.tz);
  const ctx: Ctx = { o, p, t, width, table: { width, full: o.full, headPaint: p.head, borderPaint: p.dim } };
  const out = new Lines(width, o.full);
  const s = report.summary;
  if (!o.quiet) renderHeader(ctx, s, out);
  renderAlerts(ctx, report, out);
  // Grouped by actor: the one report that needs every entry at once.
  renderFindings(ctx, [...selectEntries(report.entries, o.entriesMode)], report.alerts, out);
  renderAlertTable(ctx, report, out);
  renderActors(ctx, s, out);
  renderTraffic(ctx, s, out);
  renderBusiest(ctx, s, out);
  renderTimeline(ctx, report, out);
  while (out.lines.length > 0 && out.lines[out.lines.length - 1] === '') out.lines.pop();
  return out.lines;
}

export function renderText(report: Report, o: ReportOptions): string {
  return renderTextLines(report, o).join('\n') + '\n';
}

/**
 * At most `n` issues, in their order: the first of each file and kind before any repeat, so that
 * one broken line in a real log still shows beside sixty from a notes file read with it.
 */
function pickIssues<T extends { file: string; kind: string }>(issues: readonly T[], n: number): T[] {
  if (issues.length <= n) return [...issues];
  const picked = new Set<T>();
  const kinds = new Set<string>();
  for (const i of issues) {
    if (picked.size >= n) break;
    const k = `${i.file}\u0000${i.kind}`;
    if (!kinds.has(k)) {
      kinds.add(k);
      picked.add(i);
    }
  }
  for (const i of issues) {
    if (picked.size >= n) break;
    picked.add(i);
  }
  return issues.filter((i) => picked.has(i));
}
