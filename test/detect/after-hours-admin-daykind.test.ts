/**
 * after-hours-admin: the habit that lowers an off-hours session is a habit for that kind of day.
 * Admin work at 14:00 on weekdays is no habit of working Saturdays at 14:00, and weekend nights do not
 * excuse a weekday night; a real weekend on-call rota and a weekday evening habit are still lowered.
 */
import { describe, expect, it } from 'vitest';
import type { FlatRecord } from '../../fixtures/scenarios/generate.js';
import { createBaselineLearner } from '../../src/baseline/learner.js';
import { createEnricher } from '../../src/enrich/index.js';
import { WorkingClock } from '../../src/detect/util/clock.js';
import { rec, runFlat, shippedRules, toEvent } from './helpers.js';

const only = ['after-hours-admin'];
const OFFICE = '81.2.69.160';
const MIN = 60_000;

function admin(user: string, ts: number, extra: Partial<FlatRecord> = {}): FlatRecord {
  return rec(ts, { user_id: user, role: 'admin', ip: OFFICE, endpoint: '/admin/users', ...extra });
}

/** Office-hours admin work, 10:00-16:30 UTC every 30 min, on the weekdays of 3-7 and 10-14 March 2025. */
function officeWeeks(user: string): FlatRecord[] {
  const out: FlatRecord[] = [];
  for (const day of [3, 4, 5, 6, 7, 10, 11, 12, 13, 14]) for (let k = 0; k < 14; k++) out.push(admin(user, Date.UTC(2025, 2, day, 10) + k * 30 * MIN));
  return out;
}

/** Four role grants (POST on an admin route) from 14:02, two minutes apart. */
function grants(user: string, start: number): FlatRecord[] {
  return [0, 1, 2, 3].map((k) => admin(user, start + k * 2 * MIN, { method: 'POST', endpoint: `/admin/users/${8810 + k}/roles`, status: 201 }));
}

/** Four admin page reads, two minutes apart. */
function reads(user: string, start: number): FlatRecord[] {
  return [0, 1, 2, 3].map((k) => admin(user, start + k * 2 * MIN));
}

const byTime = (a: FlatRecord, b: FlatRecord) => a.timestamp.localeCompare(b.timestamp);

