/**
 * Terminal layout helpers for the text report: tables fitted to the terminal width (cli-table3),
 * block-character sparklines, word wrapping and side-by-side blocks.
 * All text given here is already sanitised; colouring is applied after fitting.
 */
import Table from 'cli-table3';
import { ELLIPSIS, displayWidth, pad, stripAnsi, truncate } from './sanitize.js';

export type Paint = (s: string) => string;

export interface Cell {
  text: string;
  paint?: Paint;
}

export type CellInput = string | number | Cell;

export interface TableSpec {
  head: string[];
  rows: CellInput[][];
  /** Columns aligned right (numbers). */
  right?: number[];
  /** Columns never shrunk below their natural width (short figures). */
  fixed?: number[];
  /** Smallest width of each shrinkable column, content only (default `minWidth`). */
  min?: Array<number | undefined>;
  /** Largest width of a column unless full (content only). */
  max?: Array<number | undefined>;
  /** Default smallest width a shrinkable column may get (default 6). */
  minWidth?: number;
  /** Columns left out, in this order, while the table does not fit (never when full). */
  drop?: number[];
  /** Columns holding file paths: cut keeping the file name (see cutPath), not from the right. */
  paths?: number[];
  /** Columns cut in the middle, keeping both ends (actor keys: `user:arn:aws:iam::…:user/ci-deploy`). */
  middle?: number[];
}

export interface TableContext {
  width: number;
  full: boolean;
  headPaint: Paint;
  borderPaint: Paint;
}

function toCell(c: CellInput): Cell {
  if (typeof c === 'number') return { text: c.toLocaleString('en-US') };
  if (typeof c === 'string') return { text: c };
  return c;
}

/**
 * Column widths (content only) fitted into `budget` columns: the widest columns give way first,
 * never below their minimum (or their natural width, when smaller). May exceed the budget when
 * the minimums do not fit.
 */
export function fitWidths(natural: number[], budget: number, min: number[], fixed: Set<number>): number[] {
  const widths = [...natural];
  const floor = (i: number): number => (fixed.has(i) ? widths[i]! : Math.min(natural[i]!, min[i]!));
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (widths[i]! <= floor(i)) continue;
      if (widest < 0 || widths[i]! > widths[widest]!) widest = i;
    }
    if (widest < 0) break;
    // Shrink the widest column towards the next widest one (or its floor) in one step.
    let second = 0;
    for (let i = 0; i < widths.length; i++) {
      if (i !== widest && widths[i]! > floor(i) && widths[i]! <= widths[widest]!) second = Math.max(second, widths[i]!);
    }
    const target = Math.max(second, floor(widest));
    const step = Math.max(1, Math.min(total - budget, widths[widest]! - target));
    widths[widest] = widths[widest]! - step;
    total -= step;
  }
  return widths;
}

/** Render a table that fits `ctx.width` (unless `ctx.full`): returns its lines. */
export function renderTable(spec: TableSpec, ctx: TableContext): string[] {
  let cols = spec.head.map((_, i) => i);
  const rows = spec.rows.map((r) => r.map(toCell));
  const right = new Set(spec.right ?? []);
  const fixed = new Set(spec.fixed ?? []);
  const paths = new Set(spec.paths ?? []);
  const middle = new Set(spec.middle ?? []);
  const natural: number[] = spec.head.map((h, i) => {
    let w = displayWidth(h);
    for (const r of rows) w = Math.max(w, displayWidth(r[i]?.text ?? ''));
    const max = spec.max?.[i];
    return Math.max(1, ctx.full || max === undefined ? w : Math.min(w, max));
  });
  const mins = spec.head.map((_, i) => spec.min?.[i] ?? spec.minWidth ?? 6);
  let widths: number[] = natural;
  if (!ctx.full) {
    const drops = [...(spec.drop ?? [])];
    for (;;) {
      // Each column costs 2 for padding and 1 for its left border; plus the final right border.
      const budget = ctx.width - 3 * cols.length - 1;
      const nat = cols.map((i) => natural[i]!);
      const fixedHere = new Set(cols.map((c, k) => (fixed.has(c) ? k : -1)).filter((k) => k >= 0));
      let fitted = fitWidths(nat, budget, cols.map((i) => mins[i]!), fixedHere);
      let total = fitted.reduce((a, b) => a + b, 0);
      if (total > budget && drops.length === 0) {
        // Last resort on a narrow terminal: relax the minimums, then the fixed columns.
        fitted = fitWidths(nat, budget, cols.map(() => 3), fixedHere);
        total = fitted.reduce((a, b) => a + b, 0);
        if (total > budget) fitted = fitWidths(nat, budget, cols.map(() => 3), new Set());
      }
      if (total <= budget || drops.length === 0) {
        widths = [];
        cols.forEach((c, k) => (widths[c] = fitted[k]!));
        break;
      }
      const d = drops.shift()!;
      cols = cols.filter((c) => c !== d);
    }
  }
  const table = new Table({
    head: cols.map((i) => ctx.headPaint(ctx.full ? spec.head[i]! : truncate(spec.head[i]!, widths[i]!))),
    colWidths: cols.map((i) => widths[i]! + 2),
    colAligns: cols.map((i) => (right.has(i) ? 'right' : 'left')),
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
    wordWrap: false,
    truncate: '…',
  });
  for (const r of rows) {
    table.push(
      cols.map((i) => {
        const c = r[i] ?? { text: '' };
        const w = widths[i]!;
        const text = ctx.full ? c.text : paths.has(i) ? cutPath(c.text, w) : middle.has(i) ? truncateMiddle(c.text, w) : truncate(displayWidth(c.text) > w ? compactMasks(c.text) : c.text, w);
        return c.paint ? c.paint(text) : text;
      }),
    );
  }
  const lines = table.toString().split('\n');
  return lines.map((l) => paintBorders(l, ctx.borderPaint));
}

