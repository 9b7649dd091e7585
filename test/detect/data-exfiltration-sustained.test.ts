/**
 * data-exfiltration's sustained tier: hours each well above the actor's usual hour, whose total is
 * large, although no 60-minute window reaches the per-window floor (or the per-window tier split
 * the run into pieces). Through the real enricher and pipeline, as the other data-exfiltration tests.
 */
import { describe, expect, it } from 'vitest';
import type { FlatRecord } from '../../fixtures/scenarios/generate.js';
import type { Alert } from '../../src/detect/index.js';
import { builtinDetectors, createPipeline } from '../../src/detect/index.js';
import { createEnricher } from '../../src/enrich/index.js';
import { loadRules } from '../../src/rules/index.js';
import type { RuleSet } from '../../src/rules/types.js';
import { ConfigError } from '../../src/rules/errors.js';
import { geo, rec, runFlat, shippedRules, toEvent } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MB = 1024 * 1024;
/** Monday 2025-03-10 09:00 UTC. */
const T = Date.UTC(2025, 2, 10, 9);
const only = ['data-exfiltration'];
const SUSTAINED = 'Sustained data volume (exfiltration)';

/** `n` requests (about 2 MiB each by default) spread evenly over the clock hour from `start`, `mib` MiB in all. */
function hourOf(user: string, start: number, mib: number, endpoint = '/api/v1/orders', n = Math.max(6, Math.round(mib / 2))): FlatRecord[] {
  return Array.from({ length: n }, (_, k) => rec(start + Math.floor((k * HOUR) / n), { user_id: user, endpoint: `${endpoint}?page=${k}`, bytes: Math.round((mib * MB) / n) }));
}

/** `days` working days of 8 hours (09:00–17:00) at `mib` MiB an hour, from `from`. */
function workdays(user: string, days: number, mib: number, from = T): FlatRecord[] {
  const out: FlatRecord[] = [];
  for (let d = 0; d < days; d++) for (let h = 0; h < 8; h++) out.push(...hourOf(user, from + d * DAY + h * HOUR, mib, '/api/v1/products', 6));
  return out;
}

/** `hours` clock hours from `start`, `mib` MiB each (a number per hour, or one for all). */
function run(user: string, start: number, mibs: number[], endpoint?: string): FlatRecord[] {
  return mibs.flatMap((mib, h) => (mib > 0 ? hourOf(user, start + h * HOUR, mib, endpoint) : []));
}

const byTime = (recs: FlatRecord[]): FlatRecord[] => [...recs].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
const sustained = (alerts: Alert[]): Alert[] => alerts.filter((a) => a.title === SUSTAINED);

function withOptions(opts: Record<string, unknown>): RuleSet {
  const rules = loadRules([]);
  return { ...rules, detectors: { ...rules.detectors, 'data-exfiltration': { ...rules.detectors['data-exfiltration'], ...opts } } };
}
/** The sustained tier out of reach: what the per-window tier alone makes of a case. */
const perWindowOnly = withOptions({ sustainedMinBytes: 1024 ** 4 });

/** Ten working days at 4 MiB an hour (80 active hours), then day 11 (2025-03-20). */
const DAY11 = T + 10 * DAY;

