import { describe, expect, it } from 'vitest';
import { attackScenario, lookalikeScenario, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import type { Baseline } from '../../src/baseline/types.js';
import { atLeast, rec, runEvents, runFlat, toEvent } from './helpers.js';
import { loadRules } from '../../src/rules/index.js';

const DAY = 86_400_000;
const T = Date.UTC(2025, 2, 10, 9);
const only = ['data-exfiltration'];
const MB = 1024 * 1024;

/** `days` of a small, steady footprint: 8 active hours a day, ~1 MB an hour. */
function history(user: string, days: number): FlatRecord[] {
  const out: FlatRecord[] = [];
  for (let d = 0; d < days; d++) for (let h = 0; h < 8; h++) for (let k = 0; k < 5; k++) out.push(rec(T + d * DAY + h * 3_600_000 + k * 600_000, { user_id: user, endpoint: '/api/v1/reports/summary', bytes: 200_000 }));
  return out;
}

function burst(user: string, start: number, n: number, bytes: number, endpoint = '/api/v1/export/customers'): FlatRecord[] {
  return Array.from({ length: n }, (_, k) => rec(start + k * 3000, { user_id: user, endpoint: `${endpoint}?page=${k}`, bytes }));
}

describe('data-exfiltration: a nightly job', () => {
  const NIGHT = Date.UTC(2025, 2, 10, 1);
  /** One 01:00 export of `gib` GiB a night, for `nights` nights, by a role that does nothing else. */
  const nightly = (nights: number, gib: (night: number) => number): FlatRecord[] =>
    Array.from({ length: nights }, (_, d) => burst('svc-etl', NIGHT + d * DAY, 60, (gib(d) * 1024 * MB) / 60)).flat();

  it('is judged anew on its first two nights and lowered as a scheduled job from the third', () => {
    const alerts = runFlat(nightly(5, () => 1.2), { only }).alerts;
    expect(alerts.map((a) => a.severity)).toEqual(['critical', 'critical', 'low', 'low', 'low']);
    expect(alerts[2]!.severityReason).toMatch(/^lowered: a like volume left at this hour on 2 earlier days, a scheduled job/);
    // The job is seen only at its nightly hour, and those hours were incidents: the reason says why
    // there is no history, instead of saying the actor had no earlier hour at all.
    expect(alerts[0]!.severityReason).toContain("no earlier hour of this actor's activity in the input");
    for (const a of alerts.slice(1)) {
      expect(a.severityReason).toContain("no ordinary hour of this actor's activity in the input to compare with (its earlier hours were incidents like this one");
      expect(a.severityReason).not.toContain('no earlier hour');
    }
  });

  it('a night that takes five times the usual volume is not the job', () => {
    const alerts = runFlat(nightly(5, (d) => (d === 4 ? 6 : 1.2)), { only }).alerts;
    expect(alerts.map((a) => a.severity)).toEqual(['critical', 'critical', 'low', 'low', 'critical']);
  });

  it('a large recurringDays never lowers', () => {
    const rules = loadRules([]);
    const off = { ...rules, detectors: { ...rules.detectors, 'data-exfiltration': { ...rules.detectors['data-exfiltration'], recurringDays: 9999 } } };
    expect(runFlat(nightly(4, () => 1.2), { only, rules: off }).alerts.map((a) => a.severity)).toEqual(['critical', 'critical', 'critical', 'critical']);
  });
});

describe('data-exfiltration', () => {
  it('finds the evening export against the analyst\'s own history', () => {
    const { records, labels } = attackScenario('data-exfiltration');
    const alerts = atLeast(runFlat(records, { only }).alerts, 'medium');
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.subject).toEqual(labels[0]!.subject);
    expect(['high', 'critical']).toContain(a.severity);
    expect(a.evidence.metrics.baseline).toBe('history');
    expect(a.evidence.metrics.exportRequests).toBe(300);
  });

  it("lets a quiet actor's window go at the hour, without dropping a request still in the window (other actors' traffic moves time on)", () => {
    const D2 = T + 2 * DAY;
    const filler = Array.from({ length: 60 }, (_, k) => rec(D2 + k * 300_000, { user_id: 'u2', endpoint: '/api/v1/reports/summary', bytes: 1000 }));
    const pull = (atMinute: number, n: number) =>
      Array.from({ length: n }, (_, k) => rec(D2 + atMinute * 60_000 + k * 3000, { user_id: 'u1', endpoint: `/api/v1/reports/full?page=${k}`, bytes: MB }));
    const run = (records: FlatRecord[]) =>
      runFlat([...history('u1', 2), ...history('u2', 2), ...filler, ...records].sort((a, b) => a.timestamp.localeCompare(b.timestamp)), { only }).alerts;
    const shape = (alerts: ReturnType<typeof run>) => alerts.map((a) => [new Date(a.start).toISOString(), a.evidence.metrics.requests, a.evidence.metrics.totalBytes]);
    // 30 MiB at 11:30 and 30 more at 12:10: one hour's window holds both, though quiet windows were slid at 12:00.
    expect(shape(run([...pull(150, 30), ...pull(190, 30)]))).toEqual([['2025-03-12T11:30:00.000Z', 60, 60 * MB]]);
    // The second at 13:10: no window holds 50 MiB; and once the first was let go, a second pull is counted from nothing.
    expect(run([...pull(150, 30), ...pull(250, 30)])).toEqual([]);
    expect(shape(run([...pull(150, 30), ...pull(250, 60)]))).toEqual([['2025-03-12T13:10:00.000Z', 60, 60 * MB]]);
    // A pull logged an hour late (past the reorder buffer's tolerance, after the others' traffic
    // to 13:10) still finds the first one in its window: quiet windows are slid an hour further back.
    const sorted = [...history('u1', 2), ...history('u2', 2), ...filler.slice(0, 51), ...pull(150, 30)].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    const late = runFlat([...sorted, ...pull(190, 30)], { only }).alerts;
    expect(shape(late)).toEqual([['2025-03-12T11:30:00.000Z', 60, 60 * MB]]);
  });

  it('is critical above the critical volume', () => {
    const recs = [...history('u1', 2), ...burst('u1', T + 2 * DAY + 11 * 3_600_000, 400, 3 * MB)];
    const a = atLeast(runFlat(recs, { only }).alerts, 'medium');
    expect(a.map((x) => x.severity)).toEqual(['critical']);
    // Their ~1 MB hours would allow far less than the 50 MiB floor: the summary says the floor set it.
    expect(a[0]!.summary).toMatch(/against a threshold of 50\.0 MiB \(the minBytes floor; their history alone would allow less\) \(history\)\.$/);
  });

  it('keeps a steady heavy exporter quiet (same volume every night)', () => {
    const { records } = lookalikeScenario('steady-exporter');
    const alerts = runFlat(records, { only }).alerts;
    expect(atLeast(alerts, 'medium')).toEqual([]);
    // The first night has no history: said so, at low severity only.
    expect(alerts.length).toBeLessThanOrEqual(1);
    if (alerts[0]) expect(alerts[0].severityReason).toMatch(/baseline: insufficient/);
  });

  it('says when history is too short, and compares with the largest earlier hour', () => {
    const recs = [...history('u2', 1).slice(0, 10), ...burst('u2', T + 6 * 3_600_000, 100, 2 * MB)];
    const res = runFlat(recs, { only });
    const a = atLeast(res.alerts, 'medium');
    expect(a).toHaveLength(1);
    expect(a[0]!.evidence.metrics.baseline).toBe('short-history');
    expect(a[0]!.severityReason).toMatch(/baseline: insufficient/);
    expect(res.statuses.find((s) => s.id === 'data-exfiltration')!.notes!.join(' ')).toMatch(/baseline insufficient for 1 actor/);
  });

  it('falls back to fixed thresholds with no history: medium above the fixed volume', () => {
    const a = runFlat(burst('new', T, 150, 2 * MB), { only }).alerts;
    expect(a.map((x) => [x.severity, x.evidence.metrics.baseline])).toEqual([['medium', 'no-history']]);
    // The burst's own earlier requests are activity: what is missing is an earlier hour to compare with.
    expect(a[0]!.severityReason).toMatch(/no earlier hour of this actor's activity in the input to compare with/);
  });

  it('breaks the whole incident down by route and IP, not only the part after the threshold was crossed', () => {
    // Half an hour of browsing from the office, then a dump from elsewhere: the incident counts the
    // window's requests from its start, so its routes and IPs must cover them too (they had covered
    // only the requests from the crossing on, and disagreed with the totals).
    const browse = Array.from({ length: 30 }, (_, k) => rec(T + k * 60_000, { user_id: 'u9', endpoint: `/api/v1/products/${k}`, bytes: 2 * MB, ip: '2.205.77.10' }));
    const dump = burst('u9', T + 35 * 60_000, 120, 3 * MB).map((r) => ({ ...r, ip: '198.51.100.7' }));
    const a = runFlat([...browse, ...dump], { only }).alerts.filter((x) => x.title === 'Unusual data volume (exfiltration)');
    expect(a).toHaveLength(1);
    const ev = a[0]!.evidence;
    const routes = ev.routes as Record<string, number>;
    const ips = ev.ips as Record<string, number>;
    expect(ev.metrics.requests).toBe(150);
    expect(ev.metrics.totalBytes).toBe(30 * 2 * MB + 120 * 3 * MB);
    expect(Object.values(routes).reduce((x, y) => x + y, 0)).toBe(ev.metrics.totalBytes);
    expect(routes['/api/v1/products/{id}']).toBe(30 * 2 * MB);
    expect(ips).toEqual({ '198.51.100.7': 120, '2.205.77.10': 30 });
    // The summary says where the data went: the IP most of it went to.
    expect(a[0]!.summary).toMatch(/^user u9 received 420 MiB in 150 requests over 41 min from 2 IPs \(most from 198\.51\.100\.7\), 120 export\/bulk requests; /);
    const one = runFlat(dump, { only }).alerts.find((x) => x.title === 'Unusual data volume (exfiltration)')!;
    expect(one.summary).toMatch(/ over \d+ min from 198\.51\.100\.7, 120 export\/bulk requests; /);
  });

  it('does not alert below the absolute floor whatever the history', () => {
    const recs = [...history('u3', 2), ...burst('u3', T + 2 * DAY, 40, 1 * MB, '/api/v1/reports/summary')];
    expect(runFlat(recs, { only }).alerts).toEqual([]);
  });

  it('uses baseline.bytesPerHour when given', () => {
    const baseline = { schemaVersion: '1', createdAt: '', origin: 'file', period: { start: 0, end: 0 }, routes: {}, actors: { 'user:u4': { bytesPerHour: { median: 400 * MB, mad: 20 * MB, p99: 600 * MB }, requestsPerHour: { median: 150, p99: 220 } } } } as unknown as Baseline;
    const recs = burst('u4', T, 150, 2 * MB);
    expect(runFlat(recs, { only }).alerts).toHaveLength(1);
    expect(runFlat(recs, { only, baseline }).alerts).toEqual([]);
  });

  it('reports one oversized response far above the route\'s usual size', () => {
    const normal = Array.from({ length: 30 }, (_, k) => rec(T + k * 60_000, { user_id: `c${k}`, endpoint: '/api/v1/orders', bytes: 5000 }));
    const big = rec(T + 40 * 60_000, { user_id: 'c99', endpoint: '/api/v1/orders', bytes: 180 * MB });
    const a = runFlat([...normal, big], { only }).alerts.filter((x) => x.title === 'Oversized response');
    expect(a).toHaveLength(1);
    expect(a[0]!.subject).toEqual({ user: 'c99', route: '/api/v1/orders' });
  });

  it('does not count failed requests as data out', () => {
    const recs = burst('u5', T, 200, 2 * MB).map((r) => ({ ...r, status: 500 }));
    expect(runFlat(recs, { only }).alerts).toEqual([]);
  });

  it('counts records too: thousands of small successful reads far above the actor\'s usual hour (medium)', () => {
    const recs = [...history('u6', 2), ...Array.from({ length: 3000 }, (_, k) => rec(T + 2 * DAY + 5 * 3_600_000 + k * 1000, { user_id: 'u6', endpoint: `/api/v1/customers/${k}`, bytes: 2000 }))];
    const a = atLeast(runFlat(recs, { only }).alerts, 'medium');
    expect(a.map((x) => [x.severity, x.evidence.metrics.trigger])).toEqual([['medium', 'requests']]);
    expect(a[0]!.summary).toMatch(/peak \d+ requests per 60 min against a threshold of 1000/);
  });

  it('without response sizes still judges request counts, and says so', () => {
    const recs = Array.from({ length: 1500 }, (_, k) => rec(T + k * 1000, { user_id: 'u7', endpoint: `/api/v1/customers/${k}` }));
    const res = runEvents(recs.map((r, i) => {
      const e = toEvent(r, 'f', i + 1);
      delete e.bytesOut;
      return e;
    }), { only });
    const status = res.statuses.find((s) => s.id === 'data-exfiltration')!;
    expect(status.status).toBe('ran');
    expect(status.notes).toContain('no response sizes (bytesOut) in the input: only request counts were judged');
    expect(res.alerts.map((a) => a.evidence.metrics.trigger)).toEqual(['requests']);
  });
});
