/**
 * Property tests for detection through the real pipeline (enricher + every built-in detector), on
 * attack and look-alike scenarios from the seeded generator (fixtures/scenarios/generate.ts):
 *
 *   - shuffling events by less than the configured lateness changes nothing;
 *   - adding other actors' benign traffic never removes an alert about an actor;
 *   - an input file given twice through analyze(): the same path, a symlink or a byte copy is read
 *     once; a gzip copy is read twice, and each alert still comes once per incident.
 *
 * Fixed seeds, small numRuns: part of `npm test`.
 */
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ATTACKS, Gen, LOOKALIKES, attackScenario, background, benignBatchJob, benignDaytimeAdmins, benignHealthChecks, benignMobilePoller, benignOfficeNat, benignOwnOrders, benignSteadyExporter, benignTrip, lookalikeScenario, mulberry32, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import { analyze } from '../../src/analyze/run.js';
import type { AnalyzeOptions } from '../../src/analyze/options.js';
import { builtinDetectors, type Alert, type PipelineResult } from '../../src/detect/index.js';
import type { AlertRecord } from '../../src/report/records.js';
import { fingerprint, runEvents, shippedRules, toEvent } from '../detect/helpers.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';

const SEED = 42;

/** Records -> events (line = position in `records`) -> every built-in detector. */
function detectAll(records: readonly FlatRecord[], latenessMs = shippedRules.latenessMs, order?: readonly number[]): PipelineResult {
  const events = records.map((r, i) => toEvent(r, 'scenario.ndjson', i + 1));
  const input = order ? order.map((i) => events[i]!) : events;
  return runEvents(input, { detectors: builtinDetectors, rules: { ...shippedRules, latenessMs } });
}

/**
 * A permutation in which every event moves by less than `maxShiftMs` of event time relative to
 * the newest event before it: sort on ts + u·maxShiftMs with u in [0, 1).
 */
