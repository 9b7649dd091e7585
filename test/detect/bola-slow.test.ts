/**
 * bola-enumeration's slow tier, through the real enricher and pipeline: an actor walking foreign
 * object ids one at a time for hours never fills the 10-minute window, but brings new foreign ids
 * hour after hour; the look-alikes (a customer re-reading a few own orders all day, a support agent's
 * ticket queue, a nightly job reading its own ids, a mobile app polling, public catalogue reads) do not.
 */
import { describe, expect, it } from 'vitest';
import type { FlatRecord } from '../../fixtures/scenarios/generate.js';
import { createPipeline, type Alert } from '../../src/detect/index.js';
import { createEnricher } from '../../src/enrich/index.js';
import type { RuleSet } from '../../src/rules/types.js';
import { atLeast, behavioural, describe1, geo, rec, runFlat, shippedRules, toEvent } from './helpers.js';

const T = Date.UTC(2025, 3, 8, 8); // a Tuesday, 08:00 UTC
const MIN = 60_000;
const HOUR = 3_600_000;
const only = ['bola-enumeration'];

/** A deterministic generator (Park-Miller), so every run sees the same log. */
function rng(seed: number): (lo: number, hi: number) => number {
  let s = seed;
  return (lo, hi) => lo + ((s = (s * 16807) % 2147483647) % (hi - lo + 1));
}

const withRules = (options: Record<string, unknown>): RuleSet => ({ ...shippedRules, detectors: { 'bola-enumeration': options } });
const slow = (alerts: Alert[]): Alert[] => alerts.filter((a) => a.evidence.metrics.variant === 'slow-walk');

interface WalkOpts {
  user?: string;
  role?: string;
  hours?: number;
  from?: number;
  /** Gap between requests, ms (uniform in the range). */
  gap?: [number, number];
  /** The k-th id after the previous one: +1 mostly, +2 now and then (an id skipped). */
  step?: (k: number) => number;
  status?: (k: number) => number;
  method?: string;
  endpoint?: (id: number) => string;
  start?: number;
  seed?: number;
}

/** One actor walking ids one at a time: about one a minute for six hours by default, ids mostly in order. */
function slowWalk(o: WalkOpts = {}): FlatRecord[] {
  const r = rng(o.seed ?? 11);
  const [lo, hi] = o.gap ?? [45_000, 75_000];
  const start = o.start ?? T;
  const until = start + (o.hours ?? 6) * HOUR;
  const out: FlatRecord[] = [];
  let id = o.from ?? 20_001;
  for (let t = start, k = 0; t < until; t += r(lo, hi), k++) {
    out.push(
      rec(t, {
        user_id: o.user ?? '5150',
        ...(o.role ? { role: o.role } : {}),
        ip: '77.20.14.9',
        method: o.method ?? 'GET',
        endpoint: (o.endpoint ?? ((n) => `/api/v1/orders/${n}`))(id),
        status: o.status ? o.status(k) : 200,
      }),
    );
    id += o.step ? o.step(k) : k % 23 === 22 ? 2 : 1;
  }
  return out;
}

/** 2xx for most, 404 (deleted) and 403 (another tenant's) for the rest. */
const mixed = (k: number): number => (k % 10 < 6 ? 200 : k % 10 < 9 ? 404 : 403);

