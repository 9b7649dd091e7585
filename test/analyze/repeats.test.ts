import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { dropRepeats } from '../../src/analyze/repeats.js';
import { analyze } from '../../src/analyze/run.js';
import type { ApiEvent } from '../../src/normalise/event.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';

const ev = (ts: number, requestId?: string): ApiEvent => ({ ts, ...(requestId !== undefined ? { requestId } : {}) }) as ApiEvent;

async function collect(batches: ApiEvent[][], windowMs?: number): Promise<{ out: ApiEvent[][]; repeated: number }> {
  async function* gen(): AsyncGenerator<ApiEvent[]> {
    for (const b of batches) yield b;
  }
  const f = dropRepeats(gen(), windowMs);
  const out: ApiEvent[][] = [];
  for await (const b of f.batches) out.push(b);
  return { out, repeated: f.repeated() };
}

describe('dropRepeats', () => {
  it('drops a record with the request id and time of one already read, across batches; keeps records without an id', async () => {
    const a = ev(1000, 'r1');
    const b = ev(2000, 'r2');
    const noId = ev(2000);
    const { out, repeated } = await collect([[a, b, noId], [ev(2000, 'r2'), ev(2000), ev(3000, 'r3'), ev(1000, 'r1')]]);
    expect(out.map((batch) => batch.map((e) => `${e.ts}:${e.requestId ?? '-'}`))).toEqual([['1000:r1', '2000:r2', '2000:-'], ['2000:-', '3000:r3']]);
    expect(repeated).toBe(2);
  });

  it('the same id seconds apart is another request (an id a gateway reused); 1 ms apart, one request logged by two layers', async () => {
    expect((await collect([[ev(1000, 'r1'), ev(5000, 'r1')]])).repeated).toBe(0);
    const { out, repeated } = await collect([[ev(1000, 'r1'), ev(1001, 'r1'), ev(2999, 'r1'), ev(3100, 'r1')]]);
    expect(repeated).toBe(2);
    expect(out[0]!.map((e) => e.ts)).toEqual([1000, 3100]);
  });

  it('a batch without repeats is passed on as it is', async () => {
    const batch = [ev(1, 'a'), ev(2, 'b')];
    const { out } = await collect([batch]);
    expect(out[0]).toBe(batch);
  });

  it('forgets ids older than the window, so memory follows the rate', async () => {
    const first = Array.from({ length: 2000 }, (_, i) => ev(i, `r${i}`));
    // 10 minutes later, the first id again: out of a 1-minute window, so taken as new.
    const { repeated } = await collect([first, [ev(600_000, 'x')], [ev(0, 'r0')]], 60_000);
    expect(repeated).toBe(0);
  });
});

describe('two layers logging one request', () => {
  it("a gateway's and a sidecar's record of one request (one request id, 3 ms apart) are counted once", async () => {
    const dir = tempDirs()('apilog-layers-');
    const line = (k: number, ms: number): string =>
      JSON.stringify({ timestamp: new Date(Date.UTC(2025, 2, 12, 3, 0, k, ms)).toISOString(), ip: '45.155.205.233', method: 'POST', endpoint: '/api/v1/auth/login', status: 401, request_id: `req-${k}` });
    fs.writeFileSync(path.join(dir, 'gateway.ndjson'), `${Array.from({ length: 30 }, (_, k) => line(k, 0)).join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'sidecar.ndjson'), `${Array.from({ length: 30 }, (_, k) => line(k, 3)).join('\n')}\n`);
    const r = await analyze(analyzeOptions([dir], { threads: 1 }));
    expect(r.summary.events).toBe(30);
    expect(r.summary.notes.some((n) => n.startsWith('30 record(s) repeated one already read'))).toBe(true);
    expect(r.alerts.find((a) => a.rule === 'credential-stuffing')?.evidence.metrics.failures).toBe(30);
  });
});

describe('overlapping rotated files', () => {
  it('lines in both files (copytruncate) are counted once, and the summary says so', async () => {
    const dir = tempDirs()('apilog-repeats-');
    const line = (k: number): string =>
      JSON.stringify({ timestamp: new Date(Date.UTC(2025, 2, 12, 3, 0, k)).toISOString(), ip: '45.155.205.233', method: 'POST', endpoint: '/api/v1/auth/login', status: 401, request_id: `req-${k}` });
    const lines = Array.from({ length: 50 }, (_, k) => line(k));
    fs.writeFileSync(path.join(dir, 'access.log.1'), `${lines.slice(0, 40).join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'access.log'), `${lines.slice(30).join('\n')}\n`);
    const r = await analyze(analyzeOptions([dir], { threads: 1 }));
    expect(r.summary.events).toBe(50);
    expect(r.summary.notes).toContain('10 record(s) repeated one already read (the same request id within 2 s: rotated files that overlap, or two layers logging one request) and were counted once');
    expect(r.summary.notes.some((n) => n.includes('time filter'))).toBe(false);
    const stuffing = r.alerts.find((a) => a.rule === 'credential-stuffing');
    expect(stuffing?.evidence.metrics.failures).toBe(50);
  });
});