const BORDER_CHARS = /[┌┐└┘├┤┬┴┼─│]+/g;

function paintBorders(line: string, paint: Paint): string {
  if (paint('x') === 'x') return line;
  return line.replace(BORDER_CHARS, (m) => paint(m));
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One block character per value, scaled to `max`; zero is a space so gaps show. */
export function sparkline(values: number[], max = Math.max(0, ...values)): string {
  let out = '';
  for (const v of values) {
    if (!(v > 0) || max <= 0) {
      out += ' ';
      continue;
    }
    const idx = Math.min(7, Math.max(0, Math.ceil((v / max) * 8) - 1));
    out += BLOCKS[idx];
  }
  return out;
}

/** A horizontal bar of `width` columns at most, proportional to value / max. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0 || width <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const full = Math.floor(eighths / 8);
  const rem = eighths % 8;
  return '█'.repeat(full) + (rem > 0 ? BLOCKS[rem - 1]! : '');
}

/** Sum consecutive values in groups so at most `cols` remain; returns the values and group size. */
export function resample(values: number[], cols: number): { values: number[]; group: number } {
  if (values.length <= cols || cols <= 0) return { values: [...values], group: 1 };
  const group = Math.ceil(values.length / cols);
  const out: number[] = [];
  for (let i = 0; i < values.length; i += group) {
    let s = 0;
    for (let j = i; j < i + group && j < values.length; j++) s += values[j]!;
    out.push(s);
  }
  return { values: out, group };
}

/**
 * Word-wrap plain text to `width` columns; words longer than a line are cut hard.
 * At most `maxLines` lines (the last one ends with `…` when text remains), unless 0.
 */
export function wrap(text: string, width: number, maxLines = 0): string[] {
  const w = Math.max(8, width);
  const lines: string[] = [];
  let current = '';
  const push = (l: string): void => {
    lines.push(l);
  };
  for (const word of text.split(' ')) {
    let rest = word;
    while (displayWidth(rest) > w) {
      // Hard-cut a word wider than a line.
      if (current !== '') {
        push(current);
        current = '';
      }
      let cut = rest.slice(0, w);
      while (displayWidth(cut) > w) cut = cut.slice(0, -1);
      push(cut);
      rest = rest.slice(cut.length);
      if (maxLines > 0 && lines.length > maxLines) break;
    }
    if (maxLines > 0 && lines.length > maxLines) break;
    if (current === '') current = rest;
    else if (displayWidth(current) + 1 + displayWidth(rest) <= w) current += ' ' + rest;
    else {
      push(current);
      current = rest;
    }
  }
  if (current !== '') push(current);
  if (maxLines > 0 && lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    // A single `…` marks the cut: after a space when it fits, else in place of the last column.
    kept[maxLines - 1] = truncate(kept[maxLines - 1]! + ' …', w);
    return kept;
  }
  return lines;
}

/**
 * Put blocks of lines next to each other, as many per row as fit in `width` (greedy, in order);
 * rows are separated by a blank line.
 */
export function sideBySide(blocks: string[][], width: number, gap = 2): string[] {
  const present = blocks.filter((b) => b.length > 0);
  const widthOf = (b: string[]): number => Math.max(0, ...b.map(displayWidth));
  const rows: string[][][] = [];
  let row: string[][] = [];
  let used = 0;
  for (const b of present) {
    const w = widthOf(b);
    if (row.length > 0 && used + gap + w > width) {
      rows.push(row);
      row = [];
      used = 0;
    }
    used += (row.length > 0 ? gap : 0) + w;
    row.push(b);
  }
  if (row.length > 0) rows.push(row);
  const out: string[] = [];
  rows.forEach((r, ri) => {
    if (ri > 0) out.push('');
    const widths = r.map(widthOf);
    const height = Math.max(0, ...r.map((b) => b.length));
    for (let line = 0; line < height; line++) {
      let text = '';
      r.forEach((b, i) => {
        const cell = b[line] ?? '';
        text += i === r.length - 1 ? cell : pad(cell, widths[i]!) + ' '.repeat(gap);
      });
      out.push(text.trimEnd());
    }
  });
  return out;
}

/** Safety net for lines built from coloured pieces: cut to `width` columns (colour dropped if cut). */
export function fitLine(line: string, width: number): string {
  if (displayWidth(line) <= width) return line;
  return truncate(stripAnsi(line), width);
}


/** The last columns of `s` that fit in `max`, after a leading `…` when cut. */
export function truncateStart(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  if (max <= 0) return '';
  const chars = Array.from(s);
  let w = 1;
  let i = chars.length;
  while (i > 0 && w + displayWidth(chars[i - 1]!) <= max) w += displayWidth(chars[--i]!);
  return ELLIPSIS + chars.slice(i).join('');
}

/** A key's masked name (`sk_live_…[REDACTED stripe-key len=32 sha256:78a08441]`), whose prefix and hash tell keys apart. */
const KEY_MASK = /…\[REDACTED [a-z0-9-]+ len=\d+ sha256:([0-9a-f]{8})\]/g;

/**
 * Masked key names shortened to their prefix and hash (`sk_live_…78a08441`), for a cell too narrow
 * for them: cut as any text, a name kept its tail (`key:s…:78a08441]`), a stray bracket.
 */
export function compactMasks(s: string): string {
  return s.indexOf('[REDACTED ') < 0 ? s : s.replace(KEY_MASK, '…$1');
}

/** `s` cut to `max` columns in its middle: about a third of its start, `…`, the rest from its end. */
export function truncateMiddle(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  const compact = compactMasks(s);
  if (compact !== s) return truncateMiddle(compact, max);
  if (max <= 2) return truncateStart(s, max);
  const chars = Array.from(s);
  const headRoom = Math.floor((max - 1) / 3);
  let head = 0;
  let w = 0;
  while (head < chars.length && w + displayWidth(chars[head]!) <= headRoom) w += displayWidth(chars[head++]!);
  let tail = chars.length;
  w += 1;
  while (tail > head && w + displayWidth(chars[tail - 1]!) <= max) w += displayWidth(chars[--tail]!);
  return chars.slice(0, head).join('') + ELLIPSIS + chars.slice(tail).join('');
}

const isSep = (c: string | undefined): boolean => c === '/' || c === '\\';

/**
 * A (sanitised) file path cut to at most `max` columns so that what tells files apart stays: the
 * leading folders give way first, whole, behind a `…` (`…/2024/gateway.ndjson`); a file name
 * that does not fit alone is cut in its middle (`gatew…-1.ndjson`), keeping its start and its
 * end (numbers, dates, extension). Never cut from the right.
 */
export function cutPath(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  if (max <= 1) return truncateStart(s, max);
  // A folder (ending in a separator) is cut as a path, its separator kept.
  if (s.length > 1 && isSep(s[s.length - 1])) return cutPath(s.slice(0, -1), max - 1) + s[s.length - 1]!;
  let sep = s.length - 1;
  while (sep >= 0 && !isSep(s[sep])) sep--;
  const name = s.slice(sep + 1);
  if (sep < 0 || displayWidth(name) + 2 > max) return truncateMiddle(name, max);
  // Keep as many trailing folders as fit, whole.
  let from = sep;
  for (let i = sep - 1; i > 0; i--) {
    if (!isSep(s[i])) continue;
    if (1 + displayWidth(s.slice(i)) > max) break;
    from = i;
  }
  return ELLIPSIS + s.slice(from);
}

/**
 * The leading folder (up to and with its last separator) that all of `paths` share, when there
 * are two or more of them; '' when none, or when it is only a root or `./`.
 */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length < 2) return '';
  let prefix = paths[0]!;
  for (const p of paths) {
    let i = 0;
    while (i < prefix.length && i < p.length && prefix[i] === p[i]) i++;
    prefix = prefix.slice(0, i);
  }
  let end = prefix.length - 1;
  while (end >= 0 && !isSep(prefix[end])) end--;
  const folder = prefix.slice(0, end + 1);
  return /^(\.?[/\\])*$/.test(folder) ? '' : folder;
}
