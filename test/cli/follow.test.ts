/**
 * `apilog analyze --follow`, end to end: the real CLI follows a file while the test appends to it,
 * and the alert must arrive on stdout while the process is still running; Ctrl-C (SIGINT) then
 * prints the summary and exits 130. Waits are for lines, with generous bounds for a loaded machine,
 * never fixed sleeps.
 */
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { tempDirs } from '../helpers/temp.js';
import { loadSchemas } from '../report/helpers.js';

const tempDir = tempDirs();
const tmp = (): string => tempDir('apilog-follow-');

/** Past timestamps (a replayed log): a quiet period closes the open incidents at once. */
const T0 = Date.parse('2025-01-06T10:00:00Z');

function line(ms: number, fields: Record<string, unknown>): string {
  return `${JSON.stringify({ timestamp: new Date(T0 + ms).toISOString(), method: 'GET', response_time_ms: 20, bytes: 512, user_agent: 'test-agent/1.0', ...fields })}\n`;
}

/** Ordinary traffic: a few users reading their own orders. */
function benign(fromMs: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const user = `u${i % 4}`;
    s += line(fromMs + i * 3000, { user_id: user, ip: `10.0.0.${(i % 4) + 1}`, endpoint: `/api/v1/users/${user}/profile`, status: 200, request_id: `b-${fromMs}-${i}` });
  }
  return s;
}

/** Brute force: `n` failed logins on one account from one IP, two seconds apart. */
function bruteForce(fromMs: number, ip: string, account: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += line(fromMs + i * 2000, { user_id: account, ip, method: 'POST', endpoint: '/api/v1/auth/login', status: 401, request_id: `bf-${ip}-${i}` });
  }
  return s;
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  /** Resolves with the first stdout line (from `from` on) matching, or rejects after `ms`. */
  waitFor(match: (rec: Record<string, unknown>) => boolean, ms: number, from?: number): Promise<{ rec: Record<string, unknown>; index: number }>;
  exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter((l) => l.trim() !== ''));
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    for (const w of waiters) w();
    resolve(code);
  }));
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    waitFor(match, ms, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          for (let i = from; i < lines.length; i++) {
            const rec = JSON.parse(lines[i]!) as Record<string, unknown>;
            if (match(rec)) {
              cleanup();
              resolve({ rec, index: i });
              return;
            }
          }
          if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`apilog exited (${child.exitCode ?? child.signalCode}) before the line came; stdout:\n${lines.join('\n')}\nstderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching line within ${ms} ms; stdout:\n${lines.join('\n')}\nstderr:\n${err}`));
        }, ms);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

const isAlertFrom = (ip: string) => (r: Record<string, unknown>): boolean =>
  r.type === 'alert' && r.rule === 'credential-stuffing' && (r.subject as { ip?: string }).ip === ip;

