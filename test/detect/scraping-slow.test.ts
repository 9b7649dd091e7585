/**
 * scraping's low-and-slow window, through the real enricher and pipeline: one actor walking the ids
 * of one route for hours at a modest rate is found at the default settings; the look-alikes (a
 * cursor-paging batch job, a shopper, a monitoring probe, a syncing mobile app) stay quiet.
 */
import { describe, expect, it } from 'vitest';
import type { FlatRecord } from '../../fixtures/scenarios/generate.js';
import { createPipeline, type Alert } from '../../src/detect/index.js';
import { createEnricher } from '../../src/enrich/index.js';
import type { RuleSet } from '../../src/rules/types.js';
import { behavioural, geo, rec, runFlat, shippedRules, toEvent } from './helpers.js';
import { SlowWalk } from '../../src/detect/util/slow-walk.js';

const T = Date.UTC(2025, 3, 7, 9); // a Monday, 09:00 UTC
const MIN = 60_000;
const HOUR = 3_600_000;
const only = ['scraping'];

/** A deterministic generator (Park-Miller), so every run sees the same log. */
function rng(seed: number): (lo: number, hi: number) => number {
  let s = seed;
  return (lo, hi) => lo + ((s = (s * 16807) % 2147483647) % (hi - lo + 1));
}

/** One request every `gap()` ms from `from` until `until`; `endpoint(k)` for the k-th. */
function every(from: number, until: number, gap: () => number, endpoint: (k: number) => string, r: Partial<FlatRecord> = {}): FlatRecord[] {
  const out: FlatRecord[] = [];
  for (let t = from + gap(), k = 0; t < until; t += gap(), k++) out.push(rec(t, { endpoint: endpoint(k), ...r }));
  return out;
}

const SCRAPER = { ip: '14.100.1.77', user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/122.0' };

/** The slow scraper of the report: ~15 requests a minute (a gap of 2-6 s) for 6 hours, product ids in order, all 200. */
function slowScraper(hours = 6, seed = 3): FlatRecord[] {
  const r = rng(seed);
  return every(T, T + hours * HOUR, () => r(2000, 6000), (k) => `/api/products/${1001 + k}`, SCRAPER);
}

const slow = (alerts: Alert[]): Alert[] => alerts.filter((a) => a.title === 'Scraping (low and slow)');

/**
 * Index of the id read that makes an actor busy, where its walks start: its hours run from its
 * first id read, each starting at the first read an hour or more after the previous start, and the
 * busy read is the `bar`-th (slowMinIdsPerHour, 300 by default) of one of them.
 */
function busyRead(times: number[], bar = 300): number {
  let start = times[0]!;
  let n = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i]! - start >= HOUR) {
      start = times[i]!;
      n = 0;
    }
    if (++n === bar) return i;
  }
  return -1;
}

