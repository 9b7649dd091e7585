/** Small helpers the commands share: printing tables of plain rows, and reading a sample of records. */
import fs from 'node:fs';
import Table from 'cli-table3';
import { escapeJsonText, sanitize } from '../../report/sanitize.js';
import { openSource, type InputSource } from '../../ingest/index.js';
import { DEFAULT_INGEST_LIMITS, type IngestIssue, type RawRecord } from '../../ingest/types.js';

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

/** JSON for scripts: C0 escaped by JSON itself, DEL/C1/bidi escaped too. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${escapeJsonText(JSON.stringify(value, null, 2))}\n`);
}

/** A plain table (no colour), values sanitised for the terminal. */
export function table(head: string[], rows: unknown[][]): string {
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true });
  for (const r of rows) t.push(r.map((v) => sanitize(typeof v === 'string' ? v : JSON.stringify(v) ?? '')));
  return t.toString();
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
