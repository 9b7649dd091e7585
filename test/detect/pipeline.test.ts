import { describe, expect, it } from 'vitest';
import { createPipeline, builtinDetectors, mergeAlerts, type Alert, type Detector } from '../../src/detect/index.js';
import { createEnricher } from '../../src/enrich/index.js';
import { ConfigError } from '../../src/rules/index.js';
import type { RuleSet } from '../../src/rules/types.js';
import type { ApiEvent } from '../../src/normalise/event.js';
import { ATTACKS, attackScenario } from '../../fixtures/scenarios/generate.js';
import { fingerprint, geo, jitterOrder, rec, runEvents, runFlat, shippedRules, splitAndMerge, toEvent } from './helpers.js';

const T = Date.UTC(2025, 2, 10, 12);

/** A detector that records the order events arrive in and reports one alert per event. */
function recorder(seen: number[], opts: { requires?: Detector['meta']['requires'] } = {}): Detector {
  return {
    meta: { id: 'recorder', title: 'r', description: 'r', severity: 'low', references: [], options: { gap: 1 }, ...(opts.requires ? { requires: opts.requires, unavailableImpact: 'nothing can be judged' } : {}), mergeGapMs: () => 0 },
    create: (ctx) => ({
      event: (e) => {
        seen.push(e.ts);
        ctx.report({ rule: 'recorder', severity: 'low', title: 'r', subject: { ip: e.ip ?? '' }, start: e.ts, end: e.ts, summary: 's', severityReason: 'r', evidence: { metrics: {}, thresholds: {}, samples: [] } });
      },
    }),
  };
}

function events(n: number, step: number): ApiEvent[] {
  return Array.from({ length: n }, (_, i) => toEvent(rec(T + i * step, { endpoint: '/x', ip: `2.205.77.${(i % 200) + 1}` }), 'f', i + 1));
}

