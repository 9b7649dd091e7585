/**
 * Faults and limits through the real CLI (issue 8): inputs that change or vanish during a run,
 * inputs that cannot be read, a 1 GB line and a 16 MB nest on stdin (peak memory measured), invalid
 * UTF-8, regexes fed crafted text, a full disk and unwritable -o paths, every kind of mistake in a
 * rules, baseline or mapping file, and what a run leaves behind (nothing but -o) and which paths it
 * prints (the ones the user typed).
 *
 * Runs are started two at a time where they are independent (two cores). Linux only: FIFOs,
 * /dev/full and `sh` are used.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, parseNdjson } from '../helpers/cli.js';
import { tempDirs } from '../helpers/temp.js';
import type * as ScannerModule from '../../src/hygiene/scanner.js';
import type * as RedactModule from '../../src/hygiene/redact.js';
import type * as PrefilterModule from '../../src/signatures/prefilter.js';
import type * as DecodeModule from '../../src/signatures/decode.js';
import type * as SignatureModule from '../../src/signatures/rules.js';
import type * as ViewModule from '../../src/sigma/view.js';
import type * as RulesModule from '../../src/rules/index.js';
import { eventFromRaw } from '../signatures/helpers.js';

const SAMPLE = path.join(ROOT, 'fixtures/incident-sample.ndjson');
/** Runs are slow on a busy two-core machine; none should come near this. */
const SLOW = 120_000;
/** A stack trace, or the crash banner of an uncaught error. */
const CRASH = /\n\s+at |internal error|Node\.js v\d|Unhandled|\bthrow err\b/;