describe('scraping, low and slow', () => {
  it('finds the slow scraper at the default settings, and says why: rate, window, distinct ids, route', () => {
    const records = slowScraper();
    expect(records.length).toBeGreaterThan(5000);
    const alerts = runFlat(records, { only }).alerts;
    // Nothing at machine speed: it is the second window alone that finds it.
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ rule: 'scraping', severity: 'medium', title: 'Scraping (low and slow)', subject: { ip: SCRAPER.ip, route: '/api/products/{id}' } });
    // The walk starts at the read that made its actor busy (its 300th id read in an hour): until
    // then an actor is only counted, as most actors never get there.
    expect(busyRead(records.map((x) => Date.parse(x.timestamp)))).toBe(299);
    expect(a.start).toBe(Date.parse(records[299]!.timestamp));
    expect(a.end).toBe(Date.parse(records[records.length - 1]!.timestamp));
    const m = a.evidence.metrics;
    expect(m).toMatchObject({ variant: 'low-and-slow', requests: records.length - 299, distinctIds: records.length - 299, distinctShare: 1, successShare: 1, sequential: true, qualifyingHours: 6 });
    expect(m.averagePerMinute as number).toBeGreaterThan(13);
    expect(m.averagePerMinute as number).toBeLessThan(17);
    expect(m.peakPerMinute as number).toBeLessThan(200);
    expect(a.summary).toMatch(
      /^IP 14\.100\.1\.77 requested \d{4} distinct ids on GET \/api\/products\/\{id\} over 5\.\d h \(1\d(\.\d)?\/min on average, peak \d+\/min, under the 200\/min machine-speed rate\); at least 300 new ids in each of 6 hours, 100% of \d{4} requests to distinct ids; ids 1300\.\.\d{4} walked in order; 100% answered 2xx\.$/,
    );
    expect(a.severityReason).toMatch(/low-and-slow id walk: at least 300 new ids in each of 6 hours, 100% of requests to distinct ids, at 1\d(\.\d)?\/min/);
    expect(a.evidence.thresholds).toMatchObject({ slowMinIdsPerHour: 300, slowMinDistinctShare: 0.8, slowMinHours: 3, slowGapMinutes: 30, ratePerMinute: 200 });
    expect(a.evidence.samples).toHaveLength(10);
    expect(a.evidence.samples[0]).toMatchObject({ path: '/api/products/1300', requestId: records[299]!.request_id });
    expect((a.evidence.sampleIds as string[]).slice(0, 2)).toEqual(['1300', '1301']);
  });

  it('finds a walk of ids in no order too (many distinct ids is enough); one at 2/min only with a lower bar', () => {
    const r = rng(11);
    const shuffled = every(T, T + 5 * HOUR, () => r(3000, 5000), () => `/api/products/${r(100_000, 999_999)}`, SCRAPER);
    const a = slow(runFlat(shuffled, { only }).alerts);
    expect(a).toHaveLength(1);
    expect(a[0]!.evidence.metrics).toMatchObject({ sequential: false });
    expect(a[0]!.evidence.metrics.distinctShare as number).toBeGreaterThan(0.95);

    const r2 = rng(12);
    const crawl = every(T, T + 8 * HOUR, () => r2(20_000, 40_000), (k) => `/api/products/${1001 + k}`, SCRAPER);
    // About 2 a minute is a pace a person can keep up: not judged at the default bar of 300 an hour.
    expect(slow(runFlat(crawl, { only }).alerts)).toEqual([]);
    // With slowMinIdsPerHour 100 the actor is busy some 50 minutes in: 7 hours of walk follow, and a last short one.
    const rules: RuleSet = { ...shippedRules, detectors: { scraping: { slowMinIdsPerHour: 100 } } };
    expect(slow(runFlat(crawl, { only, rules }).alerts).map((x) => x.evidence.metrics.qualifyingHours)).toEqual([7]);
  });

  it('is high when a user harvests a sensitive route slowly, and keys the walk by user', () => {
    const r = rng(5);
    const profiles = every(T, T + 4 * HOUR, () => r(4000, 8000), (k) => `/api/v1/users/${5000 + 3 * k}/profile`, { user_id: 'u-77', ip: '2.205.77.40' });
    const a = slow(runFlat(profiles, { only }).alerts);
    expect(a.map((x) => [x.severity, x.subject])).toEqual([['high', { user: 'u-77', route: '/api/v1/users/{id}/profile' }]]);
    expect(a[0]!.severityReason).toMatch(/100% answered 2xx on a sensitive route/);
  });

  it('an actor slow at first is only counted: its walk starts at the read that makes it busy', () => {
    const r = rng(21);
    // Two hours at about one a minute (never 300 in an hour), then four at about 8 a minute.
    const crawl = every(T, T + 2 * HOUR, () => r(50_000, 70_000), (k) => `/api/products/${1001 + k}`, SCRAPER);
    const fast = every(T + 2 * HOUR, T + 6 * HOUR, () => r(6_000, 9_000), (k) => `/api/products/${5001 + k}`, SCRAPER);
    const all = [...crawl, ...fast];
    const busy = busyRead(all.map((x) => Date.parse(x.timestamp)));
    expect(busy).toBeGreaterThan(crawl.length);
    const a = slow(runFlat(all, { only }).alerts);
    expect(a).toHaveLength(1);
    expect(a[0]!.start).toBe(Date.parse(all[busy]!.timestamp));
    expect(a[0]!.evidence.samples[0]).toMatchObject({ requestId: all[busy]!.request_id });
    expect(a[0]!.evidence.metrics).toMatchObject({ requests: all.length - busy, distinctIds: all.length - busy });
  });

  it('remembers the ids of its last memoryHours to twice that, not of its whole life (a walk that never pauses for days)', () => {
    const bar = { minIds: 10, minShare: 0.8, memoryHours: 3 };
    const read = (w: SlowWalk, hour: number, ids: number[]): void => {
      for (const [i, id] of ids.entries()) w.add({ ts: T + hour * HOUR + i * 1000, source: { file: 'f', line: i + 1 } }, id, true);
    };
    const ids = Array.from({ length: 50 }, (_, i) => 1000 + i);
    const w = new SlowWalk(T, bar);
    read(w, 0, ids);
    read(w, 1, ids); // re-read within the generation
    read(w, 4, ids); // a new generation began at hour 3: the older one still answers
    expect(w.distinct).toBe(50);
    read(w, 10, ids); // six hours and more after that: both generations are gone, the ids are new again
    expect(w.distinct).toBe(100);
    expect(w.sampleIds(2)).toEqual(['1000', '1001', '1048', '1049']);
  });

  it('needs slowMinHours of walking: two hours are quiet, unless the option says two', () => {
    const two = slowScraper(2);
    expect(runFlat(two, { only }).alerts).toEqual([]);
    const rules: RuleSet = { ...shippedRules, detectors: { scraping: { slowMinHours: 2 } } };
    expect(slow(runFlat(two, { only, rules }).alerts)).toHaveLength(1);
  });

  it('a pause longer than slowGapMinutes ends the walk: two walks of two hours are quiet', () => {
    const first = slowScraper(2, 3);
    const second = slowScraper(2, 4).map((x) => ({ ...x, timestamp: new Date(Date.parse(x.timestamp) + 2 * HOUR + 45 * MIN).toISOString(), endpoint: x.endpoint.replace(/\d+$/, (d) => String(Number(d) + 5000)) }));
    expect(runFlat([...first, ...second], { only }).alerts).toEqual([]);
    // A shorter pause (20 min) does not: from the actor's 300th read, some 20 min in, the 4 h are one
    // walk, and each of its four hours (counted from its first request) brought 300 new ids or more.
    const near = second.map((x) => ({ ...x, timestamp: new Date(Date.parse(x.timestamp) - 25 * MIN).toISOString() }));
    const a = slow(runFlat([...first, ...near], { only }).alerts);
    expect(a.map((x) => [x.evidence.metrics.qualifyingHours, x.evidence.metrics.durationHours])).toEqual([[4, expect.closeTo(3.99, 1)]]);
    expect(a[0]!.evidence.metrics.newIdsPerHour).toMatch(/^\d{3} \d{3} \d{3} \d{3}( \d+)?$/);
  });

  describe('look-alikes stay quiet at the default settings', () => {
    it('a nightly cursor-paging batch job (GET /api/orders?cursor=<opaque>&limit=100, a week of nights)', () => {
      const r = rng(7);
      const nights = Array.from({ length: 7 }, (_, n) =>
        // 4 hours a night at ~100/min: hours of steady paging, each page a new cursor.
        every(T - 7 * HOUR + n * 24 * HOUR, T - 3 * HOUR + n * 24 * HOUR, () => r(500, 700), (k) => `/api/orders?cursor=${Buffer.from(`{"n":${n},"after":${k * 100}}`).toString('base64url')}&limit=100`, {
          user_id: 'svc-orders-export',
          ip: '46.84.77.9',
          user_agent: 'orders-export/3.1 (python-httpx)',
        }),
      ).flat();
      expect(nights.length).toBeGreaterThan(10_000);
      expect(runFlat(nights, { only }).alerts).toEqual([]);
      // The same job paging with ?since_id= (an id parameter by its name) is no id walk either.
      const sinceId = nights.map((x, k) => ({ ...x, endpoint: `/api/orders?since_id=${k * 100}&limit=100` }));
      expect(runFlat(sinceId, { only }).alerts).toEqual([]);
    });

    it('a shopper browsing a few dozen products over a day, with re-visits', () => {
      const r = rng(9);
      const seen: number[] = [];
      const day: FlatRecord[] = [];
      for (const start of [8, 12.5, 19, 21.5]) {
        let t = T - 9 * HOUR + start * HOUR;
        for (let k = 0; k < 12; k++) {
          t += r(10_000, 120_000);
          const id = seen.length > 5 && r(0, 3) === 0 ? seen[r(0, seen.length - 1)]! : r(1000, 9000);
          seen.push(id);
          day.push(rec(t, { user_id: '7788', ip: '2.205.77.31', endpoint: `/api/products/${id}` }));
        }
      }
      expect(runFlat(day, { only }).alerts).toEqual([]);
    });

    it('a monitoring probe hitting the same product URL every minute for a day', () => {
      const r = rng(13);
      const probe = every(T - 9 * HOUR, T + 15 * HOUR, () => 60_000 + r(-200, 200), () => '/api/products/1001', { ip: '62.145.1.200', user_agent: 'UptimeRobot/2.0' });
      expect(probe.length).toBeGreaterThan(1400);
      expect(runFlat(probe, { only }).alerts).toEqual([]);
    });

    it('a mobile app syncing its own 300 objects: bursts of 50 every 10 minutes for 12 hours', () => {
      const r = rng(17);
      const mine = Array.from({ length: 300 }, (_, k) => 50_000 + k * 13);
      const sync: FlatRecord[] = [];
      for (let t = T - 2 * HOUR; t < T + 10 * HOUR; t += 10 * MIN) {
        for (let k = 0, u = t; k < 50; k++) sync.push(rec((u += r(150, 900)), { user_id: '5150', ip: '2.207.1.50', endpoint: `/api/v1/notes/${mine[r(0, 299)]}`, user_agent: 'AcmeNotes-Android/7.2 okhttp/4.12' }));
      }
      expect(sync.length).toBe(3600);
      expect(runFlat(sync, { only }).alerts).toEqual([]);
    });
  });

  it('--follow: the walk is reported once it qualifies, before it ends, and its end updates the alert', () => {
    const records = slowScraper();
    const heard: Alert[] = [];
    const p = createPipeline({ detectors: behavioural, rules: shippedRules, geo, only, live: true, onAlert: (a) => heard.push(a) });
    const enrich = createEnricher(shippedRules);
    const events = records.map((x, i) => toEvent(x, 'live.ndjson', i + 1));
    const early = events.filter((e) => e.ts < T + 3 * HOUR + 10 * MIN);
    for (const e of early) p.push(enrich(e));
    p.advance!(early[early.length - 1]!.ts);
    expect(heard.map((a) => [a.title, a.evidence.metrics.qualifyingHours])).toEqual([['Scraping (low and slow)', 3]]);
    for (const e of events.slice(early.length)) p.push(enrich(e));
    const res = p.end();
    expect(heard).toHaveLength(2);
    expect(res.alerts).toHaveLength(1);
    expect(res.alerts[0]!.evidence.metrics.qualifyingHours).toBe(6);
  });

  it('--follow: a walk that stops is alerted within the gap and a quarter, even while its actor stays busy on another route', () => {
    const walk = slowScraper(4);
    const end = Date.parse(walk[walk.length - 1]!.timestamp);
    // Then one category page a minute, for two hours: the actor never goes idle.
    const browse = every(end, end + 2 * HOUR, () => MIN, () => '/api/categories/7', SCRAPER);
    const heard: Alert[] = [];
    const p = createPipeline({ detectors: behavioural, rules: shippedRules, geo, only, live: true, onAlert: (a) => heard.push(a) });
    const enrich = createEnricher(shippedRules);
    const events = [...walk, ...browse].map((x, i) => toEvent(x, 'live.ndjson', i + 1));
    const upTo = (t: number): void => {
      while (events.length > 0 && events[0]!.ts <= t) p.push(enrich(events.shift()!));
      p.advance!(t);
    };
    upTo(end + 30 * MIN);
    expect(heard.map((a) => a.end)).toEqual([expect.any(Number)]); // the early report, when it qualified
    expect(heard[0]!.end).toBeLessThan(end);
    upTo(end + 30 * MIN + 5 * 60_000 + 10 * MIN); // the gap, the lateness and a quarter of the gap
    expect(heard.map((a) => a.end)).toEqual([heard[0]!.end, end]);
    expect(heard[1]!.evidence.metrics.qualifyingHours).toBe(4);
  });
});
