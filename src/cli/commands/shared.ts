/** Small helpers the commands share: printing tables of plain rows, reading a sample of records, naming input problems. */
import fs from 'node:fs';
import { displayWidth, escapeJsonText, pad, sanitize } from '../../report/sanitize.js';
import { wrap } from '../../report/layout.js';
import { openSource, type InputSource } from '../../ingest/index.js';
import { DEFAULT_INGEST_LIMITS, type IngestIssue, type RawRecord } from '../../ingest/types.js';
import { losesInput } from '../../analyze/events.js';
import { UsageError } from '../../analyze/options.js';
import { MAP_KEYS_HELP, parseMapKey } from '../../normalise/mapping.js';
import { MAP_PATH_SEPARATOR } from '../../normalise/map-separator.js';
import { terminalWidth } from '../../report/output.js';

export type Opts = Record<string, unknown>;
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const arr = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);

/**
 * Print text for a terminal: every line sanitised, since text may quote log content (paths,
 * user agents, ids); line breaks of our own are kept.
 */
export function write(text: string): void {
  const lines = text.replace(/\n$/, '').split('\n').map(sanitize);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Input problems of a command without a report of its own (baseline, explain): the first 20 named
 * on stderr with file and line, the rest counted. `unreadable` counts those that lost input (a file
 * that could not be read, a damaged gzip): the command then exits 3.
 */
/** An input issue as stderr says it: `apilog: FILE[:LINE]: message`, sanitised. */
export function issueLine(i: IngestIssue): string {
  return `apilog: ${sanitize(i.file)}${i.line ? `:${i.line}` : ''}: ${sanitize(i.message)}\n`;
}

export function stderrIssues(quiet: boolean): { onIssue: (i: IngestIssue) => void; unreadable: () => number } {
  let unreadable = 0;
  let problems = 0;
  return {
    onIssue(i) {
      problems++;
      if (losesInput(i.kind)) unreadable++;
      if (problems <= 20 && !quiet) process.stderr.write(issueLine(i));
    },
    unreadable: () => unreadable,
  };
}

/** JSON for scripts: C0 escaped by JSON itself, DEL/C1/bidi escaped too. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${escapeJsonText(JSON.stringify(value, null, 2))}\n`);
}

/** A cell's text: JSON for non-strings, with a space after each comma of a list so it can wrap. */
function cellText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return `[${v.map((x) => JSON.stringify(x) ?? 'null').join(', ')}]`;
  return JSON.stringify(v) ?? '';
}

/**
 * Width the listing commands (formats, rules) fit their text into: the text report's width, i.e.
 * the terminal's columns, else COLUMNS, else 100 (a pipe or a file too: a 2,000-column line of a
 * routes list helps nobody, and --format json is there for scripts).
 */
export function outputWidth(): number {
  return terminalWidth(process.stdout);
}

