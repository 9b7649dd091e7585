/**
 * rules' trustedProxies: an origin's log behind a CDN names the CDN's edge as every caller (public
 * addresses, so not taken for a proxy by themselves). Listing the edges' range makes apilog take
 * the client from X-Forwarded-For, the last hop outside that range (not the first, which the client
 * wrote itself), and find what the log without the CDN shows.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { analyze } from '../../src/analyze/run.js';
import { follow } from '../../src/analyze/follow.js';
import { loadRules } from '../../src/rules/index.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';
import { runCli } from '../helpers/cli.js';

const tempDir = tempDirs();
const dir = tempDir('apilog-cdn-');
const EDGES = '173.245.48.0/20';

/** The credential-stuffing sample as the origin behind the CDN logs it: the edge as peer, the client in X-Forwarded-For after a hop it made up. */
const origin = path.join(dir, 'origin.ndjson');
const direct = 'fixtures/incident-credential-stuffing.ndjson';

/** The sample's lines as logged behind a proxy: its client address moved to what `proxied` makes of it (the k-th line). */
function behindProxy(proxied: (k: number, ip: string) => Record<string, unknown>): string[] {
  return fs
    .readFileSync(direct, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, k) => {
      const { ip, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify({ ...rest, ...proxied(k, String(ip)) });
    });
}

const records = behindProxy((k, ip) => ({ remote_addr: `173.245.${48 + (k % 4)}.${1 + (k % 7)}`, x_forwarded_for: `45.${k % 200}.7.9, ${ip}` }));
fs.writeFileSync(origin, `${records.join('\n')}\n`);

/** The same in nginx's own keys (escape=json conventions): the edge in remote_addr, the header in http_x_forwarded_for. */
const nginxOrigin = path.join(dir, 'nginx.ndjson');
fs.writeFileSync(
  nginxOrigin,
  `${records
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify({
        time_iso8601: r.timestamp, remote_addr: r.remote_addr, http_x_forwarded_for: r.x_forwarded_for, remote_user: r.user_id,
        request: `${String(r.method)} ${String(r.endpoint)} HTTP/1.1`, status: r.status, body_bytes_sent: r.bytes, http_user_agent: r.user_agent, request_id: r.request_id,
      });
    })
    .join('\n')}\n`,
);

