import { describe, expect, it } from 'vitest';
import { attackScenario, lookalikeScenario } from '../../fixtures/scenarios/generate.js';
import type { Baseline } from '../../src/baseline/types.js';
import type { RuleSet } from '../../src/rules/types.js';
import { atLeast, describe1, rec, routeOnly, runEvents, runFlat, shippedRules, toEvent } from './helpers.js';

const T = Date.UTC(2025, 2, 11, 14);
const only = ['bola-enumeration'];

function walk(opts: { user?: string; role?: string; n: number; from?: number; method?: string; status?: (k: number) => number; endpoint?: (id: number) => string; stepMs?: number }) {
  return Array.from({ length: opts.n }, (_, k) =>
    rec(T + k * (opts.stepMs ?? 800), {
      user_id: opts.user ?? '101',
      ...(opts.role ? { role: opts.role } : {}),
      method: opts.method ?? 'GET',
      endpoint: (opts.endpoint ?? ((id) => `/api/v1/orders/${id}`))((opts.from ?? 8801) + k),
      status: opts.status ? opts.status(k) : 200,
    }),
  );
}

describe('bola-enumeration', () => {
  it('finds the enumeration in the incident fixture: right rule, subject and severity', () => {
    const { records, labels } = attackScenario('bola-enumeration');
    const alerts = runFlat(records, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.subject).toEqual({ user: labels[0]!.subject.user, route: '/api/v1/orders/{id}' });
    expect(a.severity).toBe('high');
    expect(a.evidence.metrics).toMatchObject({ sequential: true, stride: 1 });
    expect(a.evidence.metrics.distinctIds as number).toBeGreaterThanOrEqual(400);
    expect(a.evidence.samples.length).toBeLessThanOrEqual(10);
    expect(a.evidence.samples[0]).toHaveProperty('requestId');
    expect(a.summary).toMatch(/user 4411 requested \d+ distinct foreign ids on GET \/api\/v1\/orders\/\{id\}/);
  });

  it("a range read nearly whole is said to be swept, though the actor's own ids break its run", () => {
    // The user's own invoices 8803 and 8877 (read the day before) sit inside the range they walk.
    const own = [8803, 8877].map((id, k) => rec(T - 86_400_000 + k * 60_000, { user_id: '101', method: 'GET', endpoint: `/api/v1/orders/${id}`, status: 200 }));
    const alerts = runFlat([...own, ...walk({ n: 200 })], { only }).alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.evidence.metrics).toMatchObject({ distinctIds: 198 });
    expect(alerts[0]!.summary).toMatch(/; ids 8801\.\.9000 swept, 99% of the range \(longest run 123 with stride 1\)\.$/);
    // A walk the actor's ids do not break keeps saying how long it ran.
    expect(runFlat(walk({ n: 200 }), { only }).alerts[0]!.summary).toMatch(/; ids 8801\.\.9000 walked with stride 1 \(200 in a row\)\.$/);
  });

  it("lets a quiet group's window go between bursts, without dropping a request still in the window (other actors' traffic moves time on)", () => {
    const others = Array.from({ length: 80 }, (_, k) => rec(T + k * 30_000, { user_id: `u${k % 4}`, endpoint: '/api/v1/profile' }));
    const burst = (atMinute: number, from: number, n: number) =>
      Array.from({ length: n }, (_, k) => rec(T + atMinute * 60_000 + k * 2_000, { user_id: '101', endpoint: `/api/v1/orders/${from + k}` }));
    const run = (records: ReturnType<typeof rec>[]) => runFlat(records.sort((a, b) => a.timestamp.localeCompare(b.timestamp)), { only }).alerts;
    const distinct = (alerts: ReturnType<typeof run>) => alerts.map((a) => a.evidence.metrics.distinctIds);
    // 30 + 30 foreign ids 7 minutes apart: one 10-minute window holds all 60, though quiet windows were slid in between.
    expect(distinct(run([...others, ...burst(5, 1000, 30), ...burst(12, 2000, 30)]))).toEqual([60]);
    // 17 minutes apart, no window holds 50; and once the first burst was let go, a second one is counted from nothing.
    expect(run([...others, ...burst(5, 1000, 30), ...burst(22, 2000, 30)])).toEqual([]);
    expect(distinct(run([...others, ...burst(5, 1000, 30), ...burst(22, 2000, 60)]))).toEqual([60]);
    // A burst logged 21 minutes late (past the reorder buffer's tolerance, after the others' traffic)
    // still finds the first one in its window: quiet windows are slid an hour further back.
    const late = runFlat([...burst(0, 1000, 30), ...others.slice(0, 61), ...burst(9, 2000, 30)], { only }).alerts;
    expect(distinct(late)).toEqual([60]);
  });

  it('stays quiet for a customer reading their own order history, every day', () => {
    const { records } = lookalikeScenario('own-orders');
    expect(runFlat(records, { only }).alerts).toEqual([]);
  });

  it('does not count ids the actor owns (used long before) against the threshold', () => {
    const before = walk({ n: 45, from: 500, stepMs: 60_000 }).map((r) => ({ ...r, timestamp: new Date(Date.parse(r.timestamp) - 86_400_000).toISOString() }));
    const again = walk({ n: 45, from: 500 });
    const fresh = walk({ n: 10, from: 9000 }).map((r) => ({ ...r, timestamp: new Date(Date.parse(r.timestamp) + 40_000).toISOString() }));
    expect(runFlat([...before, ...again, ...fresh], { only }).alerts).toEqual([]);
  });

  it('remembers own ids of every form once they leave the window, and tells "7" from "007"', () => {
    const dayBefore = <R extends { timestamp: string }>(r: R): R => ({ ...r, timestamp: new Date(Date.parse(r.timestamp) - 86_400_000).toISOString() });
    const uuid = (k: number): string => `0b6e${String(k).padStart(4, '0')}-1d2c-4c4a-9f1e-3a5b7c9d1e2f`;
    const forms: Array<[string, (id: number) => string]> = [
      ['small integers', (id) => `/api/v1/orders/${id}`],
      ['integers of 10 digits', (id) => `/api/v1/orders/${4_000_000_000 + id}`],
      ['UUIDs', (id) => `/api/v1/orders/${uuid(id)}`],
    ];
    for (const [name, endpoint] of forms) {
      // 60 ids used a day before (long out of the window), then all of them again: quiet.
      const before = walk({ n: 60, from: 1, stepMs: 60_000, endpoint }).map(dayBefore);
      expect(runFlat([...before, ...walk({ n: 60, from: 1, endpoint })], { only }).alerts, name).toEqual([]);
      // The same walk without that history is an enumeration.
      expect(runFlat(walk({ n: 60, from: 1, endpoint }), { only }).alerts, name).toHaveLength(1);
    }
    // Zero-padded texts are other ids: owning 1..60 does not make 0001..0060 the actor's own.
    const owned = walk({ n: 60, from: 1, stepMs: 60_000 }).map(dayBefore);
    const padded = walk({ n: 60, from: 1, endpoint: (id) => `/api/v1/orders/${String(id).padStart(4, '0')}` });
    const a = runFlat([...owned, ...padded], { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.evidence.metrics.distinctIds).toBe(60);
    expect(a[0]!.evidence.sampleIds).toContain('0001');
  });

  it('times the incident by the walk: re-reads of ids still too new to count as own neither stretch it, break the stride nor fill the samples', () => {
    // The actor reads its 3 accounts every 20 s for half an hour (a log that starts here: they are
    // less than ownIdMinAgeMinutes old, so they count as foreign), and walks 150 others from 14:13 to 14:16.
    const own = Array.from({ length: 90 }, (_, k) => rec(T + k * 20_000, { user_id: '101', endpoint: `/api/v1/accounts/${7001 + (k % 3)}` }));
    const walked = Array.from({ length: 150 }, (_, k) => rec(T + 13 * 60_000 + k * 1200, { user_id: '101', endpoint: `/api/v1/accounts/${8801 + k}` }));
    const records = [...own, ...walked].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    const alerts = runFlat(records, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.end).toBe(T + 13 * 60_000 + 149 * 1200);
    expect(a.evidence.metrics).toMatchObject({ sequential: true, longestStrideRun: 150, walkedRange: '8801..8950' });
    const paths = a.evidence.samples.map((s) => s.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((p) => /\/8[89]\d\d$/.test(p ?? '')).length).toBeGreaterThanOrEqual(7);
    expect(a.summary).toMatch(/requested 153 distinct foreign ids .* within 13 min/);
  });

  it("ids re-read for longer than ownIdMinAgeMinutes become the actor's own even though they never left the window", () => {
    // Own accounts read every 20 s from two hours before the walk: they enter the window young
    // (foreign), and stay in it; by the walk they are old enough to be the actor's own.
    const walkAt = T + 2 * 3_600_000;
    const own = Array.from({ length: 400 }, (_, k) => rec(T + k * 20_000, { user_id: '101', endpoint: `/api/v1/accounts/${5001 + (k % 3)}` }));
    const walked = Array.from({ length: 150 }, (_, k) => rec(walkAt + k * 1200, { user_id: '101', endpoint: `/api/v1/accounts/${1000 + k}` }));
    const records = [...own, ...walked].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    const alerts = runFlat(records, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.start).toBe(walkAt);
    expect(a.evidence.metrics).toMatchObject({ distinctIds: 150, idRange: '1000..1149' });
    expect(a.evidence.samples.every((x) => /\/accounts\/1\d\d\d$/.test(x.path ?? ''))).toBe(true);
  });

  it('uses the baseline own ids when given', () => {
    const records = walk({ n: 60 });
    const baseline = { schemaVersion: '1', createdAt: '', origin: 'file', period: { start: 0, end: 0 }, routes: {}, actors: { 'user:101': { ownIds: { '/api/v1/orders/{id}': records.slice(0, 20).map((r) => r.endpoint.split('/').pop()!) } } } } as unknown as Baseline;
    expect(runFlat(records, { only }).alerts).toHaveLength(1);
    expect(runFlat(records, { only, baseline }).alerts).toEqual([]);
  });

  it('rates mostly refused probing medium', () => {
    const a = runFlat(walk({ n: 80, status: (k) => (k % 10 === 0 ? 200 : 404) }), { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['high']); // a sequential walk with some successes is the classic signature
    const random = Array.from({ length: 80 }, (_, k) => rec(T + k * 800, { user_id: '101', endpoint: `/api/v1/orders/${(k * 7919) % 100_000}`, status: 403 }));
    const b = runFlat(random, { only }).alerts;
    expect(b).toHaveLength(1);
    expect(b[0]!.severity).toBe('medium');
    expect(b[0]!.severityReason).toMatch(/probing/);
  });

  it('rates successful writes across many foreign ids critical', () => {
    const a = runFlat(walk({ n: 60, method: 'DELETE', status: () => 204 }), { only }).alerts;
    expect(a[0]!.severity).toBe('critical');
    expect(a[0]!.evidence.metrics.writeSuccessIds).toBe(60);
  });

  it('uses the lower tier on sensitive routes', () => {
    const recs = walk({ n: 25, endpoint: (id) => `/api/v1/users/${id}/profile` });
    expect(runFlat(recs, { only }).alerts).toHaveLength(1);
    expect(runFlat(walk({ n: 25 }), { only }).alerts).toEqual([]);
  });

  it('lowers support and admin roles to low, and ignores allowlisted users', () => {
    const a = runFlat(walk({ n: 80, role: 'support' }), { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['low']);
    expect(a[0]!.severityReason).toMatch(/role "support"/);
    const rules: RuleSet = { ...shippedRules, allow: { ...shippedRules.allow, users: ['101'] } };
    expect(runFlat(walk({ n: 80 }), { only, rules }).alerts).toEqual([]);
  });

  it('uses a sliding window, not clock buckets: 60 ids straddling a 10-minute boundary are one incident', () => {
    // 60 ids from 14:05 to 14:14:50: every fixed 10-minute bucket [14:00,14:10) [14:10,14:20) sees < 50.
    const recs = Array.from({ length: 60 }, (_, k) => rec(T + 5 * 60_000 + k * 10_000, { user_id: '7', endpoint: `/api/v1/orders/${1000 + k * 3}`, status: 200 }));
    const a = runFlat(recs, { only }).alerts;
    expect(a.map(describe1)).toHaveLength(1);
  });

  it('merges one long enumeration into one incident', () => {
    const a = runFlat(walk({ n: 2000, stepMs: 700 }), { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.evidence.metrics.distinctIds).toBe(2000);
  });

  it("ignores anonymous actors' random reads and refused walks unless asked", () => {
    // 80 ids guessed at random over a wide range, and a walk mostly answered 404.
    const random = walk({ n: 80, endpoint: (id) => `/api/v1/orders/${Math.floor(Math.abs(Math.sin(id) * 1e6))}` }).map(({ user_id: _u, ...r }) => r);
    const refused = walk({ n: 80, status: (k) => (k % 8 === 0 ? 200 : 404) }).map(({ user_id: _u, ...r }) => r);
    for (const recs of [random, refused]) {
      const res = runFlat([...recs, rec(T, { endpoint: '/x', user_id: 'someone' })], { only });
      expect(res.alerts).toEqual([]);
      const rules: RuleSet = { ...shippedRules, detectors: { 'bola-enumeration': { includeAnonymous: true } } };
      const asked = atLeast(runFlat([...recs, rec(T, { endpoint: '/x', user_id: 'someone' })], { only, rules }).alerts, 'medium');
      expect(asked.map((a) => a.subject.ip)).toEqual(['2.205.77.10']);
      expect(asked[0]!.evidence.metrics.anonymous).toBe(true);
    }
  });

  it('judges an anonymous sequential walk mostly answered 2xx by default, also beside logged users', () => {
    const recs = walk({ n: 80 }).map(({ user_id: _u, ...r }) => r);
    const a = runFlat([...recs, rec(T, { endpoint: '/x', user_id: 'someone' })], { only }).alerts;
    expect(a.map((x) => [x.severity, x.subject.ip])).toEqual([['high', '2.205.77.10']]);
    expect(a[0]!.summary).toContain("IP 2.205.77.10 (no user or API key was logged: the ids cannot be judged own or foreign, every id is someone's) requested 80 distinct ids");
    // Not on a route classified public (a catalogue), unless the route is also sensitive.
    const catalogue = walk({ n: 80, endpoint: (id) => `/api/v1/products/${id}` }).map(({ user_id: _u, ...r }) => r);
    expect(runFlat(catalogue, { only }).alerts).toEqual([]);
  });

  it('stays unavailable on logs with only route templates, and says why and what to log', () => {
    const events = walk({ n: 120 }).map((r, i) => routeOnly(toEvent(r, 'apigw.ndjson', i + 1), '/api/v1/orders/{id}'));
    const res = runEvents(events, { only });
    const st = res.statuses.find((s) => s.id === 'bola-enumeration')!;
    expect(st.status).toBe('unavailable');
    expect(st.reason).toContain('only route templates (e.g. API Gateway resourcePath): object ids cannot be seen; log $context.path');
    expect(st.reason).toContain('(formats: apigateway)');
    expect(res.alerts).toEqual([]);

    // Mixed with a format that has concrete paths: runs on those and notes the blind format.
    const mixed = runEvents([...walk({ n: 60, user: '202' }).map((r, i) => toEvent(r, 'flat.ndjson', i + 1)), ...events].sort((a, b) => a.ts - b.ts), { only });
    const st2 = mixed.statuses.find((s) => s.id === 'bola-enumeration')!;
    expect(st2).toMatchObject({ status: 'ran', alerts: 1 });
    expect(st2.notes).toContain('some events (formats: apigateway) carry only route templates (e.g. API Gateway resourcePath): object ids cannot be seen; log $context.path');
  });
});

describe("bola-enumeration: objects under the actor's own scope are not foreign", () => {
  const DAY = 86_400_000;
  /** Logs in, opens the order list, then each of `ids` every 3-15 s under `prefix` (b6's shape). */
  function session(user: string, at: number, prefix: string, ids: number[]): ReturnType<typeof rec>[] {
    let t = at;
    const out = [rec(t, { user_id: user, role: 'customer', method: 'POST', endpoint: '/api/v1/auth/login' }), rec((t += 2000), { user_id: user, role: 'customer', endpoint: prefix })];
    for (const [k, id] of ids.entries()) out.push(rec((t += 3000 + ((k * 7919) % 12) * 1000), { user_id: user, role: 'customer', endpoint: `${prefix}/${id}` }));
    return out;
  }
  const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, k) => from + k);

  it('stays quiet for user 42 opening their own orders /users/42/orders/1..30, two evenings running', () => {
    const records = [...session('42', T + 5 * 3_600_000, '/api/v1/users/42/orders', range(1, 30)), ...session('42', T + DAY + 5 * 3_600_000, '/api/v1/users/42/orders', range(1, 30))];
    expect(runFlat(records, { only }).alerts.map(describe1)).toEqual([]);
  });

  it('stays quiet under /me/... and under a parent id the actor has long used (its own account)', () => {
    expect(runFlat(session('42', T, '/api/v1/me/orders', range(1, 60)), { only }).alerts.map(describe1)).toEqual([]);
    // Account 7001 was read (with a few of its transactions) the day before: it is the actor's own by
    // their history, and its transactions are theirs.
    const before = session('42', T - DAY, '/api/v1/accounts/7001/transactions', range(1, 5));
    const now = session('42', T, '/api/v1/accounts/7001/transactions', range(1, 60));
    expect(runFlat([...before, ...now], { only }).alerts.map(describe1)).toEqual([]);
    // Without that history the same account is someone else's, and walking it is an enumeration.
    expect(runFlat(now, { only }).alerts).toHaveLength(1);
  });

  it("still finds another user's orders walked under /users/{other}/orders, also right after one's own", () => {
    const other = runFlat(session('42', T, '/api/v1/users/77/orders', range(1, 30)), { only }).alerts;
    expect(other).toHaveLength(1);
    expect(other[0]).toMatchObject({ severity: 'high', subject: { user: '42', route: '/api/v1/users/{id}/orders/{id}' } });
    expect(other[0]!.evidence.metrics.distinctIds).toBe(30);

    // Own orders 1..30, then user 77's 1..30 in the same window: only 77's count.
    const own = session('42', T, '/api/v1/users/42/orders', range(1, 30));
    const after = session('42', T + 4 * 60_000, '/api/v1/users/77/orders', range(1, 30));
    const mixed = runFlat([...own, ...after].sort((a, b) => a.timestamp.localeCompare(b.timestamp)), { only }).alerts;
    expect(mixed).toHaveLength(1);
    expect(mixed[0]!.evidence.metrics.distinctIds).toBe(30);
    expect(mixed[0]!.evidence.samples.every((s) => s.path?.startsWith('/api/v1/users/77/'))).toBe(true);

    // One order of each of 25 other users: the walk is over the parent id.
    const users = Array.from({ length: 25 }, (_, k) => rec(T + k * 5000, { user_id: '42', endpoint: `/api/v1/users/${300 + k * 17}/orders/1` }));
    const byUser = runFlat(users, { only }).alerts;
    expect(byUser).toHaveLength(1);
    expect(byUser[0]!.evidence.metrics.distinctIds).toBe(25);
  });
});

describe('bola-enumeration: reading objects of routes classified public is not BOLA', () => {
  /** b9's shape: a logged-in shopper whose frontend prefetches the 48 products of each of two listing pages. */
  function prefetch(): ReturnType<typeof rec>[] {
    const base = { user_id: '6100', role: 'customer', ip: '81.2.69.160' };
    let t = T;
    const out = [rec(t, { ...base, method: 'POST', endpoint: '/api/v1/auth/login' })];
    for (let p = 1; p <= 2; p++) {
      t += 90_000;
      out.push(rec(t, { ...base, endpoint: `/api/v1/products?page=${p}&per_page=48`, bytes: 40_000 }));
      for (let k = 0; k < 48; k++) out.push(rec(t + 200 + k * 30, { ...base, endpoint: `/api/v1/products/${1000 + ((p * 48 + k) * 7919) % 9000}`, bytes: 3000 }));
    }
    return out;
  }

  it('stays quiet for a frontend prefetching 96 product pages (/products is "public" in the shipped classification)', () => {
    expect(runFlat(prefetch(), { only }).alerts.map(describe1)).toEqual([]);
  });

  it('leaves a logged-in scraper of public objects to scraping', () => {
    // a6d's shape: 250 requests a minute for 4 minutes to random product ids, user agents rotating.
    const uas = ['Mozilla/5.0 (X11; Linux x86_64)', 'Mozilla/5.0 (Macintosh)', 'curl/8.4.0', 'python-requests/2.31.0'];
    const records = Array.from({ length: 1000 }, (_, k) =>
      rec(T + k * 240, { user_id: 'u-scraper', role: 'customer', ip: '39.32.1.1', user_agent: uas[k % 4]!, endpoint: `/api/v1/products/${10_000 + ((k * 7919) % 90_000)}` }),
    );
    const alerts = atLeast(runFlat(records).alerts, 'medium');
    expect(alerts.map((a) => a.rule)).toEqual(['scraping']);
    expect(alerts[0]!.subject).toMatchObject({ user: 'u-scraper' });
  });

  it('still judges writes on public routes, reads when the rules classify the route otherwise, and reads when includePublic is set', () => {
    const deletes = Array.from({ length: 60 }, (_, k) => rec(T + k * 800, { user_id: '6100', method: 'DELETE', endpoint: `/api/v1/products/${2000 + k}`, status: 204 }));
    expect(runFlat(deletes, { only }).alerts.map((a) => a.severity)).toEqual(['critical']);
    const notPublic: RuleSet = { ...shippedRules, classification: shippedRules.classification.filter((c) => c.kind !== 'public') };
    expect(runFlat(prefetch(), { only, rules: notPublic }).alerts).toHaveLength(1);
    const asked: RuleSet = { ...shippedRules, detectors: { 'bola-enumeration': { includePublic: true } } };
    expect(runFlat(prefetch(), { only, rules: asked }).alerts).toHaveLength(1);
    // A route both public and in routes.sensitive is judged (sensitive wins).
    const sensitive: RuleSet = { ...shippedRules, routes: { ...shippedRules.routes, sensitive: [...shippedRules.routes.sensitive, '/**/products/{id}'] } };
    expect(runFlat(prefetch(), { only, rules: sensitive }).alerts).toHaveLength(1);
  });
});

describe('bola-enumeration: confirmed access to foreign objects weighs the same for random and sequential ids', () => {
  const sev = (a: { severity: string }): number => ['info', 'low', 'medium', 'high', 'critical'].indexOf(a.severity);
  /** a2a/a2g's shape: 55 foreign orders in 8 minutes, 20 of them answered 200, the rest 404. */
  const probe = (id: (k: number) => number, okWhen: (k: number) => boolean, n = 55) =>
    Array.from({ length: n }, (_, k) => rec(T + k * Math.floor(480_000 / n), { user_id: '9001', role: 'customer', endpoint: `/api/v1/orders/${id(k)}`, status: okWhen(k) ? 200 : 404 }));
  const random = (k: number): number => 100_000 + ((k * 7_919_113) % 900_000);

  it('rates 20 of 55 random foreign ids answered 2xx as high, as the sequential twin, and never says "without confirmed access"', () => {
    const twenty = (k: number): boolean => k % 11 < 4;
    const r = runFlat(probe(random, twenty), { only }).alerts;
    const s = runFlat(probe((k) => 500_100 + k, twenty), { only }).alerts;
    expect(r).toHaveLength(1);
    expect(s).toHaveLength(1);
    expect(r[0]!.evidence.metrics).toMatchObject({ distinctIds: 55, successIds: 20, sequential: false });
    expect(s[0]!.evidence.metrics).toMatchObject({ distinctIds: 55, successIds: 20, sequential: true });
    expect(r[0]!.severity).toBe('high');
    expect(sev(r[0]!)).toBeGreaterThanOrEqual(sev(s[0]!));
    expect(r[0]!.severityReason).toMatch(/20 of 55 foreign objects were returned with 2xx/);
    for (const a of [...r, ...s]) expect(a.severityReason).not.toMatch(/without confirmed access/);
  });

  it('keeps mostly refused probing with a couple of successes medium, naming the successes', () => {
    const two = runFlat(probe(random, (k) => k === 10 || k === 40, 80), { only }).alerts;
    expect(two.map((a) => a.severity)).toEqual(['medium']);
    expect(two[0]!.severityReason).not.toMatch(/without confirmed access/);
    expect(two[0]!.severityReason).toMatch(/2 foreign objects were returned with 2xx/);
    const none = runFlat(probe(random, () => false, 80), { only }).alerts;
    expect(none.map((a) => a.severity)).toEqual(['medium']);
    expect(none[0]!.severityReason).toMatch(/probing without confirmed access/);
  });
});