describe('after-hours-admin: habits are per kind of day', () => {
  it('a weekend session by admins who only ever worked weekday office hours is not lowered: grants high, reads medium', () => {
    const recs = [
      ...officeWeeks('adm-7'),
      ...officeWeeks('adm-9'),
      ...grants('adm-7', Date.UTC(2025, 2, 15, 14, 2)), // Saturday 14:02, usual IP
      ...reads('adm-9', Date.UTC(2025, 2, 16, 11, 2)), // Sunday 11:02, usual IP
    ].sort(byTime);
    const alerts = runFlat(recs, { only }).alerts;
    expect(alerts.map((a) => [a.subject.user, a.severity, a.evidence.metrics.usualHour, a.evidence.metrics.writes])).toEqual([
      ['adm-7', 'high', false, 4],
      ['adm-9', 'medium', false, 0],
    ]);
    expect(alerts[0]!.severityReason).toBe('4 writes with admin rights after hours');
    expect(alerts[1]!.severityReason).toBe('admin reads after hours');
  });

  it('an admin on the weekend on-call rota (3+ earlier weekend days at that hour) is still lowered', () => {
    const recs = [...officeWeeks('adm-oc')];
    // Saturdays 22 Feb, 1 and 8 March at 14:00, then Saturday 15 March.
    for (const [month, day] of [[1, 22], [2, 1], [2, 8], [2, 15]] as const) recs.push(...grants('adm-oc', Date.UTC(2025, month, day, 14, 2)));
    const alerts = runFlat(recs.sort(byTime), { only }).alerts;
    // The first three Saturdays are reported; on the fourth, Saturday 14:00 is their habit.
    expect(alerts.map((a) => a.severity)).toEqual(['high', 'high', 'high', 'low']);
    expect(alerts[3]!.evidence.metrics).toMatchObject({ usualHour: true, localStart: 'Saturday 2025-03-15 14:02 UTC' });
    expect(alerts[3]!.severityReason).toMatch(/lowered: this actor did admin work at this hour on 3\+ earlier days off \(business hours Mon-Fri 09:00-18:00 UTC\)/);
  });

  it('a weekday evening habit still lowers weekday evenings, but not the same hour on a Saturday', () => {
    const recs = [...officeWeeks('adm-eve')];
    // Monday to Thursday 10-13 March at 21:15, then Friday 14 and Saturday 15 March at 21:15.
    for (const day of [10, 11, 12, 13, 14, 15]) recs.push(...reads('adm-eve', Date.UTC(2025, 2, day, 21, 15)));
    const alerts = runFlat(recs.sort(byTime), { only }).alerts;
    expect(alerts.map((a) => [a.evidence.metrics.localStart, a.severity])).toEqual([
      ['Monday 2025-03-10 21:15 UTC', 'medium'],
      ['Tuesday 2025-03-11 21:15 UTC', 'medium'],
      ['Wednesday 2025-03-12 21:15 UTC', 'medium'],
      ['Thursday 2025-03-13 21:15 UTC', 'low'],
      ['Friday 2025-03-14 21:15 UTC', 'low'],
      ['Saturday 2025-03-15 21:15 UTC', 'medium'],
    ]);
    expect(alerts[3]!.severityReason).toMatch(/on 3\+ earlier working days/);
  });

  it('weekend nights do not excuse a weekday night', () => {
    const recs = [...officeWeeks('adm-wkn')];
    // Saturday and Sunday 8-9 March and Saturday 15 March at 02:00, then Monday 17 March at 02:00.
    for (const day of [8, 9, 15, 17]) recs.push(...reads('adm-wkn', Date.UTC(2025, 2, day, 2)));
    const alerts = runFlat(recs.sort(byTime), { only }).alerts;
    expect(alerts.map((a) => a.severity)).toEqual(['medium', 'medium', 'medium', 'medium']);
    expect(alerts[3]!.evidence.metrics).toMatchObject({ usualHour: false, localStart: 'Monday 2025-03-17 02:00 UTC' });
  });

  it('a baseline file of weekday work at that hour does not lower a Saturday session; of Saturdays it does', () => {
    const learn = (records: FlatRecord[]) => {
      const learner = createBaselineLearner({ origin: 'file' });
      const enrich = createEnricher();
      records.forEach((r, i) => learner.add(enrich(toEvent(r, 'before.ndjson', i + 1))));
      return learner.finish();
    };
    const saturday = grants('adm-b', Date.UTC(2025, 2, 15, 14, 2));
    const weekdays = learn(officeWeeks('adm-b'));
    const weekdayOnly = runFlat(saturday, { only, baseline: weekdays }).alerts;
    expect(weekdayOnly.map((a) => [a.severity, a.evidence.metrics.usualHour, a.evidence.metrics.baseline])).toEqual([['high', false, 'file']]);

    // Saturdays alone at 14:00 in a weekly profile are one day off of two: not yet a habit.
    const saturdays = [15, 22].flatMap((day) => grants('adm-b', Date.UTC(2025, 1, day, 14, 2)));
    const oneDayOff = runFlat(saturday, { only, baseline: learn([...saturdays, ...officeWeeks('adm-b')]) }).alerts;
    expect(oneDayOff.map((a) => [a.severity, a.evidence.metrics.usualHour])).toEqual([['high', false]]);

    // Saturdays and Sundays at 14:00 (weekend on-call): every day off of the week, which lowers it.
    const weekends = [15, 16, 22, 23].flatMap((day) => grants('adm-b', Date.UTC(2025, 1, day, 14, 2)));
    const onCall = runFlat(saturday, { only, baseline: learn([...weekends, ...officeWeeks('adm-b')]) }).alerts;
    expect(onCall.map((a) => [a.severity, a.evidence.metrics.usualHour])).toEqual([['low', true]]);
    expect(onCall[0]!.severityReason).toMatch(/was active at this hour on every one of the 2 days off \(business hours Mon-Fri 09:00-18:00 UTC\) of the week in the baseline file/);
  });

  it('a working window that wraps midnight: the hours after midnight belong to the day it started on', () => {
    const clock = new WorkingClock({ ...shippedRules.businessHours, start: '22:00', end: '06:00', days: [5] });
    expect(clock.workingDay(clock.local(Date.UTC(2025, 2, 15, 3)))).toBe(true); // Saturday 03:00, Friday's night
    expect(clock.workingDay(clock.local(Date.UTC(2025, 2, 15, 12)))).toBe(false); // Saturday noon
    expect(clock.workingDay(clock.local(Date.UTC(2025, 2, 14, 12)))).toBe(true); // Friday noon
  });
});
