/**
 * --threads shares the consumers between worker threads that each read the whole input. The
 * result must be the one of a single thread, byte for byte, on every fixture. Runs the built dist/
 * (worker threads load dist/analyze/lane-worker.js).
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli } from '../helpers/cli.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';
import type { AnalyzeOptions } from '../../src/analyze/options.js';
import type { AnalyzeResult } from '../../src/analyze/run.js';
import type { LaneSpec } from '../../src/analyze/consumers.js';

const tempDir = tempDirs();

const dist = (p: string): string => pathToFileURL(path.join(ROOT, 'dist', p)).href;
const { analyze } = (await import(dist('analyze/run.js'))) as { analyze: (o: AnalyzeOptions, hooks?: { signal?: AbortSignal }) => Promise<AnalyzeResult> };
const { generateNdjson } = (await import(pathToFileURL(path.join(ROOT, 'scripts/lib/gen-events.mjs')).href)) as {
  generateNdjson: (file: string, targetBytes: number, seed: number) => Promise<unknown>;
};
const { planLanes } = (await import(dist('analyze/lanes.js'))) as {
  planLanes: (threads: number, ids: string[], running: (id: string) => boolean, checklist: boolean) => LaneSpec[];
};

/** Every log among the fixtures: .ndjson, .json and .gz files, minus expected-output files. */
function logFixtures(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (/\.(ndjson|json|gz)$/.test(name) && !/^(expected|labels)\.json$/.test(name)) out.push(path.relative(ROOT, p));
    }
  };
  walk(path.join(ROOT, 'fixtures'));
  return out;
}

function options(inputs: string[], extra: Partial<AnalyzeOptions> = {}): AnalyzeOptions {
  return analyzeOptions(inputs.map((p) => path.join(ROOT, p)), extra);
}

/** The result as data: its entries are made as they are read. */
const plain = (r: AnalyzeResult): object => ({ ...r, entries: [...r.entries] });

async function both(inputs: string[], extra: Partial<AnalyzeOptions> = {}, threads = 2): Promise<[string, string]> {
  const one = await analyze(options(inputs, { ...extra, threads: 1 }));
  const many = await analyze(options(inputs, { ...extra, threads, threadsExplicit: true }));
  return [JSON.stringify(plain(one)), JSON.stringify(plain(many))];
}

describe('--threads gives the output of one thread', { timeout: 120_000 }, () => {
  const fixtures = logFixtures();

  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(40);
    expect(fixtures).toContain('fixtures/incident-sample.ndjson');
  });

  it.each(fixtures)('%s', async (file) => {
    const [one, two] = await both([file]);
    expect(two).toBe(one);
  });

  it('every incident fixture at once, with every entry and 3 threads', async () => {
    const files = fixtures.filter((f) => /^fixtures\/(incident|benign)-/.test(f));
    const [one, three] = await both(files, { entries: 'all' }, 3);
    expect(JSON.parse(one).alerts.length).toBeGreaterThan(6);
    expect(three).toBe(one);
  });

  it('with Sigma rules, --only/--skip and a severity floor', async () => {
    const sigma = await both(['fixtures/incident-sample.ndjson'], { sigmaPaths: [path.join(ROOT, 'fixtures/sigma/rules')] });
    expect(sigma[1]).toBe(sigma[0]);
    const only = await both(['fixtures/incident-sample.ndjson'], { only: ['scraping', 'bola-enumeration'], minSeverity: 'medium' });
    expect(only[1]).toBe(only[0]);
    const skip = await both(['fixtures/incident-sample.ndjson'], { skip: ['sensitive-data-in-logs'], entries: 'none' });
    expect(skip[1]).toBe(skip[0]);
  });

  it('through the CLI', () => {
    const args = ['analyze', 'fixtures/incident-sample.ndjson', '--format', 'ndjson'];
    const one = runCli([...args, '--threads', '1']);
    const two = runCli([...args, '--threads', '2']);
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(runCli([...args, '--threads', '0']).stderr).toMatch(/--threads: expected a positive whole number/);
  });
});

