/**
 * A file that lacks a field the detectors lean on: the summary says which key probably holds it (as
 * `apilog formats detect` would), so that "lacks: user" is not the end of it. A Caddy log whose
 * caller is only in a request header is the case a new user met.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { analyze } from '../../src/analyze/run.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';
import { runCli } from '../helpers/cli.js';

const dir = tempDirs()('apilog-suggest-');
const T0 = Date.UTC(2025, 2, 10, 9) / 1000;

/** Caddy's JSON access log: bob walks order ids 1000.., alice reads her own order; the user only in X-User-Id. */
function caddyLog(file: string, n = 300, start = T0, header: string | null = 'X-User-Id'): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const bob = i % 3 !== 0;
    lines.push(
      JSON.stringify({
        level: 'info', ts: start + i * 0.7, logger: 'http.log.access.log0', msg: 'handled request',
        request: {
          remote_ip: bob ? '203.0.113.7' : '203.0.113.9', remote_port: String(50000 + i), client_ip: bob ? '203.0.113.7' : '203.0.113.9',
          proto: 'HTTP/1.1', method: 'GET', host: 'api.example.com', uri: `/api/orders/${bob ? 1000 + i : 55}`,
          headers: { 'User-Agent': ['curl/8.4'], ...(header !== null ? { [header]: [bob ? 'bob' : 'alice'] } : {}), Accept: ['*/*'] },
        },
        bytes_read: 0, user_id: '', duration: 0.01, size: 512, status: 200, resp_headers: { 'Content-Type': ['application/json'] },
      }),
    );
  }
  const p = path.join(dir, file);
  fs.writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

describe('map suggestions in the summary', () => {
  const caddy = caddyLog('caddy.ndjson');

  it("names the header that holds the caller of a Caddy log, and --map with it finds the walk by user, not by IP", async () => {
    const plain = await analyze(analyzeOptions([caddy], { threads: 1 }));
    expect(plain.summary.files[0]!.format).toBe('caddy');
    expect(plain.summary.files[0]!.missingFields).toContain('user');
    expect(plain.summary.files[0]!.mapSuggestions).toEqual([{ field: 'user', path: 'request.headers.X-User-Id' }]);
    const walk = plain.alerts.find((a) => a.rule === 'bola-enumeration');
    expect([walk?.subject.ip, walk?.subject.user]).toEqual(['203.0.113.7', undefined]);

    const mapped = await analyze(analyzeOptions([caddy], { threads: 1, map: { user: 'request.headers.X-User-Id' } }));
    expect(mapped.summary.files[0]!.missingFields).not.toContain('user');
    expect(mapped.summary.files[0]!.mapSuggestions).toBeUndefined();
    expect(mapped.alerts.find((a) => a.rule === 'bola-enumeration')?.subject.user).toBe('bob');
  });

  it('suggests nothing for a file that carries the fields (the incident samples)', async () => {
    const r = await analyze(analyzeOptions(['fixtures/incident-bola-enumeration.ndjson'], { threads: 1 }));
    expect(r.summary.files[0]!.mapSuggestions).toBeUndefined();
  });

  it('gives rotated files of one log the same suggestion, each in the JSON summary and once on the terminal', async () => {
    // (An hour apart: identical files would be read once.)
    const files = ['a', 'b', 'c'].map((n, i) => caddyLog(`rotated-${n}.ndjson`, 60, T0 + i * 3600));
    const r = await analyze(analyzeOptions(files, { threads: 1 }));
    expect(r.summary.files.map((f) => f.mapSuggestions)).toEqual(files.map(() => [{ field: 'user', path: 'request.headers.X-User-Id' }]));
    const { stdout, code } = runCli(['analyze', ...files, '--threads', '1']);
    expect(code).toBe(0);
    const said = stdout.split('\n').filter((l) => l.includes('is probably'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('all 3 files: user is probably "request.headers.X-User-Id": --map');
  });

  it('tells files of one format apart by their nested keys, whatever their order (one header more is another suggestion)', async () => {
    const a = caddyLog('nested-a.ndjson', 60, T0);
    const b = caddyLog('nested-b.ndjson', 60, T0 + 3600, 'X-Account-Name');
    const c = caddyLog('nested-c.ndjson', 60, T0 + 7200, null);
    for (const order of [[a, b, c], [c, b, a]]) {
      const r = await analyze(analyzeOptions(order, { threads: 1 }));
      const of = (f: string) => r.summary.files.find((x) => x.path === f)!.mapSuggestions;
      expect([of(a), of(b), of(c)]).toEqual([[{ field: 'user', path: 'request.headers.X-User-Id' }], [{ field: 'user', path: 'request.headers.X-Account-Name' }], undefined]);
    }
  });

  it('suggests no key that could not be pasted as printed: one the output masks as a secret, one with a control character', async () => {
    const write = (name: string, holder: Record<string, unknown>): string => {
      const p = path.join(dir, name);
      const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ timestamp: new Date((T0 + i) * 1000).toISOString(), ip: '203.0.113.7', method: 'GET', path: `/api/orders/${i}`, status: 200, ...holder }));
      fs.writeFileSync(p, `${lines.join('\n')}\n`);
      return p;
    };
    const secret = write('secret-key.ndjson', { keys: { sk_live_4eC39HqLyjWDarjtT1zdp7dc: { account_id: 'acct_1' } } });
    const bell = write('bell-key.ndjson', { h: { 'x-user-id\u0007': 'bob' } });
    const r = await analyze(analyzeOptions([secret, bell], { threads: 1 }));
    for (const f of r.summary.files) {
      expect(f.missingFields, f.path).toContain('user');
      expect(f.mapSuggestions, f.path).toBeUndefined();
    }
  });
});
