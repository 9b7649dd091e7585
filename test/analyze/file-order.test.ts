/**
 * Files written newest first (SIEM and Log Analytics exports) are read oldest first: the alerts are
 * those of the same log in time order, and the summary says the file was reversed.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { FileOrder } from '../../src/analyze/file-order.js';
import { analyze } from '../../src/analyze/run.js';
import type { ApiEvent } from '../../src/normalise/event.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';
import { runCli } from '../helpers/cli.js';

const tempDir = tempDirs();

const ev = (ts: number, line: number): ApiEvent => ({ ts, format: 'flat', source: { file: 'f', line }, raw: null }) as ApiEvent;
/** Feed `ts` in batches of `size`, return the times handed on, in order, and the verdict. */
function run(ts: number[], size: number, max?: number): { out: number[]; verdict: string } {
  const o = new FileOrder(max);
  const out: number[] = [];
  for (let i = 0; i < ts.length; i += size) out.push(...o.push(ts.slice(i, i + size).map((t, k) => ev(t, i + k + 1))).map((e) => e.ts));
  for (const b of o.end()) out.push(...b.map((e) => e.ts));
  return { out, verdict: o.verdict };
}

describe('FileOrder', () => {
  const up = Array.from({ length: 500 }, (_, i) => 1_000 + i * 10);
  const down = [...up].reverse();

  it('hands on a file in time order as it is, batch by batch once decided, short or long', () => {
    expect(run(up, 7)).toEqual({ out: up, verdict: 'as-written' });
    expect(run(up.slice(0, 20), 100)).toEqual({ out: up.slice(0, 20), verdict: 'as-written' });
    expect(run([5, 5, 5], 2)).toEqual({ out: [5, 5, 5], verdict: 'as-written' });
  });

  it('reverses a file written newest first, short or long', () => {
    expect(run(down, 7)).toEqual({ out: up, verdict: 'reversed' });
    expect(run(down.slice(0, 6), 100)).toEqual({ out: [...down.slice(0, 6)].reverse(), verdict: 'reversed' });
  });

  it('leaves alone a file in time order with some lines out of order (several writers)', () => {
    const jitter = up.map((t, i) => (i % 5 === 0 ? t - 25 : t));
    expect(run(jitter, 50)).toEqual({ out: jitter, verdict: 'as-written' });
  });

  it('reads a newest-first file too long to hold as written, and says so', () => {
    expect(run(down, 16, 100)).toEqual({ out: down, verdict: 'newest-first-too-large' });
  });

  it('decides after at most 10,000 events when the times seldom change (no file held whole for want of steps)', () => {
    const o = new FileOrder();
    const handed = o.push(Array.from({ length: 12_000 }, (_, i) => ev(1_000 + Math.floor(i / 2_000), i + 1)));
    expect(handed.length).toBe(12_000);
    expect(o.verdict).toBe('as-written');
  });

  it('files read at the same time share the budget: the one that does not fit is read as written, and said so; what ends leaves it', () => {
    const budget = { held: 0 };
    const a = new FileOrder(100, budget);
    const b = new FileOrder(100, budget);
    const desc = (n: number): ApiEvent[] => Array.from({ length: n }, (_, i) => ev(10_000 - i, i + 1));
    expect(a.push(desc(80))).toEqual([]);
    expect(a.verdict).toBe('reversed');
    expect(budget.held).toBe(80);
    expect(b.push(desc(40)).length).toBe(40);
    expect(b.verdict).toBe('newest-first-too-large');
    expect(a.end().flat().map((e) => e.ts)).toEqual(desc(80).map((e) => e.ts).reverse());
    expect(budget.held).toBe(0);
    const c = new FileOrder(100, budget);
    c.push(desc(50));
    c.release();
    expect(budget.held).toBe(0);
  });
});

describe('a newest-first file through the pipeline', () => {
  const dir = tempDir('apilog-order-');
  const sample = 'fixtures/incident-bola-enumeration.ndjson';
  const reversed = path.join(dir, 'newest-first.ndjson');
  const lines = fs.readFileSync(sample, 'utf8').split('\n').filter((l) => l.trim() !== '');
  fs.writeFileSync(reversed, `${[...lines].reverse().join('\n')}\n`);
  const view = (alerts: Array<{ rule: string; severity: string; start: string; end: string; summary: string }>): string[] =>
    // (The pointers to lines differ: the same records sit on other lines.)
    alerts.map((a) => `${a.rule} ${a.severity} ${a.start} ${a.end} ${a.summary.replace(/\S+\.ndjson:\d+/g, 'FILE:N')}`);

  it('gives the alerts of the file in time order, and the summary says it was reversed', async () => {
    const want = await analyze(analyzeOptions([sample], { threads: 1 }));
    const got = await analyze(analyzeOptions([reversed], { threads: 1 }));
    expect(want.alerts.length).toBeGreaterThan(0);
    expect(view(got.alerts)).toEqual(view(want.alerts));
    expect(got.summary.notes).toContain(`${reversed} was written newest first (as exports from a SIEM or Log Analytics often are): its ${lines.length} events were read oldest first`);
    expect(got.summary.notes.some((n) => n.includes('allowed lateness'))).toBe(false);
    expect(want.summary.notes.some((n) => n.includes('newest first'))).toBe(false);
  });

  it('a damaged .gz written newest first loses its earlier records past the damage, and says so', () => {
    const gz = zlib.gzipSync(fs.readFileSync(reversed));
    const cut = path.join(dir, 'newest-first-cut.ndjson.gz');
    fs.writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const r = runCli(['analyze', cut, '--format', 'json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\(the last one from [0-9TZ:.-]+: earlier records in this file are lost\)/);
  });

  it('the CLI with two threads, and explain by line, agree', () => {
    const one = runCli(['analyze', reversed, '--format', 'ndjson', '--threads', '1']);
    const two = runCli(['analyze', reversed, '--format', 'ndjson', '--threads', '2']);
    expect(two.stdout).toBe(one.stdout);
    // The record on the file's last line is the oldest: explained with no earlier request of its actor.
    const last = runCli(['explain', reversed, '--line', `${reversed}:${lines.length}`, '--format', 'json', '--no-alerts']);
    expect(last.code).toBe(0);
    const first = JSON.parse(lines[0]!) as { timestamp: string };
    expect((JSON.parse(last.stdout) as { time: string }).time).toBe(new Date(first.timestamp).toISOString());
  });
});