describe('--threads on stdin and pipes: the main thread forwards their bytes', { timeout: 120_000 }, () => {
  type Hooks = { signal?: AbortSignal; onThreads?: (n: number) => void; readAheadMs?: number };
  const run = analyze as (o: AnalyzeOptions, hooks?: Hooks) => Promise<AnalyzeResult>;

  /** Analyse a named pipe that `write` feeds; the number of threads the run chose, and its result. */
  async function throughPipe(
    write: (fd: fs.promises.FileHandle) => Promise<void>,
    extra: Partial<AnalyzeOptions>,
    hooks: Hooks = {},
  ): Promise<{ threads: number; result: AnalyzeResult }> {
    const fifo = path.join(tempDir('apilog-pipe-'), 'logs.ndjson');
    execFileSync('mkfifo', [fifo]);
    let threads = 0;
    const result = run(analyzeOptions([fifo], extra), { ...hooks, onThreads: (n) => (threads = n) });
    // The open waits for the run to open the pipe; a run that fails first must fail the test, not hang it.
    const opened = await Promise.race([fs.promises.open(fifo, 'w'), result.then(() => null)]);
    if (opened === null) throw new Error('the run ended before it opened the pipe');
    const fd = opened;
    try {
      await write(fd);
    } finally {
      await fd.close();
    }
    const done = await result;
    return { threads, result: done };
  }

  /** The result minus what names the input (a pipe's path differs from the file's). */
  const comparable = (r: AnalyzeResult, name: string): string => JSON.stringify(plain(r)).replaceAll(JSON.stringify(name).slice(1, -1), '<input>');

  it('stdin through the CLI: the output of one thread, for NDJSON, a JSON document and gzip', () => {
    const inputs = [
      fs.readFileSync(path.join(ROOT, 'fixtures/incident-sample.ndjson')),
      fs.readFileSync(path.join(ROOT, 'fixtures/formats/cloudtrail.json')),
      zlib.gzipSync(fs.readFileSync(path.join(ROOT, 'fixtures/incident-bola-enumeration.ndjson'))),
    ];
    for (const input of inputs) {
      const one = runCli(['analyze', '-', '--format', 'ndjson', '--threads', '1'], { input });
      const two = runCli(['analyze', '-', '--format', 'ndjson', '--threads', '2'], { input });
      expect(one.code).not.toBeNull();
      expect(one.stdout.length).toBeGreaterThan(100);
      expect(two.stdout).toBe(one.stdout);
      expect(two.code).toBe(one.code);
    }
  });

  it('a pipe with --threads 2: two threads, and the result of one', async () => {
    const file = path.join(ROOT, 'fixtures/incident-sample.ndjson');
    const text = fs.readFileSync(file);
    const piped = await throughPipe((fd) => fd.writeFile(text), { threads: 2, threadsExplicit: true, entries: 'all' });
    expect(piped.threads).toBe(2);
    const one = await analyze(options(['fixtures/incident-sample.ndjson'], { threads: 1, entries: 'all' }));
    expect(piped.result.alerts.length).toBeGreaterThan(3);
    expect(comparable(piped.result, fifoName(piped.result))).toBe(comparable(one, file));
  });

  it('by default, a second thread only for a pipe that holds enough input', async () => {
    const small = await throughPipe((fd) => fd.writeFile(fs.readFileSync(path.join(ROOT, 'fixtures/incident-sample.ndjson'))), { threads: 2 });
    expect(small.threads).toBe(1);

    const big = path.join(tempDir('apilog-big-'), 'big.ndjson');
    await generateNdjson(big, 17 * 1024 * 1024, 7);
    // The writer is given longer than the second a run waits: on a loaded machine 17 MB through a
    // pipe can take more (the decision is on how much the pipe holds, which is what is tested).
    const piped = await throughPipe((fd) => fd.writeFile(fs.readFileSync(big)), { threads: 2 }, { readAheadMs: 20_000 });
    expect(piped.threads).toBe(2);
    const one = await analyze(analyzeOptions([big], { threads: 1 }));
    expect(one.summary.events).toBeGreaterThan(40_000);
    expect(comparable(piped.result, fifoName(piped.result))).toBe(comparable(one, big));
  });

  /** The incident sample written into a pipe left open, and the run interrupted `afterMs` later. */
  async function interruptedPipe(afterMs: number, extra: Partial<AnalyzeOptions>): Promise<{ threads: number; result: AnalyzeResult }> {
    const ac = new AbortController();
    const lines = fs.readFileSync(path.join(ROOT, 'fixtures/incident-sample.ndjson'));
    const write = async (fd: fs.promises.FileHandle): Promise<void> => {
      await fd.writeFile(lines);
      await new Promise((r) => setTimeout(r, afterMs));
      ac.abort();
      await new Promise((r) => setTimeout(r, 100));
    };
    return throughPipe(write, extra, { signal: ac.signal });
  }

  it('interrupted while reading ahead: what was read is analysed, marked partial', async () => {
    // Less than a second thread's worth in the pipe, and the interrupt well within the second the
    // run reads ahead for.
    const piped = await interruptedPipe(100, { threads: 2 });
    expect(piped.threads).toBe(1);
    expect(piped.result.summary.partial).toBe(true);
    const whole = await analyze(options(['fixtures/incident-sample.ndjson'], { threads: 1 }));
    expect(piped.result.summary.events).toBe(whole.summary.events);
  });

  it('interrupted while forwarding: every thread stops, and the run reports what it read', { timeout: 30_000 }, async () => {
    // The other thread waits for more bytes until the interrupt ends them.
    const piped = await interruptedPipe(500, { threads: 2, threadsExplicit: true });
    expect(piped.threads).toBe(2);
    expect(piped.result.summary.partial).toBe(true);
    expect(piped.result.summary.detectors.length).toBeGreaterThan(6);
  });
});