describe('bola-enumeration, slow tier: walks the 10-minute window cannot see', () => {
  it('finds a walk of ~360 foreign orders at one a minute over six hours, 2xx mixed with 404/403: high, with its pace', () => {
    const records = slowWalk({ status: mixed });
    expect(records.length).toBeGreaterThan(330);
    expect(records.length).toBeLessThan(400);
    // The window alone never sees it: at most ~13 ids in any 10 minutes.
    expect(runFlat(records, { only, rules: withRules({ slowMinHours: 1000 }) }).alerts).toEqual([]);

    const alerts = runFlat(records, { only }).alerts;
    expect(alerts.map(describe1)).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ rule: 'bola-enumeration', severity: 'high', title: 'Object enumeration (BOLA/IDOR, slow walk)', subject: { user: '5150', route: '/api/v1/orders/{id}' } });
    expect(a.start).toBe(Date.parse(records[0]!.timestamp));
    expect(a.end).toBe(Date.parse(records[records.length - 1]!.timestamp));
    const okN = records.filter((x) => x.status === 200).length;
    expect(a.evidence.metrics).toMatchObject({ variant: 'slow-walk', distinctIds: records.length, successIds: okN, refusedIds: records.length - okN, qualifyingHours: 6, sequential: true, sensitiveRoute: false });
    expect(a.evidence.metrics.averagePerMinute as number).toBeGreaterThan(0.9);
    expect(a.evidence.metrics.averagePerMinute as number).toBeLessThan(1.1);
    expect(String(a.evidence.metrics.newIdsPerHour).split(' ').map(Number).every((n) => n >= 50 && n <= 70)).toBe(true);
    expect(a.severityReason).toMatch(/^a slow walk over 3\d\d foreign ids the actor had never used, 1\.0\d new ids a minute on average over 6\.0 h, at most \d\d in an hour, at least 30 new in each of 6 hours through a range of ids, at most 1\d in any 10 minutes: a pace under the window.s 50; /);
    expect(a.severityReason).toContain(`${okN} of ${records.length} foreign objects were returned with 2xx: the authorization check appears to be missing`);
    expect(a.summary).toMatch(/^user 5150 requested 3\d\d distinct foreign ids on GET \/api\/v1\/orders\/\{id\} over 6\.0 h, one at a time/);
    expect(a.summary).toMatch(new RegExp(`; ${okN} answered 2xx, ${records.length - okN} refused or missing; ids 20001\\.\\.203\\d\\d swept, 9\\d% of the range \\(longest run \\d+ with stride 1\\)\\.$`));
    // The samples are the walk's first and last requests, not a re-read.
    expect(a.evidence.samples).toHaveLength(10);
    expect(a.evidence.samples[0]!.requestId).toBe(records[0]!.request_id);
    expect(a.evidence.samples[9]!.requestId).toBe(records[records.length - 1]!.request_id);
    const ids = a.evidence.sampleIds as string[];
    expect(ids[0]).toBe('20001');
    expect(ids[ids.length - 1]).toBe(records[records.length - 1]!.endpoint.split('/').pop());
    expect(a.evidence.metrics.peakDistinctInWindow as number).toBeLessThan(20);
  });

  it('rates mostly refused slow probing medium, even over random ids, and confirmed successes among refusals high', () => {
    // Random ids, 1 in 60 answered 2xx: no range walked, but mostly refused.
    const random = slowWalk({ step: (k) => 1 + ((k * 7919) % 5000), status: (k) => (k % 60 === 0 ? 200 : k % 2 ? 404 : 403) });
    const r = runFlat(random, { only }).alerts;
    expect(r.map((a) => [a.severity, a.evidence.metrics.variant, a.evidence.metrics.sequential])).toEqual([['medium', 'slow-walk', false]]);
    expect(r[0]!.severityReason).toMatch(/mostly refused or missing \(\d+ of \d+ ids not answered 2xx\); \d foreign objects were returned with 2xx/);
    // A walk with one in five answered 2xx: access to others' objects is confirmed.
    const fifth = runFlat(slowWalk({ status: (k) => (k % 5 === 0 ? 200 : 404) }), { only }).alerts;
    expect(fifth.map((a) => a.severity)).toEqual(['high']);
    expect(fifth[0]!.severityReason).toMatch(/(returned with 2xx|with 72 successes) among the refusals/);
  });

  it('rates successful slow writes on foreign objects critical', () => {
    const a = runFlat(slowWalk({ method: 'PATCH', status: () => 204, hours: 3 }), { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['critical']);
    expect(a[0]!.evidence.metrics.writeSuccessIds).toBe(a[0]!.evidence.metrics.distinctIds);
  });

  it('uses the lower hourly bar on sensitive routes: 15 user profiles an hour for four hours', () => {
    const opts: WalkOpts = { hours: 4, gap: [200_000, 280_000], from: 3001, step: () => 1 };
    const profiles = slowWalk({ ...opts, endpoint: (id) => `/api/v1/users/${id}/profile` });
    const a = runFlat(profiles, { only }).alerts;
    expect(a.map((x) => [x.severity, x.subject.route, x.evidence.metrics.sensitiveRoute])).toEqual([['high', '/api/v1/users/{id}/profile', true]]);
    expect(a[0]!.evidence.thresholds.slowMinIdsPerHour).toBe(12);
    // The same pace on a route that is not sensitive is under its bar.
    expect(runFlat(slowWalk(opts), { only }).alerts).toEqual([]);
  });

  it('merges a burst the window sees, in the middle of a slow walk on the same route, into one incident', () => {
    const records = slowWalk();
    const at = T + 3 * HOUR + 30 * MIN;
    const burst = Array.from({ length: 60 }, (_, k) => rec(at + k * 2000, { user_id: '5150', ip: '77.20.14.9', endpoint: `/api/v1/orders/${60_001 + k}` }));
    const all = [...records, ...burst].sort((x, y) => x.timestamp.localeCompare(y.timestamp));
    const alerts = runFlat(all, { only }).alerts;
    expect(alerts.map((a) => [a.severity, a.start, a.end])).toEqual([['high', T, Date.parse(records[records.length - 1]!.timestamp)]]);
    expect(alerts[0]!.evidence.mergedAlerts).toBeDefined();
  });

  it('--follow: the walk is reported once it qualifies, and its end updates the alert', () => {
    const records = slowWalk();
    const heard: Alert[] = [];
    const p = createPipeline({ detectors: behavioural, rules: shippedRules, geo, only, live: true, onAlert: (a) => heard.push(a) });
    const enrich = createEnricher(shippedRules);
    const events = records.map((x, i) => toEvent(x, 'live.ndjson', i + 1));
    const early = events.filter((e) => e.ts < T + 2 * HOUR + 10 * MIN);
    for (const e of early) p.push(enrich(e));
    p.advance!(early[early.length - 1]!.ts);
    expect(heard.map((a) => [a.title, a.evidence.metrics.qualifyingHours])).toEqual([['Object enumeration (BOLA/IDOR, slow walk)', 2]]);
    for (const e of events.slice(early.length)) p.push(enrich(e));
    // The walk stops; once its gap has passed it is reported in full, while the log goes on.
    const last = events[events.length - 1]!.ts;
    p.advance!(last + 30 * MIN + 5 * MIN + 10 * MIN);
    expect(heard).toHaveLength(2);
    expect(heard[1]!.evidence.metrics.qualifyingHours).toBe(6);
    expect(heard[1]!.end).toBe(last);
    const res = p.end();
    expect(res.alerts).toHaveLength(1);
  });
});

