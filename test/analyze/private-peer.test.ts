import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { analyze } from '../../src/analyze/run.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';

/** 40 requests of several users (none when `users` is false), each from `ip` (with X-Forwarded-For when `xff` is given). */
function write(ip: (k: number) => string, xff?: (k: number) => string, users = true): string {
  const dir = tempDirs()('apilog-peer-');
  const line = (k: number): string =>
    JSON.stringify({
      timestamp: new Date(Date.UTC(2025, 5, 2, 10, 0, k)).toISOString(),
      remote_addr: ip(k),
      ...(xff ? { x_forwarded_for: `${xff(k)}, ${ip(k)}` } : {}),
      ...(users ? { user_id: `u${k % 7}` } : {}),
      method: 'GET',
      path: `/api/v1/products/${k}`,
      status: 200,
    });
  fs.writeFileSync(path.join(dir, 'access.ndjson'), `${Array.from({ length: 40 }, (_, k) => line(k)).join('\n')}\n`);
  return dir;
}

const NOTE = /came from 10\.1\.0\.4, a private address: most likely the proxy or load balancer .* --map ip=<path>/;

describe('a log that names its proxy as every client', () => {
  it('says so once, with the way out, when no record carries the client', async () => {
    const r = await analyze(analyzeOptions([write(() => '10.1.0.4')], { threads: 1 }));
    expect(r.summary.notes.filter((n) => NOTE.test(n))).toEqual([expect.stringMatching(/^all of the events came from 10\.1\.0\.4/)]);
  });

  it('is quiet when X-Forwarded-For gives the clients, when the one address is public, when private addresses are many clients, and for one unnamed caller (health probes)', async () => {
    const quiet = [
      write(() => '10.1.0.4', (k) => `81.2.69.${k % 5}`),
      write(() => '81.2.69.160'),
      write((k) => `10.1.0.${k % 4}`),
      write(() => '10.1.0.4', undefined, false),
    ];
    for (const dir of quiet) {
      const r = await analyze(analyzeOptions([dir], { threads: 1 }));
      expect(r.summary.notes.some((n) => n.includes('a private address'))).toBe(false);
    }
  });
});
