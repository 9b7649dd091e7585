/**
 * --threads shares the consumers between worker threads that each read the whole input. The
 * result must be the one of a single thread, byte for byte, on every fixture. Runs the built dist/
 * (worker threads load dist/analyze/lane-worker.js).
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
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

async function both(inputs: string[], extra: Partial<AnalyzeOptions> = {}, threads = 2): Promise<[string, string]> {
  const one = await analyze(options(inputs, { ...extra, threads: 1 }));
  const many = await analyze(options(inputs, { ...extra, threads, threadsExplicit: true }));
  return [JSON.stringify(one), JSON.stringify(many)];
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