// Removed after the file's tests, chmod 000 entries left by a failed test included.
const tempDir = tempDirs();
function tmp(): string {
  return tempDir('apilog-faults-');
}
/** A small flat log (60 events) for runs whose input is not the point. */
let SMALL = '';
beforeAll(() => {
  SMALL = path.join(tmp(), 'small.ndjson');
  fs.writeFileSync(SMALL, flat('s', 60));
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface StartOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Bytes for stdin (else stdin is empty). */
  input?: string | Buffer;
  /** A file descriptor for stdout instead of a pipe (e.g. /dev/full). */
  stdoutFd?: number;
  /** Run without the capabilities that let root read any file (as root), so chmod 000 denies. */
  unprivileged?: boolean;
}

const DROP_READ_OVERRIDE = ['setpriv', '--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search', '--'];

/** Start the built CLI (as runCli does, but without blocking the test process). */
function start(args: string[], o: StartOptions = {}): { child: ChildProcess; done: Promise<Run> } {
  const command = [process.execPath, BIN, ...args];
  // As root, chmod 000 denies nothing: run the CLI with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
  // dropped (still uid 0, so a Node installed under root's home, as npx puts it, still runs).
  if (o.unprivileged && process.getuid?.() === 0) command.unshift(...DROP_READ_OVERRIDE);
  const child = spawn(command[0]!, command.slice(1), {
    cwd: o.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...o.env },
    stdio: [o.input !== undefined ? 'pipe' : 'ignore', o.stdoutFd ?? 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (o.input !== undefined) child.stdin!.end(o.input);
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}
const run = (args: string[], o: StartOptions = {}): Promise<Run> => start(args, o).done;

/** Run independent jobs two at a time. */
async function pool<T, R>(items: T[], fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

function summaryOf(stdout: string): Record<string, unknown> {
  const last = parseNdjson(stdout).at(-1)!;
  expect(last.type).toBe('summary');
  return last;
}
const actorCounts = (s: Record<string, unknown>): Record<string, number> =>
  Object.fromEntries((s.actors as Array<{ actor: string; requests: number }>).map((a) => [a.actor, a.requests]));

/** Flat access-log lines for user `user`, one second apart from `from`. */
function flat(user: string, n: number, from = 0): string {
  let out = '';
  for (let i = from; i < from + n; i++) {
    const ts = new Date(Date.UTC(2025, 2, 10, 10, 0, 0) + i * 1000).toISOString();
    out += `${JSON.stringify({ timestamp: ts, user_id: user, ip: '203.0.113.5', method: 'GET', path: `/api/v1/items/${i}`, status: 200 })}\n`;
  }
  return out;
}

/** One line on stderr, naming `what`, and no crash. */
function expectOneLineError(r: Run, what: string, label: string): void {
  expect(r.stderr, label).not.toMatch(CRASH);
  const lines = r.stderr.trim().split('\n');
  expect(lines, `${label}: ${r.stderr}`).toHaveLength(1);
  expect(lines[0], label).toMatch(/^apilog: /);
  expect(lines[0], label).toContain(what);
}

// ---------------------------------------------------------------------------------------------

describe('inputs that change or vanish during a run', () => {
  /**
   * `apilog analyze GATE ...rest`, where GATE is a FIFO named first: the run lists every input (walks
   * the folders, notes each file's size), then waits opening GATE until the test opens it for
   * writing. `change` runs at that known point; then `gateText` is written and GATE closed.
   */
  async function gated(dir: string, rest: string[], gateText: string, change: () => void = () => {}): Promise<Run> {
    const gate = path.join(dir, 'gate.ndjson');
    execFileSync('mkfifo', [gate]);
    const { done } = start(['analyze', gate, ...rest, '--format', 'ndjson']);
    const opening = fs.promises.open(gate, 'w');
    const first = await Promise.race([opening, done.then(() => 'ended' as const)]);
    if (first === 'ended') {
      // Release our pending open (it waits for a reader), then fail with what the run said.
      fs.closeSync(fs.openSync(gate, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
      await (await opening).close();
      throw new Error(`apilog ended before opening the gate: ${(await done).stderr}`);
    }
    change();
    await first.writeFile(gateText);
    await first.close();
    return done;
  }

  it('a named pipe (as `<(zcat …)` gives) is read once, and every event of it is analysed', async () => {
    const dir = tmp();
    const other = path.join(dir, 'other.ndjson');
    fs.writeFileSync(other, flat('o', 100, 1000));
    const r = await gated(dir, [other], flat('g', 400));
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(0);
    const s = summaryOf(r.stdout);
    const files = s.files as Array<{ path: string; events: number }>;
    // Before: the pipe was read once to find its first event, then "re-opened" and found empty.
    expect(files.map((f) => [path.basename(f.path), f.events])).toEqual([
      ['gate.ndjson', 400],
      ['other.ndjson', 100],
    ]);
    expect(s.events).toBe(500);
  }, SLOW);

  it('a file deleted and one truncated after the folder walk: both named, the run finishes, no other event is lost', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'logs'));
    const a = path.join(dir, 'logs', 'a.ndjson');
    const b = path.join(dir, 'logs', 'b.ndjson');
    const c = path.join(dir, 'logs', 'c.ndjson');
    fs.writeFileSync(a, flat('a', 50));
    fs.writeFileSync(b, flat('b', 50, 100));
    fs.writeFileSync(c, flat('c', 100, 200));
    const r = await gated(dir, [path.join(dir, 'logs')], flat('g', 20, 400), () => {
      fs.unlinkSync(b);
      fs.truncateSync(c, Buffer.byteLength(flat('c', 50, 200))); // at a line boundary: no line is cut
    });
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(3); // an input named on the command line (through its folder) could not be read
    expect(r.stderr).toContain(`cannot read ${b}: no such file or directory`);
    expect(r.stderr).toContain(`${c}: file shrank while it was read`);
    const s = summaryOf(r.stdout);
    expect(actorCounts(s)).toEqual({ 'user:g': 20, 'user:a': 50, 'user:c': 50 });
    const issues = (s.issues as Array<{ kind: string; file: string }>).map((i) => [i.kind, i.file]);
    expect(issues).toEqual(expect.arrayContaining([['not-found', b], ['file-shrank', c]]));
    expect(issues).toHaveLength(2);
  }, SLOW);
});

describe('inputs that cannot be read', () => {
  it('an unreadable file and an unreadable folder are each named; the readable rest is analysed; exit 3', async () => {
    const dir = tmp();
    fs.chmodSync(dir, 0o755);
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(path.join(logs, 'sealed'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(logs, 'a.ndjson'), flat('a', 30), { mode: 0o644 });
    fs.writeFileSync(path.join(logs, 'locked.ndjson'), flat('locked', 30, 100), { mode: 0o644 });
    fs.writeFileSync(path.join(logs, 'sealed', 's.ndjson'), flat('sealed', 30, 200), { mode: 0o644 });
    fs.chmodSync(path.join(logs, 'locked.ndjson'), 0o000);
    fs.chmodSync(path.join(logs, 'sealed'), 0o000);
    try {
      const r = await run(['analyze', 'logs', '--format', 'ndjson'], { cwd: dir, unprivileged: true });
      expect(r.stderr).not.toMatch(CRASH);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('cannot read logs/locked.ndjson: permission denied');
      expect(r.stderr).toContain('cannot read logs/sealed: permission denied');
      const s = summaryOf(r.stdout);
      expect(actorCounts(s)).toEqual({ 'user:a': 30 });
      expect((s.issues as Array<{ kind: string; file: string }>).map((i) => [i.kind, i.file]).sort()).toEqual([
        ['permission-denied', 'logs/locked.ndjson'],
        ['permission-denied', 'logs/sealed'],
      ]);
    } finally {
      fs.chmodSync(path.join(logs, 'locked.ndjson'), 0o644);
      fs.chmodSync(path.join(logs, 'sealed'), 0o755);
    }
  }, SLOW);
});

// ---------------------------------------------------------------------------------------------

describe('limits, with the peak memory of the run measured', () => {
  const MiB = 1024 * 1024;
  // Writes, with backpressure, to stdout: a line for user "before" (unless the big line comes
  // first), then the big line (1 GiB of "a" inside a JSON string, 512 MiB when it is the first
  // line, or 8 M "[" then 8 M "]": 16 MB, under the 16 MiB line limit), then lines for "after-1"
  // and "after-2". Nothing touches the disk.
  const GEN = `
    const mode = process.argv[1];
    const line = (u, s) => JSON.stringify({ timestamp: '2025-03-10T10:00:0' + s + 'Z', user_id: u, ip: '203.0.113.5', method: 'GET', path: '/a', status: 200 }) + '\\n';
    const parts = [];
    if (mode !== 'first') parts.push(Buffer.from(line('before', 1)));
    const big = [];
    if (mode === 'deep') {
      const half = 8 * 1000 * 1000;
      for (let k = 0; k < half; k += 1 << 20) big.push(Buffer.alloc(Math.min(1 << 20, half - k), 0x5b));
      for (let k = 0; k < half; k += 1 << 20) big.push(Buffer.alloc(Math.min(1 << 20, half - k), 0x5d));
    } else {
      const chunk = Buffer.alloc(1 << 20, 0x61);
      big.push(Buffer.from('{"junk":"'));
      for (let k = 0; k < (mode === 'first' ? 512 : 1024); k++) big.push(chunk);
      big.push(Buffer.from('"}'));
    }
    const tail = [Buffer.from('\\n' + line('after-1', 2) + line('after-2', 3))];
    const all = [...parts, ...big, ...tail];
    let k = 0;
    const pump = () => {
      while (k < all.length) if (!process.stdout.write(all[k++])) return process.stdout.once('drain', pump);
      process.stdout.end();
    };
    pump();
  `;

  /** `node -e GEN mode | node --import max-rss.mjs apilog analyze - --format ndjson`, and the run's peak RSS. */
  async function bigInput(mode: 'middle' | 'first' | 'deep'): Promise<Run & { rss: number }> {
    const rssFile = path.join(tmp(), 'rss');
    const rssHook = pathToFileURL(path.join(ROOT, 'scripts/lib/max-rss.mjs')).href;
    const child = spawn('sh', ['-c', `"$NODE" -e "$GEN" "$MODE" | "$NODE" --import "$HOOK" "$BIN" analyze - --format ndjson`], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', NODE: process.execPath, GEN, MODE: mode, HOOK: rssHook, BIN, APILOG_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr, rss: Number(fs.readFileSync(rssFile, 'utf8')) };
  }

  it.each([
    ['middle', 2, 'line longer than the 16 MiB limit (--max-line-bytes); skipped', ['before', 'after-1', 'after-2']],
    ['first', 1, 'JSON value longer than the 16 MiB limit (--max-line-bytes); skipped', ['after-1', 'after-2']],
  ] as const)('a huge line on stdin (%s): skipped and reported with its line number; the next lines are read; memory stays bounded', async (mode, lineNo, message, users) => {
    const r = await bigInput(mode);
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(0);
    const s = summaryOf(r.stdout);
    expect(Object.keys(actorCounts(s)).sort()).toEqual(users.map((u) => `user:${u}`).sort());
    expect(s.issues).toEqual([{ kind: 'line-too-long', file: '-', line: lineNo, message }]);
    expect((s.files as Array<{ skipped: unknown }>)[0]!.skipped).toEqual({ 'line-too-long': 1 });
    expect(r.stderr).toContain(`first -:${lineNo}: ${message}`);
    // Holding the line would take 512 MiB to 1 GiB; the reader keeps at most one limit's worth (16 MiB).
    expect(r.rss).toBeGreaterThan(10 * MiB); // the measurement works
    expect(r.rss).toBeLessThan(256 * MiB);
  }, SLOW);

  it('a 16 MB line nested 8 million deep on stdin: refused as too deep without being built in memory', async () => {
    const r = await bigInput('deep');
    expect(r.stderr).not.toMatch(CRASH);
    expect(r.code).toBe(0);
    const s = summaryOf(r.stdout);
    expect(Object.keys(actorCounts(s)).sort()).toEqual(['user:after-1', 'user:after-2', 'user:before']);
    expect((s.issues as Array<{ kind: string; line: number }>).map((i) => [i.kind, i.line])).toEqual([['too-deep', 2]]);
    // Parsing it before checking the depth built 8 million nested arrays: 450 MB to 1 GB.
    expect(r.rss).toBeLessThan(256 * MiB);
  }, SLOW);
});

describe('invalid UTF-8', () => {
  it('is replaced by U+FFFD, the records kept, each line counted and named in the summary, and said so on stderr', async () => {
    const dir = tmp();
    const f = path.join(dir, 'bad-utf8.ndjson');
    const [l1, l2, l3, l4] = flat('u', 4).split('\n');
    fs.writeFileSync(
      f,
      Buffer.concat([
        Buffer.from(l1!.replace('"user_id":"u"', '"user_id":"u\u00ff1"'), 'latin1'), // a lone 0xff byte
        Buffer.from(`\n${l2!}\n`),
        Buffer.from(l3!.replace('"user_id":"u"', '"user_id":"u\u00e23"'), 'latin1'), // a cut 3-byte sequence
        Buffer.from(`\n${l4!}\n`),
      ]),
    );
    const [nd, text] = await Promise.all([run(['analyze', f, '--format', 'ndjson']), run(['analyze', f])]);
    expect(nd.code).toBe(0);
    const s = summaryOf(nd.stdout);
    expect(s.events).toBe(4);
    expect(s.issuesTotal).toBe(2);
    expect((s.issues as Array<{ kind: string; file: string; line: number }>).map((i) => [i.kind, i.file, i.line])).toEqual([
      ['invalid-utf8', f, 1],
      ['invalid-utf8', f, 3],
    ]);
    expect(Object.keys(actorCounts(s)).sort()).toEqual(['user:u', 'user:u\ufffd1', 'user:u\ufffd3']);
    // Read with replacement, not skipped: stderr must not say they were skipped.
    expect(nd.stderr).toContain(`2 input line(s) held invalid UTF-8, read with the bad bytes replaced by U+FFFD; first ${f}:1`);
    expect(nd.stderr).not.toMatch(/skipped/);
    expect(text.stdout).toMatch(/Issues\s+2 in all/);
    expect(text.stdout).toContain(`invalid-utf8  ${f}:3`);
  }, SLOW);

  it('a line skipped as malformed (a raw ESC beside an 8-bit CSI byte) is counted once, not also as invalid UTF-8', async () => {
    const dir = tmp();
    const f = path.join(dir, 'esc.ndjson');
    // JSON.parse rejects the raw ESC in a string; the lone 0x9b byte is not UTF-8.
    const bad = Buffer.concat([
      Buffer.from('{"timestamp":"2025-03-10T10:00:00.000Z","user_id":"u\x1b[31m'),
      Buffer.from([0x9b]),
      Buffer.from('0m","ip":"203.0.113.5","method":"GET","path":"/a","status":200}\n'),
    ]);
    fs.writeFileSync(f, Buffer.concat([bad, Buffer.from(flat('u', 1))]));
    const [nd, text] = await Promise.all([run(['analyze', f, '--format', 'ndjson']), run(['analyze', f])]);
    expect(nd.code).toBe(0);
    const s = summaryOf(nd.stdout);
    expect(s.events).toBe(1);
    expect(s.issuesTotal).toBe(1);
    expect((s.issues as Array<{ kind: string; line: number }>).map((i) => [i.kind, i.line])).toEqual([['malformed-json', 1]]);
    expect(nd.stderr).toContain(`1 input line(s) skipped as malformed or not mappable; first ${f}:1`);
    expect(nd.stderr).not.toMatch(/invalid UTF-8/);
    expect(text.stdout).toMatch(/Issues\s+1 in all/);
  }, SLOW);

  it('stderr counts the lines skipped, not the issues listed (past 20 of a kind, one issue stands for the rest)', async () => {
    const dir = tmp();
    const f = path.join(dir, 'many-bad.ndjson');
    fs.writeFileSync(f, `${'{"level":"info","msg":"worker started"}\n'.repeat(45)}${flat('u', 1)}`);
    const r = await run(['analyze', f, '--format', 'ndjson']);
    expect(summaryOf(r.stdout).events).toBe(1);
    expect(r.stderr).toContain(`45 input line(s) skipped as malformed or not mappable; first ${f}:1`);
  }, SLOW);
});

// ---------------------------------------------------------------------------------------------

describe('regexes fed crafted text', () => {
  // Every regex apilog runs on log content, from the source (hygiene, signatures, Sigma engine,
  // rule matchers) and the shipped rules (Sigma `|re` values, `re:` route patterns). Each one is
  // turned into attack strings: its atoms as one-character stand-ins ("skeleton"), repeated whole
  // and without the last atom (matches that start everywhere and never finish), and runs of each
  // stand-in and of each adjacent pair. The harvest is textual, so new regexes are covered too.
  const SOURCES = ['src/hygiene', 'src/signatures', 'src/sigma', 'src/rules'];
  const LITERAL = /(?<=[=(,:[!&|?{};]\s*|return\s+)\/((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])+)\/([dgimsuy]*)/g;

  function harvest(): Array<{ where: string; source: string }> {
    const out: Array<{ where: string; source: string }> = [];
    for (const dir of SOURCES) {
      for (const f of fs.readdirSync(path.join(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
        const text = fs.readFileSync(path.join(ROOT, dir, f), 'utf8');
        for (const m of text.matchAll(LITERAL)) {
          try {
            new RegExp(m[1]!, m[2]!.replace(/[gy]/g, ''));
            out.push({ where: `${dir}/${f}`, source: m[1]! });
          } catch {
            // not a regex literal (a division, a comment)
          }
        }
      }
    }
    const walk = (v: unknown, where: string, isRe: boolean): void => {
      if (typeof v === 'string') {
        if (isRe) out.push({ where, source: v });
        else if (v.startsWith('re:')) out.push({ where, source: v.slice(3) });
      } else if (Array.isArray(v)) {
        for (const x of v) walk(x, where, isRe);
      } else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) walk(x, where, isRe || /\|re(\||$)/.test(k));
      }
    };
    for (const f of fs.readdirSync(path.join(ROOT, 'rules/sigma'))) {
      for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, 'rules/sigma', f), 'utf8'))) walk(d.toJS(), `rules/sigma/${f}`, false);
    }
    for (const f of fs.readdirSync(path.join(ROOT, 'rules')).filter((n) => n.endsWith('.yaml'))) {
      walk(YAML.parse(fs.readFileSync(path.join(ROOT, 'rules', f), 'utf8')), `rules/${f}`, false);
    }
    return out;
  }

  const CANDIDATES = ['a', 'A', '1', ' ', '=', ':', '/', '.', '-', '_', '%', '"', "'", '<', '{', '$', '@', '+', ',', ';', '\\', '\n', '~', '(', '|', '&', '?', '#', '*'];
  /** A character the atom (a class, an escape such as \d, or ".") matches. */
  function standIn(atom: string): string {
    for (const flags of ['', 'i']) {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${atom})$`, flags);
      } catch {
        return '';
      }
      for (const c of CANDIDATES) if (re.test(c)) return c;
      for (let code = 0x21; code < 0x7f; code++) if (re.test(String.fromCharCode(code))) return String.fromCharCode(code);
    }
    return '';
  }
  const ESCAPED: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', '0': '\0' };

  function skeleton(src: string): string[] {
    const reps: string[] = [];
    let i = 0;
    const skipGroup = (from: number): number => {
      // index after the ")" closing the group opened at `from`
      let depth = 0;
      for (let j = from; j < src.length; j++) {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
        else if (src[j] === '(') depth++;
        else if (src[j] === ')' && --depth === 0) return j + 1;
      }
      return src.length;
    };
    while (i < src.length) {
      const c = src[i]!;
      let atom: string | null = null;
      if (c === '\\') {
        const n = src[i + 1] ?? '';
        if (n === 'x') atom = src.slice(i, (i += 4));
        else if (n === 'u') atom = src.slice(i, (i += src[i + 2] === '{' ? src.indexOf('}', i) + 1 - i : 6));
        else if (/[dDwWsS]/.test(n)) atom = src.slice(i, (i += 2));
        else if (/[bB1-9]/.test(n)) i += 2;
        else if (n === 'k') i = src.indexOf('>', i) + 1;
        else {
          reps.push(ESCAPED[n] ?? n);
          i += 2;
        }
      } else if (c === '[') {
        let j = i + 1;
        if (src[j] === '^') j++;
        if (src[j] === ']') j++;
        while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
        atom = src.slice(i, (i = j + 1));
      } else if (c === '(') {
        if (src.startsWith('(?!', i) || src.startsWith('(?<!', i)) i = skipGroup(i); // negative lookaround: nothing to match
        else if (src.startsWith('(?<=', i) || src.startsWith('(?=', i)) i += src[i + 2] === '<' ? 4 : 3;
        else if (src.startsWith('(?<', i)) i = src.indexOf('>', i) + 1;
        else i += src.startsWith('(?:', i) ? 3 : 1;
      } else if (c === '{') {
        const m = /^\{(\d+)(?:,(\d*))?\}\??/.exec(src.slice(i));
        if (m) {
          const last = reps.at(-1);
          for (let k = 1; k < Math.min(Number(m[1]), 64) && last !== undefined; k++) reps.push(last);
          i += m[0].length;
        } else {
          reps.push('{');
          i++;
        }
      } else if (')|^$*+?'.includes(c)) {
        i++;
      } else if (c === '.') {
        atom = '.';
        i++;
      } else {
        reps.push(c);
        i++;
      }
      if (atom !== null) {
        const r = standIn(atom);
        if (r !== '') reps.push(r);
      }
    }
    return reps;
  }

  function attackStrings(sources: Array<{ source: string }>, size: number): string[] {
    const fill = (s: string): string => s.repeat(Math.ceil(size / s.length)).slice(0, size);
    const out = new Set<string>();
    for (const { source } of sources) {
      const sk = skeleton(source);
      if (sk.length === 0) continue;
      out.add(fill(sk.join('')));
      if (sk.length > 1) out.add(fill(sk.slice(0, -1).join('')));
      for (const ch of new Set(sk)) out.add(fill(ch));
      for (let k = 0; k + 1 < sk.length; k++) out.add(fill(sk[k]! + sk[k + 1]!));
    }
    return [...out];
  }

  /** The built modules (dist/, built by the global setup): the test runner's transforms make hot loops several times slower. */
  async function dist<T>(rel: string): Promise<T> {
    return (await import(pathToFileURL(path.join(ROOT, 'dist', rel)).href)) as T;
  }

  it('every regex run on log content stays fast on attack strings derived from it (20 KB each)', async () => {
    const { HygieneScanner } = await dist<typeof ScannerModule>('hygiene/scanner.js');
    const { redactRecord } = await dist<typeof RedactModule>('hygiene/redact.js');
    const { suspiciousPath, suspiciousQuery, suspiciousReferer } = await dist<typeof PrefilterModule>('signatures/prefilter.js');
    const { urlDecodeOnce } = await dist<typeof DecodeModule>('signatures/decode.js');
    const { loadSignatureRules } = await dist<typeof SignatureModule>('signatures/rules.js');
    const { EventView } = await dist<typeof ViewModule>('sigma/view.js');
    const { compileRouteList, compileUaList, loadRules, parseMethodPattern } = await dist<typeof RulesModule>('rules/index.js');
    const sources = harvest();
    const where = new Set(sources.map((s) => s.where));
    // The harvest found what it is meant to find (a broken harvest would pass vacuously).
    for (const w of ['src/hygiene/scanner.ts', 'src/signatures/prefilter.ts', 'rules/sigma/web_sqli.yml', 'rules/routes.yaml']) expect(where).toContain(w);
    expect(sources.length).toBeGreaterThan(60);
    const strings = attackStrings(sources, 20_000);
    expect(strings.length).toBeGreaterThan(200);

    const scanner = new HygieneScanner({ maxBytes: 1 << 20 });
    const signatures = loadSignatureRules();
    const view = new EventView(true);
    const rules = loadRules([]);
    const routeTests = [
      ...Object.values(rules.routes).map((list) => compileRouteList(list)),
      compileRouteList(rules.classification.map((c) => c.pattern)),
      compileRouteList(Object.values(rules.policy.permissions).flat().map((p) => parseMethodPattern(p).pattern)),
    ];
    const uaTest = compileUaList(rules.allow.userAgents);
    const scanAll = (s: string): void => {
      scanner.scanRecord({ a: s, query: s, message: s }, () => undefined);
      redactRecord({ message: s });
      suspiciousPath(s);
      suspiciousQuery(s);
      suspiciousReferer(s);
      urlDecodeOnce(s);
      for (const field of ['path', 'query', 'ua', 'referer', 'body'] as const) {
        view.reset(eventFromRaw(field === 'path' ? { path: `/${s}` } : { path: '/x', [field]: s }));
        for (const r of signatures.payload) r.match(view);
        for (const r of signatures.userAgent) r.match(view);
      }
      for (const t of routeTests) t(`/${s}`);
      uaTest(s);
    };
    const slow: string[] = [];
    for (const s of strings) {
      let t = performance.now();
      scanAll(s);
      let ms = performance.now() - t;
      if (ms > 250) {
        // once more, so a pause of the machine does not fail the test; backtracking stays slow
        t = performance.now();
        scanAll(s);
        ms = Math.min(ms, performance.now() - t);
      }
      if (ms > 250) slow.push(`${JSON.stringify(s.slice(0, 24))}… ${ms.toFixed(0)} ms`);
    }
    expect(slow).toEqual([]);
  }, SLOW);

  it('a user rule whose regex could backtrack catastrophically is refused at load, naming file and key (exit 2)', async () => {
    const dir = tmp();
    const cases: Array<[string, string, string]> = [
      ['nested.yaml', 'allow:\n  userAgents: ["re:(a+)+$"]\n', 'allow.userAgents[0]'],
      ['alternation.yaml', 'routes:\n  admin: ["re:^/(a|aa)+$"]\n', 'routes.admin[0]'],
      ['power.yaml', 'classification:\n  - { pattern: "re:(.*a){12}", kind: personal }\n', 'classification[0].pattern'],
      ['detector.yaml', 'detectors:\n  scraping:\n    ignoreUserAgents: ["curl", "re:(x|xx)*y"]\n', 'detectors.scraping.ignoreUserAgents[1]'],
    ];
    const t = performance.now();
    const runs = await pool(cases, ([name, text]) => {
      fs.writeFileSync(path.join(dir, name), text);
      // A user agent that would take minutes against any of these patterns, were it run.
      return run(['analyze', '-', '--rules', path.join(dir, name), '--format', 'ndjson'], { input: `{"timestamp":"2025-03-10T10:00:00Z","user_id":"u","user_agent":"${'a'.repeat(60)}!"}\n` });
    });
    cases.forEach(([name, , key], k) => {
      const r = runs[k]!;
      expect(r.code, name).toBe(2);
      expectOneLineError(r, `${path.join(dir, name)}: ${key}: expected `, name);
      expect(r.stderr, name).toMatch(/catastrophic backtracking/);
    });
    expect(performance.now() - t).toBeLessThan(SLOW / 2);
  }, SLOW);
});

// ---------------------------------------------------------------------------------------------

describe('a full disk and unwritable output paths', () => {
  // /dev/full (Linux) stands for a full disk: every write to it fails with ENOSPC.
  it('has /dev/full to write to', () => {
    expect(fs.existsSync('/dev/full') && fs.statSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  it('-o on a full disk, in a missing folder, or on a folder: one line naming the path, exit 2, for every command that writes', async () => {
    const dir = tmp();
    // /dev/full through a symlink: a regression that renames over the target replaces the link, not /dev/full.
    const full = path.join(dir, 'full.out');
    fs.symlinkSync('/dev/full', full);
    fs.mkdirSync(path.join(dir, 'folder'));
    const missing = path.join(dir, 'missing', 'sub', 'out.json');
    // redact -o names a folder: a full disk under it, and a file in its place
    fs.mkdirSync(path.join(dir, 'red'));
    fs.symlinkSync('/dev/full', path.join(dir, 'red', 'leaky-access.ndjson'));
    const plainFile = path.join(dir, 'plain.txt');
    fs.writeFileSync(plainFile, 'x');
    const LEAKY = path.join(ROOT, 'fixtures/leaky-access.ndjson');
    const cases: Array<[string[], string]> = [];
    const enospc = `cannot write the output file "${full}": no space left on the device (ENOSPC)`;
    for (const cmd of [['analyze', SMALL], ['baseline', SMALL]]) {
      cases.push([[...cmd, '-o', full], enospc]);
      cases.push([[...cmd, '-o', missing], `cannot write the output file "${missing}": the folder does not exist (ENOENT)`]);
      cases.push([[...cmd, '-o', path.join(dir, 'folder')], `cannot write the output file "${path.join(dir, 'folder')}": it is a folder (EISDIR)`]);
    }
    // A small report fails only when the file is closed, not while it is written.
    cases.push([['analyze', SMALL, '--format', 'json', '--entries', 'none', '-o', full], enospc]);
    cases.push([['summary', SMALL, '-o', full], enospc]);
    cases.push([['redact', LEAKY, '-o', path.join(dir, 'red')], `cannot write the output file "${path.join(dir, 'red', 'leaky-access.ndjson')}": no space left on the device (ENOSPC)`]);
    cases.push([['redact', LEAKY, '-o', plainFile], `cannot write the output folder "${plainFile}": it exists and is not a folder`]);
    cases.push([['redact', LEAKY, '-o', full], `cannot write the output folder "${full}": it exists and is not a folder`]);
    const runs = await pool(cases, ([args]) => run([...args, '-q']));
    cases.forEach(([args, message], k) => {
      const r = runs[k]!;
      const label = args.join(' ');
      expect(r.code, `${label}\n${r.stderr}`).toBe(2);
      expectOneLineError(r, message, label);
    });
    // Nothing replaced the device or the links, and no temporary file was left next to them.
    expect(fs.statSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(fs.lstatSync(full).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['folder', 'full.out', 'plain.txt', 'red']);
    expect(fs.readdirSync(path.join(dir, 'folder'))).toEqual([]);
  }, SLOW);

  it('-o never destroys a log or an earlier report: an input as -o is refused, a report in the log folder is not read, a stopped run leaves -o as it was', async () => {
    const dir = tmp();
    const log = path.join(dir, 'access.ndjson');
    fs.writeFileSync(log, flat('o', 60));
    const before = fs.readFileSync(log, 'utf8');
    const other = tmp();
    const earlier = path.join(other, 'earlier.ndjson');
    fs.writeFileSync(earlier, 'the report of an earlier run\n');
    const broken = path.join(other, 'broken.log');
    fs.writeFileSync(broken, `${flat('b', 5)}{"broken": \n`);
    const report = path.join(dir, 'report.ndjson');
    const [same, strict] = await pool(
      [
        ['analyze', log, '--format', 'ndjson', '-o', log],
        ['analyze', broken, '--strict', '--format', 'ndjson', '-o', earlier],
      ],
      (args) => run([...args, '-q']),
    );
    expect(same!.code).toBe(2);
    expectOneLineError(same!, `-o ${log} is also an input: the report would overwrite the log; choose another -o`, 'same');
    expect(fs.readFileSync(log, 'utf8')).toBe(before);
    // Twice into the log's own folder: the first run's report is not read by the second.
    for (let k = 0; k < 2; k++) {
      const r = await run(['analyze', dir, '--format', 'ndjson', '-o', report, '-q']);
      expect(r.code, r.stderr).toBe(0);
      const files = (parseNdjson(fs.readFileSync(report, 'utf8')).at(-1) as { files: Array<{ path: string }> }).files;
      expect(files.map((f) => path.basename(f.path))).toEqual(['access.ndjson']);
    }
    // --strict stops at the broken line, before any report: the earlier one is still there.
    expect(strict!.code).toBe(3);
    expect(fs.readFileSync(earlier, 'utf8')).toBe('the report of an earlier run\n');
  }, SLOW);

  it('baseline -o naming its input is refused, and the log is kept', async () => {
    const dir = tmp();
    const log = path.join(dir, 'access.ndjson');
    fs.writeFileSync(log, flat('b', 30));
    const before = fs.readFileSync(log, 'utf8');
    const r = await run(['baseline', log, '-o', log]);
    expect(r.code).toBe(2);
    expectOneLineError(r, `-o ${log} is also an input: the report would overwrite the log; choose another -o`, 'baseline');
    expect(fs.readFileSync(log, 'utf8')).toBe(before);
  }, SLOW);

  it('stdout on a full disk: one line, exit 2, no stack trace, whichever part of apilog writes', async () => {
    // One handler covers every command; these reach stdout by different writers (the reporter,
    // the commands' own printing, commander's help).
    const commands = [
      ['analyze', SMALL, '--format', 'ndjson'],
      ['explain', path.join(ROOT, 'fixtures/checklist/seed-entry.ndjson'), '--request-id', 'req-5d1e0a73'],
      ['formats', 'detect', SMALL],
      ['--help'],
    ];
    const fd = fs.openSync('/dev/full', 'w');
    try {
      const runs = await pool(commands, (args) => run(args, { stdoutFd: fd }));
      commands.forEach((args, k) => {
        const r = runs[k]!;
        expect(r.code, args.join(' ')).toBe(2);
        expectOneLineError(r, 'cannot write to standard output: no space left on the device (ENOSPC)', args.join(' '));
      });
    } finally {
      fs.closeSync(fd);
    }
  }, SLOW);
});

// ---------------------------------------------------------------------------------------------

describe('mistakes in rules, baseline and mapping files', () => {
  interface Case {
    what: string;
    file: string;
    text: string;
    flag: '--rules' | '--baseline' | '--map-file';
    /** The key (or place) named, when the mistake has one. */
    key: string;
    /** What was expected or what is wrong, as the message says it. */
    says: RegExp;
  }
  const CASES: Case[] = [
    { what: 'bad YAML', file: 'syntax.yaml', text: 'businessHours:\n  start: "09:00\n  end: x\n', flag: '--rules', key: 'line ', says: /not valid YAML/ },
    { what: 'unknown key', file: 'unknown.yaml', text: 'thresholds:\n  x: 1\n', flag: '--rules', key: 'thresholds', says: /unknown key \(known: businessHours, routes/ },
    { what: 'wrong type', file: 'type.yaml', text: 'routes:\n  admin: "/admin/**"\n', flag: '--rules', key: 'routes.admin', says: /expected a list of strings, got "\/admin\/\*\*"/ },
    { what: 'wrong type (mapping)', file: 'list.yaml', text: 'businessHours: [1]\n', flag: '--rules', key: 'businessHours', says: /expected a mapping, got a list/ },
    { what: 'bad time zone', file: 'tz.yaml', text: 'businessHours:\n  timezone: Mars/Olympus\n', flag: '--rules', key: 'businessHours.timezone', says: /expected an IANA time zone .* got "Mars\/Olympus"/ },
    { what: 'bad CIDR', file: 'cidr.yaml', text: 'allow:\n  ips: ["10.0.0.0/33"]\n', flag: '--rules', key: 'allow.ips[0]', says: /expected an IP address or CIDR, got "10.0.0.0\/33"/ },
    { what: 'bad regex', file: 'regex.yaml', text: 'routes:\n  admin: ["re:(unclosed"]\n', flag: '--rules', key: 'routes.admin[0]', says: /expected a route pattern .*got "re:\(unclosed": Invalid regular expression/ },
    { what: 'bad regex in a detector option', file: 'detre.yaml', text: 'detectors:\n  endpoint-probing:\n    secretPaths: ["/.env", "re:[z-a]"]\n', flag: '--rules', key: 'detectors.endpoint-probing.secretPaths[1]', says: /expected a safe regular expression after "re:", got "re:\[z-a\]": Invalid regular expression/ },
    { what: 'detector option of the wrong type', file: 'det.yaml', text: 'detectors:\n  bola-enumeration:\n    threshold: ten\n', flag: '--rules', key: 'detectors.bola-enumeration.threshold', says: /expected a positive number, got "ten"/ },
    { what: 'unknown detector', file: 'nodet.yaml', text: 'detectors:\n  no-such-detector:\n    x: 1\n', flag: '--rules', key: 'detectors.no-such-detector', says: /unknown detector \(known: / },
    { what: 'unknown detector option', file: 'noopt.yaml', text: 'detectors:\n  scraping:\n    nosuchopt: 1\n', flag: '--rules', key: 'detectors.scraping.nosuchopt', says: /unknown option \(known: ratePerMinute/ },
    { what: 'missing rules file', file: 'absent.yaml', text: '', flag: '--rules', key: '', says: /rules path not found/ },
    { what: 'YAML alias to no anchor', file: 'alias.yaml', text: 'businessHours:\n  timezone: *nowhere\n', flag: '--rules', key: '', says: /not valid YAML: Unresolved alias/ },
    { what: 'baseline: bad JSON', file: 'broken.json', text: '{"schemaVersion": ', flag: '--baseline', key: '', says: /is not valid JSON/ },
    { what: 'baseline: wrong type', file: 'period.json', text: '{"schemaVersion":"1.0","createdAt":"2025-01-01T00:00:00Z","origin":"file","period":5}', flag: '--baseline', key: '"period"', says: /must be an object/ },
    { what: 'baseline: not a baseline', file: 'other.json', text: '{"hello": 1}', flag: '--baseline', key: '"schemaVersion"', says: /is missing \(not an apilog baseline\?\)/ },
    { what: 'mapping: unknown field', file: 'map.yaml', text: 'bogus: x\n', flag: '--map-file', key: '"bogus"', says: /unknown canonical field "bogus" \(expected one of: ts, ip, user/ },
    { what: 'mapping: wrong type', file: 'map2.yaml', text: 'user: 5\n', flag: '--map-file', key: '"user"', says: /must map to a non-empty source path string/ },
    { what: 'mapping: bad YAML', file: 'map3.yaml', text: 'user: [x\n', flag: '--map-file', key: '', says: /not valid JSON or YAML/ },
  ];

  it('each gives one line naming the file, the key and what was expected; exit 2; no stack trace', async () => {
    const dir = tmp();
    const runs = await pool(CASES, (c) => {
      const p = path.join(dir, c.file);
      if (c.what !== 'missing rules file') fs.writeFileSync(p, c.text);
      return run(['analyze', SMALL, c.flag, p, '--format', 'ndjson']);
    });
    CASES.forEach((c, k) => {
      const r = runs[k]!;
      expect(r.code, `${c.what}: ${r.stderr}`).toBe(2);
      expectOneLineError(r, path.join(dir, c.file), c.what);
      if (c.key) expect(r.stderr, c.what).toContain(c.key);
      expect(r.stderr, c.what).toMatch(c.says);
      expect(r.stdout, c.what).toBe(''); // no report from a run that never started
    });
  }, SLOW);

  it('the other commands that load rules say the same', async () => {
    const dir = tmp();
    const bad = path.join(dir, 'tz.yaml');
    fs.writeFileSync(bad, 'businessHours:\n  timezone: Mars/Olympus\n');
    const seed = path.join(ROOT, 'fixtures/checklist/seed-entry.ndjson');
    const commands = [
      ['summary', SMALL, '--rules', bad],
      ['rules', '--rules', bad],
      ['baseline', SMALL, '--rules', bad, '-o', path.join(dir, 'b.json')],
      ['explain', seed, '--rules', bad, '--request-id', 'req-5d1e0a73'],
    ];
    const runs = await pool(commands, (args) => run(args));
    commands.forEach((args, k) => {
      const r = runs[k]!;
      expect(r.code, args[0]).toBe(2);
      expectOneLineError(r, `${bad}: businessHours.timezone: expected an IANA time zone`, args[0]!);
    });
    expect(fs.existsSync(path.join(dir, 'b.json'))).toBe(false);
  }, SLOW);
});

// ---------------------------------------------------------------------------------------------

describe('where apilog reads and writes', () => {
  /** Every entry under `dir` with its kind, size and modification time. */
  function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (rel: string): void => {
      for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        const st = fs.lstatSync(path.join(dir, r));
        out[r] = `${e.isDirectory() ? 'dir' : 'file'} ${st.size} ${st.mtimeMs}`;
        if (e.isDirectory()) walk(r);
      }
    };
    walk('');
    return out;
  }

  it('prints input paths as the user gave them, and writes nothing but stdout, stderr and -o (HOME and TMPDIR stay empty)', async () => {
    const cwd = tmp();
    const home = tmp();
    const tmpdir = tmp();
    fs.mkdirSync(path.join(cwd, 'logs', 'sub'), { recursive: true });
    const sample = fs.readFileSync(SAMPLE, 'utf8').split('\n');
    fs.writeFileSync(path.join(cwd, 'logs', 'a.ndjson'), `${sample.slice(0, 300).join('\n')}\n`);
    fs.writeFileSync(path.join(cwd, 'logs', 'sub', 'b.ndjson.gz'), zlib.gzipSync(`${sample.slice(300, 500).join('\n')}\n`));
    fs.writeFileSync(path.join(cwd, 'logs', 'bad.ndjson'), `${flat('x', 1)}not json\n`);
    fs.copyFileSync(path.join(ROOT, 'fixtures/leaky-access.ndjson'), path.join(cwd, 'logs', 'leaky.ndjson'));
    const before = snapshot(cwd);
    const env = { HOME: home, TMPDIR: tmpdir, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: undefined, XDG_DATA_HOME: undefined, XDG_STATE_HOME: undefined };
    const o = { cwd, env };

    const commands: string[][] = [
      ['analyze', 'logs', '--format', 'ndjson', '-o', 'report.ndjson'],
      ['analyze', 'logs', './logs/a.ndjson', '--entries', 'all'],
      ['analyze', './logs/', '--format', 'csv', '--csv-of', 'entries', '--entries', 'all'],
      ['analyze', 'logs', '--format', 'sarif'],
      ['summary', 'logs', '--format', 'json', '-o', 'summary.json'],
      ['baseline', 'logs', '-o', 'base.json'],
      ['redact', 'logs', '-o', 'red'],
      ['explain', 'logs', '--line', 'logs/a.ndjson:7'],
      ['formats', 'detect', 'logs/a.ndjson'],
      ['rules'],
    ];
    const runs = await pool(commands, (args) => run(args, o));
    runs.forEach((r, k) => {
      const label = commands[k]!.join(' ');
      expect(r.stderr, label).not.toMatch(CRASH);
      expect(r.code === 0 || r.code === 1, `${label}: ${r.code} ${r.stderr}`).toBe(true);
      // The folder typed was relative: no absolute path of it anywhere in what was printed.
      expect(r.stdout, label).not.toContain(cwd);
      expect(r.stderr, label).not.toContain(cwd);
    });

    const report = parseNdjson(fs.readFileSync(path.join(cwd, 'report.ndjson'), 'utf8'));
    const summary = report.at(-1)!;
    expect((summary.files as Array<{ path: string }>).map((f) => f.path).sort()).toEqual(['logs/a.ndjson', 'logs/bad.ndjson', 'logs/leaky.ndjson', 'logs/sub/b.ndjson.gz']);
    expect(summary.issues).toEqual([expect.objectContaining({ kind: 'not-json', file: 'logs/bad.ndjson', line: 2 })]);
    const [, text, csv, sarif, , baseline, redact, explain, detect] = runs;
    expect(text!.stdout).toContain('logs/bad.ndjson:2');
    expect(csv!.stdout).toContain('./logs/a.ndjson');
    expect(sarif!.stdout).toContain('logs/leaky.ndjson:1');
    for (const m of JSON.stringify(JSON.parse(sarif!.stdout)).matchAll(/"artifactLocation":\{"uri":"([^"]*)"/g)) expect(m[1]).toMatch(/^logs\//);
    expect(baseline!.stderr).toContain('written to base.json');
    expect(redact!.stderr).toMatch(/red\/a\.ndjson/);
    expect(explain!.stdout).toContain('logs/a.ndjson line 7');
    expect(detect!.stdout).toContain('logs/a.ndjson');

    // HOME and TMPDIR untouched; the working folder gained only the -o outputs.
    expect(fs.readdirSync(home)).toEqual([]);
    expect(fs.readdirSync(tmpdir)).toEqual([]);
    const after = snapshot(cwd);
    for (const [k, v] of Object.entries(before)) expect(after[k], k).toBe(v);
    const added = Object.keys(after).filter((k) => !(k in before)).sort();
    expect(added).toEqual(['base.json', 'red', 'red/a.ndjson', 'red/bad.ndjson', 'red/leaky.ndjson', 'red/sub', 'red/sub/b.ndjson', 'report.ndjson', 'summary.json']);
  }, SLOW);
});
