import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/report/index.js';
import { wrap } from '../../src/report/layout.js';
import { displayWidth } from '../../src/report/sanitize.js';
import type { AlertRecord, SummaryRecord } from '../../src/report/records.js';
import { alertsPerBucket, figuresText, fileNotes, sampleLine, sampleLines } from '../../src/report/text.js';
import { options, sampleAlerts, sampleReport, sampleSummary } from './sample-report.js';
import { render } from './helpers.js';

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

describe('text report at scale', () => {
  it('renders 120k entries in one group without exhausting the stack', () => {
    const r = sampleReport();
    const base = r.entries[2]!;
    r.entries = Array.from({ length: 120_000 }, (_, i) => ({ ...base, time: new Date(Date.parse(base.time) + i * 1000).toISOString() }));
    const start = performance.now();
    const text = renderText(r, options({ entriesMode: 'all' }));
    expect(text).toContain('Findings by actor (120,000 entries, 1 actor)');
    expect(text).toContain('… 119,980 more for this actor, less severe or later (--full)');
    expect(performance.now() - start).toBeLessThan(10_000);
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
});
