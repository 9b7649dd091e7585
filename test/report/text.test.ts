import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/report/index.js';
import { commonFolder, compactMasks, cutPath, truncateMiddle, wrap } from '../../src/report/layout.js';
import { displayWidth } from '../../src/report/sanitize.js';
import type { AlertRecord, EntryRecord, SummaryRecord } from '../../src/report/records.js';
import type { ReportOptions } from '../../src/report/index.js';
import { alertsPerBucket, figuresText, fileNotes, sampleLine, sampleLines, sharedTitle } from '../../src/report/text.js';
import { options, sampleAlerts, sampleEntries, sampleReport, sampleSummary } from './sample-report.js';
import { RAW_UNSAFE, render } from './helpers.js';

const ESC = '\u001b';

describe('text report (colour off)', () => {
  it('matches the snapshot at 100 columns', async () => {
    const text = await render(sampleReport(), options());
    expect(text).not.toContain(ESC);
    await expect(text).toMatchFileSnapshot('./__snapshots__/text-100.txt');
  });

  it('matches the snapshot at 80 columns, Europe/Paris, all entries', async () => {
    const text = await render(sampleReport(), options({ width: 80, tz: 'Europe/Paris', entriesMode: 'all' }));
    await expect(text).toMatchFileSnapshot('./__snapshots__/text-80-paris.txt');
  });

  it('matches the snapshot when quiet (no header)', async () => {
    const text = await render(sampleReport(), options({ quiet: true, entriesMode: 'none' }));
    await expect(text).toMatchFileSnapshot('./__snapshots__/text-quiet.txt');
  });

  it('alerts with no finding of their own to list: the findings section says why it is empty (flagged mode only)', async () => {
    const r = sampleReport();
    r.entries = [];
    const text = await render(r, options());
    expect(text).toContain('Findings by actor (0 entries)');
    expect(text).toMatch(/No request was notable on its own: the alerts above show what their actors did/);
    expect(await render(r, options({ entriesMode: 'none' }))).not.toContain('Findings by actor');
    r.alerts = [];
    expect(await render(r, options())).not.toContain('Findings by actor');
  });

  it("a key's masked name too long for its cell keeps its prefix and hash, not the mask's tail", () => {
    const a = 'key:sk_live_…[REDACTED stripe-key len=36 sha256:cbd93f9e]';
    const b = 'key:sk_live_…[REDACTED stripe-key len=36 sha256:f945f9e3]';
    expect(compactMasks(a)).toBe('key:sk_live_…cbd93f9e');
    expect(truncateMiddle(a, 30)).toBe('key:sk_live_…cbd93f9e');
    expect(truncateMiddle(a, 16)).toMatch(/cbd93f9e$/);
    expect(truncateMiddle(a, 16)).not.toBe(truncateMiddle(b, 16));
    expect(truncateMiddle(a, 80)).toBe(a);
    expect(compactMasks('[REDACTED jwt len=148 sha256:1a2b3c4d]')).toBe('[REDACTED jwt len=148 sha256:1a2b3c4d]');
  });

  it('actor keys that share their start (IAM ARNs of one account) are cut in the middle: each row still names its user', () => {
    const r = sampleReport();
    const arn = (name: string): string => `user:arn:aws:iam::123456789012:user/deploy-bots/${name}`;
    const base = r.summary.actors[1]!;
    r.summary.actors = ['ci-deploy', 'bob', 'alice'].map((n) => ({ ...base, actor: arn(n), user: arn(n).slice(5) }));
    for (const width of [80, 100, 200]) {
      const rows = renderText(r, options({ width })).split('\n').filter((l) => l.startsWith('│ user:'));
      expect(rows.map((l) => /\/(ci-deploy|bob|alice) /.exec(l)?.[1]), String(width)).toEqual(['ci-deploy', 'bob', 'alice']);
    }
  });

  it("the alerts-by-rule table titles a rule by what its alerts' titles share", () => {
    expect(sharedTitle('Credential attack: stuffing', 'Credential attack: distributed')).toBe('Credential attack');
    expect(sharedTitle('Object enumeration (BOLA/IDOR)', 'Object enumeration (BOLA/IDOR, slow walk)')).toBe('Object enumeration');
    expect(sharedTitle('Authorization probing: 18 operations refused (user a)', 'Authorization probing: 12 operations refused (user b)')).toBe('Authorization probing');
    expect(sharedTitle('Scraping', 'Sensitive data')).toBe('Scraping');
    expect(sharedTitle('Credential attack: stuffing', 'Credential attack: stuffing (live)')).toBe('Credential attack: stuffing');
    expect(sharedTitle('Scraping (low and slow)', 'Scraping')).toBe('Scraping');
    const r = sampleReport();
    const first = r.alerts.find((a) => r.alerts.filter((b) => b.rule === a.rule).length === 1)!;
    r.alerts.push({ ...first, id: 'A99', title: `${first.title}: another variant` });
    const row = renderText(r, options({ width: 200 })).split('\n').find((l) => l.startsWith(`│ ${first.rule} `))!;
    expect(row).toContain(`│ ${sharedTitle(first.title, `${first.title}: another variant`)} `);
  });

  it('fits every line into the width unless full', () => {
    for (const width of [60, 72, 80, 100, 132, 200]) {
      const text = renderText(sampleReport(), options({ width }));
      for (const line of text.split('\n')) expect(displayWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
    }
  });

  it('has the header only when not quiet', () => {
    const loud = renderText(sampleReport(), options());
    const quiet = renderText(sampleReport(), options({ quiet: true }));
    expect(loud).toMatch(/^apilog 0\.1\.0/);
    // The sample's first file skipped 2 records without a timestamp besides its 3 malformed lines.
    expect(loud).toContain('Input     2 files · 48,213 events · 3 malformed · 2 other skipped');
    expect(loud).toContain('impossible-travel (unavailable): no GeoIP database');
    expect(loud).toContain('Baseline  learned from this input');
    expect(quiet).not.toContain('Input ');
    expect(quiet).not.toContain('Baseline');
    expect(quiet.startsWith('── Alerts (5)')).toBe(true);
  });

  it('lists alerts most severe first whatever the input order', () => {
    const r = sampleReport();
    r.alerts.reverse();
    const text = renderText(r, options());
    const pos = ['A1  credential-stuffing', 'A2  bola-enumeration', 'A3  error-storm', 'A4  new-user-agent', 'A5  sensitive-query'].map((s) =>
      text.indexOf(s),
    );
    expect(pos.every((p) => p > 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
  });

  it('shows figures against thresholds, evidence and the severity reason', () => {
    const text = renderText(sampleReport(), options());
    expect(text).toContain('failures 480 (threshold 50)');
    expect(text).toContain('distinctUsers 212 (threshold 20)');
    // A threshold without a metric of its name; one named just "threshold" (bola-enumeration's) is not said twice.
    expect(figuresText({ distinctIds: 153 }, { threshold: 50, writeThreshold: 10 })).toEqual(['distinctIds 153', 'threshold 50', 'threshold writeThreshold 10']);
    expect(text).toContain('evidence  10:02:11  POST /login 401  203.0.113.9  req-9e1  …/gateway.ndjson:1188');
    expect(text).toContain('          10:09:40  POST /login 200  203.0.113.9  req-9f2  (first success)  …/gateway.ndjson:1204');
    const wide = renderText(sampleReport(), options({ width: 120 }));
    expect(wide).toContain('          10:09:40  POST /login 200  203.0.113.9  req-9f2  (first success)  logs/gateway.ndjson:1204');
    expect(text).toContain('… 1 more sample (--full)');
    expect(text).toContain('raised from high: logins succeeded after the failures');
    expect(text).toContain('2024-03-01 10:02:11 → 10:14:55 (12m 44s)');
  });

  it('names the alerts a linked one follows, also when --min-severity left them out', () => {
    const r = sampleReport();
    const later = r.alerts.find((a) => a.id !== 'A1')!;
    later.related = [{ id: 'A1', relation: 'follows-takeover' }];
    const text = renderText(r, options({ width: 120 }));
    expect(text).toContain('  related   A1 credential-stuffing · ip=203.0.113.9  route=/login · this follows its takeover of the account');
    // Printed in the linked alert's block, after its severity reason, and in no other block.
    expect(text.split('  related   ')).toHaveLength(2);
    const hidden = renderText({ ...r, alerts: r.alerts.filter((a) => a.id !== 'A1') }, options({ width: 120 }));
    expect(hidden).toContain('  related   A1 (not shown: below --min-severity) · this follows its takeover of the account');
  });

  it('displays times in the requested zone', () => {
    const text = renderText(sampleReport(), options({ tz: 'Europe/Paris' }));
    expect(text).toContain('2024-03-01 11:02:11 → 11:14:55 (12m 44s)');
    expect(text).toContain('Europe/Paris (UTC+01:00)');
  });

  it('groups findings by actor and honours entriesMode', () => {
    const flagged = renderText(sampleReport(), options({ entriesMode: 'flagged' }));
    expect(flagged).toContain('Findings by actor (5 entries, 3 actors)');
    expect(flagged).not.toMatch(/GET +\/health +200/);
    expect(renderText(sampleReport(), options({ entriesMode: 'all' }))).toMatch(/GET +\/health +200/);
    expect(flagged).toMatch(/ip:203\.0\.113\.9 {2}\(2 findings, most severe: critical\)/);
    const all = renderText(sampleReport(), options({ entriesMode: 'all' }));
    expect(all).toContain('Findings by actor (6 entries, 4 actors)');
    const none = renderText(sampleReport(), options({ entriesMode: 'none' }));
    expect(none).not.toContain('Findings by actor');
  });

  it('draws the timeline with block characters so the spike shows', () => {
    const text = renderText(sampleReport(), options());
    const line = text.split('\n').find((l) => l.trimStart().startsWith('events'))!;
    expect(line).toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(line).toContain('█');
    expect(text).toContain('peak: 14,020 events in the hour from 2024-03-01 10:00');
  });

  it('summarises alerts by rule and severity with totals', () => {
    const text = renderText(sampleReport(), options({ width: 120 }));
    expect(text).toMatch(/│ credential-stuffing +│ Credential stuffing against \/login +│ +1 │ +· │/);
    expect(text).toMatch(/│ total +│ +│ +1 │ +1 │ +1 │ +1 │ +1 │ +5 │/);
  });

  it('says when the report is partial and when there are no alerts', () => {
    const summary: SummaryRecord = { ...sampleSummary(), partial: true, alerts: { total: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, byRule: {} } };
    const text = renderText({ summary, alerts: [], entries: [] }, options());
    expect(text).toContain('PARTIAL REPORT');
    expect(text).toContain('No alerts.');
    expect(text).not.toContain('Alerts by rule');
  });

  it('renders an empty run without failing', () => {
    const summary: SummaryRecord = {
      ...sampleSummary(),
      events: 0,
      timeSpan: null,
      files: [],
      issues: [],
      issuesTotal: 0,
      detectors: [{ id: 'scraping', status: 'ran', alerts: 0 }],
      alerts: { total: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, byRule: {} },
      actors: [],
      topRoutes: [],
      statuses: [],
      topIps: [],
      busiestWindows: [],
      timeline: [],
      otherActors: undefined,
      notes: [],
    };
    const text = renderText({ summary, alerts: [], entries: [] }, options());
    expect(text).toContain('no timestamps');
    // No event was analysed: "No alerts." would read as a clean log.
    expect(text).toContain('Not judged: no events were analysed (the notes above say why).');
    expect(text).not.toContain('No alerts.');
  });
});

describe('actors table', () => {
  it('says which of the "others" the summary record lists and which it only counts', () => {
    const r = sampleReport();
    const one = r.summary.actors[0]!;
    r.summary.actors = Array.from({ length: 50 }, (_, i) => ({ ...one, actor: `user:u${i}`, user: `u${i}` }));
    const text = renderText(r, options({ width: 120 }));
    const listed = 50 - (text.match(/│ user:u\d+ /g) ?? []).length;
    expect(listed).toBeGreaterThan(0);
    expect(text).toContain(`  of the ${listed + 37} others, ${listed} are listed in the summary record (--full lists them here); 37 are only counted`);
    r.summary.otherActors = undefined;
    expect(renderText(r, options({ width: 120 }))).toContain(`  ${listed} more actors in the summary record (--full to list them)`);
  });
});

describe('text report at scale', () => {
  it('renders 120k entries in one group without exhausting the stack', () => {
    const r = sampleReport();
    const base = r.entries[2]!;
    // Each on its own path, so that they do not collapse into one row.
    r.entries = Array.from({ length: 120_000 }, (_, i) => ({
      ...base,
      time: new Date(Date.parse(base.time) + i * 1000).toISOString(),
      request: { ...base.request, path: `/orders/${i}` },
    }));
    const start = performance.now();
    const text = renderText(r, options({ entriesMode: 'all' }));
    expect(text).toContain('Findings by actor (120,000 entries, 1 actor)');
    expect(text).toContain('… 119,980 more for this actor, less severe or later (--full)');
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it('collapses 120k identical entries into one row', () => {
    const r = sampleReport();
    const base = r.entries[2]!;
    r.entries = Array.from({ length: 120_000 }, (_, i) => ({ ...base, time: new Date(Date.parse(base.time) + i * 1000).toISOString() }));
    const text = renderText(r, options({ entriesMode: 'all', width: 140 }));
    const rows = text.split('\n').filter((l) => l.startsWith('   2024-'));
    expect(rows).toEqual([expect.stringMatching(/^ {3}2024-03-01 11:00:05 {2}high {2}GET +\/orders\/1001 +200 {2}×120,000 → 03-02 20:20:04 {2}\[A2\], object-not-owned/)]);
    expect(text).not.toContain('more for this actor');
  });

  it("lists an actor's most severe findings when not all fit: a later attack is not hidden behind earlier lesser ones", () => {
    const r = sampleReport();
    const base = r.entries[2]!;
    const at = (i: number) => new Date(Date.parse(base.time) + i * 60_000).toISOString();
    const low = Array.from({ length: 30 }, (_, i) => ({ ...base, severity: 'low' as const, time: at(i), request: { ...base.request, path: `/widgets/w${i}` } }));
    const high = [40, 41].map((i) => ({ ...base, severity: 'high' as const, time: at(i), request: { ...base.request, path: `/admin/keys/k${i}` } }));
    r.entries = [...low, ...high];
    const lines = renderText(r, options({ entriesMode: 'all', width: 140 })).split('\n');
    const listed = lines.filter((l) => /\/(widgets|admin\/keys)\//.test(l));
    expect(listed).toHaveLength(20);
    expect(listed.slice(-2).every((l) => l.includes('/admin/keys/'))).toBe(true);
    expect(listed[0]).toContain('/widgets/w0 ');
    expect(lines.some((l) => l.includes('… 12 more for this actor, less severe or later (--full)'))).toBe(true);
  });
});

describe('findings: repeated findings collapse (not with --full)', () => {
  const T0 = Date.parse('2024-03-01T10:00:00Z');
  // POST /login 401, high, auth-failure, [A1], from ip:203.0.113.9.
  const base = sampleEntries()[1]!;
  type Over = Partial<Omit<EntryRecord, 'request'>> & { request?: Partial<EntryRecord['request']> };
  /** `base` at T0 + `s` seconds, changed by `over`. */
  const at = (s: number, over: Over = {}): EntryRecord => ({
    ...base,
    ...over,
    time: new Date(T0 + s * 1000).toISOString(),
    request: { ...base.request, ...over.request },
  });
  /** The same finding, one for each of `users` (one finding each), 10 s apart. */
  const singles = (users: string[], over: Over = {}, from = 0): EntryRecord[] =>
    users.map((user, i) => at(from + i * 10, { ...over, subject: { user } }));
  const report = (entries: EntryRecord[], over: Partial<ReportOptions> = {}): string =>
    renderText({ ...sampleReport(), entries }, options({ width: 140, entriesMode: 'all', ...over }));
  /** The lines of the Findings section, after its title. */
  const findings = (text: string): string[] => {
    const lines = text.split('\n');
    const from = lines.findIndex((l) => l.startsWith('── Findings by actor'));
    const to = lines.findIndex((l, i) => i > from && l.startsWith('── '));
    return lines.slice(from + 1, to).filter((l) => l !== '');
  };
  const rows = (lines: string[]): string[] => lines.filter((l) => /^ {3}\d{4}-\d\d-\d\d /.test(l));
  /** How many findings each row holds: its ×N, else 1. */
  const counts = (lines: string[]): number[] => rows(lines).map((l) => Number(/ {2}×([\d,]+) → /.exec(l)?.[1]?.replace(/,/g, '') ?? 1));
  const headers = (lines: string[]): string[] => lines.filter((l) => !l.startsWith(' ') && !l.startsWith('…'));

  it('lists an actor an alert is about by that alert too, and names the alert when none of its findings is in it', () => {
    // user c.baxter: one low finding of their own (an unrelated 403), and the subject of a high alert
    // whose requests (plain 200s) left no finding; user tara: many low off-hours findings.
    const r = sampleReport();
    const alert = { ...r.alerts[0]!, id: 'A7', severity: 'high' as const, subject: { user: 'c.baxter', route: '/api/v2/invoices/{id}' } };
    const low = (s: number, user: string, flags: string[]) => at(s, { subject: { user }, severity: 'low', alerts: [], flags, request: { status: 403 } });
    const entries = [low(0, 'c.baxter', ['auth-failure']), ...Array.from({ length: 5 }, (_, i) => low(100 + i * 100, 'tara', ['off-hours']))];
    const lines = findings(renderText({ ...r, alerts: [alert], entries }, options({ width: 140, entriesMode: 'all' })));
    expect(headers(lines)).toEqual(['user:c.baxter  (1 finding, most severe: low; subject of A7)', 'user:tara  (5 findings, most severe: low)']);
    // Two such actors with one finding of one shape each keep a header each, naming their alert.
    const other = { ...alert, id: 'A8', subject: { user: 'd.evans', route: '/api/v2/invoices/{id}' } };
    const pair = findings(renderText({ ...r, alerts: [alert, other], entries: [...entries, low(50, 'd.evans', ['auth-failure'])] }, options({ width: 140, entriesMode: 'all' })));
    expect(headers(pair).slice(0, 2)).toEqual(['user:c.baxter  (1 finding, most severe: low; subject of A7)', 'user:d.evans  (1 finding, most severe: low; subject of A8)']);
    // Without the alert, the actor with more findings comes first, and no alert is named.
    const plain = findings(renderText({ ...r, alerts: [], entries }, options({ width: 140, entriesMode: 'all' })));
    expect(headers(plain)).toEqual(['user:tara  (5 findings, most severe: low)', 'user:c.baxter  (1 finding, most severe: low)']);
  });

  it('collapses a run of identical findings into one row: the first time, how many, until when', () => {
    const entries = [...Array.from({ length: 37 }, (_, i) => at(i * 5)), at(200, { severity: 'critical', flags: ['success-after-failures'], request: { status: 200 } })];
    const lines = findings(report(entries.reverse()));
    expect(lines[0]).toBe('ip:203.0.113.9  (38 findings, most severe: critical)');
    expect(rows(lines)).toEqual([
      expect.stringMatching(/^ {3}2024-03-01 10:00:00 {2}high {2}POST {5}\/login +401 {2}×37 → 10:03:00 {2}\[A1\], auth-failure$/),
      expect.stringMatching(/^ {3}2024-03-01 10:03:20 {2}crit {2}POST {5}\/login +200 {2}\[A1\], success-after-failures$/),
    ]);
    expect(lines.join('\n')).not.toContain('more for this actor');
  });

  it('gives the end its date when a run crosses midnight', () => {
    const lines = findings(report([at(0), at(86_400)]));
    expect(rows(lines)).toEqual([expect.stringMatching(/^ {3}2024-03-01 10:00:00 .* 401 {2}×2 → 03-02 10:00:00 {2}\[A1\], auth-failure$/)]);
  });

  it("puts a row's alert ids before its flags, so a cut takes the flags, and leaves out in-alert, which the ids say", () => {
    const e = at(0, { flags: ['in-alert', 'auth-failure', 'off-hours', 'sensitive-data', 'new-ip', 'burst'] });
    const narrow = rows(findings(report([e], { width: 80 })));
    expect(narrow[0]).toMatch(/ 401 {2}\[A1\], auth-failure/);
    expect(narrow[0]).not.toContain('in-alert');
    // Without alert ids the flag stays.
    expect(rows(findings(report([at(0, { alerts: [], flags: ['in-alert'] })])))[0]).toMatch(/ 401 {2}in-alert$/);
  });

  it('breaks a run at a different status, flag, alert, severity, method or path', () => {
    const seq: Over[] = [
      {}, {}, {},
      { request: { status: 403 } },
      {}, {},
      { flags: ['auth-failure', 'off-hours'] },
      {}, {},
      { alerts: ['A1', 'A9'] },
      {}, {},
      { severity: 'medium' },
      {}, {},
      { request: { method: 'PUT' } },
      {}, {},
      { request: { path: '/login/' } },
      {},
    ];
    const lines = findings(report(seq.map((o, i) => at(i * 5, o))));
    expect(counts(lines)).toEqual([3, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]);
    const shown = rows(lines);
    expect(shown[1]).toMatch(/ 403 {2}\[A1\], auth-failure$/);
    expect(shown[3]).toMatch(/ 401 {2}\[A1\], auth-failure, off-hours$/);
    expect(shown[5]).toMatch(/ 401 {2}\[A1\], \[A9\], auth-failure$/);
    expect(shown[7]).toMatch(/ med +POST .* 401 {2}\[A1\], auth-failure$/);
    expect(shown[9]).toMatch(/ PUT +\/login +401 /);
    expect(shown[11]).toMatch(/ POST {5}\/login\/ +401 /);
  });

  it('counts rows, not findings, against the per-actor limit, so that more distinct activity shows', () => {
    // 40 identical failures then 5 other requests: 6 rows, all listed (it was 20 rows and "25 more").
    const many = [...Array.from({ length: 40 }, (_, i) => at(i)), ...[0, 1, 2, 3, 4].map((k) => at(100 + k, { request: { path: `/p${k}`, status: 200 } }))];
    const lines = findings(report(many));
    expect(counts(lines)).toEqual([40, 1, 1, 1, 1, 1]);
    expect(lines.join('\n')).not.toContain('more for this actor');
    // 25 shapes three times each: 20 rows of 3, and the 15 findings left are said.
    const runs = Array.from({ length: 75 }, (_, i) => at(i, { request: { path: `/s${Math.floor(i / 3)}` } }));
    const cut = findings(report(runs));
    expect(counts(cut)).toEqual(Array.from({ length: 20 }, () => 3));
    expect(rows(cut)[19]).toMatch(/\/s19 /);
    expect(cut).toContain('    … 15 more for this actor, less severe or later (--full)');
  });

  it('lists the most severe first when not all rows fit, and counts the findings left out', () => {
    // 30 low shapes twice each, then 2 high findings: both high rows, the first 18 low rows.
    const low = Array.from({ length: 60 }, (_, i) => at(i, { severity: 'low', request: { path: `/w${Math.floor(i / 2)}` } }));
    const high = [100, 101].map((s) => at(s, { request: { path: `/admin/k${s}` } }));
    const lines = findings(report([...low, ...high]));
    expect(counts(lines)).toEqual([...Array.from({ length: 18 }, () => 2), 1, 1]);
    expect(rows(lines).slice(-2).every((l) => l.includes(' high  ') && l.includes('/admin/k'))).toBe(true);
    expect(lines).toContain('    … 24 more for this actor, less severe or later (--full)');
    // 15 critical rows, then the earliest low runs in the 5 rows left. A run is taken whole, and a
    // row never stands for findings that had others between them: the first failure stays alone
    // though four more of its shape come after the /m requests.
    const crit = Array.from({ length: 15 }, (_, k) => at(1000 + k, { severity: 'critical', request: { path: `/c${k}` } }));
    const lowRun = (s: number): EntryRecord => at(s, { severity: 'low' });
    const mixed = [lowRun(0), ...[1, 2, 3, 4, 5].map((s) => at(s, { severity: 'low', request: { path: `/m${s}` } })), ...[6, 7, 8, 9].map(lowRun), ...crit];
    const cut = findings(report(mixed));
    expect(counts(cut)).toEqual(Array.from({ length: 20 }, () => 1));
    expect(rows(cut)[0]).toMatch(/ low {3}POST {5}\/login +401 {2}\[A1\], auth-failure$/);
    expect(rows(cut).slice(1, 5).map((l) => / (\/m\d) /.exec(l)?.[1])).toEqual(['/m1', '/m2', '/m3', '/m4']);
    expect(cut.join('\n')).not.toContain('/m5');
    expect(cut).toContain('    … 5 more for this actor, less severe or later (--full)');
  });

  it('lists consecutive actors with one finding of the same shape as one group with one row', () => {
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9'];
    const entries = singles(users).reverse();
    const lines = findings(report(entries));
    expect(lines[0]).toBe('user:u1, user:u2, user:u3, user:u4, user:u5, user:u6, user:u7, user:u8, user:u9  (9 actors, 1 finding each, most severe: high)');
    expect(rows(lines)).toEqual([expect.stringMatching(/^ {3}2024-03-01 10:00:00 {2}high {2}POST {5}\/login +401 {2}×9 → 10:01:20 {2}\[A1\], auth-failure$/)]);
    // Narrower: as many names as fit, then "…"; the line stays within the width.
    for (const width of [100, 80]) {
      const head = findings(report(entries, { width }))[0]!;
      expect(head).toMatch(/^user:u1, user:u2, (user:u\d, )*user:u\d … {2}\(9 actors, 1 finding each, most severe: high\)$/);
      expect(displayWidth(head)).toBeLessThanOrEqual(width);
    }
  });

  it('keeps actors apart whose single findings differ, and actors with more than one finding', () => {
    const entries = [
      ...singles(['u1', 'u2', 'u3']),
      ...singles(['u4'], { request: { status: 200 } }, 100),
      ...singles(['u5', 'u6'], {}, 200),
      ...singles(['u7'], { flags: ['auth-failure', 'off-hours'] }, 300),
      ...singles(['u8'], { alerts: ['A9'] }, 400),
      ...singles(['u9'], {}, 500),
      ...singles(['u0', 'u0'], {}, 600),
    ];
    const lines = findings(report(entries));
    expect(headers(lines)).toEqual([
      'user:u0  (2 findings, most severe: high)',
      'user:u1, user:u2, user:u3  (3 actors, 1 finding each, most severe: high)',
      'user:u4  (1 finding, most severe: high)',
      'user:u5, user:u6  (2 actors, 1 finding each, most severe: high)',
      'user:u7  (1 finding, most severe: high)',
      'user:u8  (1 finding, most severe: high)',
      'user:u9  (1 finding, most severe: high)',
    ]);
    expect(counts(lines)).toEqual([2, 3, 1, 2, 1, 1, 1]);
  });

  it('counts a merged group as one against the groups listed, and sums up the rest correctly', () => {
    const pad2 = (n: number): string => String(n).padStart(2, '0');
    // 11 actors with two critical findings, 30 with one identical high finding, 5 with one low each.
    const pairs = Array.from({ length: 11 }, (_, k) =>
      [0, 1].map((j) => at(k * 10 + j, { severity: 'critical', subject: { user: `a${pad2(k)}` }, request: { path: `/x${j}` } })),
    ).flat();
    const thirty = singles(Array.from({ length: 30 }, (_, k) => `b${pad2(k)}`), {}, 1000);
    const five = Array.from({ length: 5 }, (_, k) => at(2000 + k, { severity: 'low', subject: { user: `c${k}` }, request: { path: `/y${k}` } }));
    const lines = findings(report([...pairs, ...thirty, ...five]));
    const heads = headers(lines);
    expect(heads).toHaveLength(12);
    expect(heads[11]).toMatch(/^user:b00, user:b01, .* … {2}\(30 actors, 1 finding each, most severe: high\)$/);
    expect(lines[lines.length - 1]).toBe('… 5 more actors with 5 findings; 5 in A1 (--full lists them; --format ndjson gives every entry)');
    // A merged group cut by the limit: what it holds is counted with the rest.
    const many = Array.from({ length: 12 }, (_, k) => [0, 1].map((j) => at(k * 10 + j, { severity: 'critical', subject: { user: `a${pad2(k)}` }, request: { path: `/x${j}` } }))).flat();
    const cut = findings(report([...many, ...thirty, ...five]));
    expect(headers(cut)).toHaveLength(12);
    expect(cut[cut.length - 1]).toBe('… 35 more actors with 35 findings; 35 in A1 (--full lists them; --format ndjson gives every entry)');
  });

  it('lists every finding on its own row and every actor on its own with --full', () => {
    const entries = [...Array.from({ length: 37 }, (_, i) => at(i * 5)), ...Array.from({ length: 25 }, (_, i) => at(i, { request: { path: `/s${i}` }, subject: { user: 'v' } })), ...singles(['u1', 'u2', 'u3'])];
    const lines = findings(report(entries, { full: true }));
    expect(rows(lines)).toHaveLength(entries.length);
    expect(lines.join('\n')).not.toContain('×');
    expect(lines.join('\n')).not.toContain('more');
    expect(headers(lines)).toEqual([
      'ip:203.0.113.9  (37 findings, most severe: high)',
      'user:v  (25 findings, most severe: high)',
      'user:u1  (1 finding, most severe: high)',
      'user:u2  (1 finding, most severe: high)',
      'user:u3  (1 finding, most severe: high)',
    ]);
  });

  it('fits every collapsed line into the width and prints log content sanitised', () => {
    const evil = ['e\u001b[2J1', 'e\u001b]0;pwn\u00072', 'e\u202e3'];
    const entries = [
      ...Array.from({ length: 5 }, (_, i) => at(i, { request: { path: '/a\u0000b\u009b31m' }, flags: ['f\u001b[31m'] })),
      ...singles(evil, { request: { path: '/x\r\ny' } }, 100),
    ];
    for (const width of [60, 80, 100, 140]) {
      for (const color of [false, true]) {
        const text = report(entries, { width, color });
        expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(RAW_UNSAFE);
        if (!color) for (const line of text.split('\n')) expect(displayWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
      }
    }
    const lines = findings(report(entries, { width: 200 }));
    expect(lines).toContain('user:e\\x1b[2J1, user:e\\x1b]0;pwn\\x072, user:e\\u202e3  (3 actors, 1 finding each, most severe: high)');
    expect(counts(lines)).toEqual([5, 3]);
  });
});

describe('text report (colour on)', () => {
  const text = renderText(sampleReport(), options({ color: true }));
  const codes = {
    critical: `${ESC}[41m${ESC}[37m${ESC}[1m CRITICAL `,
    high: `${ESC}[31m${ESC}[1m HIGH `,
    medium: `${ESC}[33m${ESC}[1m MEDIUM `,
    low: `${ESC}[36m LOW `,
    info: `${ESC}[2m INFO `,
  };
  for (const [sev, code] of Object.entries(codes)) {
    it(`paints ${sev} with its colour`, () => {
      expect(text).toContain(code);
    });
  }

  it('emits only SGR colour codes', () => {
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toContain(ESC);
  });

  it('has the same text as the uncoloured report once codes are removed', () => {
    const plain = renderText(sampleReport(), options({ color: false }));
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });
});

describe('evidence samples', () => {
  const sample = {
    time: Date.parse('2025-03-12T03:13:03Z'),
    file: '/var/log/very/deep/folder/structure/of/the/gateway/incident-sample.ndjson',
    line: 2323,
    requestId: 'req-7e9-00045b',
    method: 'POST',
    path: '/api/v1/auth/login',
    status: 401,
    ip: '5.228.1.10',
  };

  it('puts time, method, path, status and IP first and the file:line pointer last', () => {
    const line = sampleLine(sample, '03:13:03', 500, false);
    expect(line).toBe(`03:13:03  POST /api/v1/auth/login 401  5.228.1.10  req-7e9-00045b  ${sample.file}:2323`);
  });

  it("cuts the pointer's directory before anything else", () => {
    const full = sampleLine(sample, '03:13:03', 500, false);
    const width = displayWidth(full) - 10;
    expect(sampleLine(sample, '03:13:03', width, false)).toBe(
      '03:13:03  POST /api/v1/auth/login 401  5.228.1.10  req-7e9-00045b  …/incident-sample.ndjson:2323',
    );
  });

  it('keeps method, path, status and IP whole at 80 and 100 columns, with an absolute input path', () => {
    for (const width of [80, 100]) {
      const text = renderText(withSamples([sample]), options({ width }));
      const line = text.split('\n').find((l) => l.includes('03:13:03'))!;
      expect(line, `${width}`).toMatch(/^ {2}evidence {2}03:13:03 {2}POST \/api\/v1\/auth\/login 401 {2}5\.228\.1\.10 {2}….*ndjson:2323$/);
      expect(displayWidth(line)).toBeLessThanOrEqual(width);
    }
  });

  it('shows everything with --full', () => {
    const text = renderText(withSamples([sample]), options({ width: 60, full: true }));
    expect(text).toContain(`03:13:03  POST /api/v1/auth/login 401  5.228.1.10  req-7e9-00045b  ${sample.file}:2323`);
  });

  it('stays one line per sample and fits any width', () => {
    const long = { ...sample, path: '/x'.repeat(80), note: 'n'.repeat(90) };
    for (const width of [20, 40, 60, 88]) {
      const line = sampleLine(long, '03:13:03', width, false);
      expect(line).not.toContain('\n');
      expect(displayWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
    }
    // A long path gives way before the status and IP after it.
    expect(sampleLine(long, '03:13:03', 70, false)).toMatch(/^03:13:03 {2}POST \/x\/x.*… 401 {2}5\.228\.1\.10 {2}…/);
  });

  it("a note (what the sample shows) keeps its ends before a long file name keeps its start", () => {
    const refused = {
      time: Date.parse('2025-03-19T02:14:05Z'), file: '/home/responder/cases/2025-03/incident-cloudtrail-probing.json', line: 3011,
      method: 'GET', ip: '185.220.101.45', note: 'refused: iam.amazonaws.com:ListPolicies',
    };
    const line = sampleLine(refused, '02:14:05', 99, false);
    expect(line).toBe('02:14:05  GET  185.220.101.45  (refused: iam.amazonaws.com:ListPolicies)  …dtrail-probing.json:3011');
    // Narrower: the note is cut in its middle, the operation at its end still read.
    const narrow = sampleLine(refused, '02:14:05', 78, false);
    expect(narrow).toMatch(/^02:14:05 {2}GET {2}185\.220\.101\.45 {2}\(refus[^ ]*…[^ ]*ListPolicies\) {2}…[^ ]*\.json:3011$/);
    expect(displayWidth(narrow)).toBeLessThanOrEqual(78);
  });

  it('cuts the samples of one alert alike', () => {
    const short = { ...sample, file: 'logs/a.ndjson', line: 1 };
    const lines = sampleLines([short, sample], () => '03:13:03', 80, false);
    // The first line would fit whole; it still loses the directory and request id as the second does.
    expect(lines[0]).toBe('03:13:03  POST /api/v1/auth/login 401  5.228.1.10  …/a.ndjson:1');
    expect(lines[1]).toBe('03:13:03  POST /api/v1/auth/login 401  5.228.1.10  …/incident-sample.ndjson:2323');
  });

  it('gives each sample its date when the alert spans days', () => {
    const r = withSamples([sample, { ...sample, time: Date.parse('2025-03-13T19:13:53Z') }]);
    r.alerts[0]!.end = '2025-03-13T19:13:53.000Z';
    const text = renderText(r, options({ width: 200 }));
    expect(text).toContain('evidence  2025-03-12 03:13:03  POST');
    expect(text).toContain('          2025-03-13 19:13:53  POST');
  });

  function withSamples(samples: AlertRecord['evidence']['samples']): ReturnType<typeof sampleReport> {
    const r = sampleReport();
    r.alerts = [{ ...r.alerts[0]!, start: '2025-03-12T03:12:02.000Z', end: '2025-03-12T03:19:54.000Z', evidence: { ...r.alerts[0]!.evidence, samples } }];
    return r;
  }
});

describe('cut text', () => {
  it('ends a cut with a single ellipsis', () => {
    const text = Array.from({ length: 40 }, (_, i) => `threshold${i} ${i * 1000}`).join(' · ');
    for (const width of [20, 40, 88]) {
      const lines = wrap(text, width, 4);
      expect(lines).toHaveLength(4);
      const last = lines[3]!;
      expect(last.endsWith('…'), last).toBe(true);
      expect(last).not.toContain('……');
      expect(last.match(/…/g)).toHaveLength(1);
      expect(displayWidth(last)).toBeLessThanOrEqual(width);
    }
    // A last line that fills the width gives up its last column to the ellipsis.
    expect(wrap('aaaaaaaa bbbbbbbb cccccccc', 8, 2)).toEqual(['aaaaaaaa', 'bbbbbbb…']);
    expect(wrap('aaaa bb cccccccc', 8, 1)).toEqual(['aaaa bb…']);
    expect(wrap('aaaa b cccccccc', 8, 1)).toEqual(['aaaa b …']);
  });

  it('never prints a run of ellipses in the report', () => {
    const r = sampleReport();
    const metrics = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`metric${i}`, i * 1_000_003]));
    const thresholds = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`limit${i}`, 262_144_000]));
    r.alerts[0]!.evidence = { ...r.alerts[0]!.evidence, metrics, thresholds };
    for (const width of [80, 100]) expect(renderText(r, options({ width }))).not.toContain('……');
  });
});

describe('timeline alerts', () => {
  it('counts the alerts given to the reporter, in the bucket of their start', () => {
    const tl = sampleSummary().timeline;
    expect(alertsPerBucket(tl, sampleAlerts())).toEqual(tl.map((b) => b.alerts));
    expect(alertsPerBucket(tl, [{ start: '2024-03-01T08:00:00.000Z' }, { start: '2024-03-01T13:59:00.000Z' }, { start: '2024-03-02T00:00:00.000Z' }])).toEqual([1, 0, 0, 0, 2]);
    expect(alertsPerBucket([], sampleAlerts())).toEqual([]);
  });

  it('honours --min-severity (filtered alerts), as the Alerts section does', () => {
    const r = sampleReport();
    const all = renderText(r, options());
    expect(all).toContain('5 alerts in all');
    // The CLI drops alerts below --min-severity before the reporter; the summary keeps its totals.
    r.alerts = r.alerts.filter((a) => a.severity === 'critical' || a.severity === 'high');
    const text = renderText(r, options());
    expect(text).toContain('2 alerts shown (5 before filters)');
    expect(text).toContain('5 alerts in all; 2 shown after filters.');
    // The table by rule adds up the listed alerts; the rest are counted under it.
    expect(text).toMatch(/│ total +│ +│ +1 │ +1 │ +· │ +· │ +· │ +2 │/);
    expect(text).toContain('3 more alerts not listed after filters: 1 medium, 1 low, 1 info.');
    const line = text.split('\n').find((l) => l.trimStart().startsWith('alerts  ▕'))!;
    expect(line).toContain('max 1');
    // Only the 10:00 (A1) and 11:00 (A2) buckets have a bar.
    expect(line.replace(/.*▕|▏.*/g, '').trim().split(/ +/)).toHaveLength(1);
    // Filtered down to the counts the summary also gives: no "before filters".
    r.summary = { ...r.summary, alerts: { ...r.summary.alerts, total: 2 } };
    expect(renderText(r, options())).toContain('2 alerts in all');
  });
});

describe('byte figures', () => {
  it('labels 1024-based sizes KiB / MiB / GiB', () => {
    const r = sampleReport();
    for (const [rss, label] of [
      [512, '512 B'],
      [1536, '1.5 KiB'],
      [3.5 * 1024 * 1024, '3.5 MiB'],
      [2 * 1024 ** 3, '2.0 GiB'],
    ] as const) {
      r.summary = { ...r.summary, run: { elapsedMs: 1200, peakRssBytes: rss } };
      const text = renderText(r, options());
      expect(text).toContain(`peak memory ${label}`);
      expect(text).not.toMatch(/\d (KB|MB|GB)\b/);
    }
  });
});

describe('file notes in the header', () => {
  it('lists what each file skipped and lacks under the table, not in a cut cell', () => {
    const r = sampleReport();
    const missing = ['apiKey', 'route', 'host', 'bytesIn', 'action', 'country', 'session', 'userAgent'];
    r.summary = { ...r.summary, files: [{ ...r.summary.files[0]!, path: '/srv/logs/2024/03/01/gateway-eu-west-1.ndjson', missingFields: missing }, r.summary.files[1]!] };
    const text = renderText(r, options({ width: 100 }));
    expect(text).not.toContain('Notes');
    expect(text).not.toContain('missing:');
    expect(text).toContain('  /srv/logs/2024/03/01/gateway-eu-west-1.ndjson skipped: no-timestamp 2\n');
    const from = text.indexOf('  /srv/logs/2024/03/01/gateway-eu-west-1.ndjson lacks: ');
    expect(from).toBeGreaterThan(0);
    expect(text.slice(from, text.indexOf('\n  Issues', from)).replace(/\s+/g, ' ').trim()).toBe(
      `/srv/logs/2024/03/01/gateway-eu-west-1.ndjson lacks: ${missing.join(', ')}`,
    );
    // At 60 columns the list wraps rather than being cut.
    const narrow = renderText(r, options({ width: 60 }));
    const at = narrow.indexOf('lacks:');
    expect(narrow.slice(at, narrow.indexOf('\n  Issues', at)).replace(/\s+/g, ' ')).toBe(`lacks: ${missing.join(', ')}`);
  });

  it('puts files lacking the same fields on one line', () => {
    const f = sampleSummary().files[1]!;
    const files = ['a', 'b', 'c', 'd'].map((n) => ({ ...f, path: `${n}.ndjson`, missingFields: ['apiKey', 'route'] }));
    expect(fileNotes(files, false)).toEqual(['all 4 files lack: apiKey, route']);
    expect(fileNotes([...files, { ...f, path: 'e.ndjson', missingFields: [] }], false)).toEqual(['a.ndjson, b.ndjson and 2 more files lack: apiKey, route']);
    expect(fileNotes([...files.slice(0, 2), { ...f, path: 'e.ndjson', missingFields: ['host'] }], false)).toEqual([
      'a.ndjson, b.ndjson lack: apiKey, route',
      'e.ndjson lacks: host',
    ]);
  });

  it('says where a missing field probably is, once for the files that share the suggestion, with a word on headers', () => {
    const f = sampleSummary().files[1]!;
    const rotated = ['a', 'b', 'c'].map((n) => ({ ...f, path: `${n}.ndjson`, missingFields: ['user'], mapSuggestions: [{ field: 'user', path: 'request.headers.X-User-Id' }] }));
    expect(fileNotes(rotated, false)).toEqual([
      'all 3 files lack: user',
      'all 3 files: user is probably "request.headers.X-User-Id": --map user=request.headers.X-User-Id (a request header: trust it as far as your gateway sets it, not the client)',
    ]);
    const body = { ...f, path: 'app.ndjson', missingFields: ['user'], mapSuggestions: [{ field: 'user', path: 'auth.userId' }] };
    expect(fileNotes([body], false)).toEqual(['app.ndjson lacks: user', 'app.ndjson: user is probably "auth.userId": --map user=auth.userId']);
    // A key from the log is log content: no control character reaches the terminal, and the command stays one shell word.
    const hostile = { ...body, mapSuggestions: [{ field: 'user', path: "who's\u001b[31m.id" }] };
    const line = fileNotes([hostile], false)[1]!;
    expect(line).not.toContain('\u001b');
    expect(line).toContain("--map 'user=who'\\''s");
  });

  it('sums the skipped and set-aside lines of a folder of rotated logs on one line each, not one per file', () => {
    const f = { ...sampleSummary().files[1]!, missingFields: [] };
    const caddy = Array.from({ length: 100 }, (_, i) => ({ ...f, path: `caddy/access-${i}.log`, format: 'caddy', skipped: { 'set-aside': 2, 'not-json': i === 7 ? 3 : 0 } }));
    expect(fileNotes(caddy, false)).toEqual([
      'caddy/access-7.log skipped: not-json 3',
      'all 100 files: 200 records set aside, known to caddy as no access records (`apilog formats detect` says which)',
    ]);
    const noisy = caddy.map((c, i) => ({ ...c, skipped: { 'set-aside': i < 50 ? 2 : 0, 'not-json': 1, 'no-timestamp': i % 2 } }));
    expect(fileNotes(noisy, false)).toEqual([
      'all 100 files skipped: not-json 100, no-timestamp 50',
      'caddy/access-0.log, caddy/access-1.log and 48 more files: 100 records set aside, known to caddy as no access records (`apilog formats detect` says which)',
    ]);
    // --full keeps a line per file, and a format's files stay apart from another's.
    expect(fileNotes(noisy, true).filter((l) => l.includes(' skipped: '))).toHaveLength(100);
    const mixed = [caddy[0]!, { ...caddy[1]!, path: 'app.log', format: 'django-structlog', skipped: { 'set-aside': 5 } }];
    expect(fileNotes(mixed, false)).toEqual([
      'caddy/access-0.log: 2 records set aside, known to caddy as no access records (`apilog formats detect` says which)',
      'app.log: 5 records set aside, known to django-structlog as no access records (`apilog formats detect` says which)',
    ]);
  });
});

describe('file paths in narrow columns', () => {
  const folder = '/tmp/nu-formats-data/';
  const names = ['cloudflare-ns.ndjson', 'cloudflare-unix.ndjson', 'cloudflare-rfc3339.ndjson', 'apigw-rest-cloudwatch.json'];
  function withFiles(paths: string[]): ReturnType<typeof sampleReport> {
    const r = sampleReport();
    const f = r.summary.files[0]!;
    r.summary = { ...r.summary, files: paths.map((path) => ({ ...f, path, skipped: {}, missingFields: [] })), issues: [], issuesTotal: 0 };
    return r;
  }
  const fileCells = (text: string): string[] =>
    text
      .split('\n')
      .filter((l) => /^│ /.test(l) && !l.startsWith('│ File '))
      .slice(0, names.length)
      .map((l) => l.split('│')[1]!.trim());

  it('says the folder the files share once, above the table, and names the files from it', () => {
    const paths = names.map((n) => folder + n);
    for (const width of [80, 100, 200]) {
      const text = renderText(withFiles(paths), options({ width }));
      expect(text, `${width}`).toContain(`\n  Files in  ${folder}\n┌`);
      const cells = fileCells(text);
      expect(cells, `${width}`).toHaveLength(names.length);
      // Every row tells its file apart: none is cut from the right, so each keeps its own end.
      cells.forEach((c, i) => expect(c.endsWith(names[i]!.slice(-9)), `${width}: ${c}`).toBe(true));
      expect(new Set(cells).size).toBe(names.length);
      if (width >= 100) expect(cells).toEqual(names);
      for (const line of text.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    }
    // The folder is said once, not again in front of each file.
    expect(renderText(withFiles(paths), options({ width: 100 })).split(folder)).toHaveLength(2);
  });

  it('cuts a single long path in its middle or from its start, never from its end', () => {
    const one = withFiles(['/srv/logs/2024/03/01/gateway-eu-west-1.ndjson']);
    const text = renderText(one, options({ width: 80 }));
    expect(text).not.toContain('Files in');
    const [cell] = fileCells(text);
    expect(cell).toMatch(/…/);
    expect(cell!.endsWith('-1.ndjson')).toBe(true);
    expect(renderText(one, options({ width: 80, full: true }))).toContain('│ /srv/logs/2024/03/01/gateway-eu-west-1.ndjson │');
  });

  it('keeps the file name and line number of an issue whose path is long', () => {
    const r = sampleReport();
    const file = '/var/lib/containers/storage/overlay/3f1c9a/merged/var/log/gateway/access-2024-03-01.ndjson';
    r.summary = { ...r.summary, issues: [{ kind: 'malformed-json', file, line: 17, message: 'Unexpected token } at column 88' }], issuesTotal: 1 };
    const line = renderText(r, options({ width: 80 })).split('\n').find((l) => l.includes('malformed-json'))!;
    expect(line).toMatch(/^ {12}malformed-json {2}….*\/access-2024-03-01\.ndjson:17 {2}Unexpected/);
    expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it('keeps the file name of a baseline loaded from a long path', () => {
    const r = sampleReport();
    const path = '/home/analyst/incidents/2024-03-01/baselines/production/gateway-eu-west-1/baseline-2024-02.json';
    r.summary = { ...r.summary, baseline: { ...r.summary.baseline, origin: 'file', path } };
    const line = renderText(r, options({ width: 80 })).split('\n').find((l) => l.includes('Baseline'))!;
    expect(line).toMatch(/^ {2}Baseline {2}loaded from …\/.*baseline-2024-02\.json$/);
  });

  it('cutPath drops whole leading folders, then cuts the name in its middle', () => {
    expect(cutPath('/tmp/nu-formats-data/cloudflare-ns.ndjson', 100)).toBe('/tmp/nu-formats-data/cloudflare-ns.ndjson');
    expect(cutPath('/tmp/nu-formats-data/cloudflare-ns.ndjson', 38)).toBe('…/nu-formats-data/cloudflare-ns.ndjson');
    expect(cutPath('/tmp/nu-formats-data/cloudflare-ns.ndjson', 30)).toBe('…/cloudflare-ns.ndjson');
    expect(cutPath('/tmp/nu-formats-data/cloudflare-ns.ndjson', 16)).toBe('cloud…-ns.ndjson');
    expect(cutPath('cloudflare-rfc3339.ndjson', 16)).toBe('cloud…339.ndjson');
    expect(cutPath('/tmp/nu-formats-data/', 18)).toBe('…/nu-formats-data/');
    for (const max of [0, 1, 2, 3, 5, 8, 13]) expect(displayWidth(cutPath('/a/bb/文字文字文字.log', max)), `${max}`).toBeLessThanOrEqual(max);
  });

  it('commonFolder finds the leading folder the paths share, not a root or ./ alone', () => {
    expect(commonFolder(names.map((n) => folder + n))).toBe(folder);
    expect(commonFolder(['logs/a/x.log', 'logs/b/y.log'])).toBe('logs/');
    expect(commonFolder(['logs/access.log', 'logs/access.log.1'])).toBe('logs/');
    expect(commonFolder(['logs-a/x.log', 'logs-b/y.log'])).toBe('');
    expect(commonFolder(['/a.log', '/b.log'])).toBe('');
    expect(commonFolder(['./a.log', './b.log'])).toBe('');
    expect(commonFolder(['C:\\logs\\a.log', 'C:\\logs\\b.log'])).toBe('C:\\logs\\');
    expect(commonFolder(['logs/a.log'])).toBe('');
  });

  it('keeps the files\' folder and names escaped when they hold control characters', () => {
    const text = renderText(withFiles(['/tmp/ev\u001b[31mil/a\u202e.ndjson', '/tmp/ev\u001b[31mil/b.ndjson']), options({ width: 80 }));
    expect(text).not.toMatch(RAW_UNSAFE);
    expect(text).toContain('Files in  /tmp/ev\\x1b[31mil/');
    expect(text).toContain('│ a\\u202e.ndjson');
  });
});

