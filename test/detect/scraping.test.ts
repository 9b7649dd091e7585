import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attackScenario, lookalikeScenario, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import type { RuleSet } from '../../src/rules/types.js';
import { ROOT } from '../helpers/cli.js';
import { atLeast, rec, routeOnly, runEvents, runFlat, shippedRules, toEvent } from './helpers.js';

const T = Date.UTC(2025, 2, 11, 16);
const only = ['scraping'];
const IP = '14.100.1.20';

function stream(n: number, gap: (k: number) => number, endpoint: (k: number) => string, extra: Partial<FlatRecord> = {}): FlatRecord[] {
  let t = T;
  return Array.from({ length: n }, (_, k) => rec((t += gap(k)), { ip: IP, endpoint: endpoint(k), user_agent: 'python-requests/2.31.0', ...extra }));
}

describe('scraping', () => {
  it('finds the catalogue walk at ~500/min with regular gaps', () => {
    const { records, labels } = attackScenario('scraping');
    const alerts = runFlat(records, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.subject).toEqual(labels[0]!.subject);
    expect(a.severity).toBe('medium');
    expect(a.evidence.metrics).toMatchObject({ sequential: true, regularTiming: true });
    expect(a.evidence.metrics.medianGapMs as number).toBeCloseTo(120, -1);
  });

  it('is high when sensitive records are harvested', () => {
    const a = runFlat(stream(1200, () => 100, (k) => `/api/v1/users/${5000 + k}/profile`), { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['high']);
  });

  it('judges whole-second timestamps by per-second counts, not by zero gaps', () => {
    // 5 requests in each whole second for 3 minutes: gaps are 0,0,0,0,1000...
    const recs = stream(900, (k) => (k % 5 === 0 ? 1000 : 0), (k) => `/api/v1/products/${k * 13}`);
    const a = runFlat(recs, { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.evidence.metrics).toMatchObject({ timestampResolution: '1 s', regularTiming: true });
    expect(a[0]!.evidence.metrics).not.toHaveProperty('gapCv');
  });

  it('does not call bursty whole-second traffic regular', () => {
    const recs = stream(900, (k) => (k % 15 === 0 ? 3000 : 0), () => '/api/v1/search');
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => [x.severity, x.evidence.metrics.regularTiming])).toEqual([['low', false]]);
  });

  it('rate alone (no second signal) is low', () => {
    let seed = 1;
    const jitter = (): number => ((seed = (seed * 16807) % 2147483647) % 400) + 10;
    const a = runFlat(stream(1000, jitter, () => '/api/v1/search?q=shoes'), { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['low']);
  });

  it('breadth of distinct URLs is a second signal', () => {
    let seed = 7;
    const jitter = (): number => ((seed = (seed * 16807) % 2147483647) % 400) + 10;
    // Distinct search terms (a ?page= walk would be one URL: see the paging tests).
    const a = runFlat(stream(1000, jitter, (k) => `/api/v1/products?q=item${k}&sort=${k % 3}`), { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['medium']);
    expect(a[0]!.severityReason).toMatch(/distinct URLs/);
  });

  it('a short burst is not sustained', () => {
    expect(runFlat(stream(300, () => 50, (k) => `/api/v1/products/${k}`), { only }).alerts).toEqual([]);
  });

  it('stays quiet (below medium) for the mobile poller, health checks and the nightly batch job', () => {
    for (const name of ['mobile-poller', 'health-checks', 'batch-job'] as const) {
      expect(atLeast(runFlat(lookalikeScenario(name).records, { only }).alerts, 'medium'), name).toEqual([]);
    }
    expect(runFlat(lookalikeScenario('health-checks').records, { only }).alerts).toEqual([]);
  });

  it('ignores allowlisted crawlers and option-listed user agents', () => {
    const recs = stream(1200, () => 100, (k) => `/api/v1/products/${k}`, { user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1)' });
    expect(runFlat(recs, { only })).toMatchObject({ alerts: [expect.anything()] });
    const allow: RuleSet = { ...shippedRules, allow: { ...shippedRules.allow, userAgents: ['googlebot'] } };
    expect(runFlat(recs, { only, rules: allow }).alerts).toEqual([]);
    const opt: RuleSet = { ...shippedRules, detectors: { scraping: { ignoreUserAgents: ['re:Googlebot/\\d'] } } };
    expect(runFlat(recs, { only, rules: opt }).alerts).toEqual([]);
  });

  it('counts every request of the incident, the window before it opened included (incident sample)', () => {
    // 14.100.1.10 walks /api/v1/products/10000..11099 at ~500/min, 1,100 requests, all 200. The incident
    // opens at the 201st request; the 200 before it used to count for `requests` only.
    const records = fs
      .readFileSync(path.join(ROOT, 'fixtures/incident-sample.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FlatRecord);
    const mine = records.filter((r) => r.ip === '14.100.1.10');
    expect(mine).toHaveLength(1100);
    expect(mine.every((r) => r.status === 200)).toBe(true);
    const a = runFlat(records, { only }, 'incident-sample.ndjson').alerts.find((x) => x.subject.ip === '14.100.1.10')!;
    expect(a.evidence.metrics).toMatchObject({ requests: 1100, successShare: 1, distinctUrls: 1100, routes: 1, sequential: true, longestStrideRun: 1100 });
    expect(a.evidence.statuses).toEqual({ '200': 1100 });
    expect(a.summary).toContain('1100 requests');
    expect(a.summary).toContain('1100 distinct URLs');
    expect(a.summary).toContain('(10000..11099)');
    expect(a.severity).toBe('medium'); // 502/min on a non-sensitive route: harvesting signals, not 5x the rate
    // The first sample is the incident's first request, not the one that tipped the rate.
    expect(a.evidence.samples[0]).toMatchObject({ time: Date.parse(mine[0]!.timestamp), path: '/api/v1/products/10000', requestId: mine[0]!.request_id });
    expect(a.start).toBe(Date.parse(mine[0]!.timestamp));
  });

  it('judges severity on the whole incident: a short sensitive harvest is high', () => {
    // 850 requests 100 ms apart: the first 200 precede the opening. Counting only the later 650 as 2xx
    // gave 76% (< 80%) and a medium alert.
    const a = runFlat(stream(850, () => 100, (k) => `/api/v1/users/${5000 + k}/profile`), { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['high']);
    expect(a[0]!.evidence.metrics).toMatchObject({ requests: 850, successShare: 1, distinctUrls: 850 });
    expect(a[0]!.severityReason).toMatch(/100% answered 2xx on sensitive routes/);
  });

  it('counts breadth over the whole incident', () => {
    // 1,000 requests at irregular ~630/min: terms 0..299 once, then each further term twice, so 650
    // distinct URLs of 1,000 (breadth: >= 50%). Counting only the URLs after the opening (the 201st
    // request) gave 450 of 1,000 and a low "rate alone" alert.
    const url = (k: number): string => `/api/v1/search?q=term${k < 300 ? k : 300 + Math.floor((k - 300) / 2)}`;
    let seed = 3;
    const jitter = (): number => ((seed = (seed * 16807) % 2147483647) % 160) + 10;
    const a = runFlat(stream(1000, jitter, url), { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['medium']);
    expect(a[0]!.evidence.metrics).toMatchObject({ requests: 1000, distinctUrls: 650, regularTiming: false });
    expect(a[0]!.severityReason).toMatch(/650 distinct URLs/);
  });

  describe('pagination parameters are not breadth', () => {
    // A service account pages GET /api/orders?cursor=<opaque>&limit=100 for 20 min each night at
    // ~120/min. Tuned down to 10/min (to find slow scrapers), each night was a high scraping alert:
    // 2,400 "distinct URLs" at 12x the rate.
    const cursor = (n: number, k: number): string => Buffer.from(`{"after":${n * 1e6 + k * 100}}`).toString('base64url');
    const nights = (endpoint: (n: number, k: number) => string): FlatRecord[] =>
      Array.from({ length: 7 }, (_, n) => {
        let t = T + n * 86_400_000;
        return Array.from({ length: 2400 }, (__, k) => rec((t += 450 + ((k * 37) % 100)), { user_id: 'svc-orders-export', ip: '46.84.77.9', endpoint: endpoint(n, k), user_agent: 'orders-export/3.1' }));
      }).flat();
    const tuned: RuleSet = { ...shippedRules, detectors: { scraping: { ratePerMinute: 10 } } };

    it('the cursor-paging batch job is one resource family: seven low batch-job alerts, not high scraping', () => {
      const a = runFlat(nights((n, k) => `/api/orders?cursor=${cursor(n, k)}&limit=100`), { only, rules: tuned }).alerts;
      expect(a).toHaveLength(7);
      for (const x of a) {
        expect(x.severity).toBe('low');
        expect(x.evidence.metrics).toMatchObject({ requests: 2400, distinctUrls: 1, regularTiming: true });
        expect(x.severityReason).toMatch(/batch job/);
      }
      // At the default rate it is not machine speed at all.
      expect(runFlat(nights((n, k) => `/api/orders?cursor=${cursor(n, k)}&limit=100`), { only }).alerts).toEqual([]);
    });

    it('paging the other common ways (page tokens, JSON:API, offsets, since_id) is one URL too, and since_id is no id walk', () => {
      const ways: Array<(n: number, k: number) => string> = [
        (n, k) => `/api/orders?pageToken=${cursor(n, k)}`,
        (n, k) => `/api/orders?status=paid&page[after]=${cursor(n, k)}&page[size]=100`,
        (_, k) => `/api/orders?offset=${k * 100}&limit=100`,
        (_, k) => `/api/orders?since_id=${1000 + k * 100}`,
      ];
      for (const way of ways) {
        const a = runFlat(nights(way), { only, rules: tuned }).alerts;
        expect(a.map((x) => [x.severity, x.evidence.metrics.distinctUrls, x.evidence.metrics.sequential]), way(0, 1)).toEqual(Array(7).fill(['low', 1, false]));
      }
    });

    it('is a tunable: with no paging parameters, every cursor is a URL again', () => {
      const none: RuleSet = { ...shippedRules, detectors: { scraping: { ratePerMinute: 10, paginationParams: [] } } };
      const a = runFlat(nights((n, k) => `/api/orders?cursor=${cursor(n, k)}&limit=100`), { only, rules: none }).alerts;
      expect(a.map((x) => x.severity)).toEqual(Array(7).fill('high'));
      expect(a[0]!.evidence.metrics.distinctUrls).toBe(2400);
    });

    it('other parameters still count: distinct search terms while paging are breadth', () => {
      let seed = 5;
      const jitter = (): number => ((seed = (seed * 16807) % 2147483647) % 400) + 10;
      const a = runFlat(stream(1000, jitter, (k) => `/api/v1/search?q=item${Math.floor(k / 2)}&page=${k % 2}`), { only }).alerts;
      expect(a.map((x) => x.severity)).toEqual(['medium']);
      expect(a[0]!.evidence.metrics.distinctUrls).toBe(500);
    });
  });

  it('runs on logs with only route templates (API Gateway resourcePath) or CloudTrail actions', () => {
    const events = stream(1200, () => 100, (k) => `/orders/${k}`).map((r, i) => routeOnly(toEvent(r, 'apigw.ndjson', i + 1), '/orders/{id}'));
    const res = runEvents(events, { only });
    expect(res.statuses.find((s) => s.id === 'scraping')).toMatchObject({ status: 'ran', alerts: 1 });
    const a = res.alerts[0]!;
    expect(a.subject).toEqual({ ip: IP });
    expect(a.evidence.metrics).toMatchObject({ requests: 1200, successShare: 1, routes: 1, regularTiming: true });
    expect(a.summary).not.toMatch(/distinct URLs/);
    expect(a.severityReason).toMatch(/only route templates \(no concrete paths\), so URLs and id walks cannot be seen/);

    const trail = stream(1200, () => 100, () => '/x').map((r, i) => {
      const { path: _p, ...rest } = toEvent(r, 'cloudtrail.json', i + 1);
      return { ...rest, action: 's3.amazonaws.com:GetObject', format: 'cloudtrail' };
    });
    const res2 = runEvents(trail, { only });
    expect(res2.statuses.find((s) => s.id === 'scraping')).toMatchObject({ status: 'ran', alerts: 1 });
    expect(res2.alerts[0]!.evidence.routes).toEqual({ 's3.amazonaws.com:GetObject': 1200 });
  });
});
