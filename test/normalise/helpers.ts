import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IngestIssue, RawRecord } from '../../src/ingest/types.js';
import type { ApiEvent } from '../../src/normalise/event.js';
import { createNormaliser, type FileNormaliser, type NormaliserOptions } from '../../src/normalise/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function fixturePath(name: string): string {
  return path.join(root, 'fixtures/formats', name);
}

/**
 * Records of a fixture as ingest would hand them over: NDJSON line by line; for the .json
 * envelope fixtures ({"Records":[...]} / {"records":[...]}, one record per line) the records
 * with the line each starts on.
 */
export function loadFixture(name: string): RawRecord[] {
  const file = fixturePath(name);
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: RawRecord[] = [];
  if (name.endsWith('.ndjson')) {
    lines.forEach((l, i) => {
      if (l.trim()) out.push({ value: JSON.parse(l), source: { file, line: i + 1 } });
    });
    return out;
  }
  // Envelope: validate the whole document, then take one record per inner line.
  const doc = JSON.parse(lines.join('\n')) as Record<string, unknown[]>;
  const inner = doc.Records ?? doc.records ?? [];
  lines.forEach((l, i) => {
    const t = l.trim().replace(/,$/, '');
    if (i > 0 && t.startsWith('{')) out.push({ value: JSON.parse(t), source: { file, line: i + 1 } });
  });
  if (out.length !== inner.length) throw new Error(`fixture ${name}: expected one record per line`);
  return out;
}

export function records(values: unknown[], file = 'test.ndjson'): RawRecord[] {
  return values.map((value, i) => ({ value, source: { file, line: i + 1 } }));
}

export interface RunResult {
  events: ApiEvent[];
  issues: IngestIssue[];
  n: FileNormaliser;
}

export function run(recs: RawRecord[], opts: Partial<NormaliserOptions> = {}): RunResult {
  const issues: IngestIssue[] = [];
  const n = createNormaliser({ file: recs[0]?.source.file ?? 'test.ndjson', ...opts }, (i) => issues.push(i));
  const events: ApiEvent[] = [];
  for (const r of recs) n.push(r, events);
  n.flush(events);
  return { events, issues, n };
}

/** An event without `raw` and `source`, for compact exact comparisons. */
export function core(e: ApiEvent): Omit<ApiEvent, 'raw' | 'source'> {
  const { raw: _raw, source: _source, ...rest } = e;
  return rest;
}

/** Epoch ms from UTC parts (month 1-based). */
export function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}