function shuffleWithin(records: readonly FlatRecord[], maxShiftMs: number, seed: number): number[] {
  const rnd = mulberry32(seed);
  return records
    .map((r, i) => ({ i, k: Date.parse(r.timestamp) + rnd() * maxShiftMs }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.i);
}

/** How far the order is from sorted: the largest (newest seen so far − ts) over the sequence. */
function maxLagMs(records: readonly FlatRecord[], order: readonly number[]): number {
  let newest = -Infinity;
  let lag = 0;
  for (const i of order) {
    const ts = Date.parse(records[i]!.timestamp);
    newest = Math.max(newest, ts);
    lag = Math.max(lag, newest - ts);
  }
  return lag;
}

function byTime(records: FlatRecord[]): FlatRecord[] {
  return records
    .map((r, i) => [r, i] as const)
    .sort((a, b) => (a[0].timestamp < b[0].timestamp ? -1 : a[0].timestamp > b[0].timestamp ? 1 : a[1] - b[1]))
    .map(([r]) => r);
}

const attack = fc.constantFrom(...ATTACKS);
const lookalike = fc.constantFrom(...LOOKALIKES);
const genSeed = fc.integer({ min: 1, max: 100_000 });

/** Which scenario to build (kept small so a counterexample prints as a name, not thousands of records). */
type Scenario = { attack?: (typeof ATTACKS)[number]; lookalike?: (typeof LOOKALIKES)[number]; seed: number };

/** An attack alone, a look-alike alone, or both in one input. */
const scenario: fc.Arbitrary<Scenario> = fc.oneof(
  fc.record({ attack, seed: genSeed }),
  fc.record({ lookalike, seed: genSeed }),
  fc.record({ attack, lookalike, seed: genSeed }),
);

function build(sc: Scenario): FlatRecord[] {
  const parts: FlatRecord[] = [];
  if (sc.attack) parts.push(...attackScenario(sc.attack, sc.seed).records);
  if (sc.lookalike) parts.push(...lookalikeScenario(sc.lookalike, sc.seed + 1).records);
  return byTime(parts);
}

describe('detection is independent of arrival order within the lateness', () => {
  it('shuffling events by less than rules.latenessMs gives the same alerts, statuses and notes (fixed seed)', () => {
    const lateness = fc.constantFrom(1000, 30_000, 5 * 60_000, 15 * 60_000);
    let reordered = 0;
    let runs = 0;
    fc.assert(
      fc.property(scenario, lateness, fc.integer({ min: 1, max: 100 }), fc.integer(), fc.boolean(), (sc, latenessMs, percent, shuffleSeed, wholeSeconds) => {
        // Whole-second timestamps (common in real logs) make many ties, which the buffer breaks on content.
        const built = build(sc);
        const records = wholeSeconds ? built.map((r) => ({ ...r, timestamp: r.timestamp.replace(/\.\d{3}Z$/, '.000Z') })) : built;
        const order = shuffleWithin(records, (latenessMs * percent) / 100, shuffleSeed);
        expect(maxLagMs(records, order)).toBeLessThanOrEqual(latenessMs);
        runs++;
        if (order.some((x, k) => x !== k)) reordered++;
        const base = detectAll(records, latenessMs);
        const shuffled = detectAll(records, latenessMs, order);
        expect(fingerprint(shuffled.alerts)).toEqual(fingerprint(base.alerts));
        expect(shuffled.statuses).toEqual(base.statuses);
        // nothing was "late": the order was within the lateness
        expect(shuffled.notes).toEqual(base.notes);
      }),
      { seed: SEED, numRuns: 30 },
    );
    // not vacuous: most inputs really were delivered out of order
    expect(reordered).toBeGreaterThan(runs / 2);
  });

  it('the property is not vacuous: moving events by more than the lateness is noticed (fixed seed)', () => {
    const { records } = attackScenario('credential-stuffing', 3);
    const order = shuffleWithin(records, 10 * 60_000, 5);
    expect(maxLagMs(records, order)).toBeGreaterThan(60_000);
    const late = detectAll(records, 60_000, order);
    expect(late.notes.join(' ')).toMatch(/arrived more than the allowed lateness/);
  });
});

// ---------------------------------------------------------------------------------------------

/** Benign traffic of other actors: some look-alikes and ordinary customers, from their own seed. */
function benignTraffic(seed: number, which: ReadonlyArray<(typeof LOOKALIKES)[number]>, customers: number, firstId: number): FlatRecord[] {
  const g = new Gen(seed);
  if (customers > 0) background(g, 4, customers, firstId);
  for (const l of which) {
    switch (l) {
      case 'mobile-poller':
        benignMobilePoller(g, 1, 2);
        break;
      case 'office-nat':
        benignOfficeNat(g, [0, 2], 40);
        break;
      case 'trip':
        benignTrip(g, 1);
        break;
      case 'daytime-admins':
        benignDaytimeAdmins(g, [0, 1, 2]);
        break;
      case 'steady-exporter':
        benignSteadyExporter(g, [0, 1, 2]);
        break;
      case 'own-orders':
        benignOwnOrders(g, [1, 2]);
        break;
      case 'health-checks':
        benignHealthChecks(g, 0, 2);
        break;
      case 'batch-job':
        benignBatchJob(g, [1], 2);
        break;
    }
  }
  return g.dataset().records;
}

const ACTOR_KEYS = ['user', 'apiKey', 'ip'] as const;

function aboutActor(a: Alert): boolean {
  return ACTOR_KEYS.some((k) => a.subject[k] !== undefined);
}

function describeAlert(a: Alert): string {
  return `${a.severity} ${a.rule} ${JSON.stringify(a.subject)} ${new Date(a.start).toISOString()}..${new Date(a.end).toISOString()}`;
}

describe('other actors do not hide an attack', () => {
  it("adding other users' and IPs' benign traffic never removes an alert about an actor (fixed seed)", () => {
    fc.assert(
      fc.property(
        attack,
        genSeed,
        genSeed,
        fc.subarray([...LOOKALIKES], { minLength: 1 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1000, max: 9000 }),
        (a, seed, otherSeed, which, customers, firstId) => {
          const own = attackScenario(a, seed).records;
          const users = new Set(own.flatMap((r) => (r.user_id !== undefined ? [r.user_id] : [])));
          const ips = new Set(own.map((r) => r.ip));
          // Unrelated: no record of another actor shares a user id or an IP with the scenario.
          const others = benignTraffic(otherSeed, which, customers, firstId).filter((r) => !ips.has(r.ip) && (r.user_id === undefined || !users.has(r.user_id)));
          expect(others.length).toBeGreaterThan(0);
          const alone = detectAll(own).alerts.filter(aboutActor);
          expect(alone.length, `${a}#${seed} has alerts about an actor`).toBeGreaterThan(0);
          const mixed = detectAll(byTime([...own, ...others])).alerts;
          for (const x of alone) {
            const same = mixed.filter((m) => m.rule === x.rule && JSON.stringify(m.subject) === JSON.stringify(x.subject) && m.start <= x.end && x.start <= m.end);
            expect(same.map(describeAlert), `${describeAlert(x)} with ${others.length} other records (${which.join(', ')})`).toHaveLength(1);
          }
        },
      ),
      { seed: SEED, numRuns: 20 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

const tmp = tempDirs()('apilog-prop-detect-');

/** As the CLI runs with no flags; no per-entry findings (not what these properties are about). */
function options(inputs: string[]): AnalyzeOptions {
  return analyzeOptions(inputs, { entries: 'none' });
}

function incident(a: AlertRecord): string {
  return `${a.rule} ${JSON.stringify(a.subject)} ${a.start}..${a.end}`;
}

/** Two alerts of one rule about one subject whose spans overlap: one incident reported twice. */
function doubled(alerts: AlertRecord[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < alerts.length; i++) {
    for (let j = i + 1; j < alerts.length; j++) {
      const x = alerts[i]!;
      const y = alerts[j]!;
      if (x.rule === y.rule && JSON.stringify(x.subject) === JSON.stringify(y.subject) && x.start <= y.end && y.start <= x.end) out.push(`${incident(x)} / ${incident(y)}`);
    }
  }
  return out;
}

let fileNo = 0;

describe('an input file given twice (analyze)', () => {
  it('the same file named twice, or through a symlink, is read once: same alerts and counts (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.boolean(), async (sc, viaLink) => {
        const dir = path.join(tmp, `same-${fileNo++}`);
        fs.mkdirSync(dir);
        const file = path.join(dir, 'access.ndjson');
        fs.writeFileSync(file, build(sc).map((r) => JSON.stringify(r)).join('\n') + '\n');
        let second = file;
        if (viaLink) {
          second = path.join(dir, 'link.ndjson');
          fs.symlinkSync(file, second);
        }
        const once = await analyze(options([file]));
        const twice = await analyze(options([file, second]));
        expect(twice.summary.events).toBe(once.summary.events);
        expect(twice.summary.files.map((f) => f.path)).toEqual([file]);
        expect(twice.alerts.map(incident)).toEqual(once.alerts.map(incident));
        expect(twice.alerts.map((a) => a.severity)).toEqual(once.alerts.map((a) => a.severity));
      }),
      { seed: SEED, numRuns: 6 },
    );
  });

  it('a copy of the file is read once: the same alerts, severities and counts, and a note names the copy (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const dir = path.join(tmp, `copy-${fileNo++}`);
        fs.mkdirSync(dir);
        const a = path.join(dir, 'a.ndjson');
        const b = path.join(dir, 'b.ndjson');
        fs.writeFileSync(a, build(sc).map((r) => JSON.stringify(r)).join('\n') + '\n');
        fs.copyFileSync(a, b);
        const once = await analyze(options([a]));
        const twice = await analyze(options([a, b]));
        expect(twice.summary.events).toBe(once.summary.events);
        expect(twice.summary.files.map((f) => f.path)).toEqual([a]);
        expect(twice.summary.notes).toContain(`${b} has the same content as ${a}: read once`);
        expect(twice.alerts.map(incident)).toEqual(once.alerts.map(incident));
        expect(twice.alerts.map((x) => x.severity)).toEqual(once.alerts.map((x) => x.severity));
      }),
      { seed: SEED, numRuns: 8 },
    );
  });

  it('a gzip copy (other bytes, the same content): read once, the report as for the file alone (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const dir = path.join(tmp, `gzcopy-${fileNo++}`);
        fs.mkdirSync(dir);
        const a = path.join(dir, 'a.ndjson');
        const b = path.join(dir, 'b.ndjson.gz');
        const text = build(sc).map((r) => JSON.stringify(r)).join('\n') + '\n';
        fs.writeFileSync(a, text);
        fs.writeFileSync(b, gzipSync(text));
        const once = await analyze(options([a]));
        const twice = await analyze(options([a, b]));
        // The same content compressed is the same log (a rotated file left plain and gzipped).
        expect(twice.summary.events).toBe(once.summary.events);
        expect(twice.summary.files.map((f) => f.path)).toEqual([a]);
        expect(twice.summary.notes).toContain(`${b} has the same content as ${a}: read once`);
        expect(twice.alerts.map(incident)).toEqual(once.alerts.map(incident));
        expect(doubled(twice.alerts)).toEqual([]);
      }),
      { seed: SEED, numRuns: 8 },
    );
  });
});
