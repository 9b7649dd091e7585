import { describe, expect, it } from 'vitest';
import { createBaselineLearner } from '../../src/baseline/index.js';
import { createChecklist, explainEntry } from '../../src/checklist/index.js';
import type { EnrichedEvent } from '../../src/enrich/types.js';
import type { EntryRecord } from '../../src/report/records.js';
import { HABITS, WEEK_GEO, generateWeek, requestOf, rng, type WeekRecord } from '../../fixtures/baseline/week.js';
import { fromFlat, stubGeo, testRules } from '../checklist/helpers.js';

const HOUR = 3_600_000;
const rules = testRules({ businessHours: { timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' } });
const geo = stubGeo(WEEK_GEO);
const habit = (user: string) => HABITS.find((h) => h.user === user)!;
const toEvents = (records: WeekRecord[], file: string): EnrichedEvent[] => records.map((r, i) => fromFlat(r, file, i + 1));

// Clean week: Monday 2024-05-06. Incident week: Monday 2024-05-13.
const clean = toEvents(generateWeek('2024-05-06', 42), 'clean.ndjson');

function learn(events: EnrichedEvent[]) {
  const learner = createBaselineLearner({ geo, now: () => new Date('2024-05-13T00:00:00Z') });
  for (const e of events) learner.add(e);
  return learner.finish();
}

/** The incident week: normal traffic plus four planted deviations, one flagged entry each. */
function incidentWeek(): { records: WeekRecord[]; planted: { night: string; country: string; route: string } } {
  const rand = rng(7);
  const records = generateWeek('2024-05-13', 4242, HABITS, 'n');
  const at = (iso: string) => Date.parse(iso);
  const extra: WeekRecord[] = [];
  // 1. User 1001 at 03:10 on a Wednesday (they work 09-17).
  extra.push(requestOf(habit('1001'), at('2024-05-15T03:10:00Z'), rand, 'dev-night', { ip: '81.2.69.10' }));
  // 2. User 1002 from a new country (Brazil): three requests, the first is the new location.
  for (let i = 0; i < 3; i++) {
    extra.push(requestOf(habit('1002'), at('2024-05-16T11:20:00Z') + i * 60_000, rand, i === 0 ? 'dev-country' : `dev-country-${i}`, { ip: '45.160.8.9' }));
  }
  // 3. User 1003 calls a route they never used (allowed by their role): flagged once.
  for (let i = 0; i < 2; i++) {
    extra.push(requestOf(habit('1003'), at('2024-05-14T10:30:00Z') + i * 120_000, rand, i === 0 ? 'dev-route' : 'dev-route-2', { method: 'GET', endpoint: '/api/v1/products', status: 200 }));
  }
  // 4. User 1004 makes ten times their usual volume in one hour (90 extra, evenly spread).
  for (let i = 0; i < 90; i++) {
    extra.push(requestOf(habit('1004'), at('2024-05-17T14:00:00Z') + i * 40_000, rand, `dev-volume-${i}`));
  }
  const all = [...records, ...extra].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  return { records: all, planted: { night: 'dev-night', country: 'dev-country', route: 'dev-route' } };
}

describe('baseline learned from a clean week', () => {
  const baseline = learn(clean);

  it('captures each actor\'s habits', () => {
    expect(Object.keys(baseline.actors).sort()).toEqual(['user:1001', 'user:1002', 'user:1003', 'user:1004', 'user:svc-billing']);
    const a = baseline.actors['user:1001']!;
    expect(a.hoursOfWeek).toHaveLength(168);
    // Active Monday 09:00-17:00 UTC only on weekdays.
    expect(a.hoursOfWeek[9]).toBeGreaterThan(0);
    expect(a.hoursOfWeek[8]).toBe(0);
    expect(a.hoursOfWeek[5 * 24 + 10]).toBe(0); // Saturday
    expect(Object.keys(a.countries)).toEqual(['GB']);
    expect(Object.keys(a.ips).sort()).toEqual(['81.2.69.10', '81.2.69.11']);
    expect(Object.keys(a.routes).sort()).toEqual(['GET /api/v1/orders', 'GET /api/v1/orders/{id}', 'GET /api/v1/products', 'GET /api/v1/reports/{id}']);
    expect(a.activeDays).toBe(5);
    expect(a.activeHours).toBe(40);
    expect(a.requestsPerHour.median).toBeGreaterThanOrEqual(6);
    expect(a.requestsPerHour.p99).toBeLessThanOrEqual(14);
    expect(a.bytesPerHour.median).toBeGreaterThan(0);
    expect(a.bytesPerHour.mad).toBeGreaterThan(0);
    expect(a.ownIds!['/api/v1/orders/{id}']!.sort()).toEqual(['501', '502', '503', '504']);
    expect(a.distinctIdsPer10m!['/api/v1/orders/{id}']).toBeLessThanOrEqual(4);
    const svc = baseline.actors['user:svc-billing']!;
    expect(svc.hoursOfWeek.every((n) => n > 0)).toBe(true);
    expect(svc.activeDays).toBe(7);
    expect(baseline.routes['GET /api/v1/orders/{id}']!.callers).toHaveProperty('user:1001');
    expect(baseline.events).toBe(clean.length);
    expect(baseline.period).toEqual({ start: clean[0]!.ts, end: clean.at(-1)!.ts });
  });

  it('flags exactly the planted deviations of the incident week, and no normal entry', () => {
    const { records, planted } = incidentWeek();
    const checklist = createChecklist({ rules, geo, baseline, tz: 'UTC' });
    for (const e of toEvents(records, 'incident.ndjson')) checklist.add(e);
    const entries = [...checklist.finish([]).records()];
    const byId = new Map<string, EntryRecord>(entries.map((r) => [r.request.requestId!, r]));

    // Volume: the entry that took user 1004 past their usual hourly volume, whichever request it was.
    const volume = entries.filter((r) => r.flags.includes('volume-above-baseline'));
    expect(volume).toHaveLength(1);
    expect(volume[0]!.subject.user).toBe('1004');
    expect(volume[0]!.time.startsWith('2024-05-17T14:')).toBe(true);

    expect(checklist.flaggedCount()).toBe(4);
    expect(entries).toHaveLength(4);
    expect(new Set(entries.map((r) => r.request.requestId))).toEqual(new Set([planted.night, planted.country, planted.route, volume[0]!.request.requestId]));

    expect(byId.get(planted.night)!.flags).toEqual(expect.arrayContaining(['off-hours', 'unusual-hour']));
    expect(byId.get(planted.night)!.answers.when!.answer).toMatch(/Unusual for this actor: no activity at Wed 03:00–04:00 UTC/);
    expect(byId.get(planted.country)!.flags).toEqual(expect.arrayContaining(['new-location', 'new-ip']));
    expect(byId.get(planted.country)!.answers.where!.answer).toMatch(/Brazil \(BR\) is not among the countries of their baseline \(DE\)/);
    expect(byId.get(planted.route)!.flags).toContain('new-route');
    expect(byId.get(planted.route)!.flags).not.toContain('permission-denied-by-policy');
    expect(volume[0]!.answers.howOften!.answer).toMatch(/Above their usual volume/);

    for (const r of entries) {
      expect(r.answers.fit!.answer).toMatch(/^Against the baseline file \(2024-05-06 to 2024-05-12\)\. Deviates on/);
      expect(r.answers.who!.answer).toMatch(/Known actor/);
    }
  });

  it('explain gives the same record as the stream for every kept entry', () => {
    const events = toEvents(incidentWeek().records, 'incident.ndjson');
    const checklist = createChecklist({ rules, geo, baseline, tz: 'Europe/Berlin' });
    for (const e of events) checklist.add(e);
    const entries = [...checklist.finish([]).records()];
    expect(entries.length).toBe(4);
    for (const r of entries) {
      const e = events.find((x) => x.requestId === r.request.requestId)!;
      const { record } = explainEntry(e, { rules, geo, baseline, tz: 'Europe/Berlin', neighbours: events, alerts: [] });
      expect(record).toEqual(r);
    }
  });

  it('entries kept packed outside the heap read back as they were, baseline entry included', () => {
    // keepAll with a cap below the week's entries: many are packed, and lower ones are dropped again
    // from packed chunks to make room (PackedStack.pop unpacking a chunk).
    const events = toEvents(incidentWeek().records, 'incident.ndjson');
    const entries = (packChunk: number) => {
      const checklist = createChecklist({ rules, geo, baseline, tz: 'UTC', keepAll: true, options: { maxEntries: 300 }, packChunk });
      for (const e of events) checklist.add(e);
      return { entries: [...checklist.finish([]).records()], dropped: checklist.droppedCount() };
    };
    const asObjects = entries(1_000_000);
    expect(asObjects.entries).toHaveLength(300);
    expect(asObjects.dropped).toBeGreaterThan(1000);
    // The answers that read the actor's baseline entry (restored on unpacking) are among them.
    expect(asObjects.entries.filter((r) => /they are usually active/.test(r.answers.when!.answer)).length).toBeGreaterThan(100);
    for (const chunk of [1, 7, 256]) expect(entries(chunk)).toEqual(asObjects);
  });

  it('leaves the service account\'s night work quiet (off-hours, but usual for it)', () => {
    const checklist = createChecklist({ rules, geo, baseline, tz: 'UTC' });
    const night = toEvents(generateWeek('2024-05-13', 99, [habit('svc-billing')], 's'), 'svc.ndjson');
    for (const e of night) checklist.add(e);
    expect(checklist.flaggedCount()).toBe(0);
  });

  it('flags an actor that is not in the baseline once', () => {
    const checklist = createChecklist({ rules, geo, baseline, tz: 'UTC' });
    const stranger = { ...habit('1001'), user: '666', ips: ['81.2.69.10'] };
    for (const e of toEvents(generateWeek('2024-05-13', 5, [stranger], 'x'), 'x.ndjson')) checklist.add(e);
    const entries = [...checklist.finish([]).records()];
    expect(entries).toHaveLength(1);
    expect(entries[0]!.flags).toEqual(['unknown-actor']);
    expect(entries[0]!.severity).toBe('medium');
    expect(entries[0]!.answers.who!.answer).toMatch(/Unknown actor: not in the baseline \(5 actors, 2024-05-06 to 2024-05-12\)/);
  });
});

describe('the incident week without a baseline', () => {
  it('judges on the file alone and says so', () => {
    const { records, planted } = incidentWeek();
    const checklist = createChecklist({ rules, geo, tz: 'UTC' });
    const events = toEvents(records, 'incident.ndjson');
    for (const e of events) checklist.add(e);
    const entries = [...checklist.finish([]).records()];
    const ids = new Set(entries.map((r) => r.request.requestId));
    // Still visible without history: the night request (org off-hours) and the country switch mid-file.
    expect(ids.has(planted.night)).toBe(true);
    expect(ids.has(planted.country)).toBe(true);
    // Not visible without history: a new route, a volume ten times the norm.
    expect(ids.has(planted.route)).toBe(false);
    expect(entries.some((r) => r.flags.includes('volume-above-baseline'))).toBe(false);
    // The service account works at night: outside the organisation's hours, but business hours are
    // people's hours, so its night work is no finding by itself.
    const svcNight = events.filter((e) => e.user === 'svc-billing' && (new Date(e.ts).getUTCHours() < 8 || new Date(e.ts).getUTCHours() >= 18 || [0, 6].includes(new Date(e.ts).getUTCDay())));
    expect(svcNight.length).toBeGreaterThan(0);
    expect(entries.filter((r) => r.subject.user === 'svc-billing')).toHaveLength(0);
    for (const r of entries) expect(r.answers.fit!.answer).toMatch(/^No baseline: judged on this input alone\./);
    expect(entries.find((r) => r.request.requestId === planted.country)!.answers.fit!.answer).toMatch(/a country \(BR\) not seen earlier in the input \(DE\)/);
  });

  it('answers question 10 against a baseline learned from the input when finish is given one', () => {
    const { records, planted } = incidentWeek();
    const events = toEvents(records, 'incident.ndjson');
    const checklist = createChecklist({ rules, geo, tz: 'UTC' });
    const learner = createBaselineLearner({ geo }); // origin 'file' by default: finish treats it as input-learned
    for (const e of events) {
      checklist.add(e);
      learner.add(e);
    }
    const entries = [...checklist.finish([], learner.finish()).records()];
    const night = entries.find((r) => r.request.requestId === planted.night)!;
    expect(night.answers.fit!.answer).toMatch(/^Against a baseline learned from this input itself/);
    expect(night.answers.fit!.answer).toMatch(/<1% of their requests fall in Wed 03:00–04:00 UTC/);
    expect(night.answers.fit!.notable).toBe(true);
  });
});

describe('volume threshold', () => {
  it('is one flag per actor-hour, not one per request', () => {
    const baseline = learn(clean);
    const checklist = createChecklist({ rules, geo, baseline, tz: 'UTC' });
    const rand = rng(1);
    const start = Date.parse('2024-05-17T10:00:00Z');
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < 200; i++) checklist.add(fromFlat(requestOf(habit('1004'), start + h * HOUR + i * 15_000, rand, `v${h}-${i}`), 'v', h * 200 + i + 1));
    }
    const entries = [...checklist.finish([]).records()];
    expect(entries.map((r) => r.flags)).toEqual([['volume-above-baseline'], ['volume-above-baseline']]);
  });
});

describe('a baseline of one day', () => {
  // Only Tuesday 2024-05-07 of the clean week.
  const tuesday = clean.filter((e) => new Date(e.ts).getUTCDay() === 2);
  const oneDay = learn(tuesday);
  const unusual = (entries: EntryRecord[]): EntryRecord[] => entries.filter((r) => r.flags.includes('unusual-hour'));

  it('judges the weekdays it did not see by the hour of day, not every request as unusual', () => {
    const thursday = clean.filter((e) => new Date(e.ts).getUTCDay() === 4).map((e) => ({ ...e, ts: e.ts + 7 * 24 * HOUR }));
    expect(thursday.length).toBeGreaterThan(100);
    const checklist = createChecklist({ rules, geo, baseline: oneDay, tz: 'UTC' });
    for (const e of thursday) checklist.add(e);
    expect(unusual([...checklist.finish([]).records()])).toEqual([]);
  });

  it('still flags an hour the actor never works, on any weekday', () => {
    const night = { ...clean.find((e) => e.user === '1001')!, ts: Date.parse('2024-05-16T03:10:00Z'), requestId: 'night-thu' };
    const checklist = createChecklist({ rules, geo, baseline: oneDay, tz: 'UTC' });
    checklist.add(night);
    expect(unusual([...checklist.finish([]).records()]).map((r) => r.request.requestId)).toEqual(['night-thu']);
  });
});

describe('a week in which the actor took a day off', () => {
  // The clean week without user 1001's Tuesday: a baseline of a full week, one business day empty.
  const dayOff = learn(clean.filter((e) => !(e.user === '1001' && new Date(e.ts).getUTCDay() === 2)));
  const unusual = (entries: EntryRecord[]): EntryRecord[] => entries.filter((r) => r.flags.includes('unusual-hour'));
  const base1001 = clean.find((e) => e.user === '1001')!;

  it('a Tuesday at their usual hour is usual, and the answer says why', () => {
    const checklist = createChecklist({ rules, geo, baseline: dayOff, tz: 'UTC', keepAll: true });
    checklist.add({ ...base1001, ts: Date.parse('2024-05-14T11:05:00Z'), requestId: 'tue-11' });
    const [entry] = [...checklist.finish([]).records()];
    expect(entry!.flags).not.toContain('unusual-hour');
    expect(entry!.answers.when!.answer).toMatch(/the baseline has no activity of theirs on Tue \(a day off, or a day it did not cover\), and they were active at this hour/);
    expect(entry!.answers.fit!.answer).not.toMatch(/no activity at Tue 11:00/);
  });

  it('a night hour on that Tuesday, and the weekend, stay unusual', () => {
    const checklist = createChecklist({ rules, geo, baseline: dayOff, tz: 'UTC' });
    checklist.add({ ...base1001, ts: Date.parse('2024-05-14T03:10:00Z'), requestId: 'tue-night' });
    checklist.add({ ...base1001, ts: Date.parse('2024-05-18T11:05:00Z'), requestId: 'sat-11' });
    expect(unusual([...checklist.finish([]).records()]).map((r) => r.request.requestId)).toEqual(['tue-night', 'sat-11']);
  });
});
