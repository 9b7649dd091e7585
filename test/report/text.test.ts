import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/report/index.js';
import { displayWidth } from '../../src/report/sanitize.js';
import type { SummaryRecord } from '../../src/report/records.js';
import { options, sampleReport, sampleSummary } from './sample-report.js';
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
    expect(loud).toContain('Input     2 files · 48,213 events · 3 malformed');
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
    expect(text).toContain('logs/gateway.ndjson:1204  10:09:40  req-9f2  POST /login 200');
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
      detectors: [],
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
    expect(text).toContain('No alerts.');
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
    expect(text).toContain('… 119,980 more for this actor (--full)');
    expect(performance.now() - start).toBeLessThan(10_000);
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
