/** json, ndjson, csv and sarif output: parsed back by independent parsers and checked against the schemas. */
import { Readable } from 'node:stream';
import ndjson from 'ndjson';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ALERT_CSV_COLUMNS, ENTRY_CSV_COLUMNS, alertFingerprint, buildSarif, sarifLevel } from '../../src/report/index.js';
import type { AlertRecord, EntryRecord, SummaryRecord } from '../../src/report/records.js';
import { SCHEMA_VERSION } from '../../src/report/records.js';
import { options, sampleReport } from './sample-report.js';
import { RAW_UNSAFE, loadHostile, loadSchemas, parseCsv, render } from './helpers.js';
import { renderText } from '../../src/report/text.js';

const ajv = loadSchemas();
const validateRecord = ajv.getSchema('urn:apilog:schema:v1:record')!;
const validateReport = ajv.getSchema('urn:apilog:schema:v1:report')!;

function parseWithNdjson(text: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const out: unknown[] = [];
    Readable.from([text])
      .pipe(ndjson.parse({ strict: true }))
      .on('data', (d: unknown) => out.push(d))
      .on('error', reject)
      .on('end', () => resolve(out));
  });
}

function expectValid(validate: typeof validateRecord, value: unknown): void {
  const ok = validate(value);
  expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
}

describe('ndjson', () => {
  it('writes alerts, then entries, then the summary last, one per newline-terminated line', async () => {
    const text = await render(sampleReport(), options({ format: 'ndjson', entriesMode: 'all' }));
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    const types = lines.map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['alert', 'alert', 'alert', 'alert', 'alert', 'entry', 'entry', 'entry', 'entry', 'entry', 'entry', 'summary']);
  });

  it('is read identically by the ndjson package and by JSON.parse', async () => {
    for (const report of [sampleReport(), loadHostile()]) {
      const text = await render(report, options({ format: 'ndjson', entriesMode: 'all' }));
      const byNdjson = await parseWithNdjson(text);
      const byJson = text.trim().split('\n').map((l) => JSON.parse(l) as unknown);
      expect(byNdjson).toEqual(byJson);
      expect(byJson).toEqual([...report.alerts, ...report.entries, report.summary]);
    }
  });

  it('validates every line against schema/v1/record.schema.json', async () => {
    for (const report of [sampleReport(), loadHostile()]) {
      const text = await render(report, options({ format: 'ndjson', entriesMode: 'all' }));
      for (const line of text.trim().split('\n')) expectValid(validateRecord, JSON.parse(line));
    }
  });

  it('rejects records that break the contract (the schema is not vacuous)', () => {
    const alert = sampleReport().alerts[0]! as unknown as Record<string, unknown>;
    expect(validateRecord({ ...alert, severity: 'severe' })).toBe(false);
    expect(validateRecord({ ...alert, start: '2024-03-01 10:00' })).toBe(false);
    const { summary: _s, ...noSummary } = alert;
    expect(validateRecord(noSummary)).toBe(false);
    expect(validateRecord({ ...sampleReport().summary, type: 'nope' })).toBe(false);
    expect(validateRecord({ ...sampleReport().entries[0]!, answers: { why: { answer: 'x', notable: false } } })).toBe(false);
  });

  it('escapes DEL, C1 and bidi characters so the raw file is safe to cat', async () => {
    const text = await render(loadHostile(), options({ format: 'ndjson', entriesMode: 'all' }));
    expect(text.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\u009b');
    expect(text).toContain('\\u007f');
    expect(text).toContain('\\u001b');
  });

  it('honours entriesMode none and flagged', async () => {
    const none = await render(sampleReport(), options({ format: 'ndjson', entriesMode: 'none' }));
    expect(none).not.toContain('"type":"entry"');
    const flagged = await render(sampleReport(), options({ format: 'ndjson', entriesMode: 'flagged' }));
    expect(flagged.match(/"type":"entry"/g)).toHaveLength(5);
  });
});