describe('data-exfiltration, sustained tier: attacks', () => {
  it('an insider pulling 44 MiB an hour for 8 hours (352 MiB, 11 x their usual hour) is one medium alert naming the hours', () => {
    const recs = byTime([...workdays('u-ins', 10, 4), ...run('u-ins', DAY11, Array(8).fill(44)), ...workdays('u-ins', 1, 4, DAY11 + DAY)]);
    // The per-window tier alone sees no hour reach its 50 MiB floor.
    expect(runFlat(recs, { only, rules: perWindowOnly }).alerts).toEqual([]);
    const alerts = runFlat(recs, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.title).toBe(SUSTAINED);
    expect(a.severity).toBe('medium');
    expect(a.subject).toEqual({ user: 'u-ins' });
    expect(a.start).toBe(DAY11);
    expect(a.end).toBeLessThan(DAY11 + 8 * HOUR);
    expect(a.end).toBeGreaterThan(DAY11 + 7 * HOUR);
    expect(a.evidence.metrics).toMatchObject({ tier: 'sustained', totalBytes: 8 * 44 * MB, elevatedHours: 8, spanHours: 8, baseline: 'history', historyHours: 80, hoursInWindowIncidents: 0 });
    expect(Math.round((a.evidence.metrics.usualHourBytes as number) / 1024)).toBe(4 * 1024);
    expect(Math.round(a.evidence.thresholds.hourBytes as number / 1024)).toBe(20 * 1024); // 5 x their usual 4 MiB
    expect(a.summary).toMatch(/^user u-ins received 352 MiB in \d+ requests over 8 hours in a row \(2025-03-20 09:00–17:00 UTC\) from 2\.205\.77\.10; every one of those hours above 20\.0 MiB, 5 times or more their usual hour of 4\.0 MiB \(sustained, history\)\.$/);
    expect(a.severityReason).toBe('8 hours in a row (2025-03-20 09:00–17:00 UTC), each from 44.0 MiB to 44.0 MiB, above 20.0 MiB against a usual hour of 4.0 MiB (80 earlier active hours): 352 MiB in all, though no 60-min window was over its threshold');
    expect(a.evidence.samples.length).toBe(10);
    expect(a.evidence.routes).toEqual({ '/api/v1/orders': expect.any(Number) });
  });

  it('is raised at the end of the input too (the run still under way)', () => {
    const recs = byTime([...workdays('u-end', 10, 4), ...run('u-end', DAY11, Array(8).fill(44))]);
    const a = sustained(runFlat(recs, { only }).alerts);
    expect(a.map((x) => [x.severity, x.evidence.metrics.elevatedHours])).toEqual([['medium', 8]]);
  });

  it('the same hours from export routes are high', () => {
    const recs = byTime([...workdays('u-exp', 10, 4), ...run('u-exp', DAY11, Array(8).fill(44), '/api/v1/export/customers')]);
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => [x.title, x.severity])).toEqual([[SUSTAINED, 'high']]);
    expect(a[0]!.severityReason).toMatch(/^100% of it from export or sensitive routes; 8 hours in a row/);
    expect(a[0]!.evidence.metrics.exportOrSensitiveShare).toBe(1);
  });

  it('a very large total (12 h x 44 MiB = 528 MiB) is high', () => {
    const recs = byTime([...workdays('u-big', 10, 4), ...run('u-big', DAY11 - 2 * HOUR, Array(12).fill(44))]);
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => [x.title, x.severity, x.evidence.metrics.totalBytes])).toEqual([[SUSTAINED, 'high', 528 * MB]]);
    expect(a[0]!.severityReason).toMatch(/^528 MiB is at least 512 MiB; 12 hours in a row \(2025-03-20 07:00–19:00 UTC\)/);
  });

  it('5 h x 60 MiB with a quiet hour in the middle, which the per-window tier splits in two, is one alert over all of it', () => {
    // 09:00–11:00 and 12:00–15:00 at 60 MiB an hour, nothing at 11:00.
    const recs = byTime([...workdays('u-split', 10, 4), ...run('u-split', DAY11, [60, 60, 0, 60, 60, 60]), ...workdays('u-split', 1, 4, DAY11 + DAY)]);
    const alone = runFlat(recs, { only, rules: perWindowOnly }).alerts;
    expect(alone.map((x) => [x.title, x.severity])).toEqual([
      ['Unusual data volume (exfiltration)', 'high'],
      ['Unusual data volume (exfiltration)', 'high'],
    ]);
    const alerts = runFlat(recs, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.title).toBe(SUSTAINED);
    // As severe as the pieces it takes in, and spanning them: the pipeline merged them into it.
    expect(a.severity).toBe('high');
    expect(a.evidence.mergedAlerts).toBe(3);
    expect(a.start).toBe(alone[0]!.start);
    expect(a.end).toBe(alone[1]!.end);
    expect(a.evidence.metrics).toMatchObject({ totalBytes: 300 * MB, elevatedHours: 5, spanHours: 6, windowIncidents: 2, hoursInWindowIncidents: 5 });
    expect(a.severityReason).toMatch(/^2 60-min window incident\(s\) of these hours were high; 5 of 6 hours \(2025-03-20 09:00–15:00 UTC\)/);
  });

  it('judges by the baseline file when there is no history in the input', () => {
    const baseline = { schemaVersion: '1', createdAt: '', origin: 'file', period: { start: 0, end: 0 }, routes: {}, actors: { 'user:u-bl': { bytesPerHour: { median: 3 * MB, mad: MB, p99: 9 * MB }, requestsPerHour: { median: 6, p99: 12 } } } };
    const recs = run('u-bl', DAY11, Array(8).fill(44));
    expect(runFlat(recs, { only }).alerts).toEqual([]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const a = sustained(runFlat(recs, { only, baseline: baseline as any }).alerts);
    expect(a.map((x) => [x.severity, x.evidence.metrics.baseline, x.evidence.thresholds.hourBytes])).toEqual([['medium', 'baseline', 15 * MB]]);
  });

  it('live (--follow): raised once no later hour can continue the run, not at the actor state\'s expiry', () => {
    const recs = byTime([...workdays('u-live', 10, 4), ...run('u-live', DAY11, Array(8).fill(44))]);
    const last = Date.parse(recs.at(-1)!.timestamp);
    const heard = (quietFor: number): Alert[] => {
      const out: Alert[] = [];
      const p = createPipeline({ detectors: builtinDetectors, rules: shippedRules, geo, live: true, only, onAlert: (a) => out.push(a) });
      const enrich = createEnricher(shippedRules);
      recs.forEach((r, i) => p.push(enrich(toEvent(r, 'live', i + 1))));
      p.advance!(last + quietFor);
      return sustained(out);
    };
    expect(heard(HOUR)).toEqual([]); // a next elevated hour could still come
    expect(heard(3 * HOUR + 10 * 60_000).map((a) => a.evidence.metrics.elevatedHours)).toEqual([8]);
  });
});