describe('apilog analyze --follow (CLI)', () => {
  it('prints an alert while the file grows, and the summary at Ctrl-C (exit 130)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'access.log');
    // History: ordinary traffic and a first attack, read when following starts.
    writeFileSync(file, benign(0, 20) + bruteForce(60_000, '203.0.113.7', 'alice', 12));
    const run = start(['analyze', '--follow', file, '--follow-grace', '1s', '--follow-poll', '100ms']);
    try {
      const first = await run.waitFor(isAlertFrom('203.0.113.7'), 60_000);
      expect(first.rec.id).toBe('A1');

      // Appended while apilog follows: more ordinary traffic, then a second attack, the last line
      // written in two pieces (a partial line must wait for its newline).
      appendFileSync(file, benign(600_000, 10));
      const attack = bruteForce(700_000, '198.51.100.23', 'bob', 12);
      const cut = attack.length - 25;
      appendFileSync(file, attack.slice(0, cut));
      appendFileSync(file, attack.slice(cut));
      const appendedAt = Date.now();
      const second = await run.waitFor(isAlertFrom('198.51.100.23'), 60_000, first.index + 1);
      const delay = Date.now() - appendedAt;
      // grace 1 s + polls; generous for a loaded machine
      expect(delay).toBeLessThan(30_000);
      expect(second.rec.id).toBe('A2');
      expect(second.rec.severity).toBe('medium');
      expect(((second.rec.evidence as { metrics: Record<string, unknown> }).metrics).failures).toBe(12);

      run.child.kill('SIGINT');
      const code = await run.exited;
      expect(code).toBe(130);
      const records = run.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const summary = records[records.length - 1]!;
      expect(summary.type).toBe('summary');
      expect(summary.partial).toBe(true);
      expect(summary.events).toBe(20 + 12 + 10 + 12);
      expect((summary.alerts as { byRule: Record<string, number> }).byRule['credential-stuffing']).toBe(2);
      // each incident once: no update line was needed
      const ids = records.filter((r) => r.type === 'alert').map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      // the same record shapes as batch mode
      const ajv = loadSchemas();
      for (const r of records) {
        const ok = ajv.validate(`urn:apilog:schema:v1:${String(r.type)}`, r);
        expect(ok, JSON.stringify(ajv.errors)).toBe(true);
      }
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 120_000);

  it('live: a login that succeeds after a stuffing run is alerted at once, not when the incident is over (hours later)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'live.log');
    const rules = path.join(dir, 'fast.yaml');
    // Events wait `latenessMs` for stragglers; one second here, so the test need not wait five minutes.
    writeFileSync(rules, 'latenessMs: 1000\n');
    const now = Date.now();
    const at = (ms: number, f: Record<string, unknown>): string =>
      `${JSON.stringify({ timestamp: new Date(ms).toISOString(), method: 'POST', endpoint: '/api/v1/auth/login', ip: '203.0.113.77', user_agent: 'python-requests/2.31', ...f })}\n`;
    let log = '';
    for (let i = 0; i < 40; i++) log += at(now - 60_000 + i * 1000, { user_id: `victim${i}`, status: 401, request_id: `f-${i}` });
    writeFileSync(file, log);
    const run = start(['analyze', '--follow', file, '--follow-grace', '1s', '--follow-poll', '100ms', '--rules', rules]);
    try {
      // The takeover, written live: the incident stays open (it waits hours for more), but the alert comes now.
      appendFileSync(file, at(Date.now(), { user_id: 'victim7', status: 200, request_id: 'ok-1' }));
      const got = await run.waitFor((r) => isAlertFrom('203.0.113.77')(r) && r.severity === 'critical', 45_000);
      expect(got.rec.summary).toMatch(/then 1 successful login as victim7/);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(130);
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 120_000);

  it('gives the same alerts as a batch run over the same file', async () => {
    const dir = tmp();
    const file = path.join(dir, 'access.log');
    writeFileSync(file, benign(0, 30) + bruteForce(60_000, '203.0.113.7', 'alice', 12) + benign(200_000, 10));
    const batch = runCli(['analyze', file, '--format', 'ndjson', '--entries', 'none']);
    expect(batch.code).toBe(0);
    const want = batch.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const run = start(['analyze', '--follow', file, '--follow-grace', '1s', '--follow-poll', '100ms']);
    try {
      await run.waitFor(isAlertFrom('203.0.113.7'), 60_000);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(143);
      const got = run.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const strip = (rs: Array<Record<string, unknown>>): unknown[] => rs.filter((r) => r.type === 'alert').map(({ id: _id, ...rest }) => rest);
      expect(strip(got)).toEqual(strip(want));
      const s = got[got.length - 1]!;
      const b = want[want.length - 1]!;
      for (const k of ['events', 'alerts', 'detectors', 'files', 'timeSpan', 'actors']) expect(s[k], k).toEqual(b[k]);
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 120_000);

  it('stdin: reads until its end, then prints the summary (not partial) and exits', async () => {
    const run = start(['analyze', '--follow', '-', '--follow-grace', '1s', '--follow-poll', '100ms']);
    run.child.stdin.write(benign(0, 5));
    run.child.stdin.end(bruteForce(60_000, '203.0.113.9', 'carol', 12));
    expect(await run.exited).toBe(0);
    const records = run.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.filter((r) => r.type === 'alert').map((r) => r.rule)).toContain('credential-stuffing');
    const summary = records[records.length - 1]!;
    expect(summary).toMatchObject({ type: 'summary', partial: false, events: 17 });
  }, 60_000);

  it('refuses what it cannot do live, with a usage error (exit 2)', () => {
    const text = runCli(['analyze', '--follow', 'fixtures/incident-sample.ndjson', '--format', 'text']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('--follow writes ndjson');
    const entries = runCli(['analyze', '--follow', 'fixtures/incident-sample.ndjson', '--entries', 'all']);
    expect(entries.code).toBe(2);
    expect(entries.stderr).toContain('--entries');
    const stray = runCli(['analyze', 'fixtures/incident-sample.ndjson', '--follow-grace', '2s']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--follow-grace only applies with --follow');
    const since = runCli(['analyze', '--follow', 'fixtures/incident-sample.ndjson', '--since', '1h']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since-now');
    // -o naming the followed log would empty it before the first line is read.
    const dir = tmp();
    const log = path.join(dir, 'f.log');
    copyFileSync('fixtures/incident-sample.ndjson', log);
    const same = runCli(['analyze', '--follow', log, '-o', log]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain(`-o ${log} is also an input`);
    expect(readFileSync(log, 'utf8')).toBe(readFileSync('fixtures/incident-sample.ndjson', 'utf8'));
  });
});
