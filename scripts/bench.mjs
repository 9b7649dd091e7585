#!/usr/bin/env node
/**
 * npm run bench [-- --size 1GB] [--small 100MB] [--ingest-only]
 *
 * Generates its own NDJSON (deterministic, cached under bench-data/), then measures:
 *  - ingest alone (scripts/bench-ingest.mjs) on both files: events/s, MB/s, peak memory (flat in
 *    file size), and the bare JSON.parse rate on the same file;
 *  - the full `apilog analyze` CLI (all default detectors, GeoIP on) on the same file and on a
 *    file a tenth of its size, each in its own process, so peak memory can be compared;
 *  - on the large file, apilog next to jq (one select), DuckDB (load + SQL versions of the six
 *    patterns) and a bare JSON.parse loop on one and two cores, as ratios against the floors of
 *    issue 7 (scripts/bench-compare.mjs; `--no-compare` leaves it out).
 * Needs a build (`npm install` or `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateNdjson } from './lib/gen-events.mjs';
import { V8_FLAGS } from '../bin/v8-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const parseSize = (s) => {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  return Math.round(Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase()));
};
const size = parseSize(arg('--size', '1GB'));
const small = parseSize(arg('--small', `${Math.max(1, Math.round(size / 10 / 1024 / 1024))}MB`));
const seed = Number(arg('--seed', '42'));
const mb = (b) => b / 1024 / 1024;

if (!existsSync(path.join(root, 'dist/cli/main.js'))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}

async function dataFile(bytes) {
  const dir = path.join(root, 'bench-data');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `flat-${Math.round(mb(bytes))}MB-seed${seed}.ndjson`);
  if (!existsSync(file)) {
    process.stderr.write(`bench: generating ${path.relative(root, file)} ...\n`);
    await generateNdjson(file, bytes, seed);
  }
  return file;
}

function runCli(file, extra = []) {
  const rssFile = path.join(os.tmpdir(), `apilog-bench-rss-${process.pid}`);
  const t0 = process.hrtime.bigint();
  const res = spawnSync(
    process.execPath,
    // The V8 settings bin/apilog would add itself: given here, the launcher does not
    // re-run Node, so the RSS measured is the analysis process's own.
    [...V8_FLAGS, '--import', path.join(root, 'scripts/lib/max-rss.mjs'), path.join(root, 'bin/apilog'), 'analyze', file,
      '--format', 'ndjson', '-q', '-o', os.devNull, ...extra],
    { env: { ...process.env, APILOG_BENCH_RSS_FILE: rssFile }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (res.status !== 0 && res.status !== 1) {
    throw new Error(`apilog analyze exited ${res.status}: ${res.stderr.slice(0, 2000)}`);
  }
  const rss = Number(readFileSync(rssFile, 'utf8'));
  rmSync(rssFile, { force: true });
  return { seconds, rss };
}

function countLines(file) {
  // The generator writes one event per line; count newlines for the event figure.
  const res = spawnSync('wc', ['-l', file], { encoding: 'utf8' });
  return Number(res.stdout.trim().split(/\s+/)[0]);
}

const big = await dataFile(size);
const little = await dataFile(small);

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
for (const file of [little, big]) {
  console.log(`\n== ingest alone: ${path.basename(file)} ==`);
  const ingest = spawnSync(process.execPath, ['--expose-gc', path.join(root, 'scripts/bench-ingest.mjs'), '--file', file], {
    stdio: 'inherit',
  });
  if (ingest.status !== 0) process.exit(ingest.status ?? 1);
}
if (args.includes('--ingest-only')) process.exit(0);

console.log(`\n== full pipeline: apilog analyze (default detectors, GeoIP on), one thread and --threads ${os.availableParallelism()} ==`);
const rows = [];
const seconds = {};
for (const file of [little, big]) {
  const bytes = statSync(file).size;
  const events = countLines(file);
  for (const threads of [1, os.availableParallelism()]) {
    const { seconds: s, rss } = runCli(file, ['--threads', String(threads)]);
    if (threads > 1 || os.availableParallelism() === 1) seconds[file] = s;
    rows.push({ file: path.basename(file), threads, MB: Math.round(mb(bytes)), events, seconds: s.toFixed(2),
      'events/s': Math.round(events / s), 'MB/s': (mb(bytes) / s).toFixed(1), 'peak RSS MB': Math.round(mb(rss)) });
  }
}
console.table(rows);
const perThreads = (t) => rows.filter((r) => r.threads === t);
for (const t of new Set(rows.map((r) => r.threads))) {
  const [a, b] = perThreads(t);
  console.log(`peak memory ratio (large/small input), ${t} thread(s): ${(b['peak RSS MB'] / a['peak RSS MB']).toFixed(2)}`);
}

// --help and --version load nothing heavy: best of 5 wall-clock runs of the launcher.
const startup = (flag) =>
  Math.min(
    ...[0, 1, 2, 3, 4].map(() => {
      const t0 = process.hrtime.bigint();
      spawnSync(process.execPath, [path.join(root, 'bin/apilog'), flag], { encoding: 'utf8' });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    }),
  );
console.log(`\n== start-up: apilog --version ${startup('--version').toFixed(0)} ms, apilog --help ${startup('--help').toFixed(0)} ms (best of 5) ==`);

// Log hygiene and signature rules must cost little on a clean log (pre-filters before any regex).
console.log(`\n== cost of the hygiene and signature rules on a clean log (${path.basename(little)}, best of 3) ==`);
const SCANNERS = 'sensitive-data-in-logs,attack-signature,endpoint-probing';
const best = (extra) => Math.min(...[0, 1, 2].map(() => runCli(little, ['--threads', '1', ...extra]).seconds));
const without = best(['--skip', SCANNERS]);
const withRules = best([]);
console.log(`without: ${without.toFixed(2)} s   with: ${withRules.toFixed(2)} s   overhead: ${(((withRules - without) / without) * 100).toFixed(1)}%`);

// The same large file through jq and DuckDB, and bare JSON.parse on one and two cores; apilog's
// figure is the full-pipeline run above. Missing jq or DuckDB is reported and skipped there.
if (!args.includes('--no-compare')) {
  const cmp = spawnSync(process.execPath, [path.join(root, 'scripts/bench-compare.mjs'), '--file', big, '--apilog-seconds', String(seconds[big])], {
    stdio: 'inherit',
  });
  if (cmp.status !== 0) {
    console.error(`bench: scripts/bench-compare.mjs exited ${cmp.status}`);
    process.exitCode = 1;
  }
}
