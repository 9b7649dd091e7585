import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChecklist, joinAlerts } from '../../src/checklist/index.js';
import type { AlertRecord } from '../../src/report/records.js';
import { fromFlat, stubGeo, testRules, type FlatRecord } from './helpers.js';

const rules = testRules({ businessHours: { timezone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' } });
const T0 = Date.parse('2024-05-14T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const ev = (over: Partial<FlatRecord> & { at: number }, line = 1) =>
  fromFlat({ timestamp: iso(over.at), user_id: '42', role: 'analyst', ip: '81.2.69.10', method: 'GET', endpoint: '/api/v1/orders/1', status: 200, ...over }, 'c.ndjson', line);

function run(events: ReturnType<typeof ev>[], opts: Parameters<typeof createChecklist>[0]['options'] = {}, alerts: AlertRecord[] = []) {
  const c = createChecklist({ rules, geo: stubGeo({ '81.2.69.': { country: 'GB' }, '45.160.8.': { country: 'BR' } }), tz: 'UTC', options: opts });
  for (const e of events) c.add(e);
  return { c, entries: [...c.finish(alerts).records()] };
}

function alert(over: Partial<AlertRecord>): AlertRecord {
  return {
    type: 'alert', id: 'A1', rule: 'r', severity: 'high', title: 't', subject: {}, start: iso(T0), end: iso(T0 + 60_000),
    summary: 's.', severityReason: 'x', evidence: { metrics: {}, thresholds: {}, samples: [] }, references: [], ...over,
  };
}

describe('checklist: what makes an entry notable', () => {
  it('keeps nothing for ordinary traffic', () => {
    const { c, entries } = run(Array.from({ length: 50 }, (_, i) => ev({ at: T0 + i * 30_000, endpoint: i % 5 === 0 ? '/api/v1/products' : `/api/v1/orders/${i}` }, i + 1)));
    expect(entries).toEqual([]);
    expect(c.flaggedCount()).toBe(0);
  });

  it('flags the entry that starts a burst, once per burst', () => {
    const first = Array.from({ length: 25 }, (_, i) => ev({ at: T0 + i * 200 }, i + 1));
    const second = Array.from({ length: 25 }, (_, i) => ev({ at: T0 + 600_000 + i * 200 }, 100 + i));
    const { entries } = run([...first, ...second]);
    expect(entries.map((r) => r.source.line)).toEqual([20, 119]);
    expect(entries[0]!.flags).toEqual(['burst']);
    expect(entries[0]!.severity).toBe('medium');
    expect(entries[0]!.answers.howOften!.answer).toMatch(/^At least 20 requests in 4 s/);
  });

  it('an allow-listed actor (a known batch job) raises no entry for its bursts or night hours; its admin work still does', () => {
    const nightRules = testRules({ businessHours: { timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' } });
    const night = Date.parse('2024-05-14T02:00:00Z');
    const job = (over: Partial<FlatRecord> & { at: number }, line: number) => ev({ user_id: 'svc-sync', role: 'service-admin', ...over }, line);
    const events = [
      ...Array.from({ length: 25 }, (_, i) => job({ at: night + i * 200, method: 'POST', endpoint: '/api/v1/sync/inventory' }, i + 1)),
      job({ at: night + 60_000, method: 'DELETE', endpoint: '/api/v1/admin/users/9' }, 30),
    ];
    const entries = (allow: string[]) => {
      const c = createChecklist({ rules: { ...nightRules, allow: { ...nightRules.allow, users: allow } }, geo: stubGeo({ '81.2.69.': { country: 'GB' } }), tz: 'UTC' });
      for (const e of events) c.add(e);
      return [...c.finish([]).records()].map((r) => [r.source.line, r.severity, r.flags.includes('burst')]);
    };
    const before = entries([]);
    expect(before.some(([, sev, burst]) => sev === 'medium' && burst)).toBe(true);
    const after = entries(['svc-sync']);
    expect(after.filter(([, , burst]) => burst)).toEqual([]);
    expect(after.map(([line]) => line)).toContain(30);
  });

  it('flags each authentication failure and the fifth in a row as a streak', () => {
    const events = Array.from({ length: 7 }, (_, i) => ev({ at: T0 + i * 5_000, status: 401, endpoint: '/api/v1/login' }, i + 1));
    events.push(ev({ at: T0 + 60_000, status: 200 }, 8));
    events.push(ev({ at: T0 + 61_000, status: 401 }, 9));
    const { entries } = run(events);
    expect(entries.map((r) => r.flags)).toEqual([
      ['auth-failure'], ['auth-failure'], ['auth-failure'], ['auth-failure'], ['failure-streak', 'auth-failure'], ['auth-failure'], ['auth-failure'], ['auth-failure'],
    ]);
    expect(entries[4]!.answers.status!.answer).toContain('The 5th failure in a row from this actor (a failure streak)');
    expect(entries[7]!.answers.status!.answer).toContain('The first failure in a row from this actor');
  });

  it('names an admin route used by a non-admin role, and a permission the role lacks', () => {
    const { entries } = run([
      ev({ at: T0, method: 'DELETE', endpoint: '/api/v1/admin/users/9', role: 'analyst' }, 1),
      ev({ at: T0 + 1000, method: 'DELETE', endpoint: '/api/v1/admin/users/9', role: 'admin' }, 2),
      ev({ at: T0 + 2000, method: 'GET', endpoint: '/api/v1/users/9', role: 'analyst', status: 403 }, 3),
    ]);
    expect(entries).toHaveLength(2);
    expect(entries[0]!.flags).toEqual(['admin-route-by-non-admin', 'permission-denied-by-policy', 'admin-route', 'delete']);
    expect(entries[0]!.severity).toBe('high');
    expect(entries[0]!.answers.permissions!.answer).toMatch(/needs manage_users .*Role analyst holds none of them: the policy would deny it, yet the request succeeded/);
    expect(entries[0]!.answers.modifications!.answer).toMatch(/^Yes: a deletion \(DELETE\)/);
    expect(entries[1]!.flags).toEqual(['permission-denied-by-policy', 'sensitive-data', 'auth-failure']);
    expect(entries[1]!.severity).toBe('medium');
  });

  it('signing in is no modification: a POST to a login route is not a write, a data change or a creation', () => {
    const c = createChecklist({ rules, geo: stubGeo({ '81.2.69.': { country: 'GB' } }), tz: 'UTC', keepAll: true });
    c.add(ev({ at: T0, method: 'POST', endpoint: '/api/v1/login', status: 200 }, 1));
    c.add(ev({ at: T0 + 1000, method: 'POST', endpoint: '/api/v1/orders', status: 201 }, 2));
    const [login, order] = [...c.finish([]).records()];
    expect(login!.request.path).toBe('/api/v1/login');
    expect(login!.flags).not.toContain('write');
    expect(login!.answers.modifications!.answer).toBe('No modification: a POST to a login route signs in, it changes no data.');
    expect(login!.answers.what!.answer).not.toMatch(/creation/);
    expect(order!.flags).toContain('write');
    expect(order!.answers.modifications!.answer).toMatch(/^Yes: a creation \(POST\)/);
  });

  it('flags bulk reads of sensitive data; bulk alone is context, not a finding', () => {
    const { entries } = run([
      ev({ at: T0, endpoint: '/api/v1/users/9', bytes: 5_000_000, role: 'support' }, 1),
      ev({ at: T0 + 1000, endpoint: '/api/v1/products', bytes: 5_000_000 }, 2),
      ev({ at: T0 + 2000, endpoint: '/api/v1/exports/orders', bytes: 900 }, 3),
    ]);
    // Volume anomalies are the data-exfiltration detector's to judge, against the actor's history.
    expect(entries.map((r) => [r.flags, r.severity])).toEqual([[['sensitive-data', 'bulk'], 'low']]);
    expect(entries[0]!.answers.what!.answer).toMatch(/Data kind: personal .*Bulk: a 4\.8 MiB response/);
  });

  it('flags a country change within the file once, without a baseline', () => {
    const { entries } = run([
      ev({ at: T0 }, 1),
      ev({ at: T0 + 600_000, ip: '45.160.8.9' }, 2),
      ev({ at: T0 + 660_000, ip: '45.160.8.9' }, 3),
    ]);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.flags).toEqual(['new-location', 'new-ip']);
    expect(entries[0]!.answers.where!.answer).toMatch(/earlier in this input they came from GB only/);
  });

  it('the entries in the day after a new country say since when, and from where before; a day later they do not', () => {
    const { entries } = run([
      ev({ at: T0 }, 1),
      ev({ at: T0 + 600_000, ip: '45.160.8.9' }, 2),
      ev({ at: T0 + 660_000, ip: '45.160.8.9', status: 403, endpoint: '/api/v1/admin/users' }, 3),
      ev({ at: T0 + 26 * 3_600_000, ip: '45.160.8.9', status: 403, endpoint: '/api/v1/admin/users' }, 4),
    ]);
    expect(entries.map((r) => r.source.line)).toEqual([2, 3, 4]);
    const [, soon, later] = entries;
    expect(soon!.flags).not.toContain('new-location');
    expect(soon!.answers.where!.answer).toContain('A location new for this actor since 2024-05-14 10:10:00 UTC (60 s earlier): before that they came from GB only.');
    expect(soon!.answers.where!.notable).toBe(true);
    expect(soon!.answers.where!.facts).toMatchObject({ newLocation: false, newLocationSince: '2024-05-14T10:10:00.000Z' });
    expect(soon!.answers.fit!.answer).toContain('a country (BR) first seen for them 60 s earlier (before: GB)');
    expect(later!.answers.where!.answer).not.toContain('A location new');
    expect(later!.answers.where!.facts).not.toHaveProperty('newLocationSince');
  });

  it('masks API keys, session ids and secret query values everywhere in the record', () => {
    const e = ev({ at: T0, status: 401, api_key: 'ak_live_0123456789abcdef', session_id: 'sess-abcdef0123456789', endpoint: '/api/v1/orders/1?access_token=eyJhbGciOiJIUzI1NiJ9.x.y&page=2' }, 1);
    const { entries } = run([e]);
    const text = JSON.stringify(entries);
    expect(text).not.toContain('0123456789abcdef');
    expect(text).not.toContain('abcdef0123456789');
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9.x.y');
    // The output masker's form, as alert subjects and the actors table name the key.
    expect(entries[0]!.subject.apiKey).toMatch(/^ak_live_…\[REDACTED api-key len=24 sha256:[0-9a-f]{8}\]$/);
    expect(entries[0]!.request.query).toBe('access_token=[REDACTED token len=24 sha256:ec6d511c]&page=2');
  });

  it('calls a crawler a crawler and a svc- account a service', () => {
    const { entries } = run([
      ev({ at: T0, status: 401, user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }, 1),
      ev({ at: T0, status: 401, user_id: 'svc-reports', role: 'reporting' }, 2),
    ]);
    expect(entries[0]!.flags).toContain('crawler');
    expect(entries[0]!.answers.who!.facts).toMatchObject({ kind: 'crawler' });
    expect(entries[1]!.answers.who!.answer).toMatch(/^Service account svc-reports/);
  });
});

describe('checklist: who', () => {
  it("says when a user's API key is new for them, naming (masked) the keys they used before; nothing for the first or a known key", () => {
    const c = createChecklist({ rules, geo: stubGeo({ '81.2.69.': { country: 'GB' } }), tz: 'UTC', keepAll: true });
    const key = (k: string) => ({ api_key: k });
    const events = [
      ev({ at: T0, ...key('acme-web-0001') }, 1),
      ev({ at: T0 + 60_000, ...key('acme-web-0001') }, 2),
      ev({ at: T0 + 120_000, ...key('6c664d6d-1b2c-4d5e-8f90-a1b2c3d4e5f6') }, 3),
      ev({ at: T0 + 180_000, ...key('6c664d6d-1b2c-4d5e-8f90-a1b2c3d4e5f6') }, 4),
    ];
    for (const e of events) c.add(e);
    const who = [...c.finish([]).records()].map((r) => r.answers.who!);
    expect(who.map((w) => /A new API key for this actor/.test(w.answer))).toEqual([false, false, true, false]);
    expect(who[2]!.answer).toMatch(/ A new API key for this actor: their earlier requests in this input used acme…\[REDACTED api-key len=13 sha256:[0-9a-f]{8}\]\. Kind: /);
    expect(who[2]!.answer).not.toContain('acme-web-0001');
    expect(who[2]!.facts).toMatchObject({ newApiKey: true });
    expect(who[3]!.facts).not.toHaveProperty('newApiKey');
  });
});

describe('checklist: bounded', () => {
  it('keeps at most maxEntries, preferring higher severity, and counts the rest', () => {
    const events = Array.from({ length: 30 }, (_, i) => ev({ at: T0 + i * 10_000, status: 401 }, i + 1)); // low
    events.push(ev({ at: T0 + 400_000, method: 'DELETE', endpoint: '/api/v1/admin/users/1' }, 99)); // high
    const { c, entries } = run(events, { maxEntries: 10, failureStreak: 1000 });
    expect(entries).toHaveLength(10);
    expect(entries.at(-1)!.severity).toBe('high');
    expect(c.flaggedCount()).toBe(31);
    expect(c.droppedCount()).toBe(21);
  });

  it('drops the state of idle actors beyond maxActors and keeps working', () => {
    const events = Array.from({ length: 500 }, (_, i) => ev({ at: T0 + i, user_id: `u${i}` }, i + 1));
    const { c } = run(events, { maxActors: 100 });
    expect(c.evictedActors()).toBeGreaterThan(0);
  });

  it('keepAll keeps quiet entries too', () => {
    const c = createChecklist({ rules, geo: stubGeo(), tz: 'UTC', keepAll: true });
    for (let i = 0; i < 5; i++) c.add(ev({ at: T0 + i * 60_000 }, i + 1));
    const entries = [...c.finish([]).records()];
    expect(entries).toHaveLength(5);
    expect(entries.every((r) => r.severity === 'info' && r.flags.length === 0)).toBe(true);
  });

  it('never keeps more than maxEntries nor reports fewer flagged than kept (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 20_000 }), status: fc.constantFrom(200, 201, 401, 403, 404, 500), user: fc.constantFrom('1', '2', '3'), admin: fc.boolean() }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        (rows, cap) => {
          let t = T0;
          const events = rows.map((r, i) => {
            t += r.dt;
            return ev({ at: t, status: r.status, user_id: r.user, endpoint: r.admin ? '/api/v1/admin/x' : '/api/v1/orders/1' }, i + 1);
          });
          const { c, entries } = run(events, { maxEntries: cap });
          expect(entries.length).toBeLessThanOrEqual(cap);
          expect(c.flaggedCount()).toBe(entries.length + c.droppedCount());
          for (let i = 1; i < entries.length; i++) expect(Date.parse(entries[i]!.time)).toBeGreaterThanOrEqual(Date.parse(entries[i - 1]!.time));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('alerts joined onto entries', () => {
  const e1 = ev({ at: T0 + 10_000, status: 401, api_key: 'ak_live_0123456789abcdef' }, 1);
  const e2 = ev({ at: T0 + 20_000, status: 401, user_id: '43', ip: '45.160.8.9' }, 2);

  it('matches on every key the subject names, within [start, end]', () => {
    const { entries } = run([e1, e2], {}, [
      alert({ id: 'A1', subject: { user: '42' } }),
      alert({ id: 'A2', subject: { ip: '45.160.8.9', user: '43' }, severity: 'critical' }),
      alert({ id: 'A3', subject: { ip: '81.2.69.10', user: '43' } }),
      alert({ id: 'A4', subject: { user: '42' }, start: iso(T0 + 11_000) }),
      alert({ id: 'A5', subject: { apiKey: 'ak_live_…' } }),
      alert({ id: 'A6', subject: { route: '/api/v1/orders/{id}' } }),
    ]);
    expect(entries.map((r) => r.alerts)).toEqual([['A1', 'A5'], ['A2']]);
    expect(entries[1]!.severity).toBe('critical');
    expect(entries[1]!.flags[0]).toBe('in-alert');
    expect(entries[1]!.answers.pattern!.facts).toEqual({ alerts: [{ id: 'A2', rule: 'r', severity: 'critical' }] });
  });

  it("an alert naming no one (a distributed credential attack) takes in the requests of an account it says it took over: from the takeover's address, from then on, within its window", () => {
    const wave = alert({ id: 'A7', rule: 'credential-stuffing', severity: 'critical', subject: { route: '/api/v1/auth/login' }, evidence: { metrics: {}, thresholds: {}, samples: [], takeover: { basis: 'login', accounts: [{ account: '43', at: T0 + 15_000, ip: '45.160.8.9' }] } } });
    const before = ev({ at: T0 + 5_000, status: 401, user_id: '43', ip: '45.160.8.9' }, 3);
    const elsewhere = ev({ at: T0 + 30_000, status: 401, user_id: '43', ip: '81.2.69.10' }, 4);
    const { entries } = run([before, e2, elsewhere], {}, [wave]);
    expect(entries.map((r) => [r.source.line, r.alerts])).toEqual([[3, []], [2, ['A7']], [4, []]]);
    expect(entries[1]!.severity).toBe('critical');
    expect(entries[1]!.answers.pattern!.answer).toMatch(/^Part of 1 alert: A7 credential-stuffing \(critical\)/);
  });

  it('the heads give each record\'s severity and flags before it is made, and records(keep) makes only the entries kept', () => {
    const alerts = [alert({ id: 'A2', subject: { ip: '45.160.8.9', user: '43' }, severity: 'critical' })];
    const c = createChecklist({ rules, geo: stubGeo({ '81.2.69.': { country: 'GB' }, '45.160.8.': { country: 'BR' } }), tz: 'UTC' });
    for (const e of [e1, e2]) c.add(e);
    const kept = c.finish(alerts);
    expect(kept.heads.map((h) => [h.severity, h.flags[0]])).toEqual([['low', 'auth-failure'], ['critical', 'in-alert']]);
    const made = [...kept.records((h) => h.severity === 'critical')];
    expect(made.map((r) => [r.source.line, r.severity, r.flags])).toEqual([[2, 'critical', [...kept.heads[1]!.flags]]]);
    // Each entry is let go of as it is passed: a second read is a mistake, and says so.
    expect(() => [...kept.records()]).toThrow(/read twice/);
  });

  it('joinAlerts is exported for the explain path', () => {
    expect(joinAlerts([], [alert({})]).size).toBe(0);
  });
});

describe('checklist: off hours are people\'s hours', () => {
  const office = testRules({ businessHours: { timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' } });
  const NIGHT = Date.parse('2024-05-14T02:00:00Z'); // a Tuesday, 02:00
  const at = (k: number, over: Partial<FlatRecord>) =>
    fromFlat({ timestamp: iso(NIGHT + k * 30_000), ip: '81.2.69.10', method: 'GET', endpoint: '/api/v1/products/7', status: 200, ...over }, 'n.ndjson', k + 1);

  it('anonymous traffic at night (a load balancer\'s probes, a CDN filling its cache) is no finding; a signed-in person at night is', () => {
    const c = createChecklist({ rules: office, geo: stubGeo({ '81.2.69.': { country: 'GB' } }), tz: 'UTC', options: {} });
    const probes = Array.from({ length: 20 }, (_, k) => at(k, { endpoint: '/healthz', user_agent: 'ELB-HealthChecker/2.0' }));
    const cdn = Array.from({ length: 20 }, (_, k) => at(20 + k, { ip: '81.2.69.77', user_agent: 'Amazon CloudFront' }));
    const person = at(40, { user_id: '42', role: 'analyst', ip: '81.2.69.12', user_agent: 'Mozilla/5.0 (X11; Linux x86_64)' });
    for (const e of [...probes, ...cdn, person]) c.add(e);
    const entries = [...c.finish([]).records()];
    expect(entries.map((x) => [x.subject.user, x.flags])).toEqual([['42', ['off-hours']]]);
  });
});
