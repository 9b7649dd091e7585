/**
 * Detection quality over a generated multi-day dataset (every attack and look-alike mixed into
 * background traffic), in three formats: recall 100%, precision >= 95% at medium and above.
 */
import { describe, expect, it } from 'vitest';
import { generateDataset, toEcs, toKong } from '../../fixtures/scenarios/generate.js';
import type { Alert } from '../../src/detect/types.js';
import { atLeast, describe1, fingerprint, found, fromEcs, fromKong, jitterOrder, noisyAbout, runEvents, runFlat, splitAndMerge } from './helpers.js';

const ds = generateDataset({ seed: 42, days: 4, users: 150 });

function score(alerts: Alert[]): { recall: number; precision: number; missed: string[]; falsePositives: string[] } {
  const relevant = atLeast(alerts, 'medium');
  const missed = ds.labels.filter((l) => !found(relevant, l)).map((l) => `${l.rule} ${JSON.stringify(l.subject)}`);
  const tp = relevant.filter((a) => ds.labels.some((l) => l.rule === a.rule && Object.entries(l.subject).every(([k, v]) => (a.subject as Record<string, string>)[k] === v)));
  const fps = relevant.filter((a) => !tp.includes(a)).map(describe1);
  return { recall: (ds.labels.length - missed.length) / ds.labels.length, precision: relevant.length ? tp.length / relevant.length : 1, missed, falsePositives: fps };
}

describe('detection quality on a generated multi-day dataset', () => {
  it('has every attack and look-alike in thousands of background events', () => {
    expect(ds.records.length).toBeGreaterThan(20_000);
    expect(new Set(ds.labels.map((l) => l.rule)).size).toBe(6);
    expect(ds.quiet.length).toBeGreaterThanOrEqual(8);
  });

  const runs: Array<{ format: string; run: () => Alert[] }> = [
    { format: 'flat', run: () => runFlat(ds.records).alerts },
    { format: 'ECS', run: () => runEvents(ds.records.map((r, i) => fromEcs(toEcs(r), 'ecs.ndjson', i + 1))).alerts },
    { format: 'Kong', run: () => runEvents(ds.records.map((r, i) => fromKong(toKong(r), 'kong.ndjson', i + 1))).alerts },
    // Many logs only have whole-second timestamps: gaps collapse to 0/1 s.
    { format: 'flat, whole seconds', run: () => runFlat(ds.records.map((r) => ({ ...r, timestamp: r.timestamp.replace(/\.\d{3}Z$/, '.000Z') }))).alerts },
  ];

  it.each(runs)('$format: recall 100%, precision >= 95% at medium+, look-alikes quiet', ({ run }) => {
    const alerts = run();
    const s = score(alerts);
    expect(s.missed).toEqual([]);
    expect(s.recall).toBe(1);
    expect(s.precision, s.falsePositives.join('\n')).toBeGreaterThanOrEqual(0.95);
    for (const q of ds.quiet) expect(noisyAbout(alerts, q).map(describe1), q.scenario).toEqual([]);
  });

  it('gives identical alerts when the input is shuffled within the lateness and split across files', () => {
    const base = fingerprint(runFlat(ds.records).alerts);
    const shuffled = fingerprint(runFlat(jitterOrder(ds.records, 60_000, 7)).alerts);
    const split = fingerprint(runEvents(splitAndMerge(ds.records, 3)).alerts);
    expect(shuffled).toEqual(base);
    expect(split).toEqual(base);
  });
});