describe('pipeline', () => {
  it('delivers events out of order within the lateness sorted by event time', () => {
    const seen: number[] = [];
    const evs = events(500, 1000);
    // Every event moves by less than 50 s of event time (the lateness is 5 min).
    const local = evs.map((e, i) => ({ e, k: e.ts + ((i * 7919) % 50) * 1000 })).sort((a, b) => a.k - b.k).map((x) => x.e);
    expect(local.map((e) => e.ts)).not.toEqual(evs.map((e) => e.ts));
    const res = runEvents(local, { detectors: [recorder(seen)] });
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(res.notes).toEqual([]);
  });

  it('processes events later than the lateness anyway, and says so', () => {
    const seen: number[] = [];
    const evs = events(10, 60_000);
    const late = toEvent(rec(T - 3_600_000, { endpoint: '/late' }), 'f', 99);
    const res = runEvents([...evs, late], { detectors: [recorder(seen)] });
    expect(seen).toContain(late.ts);
    expect(res.notes.join(' ')).toMatch(/1 event arrived more than the allowed lateness \(300 s\)/);
  });

  it('gives the same alerts whatever the file split or order within the lateness', () => {
    const { records } = attackScenario('bola-enumeration');
    const base = fingerprint(runFlat(records).alerts);
    expect(base.length).toBeGreaterThan(0);
    expect(fingerprint(runFlat(jitterOrder(records, 30_000, 3)).alerts)).toEqual(base);
    expect(fingerprint(runEvents(splitAndMerge(records, 4)).alerts)).toEqual(base);
    expect(fingerprint(runEvents(splitAndMerge(records, 4).reverse().sort((a, b) => a.ts - b.ts)).alerts)).toEqual(base);
  });

  it('marks a detector unavailable when no event carried a required field, naming the formats', () => {
    const res = runEvents(events(5, 1000), { detectors: [recorder([], { requires: { allOf: ['user'] } })] });
    expect(res.statuses[0]).toMatchObject({ id: 'recorder', status: 'unavailable', alerts: 0 });
    expect(res.statuses[0]!.reason).toBe('no user field in the input (formats: flat): nothing can be judged');
    expect(res.alerts).toEqual([]);
  });

  it('runs BOLA on logs without principals, and says that only walks of callers known by IP are judged', () => {
    const evs = Array.from({ length: 5 }, (_, i) => toEvent(rec(T + i * 1000, { endpoint: `/api/v1/orders/${i + 1}`, ip: '2.205.77.1' }), 'f', i + 1));
    const res = runEvents(evs);
    const bola = res.statuses.find((s) => s.id === 'bola-enumeration')!;
    expect(bola.status).toBe('ran');
    expect(bola.notes?.[0]).toMatch(/^no user or API key in the events with object ids: callers are known only by IP, and only their sequential walks/);
  });

  it('notes formats that lack a required field when others have it', () => {
    const withUser = { ...toEvent(rec(T, { endpoint: '/x', user_id: 'u1' })), format: 'flat' };
    const without = { ...toEvent(rec(T + 1, { endpoint: '/y' })), format: 'nginx' };
    const res = runEvents([withUser, without], { detectors: [recorder([], { requires: { allOf: ['user'] } })] });
    expect(res.statuses[0]!.status).toBe('ran');
    expect(res.statuses[0]!.notes).toEqual(['user absent from the event of format nginx: it could not be judged']);
  });

  it('--only and --skip disable detectors with a status', () => {
    const res = runEvents(events(3, 1000), { only: ['scraping'], skip: ['scraping'] });
    expect(res.statuses.length).toBe(6);
    expect(res.statuses.every((s) => s.status === 'disabled')).toBe(true);
    const only = runEvents(events(3, 1000), { only: ['scraping'] });
    expect(only.statuses.find((s) => s.id === 'scraping')!.status).toBe('ran');
    expect(only.statuses.find((s) => s.id === 'bola-enumeration')).toMatchObject({ status: 'disabled', reason: 'not selected by --only' });
  });

  it('evicts the oldest idle actors beyond maxActors and counts them', () => {
    const rules: RuleSet = { ...shippedRules, maxActors: 50 };
    const recs = Array.from({ length: 400 }, (_, i) => rec(T + i * 1000, { endpoint: `/api/v1/orders/${i}`, user_id: `u${i}` }));
    const res = runFlat(recs, { rules, only: ['bola-enumeration'] });
    expect(res.evictedActors).toBeGreaterThan(300);
    expect(res.statuses.find((s) => s.id === 'bola-enumeration')!.notes!.join(' ')).toMatch(/dropped at the maxActors cap \(50\)/);
  });

  it('validates detector options against their defaults, naming the file and key', () => {
    const rules: RuleSet = { ...shippedRules, detectors: { 'bola-enumeration': { threshold: 'ten' } }, origins: { ...shippedRules.origins, 'detectors.bola-enumeration.threshold': 'rules/custom.yaml' } };
    const make = (): unknown => createPipeline({ detectors: builtinDetectors, rules, geo });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow('rules/custom.yaml: detectors.bola-enumeration.threshold: expected a positive number, got "ten"');
    const unknown: RuleSet = { ...shippedRules, detectors: { 'bola-enumeration': { treshold: 5 } }, origins: { ...shippedRules.origins, 'detectors.bola-enumeration.treshold': 'x.yaml' } };
    expect(() => createPipeline({ detectors: builtinDetectors, rules: unknown, geo })).toThrow(/x\.yaml: detectors\.bola-enumeration\.treshold: unknown option/);
    const noSuch: RuleSet = { ...shippedRules, detectors: { 'bola-enumaration': { threshold: 5 } }, origins: { ...shippedRules.origins, 'detectors.bola-enumaration.threshold': 'y.yaml' } };
    expect(() => createPipeline({ detectors: builtinDetectors, rules: noSuch, geo })).toThrow(/y\.yaml: detectors\.bola-enumaration: unknown detector/);
  });

  it('applies option overrides', () => {
    const { records } = attackScenario('bola-enumeration');
    const rules: RuleSet = { ...shippedRules, detectors: { 'bola-enumeration': { threshold: 5000 } } };
    expect(runFlat(records, { rules }).alerts.filter((a) => a.rule === 'bola-enumeration')).toEqual([]);
  });

  it('keeps running when one detector throws, and says which', () => {
    const broken: Detector = { meta: { id: 'broken', title: 'b', description: 'b', severity: 'low', references: [], options: {} }, create: () => ({ event: () => { throw new Error('boom'); } }) };
    const seen: number[] = [];
    const res = runEvents(events(3, 1000), { detectors: [broken, recorder(seen)] });
    expect(seen.length).toBe(3);
    expect(res.statuses[0]).toMatchObject({ id: 'broken', status: 'unavailable' });
    expect(res.statuses[0]!.reason).toMatch(/internal error at f:1: boom/);
  });

  it('hands every alert to onAlert as it is reported, and keeps them for end() unless told not to', () => {
    const run = (keepAlerts: boolean | undefined): { told: Alert[]; ended: ReturnType<ReturnType<typeof createPipeline>['end']> } => {
      const told: Alert[] = [];
      const enrich = createEnricher(shippedRules);
      const p = createPipeline({ detectors: [recorder([])], rules: shippedRules, geo, onAlert: (a) => told.push(a), ...(keepAlerts === undefined ? {} : { keepAlerts }) });
      for (const e of events(4, 1000)) p.push(enrich(e));
      return { told, ended: p.end() };
    };
    const kept = run(undefined);
    expect(kept.told).toHaveLength(4);
    expect(kept.ended.alerts).toEqual(kept.told);
    const dropped = run(false);
    expect(dropped.told).toHaveLength(4);
    expect(dropped.ended.alerts).toEqual([]);
    expect(dropped.ended.statuses[0]).toMatchObject({ id: 'recorder', status: 'ran' });
  });

  it('says whether a detector it runs reads the source records, as each one actually does', () => {
    // Each built-in detector alone over every attack scenario, with records that note being read: a
    // detector that reads them without saying so would lose them in a thread that lets go of them.
    const records = ATTACKS.flatMap((a) => attackScenario(a).records).sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    for (const d of builtinDetectors) {
      let read = false;
      const enrich = createEnricher(shippedRules);
      const p = createPipeline({ detectors: builtinDetectors, rules: shippedRules, geo, only: [d.meta.id] });
      for (const [i, r] of records.entries()) {
        const e = toEvent(r, 'f', i + 1);
        e.raw = new Proxy(e.raw as object, {
          get: (t, k) => ((read = true), Reflect.get(t, k)),
          has: (t, k) => ((read = true), Reflect.has(t, k)),
          ownKeys: (t) => ((read = true), Reflect.ownKeys(t)),
        });
        p.push(enrich(e));
      }
      p.end();
      // Each built-in says which it does (a detector that says nothing is taken to read them).
      expect(typeof d.meta.readsRecord, d.meta.id).toBe('boolean');
      expect({ id: d.meta.id, read }).toEqual({ id: d.meta.id, read: d.meta.readsRecord });
      expect(p.readsRecord).toBe(d.meta.readsRecord);
    }
    const none = createPipeline({ detectors: builtinDetectors, rules: shippedRules, geo, skip: ['sensitive-data-in-logs', 'attack-signature'] });
    expect(none.readsRecord).toBe(false);
    const silent: Detector = { meta: { id: 'silent', title: 's', description: 's', severity: 'low', references: [], options: {} }, create: () => ({}) };
    expect(createPipeline({ detectors: [silent], rules: shippedRules, geo, knownIds: ['silent'] }).readsRecord).toBe(true);
  });

  it('enriches in place and is cheap to call', () => {
    const enrich = createEnricher(shippedRules);
    const e = enrich(toEvent(rec(T, { endpoint: '/api/v1/orders/8801?user_id=77', user_id: '101' })));
    expect(e.template).toBe('/api/v1/orders/{id}');
    expect(e.actor).toBe('user:101');
    expect(e.objectIds.map((r) => r.param)).toEqual(['path:3', 'query:user_id']);
  });
});

