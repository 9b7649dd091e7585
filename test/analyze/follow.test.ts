/**
 * The live runner (src/analyze/follow.ts) in-process: alerts handed out as incidents close, an
 * incident that grows after it was handed out handed out again under the same id, two followed
 * files merged by event time, and the summary at the stop. Short grace and poll intervals; waits
 * are for alerts, bounded.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { follow, type FollowResult } from '../../src/analyze/follow.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';
import type { AlertRecord } from '../../src/report/records.js';

const tempDir = tempDirs();

const T0 = Date.parse('2025-02-03T09:00:00Z');

function bruteForce(fromMs: number, ip: string, account: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const ts = new Date(T0 + fromMs + i * 2000).toISOString();
    s += `${JSON.stringify({ timestamp: ts, user_id: account, ip, method: 'POST', endpoint: '/api/v1/auth/login', status: 401, request_id: `${ip}-${fromMs}-${i}` })}\n`;
  }
  return s;
}

function live(inputs: string[]): { alerts: AlertRecord[]; stop: () => Promise<FollowResult>; until: (n: number) => Promise<void> } {
  const alerts: AlertRecord[] = [];
  const ac = new AbortController();
  const done = follow(analyzeOptions(inputs, { entries: 'none' }), { graceMs: 100, pollMs: 20, from: 'start' }, { onAlert: (a) => alerts.push(a), signal: ac.signal });
  return {
    alerts,
    stop: async () => {
      ac.abort();
      return done;
    },
    async until(n) {
      const deadline = Date.now() + 30_000;
      while (alerts.length < n) {
        if (Date.now() > deadline) throw new Error(`waited for ${n} alert lines, got ${JSON.stringify(alerts)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('follow (live runner)', () => {
  it('an incident that grows after it was handed out is handed out again, merged, under its id', async () => {
    const dir = tempDir('apilog-live-');
    const file = path.join(dir, 'a.log');
    writeFileSync(file, bruteForce(0, '192.0.2.1', 'dave', 12));
    const run = live([file]);
    await run.until(1);
    expect(run.alerts[0]).toMatchObject({ id: 'A1', rule: 'credential-stuffing', subject: { ip: '192.0.2.1' } });
    // The same IP again ten minutes later (event time): within the rule's merge gap.
    appendFileSync(file, bruteForce(600_000, '192.0.2.1', 'dave', 12));
    await run.until(2);
    const update = run.alerts[1]!;
    expect(update.id).toBe('A1');
    expect(update.start).toBe(run.alerts[0]!.start);
    expect(Date.parse(update.end)).toBeGreaterThanOrEqual(T0 + 600_000 + 11 * 2000);
    expect(update.evidence.mergedAlerts).toBe(2);
    const result = await run.stop();
    expect(result.summary.partial).toBe(true);
    expect(result.summary.events).toBe(24);
    expect(result.summary.alerts.total).toBe(1);
    expect(result.alerts.map((a) => a.id)).toEqual(['A1']);
    expect(result.summary.detectors.find((d) => d.id === 'credential-stuffing')?.alerts).toBe(1);
  });

  it('a takeover said early is not written again unchanged when its incident closes', async () => {
    const dir = tempDir('apilog-live-');
    const file = path.join(dir, 'a.log');
    const success = `${JSON.stringify({ timestamp: new Date(T0 + 30_000).toISOString(), user_id: 'dave', ip: '192.0.2.7', method: 'POST', endpoint: '/api/v1/auth/login', status: 200, request_id: 'ok' })}\n`;
    writeFileSync(file, bruteForce(0, '192.0.2.7', 'dave', 12) + success);
    const run = live([file]);
    await run.until(1);
    expect(run.alerts[0]).toMatchObject({ id: 'A1', rule: 'credential-stuffing', severity: 'critical' });
    await new Promise((r) => setTimeout(r, 600));
    const result = await run.stop();
    expect(run.alerts.map((a) => a.id)).toEqual(['A1']);
    expect(result.alerts).toHaveLength(1);
  });

  it('a running brute force is said while under way, again when it has doubled, and closed under the same id', async () => {
    const dir = tempDir('apilog-live-');
    const file = path.join(dir, 'a.log');
    // Written as it happens (past the 5 min lateness, so the quiet period lets it through): without
    // a line while under way, the incident would wait hours (successLookbackMinutes) to close.
    const at = (ms: number): string => new Date(Date.now() - 6 * 60_000 + ms).toISOString();
    const fails = (from: number, n: number): string => {
      let s = '';
      for (let i = 0; i < n; i++) s += `${JSON.stringify({ timestamp: at(from + i * 1000), user_id: 'erin', ip: '192.0.2.44', method: 'POST', endpoint: '/api/v1/auth/login', status: 401, request_id: `f-${from}-${i}` })}\n`;
      return s;
    };
    writeFileSync(file, fails(0, 12));
    const run = live([file]);
    await run.until(1);
    const first = run.alerts[0]!;
    expect(first).toMatchObject({ id: 'A1', rule: 'credential-stuffing', severity: 'medium', subject: { ip: '192.0.2.44' } });
    expect(first.evidence.open).toBe(true);
    expect(first.summary).toMatch(/under way, no success so far\.$/);
    const saidAt = first.evidence.metrics.failures as number;
    // Twice as many failures: said again, the same incident.
    appendFileSync(file, fails(12_000, 2 * saidAt));
    await run.until(2);
    expect(run.alerts[1]).toMatchObject({ id: 'A1' });
    expect(run.alerts[1]!.evidence.metrics.failures as number).toBeGreaterThanOrEqual(2 * saidAt);
    const result = await run.stop();
    // At the stop (Ctrl-C) the incident is written as it stands, still open: the run ended, not the
    // attack (its gap, hours, has not passed by the clock). One incident.
    expect(result.summary.partial).toBe(true);
    const last = run.alerts[run.alerts.length - 1]!;
    expect(last.id).toBe('A1');
    expect(last.evidence.open).toBe(true);
    expect(last.summary).toMatch(/no success observed\. \(as of the stop: following ended while this may still be under way\)$/);
    expect(last.evidence.metrics.failures).toBe(12 + 2 * saidAt);
    expect(last.evidence.mergedAlerts).toBeUndefined();
    expect(result.alerts).toHaveLength(1);
  });

  it('links an export to the takeover said before it, as a batch run does, with the live ids', async () => {
    const dir = tempDir('apilog-live-');
    const file = path.join(dir, 'chain.log');
    const line = (ms: number, o: Record<string, unknown>): string => `${JSON.stringify({ timestamp: new Date(T0 + ms).toISOString(), ip: '5.228.1.10', method: 'GET', status: 200, ...o })}\n`;
    let s = '';
    for (let k = 0; k < 40; k++) s += line(k * 3000, { user_id: `acct${k}`, method: 'POST', endpoint: '/api/v1/auth/login', status: 401 });
    s += line(120_000, { user_id: 'victim', method: 'POST', endpoint: '/api/v1/auth/login' });
    for (let k = 0; k < 150; k++) s += line(2 * 3_600_000 + k * 3000, { user_id: 'victim', endpoint: `/api/v1/export/customers?page=${k}`, bytes: 2 * 1024 * 1024 });
    writeFileSync(file, s);
    const run = live([file]);
    await run.until(2);
    const result = await run.stop();
    const stuffed = result.alerts.find((a) => a.rule === 'credential-stuffing')!;
    const exfil = result.alerts.find((a) => a.rule === 'data-exfiltration')!;
    expect(stuffed.severity).toBe('critical');
    expect(exfil.severity).toBe('critical');
    expect(exfil.related).toEqual([{ id: stuffed.id, relation: 'follows-takeover' }]);
    expect(exfil.severityReason).toMatch(/^follows the likely takeover of victim by credential stuffing from 5\.228\.1\.10/);
    // The line handed out for the export says the same.
    expect(run.alerts.filter((a) => a.id === exfil.id).at(-1)!.related).toEqual(exfil.related);
  });

  it('a live object-id walk is alerted once its window has passed, not at the stop (its group keeps a week of history)', async () => {
    const dir = tempDir('apilog-live-');
    const file = path.join(dir, 'bola.log');
    // Written as it happens: the walk ended just over one window (10 min) plus the lateness (5 min)
    // ago by the clock, so the clock closes it, not a week of idle time. (Lines replayed from long
    // ago close at the first quiet period either way.)
    const start = Date.now() - 16 * 60_000 - 60 * 3000;
    let s = '';
    for (let i = 0; i < 60; i++) {
      const ts = new Date(start + i * 3000).toISOString();
      s += `${JSON.stringify({ timestamp: ts, user_id: 'mallory', ip: '203.0.113.7', method: 'GET', endpoint: `/api/v1/orders/${10_000 + i}`, status: 200, request_id: `b-${i}` })}\n`;
    }
    writeFileSync(file, s);
    const run = live([file]);
    await run.until(1);
    expect(run.alerts.map((a) => [a.rule, a.subject.user])).toEqual([['bola-enumeration', 'mallory']]);
    await run.stop();
  });

  it('a log named before it exists is followed once it appears (as tail -F does)', async () => {
    const dir = tempDir('apilog-live-');
    const a = path.join(dir, 'not-yet.log');
    const alerts: AlertRecord[] = [];
    const notes: string[] = [];
    const ac = new AbortController();
    const done = follow(analyzeOptions([a], { entries: 'none' }), { graceMs: 100, pollMs: 20, from: 'end' }, { onAlert: (x) => alerts.push(x), onNote: (m) => notes.push(m), signal: ac.signal });
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(a, bruteForce(0, '192.0.2.9', 'erin', 12));
    const deadline = Date.now() + 30_000;
    while (alerts.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const result = await done;
    expect(notes).toContain(`${a} does not exist (yet); following it once it appears`);
    expect(alerts).toHaveLength(1);
    expect(result.summary.files.map((f) => f.events)).toEqual([12]);
    expect(result.exitCode).toBe(0);
  });

  it('a secret written into the log is alerted when first seen, and the aggregate at the stop keeps its id', async () => {
    const dir = tempDir('apilog-live-');
    const a = path.join(dir, 'app.log');
    const leak = (i: number): string =>
      `${JSON.stringify({ timestamp: new Date(T0 + i * 1000).toISOString(), user_id: 'u1', ip: '81.2.69.142', method: 'GET', endpoint: '/api/v1/x', status: 200, request_id: `r${i}`, api_key: 'AKIAIOSFODNN7EXAMPL2' })}\n`;
    writeFileSync(a, leak(0));
    const alerts: AlertRecord[] = [];
    const ac = new AbortController();
    const done = follow(analyzeOptions([a], { entries: 'none' }), { graceMs: 100, pollMs: 20, from: 'start' }, { onAlert: (x) => alerts.push(x), signal: ac.signal });
    const deadline = Date.now() + 30_000;
    while (alerts.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alerts.map((x) => [x.rule, (x.evidence.metrics as Record<string, unknown>).occurrences])).toEqual([['sensitive-data-in-logs', 1]]);
    expect(JSON.stringify(alerts)).not.toContain('AKIAIOSFODNN7EXAMPL2');
    appendFileSync(a, leak(1) + leak(2));
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    const result = await done;
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]!.id).toBe(alerts[0]!.id);
    expect((result.alerts[0]!.evidence.metrics as Record<string, unknown>).occurrences).toBe(3);
    expect(alerts[alerts.length - 1]!.id).toBe(alerts[0]!.id);
  });

  it('two followed files are merged by event time', async () => {
    const dir = tempDir('apilog-live-');
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    // One attack split over two servers' logs, interleaved in time: one incident, not two.
    const lines = bruteForce(0, '192.0.2.9', 'erin', 12).trim().split('\n');
    writeFileSync(a, lines.filter((_, i) => i % 2 === 0).join('\n') + '\n');
    writeFileSync(b, lines.filter((_, i) => i % 2 === 1).join('\n') + '\n');
    const run = live([a, b]);
    await run.until(1);
    const result = await run.stop();
    expect(run.alerts).toHaveLength(1);
    expect((run.alerts[0]!.evidence.metrics as Record<string, unknown>).failures).toBe(12);
    expect(result.summary.files.map((f) => f.events)).toEqual([6, 6]);
    expect(result.summary.notes.some((n) => n.includes('lateness'))).toBe(false);
  });
});
