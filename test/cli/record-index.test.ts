/**
 * Several records on one line (a CloudTrail file as S3 stores it: one minified line) are told apart:
 * each record from the second on carries its place on the line, in the entries, the alerts'
 * samples, the CSV and `explain --line FILE:N#K`. The real CLI on the CloudTrail incident sample,
 * minified.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNdjson, runCli } from '../helpers/cli.js';
import { tempDirs } from '../helpers/temp.js';
import { loadSchemas } from '../report/helpers.js';

const tempDir = tempDirs();
const trail = JSON.parse(fs.readFileSync('fixtures/incident-cloudtrail-probing.json', 'utf8')) as { Records: Array<{ eventTime: string; eventName: string; requestID: string }> };
const dir = tempDir('apilog-record-');
const FILE = path.join(dir, 'trail.json');
fs.writeFileSync(FILE, JSON.stringify(trail));

interface Source {
  file: string;
  line: number;
  record?: number;
}
interface Sample extends Source {
  time: number;
}

/** The record a (line, record) pair names in the one-line file. */
function recordAt(s: Source): { eventTime: string; eventName: string; requestID: string } | undefined {
  expect(s.line).toBe(1);
  return trail.Records[(s.record ?? 1) - 1];
}

const secondOfTime = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

describe('records on one line', () => {
  const res = runCli(['analyze', FILE, '--format', 'ndjson', '--entries', 'all']);
  const out = parseNdjson(res.stdout);
  const entries = out.filter((r) => r.type === 'entry') as Array<{ time: string; source: Source; request: { template?: string; requestId?: string } }>;
  const alerts = out.filter((r) => r.type === 'alert') as Array<{ rule: string; evidence: { samples: Sample[] } }>;

  it("each entry names its own record: the record at that place has the entry's time, operation and request id", () => {
    expect(res.code).toBe(0);
    expect(entries.length).toBe(trail.Records.length);
    const places = new Set(entries.map((e) => e.source.record ?? 1));
    expect(places.size).toBe(entries.length);
    expect(entries.some((e) => e.source.record === undefined)).toBe(true);
    for (const e of entries) {
      const r = recordAt(e.source);
      expect(r, JSON.stringify(e.source)).toBeDefined();
      expect(secondOfTime(r!.eventTime)).toBe(secondOfTime(e.time));
      expect(e.request.template).toContain(r!.eventName);
      expect(e.request.requestId).toBe(r!.requestID);
    }
  });

  it("an alert's samples point at their records", () => {
    const samples = alerts.flatMap((a) => a.evidence.samples);
    expect(samples.length).toBeGreaterThan(3);
    for (const s of samples) expect(secondOfTime(recordAt(s)!.eventTime)).toBe(Math.floor(s.time / 1000));
    expect(new Set(samples.map((s) => s.record)).size).toBeGreaterThan(3);
  });

  it('the records keep to the published schema', () => {
    const ajv = loadSchemas();
    for (const r of out) expect(ajv.validate(`urn:apilog:schema:v1:${String(r.type)}`, r), JSON.stringify(ajv.errors)).toBe(true);
  });

  it('the CSV of entries ends with the record column', () => {
    const csv = runCli(['analyze', FILE, '--format', 'csv', '--csv-of', 'entries', '--entries', 'all']).stdout.split('\r\n');
    expect(csv[0]!.endsWith(',line,notable,record')).toBe(true);
    expect(csv.slice(1).filter((l) => /,\d+$/.test(l)).length).toBe(entries.filter((e) => e.source.record !== undefined).length);
  });

  it('explain --line FILE:1#K explains the K-th record; FILE:1 the first', () => {
    const k = 100;
    const hundredth = runCli(['explain', FILE, '--line', `${FILE}:1#${k}`, '--no-alerts', '--format', 'json']);
    expect(hundredth.code).toBe(0);
    const got = JSON.parse(hundredth.stdout) as { time: string; source: Source };
    expect(got.source.record).toBe(k);
    expect(secondOfTime(got.time)).toBe(secondOfTime(trail.Records[k - 1]!.eventTime));
    const n = trail.Records.length;
    const firstRun = runCli(['explain', FILE, '--line', `${FILE}:1`, '--no-alerts', '--format', 'json']);
    expect((JSON.parse(firstRun.stdout) as { source: Source }).source).toEqual({ file: FILE, line: 1 });
    expect(firstRun.stderr).toContain(`apilog: line 1 holds ${n} records; this explains the first (${FILE}:1#2 to #${n} name the others)`);
    const beyond = runCli(['explain', FILE, '--line', `${FILE}:1#${n + 1}`, '--no-alerts']);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toBe(`apilog: no entry with ${FILE}:1#${n + 1} in the input: line 1 holds ${n} records, #1 to #${n}\n`);
    expect(runCli(['explain', FILE, '--line', `${FILE}:1#0`, '--no-alerts']).stderr).toContain('(K counts from 1)');
    expect(runCli(['explain', FILE, '--line', `${FILE}:7`, '--no-alerts']).stderr).toContain('the last record of the file starts on line 1');
    // The text report's pointer (its folder cut) is understood, and the record kept in the advice.
    const cut = runCli(['explain', FILE, '--line', `…/trail.json:1#${k}`, '--no-alerts']);
    expect(cut.stderr).toContain(`give the path as read: --line ${FILE}:1#${k}`);
  });

  it("explain counts a line's records when another input's records come between them (merged by time)", () => {
    const other = path.join(dir, 'trail-b.json');
    const shifted = trail.Records.map((r) => ({ ...r, eventTime: new Date(Date.parse(r.eventTime) + 1000).toISOString().replace('.000', ''), requestID: `b-${r.requestID}` }));
    fs.writeFileSync(other, JSON.stringify({ Records: shifted }));
    const r = runCli(['explain', FILE, other, '--line', `${FILE}:1`, '--no-alerts', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`apilog: line 1 holds ${trail.Records.length} records; this explains the first`);
  });

  it('a line inside a pretty-printed record: explain names the lines where the records nearest it start', () => {
    const pretty = 'fixtures/incident-cloudtrail-probing.json';
    const r = runCli(['explain', pretty, '--line', `${pretty}:3045`, '--no-alerts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no record starts on line 3045 (a record is named by the line its opening brace is on; the nearest start on lines 3039 and 3067)');
  });

  it('a record per line (the pretty-printed file) carries no record number', () => {
    const pretty = parseNdjson(runCli(['analyze', 'fixtures/incident-cloudtrail-probing.json', '--format', 'ndjson', '--entries', 'all']).stdout);
    const src = pretty.filter((r) => r.type === 'entry').map((r) => r.source as Source);
    expect(src.length).toBe(entries.length);
    expect(src.every((s) => s.record === undefined && s.line > 1)).toBe(true);
  });
});