describe('incident merging', () => {
  const base = (start: number, end: number, severity: Alert['severity'], n: number): Alert => ({
    rule: 'r',
    severity,
    title: 't',
    subject: { user: 'u' },
    start,
    end,
    summary: `s${n}`,
    severityReason: 'x',
    evidence: { metrics: { n }, thresholds: {}, samples: Array.from({ length: 8 }, (_, i) => ({ time: start + i, file: 'f', line: n * 100 + i })) },
  });

  it('merges overlapping or touching alerts of one rule and subject into one incident', () => {
    const out = mergeAlerts([base(0, 10, 'medium', 1), base(15, 30, 'high', 2), base(100, 110, 'low', 3)], () => 5);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ start: 0, end: 30, severity: 'high', summary: 's2' });
    expect(out[0]!.evidence.metrics).toEqual({ n: 2 });
    expect(out[0]!.evidence.samples).toHaveLength(10);
    expect(out[0]!.evidence.mergedAlerts).toBe(2);
  });

  it('keeps samples of different records on one line apart (a CloudTrail file is one line)', () => {
    const one = (record: number | undefined, n: number): Alert => ({
      ...base(0, 10, 'low', n),
      evidence: { metrics: {}, thresholds: {}, samples: [{ time: 5, file: 'trail.json', line: 1, ...(record !== undefined ? { record } : {}) }] },
    });
    const merged = mergeAlerts([one(undefined, 1), one(2, 2), one(2, 3)], () => 60_000);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.evidence.samples.map((x) => x.record)).toEqual([undefined, 2]);
  });

  it('keeps different subjects and rules apart', () => {
    const a = base(0, 10, 'low', 1);
    const b = { ...base(0, 10, 'low', 2), subject: { user: 'v' } };
    const c = { ...base(0, 10, 'low', 3), rule: 'other' };
    expect(mergeAlerts([a, b, c], () => 60_000)).toHaveLength(3);
  });
});