function rulesFile(body: string): string {
  const f = path.join(dir, `rules-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(f, body);
  return f;
}

const view = (alerts: Array<{ rule: string; severity: string; subject: { ip?: string; user?: string } }>): string[] =>
  alerts.map((a) => `${a.rule} ${a.severity} ${a.subject.ip ?? ''} ${a.subject.user ?? ''}`).sort();

describe('trustedProxies', () => {
  it("behind a CDN whose edges are listed, the alerts are those of the log without the CDN: the client's address, not the edge's or the made-up hop", async () => {
    const want = await analyze(analyzeOptions([direct], { threads: 1 }));
    const got = await analyze(analyzeOptions([origin], { threads: 1, rulesPaths: [rulesFile(`trustedProxies: ["${EDGES}"]\n`)] }));
    expect(want.alerts.some((a) => a.rule === 'credential-stuffing')).toBe(true);
    expect(view(got.alerts)).toEqual(view(want.alerts));
    const ips = new Set([...got.alerts.map((a) => a.subject.ip), ...[...got.entries].map((e) => e.subject.ip)]);
    expect([...ips].filter((ip) => ip?.startsWith('173.245.') || ip?.startsWith('45.'))).toEqual([]);
  });

  it('without the list, a public peer is taken as the caller (an application exposed directly): the header is not trusted', async () => {
    const got = await analyze(analyzeOptions([origin], { threads: 1 }));
    const wanted = new Set((await analyze(analyzeOptions([direct], { threads: 1 }))).alerts.map((a) => a.subject.ip));
    wanted.delete(undefined);
    expect(got.alerts.filter((a) => wanted.has(a.subject.ip))).toEqual([]);
    expect(got.summary.topIps[0]?.key).toMatch(/^173\.245\./);
  });

  it("nginx's own format: the edge is the caller, the summary says why and names trustedProxies; with the list, the client", async () => {
    const want = await analyze(analyzeOptions([direct], { threads: 1 }));
    const plain = await analyze(analyzeOptions([nginxOrigin], { threads: 1 }));
    expect(plain.summary.files[0]!.format).toBe('nginx');
    expect(plain.summary.topIps[0]?.key).toMatch(/^173\.245\./);
    expect(plain.summary.notes.filter((n) => n.includes('trustedProxies'))).toEqual([
      expect.stringMatching(/^all of \d+ events looked at came from public addresses whose X-Forwarded-For names another client \(173\.245\.\d+\.\d+ for 5\.228\.1\.10\)/),
    ]);
    const told = await analyze(analyzeOptions([nginxOrigin], { threads: 1, rulesPaths: [rulesFile(`trustedProxies: ["${EDGES}"]\n`)] }));
    // (The reshaped records carry only the access fields: the sample's hygiene finding is not in them.)
    const stuffing = (alerts: typeof want.alerts): string[] => view(alerts.filter((a) => a.rule === 'credential-stuffing'));
    expect(stuffing(told.alerts)).toEqual(stuffing(want.alerts));
    expect(stuffing(plain.alerts).some((a) => a.includes('5.228.1.10'))).toBe(false);
    expect(told.summary.notes.some((n) => n.includes('trustedProxies'))).toBe(false);
    // A log of clients connecting directly, a few of them sending the header: no note.
    expect((await analyze(analyzeOptions([direct], { threads: 1 }))).summary.notes.some((n) => n.includes('trustedProxies'))).toBe(false);
  });

  it('--follow gives the same note in its summary (and none once the edges are listed); stopped at once, it still reads the file', async () => {
    const notesOf = async (rulesPaths: string[]): Promise<string[]> => {
      const ac = new AbortController();
      const done = follow(analyzeOptions([nginxOrigin], { entries: 'none', rulesPaths }), { graceMs: 100, pollMs: 20, from: 'start' }, { onAlert: () => undefined, signal: ac.signal });
      // Stopping reads what the file holds, then summarises.
      ac.abort();
      const r = await done;
      expect(r.summary.events).toBe(records.length);
      return r.summary.notes.filter((n) => n.includes('trustedProxies'));
    };
    expect(await notesOf([])).toEqual([expect.stringMatching(/^all of \d+ events looked at came from public addresses whose X-Forwarded-For names another client/)]);
    expect(await notesOf([rulesFile(`trustedProxies: ["${EDGES}"]\n`)])).toEqual([]);
  });

  it('formats detect says why the edge is the caller and how to name it; with --rules, the header gives the client', () => {
    const plain = runCli(['formats', 'detect', nginxOrigin, '--format', 'json']);
    const plainDoc = JSON.parse(plain.stdout) as { advice: string[]; perField: Array<{ field: string; sourcePath: string | null; sample?: string }> };
    // The edge is the caller, and the field it came from is named (not the header beside it).
    expect(plainDoc.perField.find((f) => f.field === 'ip')).toMatchObject({ sourcePath: 'remote_addr' });
    const advice = plainDoc.advice.filter((a) => a.includes('trustedProxies'));
    expect(advice).toEqual([expect.stringMatching(/^\d+ of \d+ records come from a public address whose X-Forwarded-For names another client \(173\.245\.\d+\.\d+ for 5\.228\.1\.10\)/)]);
    const told = JSON.parse(runCli(['formats', 'detect', nginxOrigin, '--format', 'json', '--rules', rulesFile(`trustedProxies: ["${EDGES}"]\n`)]).stdout) as {
      advice: string[];
      perField: Array<{ field: string; sourcePath: string | null; sample?: string }>;
    };
    expect(told.perField.find((f) => f.field === 'ip')).toMatchObject({ sourcePath: 'http_x_forwarded_for', sample: '5.228.1.10' });
    expect(told.advice.some((a) => a.includes('trustedProxies'))).toBe(false);
  });

  it('through the CLI, with two threads, the output of one', () => {
    const rules = rulesFile(`trustedProxies: ["${EDGES}", "2400:cb00::/32"]\n`);
    const args = ['analyze', origin, '--rules', rules, '--format', 'ndjson', '--entries', 'all'];
    const one = runCli([...args, '--threads', '1']);
    const two = runCli([...args, '--threads', '2']);
    expect(one.stdout).toContain('"ip":"5.228.1.10"');
    expect(one.stdout).not.toContain('"ip":"173.245.');
    expect(two.stdout).toBe(one.stdout);
  });

  it('an entry that is no address or CIDR is refused, naming the file and the key', () => {
    const f = rulesFile('trustedProxies: ["173.245.48.0/20", "cloudflare"]\n');
    expect(() => loadRules([f])).toThrow(/trustedProxies\[1\]/);
    expect(() => loadRules([f])).toThrow(new RegExp(path.basename(f)));
    expect(loadRules([]).trustedProxies).toEqual([]);
  });

  it('`apilog rules` shows the list and the file it came from', () => {
    const f = rulesFile(`trustedProxies: ["${EDGES}"]\n`);
    const rows = JSON.stringify(JSON.parse(runCli(['rules', '--rules', f, '--format', 'json']).stdout));
    expect(rows).toContain(JSON.stringify({ detector: '(global)', option: 'trustedProxies', value: [EDGES], origin: f }));
  });

  describe('a public hop behind a private proxy (a load balancer in front of the ingress)', () => {
    /** The credential-stuffing sample behind a private ingress whose header ends with a Google front end. */
    function behindLb(hop: (k: number, ip: string) => string): string {
      const f = path.join(dir, `lb-${Math.random().toString(36).slice(2)}.ndjson`);
      const lines = behindProxy((k, ip) => ({ remote_addr: `10.128.0.${1 + (k % 3)}`, x_forwarded_for: hop(k, ip) }));
      fs.writeFileSync(f, `${lines.join('\n')}\n`);
      return f;
    }
    const lbNote = (notes: string[]) => notes.find((n) => n.includes('had another public address before it in the header'));

    it('says so, naming the hop taken and the address before it, and listing the range takes the client', async () => {
      const file = behindLb((k, ip) => `${ip}, 130.211.0.${1 + (k % 4)}`);
      const r = await analyze(analyzeOptions([file], { threads: 1 }));
      const note = lbNote(r.summary.notes);
      expect(note).toMatch(/^all of \d+ events whose client was taken from X-Forwarded-For had another public address before it in the header \(130\.211\.0\.\d after [\d.]+\): .*trustedProxies/);
      // Every request is taken to come from the load balancer: the stuffing IP is not found.
      expect(view(r.alerts).some((a) => a.includes('130.211.0.'))).toBe(true);
      const listed = await analyze(analyzeOptions([file], { threads: 1, rulesPaths: [rulesFile('trustedProxies: ["130.211.0.0/22"]\n')] }));
      expect(lbNote(listed.summary.notes)).toBeUndefined();
      expect(view(listed.alerts)).toEqual(view((await analyze(analyzeOptions([direct], { threads: 1 }))).alerts));
    });

    it('stays quiet when the header holds the client alone, when only some clients write a hop of their own, or when the hops before never recur', async () => {
      const alone = await analyze(analyzeOptions([behindLb((_k, ip) => ip)], { threads: 1 }));
      expect(lbNote(alone.summary.notes)).toBeUndefined();
      const some = await analyze(analyzeOptions([behindLb((k, ip) => (k % 5 === 0 ? `203.0.113.${k % 250}, ${ip}` : ip))], { threads: 1 }));
      expect(lbNote(some.summary.notes)).toBeUndefined();
      // A client writing a new made-up hop into every request (to pass as many): the hops before do not recur.
      const madeUp = await analyze(analyzeOptions([behindLb((k, ip) => `45.${k % 200}.7.9, ${ip}`)], { threads: 1 }));
      expect(lbNote(madeUp.summary.notes)).toBeUndefined();
      // A private first hop is the client's own network, not a proxy in front.
      const own = await analyze(analyzeOptions([behindLb((_k, ip) => `192.168.1.20, ${ip}`)], { threads: 1 }));
      expect(lbNote(own.summary.notes)).toBeUndefined();
    });
  });
});