/** The path of the (single) input a result names in its summary. */
function fifoName(r: AnalyzeResult): string {
  return r.summary.files[0]!.path;
}

describe('--threads when something goes wrong', { timeout: 60_000 }, () => {
  it('a mistake in the options of a detector that would run in another thread: exit 2 naming it, at once', () => {
    const dir = tempDir('apilog-threads-');
    for (const id of ['scraping', 'endpoint-probing', 'impossible-travel']) {
      const rules = path.join(dir, `${id}.yaml`);
      fs.writeFileSync(rules, `detectors:\n  ${id}:\n    nosuchoption: 3\n`);
      const r = runCli(['analyze', 'fixtures/incident-sample.ndjson', '--rules', rules, '--threads', '2', '-q'], { timeout: 30_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`detectors.${id}.nosuchoption: unknown option`);
    }
  });

  it('stopped before the first batch: every lane reports what it read, marked partial', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await analyze(options(['fixtures/incident-sample.ndjson'], { threads: 2, threadsExplicit: true }), { signal: ac.signal });
    expect(r.summary.partial).toBe(true);
    expect(r.summary.detectors.length).toBeGreaterThan(6);
  });
});

describe('planLanes', () => {
  const ids = ['bola-enumeration', 'credential-stuffing', 'data-exfiltration', 'impossible-travel', 'after-hours-admin', 'scraping'];
  const all = (): boolean => true;

  it('puts every consumer in exactly one lane', () => {
    for (const threads of [1, 2, 3, 8]) {
      const lanes = planLanes(threads, ids, all, true);
      expect(lanes.length).toBeLessThanOrEqual(threads);
      expect(lanes.flatMap((l) => l.detectors ?? []).sort()).toEqual([...ids].sort());
      expect(lanes.filter((l) => l.checklist)).toHaveLength(1);
      expect(lanes.filter((l) => l.stats)).toHaveLength(1);
    }
  });

  it('gives the main thread (lane 0) the checklist lane, whatever the loads', () => {
    const builtin = ['bola-enumeration', 'credential-stuffing', 'data-exfiltration', 'impossible-travel', 'after-hours-admin', 'scraping', 'attack-signature', 'endpoint-probing', 'sensitive-data-in-logs'];
    for (const threads of [2, 3, 8]) {
      const lanes = planLanes(threads, builtin, all, true);
      expect(lanes.length).toBeGreaterThan(1);
      expect(lanes[0]!.checklist).toBe(true);
    }
  });

  it('uses one lane when a second would not shorten the run', () => {
    expect(planLanes(4, ['endpoint-probing'], all, false)).toHaveLength(1);
    expect(planLanes(2, ids, all, true)).toHaveLength(2);
  });
});
