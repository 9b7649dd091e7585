/** Test helpers: ajv with the shipped v1 schemas, a collecting stream, the hostile fixture. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AlertRecord, EntryRecord, SummaryRecord } from '../../src/report/records.js';
import { writeReport, type ReportOptions } from '../../src/report/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCHEMA_DIR = path.join(ROOT, 'schema/v1');

/** Ajv (draft 2020-12) with every schema in schema/v1 loaded, strict about the schemas themselves. */
export function loadSchemas(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  for (const f of readdirSync(SCHEMA_DIR).filter((x) => x.endsWith('.schema.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as object);
  }
  return ajv;
}

export type AnyRecord = AlertRecord | EntryRecord | SummaryRecord;

export function loadHostile(): { summary: SummaryRecord; alerts: AlertRecord[]; entries: EntryRecord[] } {
  const lines = readFileSync(path.join(ROOT, 'fixtures/report/hostile.ndjson'), 'utf8').trim().split('\n');
  const records = lines.map((l) => JSON.parse(l) as AnyRecord);
  return {
    summary: records.find((r): r is SummaryRecord => r.type === 'summary')!,
    alerts: records.filter((r): r is AlertRecord => r.type === 'alert'),
    entries: records.filter((r): r is EntryRecord => r.type === 'entry'),
  };
}

/** Render through writeReport into a string. */
export async function render(
  report: { summary: SummaryRecord; alerts: AlertRecord[]; entries: Iterable<EntryRecord> },
  options: ReportOptions,
): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeReport(report, options, out);
  out.end();
  await new Promise((r) => out.on('end', r));
  return Buffer.concat(chunks).toString('utf8');
}

/** A small RFC 4180 parser (quoted fields, doubled quotes, CRLF), independent of the writer. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Characters that must never reach a terminal raw. */
export const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