describe('data-exfiltration, sustained tier: benign look-alikes', () => {
  it('a nightly 60 MiB-an-hour backup: the per-window tier\'s alerts only (first two nights high, then low), nothing added', () => {
    // Daytime work gives the account a usual hour; 01:00–06:00 every night it downloads 60 MiB an hour.
    const nights = Array.from({ length: 5 }, (_, d) => run('svc-backup', DAY11 + d * DAY - 8 * HOUR, Array(5).fill(60), '/api/v1/backup/files'));
    const recs = byTime([...workdays('svc-backup', 16, 1), ...nights.flat()]);
    const alerts = runFlat(recs, { only }).alerts;
    expect(alerts.map((a) => [a.title, a.severity])).toEqual([
      ['Unusual data volume (exfiltration)', 'high'],
      ['Unusual data volume (exfiltration)', 'high'],
      ['Unusual data volume (exfiltration)', 'low'],
      ['Unusual data volume (exfiltration)', 'low'],
      ['Unusual data volume (exfiltration)', 'low'],
    ]);
    expect(alerts.map((a) => a.evidence.mergedAlerts)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('a nightly backup below the per-window floor (6 h x 45 MiB): the sustained tier\'s first two nights, then low as a scheduled job', () => {
    const nights = Array.from({ length: 5 }, (_, d) => run('svc-etl', DAY11 + d * DAY - 8 * HOUR, Array(6).fill(45), '/api/v1/backup/files'));
    const recs = byTime([...workdays('svc-etl', 16, 1), ...nights.flat()]);
    expect(runFlat(recs, { only, rules: perWindowOnly }).alerts).toEqual([]);
    const alerts = runFlat(recs, { only }).alerts;
    expect(alerts.map((a) => [a.title, a.severity])).toEqual([
      [SUSTAINED, 'high'],
      [SUSTAINED, 'high'],
      [SUSTAINED, 'low'],
      [SUSTAINED, 'low'],
      [SUSTAINED, 'low'],
    ]);
    expect(alerts[2]!.severityReason).toMatch(/^lowered: a like volume left at this hour on 2 earlier days, a scheduled job/);
  });

  it('a nightly job that is the account\'s only work stays quiet: its own nights are its usual hour', () => {
    const nights = Array.from({ length: 6 }, (_, d) => run('svc-only', DAY11 + d * DAY - 8 * HOUR, Array(5).fill(60), '/api/v1/backup/files'));
    expect(runFlat(byTime(nights.flat()), { only }).alerts).toEqual([]);
  });

  it('a user whose usual hour is already 40 MiB is quiet at 44 MiB for 8 hours', () => {
    const recs = byTime([...workdays('u-heavy', 10, 40), ...run('u-heavy', DAY11, Array(8).fill(44))]);
    expect(runFlat(recs, { only }).alerts).toEqual([]);
    // The same 8 hours by someone whose usual hour is 4 MiB are the insider above.
    const light = byTime([...workdays('u-light', 10, 4), ...run('u-light', DAY11, Array(8).fill(44))]);
    expect(sustained(runFlat(light, { only }).alerts)).toHaveLength(1);
  });

  it('an actor with no history reading 30 MiB an hour for 5 hours is quiet (peers at 1 MiB an hour)', () => {
    const peers = Array.from({ length: 20 }, (_, i) => workdays(`peer${i}`, 3, 1, DAY11 - 3 * DAY)).flat();
    const recs = byTime([...peers, ...run('u-new', DAY11, Array(5).fill(30))]);
    expect(runFlat(recs, { only }).alerts).toEqual([]);
  });

  it('without a usual hour (no history, no baseline) the tier stays quiet even at 8 h x 44 MiB: a known false negative', () => {
    const peers = Array.from({ length: 20 }, (_, i) => workdays(`peer${i}`, 3, 1, DAY11 - 3 * DAY)).flat();
    const recs = byTime([...peers, ...run('u-fresh', DAY11, Array(8).fill(44))]);
    expect(runFlat(recs, { only }).alerts).toEqual([]);
  });

  it('a busy day, when volume doubles for everybody, is quiet', () => {
    const usual: Record<string, number> = { a: 2, b: 4, c: 8, d: 15, e: 25 };
    const recs: FlatRecord[] = [];
    for (const [u, mib] of Object.entries(usual)) recs.push(...workdays(u, 10, mib), ...run(u, DAY11, Array(8).fill(2 * mib)));
    expect(runFlat(byTime(recs), { only }).alerts).toEqual([]);
    // Five times their usual hour would not be (d: 8 x 75 MiB, e: 8 x 125 MiB).
    const five: FlatRecord[] = [];
    for (const [u, mib] of Object.entries(usual)) five.push(...workdays(u, 10, mib), ...run(u, DAY11, Array(8).fill(5 * mib + 1)));
    expect(runFlat(byTime(five), { only }).alerts.map((a) => a.subject.user).sort()).toEqual(['c', 'd', 'e']);
  });

  it('three elevated hours are no run (sustainedMinHours 4), whatever their total', () => {
    const recs = byTime([...workdays('u-three', 10, 4), ...run('u-three', DAY11, [48, 48, 48, 4, 4, 48, 48, 48])]);
    const lowFloor = withOptions({ sustainedMinBytes: 100 * MB });
    expect(runFlat(recs, { only, rules: lowFloor }).alerts).toEqual([]);
    expect(runFlat(recs, { only, rules: withOptions({ sustainedMinBytes: 100 * MB, sustainedMinHours: 3 }) }).alerts.map((a) => a.evidence.metrics.elevatedHours)).toEqual([3, 3]);
  });
});

describe('data-exfiltration, sustained tier: the history', () => {
  it('an incident\'s hours do not teach the history: the same run the next day is alerted again', () => {
    const recs = byTime([...workdays('u-again', 10, 4), ...run('u-again', DAY11, Array(8).fill(44)), ...run('u-again', DAY11 + DAY, Array(8).fill(44))]);
    expect(sustained(runFlat(recs, { only }).alerts).map((a) => [a.severity, a.start])).toEqual([
      ['medium', DAY11],
      ['medium', DAY11 + DAY],
    ]);
  });

  it('the hours of runs too short to be incidents join the history: 44 MiB hours become usual enough', () => {
    // Three afternoons with 3 hours at 44 MiB (9 of 89 active hours), then a day at 40 MiB an hour.
    const bursts = [0, 1, 2].flatMap((d) => run('u-often', DAY11 + d * DAY + 4 * HOUR, [44, 44, 44]));
    const day = run('u-often', DAY11 + 3 * DAY, Array(8).fill(40));
    const recs = byTime([...workdays('u-often', 10, 4), ...bursts, ...day]);
    expect(runFlat(recs, { only }).alerts).toEqual([]);
    // Without those afternoons the day is a run well above the usual hour.
    expect(sustained(runFlat(byTime([...workdays('u-often', 10, 4), ...day]), { only }).alerts)).toHaveLength(1);
  });
});

describe('data-exfiltration, sustained tier: options', () => {
  it('refuses a fraction of an hour for the hour counts', () => {
    expect(() => runFlat([], { only, rules: withOptions({ sustainedMinHours: 2.5 }) })).toThrow(ConfigError);
    expect(() => runFlat([], { only, rules: withOptions({ sustainedStepHours: 0 }) })).toThrow(/expected a positive number/);
  });

  it('sustainedStepHours 1: a quiet hour ends the run', () => {
    const recs = byTime([...workdays('u-gap', 10, 4), ...run('u-gap', DAY11, [44, 44, 44, 44, 0, 44, 44, 44, 44])]);
    expect(sustained(runFlat(recs, { only }).alerts).map((a) => a.evidence.metrics.elevatedHours)).toEqual([8]);
    expect(runFlat(recs, { only, rules: withOptions({ sustainedStepHours: 1 }) }).alerts).toEqual([]);
  });
});
