/**
 * The real CLI, end to end: what a user types and what a script relies on (exit codes, stdout
 * holding only data, diagnostics on stderr).
 */
import { mkdirSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, parseNdjson, runCli } from '../helpers/cli.js';
import { tempDirs } from '../helpers/temp.js';

const SAMPLE = 'fixtures/incident-sample.ndjson';
const tempDir = tempDirs();
const tmp = (): string => tempDir('apilog-cli-');

function summaryOf(stdout: string): Record<string, unknown> {
  const records = parseNdjson(stdout);
  const last = records[records.length - 1]!;
  expect(last.type).toBe('summary');
  return last;
}

describe('apilog analyze (CLI)', () => {
  it('finds the six attacks of the incident sample, in ndjson with the summary last', () => {
    const r = runCli(['analyze', SAMPLE, '--format', 'ndjson']);
    expect(r.code).toBe(0);
    const records = parseNdjson(r.stdout);
    const rules = new Set(records.filter((x) => x.type === 'alert').map((x) => x.rule));
    for (const rule of [
      'bola-enumeration',
      'credential-stuffing',
      'data-exfiltration',
      'impossible-travel',
      'after-hours-admin',
      'scraping',
    ]) {
      expect(rules, rule).toContain(rule);
    }
    const summary = summaryOf(r.stdout);
    expect(summary.events).toBe(readFileSync(SAMPLE, 'utf8').trim().split('\n').length);
    const files = summary.files as Array<Record<string, unknown>>;
    expect(files[0]).toMatchObject({ path: SAMPLE, format: 'flat', malformed: 0 });
    // Countries come from GeoIP when the log has none: the admin's night session was from Nigeria.
    const actors = summary.actors as Array<{ actor: string; countries: string[] }>;
    expect(actors.find((a) => a.actor === 'user:adm-7')?.countries).toEqual(['DE', 'NG']);
    // stdout is data only: every line parsed above; nothing else was printed to it.
    expect(r.stdout.trim().split('\n').length).toBe(records.length);
  });

  it('prints a text report with the alerts first when no format is given', () => {
    const r = runCli(['analyze', SAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Alerts (');
    expect(r.stdout.indexOf('Alerts (')).toBeLessThan(r.stdout.indexOf('Actors'));
    expect(r.stdout).not.toMatch(/\u001b\[/); // NO_COLOR set by the helper
  });

  it('--fail-on gates CI: exit 1 when an alert at or above the level exists, 0 otherwise', () => {
    expect(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--fail-on', 'high']).code).toBe(1);
    const benign = runCli(['analyze', 'fixtures/benign-mobile-poller.ndjson', '--format', 'ndjson', '--fail-on', 'medium']);
    expect(benign.code).toBe(0);
  });

  it('--min-severity hides alerts from the report but never opens the --fail-on gate, and the summary counts what it hides', () => {
    const r = runCli(['analyze', 'fixtures/incident-bola-enumeration.ndjson', '--format', 'ndjson', '--min-severity', 'critical', '--fail-on', 'high']);
    expect(r.code).toBe(1);
    const records = parseNdjson(r.stdout);
    expect(records.filter((x) => x.type === 'alert')).toEqual([]);
    const alerts = summaryOf(r.stdout).alerts as { total: number; bySeverity: Record<string, number> };
    expect(alerts.total).toBeGreaterThan(0);
    expect(alerts.bySeverity.high).toBeGreaterThan(0);
    const text = runCli(['analyze', 'fixtures/incident-bola-enumeration.ndjson', '--min-severity', 'critical', '--entries', 'none']).stdout;
    expect(text).toMatch(/\d+ alerts in all; 0 shown after filters\./);
  });

  it('--min-severity, --only and --skip filter what is shown', () => {
    const high = parseNdjson(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--min-severity', 'high']).stdout);
    const alerts = high.filter((x) => x.type === 'alert');
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.severity === 'high' || a.severity === 'critical')).toBe(true);
    const only = parseNdjson(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--only', 'scraping']).stdout);
    expect(new Set(only.filter((x) => x.type === 'alert').map((a) => a.rule))).toEqual(new Set(['scraping']));
    const skip = parseNdjson(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--skip', 'scraping,bola-enumeration']).stdout);
    const skipped = new Set(skip.filter((x) => x.type === 'alert').map((a) => a.rule));
    expect(skipped.has('scraping') || skipped.has('bola-enumeration')).toBe(false);
  });

  it('reads stdin given as -', () => {
    const input = readFileSync(SAMPLE);
    const r = runCli(['analyze', '-', '--format', 'ndjson', '--only', 'credential-stuffing'], { input });
    expect(r.code).toBe(0);
    const summary = summaryOf(r.stdout);
    expect((summary.files as Array<{ path: string }>)[0]!.path).toBe('-');
    expect(parseNdjson(r.stdout).some((x) => x.rule === 'credential-stuffing')).toBe(true);
  });

  it('reads a folder of rotated gzip files (detected by content, not name) and gives the same alerts as the plain file', () => {
    const dir = tmp();
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n');
    const third = Math.ceil(lines.length / 3);
    mkdirSync(path.join(dir, 'logs'));
    for (let i = 0; i < 3; i++) {
      const part = `${lines.slice(i * third, (i + 1) * third).join('\n')}\n`;
      // Named without .gz on purpose for one of them: magic bytes decide.
      writeFileSync(path.join(dir, 'logs', i === 1 ? `access.${i}` : `access.${i}.gz`), gzipSync(part));
    }
    const folder = runCli(['analyze', path.join(dir, 'logs'), '--format', 'ndjson']);
    const plain = runCli(['analyze', SAMPLE, '--format', 'ndjson']);
    expect(folder.code).toBe(0);
    const pick = (out: string) =>
      parseNdjson(out)
        .filter((x) => x.type === 'alert')
        .map((a) => `${a.rule} ${JSON.stringify(a.subject)} ${a.start} ${a.end} ${a.severity}`)
        .sort();
    expect(pick(folder.stdout)).toEqual(pick(plain.stdout));
    const files = summaryOf(folder.stdout).files as Array<{ gzip: boolean }>;
    expect(files).toHaveLength(3);
    expect(files.every((f) => f.gzip)).toBe(true);
  });

  it('a maxActors cap from --rules drops the oldest idle state, and the summary says so', () => {
    const dir = tmp();
    const rules = path.join(dir, 'cap.yaml');
    writeFileSync(rules, 'maxActors: 5\n');
    const capped = parseNdjson(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--rules', rules]).stdout);
    const summary = capped[capped.length - 1] as { evictedActors: number; notes: string[]; detectors: Array<{ notes?: string[] }> };
    expect(summary.evictedActors).toBeGreaterThan(0);
    const said = [...summary.notes, ...summary.detectors.flatMap((d) => d.notes ?? [])].join('\n');
    expect(said).toMatch(/dropped at the maxActors cap \(5\)/);
    const uncapped = parseNdjson(runCli(['analyze', SAMPLE, '--format', 'ndjson']).stdout);
    expect((uncapped[uncapped.length - 1] as { evictedActors: number }).evictedActors).toBe(0);
  });

  it('gives the same alerts whatever order the files are named in', () => {
    const dir = tmp();
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n');
    // Two overlapping halves: even and odd lines, as two servers would log the same period.
    writeFileSync(path.join(dir, 'a.ndjson'), `${lines.filter((_, i) => i % 2 === 0).join('\n')}\n`);
    writeFileSync(path.join(dir, 'b.ndjson'), `${lines.filter((_, i) => i % 2 === 1).join('\n')}\n`);
    const ab = runCli(['analyze', path.join(dir, 'a.ndjson'), path.join(dir, 'b.ndjson'), '--format', 'ndjson', '--entries', 'none']);
    const ba = runCli(['analyze', path.join(dir, 'b.ndjson'), path.join(dir, 'a.ndjson'), '--format', 'ndjson', '--entries', 'none']);
    const alerts = (out: string) => parseNdjson(out).filter((x) => x.type === 'alert').map((a) => ({ ...a, evidence: undefined }));
    expect(alerts(ab.stdout).length).toBeGreaterThanOrEqual(6);
    expect(alerts(ba.stdout)).toEqual(alerts(ab.stdout));
  });

  it('reports malformed lines with file and line, and goes on; --strict makes them fatal (exit 3)', () => {
    const dir = tmp();
    const file = path.join(dir, 'broken.ndjson');
    const good = readFileSync('fixtures/benign-mobile-poller.ndjson', 'utf8').trim().split('\n');
    writeFileSync(file, [good[0], '{"timestamp": "2025-03-10T10:00:00Z", "user_id": ', good[1], 'not json at all', ...good.slice(2)].join('\n'));
    const r = runCli(['analyze', file, '--format', 'ndjson']);
    expect(r.code).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary.events).toBe(good.length);
    const issues = summary.issues as Array<{ file: string; line: number }>;
    expect(issues.map((i) => i.line)).toEqual(expect.arrayContaining([2, 4]));
    expect(issues.every((i) => i.file === file)).toBe(true);
    const strict = runCli(['analyze', file, '--format', 'ndjson', '--strict']);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toContain(`${file}:2`);
    expect(strict.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });


  it('never re-prints a secret quoted from a broken line: not on stderr, not with --strict, not in formats detect', () => {
    const dir = tmp();
    const file = path.join(dir, 'leaky-broken.ndjson');
    const key = 'sk_live_51HxQzNu9SecretKeyValue99';
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const good = readFileSync('fixtures/benign-mobile-poller.ndjson', 'utf8').trim().split('\n');
    writeFileSync(file, [`Authorization: Bearer ${key}`, `{"timestamp": "2025-03-10T10:00:00Z", "auth": "Bearer ${jwt}", `, ...good].join('\n'));
    const secrets = [key, jwt.slice(0, 20), jwt.slice(-20)];
    const runs = [
      runCli(['analyze', file, '--format', 'ndjson']),
      runCli(['analyze', file]),
      runCli(['analyze', file, '--strict']),
      runCli(['formats', 'detect', file]),
    ];
    for (const r of runs) for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
    // Still located and still recognisable: the issue names the line and shows the mask.
    expect(runs[0]!.stderr).toContain(`${file}:1`);
    const issues = summaryOf(runs[0]!.stdout).issues as Array<{ line: number; message: string }>;
    expect(issues.map((i) => i.line)).toEqual([1, 2]);
    expect(issues[0]!.message).toMatch(/^not JSON: Authorization: Bearer \[REDACTED/);
    expect(issues[1]!.message).toContain('"auth": "Bearer [REDAC');
    expect(runs[2]!.code).toBe(3);
  });
  it('an alert carries a fingerprint: the same incident in a later run over more of the log, whatever its id; SARIF and CSV carry the same', () => {
    const dir = tmp();
    const part = path.join(dir, 'part.ndjson');
    writeFileSync(part, readFileSync(SAMPLE, 'utf8').split('\n').slice(0, 3000).join('\n') + '\n');
    const alertsOf = (file: string): Array<Record<string, unknown>> => parseNdjson(runCli(['analyze', file, '--format', 'ndjson', '--entries', 'none']).stdout).filter((r) => r.type === 'alert');
    const before = alertsOf(part);
    const after = alertsOf(SAMPLE);
    expect(before.length).toBeGreaterThan(0);
    for (const a of [...before, ...after]) expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const key = (a: Record<string, unknown>): string => `${String(a.rule)} ${JSON.stringify(a.subject)} ${String(a.start)}`;
    const afterByKey = new Map(after.map((a) => [key(a), a]));
    // Incidents the partial log already held whole keep their fingerprint, though their ids moved.
    const kept = before.filter((a) => afterByKey.has(key(a)));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.some((a) => afterByKey.get(key(a))!.id !== a.id)).toBe(true);
    for (const a of kept) expect(afterByKey.get(key(a))!.fingerprint).toBe(a.fingerprint);
    expect(new Set(after.map((a) => a.fingerprint)).size).toBe(after.length);
    const sarif = JSON.parse(runCli(['analyze', SAMPLE, '--format', 'sarif']).stdout) as { runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }> }> };
    expect(sarif.runs[0]!.results.map((r) => r.partialFingerprints['apilogAlert/v1']).sort()).toEqual(after.map((a) => a.fingerprint).sort());
    const csv = runCli(['analyze', SAMPLE, '--format', 'csv']).stdout.trim().split('\r\n');
    // The fingerprint is the column before `related` (empty here: the sample has no linked alerts)
    // and the origin columns (no commas in them).
    expect(csv[0]!.split(',').slice(-4)).toEqual(['fingerprint', 'related', 'origin_ips', 'origin_api_keys']);
    expect(csv.slice(1).map((l) => l.split(',').at(-4)).sort()).toEqual(after.map((a) => a.fingerprint).sort());
  });

  it('options that would do nothing are usage errors, not ignored: --since-now without --since, --csv-of entries without CSV or entries', () => {
    for (const [args, msg] of [
      [['--since-now'], /--since-now makes --since count back from now: give --since too/],
      [['--csv-of', 'entries'], /--csv-of entries chooses what --format csv writes; the report format is text/],
      [['--format', 'csv', '--csv-of', 'entries', '--entries', 'none'], /would write only the header/],
    ] as const) {
      const r = runCli(['analyze', SAMPLE, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).toBe('');
    }
    expect(runCli(['analyze', SAMPLE, '--format', 'csv', '--csv-of', 'entries', '-q']).code).toBe(0);
  });

  it("the text report says what the run took; machine formats leave it out (two runs give the same records)", () => {
    const text = runCli(['analyze', 'fixtures/incident-sample.ndjson', '--entries', 'none'], { env: { ...process.env, NO_COLOR: '1' } });
    expect(text.stdout).toMatch(/\n {2}Run +\d[\d.]*m?s · [\d,]+ events\/s · peak memory [\d.]+ MiB\n/);
    const json = runCli(['analyze', 'fixtures/incident-sample.ndjson', '--entries', 'none', '--format', 'ndjson']);
    expect(summaryOf(json.stdout).run).toBeUndefined();
  });

  it('a text access log given for JSON is named as such: per line, per file, and by formats detect', () => {
    const dir = tmp();
    const alb = path.join(dir, 'alb.log');
    const line = (n: number): string =>
      `https 2025-03-10T10:00:0${n}.123456Z app/my-lb/50dc6c495c0c9188 203.0.113.5:4653${n} 10.0.1.7:80 0.000 0.001 0.000 200 200 34 366 "GET https://api.example.com:443/api/v1/users/4${n} HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`;
    writeFileSync(alb, `${line(1)}\n${line(2)}\n`);
    const r = runCli(['analyze', alb, '--format', 'ndjson']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`no events could be mapped from ${alb}: its lines look like an AWS Application Load Balancer access log, which is text: apilog reads JSON and NDJSON (docs/formats.md#text-access-logs`);
    const issues = summaryOf(r.stdout).issues as Array<{ line: number; message: string }>;
    expect(issues.map((i) => i.message.slice(0, 72))).toEqual(Array(2).fill('not JSON (looks like an AWS Application Load Balancer access log): https'));
    // Nor does the text report read as a clean log: nothing was analysed.
    const text = runCli(['analyze', alb], { env: { ...process.env, NO_COLOR: '1' } }).stdout;
    expect(text).toContain('Not judged: no events were analysed (the notes above say why).');
    expect(text).not.toContain('No alerts.');
    expect(text).not.toMatch(/\n {2}Run .*events\/s/);
    // No detector "ran" over nothing: each says why, and the text report gives the shared reason once.
    const detectors = summaryOf(r.stdout).detectors as Array<{ id: string; status: string; reason?: string }>;
    expect(detectors.length).toBeGreaterThan(5);
    for (const d of detectors) expect(d).toMatchObject({ status: 'unavailable', reason: 'no events to judge' });
    expect(text).toContain(`0 ran · ${detectors.length} could not run · 0 disabled`);
    expect(text).toContain(`all ${detectors.length} (unavailable): no events to judge: bola-enumeration, `);
    // Several disabled by --only: the reason comes first, before the names a narrow line may clip.
    const only = runCli(['analyze', 'fixtures/benign-trip.ndjson', '--only', 'scraping'], { env: { ...process.env, NO_COLOR: '1', COLUMNS: '80' } }).stdout;
    expect(only).toMatch(/\d+ \(disabled\): not selected by --only: bola-enumeration/);
    // -q leaves the notes out: the pointer then does not send the reader to them.
    const quiet = runCli(['analyze', alb, '-q'], { env: { ...process.env, NO_COLOR: '1' } }).stdout;
    expect(quiet).toContain('Not judged: no events were analysed (run without -q for the notes that say why).');
    const d = runCli(['formats', 'detect', alb]);
    expect(d.stdout.replace(/\s+/g, ' ')).toContain('format: not recognised - its lines look like an AWS Application Load Balancer access log, which is text');
  });

  it('lists the one broken line of a log even when a notes file beside it fills the issue list', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'notes.txt'), Array.from({ length: 66 }, (_, i) => `note ${i}`).join('\n') + '\n');
    const good = readFileSync('fixtures/benign-mobile-poller.ndjson', 'utf8').trim().split('\n');
    const log = path.join(dir, 'access.ndjson');
    writeFileSync(log, [...good.slice(0, 5), '{"broken": ', ...good.slice(5)].join('\n') + '\n');
    const r = runCli(['analyze', dir, '--format', 'ndjson']);
    const summary = summaryOf(r.stdout);
    expect(summary.issuesTotal).toBe(67);
    const issues = summary.issues as Array<{ file: string; line: number; kind: string }>;
    // Fifty listed in all, then the first of each further file and kind: the notes fill the list.
    expect(issues.filter((i) => i.file.endsWith('notes.txt')).length).toBeGreaterThanOrEqual(49);
    expect(issues.length).toBeLessThanOrEqual(51);
    expect(issues).toContainEqual(expect.objectContaining({ file: log, line: 6, kind: 'malformed-json' }));
    const text = runCli(['analyze', dir, '--color', 'never']);
    expect(text.stdout).toMatch(/67 in all, (first 5|5 shown \(one of each file and kind first\)):/);
    expect(text.stdout).toContain(`${log}:6`);
  });

  it('names a missing file, analyses the rest, and exits 3', () => {
    const r = runCli(['analyze', 'no/such/file.ndjson', 'fixtures/benign-mobile-poller.ndjson', '--format', 'ndjson']);
    expect(r.code).toBe(3);
    const summary = summaryOf(r.stdout);
    expect(summary.events).toBeGreaterThan(0);
    expect(JSON.stringify(summary.issues)).toContain('no/such/file.ndjson');
    // Named on stderr too, where diagnostics go, not only inside the report.
    expect(r.stderr).toContain('no/such/file.ndjson');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--sigma: a path that does not exist is a usage error; a rule that cannot run is named on stderr for machine output', () => {
    const missing = runCli(['analyze', SAMPLE, '--sigma', 'no/such/rules', '--format', 'json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('apilog: --sigma: cannot read no/such/rules: no such file or folder\n');
    const dir = tmp();
    writeFileSync(path.join(dir, 'bad.yml'), 'title: x\nlogsource: {category: webserver}\ndetection:\n  sel: {cs-uri-query|nosuchmodifier: x}\n  condition: sel\n');
    const bad = runCli(['analyze', SAMPLE, '--sigma', dir, '--format', 'json']);
    expect(bad.code).toBe(0);
    expect(bad.stderr).toMatch(/^apilog: sigma rule not run: .*bad\.yml/m);
  });

  it('a gzip file cut at --max-decompressed exits 3: the rest of it was not read', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'access.log.1.gz'), gzipSync(readFileSync(SAMPLE)));
    const r = runCli(['analyze', dir, '--max-decompressed', '64KB', '--format', 'ndjson', '-q']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/access\.log\.1\.gz: decompressed size exceeds 64 KiB cap/);
  });

  it('a file of which no line maps exits 3 among files that do, even when --fail-on trips; an empty file does not', () => {
    const dir = tmp();
    const clf = path.join(dir, 'access.log');
    writeFileSync(clf, '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326\n');
    const empty = path.join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    const mixed = runCli(['analyze', clf, SAMPLE, '--format', 'ndjson', '--fail-on', 'high', '-q']);
    expect(mixed.code).toBe(3);
    expect(summaryOf(mixed.stdout).notes).toContain('no events could be mapped from ' + clf + ': not analysed (see `apilog formats detect <file>`)');
    expect(runCli(['analyze', empty, 'fixtures/benign-mobile-poller.ndjson', '--format', 'ndjson', '-q']).code).toBe(0);
  });

  it('a truncated .gz is analysed up to the damage, named, and exits 3: part of the input was lost', () => {
    const dir = tmp();
    const whole = gzipSync(readFileSync(SAMPLE));
    writeFileSync(path.join(dir, 'access.log.1.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    const r = runCli(['analyze', dir, '--format', 'ndjson']);
    expect(r.code).toBe(3);
    const summary = summaryOf(r.stdout);
    expect(summary.events).toBeGreaterThan(100);
    expect(JSON.stringify(summary.issues)).toMatch(/access\.log\.1\.gz.*gzip stream error/);
    // Named on stderr in its own line, ahead of any notes file's skipped lines.
    expect(r.stderr).toMatch(/^apilog: .*access\.log\.1\.gz: gzip stream error/m);
    // Where the readable part ends, in time: the start of the gap the damage leaves.
    const last = readFileSync(SAMPLE, 'utf8').split('\n').slice(0, summary.events as number).pop()!;
    const lastTime = new Date(Date.parse((JSON.parse(last) as { timestamp: string }).timestamp)).toISOString();
    expect(r.stderr).toContain(`records decoded before it are kept (the last one from ${lastTime}: later records in this file are lost)`);
    // The text report's headline says the file was cut short, not that one more line was skipped.
    const text = runCli(['analyze', dir, '--entries', 'none'], { env: { ...process.env, NO_COLOR: '1' } }).stdout;
    expect(text).toMatch(/Input +1 file · [\d,]+ events · [\d,]+ malformed · 1 file cut short \(the rest lost\)\n/);
    expect(text).not.toContain('other skipped');
    // Intact, the same file is a clean run.
    writeFileSync(path.join(dir, 'access.log.1.gz'), whole);
    expect(runCli(['analyze', dir, '--format', 'ndjson']).code).toBe(0);
  });

  it('a .gz that breaks before its first line is named once, for the gzip error, with no advice to run formats detect', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'tiny.gz'), Buffer.from([0x1f, 0x8b]));
    copyFileSync('fixtures/benign-mobile-poller.ndjson', path.join(dir, 'ok.ndjson'));
    const r = runCli(['analyze', dir, '--format', 'ndjson', '-o', path.join(tmp(), 'r.ndjson')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^apilog: .*tiny\.gz: gzip stream error \(unexpected end of file\)/m);
    expect(r.stderr).not.toContain('no events could be mapped');
    // formats detect says the same problem, without a line number it does not have.
    const d = runCli(['formats', 'detect', path.join(dir, 'tiny.gz')]);
    expect(d.stdout.replace(/\s+/g, ' ')).toContain('input problems: 1 (first: gzip stream error (unexpected end of file)');
  });

  it('names the detectors that could not run on stderr when the report goes to a file, where CI shows it', () => {
    const out = path.join(tmp(), 'r.json');
    const r = runCli(['analyze', 'fixtures/formats/envoy.ndjson', '--format', 'json', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/could not run: impossible-travel, authorization-probing; impossible-travel: no user field/);
    // Not said twice on a terminal's text report, whose header lists them already.
    expect(runCli(['analyze', 'fixtures/formats/envoy.ndjson']).stderr).not.toContain('could not run');
  });

  it('a --map path that no record holds is named on stderr and in the summary, not silently ignored', () => {
    const r = runCli(['analyze', 'fixtures/formats/envoy.ndjson', '--map', 'user=x_user.idd', '--format', 'ndjson', '--strict']);
    // Not malformed input: --strict does not make it fatal.
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/envoy\.ndjson: --map user=x_user\.idd: none of the first \d+ records has "x_user\.idd"/);
    expect(JSON.stringify(summaryOf(r.stdout).issues)).toContain('map-unused');
    // A path that is there raises nothing.
    expect(runCli(['analyze', 'fixtures/formats/envoy.ndjson', '--map', 'user=authority', '--format', 'ndjson']).stderr).not.toContain('--map');
  });

  it('analyses an empty file without error and says no events were read', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'empty.ndjson'), '');
    const r = runCli(['analyze', path.join(dir, 'empty.ndjson'), '--format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(summaryOf(r.stdout).events).toBe(0);
    expect(summaryOf(r.stdout).notes).toContain('no events were read: the input is empty');
  });

  it('a log that maps to no event is no clean result: exit 3 and a pointer to formats detect', () => {
    const dir = tmp();
    const f = path.join(dir, 'odd.ndjson');
    writeFileSync(f, '{"when":"2024-05-01T10:00:00Z","verb":"GET","uri":"/a","code":200}\n{"when":"2024-05-01T10:00:01Z","verb":"GET","uri":"/b","code":200}\n');
    const r = runCli(['analyze', f, '--format', 'ndjson', '--fail-on', 'high']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`apilog formats detect ${f}`);
    // One note says it, not two alike.
    expect((summaryOf(r.stdout).notes as string[]).filter((n) => n.startsWith('no events'))).toEqual(['no events could be mapped from the input: nothing was analysed (see `apilog formats detect <file>`)']);
    expect(summaryOf(r.stdout).events).toBe(0);
  });

  it('usage mistakes exit 2 with a message naming the option, never a stack trace', () => {
    for (const args of [
      ['analyze', SAMPLE, '--min-severity', 'urgent'],
      ['analyze', SAMPLE, '--format', 'xml'],
      ['analyze', SAMPLE, '--since', 'yesterday'],
      ['analyze', SAMPLE, '--tz', 'Mars/Olympus'],
      ['analyze', SAMPLE, '--map', 'user'],
      ['analyze', SAMPLE, '--no-such-option'],
      ['analyze', SAMPLE, '--only', 'no-such-rule'],
      ['analyze', SAMPLE, '--map', 'bogus=when'],
    ]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/apilog: |error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("records a format sets aside (Caddy's startup lines) are said apart, not as lines lost to bad input", () => {
    const clean = runCli(['analyze', 'fixtures/formats/caddy.ndjson', '--color', 'never'], { env: { COLUMNS: '200' } });
    expect(clean.stderr).toBe('');
    expect(clean.stdout).toContain('Input     1 file · 5 events · 0 malformed · 3 set aside\n');
    expect(clean.stdout).toContain('fixtures/formats/caddy.ndjson: 3 records set aside, known to caddy as no access records');
    expect(summaryOf(runCli(['analyze', 'fixtures/formats/caddy.ndjson', '--format', 'ndjson']).stdout).files).toMatchObject([{ skipped: { 'set-aside': 3 } }]);
    // With one bad line beside them, stderr counts that line only.
    const dir = tmp();
    const file = path.join(dir, 'caddy.ndjson');
    writeFileSync(file, readFileSync('fixtures/formats/caddy.ndjson', 'utf8') + '{"broken\n');
    const r = runCli(['analyze', file, '--format', 'ndjson']);
    expect(r.stderr).toMatch(/^apilog: 1 input line\(s\) skipped as malformed or not mappable; first /);
  });

  it('--map with its two sides swapped says so and gives the order that works, in analyze and formats detect', () => {
    const want = 'apilog: --map: "caller.addr" is no canonical field but "ip" is: the field comes first, --map ip=caller.addr';
    for (const args of [['analyze', SAMPLE, '--map', 'caller.addr=ip'], ['formats', 'detect', SAMPLE, '--map', 'caller.addr=ip']]) {
      const r = runCli(args);
      expect([r.code, r.stderr.trim()], args.join(' ')).toEqual([2, want]);
    }
    expect(runCli(['analyze', SAMPLE, '--map', 'bogus=when']).stderr).toMatch(/unknown canonical field "bogus"; expected one of ts, ip/);
  });

  it('a rules file with a mistake exits 2 naming the file and key', () => {
    const dir = tmp();
    const rules = path.join(dir, 'bad.yaml');
    writeFileSync(rules, 'businessHours:\n  timezone: Mars/Olympus\n');
    const r = runCli(['analyze', SAMPLE, '--rules', rules]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml');
    expect(r.stderr).toContain('timezone');
  });

  it('--from/--to without an offset are wall-clock times in --tz, and a filter that leaves nothing says so', () => {
    // 04:00-05:00 in Berlin (CET, +01:00) is 03:00-04:00 UTC: the credential attack at 03:12-03:19 UTC.
    const berlin = summaryOf(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--tz', 'Europe/Berlin', '--from', '2025-03-12T04:00:00', '--to', '2025-03-12T05:00:00']).stdout);
    expect(berlin.timeSpan).toEqual({ start: '2025-03-12T03:12:02.219Z', end: '2025-03-12T03:19:58.879Z' });
    expect(berlin.notes).toContainEqual(expect.stringMatching(/^4161 of 4315 events fell outside the time filter \(--from\/--to\/--since\) and were left out: the detectors judged without them/));
    // A day is that day in --tz: 2025-03-13 in Tokyo ends at 15:00 UTC on the 13th.
    const tokyo = summaryOf(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--tz', 'Asia/Tokyo', '--to', '2025-03-12']).stdout);
    expect(Date.parse((tokyo.timeSpan as { end: string }).end)).toBeLessThanOrEqual(Date.parse('2025-03-12T14:59:59.999Z'));
    // An offset given is an offset kept, whatever --tz says.
    const given = summaryOf(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--tz', 'Asia/Tokyo', '--from', '2025-03-12T03:12:00Z', '--to', '2025-03-12T03:20:00Z']).stdout);
    expect(given.timeSpan).toEqual(berlin.timeSpan);
    // ISO 8601 offsets of hours alone (+01) and without a colon (+0100) are offsets too.
    for (const [from, to] of [['2025-03-12T04:12+01', '2025-03-12T04:20+01'], ['2025-03-12T04:12+0100', '2025-03-12T04:20+0100']]) {
      const hours = summaryOf(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--tz', 'Asia/Tokyo', '--from', from!, '--to', to!]).stdout);
      expect(hours.timeSpan).toEqual(berlin.timeSpan);
    }
    const none = summaryOf(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--from', '2030-01-01']).stdout);
    expect(none.events).toBe(0);
    expect(none.notes).toEqual(['4315 of 4315 events fell outside the time filter (--from/--to/--since) and were left out; a time given without an offset is read in the --tz zone']);
  });

  it('--input-tz reads times that carry no offset as local time there, and the report says how they were read', () => {
    const dir = tmp();
    const file = path.join(dir, 'local.ndjson');
    const lines = [0, 1, 2].map((k) => JSON.stringify({ timestamp: `2025-07-01 09:00:0${k}`, ip: '203.0.113.9', method: 'GET', path: `/a/${k}`, status: 200 }));
    lines.push(JSON.stringify({ timestamp: '2025-07-01T07:00:03Z', ip: '203.0.113.9', method: 'GET', path: '/a/3', status: 200 }));
    writeFileSync(file, lines.join('\n') + '\n');
    const asUtc = summaryOf(runCli(['analyze', file, '--format', 'ndjson']).stdout);
    expect(asUtc.timeSpan).toEqual({ start: '2025-07-01T07:00:03.000Z', end: '2025-07-01T09:00:02.000Z' });
    expect((asUtc.files as Array<Record<string, unknown>>)[0]!.timesWithoutOffset).toEqual({ events: 3, readIn: 'UTC' });
    const berlin = summaryOf(runCli(['analyze', file, '--format', 'ndjson', '--input-tz', 'Europe/Berlin']).stdout);
    expect(berlin.timeSpan).toEqual({ start: '2025-07-01T07:00:00.000Z', end: '2025-07-01T07:00:03.000Z' });
    expect((berlin.files as Array<Record<string, unknown>>)[0]!.timesWithoutOffset).toEqual({ events: 3, readIn: 'Europe/Berlin' });
    const text = runCli(['analyze', file, '--color', 'never'], { env: { COLUMNS: '200' } }).stdout;
    expect(text).toContain('local.ndjson writes times without a UTC offset (3 of 4 events): read as UTC; if they are local time, give --input-tz <zone>');
    const bad = runCli(['analyze', file, '--input-tz', 'Mars/Olympus']);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'apilog: --input-tz: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin or UTC)']);
  });

  it('--map twice for one field: each file of a mixed folder finds its own user key', () => {
    const dir = tmp();
    const line = (k: number, extra: Record<string, string>): string => JSON.stringify({ timestamp: `2025-03-13T08:00:0${k}Z`, ip: '203.0.113.9', method: 'GET', path: '/a', status: 200, ...extra });
    writeFileSync(path.join(dir, 'gw.ndjson'), `${line(1, { userId: 'u-1' })}\n`);
    writeFileSync(path.join(dir, 'mesh.ndjson'), `${line(2, { jwt_sub: 'an.fischer' })}\n`);
    const r = runCli(['analyze', dir, '--map', 'user=userId', '--map', 'user=jwt_sub', '--format', 'ndjson', '--entries', 'all', '-q']);
    expect(r.stderr).toBe('');
    const actors = (summaryOf(r.stdout).actors as Array<{ actor: string }>).map((a) => a.actor).sort();
    expect(actors).toEqual(['user:an.fischer', 'user:u-1']);
  });

  it('a binary file is named on stderr with its path, once, with no advice to map it', () => {
    const dir = tmp();
    const nul = path.join(dir, 'padded.ndjson');
    writeFileSync(nul, Buffer.concat([Buffer.alloc(4096), Buffer.from('{"a":1}\n')]));
    const r = runCli(['analyze', nul, 'fixtures/benign-mobile-poller.ndjson', '--format', 'ndjson', '-q']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`apilog: ${nul}: binary content (NUL byte at offset 0); not read\n`);
  });

  it('an endless binary input (/dev/zero) is named and left at once, not read forever', () => {
    const r = runCli(['analyze', '/dev/zero', '--format', 'ndjson', '-q'], { timeout: 30_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('apilog: /dev/zero: binary content (NUL byte at offset 0); not read\n');
  });

  it('--since is not moved by a forged line dated in the future', () => {
    const dir = tmp();
    const poisoned = path.join(dir, 'poisoned.ndjson');
    const forged = JSON.stringify({ timestamp: '9999-12-31T23:59:59Z', user_id: 'x', ip: '203.0.113.9', method: 'GET', endpoint: '/', status: 200 });
    writeFileSync(poisoned, `${readFileSync(SAMPLE, 'utf8')}${forged}\n`);
    const clean = summaryOf(runCli(['analyze', SAMPLE, '--since', '48h', '--format', 'ndjson']).stdout);
    const s = summaryOf(runCli(['analyze', poisoned, '--since', '48h', '--format', 'ndjson']).stdout);
    // The forged event itself is in the window, and nothing else moves.
    expect(s.events).toBe((clean.events as number) + 1);
    expect((s.alerts as { total: number }).total).toBe((clean.alerts as { total: number }).total);
    expect((s.notes as string[]).some((n) => n.startsWith('1 event(s) dated more than a day after the clock'))).toBe(true);
  });

  it('--from/--to: a day the calendar lacks and a range that ends before it starts are usage errors (exit 2), not a silent shift or an empty report', () => {
    // Date.parse rolls 2025-02-30 over to 2 March; --to 2025-02-29 would have reached into March.
    const feb30 = runCli(['analyze', SAMPLE, '--format', 'ndjson', '--from', '2025-02-30']);
    expect(feb30.code).toBe(2);
    expect(feb30.stderr).toContain('--from: 2025-02-30 is not a date of the calendar');
    const feb29 = runCli(['analyze', SAMPLE, '--format', 'ndjson', '--to', '2025-02-29T10:00:00Z']);
    expect(feb29.code).toBe(2);
    expect(feb29.stderr).toContain('--to: 2025-02-29 is not a date of the calendar');
    expect(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--from', '2024-02-29', '--entries', 'none']).code).toBe(0);
    const swapped = runCli(['analyze', SAMPLE, '--format', 'ndjson', '--from', '2025-03-12', '--to', '2025-03-11', '--fail-on', 'low']);
    expect(swapped.code).toBe(2);
    expect(swapped.stdout).toBe('');
    expect(swapped.stderr).toContain('--from 2025-03-12 is after --to 2025-03-11');
    const summary = runCli(['summary', SAMPLE, '--from', '2025-03-12T10:00Z', '--to', '2025-03-12T09:00Z']);
    expect(summary.code).toBe(2);
  });

  it('apilog summary with a time filter says what it left out without advice about detectors it does not run', () => {
    const r = runCli(['summary', SAMPLE, '--from', '2025-03-11', '--to', '2025-03-11'], { env: { ...process.env, NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ of \d+ events fell outside the time filter \(--from\/--to\/--since\) and were left out\n/);
    expect(r.stdout).not.toContain('detectors judged');
    expect(r.stdout).toMatch(/\n {2}peak: [\d,]+ events in the \w+ from [^;\n]+\n/);
    // analyze says both.
    const a = runCli(['analyze', SAMPLE, '--from', '2025-03-11', '--to', '2025-03-11', '--entries', 'none'], { env: { ...process.env, NO_COLOR: '1' } });
    expect(a.stdout).toContain('the detectors judged without them');
    expect(a.stdout).toMatch(/\n {2}peak: .*; \d+ alerts? in all\n/);
  });

  it('--from/--to and --since narrow the events analysed', () => {
    const all = summaryOf(runCli(['analyze', SAMPLE, '--format', 'ndjson']).stdout);
    const day = summaryOf(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--from', '2025-03-12', '--to', '2025-03-12']).stdout);
    expect(day.events as number).toBeGreaterThan(0);
    expect(day.events as number).toBeLessThan(all.events as number);
    const span = day.timeSpan as { start: string; end: string };
    expect(span.start >= '2025-03-12T00:00:00').toBe(true);
    expect(span.end < '2025-03-13T00:00:00').toBe(true);
    const since = summaryOf(runCli(['analyze', SAMPLE, '--format', 'ndjson', '--since', '24h']).stdout);
    const end = Date.parse((all.timeSpan as { end: string }).end);
    expect(Date.parse((since.timeSpan as { start: string }).start)).toBeGreaterThanOrEqual(end - 86_400_000);
  });

  it('-o writes the report to a file and leaves stdout empty; an unwritable path is a clear error', () => {
    const dir = tmp();
    const out = path.join(dir, 'report.json');
    const r = runCli(['analyze', SAMPLE, '--format', 'json', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { summary: unknown; alerts: unknown[] };
    expect(doc.alerts.length).toBeGreaterThan(0);
    const bad = runCli(['analyze', SAMPLE, '-o', path.join(dir, 'missing-dir', 'x', 'r.txt')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('missing-dir');
  });

  it('a closed pipe ends the run quietly, with the exit code the run had reached (--fail-on, lost input)', async () => {
    const closeEarly = async (extra: string[]): Promise<{ code: number | null; stderr: string }> => {
      const child = spawn(process.execPath, [BIN, 'analyze', SAMPLE, '--format', 'ndjson', '--entries', 'all', ...extra], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      return { code, stderr };
    };
    const [plain, gated, lost] = await Promise.all([closeEarly([]), closeEarly(['--fail-on', 'high']), closeEarly(['missing-file.ndjson'])]);
    for (const r of [plain, gated, lost]) expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(plain.code).toBe(0);
    expect(gated.code).toBe(1);
    expect(lost.code).toBe(3);
  });

  it('--format with an input format id forces that input format', () => {
    const dir = tmp();
    const f = path.join(dir, 'kong.log');
    copyFileSync('fixtures/formats/kong.ndjson', f);
    const r = runCli(['analyze', f, '--format', 'kong']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kong');
  });
});
