import { describe, expect, it } from 'vitest';
import { attackScenario, lookalikeScenario, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import type { RuleSet } from '../../src/rules/types.js';
import { atLeast, rec, routeOnly, runEvents, runFlat, shippedRules, toEvent } from './helpers.js';
import { createBaselineLearner } from '../../src/baseline/learner.js';
import { createEnricher } from '../../src/enrich/index.js';

const DAY = 86_400_000;
const only = ['after-hours-admin'];
const OFFICE = '2.206.1.15';

function admin(ts: number, extra: Partial<FlatRecord> = {}): FlatRecord {
  return rec(ts, { user_id: 'adm', role: 'admin', ip: OFFICE, endpoint: '/admin/users?page=1', ...extra });
}

/** Office-hours history: `days` weekdays from Monday 2025-03-10, 10:00-16:00 UTC. */
function officeDays(days: number, ip = OFFICE): FlatRecord[] {
  const out: FlatRecord[] = [];
  for (let d = 0; d < days; d++) for (let k = 0; k < 12; k++) out.push(admin(Date.UTC(2025, 2, 10 + d, 10) + k * 30 * 60_000, { ip }));
  return out;
}

function rulesWith(hours: Partial<RuleSet['businessHours']>): RuleSet {
  return { ...shippedRules, businessHours: { ...shippedRules.businessHours, ...hours } };
}

describe('after-hours-admin', () => {
  it('finds the 02:30 admin session from Lagos (critical: unknown location)', () => {
    const { records, labels } = attackScenario('after-hours-admin');
    const alerts = runFlat(records, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.subject).toEqual(labels[0]!.subject);
    expect(a.severity).toBe('critical');
    expect(a.evidence.metrics).toMatchObject({ newIp: true, newLocation: true });
    expect(a.severityReason).toMatch(/Lagos, NG/);
  });

  it("a non-admin's refused calls to admin routes at night are no admin work; an admin role's are", () => {
    const night = Date.UTC(2025, 2, 13, 22);
    const widgets = (role: string) =>
      [0, 1, 2].map((k) => rec(night + k * 60_000, { user_id: `u-${role}`, role, ip: OFFICE, endpoint: `/admin/widgets/w${k}`, status: 403 }));
    expect(runFlat(widgets('member'), { only }).alerts).toEqual([]);
    expect(runFlat(widgets('admin'), { only }).alerts.map((a) => a.subject.user)).toEqual(['u-admin']);
    const served = [0, 1, 2].map((k) => rec(night + k * 60_000, { user_id: 'u-member', role: 'member', ip: OFFICE, endpoint: `/admin/widgets/w${k}`, status: 200 }));
    expect(runFlat(served, { only }).alerts.map((a) => a.subject.user)).toEqual(['u-member']);
  });

  it('keeps daytime admins quiet', () => {
    const { records } = lookalikeScenario('daytime-admins');
    expect(runFlat(records, { only }).alerts).toEqual([]);
  });

  it('reads at night from the usual IP are medium, writes high, one alert per session', () => {
    const night1 = Date.UTC(2025, 2, 13, 22);
    const recs = [
      ...officeDays(3),
      admin(night1),
      admin(night1 + 10 * 60_000),
      admin(night1 + 20 * 60_000, { method: 'PATCH', endpoint: '/admin/users/44', status: 200 }),
      admin(night1 + 5 * 3_600_000), // 03:00, a new session after a 4.7 h gap
    ];
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => [x.severity, x.evidence.metrics.actions])).toEqual([['high', 3], ['medium', 1]]);
  });

  it('escalates a new IP in a known country to high', () => {
    const a = runFlat([...officeDays(3), admin(Date.UTC(2025, 2, 13, 23), { ip: '2.205.77.99' })], { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['high']);
    expect(a[0]!.severityReason).toMatch(/IP this actor had not used before \(2\.205\.77\.99\)/);
  });

  it('says when there is no history to tell a new IP from an old one', () => {
    const a = runFlat([admin(Date.UTC(2025, 2, 13, 23))], { only }).alerts;
    expect(a[0]!.severityReason).toMatch(/no earlier activity of this actor in the input \(baseline: none\)/);
    // A few earlier requests are not "no earlier activity": the reason says how few.
    const few = [admin(Date.UTC(2025, 2, 13, 10)), admin(Date.UTC(2025, 2, 13, 11)), admin(Date.UTC(2025, 2, 13, 12)), admin(Date.UTC(2025, 2, 13, 23))];
    const b = runFlat(few, { only }).alerts;
    expect(b[0]!.severityReason).toMatch(/only 3 earlier requests of this actor in the input \(fewer than 20\) \(baseline: none\)/);
    expect(b[0]!.severityReason).not.toMatch(/no earlier activity/);
    // Its figures say "cannot be told" too: null, not false (which would read as a known IP).
    for (const x of [a[0]!, b[0]!]) expect(x.evidence.metrics).toMatchObject({ newIp: null, newLocation: null, baseline: 'none' });
    const told = runFlat([...officeDays(3), admin(Date.UTC(2025, 2, 13, 23), { ip: OFFICE })], { only }).alerts;
    expect(told[0]!.evidence.metrics).toMatchObject({ newIp: false, newLocation: false });
  });

  it('lowers an hour the admin works in regularly (on-call) to low', () => {
    const recs: FlatRecord[] = [];
    for (let d = 0; d < 5; d++) recs.push(admin(Date.UTC(2025, 2, 3 + d, 21, 15)), admin(Date.UTC(2025, 2, 3 + d, 21, 40)));
    recs.push(admin(Date.UTC(2025, 2, 3, 21, 15) + 7 * DAY), ...officeDays(1));
    const per = runFlat(recs, { only }).alerts;
    // The first three evenings are reported; from the fourth the hour is their habit.
    expect(atLeast(per, 'medium')).toHaveLength(3);
    expect(per.filter((a) => a.severity === 'low')).toHaveLength(3);
    expect(per.find((a) => a.severity === 'low')!.severityReason).toMatch(/on-call/);
  });

  it("an admin's early login is no admin write; with a baseline file of that habit the session is low", () => {
    // Business hours 09:00-17:00 UTC. The admin logs in at 08:40 and reads the admin console.
    const morning = (day: number): FlatRecord[] => [
      admin(Date.UTC(2025, 2, day, 8, 40), { method: 'POST', endpoint: '/api/v1/auth/login', status: 200 }),
      admin(Date.UTC(2025, 2, day, 8, 45)),
      admin(Date.UTC(2025, 2, day, 8, 50)),
    ];
    const today = [...officeDays(1), ...morning(17)];
    const alone = runFlat(today, { only }).alerts;
    expect(alone).toHaveLength(1);
    expect(alone[0]!.severity).toBe('medium');
    expect(alone[0]!.evidence.metrics).toMatchObject({ writes: 0 });
    expect(alone[0]!.severityReason).toMatch(/admin reads after hours/);

    // A baseline learned from the week before, when this was the admin's morning every weekday.
    const learner = createBaselineLearner({ origin: 'file' });
    const enrich = createEnricher();
    const week = [10, 11, 12, 13, 14].flatMap((d) => [...morning(d), ...officeDays(1).map((r) => ({ ...r, timestamp: r.timestamp.replace('2025-03-10', `2025-03-${d}`) }))]);
    week.forEach((r, i) => learner.add(enrich(toEvent(r, 'week.ndjson', i + 1))));
    const withBaseline = runFlat(today, { only, baseline: learner.finish() }).alerts;
    expect(withBaseline.map((a) => a.severity)).toEqual(['low']);
    expect(withBaseline[0]!.evidence.metrics).toMatchObject({ usualHour: true, baseline: 'file' });
  });

  it('handles a working window that wraps midnight', () => {
    const rules = rulesWith({ start: '22:00', end: '06:00', days: [1, 2, 3, 4, 5, 6, 7] });
    expect(runFlat([admin(Date.UTC(2025, 2, 12, 23)), admin(Date.UTC(2025, 2, 13, 5, 30))], { only, rules }).alerts).toEqual([]);
    expect(runFlat([admin(Date.UTC(2025, 2, 13, 12))], { only, rules }).alerts).toHaveLength(1);
  });

  it('a night window ending on Saturday morning belongs to Friday', () => {
    const rules = rulesWith({ start: '22:00', end: '06:00', days: [5] });
    expect(runFlat([admin(Date.UTC(2025, 2, 15, 2))], { only, rules }).alerts).toEqual([]); // Saturday 02:00
    expect(runFlat([admin(Date.UTC(2025, 2, 16, 2))], { only, rules }).alerts).toHaveLength(1); // Sunday 02:00
  });

  it('judges business hours in the configured zone, DST included (Europe/Berlin)', () => {
    const rules = rulesWith({ timezone: 'Europe/Berlin' });
    // 07:30 UTC is 08:30 in Berlin on Fri 28 March (UTC+1: off-hours) and 09:30 on Mon 31 March (UTC+2: working).
    expect(runFlat([admin(Date.UTC(2025, 2, 28, 7, 30))], { only, rules }).alerts).toHaveLength(1);
    expect(runFlat([admin(Date.UTC(2025, 2, 31, 7, 30))], { only, rules }).alerts).toEqual([]);
    const a = runFlat([admin(Date.UTC(2025, 2, 28, 7, 30))], { only, rules }).alerts[0]!;
    expect(a.evidence.metrics.localStart).toBe('Friday 2025-03-28 08:30 Europe/Berlin');
    // The summary names the zone of its local time (the report's other times may be in --tz), and
    // a single request is "at", not "for 0 ms".
    expect(a.summary).toMatch(/ at Friday 2025-03-28 08:30 Europe\/Berlin, outside business hours/);
  });

  it('recognises writes on privileged routes by non-admin roles, and ignores ordinary customers', () => {
    const night = Date.UTC(2025, 2, 13, 23);
    const grant = rec(night, { user_id: 'mgr', role: 'manager', endpoint: '/api/v1/organizations/5/members/9', method: 'PUT' });
    const shopper = rec(night, { user_id: 'c1', role: 'customer', endpoint: '/api/v1/orders', method: 'POST', status: 201 });
    const a = runFlat([grant, shopper], { only }).alerts;
    expect(a.map((x) => x.subject)).toEqual([{ user: 'mgr' }]);
  });

  it('recognises admin routes and privileged writes on logs with only route templates (API Gateway resourcePath)', () => {
    const night = Date.UTC(2025, 2, 13, 23);
    // No roles, no concrete path: only the route template tells an admin action.
    const events = [
      routeOnly(toEvent(rec(night, { user_id: 'ops1', endpoint: '/admin/users/44', method: 'PATCH' }), 'apigw.ndjson', 1), '/admin/users/{id}'),
      routeOnly(toEvent(rec(night + 60_000, { user_id: 'mgr', endpoint: '/api/v1/organizations/5/members/9', method: 'PUT' }), 'apigw.ndjson', 2), '/api/v1/organizations/{id}/members/{id}'),
      routeOnly(toEvent(rec(night + 120_000, { user_id: 'c1', endpoint: '/api/v1/orders', method: 'POST', status: 201 }), 'apigw.ndjson', 3), '/api/v1/orders'),
    ];
    const res = runEvents(events, { only });
    expect(res.statuses.find((s) => s.id === 'after-hours-admin')).toMatchObject({ status: 'ran', alerts: 2 });
    expect(res.alerts.map((a) => [a.subject, a.severity, a.evidence.why])).toEqual([
      [{ user: 'ops1' }, 'high', ['admin route']],
      [{ user: 'mgr' }, 'high', ['write on a privileged route']],
    ]);
    expect(res.alerts[0]!.summary).toContain('PATCH /admin/users/{id}');
  });
});