describe('json', () => {
  it('writes one document { summary, alerts, entries } that validates', async () => {
    const text = await render(sampleReport(), options({ format: 'json', entriesMode: 'all' }));
    const doc = JSON.parse(text) as { summary: SummaryRecord; alerts: AlertRecord[]; entries: EntryRecord[] };
    expect(Object.keys(doc)).toEqual(['summary', 'alerts', 'entries']);
    expect(doc).toEqual(sampleReport());
    expect(doc.summary.schemaVersion).toBe(SCHEMA_VERSION);
    expectValid(validateReport, doc);
  });

  it('entries made as they are read (a generator, read once) give the bytes an array gives, in every machine format', async () => {
    const made = function* (entries: EntryRecord[]): Generator<EntryRecord> {
      yield* entries;
    };
    for (const format of ['json', 'ndjson', 'csv', 'sarif'] as const) {
      for (const entriesMode of ['all', 'flagged', 'none'] as const) {
        for (const report of [sampleReport(), { ...sampleReport(), entries: sampleReport().entries.slice(0, 1) }, { ...sampleReport(), entries: [] }]) {
          const o = options({ format, entriesMode, csvOf: 'entries' });
          expect(await render({ ...report, entries: made(report.entries) }, o), `${format} ${entriesMode} ${report.entries.length}`).toBe(await render(report, o));
        }
      }
    }
  });

  it('lays the document out as JSON.stringify with two spaces would, with 0, 1 and many records', async () => {
    const full = sampleReport();
    for (const report of [full, { ...full, alerts: full.alerts.slice(0, 1), entries: full.entries.slice(0, 1) }, { ...full, alerts: [], entries: [] }]) {
      const text = await render(report, options({ format: 'json', entriesMode: 'all' }));
      expect(text).toBe(JSON.stringify({ summary: report.summary, alerts: report.alerts, entries: report.entries }, null, 2) + '\n');
    }
  });

  it('writes empty arrays and safe text for hostile input', async () => {
    const empty = JSON.parse(await render({ ...sampleReport(), alerts: [], entries: [] }, options({ format: 'json' }))) as {
      alerts: unknown[];
      entries: unknown[];
    };
    expect(empty.alerts).toEqual([]);
    expect(empty.entries).toEqual([]);
    const text = await render(loadHostile(), options({ format: 'json', entriesMode: 'all' }));
    expect(text.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
    expect(JSON.parse(text)).toEqual(loadHostile());
  });
});

describe('csv', () => {
  it('writes the documented alert columns, one row per alert', async () => {
    const rows = parseCsv(await render(sampleReport(), options({ format: 'csv' })));
    expect(rows[0]).toEqual([...ALERT_CSV_COLUMNS]);
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(r).toHaveLength(ALERT_CSV_COLUMNS.length);
    const a1 = Object.fromEntries(ALERT_CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    expect(a1).toMatchObject({
      id: 'A1',
      severity: 'critical',
      rule: 'credential-stuffing',
      duration_s: '764',
      ip: '203.0.113.9',
      route: '/login',
      metrics: 'failures=480; distinctUsers=212; successes=3; windowMinutes=12',
      thresholds: 'failures=50; distinctUsers=20',
      samples: '6',
      references: 'https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/; OAT-008',
    });
    expect(a1.evidence).toMatch(/^logs\/gateway\.ndjson:1188; logs\/gateway\.ndjson:1204; /);
    expect(a1.related).toBe('');
    // A linked alert names the alerts it follows; the columns added since come after it.
    const r = sampleReport();
    r.alerts[1]!.related = [{ id: 'A1', relation: 'follows-takeover' }];
    const linked = parseCsv(await render(r, options({ format: 'csv' })));
    expect(linked[2]![ALERT_CSV_COLUMNS.indexOf('related')]).toBe('A1 follows-takeover');
    expect(ALERT_CSV_COLUMNS.slice(-3)).toEqual(['related', 'origin_ips', 'origin_api_keys']);
    // The subject names the IP: no origin IPs are repeated.
    expect(a1.origin_ips).toBe('');
  });

  it('names standard input stdin, as SARIF does, not `-` (a cell a spreadsheet would take for a formula)', async () => {
    const r = sampleReport();
    r.alerts[0]!.evidence.samples = [{ time: 0, file: '-', line: 17 }, { time: 0, file: '-', line: 21 }];
    for (const e of r.entries) e.source = { file: '-', line: 3 };
    const alerts = parseCsv(await render(r, options({ format: 'csv' })));
    expect(alerts[1]![ALERT_CSV_COLUMNS.indexOf('evidence')]).toBe('stdin:17; stdin:21');
    const entries = parseCsv(await render(r, options({ format: 'csv', csvOf: 'entries', entriesMode: 'all' })));
    expect(entries.slice(1).map((row) => row[ENTRY_CSV_COLUMNS.indexOf('file')])).toEqual(r.entries.map(() => 'stdin'));
  });

  it("says where a user's alert came from: the addresses its evidence counted, the API keys of its samples", async () => {
    const r = sampleReport();
    const a = r.alerts[1]!;
    a.subject = { user: 'c.baxter', route: '/api/v2/invoices/{id}' };
    a.evidence = {
      ...a.evidence,
      ips: { '85.214.132.9': 2, '203.0.113.77': 419 },
      samples: [
        { time: 1, file: 'a.log', line: 1, apiKey: '6c664d6d…[REDACTED api-key len=36 sha256:d5d1095d]' },
        { time: 2, file: 'a.log', line: 2, apiKey: '6c664d6d…[REDACTED api-key len=36 sha256:d5d1095d]' },
        { time: 3, file: 'a.log', line: 3, apiKey: '8b7a5914…[REDACTED api-key len=36 sha256:0a1b2c3d]' },
        { time: 4, file: 'a.log', line: 4 },
      ],
    };
    const rows = parseCsv(await render(r, options({ format: 'csv' })));
    const row = Object.fromEntries(ALERT_CSV_COLUMNS.map((c, i) => [c, rows[2]![i]]));
    expect(row.ip).toBe('');
    expect(row.origin_ips).toBe('203.0.113.77 419; 85.214.132.9 2');
    expect(row.origin_api_keys).toBe('6c664d6d…[REDACTED api-key len=36 sha256:d5d1095d] 2/4; 8b7a5914…[REDACTED api-key len=36 sha256:0a1b2c3d] 1/4');
    const text = renderText(r, options({ width: 260 }));
    expect(text).toContain(
      '  from      ips 203.0.113.77 (419 requests), 85.214.132.9 (2 requests) · api keys 6c664d6d…[REDACTED api-key len=36 sha256:d5d1095d] (2 of 4 samples), 8b7a5914…[REDACTED api-key len=36 sha256:0a1b2c3d] (1 of 4 samples)',
    );
    // An alert whose subject names its IP and key gets no such line.
    expect(text.split('\n').filter((l) => l.startsWith('  from '))).toHaveLength(1);
  });

  it("names no sample addresses for an alert whose samples are ten of a spray's many sources", async () => {
    const r = sampleReport();
    const a = r.alerts[1]!;
    a.subject = { route: '/api/login' };
    a.evidence = { ...a.evidence, ips: undefined, samples: Array.from({ length: 10 }, (_, i) => ({ time: i, file: 'a.log', line: i + 1, ip: `45.${100 + i}.0.9` })) };
    const rows = parseCsv(await render(r, options({ format: 'csv' })));
    expect(rows[2]![ALERT_CSV_COLUMNS.indexOf('origin_ips')]).toBe('');
    // Samples from one address name it.
    a.evidence = { ...a.evidence, samples: a.evidence.samples.map((x) => ({ ...x, ip: '198.51.100.23' })) };
    const one = parseCsv(await render(r, options({ format: 'csv' })));
    expect(one[2]![ALERT_CSV_COLUMNS.indexOf('origin_ips')]).toBe('198.51.100.23 10/10');
  });

  it('writes the documented entry columns with csvOf entries', async () => {
    const rows = parseCsv(await render(sampleReport(), options({ format: 'csv', csvOf: 'entries', entriesMode: 'all' })));
    expect(rows[0]).toEqual([...ENTRY_CSV_COLUMNS]);
    expect(rows).toHaveLength(7);
    const e = Object.fromEntries(ENTRY_CSV_COLUMNS.map((c, i) => [c, rows[3]![i]]));
    expect(e).toMatchObject({
      time: '2024-03-01T11:00:05.000Z',
      user: 'alice',
      roles: 'customer',
      method: 'GET',
      path: '/orders/1001',
      template: '/orders/{id}',
      status: '200',
      bytes_out: '1830',
      flags: 'object-not-owned; enumeration',
      alerts: 'A2',
      file: 'logs/gateway.ndjson',
      line: '2001',
      notable: "permissions: customer role reading another customer's order",
    });
  });

  it("fills user_agent of entries from the request, else from the subject", async () => {
    const report = sampleReport();
    report.entries[2] = { ...report.entries[2]!, subject: { ...report.entries[2]!.subject, userAgent: 'subject-ua/1' }, request: { ...report.entries[2]!.request, userAgent: 'request-ua/2' } };
    const rows = parseCsv(await render(report, options({ format: 'csv', csvOf: 'entries', entriesMode: 'all' })));
    const ua = ENTRY_CSV_COLUMNS.indexOf('user_agent');
    // Entry 1 carries it in its request, entry 4 only in its subject, entry 2 nowhere; the request's wins.
    expect(rows.slice(1).map((r) => r[ua])).toEqual(['curl/8.4.0', '', 'request-ua/2', 'python-requests/2.31', '', '']);
  });
});

/**
 * The essential structure of SARIF 2.1.0 (a subset of the OASIS schema, embedded: no network):
 * required properties, the level enum, locations with artifactLocation.uri and region.startLine.
 */
const SARIF_SUBSET = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['version', 'runs'],
  properties: {
    $schema: { type: 'string' },
    version: { const: '2.1.0' },
    runs: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        required: ['tool', 'results'],
        properties: {
          tool: {
            type: 'object',
            required: ['driver'],
            properties: {
              driver: {
                type: 'object',
                required: ['name', 'rules'],
                properties: {
                  name: { type: 'string' },
                  version: { type: 'string' },
                  rules: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['id', 'name', 'shortDescription', 'defaultConfiguration'],
                      properties: {
                        id: { type: 'string' },
                        name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*$' },
                        shortDescription: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
                        defaultConfiguration: {
                          type: 'object',
                          required: ['level'],
                          properties: { level: { enum: ['none', 'note', 'warning', 'error'] } },
                        },
                        helpUri: { type: 'string', pattern: '^https?://' },
                      },
                    },
                  },
                },
              },
            },
          },
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['ruleId', 'ruleIndex', 'level', 'message', 'partialFingerprints'],
              properties: {
                ruleId: { type: 'string' },
                ruleIndex: { type: 'integer', minimum: 0 },
                level: { enum: ['none', 'note', 'warning', 'error'] },
                message: { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1 } } },
                partialFingerprints: { type: 'object', additionalProperties: { type: 'string' } },
                locations: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['physicalLocation'],
                    properties: {
                      physicalLocation: {
                        type: 'object',
                        required: ['artifactLocation'],
                        properties: {
                          artifactLocation: { type: 'object', required: ['uri'], properties: { uri: { type: 'string', minLength: 1 } } },
                          region: { type: 'object', required: ['startLine'], properties: { startLine: { type: 'integer', minimum: 1 } } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

describe('sarif', () => {
  const sarifAjv = new Ajv2020({ allErrors: true, strict: false });
  const validateSarif = sarifAjv.compile(SARIF_SUBSET);

  it('has the essential SARIF 2.1.0 structure', async () => {
    for (const report of [sampleReport(), loadHostile()]) {
      const doc = JSON.parse(await render(report, options({ format: 'sarif' }))) as Record<string, unknown>;
      expect(validateSarif(doc), JSON.stringify(validateSarif.errors, null, 2)).toBe(true);
    }
  });

  it("carries an alert's links to others in its properties, by alertId", () => {
    const r = sampleReport();
    r.alerts[1]!.related = [{ id: 'A1', relation: 'follows-takeover' }];
    const results = (buildSarif(r) as { runs: Array<{ results: Array<{ properties: Record<string, unknown> }> }> }).runs[0]!.results;
    expect(results[1]!.properties.related).toEqual([{ id: 'A1', relation: 'follows-takeover' }]);
    expect(results[0]!.properties.related).toBeUndefined();
  });

  it('maps rules, levels, messages and locations from the alerts', () => {
    const doc = buildSarif(sampleReport()) as {
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string; name: string; helpUri?: string; defaultConfiguration: { level: string } }> } };
        results: Array<{ ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations?: unknown[]; partialFingerprints: Record<string, string> }>;
      }>;
    };
    const run = doc.runs[0]!;
    expect(run.tool.driver.name).toBe('apilog');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['credential-stuffing', 'bola-enumeration', 'error-storm', 'new-user-agent', 'sensitive-query']);
    expect(run.tool.driver.rules[0]).toMatchObject({
      name: 'CredentialStuffing',
      helpUri: 'https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/',
      defaultConfiguration: { level: 'error' },
    });
    expect(run.tool.driver.rules[2]!.helpUri).toBeUndefined();
    expect(run.tool.driver.rules[4]!.helpUri).toBeUndefined(); // "OWASP API8:2023" is not a URL
    expect(run.results.map((r) => r.level)).toEqual(['error', 'error', 'warning', 'note', 'note']);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(run.results[0]!.message.text).toMatch(/^203\.0\.113\.9 tried 212 distinct usernames/);
    expect(run.results[0]!.locations).toHaveLength(6);
    expect(run.results[0]!.locations![0]).toEqual({
      physicalLocation: { artifactLocation: { uri: 'logs/gateway.ndjson' }, region: { startLine: 1188 } },
    });
    expect(run.results[3]!.locations).toBeUndefined();
  });

  it('gives stable fingerprints: same alert, same print; other subject, other print', () => {
    const [a1, a2] = sampleReport().alerts;
    expect(alertFingerprint(a1!)).toBe(alertFingerprint({ ...a1!, id: 'A9', summary: 'reworded' }));
    expect(alertFingerprint(a1!)).not.toBe(alertFingerprint({ ...a1!, subject: { ip: '203.0.113.10', route: '/login' } }));
    expect(alertFingerprint(a1!)).not.toBe(alertFingerprint(a2!));
    expect(alertFingerprint(a1!)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('carries the input issues as execution notifications; input lost makes the run unsuccessful, as exit 3 does', () => {
    type Inv = { executionSuccessful: boolean; toolExecutionNotifications?: Array<{ level: string; message: { text: string }; locations: unknown[] }> };
    const inv = (r: ReturnType<typeof sampleReport>): Inv => (buildSarif(r) as { runs: Array<{ invocations: Inv[] }> }).runs[0]!.invocations[0]!;
    const skippedOnly = inv(sampleReport());
    expect(skippedOnly.executionSuccessful).toBe(true);
    expect(skippedOnly.toolExecutionNotifications!.map((n) => [n.level, n.message.text])).toEqual([
      ['warning', 'malformed-json: Unexpected token } at column 88'],
      ['warning', 'malformed-json: Unterminated string'],
      ['note', '1 more input issues (the report\'s summary counts them)'],
    ]);
    expect(skippedOnly.toolExecutionNotifications![0]!.locations).toEqual([
      { physicalLocation: { artifactLocation: { uri: 'logs/gateway.ndjson' }, region: { startLine: 17 } } },
    ]);
    const damaged = sampleReport();
    damaged.summary.issues.push({ kind: 'gzip-error', file: 'logs/old.ndjson.gz', message: 'unexpected end of file after 1.7 MiB decompressed' });
    const lost = inv(damaged);
    expect(lost.executionSuccessful).toBe(false);
    expect(lost.toolExecutionNotifications!.find((n) => n.message.text.startsWith('gzip-error'))?.level).toBe('error');
    const clean = sampleReport();
    clean.summary.issues = [];
    clean.summary.issuesTotal = 0;
    expect(inv(clean)).toEqual({ executionSuccessful: true, toolConfigurationNotifications: expect.any(Array) });
    // A file none of whose lines mapped exits 3 with only warnings among its issues: the file itself is the error.
    const unmapped = sampleReport();
    unmapped.summary.files.push({ path: 'logs/app.json', format: 'custom', confidence: 0, container: 'ndjson', gzip: false, events: 0, malformed: 0, skipped: { unmapped: 2 }, missingFields: [] });
    const notRead = inv(unmapped);
    expect(notRead.executionSuccessful).toBe(false);
    expect(notRead.toolExecutionNotifications![0]).toEqual({
      level: 'error',
      message: { text: 'not-analysed: no events could be mapped from logs/app.json (`apilog formats detect` shows why)' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'logs/app.json' } } }],
    });
    expect(notRead.toolExecutionNotifications!.slice(1).map((n) => n.level)).toEqual(['warning', 'warning', 'note']);
    // An empty file is no loss.
    const empty = sampleReport();
    empty.summary.files.push({ path: 'logs/empty.json', format: 'unknown', confidence: 0, container: 'ndjson', gzip: false, events: 0, malformed: 0, skipped: {}, missingFields: [] });
    expect(inv(empty).executionSuccessful).toBe(true);
  });

  it('maps severities to SARIF levels', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => sarifLevel(s as 'info'))).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });

  it("gives each rule GitHub's security tag and the security-severity of its worst alert in the run", () => {
    const r = sampleReport();
    const base = r.alerts[0]!;
    r.alerts = [
      { ...base, id: 'A1', rule: 'scraping', severity: 'medium' },
      { ...base, id: 'A2', rule: 'scraping', severity: 'critical' },
      { ...base, id: 'A3', rule: 'after-hours-admin', severity: 'low' },
    ];
    type Rule = { id: string; properties: { tags: string[]; 'security-severity': string } };
    const rules = (buildSarif(r) as { runs: Array<{ tool: { driver: { rules: Rule[] } } }> }).runs[0]!.tool.driver.rules;
    expect(rules.map((x) => [x.id, x.properties['security-severity'], x.properties.tags[0]])).toEqual([
      ['scraping', '9.5', 'security'],
      ['after-hours-admin', '3.0', 'security'],
    ]);
  });

  it('percent-encodes artifact URIs and keeps line 0 out of regions', () => {
    const r = sampleReport();
    r.alerts = [
      {
        ...r.alerts[0]!,
        evidence: {
          metrics: {},
          thresholds: {},
          samples: [
            { time: 0, file: 'logs/my file#1.ndjson', line: 0 },
            { time: 0, file: '/var/log/api.ndjson', line: 3 },
            { time: 0, file: '-', line: 2 },
          ],
        },
      },
    ];
    const run = (buildSarif(r) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: Record<string, unknown> }> }> }> }).runs[0]!;
    const locs = run.results[0]!.locations.map((l) => l.physicalLocation);
    expect(locs[0]).toEqual({ artifactLocation: { uri: 'logs/my%20file%231.ndjson' } });
    expect(locs[1]).toEqual({ artifactLocation: { uri: 'file:///var/log/api.ndjson' }, region: { startLine: 3 } });
    expect(locs[2]).toEqual({ artifactLocation: { uri: 'stdin' }, region: { startLine: 2 } });
  });
});