describe('bola-enumeration, slow tier: look-alikes stay quiet', () => {
  it('a customer reading their own dozen orders all day (consecutive ids: a range, but not a new one)', () => {
    const r = rng(5);
    const day = (ids: (k: number) => number): FlatRecord[] => {
      const out: FlatRecord[] = [];
      for (let t = T, k = 0; t < T + 12 * HOUR; t += r(40_000, 100_000), k++) {
        out.push(rec(t, { user_id: 'c-730', role: 'customer', endpoint: k % 10 === 9 ? '/api/v1/orders' : `/api/v1/orders/${ids(k)}` }));
      }
      return out;
    };
    const mine = day(() => 88_001 + r(0, 11));
    expect(mine.length).toBeGreaterThan(500);
    expect(runFlat(mine, { only }).alerts.map(describe1)).toEqual([]);
    // The same reads over ids never used before are a walk.
    expect(slow(runFlat(day((k) => 90_001 + k), { only }).alerts).map((a) => a.severity)).toEqual(['high']);
  });

  it("a support agent working a ticket queue all day: nothing in queue order, low when the queue runs in id order", () => {
    // Tickets point at customers' orders in no particular order: no range walked, all 2xx.
    const queue = slowWalk({ user: 'agent-7', role: 'support', hours: 8, gap: [60_000, 180_000], step: (k) => 1 + ((k * 104_729) % 9000) });
    expect(runFlat(queue, { only }).alerts.map(describe1)).toEqual([]);
    // The same agent going through orders in id order (a review list): the walk is seen, and lowered.
    const inOrder = runFlat(slowWalk({ user: 'agent-7', role: 'support', hours: 8, gap: [60_000, 100_000] }), { only }).alerts;
    expect(inOrder.map((a) => a.severity)).toEqual(['low']);
    expect(inOrder[0]!.severityReason).toMatch(/^a slow walk .*lowered to low because the actor has role "support"/);
    expect(atLeast(inOrder, 'medium')).toEqual([]);
  });

  it('a nightly job reading its own objects (scattered ids, in ascending order), three nights running', () => {
    const r = rng(17);
    const own: number[] = [];
    for (let id = 100_000; own.length < 240; ) own.push((id += r(40, 400)));
    const nights: FlatRecord[] = [];
    for (let night = 0; night < 3; night++) {
      const at = Date.UTC(2025, 3, 9 + night, 1);
      own.forEach((id, k) => nights.push(rec(at + k * 60_000 + r(0, 20_000), { user_id: 'svc-reconcile', ip: '10.0.4.20', user_agent: 'reconcile-job/2.3', endpoint: `/api/v1/invoices/${id}` })));
    }
    expect(runFlat(nights, { only }).alerts.map(describe1)).toEqual([]);
    // Its twin at the same pace through a range of ids (ids nobody gave it) is a walk.
    const range = slowWalk({ user: 'svc-reconcile', hours: 4, gap: [60_000, 60_000], from: 100_001, step: () => 1, endpoint: (id) => `/api/v1/invoices/${id}` });
    expect(slow(runFlat(range, { only }).alerts).map((a) => a.severity)).toEqual(['high']);
  });

  it('a mobile app polling the same two orders every minute, and syncing its 40 shipments every quarter hour, for twelve hours', () => {
    const out: FlatRecord[] = [];
    const app = { user_id: 'c-4410', role: 'customer', ip: '2.207.1.50', user_agent: 'AcmeShop-iOS/5.1 CFNetwork' };
    for (let t = T, k = 0; t < T + 12 * HOUR; t += MIN, k++) {
      out.push(rec(t, { ...app, endpoint: `/api/v1/orders/${k % 2 ? 731_002 : 731_877}` }));
      // Its shipments are consecutive ids (one order split into 40 parcels): a range, read again and again.
      if (k % 15 === 0) for (let j = 0; j < 40; j++) out.push(rec(t + 5000 + j * 200, { ...app, endpoint: `/api/v1/shipments/${740_001 + j}` }));
    }
    expect(out.length).toBeGreaterThan(2600);
    expect(runFlat(out, { only }).alerts.map(describe1)).toEqual([]);
  });

  it('an integration re-reading the same 40 orders every 20 minutes once its id history is full: re-reads are not new ids', () => {
    const out: FlatRecord[] = [];
    const job = { user_id: 'svc-7', role: 'customer', ip: '2.207.1.77' };
    // Its first 20 ids fill a history capped at 20 (maxOwnIds standing in for 500).
    for (let j = 0; j < 20; j++) out.push(rec(T + j * 1000, { ...job, endpoint: `/api/v1/orders/${1 + j}` }));
    for (let t = T + 5 * MIN; t < T + 4 * HOUR; t += 20 * MIN) for (let j = 0; j < 40; j++) out.push(rec(t + j * 1000, { ...job, endpoint: `/api/v1/orders/${101 + j}` }));
    const capped = runFlat(out, { only, rules: withRules({ maxOwnIds: 20 }) }).alerts;
    expect(slow(capped).map(describe1)).toEqual([]);
    // The same reads with room in the history: still quiet (they are 40 ids, read again and again).
    expect(slow(runFlat(out, { only }).alerts)).toEqual([]);
  });

  it('public catalogue reads are scraping\'s, not BOLA: judged only with includePublic', () => {
    const products = slowWalk({ user: 'c-2001', endpoint: (id) => `/api/v1/products/${id}` });
    expect(runFlat(products, { only }).alerts).toEqual([]);
    expect(slow(runFlat(products, { only, rules: withRules({ includePublic: true }) }).alerts)).toHaveLength(1);
  });
});