/** As write(), each line word-wrapped to `width` columns (words wider than that are cut, never dropped). */
export function writeWrapped(text: string, width = outputWidth()): void {
  const lines = text
    .replace(/\n$/, '')
    .split('\n')
    .flatMap((l) => {
      const s = sanitize(l);
      return displayWidth(s) <= width ? [s] : wrap(s, width);
    });
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Columns of the terminal `stream` writes to, or 0 (no limit) when it is not one (a file, a pipe). */
export function columnsOf(stream: NodeJS.WriteStream): number {
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : 0;
}

/** Widest a column other than the widest keeps when the table must shrink (padding included). */
const OTHER_COLUMN_MAX = 30;

/**
 * Column widths (padding included) that fit `width`: the other columns keep up to 30 and the
 * widest (a list of routes, a reference list) takes the rest; when that leaves it too little,
 * the wide columns share the room equally. Undefined when the table fits as it is.
 */
export function fitColumns(cells: string[][], width: number): number[] | undefined {
  if (width <= 0 || cells.length === 0) return undefined;
  const n = cells[0]!.length;
  const natural = naturalWidths(cells);
  const room = width - (n + 1);
  if (natural.reduce((a, b) => a + b, 0) <= room) return undefined;
  const widest = natural.indexOf(Math.max(...natural));
  const others = natural.map((w, i) => (i === widest ? 0 : Math.min(w, OTHER_COLUMN_MAX)));
  const left = room - others.reduce((a, b) => a + b, 0);
  if (left >= 24) return others.map((w, i) => (i === widest ? left : w));
  // The largest cap with which every column fits: narrow columns stay whole.
  let lo = 10;
  let hi = Math.max(...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (natural.reduce((a, w) => a + Math.min(w, mid), 0) <= room) lo = mid;
    else hi = mid - 1;
  }
  return natural.map((w) => Math.min(w, lo));
}

/**
 * A plain table (no colour), values sanitised for the terminal, long cells wrapped to fit `width`
 * columns (0: as wide as the cells). By default stdout's outputWidth(), as the text report.
 */
export function table(head: string[], rows: unknown[][], width = outputWidth()): string {
  const body = rows.map((r) => r.map((v) => sanitize(cellText(v))));
  const colWidths = fitColumns([head, ...body], width);
  if (colWidths === undefined) return box([head, ...body], naturalWidths([head, ...body]));
  // Wrapped here rather than by the table, which would cut a word wider than its column: a long
  // route pattern is broken across lines, never lost.
  const fit = (row: string[]): string[] => row.map((c, i) => wrap(c, colWidths[i]! - 2).join('\n'));
  return box([head, ...body].map(fit), colWidths);
}

/** Width of each column (padding included) that holds its widest line. */
function naturalWidths(cells: string[][]): number[] {
  return cells[0]!.map((_, i) => 2 + Math.max(0, ...cells.map((row) => Math.max(0, ...(row[i] ?? '').split('\n').map(displayWidth)))));
}

/**
 * Draws rows (the first is the head) whose lines fit `widths` (padding included), in the box
 * characters of the text report's tables. Drawn here, not by cli-table3: it measures every line of
 * every cell several times with a freshly built regular expression, which took five seconds for
 * `apilog rules` (about 700 lines).
 */
function box(rows: string[][], widths: number[]): string {
  const rule = (left: string, mid: string, right: string): string => `${left}${widths.map((w) => '─'.repeat(w)).join(mid)}${right}`;
  const out = [rule('┌', '┬', '┐')];
  rows.forEach((row, r) => {
    if (r > 0) out.push(rule('├', '┼', '┤'));
    const lines = widths.map((_, i) => (row[i] ?? '').split('\n'));
    const height = Math.max(...lines.map((l) => l.length));
    for (let k = 0; k < height; k++) out.push(`│${lines.map((l, i) => ` ${pad(l[k] ?? '', widths[i]! - 2)} `).join('│')}│`);
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

/** The first `limit` records of one input, for `formats detect`. */
export async function sampleRecords(
  path: string,
  limit: number,
  onIssue: (i: IngestIssue) => void,
): Promise<RawRecord[]> {
  // A regular file with its size, as expandInputs lists it (so a damaged gzip can be read again).
  const st = path === '-' ? undefined : fs.statSync(path, { throwIfNoEntry: false });
  const source: InputSource = path === '-' ? { path: '-', kind: 'stdin' } : st?.isFile() ? { path, kind: 'file', size: st.size } : { path, kind: 'file' };
  const out: RawRecord[] = [];
  const reader = openSource(source, DEFAULT_INGEST_LIMITS, onIssue);
  for await (const batch of reader.batches()) {
    for (const r of batch) {
      out.push(r);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/**
 * `-o` naming one of the inputs would replace the log with its own report: refused before
 * anything is read (exit 2). A report inside an input folder is passed by when the folder is read.
 */
export function refuseInputAsOutput(file: string, inputs: readonly string[]): void {
  let out: fs.Stats;
  try {
    out = fs.statSync(file);
  } catch {
    return;
  }
  for (const input of inputs) {
    if (input === '-') continue;
    try {
      const st = fs.statSync(input);
      if (st.isFile() && st.dev === out.dev && st.ino === out.ino) {
        throw new UsageError(`-o ${sanitize(file)} is also an input: the report would overwrite the log; choose another -o`);
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
    }
  }
}

/** A mistyped --sigma path would silently run no custom rule: a usage error (exit 2), like --rules. */
export function checkSigmaPaths(paths: readonly string[]): void {
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new UsageError(`--sigma: cannot read ${sanitize(p)}: no such file or folder`);
  }
}

/**
 * Every --map key must be a canonical field. `--map caller.addr=ip` (the two sides swapped) is the
 * usual mistake: said as such, with the order that works.
 */
export function checkMapKeys(map: Record<string, string>): void {
  for (const [key, value] of Object.entries(map)) {
    if (parseMapKey(key) !== undefined) continue;
    const paths = value.split(MAP_PATH_SEPARATOR);
    const swapped = paths.length === 1 && parseMapKey(value) !== undefined;
    throw new UsageError(
      swapped
        ? `--map: "${sanitize(key)}" is no canonical field but "${sanitize(value)}" is: the field comes first, --map ${sanitize(value)}=${sanitize(key)}`
        : `--map: unknown canonical field "${sanitize(key)}"; expected one of ${MAP_KEYS_HELP}`,
    );
  }
}
