import { describe, expect, it } from 'vitest';
import { attackScenario, lookalikeScenario, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import type { RuleSet } from '../../src/rules/types.js';
import { atLeast, rec, runFlat, shippedRules } from './helpers.js';

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
    const a = runFlat(stream(1000, jitter, (k) => `/api/v1/products?page=${k}&sort=${k % 3}`), { only }).alerts;
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
});
