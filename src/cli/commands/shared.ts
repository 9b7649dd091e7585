/** Small helpers the commands share: printing tables of plain rows, and reading a sample of records. */
import Table from 'cli-table3';
import { sanitize } from '../../report/sanitize.js';
import { openSource, type InputSource } from '../../ingest/index.js';
import { DEFAULT_INGEST_LIMITS, type IngestIssue, type RawRecord } from '../../ingest/types.js';

export type Opts = Record<string, unknown>;
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const arr = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function writeJson(value: unknown): void {
  write(JSON.stringify(value, null, 2));
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
  const source: InputSource = path === '-' ? { path: '-', kind: 'stdin' } : { path, kind: 'file' };
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
