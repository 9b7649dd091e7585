/**
 * A one-line progress display on stderr: bytes and events read, rate, and ETA when the total size
 * is known. Drawn only when enabled and the stream is a TTY; redrawn at most every 200 ms; cleared
 * by done().
 */

import { formatBytes } from './units.js';

export interface ProgressOptions {
  totalBytes?: number;
  /** False when --quiet (or progress otherwise unwanted). */
  enabled: boolean;
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Clock in ms (tests). */
  now?: () => number;
  /** Minimum ms between redraws (default 200). */
  intervalMs?: number;
}

export interface Progress {
  update(bytes: number, events: number): void;
  /** The total size once known (enables the percentage and ETA). */
  setTotal(totalBytes: number | undefined): void;
  /** Erase the line before something else is written to the stream (the next update redraws it). */
  clear(): void;
  done(): void;
}


function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(Math.round(n));
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(ss).padStart(2, '0')}`;
}

/**
 * The progress text for a state (exported for tests), at most `columns` wide: the parts that do not
 * fit are left out whole from the end, never cut ("ETA" without its time says nothing).
 */
export function progressLine(bytes: number, events: number, elapsedMs: number, totalBytes?: number, columns = Infinity): string {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const parts: string[] = [];
  if (totalBytes && totalBytes > 0) {
    const pct = Math.min(100, (bytes / totalBytes) * 100);
    parts.push(`read ${formatBytes(bytes)} / ${formatBytes(totalBytes)} (${pct.toFixed(0)}%)`);
  } else {
    parts.push(`read ${formatBytes(bytes)}`);
  }
  parts.push(`${count(events)} events`);
  parts.push(`${count(events / secs)} events/s`);
  parts.push(`${formatBytes(bytes / secs)}/s`);
  if (totalBytes && totalBytes > 0 && bytes > 0 && bytes < totalBytes) {
    parts.push(`ETA ${clock(((totalBytes - bytes) / bytes) * secs)}`);
  }
  let line = parts.join(' · ');
  while (line.length > columns && parts.length > 1) {
    parts.pop();
    line = parts.join(' · ');
  }
  return line.length > columns ? line.slice(0, columns) : line;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream;
  const active = opts.enabled && stream.isTTY === true;
  if (!active) return { update: () => {}, setTotal: () => {}, clear: () => {}, done: () => {} };
  const now = opts.now ?? (() => Date.now());
  const interval = opts.intervalMs ?? 200;
  const started = now();
  let last = -Infinity;
  let drawn = false;
  let finished = false;
  let total = opts.totalBytes;
  return {
    setTotal(totalBytes) {
      total = totalBytes;
    },
    update(bytes, events) {
      if (finished) return;
      const t = now();
      if (t - last < interval) return;
      last = t;
      const columns = typeof stream.columns === 'number' && stream.columns > 1 ? stream.columns - 1 : 79;
      stream.write(`\r${progressLine(bytes, events, t - started, total, columns)}\u001b[K`);
      drawn = true;
    },
    clear() {
      if (!drawn) return;
      stream.write('\r\u001b[K');
      drawn = false;
      // Redraw at the next update, not 200 ms later: the message is on its own line by then.
      last = -Infinity;
    },
    done() {
      if (finished) return;
      finished = true;
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
