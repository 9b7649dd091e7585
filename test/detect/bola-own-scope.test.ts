/**
 * bola-enumeration on ids under the actor's own scope (/users/{self}/orders/{id}, /me/orders/{id}),
 * through the real enricher and pipeline: a server that trusts the parent segment serves any order
 * id asked for under the caller's own user, so a walk there over many order ids the actor never used
 * is the classic BOLA; a user opening their own orders (5-30 of them, or a client syncing its own
 * scattered ids) is not.
 */
import { describe, expect, it } from 'vitest';
import type { FlatRecord } from '../../fixtures/scenarios/generate.js';
import { describe1, rec, runFlat } from './helpers.js';

const T = Date.UTC(2025, 3, 10, 18);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const only = ['bola-enumeration'];

/** User `user` requests `prefix/{id}` for each id, `gap(k)` ms apart, after opening the list. */
function under(user: string, prefix: string, ids: number[], o: { at?: number; gap?: (k: number) => number; status?: (k: number) => number } = {}): FlatRecord[] {
  let t = o.at ?? T;
  const base = { user_id: user, role: 'customer', ip: '81.2.69.142' };
  const out = [rec(t, { ...base, endpoint: prefix })];
  ids.forEach((id, k) => out.push(rec((t += o.gap ? o.gap(k) : 2000), { ...base, endpoint: `${prefix}/${id}`, status: o.status ? o.status(k) : 200 })));
  return out;
}
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, k) => from + k);

describe("bola-enumeration: walks under the actor's own scope", () => {
  it('finds user 42 walking /users/42/orders/1..400 (orders never theirs), counting the child ids: high', () => {
    const records = under('42', '/api/v1/users/42/orders', range(1, 400));
    const alerts = runFlat(records, { only }).alerts;
    expect(alerts.map(describe1)).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ severity: 'high', title: 'Object enumeration (BOLA/IDOR)', subject: { user: '42', route: '/api/v1/users/{id}/orders/{id}' } });
    expect(a.evidence.metrics).toMatchObject({ ownScope: true, distinctIds: 400, successIds: 400, sequential: true, walkedRange: '1..400' });
    expect(a.evidence.thresholds.threshold).toBe(100);
    expect(a.summary).toMatch(/^user 42 requested 400 distinct new ids under its own scope on GET \/api\/v1\/users\/\{id\}\/orders\/\{id\}/);
    expect(a.severityReason).toMatch(/400 of 400 foreign objects were returned with 2xx.*the server appears to trust the parent segment/);
    // The samples are the orders, under the actor's own user.
    expect(a.evidence.samples.every((s) => /^\/api\/v1\/users\/42\/orders\/\d+$/.test(s.path ?? ''))).toBe(true);
  });

  it('rates the walk by its answers: some 2xx among 403/404 high, none medium', () => {
    const some = runFlat(under('42', '/api/v1/users/42/orders', range(1, 400), { status: (k) => (k % 4 === 0 ? 200 : k % 2 ? 404 : 403) }), { only }).alerts;
    expect(some.map((a) => [a.severity, a.evidence.metrics.successIds])).toEqual([['high', 100]]);
    const none = runFlat(under('42', '/api/v1/users/42/orders', range(1, 400), { status: (k) => (k % 2 ? 404 : 403) }), { only }).alerts;
    expect(none.map((a) => a.severity)).toEqual(['medium']);
    expect(none[0]!.severityReason).toMatch(/probing without confirmed access/);
  });

  it('finds the same walk under /me/orders, and a slow one under /users/{self} at one order a minute for six hours', () => {
    const me = runFlat(under('42', '/api/v1/me/orders', range(5001, 400)), { only }).alerts;
    expect(me.map((a) => [a.severity, a.subject.route, a.evidence.metrics.distinctIds])).toEqual([['high', '/api/v1/me/orders/{id}', 400]]);

    const slowly = under('42', '/api/v1/users/42/orders', range(70_001, 360), { gap: (k) => 50_000 + ((k * 7919) % 20_000) });
    const s = runFlat(slowly, { only }).alerts;
    expect(s.map((a) => [a.severity, a.title, a.evidence.metrics.ownScope, a.evidence.metrics.distinctIds])).toEqual([['high', 'Object enumeration (BOLA/IDOR, slow walk)', true, 360]]);
    expect(s[0]!.evidence.thresholds.ownScopeMinIds).toBe(100);
    expect(s[0]!.severityReason).toMatch(/^a slow walk over 360 new ids the actor had never used, 1\.0\d new ids a minute .*trust the parent segment/);
  });
});

describe("bola-enumeration: a user's own objects under their own scope stay quiet", () => {
  it('users opening their own 5, 12 and 30 orders (numbered per user, 1..N), on several evenings', () => {
    const records = [5, 12, 30].flatMap((n, u) =>
      [0, 1, 2].flatMap((d) => under(String(300 + u), `/api/v1/users/${300 + u}/orders`, range(1, n), { at: T + d * DAY + u * 600_000, gap: (k) => 3000 + ((k * 7919) % 12) * 1000 })),
    );
    expect(runFlat(records, { only }).alerts.map(describe1)).toEqual([]);
  });

  it('a heavy customer reading 80 of their own orders in a row, under the bar; 120 would be judged', () => {
    expect(runFlat(under('42', '/api/v1/me/orders', range(1, 80)), { only }).alerts.map(describe1)).toEqual([]);
    expect(runFlat(under('42', '/api/v1/me/orders', range(1, 120)), { only }).alerts).toHaveLength(1);
  });

  it('an app syncing 150 of its own orders (scattered ids, in ascending order) in five minutes, every evening', () => {
    const own: number[] = [];
    for (let id = 400_000, k = 0; own.length < 150; k++) own.push((id += 37 + ((k * 7919) % 900)));
    const sync = [0, 1, 2].flatMap((d) => under('42', '/api/v1/users/42/orders', own, { at: T + d * DAY }));
    expect(runFlat(sync, { only }).alerts.map(describe1)).toEqual([]);
    // The same 150 requests through a range of ids are a walk.
    expect(runFlat(under('42', '/api/v1/users/42/orders', range(400_001, 150)), { only }).alerts).toHaveLength(1);
  });
});
