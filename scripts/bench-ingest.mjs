#!/usr/bin/env node
// Ingest benchmark: events/s, MB/s and peak RSS of the ingest stage alone (openSource batches
// consumed and counted), next to the bare JSON.parse-per-line rate on the same file.
//
//   npm run build && node scripts/bench-ingest.mjs [--size 1GB|200MB] [--seed 42] [--runs 1] [--file path]
//
// The input is generated once per (size, seed) under bench-data/ (git-ignored) and reused.
// Each measurement runs in its own child process so that peak RSS figures do not mix.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateNdjson } from './lib/gen-events.mjs';
import { parseLines } from './lib/parse-lines.mjs';
import { V8_FLAGS } from '../bin/v8-flags.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist/ingest/index.js');

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i !== -1 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : dflt;
}

function parseSize(s) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$/i.exec(String(s));
  if (!m) throw new Error(`bad --size ${s} (examples: 1GB, 200MB, 500M)`);
  const unit = (m[2] || 'b').toLowerCase().replace(/i?b$/, '');
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit];
  return Math.round(Number(m[1]) * mult);
}

const MiB = 1024 * 1024;

function startRssSampler() {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
  }, 50);
  return () => {
    clearInterval(t);
    const r = process.memoryUsage().rss;
    return r > peak ? r : peak;
  };
}

/** user + system CPU seconds since `c0` (less sensitive than wall time to other load on the machine). */
function cpuSecs(c0) {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1e6;
}

async function phaseIngest(file) {
  const { openSource, DEFAULT_INGEST_LIMITS } = await import(pathToFileURL(DIST).href);
  const stopRss = startRssSampler();
  let issues = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const src = openSource({ path: file, kind: 'file' }, DEFAULT_INGEST_LIMITS, () => issues++);
  let events = 0;
  let batches = 0;
  for await (const b of src.batches()) {
    events += b.length;
    batches++;
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSecs(c0);
  return { events, batches, issues, secs, cpu, bytes: src.stats.bytes, peakRss: stopRss(), container: src.stats.container };
}

/** Ingest and normalise: the canonical events every later stage consumes. */
async function phaseNormalise(file) {
  const { openSource, DEFAULT_INGEST_LIMITS } = await import(pathToFileURL(DIST).href);
  const { createNormaliser } = await import(pathToFileURL(path.join(ROOT, 'dist/normalise/index.js')).href);
  const stopRss = startRssSampler();
  let issues = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const onIssue = () => issues++;
  const src = openSource({ path: file, kind: 'file' }, DEFAULT_INGEST_LIMITS, onIssue);
  const normaliser = createNormaliser({ file }, onIssue);
  let events = 0;
  let batches = 0;
  const out = [];
  for await (const b of src.batches()) {
    for (const rec of b) normaliser.push(rec, out);
    events += out.length;
    out.length = 0;
    batches++;
  }
  normaliser.flush(out);
  events += out.length;
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSecs(c0);
  return { events, batches, issues, secs, cpu, bytes: src.stats.bytes, peakRss: stopRss(), container: src.stats.container };
}

async function phaseParse(file) {
  const stopRss = startRssSampler();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const events = await parseLines(file);
  const bytes = fs.statSync(file).size;
  const secs = (performance.now() - t0) / 1000;
  return { events, secs, cpu: cpuSecs(c0), bytes, peakRss: stopRss() };
}

async function child() {
  const phase = arg('phase');
  const file = arg('file');
  const res = phase === 'ingest' ? await phaseIngest(file) : phase === 'normalise' ? await phaseNormalise(file) : await phaseParse(file);
  process.stdout.write(JSON.stringify(res));
}

function fmt(n, d = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
}

async function main() {
  if (!fs.existsSync(DIST)) {
    console.error(`bench-ingest: ${path.relative(ROOT, DIST)} not found; run \`npm run build\` first.`);
    process.exit(2);
  }
  const seed = Number(arg('seed', '42'));
  const runs = Math.max(1, Number(arg('runs', '1')));
  let file = arg('file');
  if (!file) {
    const size = parseSize(arg('size', '1GB'));
    const dir = path.join(ROOT, 'bench-data');
    fs.mkdirSync(dir, { recursive: true });
    file = path.join(dir, `access-${size}-seed${seed}.ndjson`);
    if (!fs.existsSync(file) || fs.statSync(file).size < size) {
      const t0 = performance.now();
      process.stderr.write(`generating ${path.relative(ROOT, file)} (${fmt(size / MiB)} MiB)… `);
      const r = await generateNdjson(`${file}.tmp`, size, seed);
      fs.renameSync(`${file}.tmp`, file);
      process.stderr.write(`${fmt(r.lines)} lines in ${fmt((performance.now() - t0) / 1000, 1)} s\n`);
    }
  }
  const size = fs.statSync(file).size;
  // warm the page cache so the first measured phase is not penalised
  for await (const _ of fs.createReadStream(file, { highWaterMark: 8 * MiB })) void _;

  const results = [];
  for (const phase of ['ingest', 'normalise', 'parse']) {
    let best = null;
    for (let r = 0; r < runs; r++) {
      // The same young-generation size bin/apilog gives the commands that read logs.
      const res = spawnSync(process.execPath, [...V8_FLAGS, fileURLToPath(import.meta.url), '--phase', phase, '--file', file], {
        encoding: 'utf8',
        maxBuffer: 16 * MiB,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      if (res.status !== 0) {
        console.error(`bench-ingest: phase ${phase} failed (exit ${res.status})`);
        process.exit(1);
      }
      const out = JSON.parse(res.stdout);
      if (best === null || out.secs < best.secs) best = out;
      process.stderr.write(`  ${phase} run ${r + 1}: ${fmt(out.secs, 2)} s wall, ${fmt(out.cpu, 2)} s CPU\n`);
    }
    results.push({ phase, ...best });
  }

  const label = { ingest: 'ingest (openSource → batches)', normalise: 'ingest + normalise (events)', parse: 'bare JSON.parse per line' };
  console.log(`\nfile: ${path.relative(ROOT, file)}  (${fmt(size / MiB, 1)} MiB, node ${process.version}, best of ${runs})\n`);
  const rows = [['phase', 'events', 'wall s', 'events/s', 'MB/s', 'CPU s', 'MB/CPU-s', 'peak RSS']];
  for (const r of results) {
    rows.push([
      label[r.phase],
      fmt(r.events),
      fmt(r.secs, 2),
      fmt(r.events / r.secs),
      fmt(r.bytes / 1e6 / r.secs, 1),
      fmt(r.cpu, 2),
      fmt(r.bytes / 1e6 / r.cpu, 1),
      `${fmt(r.peakRss / MiB)} MiB`,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  rows.forEach((row, k) => {
    console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
  const ing = results.find((r) => r.phase === 'ingest');
  const par = results.find((r) => r.phase === 'parse');
  console.log(
    `\ningest takes ${fmt(ing.secs / par.secs, 2)}× the wall time of a bare JSON.parse loop (${fmt(ing.cpu / par.cpu, 2)}× the CPU time); ` +
      `container ${ing.container}, ${fmt(ing.batches)} batches, ${ing.issues} issues. MB = 10^6 bytes.`,
  );
  if (ing.events !== par.events) console.log(`WARNING: ingest counted ${ing.events} events, bare parse ${par.events}`);
}

if (process.argv.includes('--phase')) await child();
else await main();
