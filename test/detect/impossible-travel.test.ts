import { describe, expect, it } from 'vitest';
import { attackScenario, lookalikeScenario, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import { rec, runFlat } from './helpers.js';

const T = Date.UTC(2025, 2, 11, 10);
const only = ['impossible-travel'];
const BERLIN = '2.205.77.20';
const PARIS = '5.48.77.20';
const MUMBAI = '49.36.0.20';
const MUNICH = '46.84.77.20';
const NEW_YORK = '8.37.160.20';

function at(ts: number, ip: string, extra: Partial<FlatRecord> = {}): FlatRecord {
  return rec(ts, { user_id: 'u1', ip, endpoint: '/api/v1/orders', ...extra });
}

describe('impossible-travel', () => {
  it('finds Berlin -> Mumbai in 25 minutes, critical because the new leg exports', () => {
    const { records, labels } = attackScenario('impossible-travel');
    const alerts = runFlat(records, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.subject).toEqual(labels[0]!.subject);
    expect(a.severity).toBe('critical');
    expect(a.evidence.metrics.speedKmh as number).toBeGreaterThan(1000);
    expect((a.evidence.legs as Array<{ city: string }>).map((l) => l.city)).toEqual(['Berlin', 'Mumbai']);
  });

  it('is high without privileged activity at the new place, whatever the old place did', () => {
    const a = runFlat([at(T, BERLIN), at(T + 30 * 60_000, MUMBAI)], { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['high']);
    expect(a[0]!.summary).toMatch(/from Berlin, DE .* later from Mumbai, IN/);
    // The owner's export at home, 20 minutes before the account shows up far away, browsing.
    const homeExport = { ...at(T + 10 * 60_000, BERLIN), endpoint: '/api/v1/export/orders' };
    const b = runFlat([at(T, BERLIN), homeExport, at(T + 30 * 60_000, MUMBAI)], { only }).alerts;
    expect(b.map((x) => x.severity)).toEqual(['high']);
    // The same export at the new place makes it critical.
    const awayExport = { ...at(T + 35 * 60_000, MUMBAI), endpoint: '/api/v1/export/orders' };
    expect(runFlat([at(T, BERLIN), at(T + 30 * 60_000, MUMBAI), awayExport], { only }).alerts.map((x) => x.severity)).toEqual(['critical']);
  });

  it('the legs are the departure and the arrival, whatever the user does at the new place after', () => {
    const recs = [at(T, BERLIN), at(T + 10 * 60_000, BERLIN), at(T + 30 * 60_000, MUMBAI), at(T + 50 * 60_000, MUMBAI), at(T + 58 * 60_000, MUMBAI)];
    const a = runFlat(recs, { only }).alerts;
    expect(a).toHaveLength(1);
    const legs = a[0]!.evidence.legs as Array<{ time: string; city: string }>;
    expect(legs.map((l) => [l.city, l.time])).toEqual([
      ['Berlin', new Date(T + 10 * 60_000).toISOString()],
      ['Mumbai', new Date(T + 30 * 60_000).toISOString()],
    ]);
    expect(a[0]!.evidence.metrics.gapMinutes).toBe(20);
    // The window still runs to the last request from the new place.
    expect(a[0]!.end).toBe(T + 58 * 60_000);
  });

  it('keeps a plausible trip quiet (Berlin -> Paris in 3 h)', () => {
    const { records } = lookalikeScenario('trip');
    expect(runFlat(records, { only }).alerts).toEqual([]);
    expect(runFlat([at(T, BERLIN), at(T + 3 * 3_600_000, PARIS)], { only }).alerts).toEqual([]);
  });

  it('flags Berlin -> Paris in 20 minutes (880 km)', () => {
    expect(runFlat([at(T, BERLIN), at(T + 20 * 60_000, PARIS)], { only }).alerts).toHaveLength(1);
  });

  it('ignores nearby and same-country pairs, reserved IPs and failures', () => {
    expect(runFlat([at(T, BERLIN), at(T + 5 * 60_000, MUNICH)], { only }).alerts).toEqual([]);
    expect(runFlat([at(T, BERLIN), at(T + 5 * 60_000, '203.0.113.9'), at(T + 6 * 60_000, '10.1.2.3')], { only }).alerts).toEqual([]);
    expect(runFlat([at(T, BERLIN), at(T + 5 * 60_000, MUMBAI, { status: 401 })], { only }).alerts).toEqual([]);
  });

  it('catches A -> B -> A and reports it as one incident', () => {
    const a = runFlat([at(T, BERLIN), at(T + 10 * 60_000, NEW_YORK), at(T + 20 * 60_000, BERLIN)], { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.severity).toBe('high');
    expect(a[0]!.evidence.metrics.alternations).toBe(1);
  });

  it('a service account (by name or role) in two regions at once is medium and says why; with admin work there, still critical', () => {
    const monitor = (user: string, extra: Partial<FlatRecord> = {}): FlatRecord[] => [
      at(T, BERLIN, { user_id: user, ...extra }),
      at(T + 20_000, NEW_YORK, { user_id: user, ...extra }),
    ];
    for (const [user, extra] of [['svc-synthetics', {}], ['monitor-eu', { role: 'integration' }]] as const) {
      const a = runFlat(monitor(user, extra), { only }).alerts;
      expect(a.map((x) => x.severity), user).toEqual(['medium']);
      expect(a[0]!.severityReason).toMatch(/^a service account, not a person: .*one deployment in several regions/);
    }
    // A person with the same moves stays high; a service account doing admin work at the new place is critical.
    expect(runFlat(monitor('alice'), { only }).alerts.map((x) => x.severity)).toEqual(['high']);
    const adminThere = [...monitor('svc-deploy'), at(T + 40_000, NEW_YORK, { user_id: 'svc-deploy', endpoint: '/api/v1/admin/users', method: 'POST' })];
    expect(runFlat(adminThere, { only }).alerts.map((x) => x.severity)).toEqual(['critical']);
  });

  describe('back and forth between two places', () => {
    const POULSBO = '216.160.83.56'; // home wifi, Washington
    const CARRIER = '172.56.1.1'; // a mobile carrier's address, located to Fort Myers, Florida (4,300 km)
    const CHROME = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Mobile Safari/537.36';
    /** The user alternates between `a` and `b` every 10 minutes for 3 hours; `uaAt` gives each request's client. */
    const flipping = (a: string, b: string, uaAt: (ip: string) => string = () => CHROME): FlatRecord[] =>
      Array.from({ length: 18 }, (_, k) => {
        const ip = k % 2 === 0 ? a : b;
        return at(T + k * 10 * 60_000, ip, { user_agent: uaAt(ip) });
      });

    it('one phone between wifi and its carrier (one client, one country) is one medium alert that says so', () => {
      const a = runFlat(flipping(POULSBO, CARRIER), { only }).alerts;
      expect(a.map((x) => x.severity)).toEqual(['medium']);
      expect(a[0]!.evidence.metrics.alternations as number).toBeGreaterThanOrEqual(2);
      expect(a[0]!.severityReason).toMatch(/^the account went back and forth \d+ times between the two places within one country, with one client .*a mobile carrier, a VPN/);
    });

    it('stays high when the two places use different clients (the owner and someone else), or lie in two countries', () => {
      const twoClients = runFlat(flipping(POULSBO, CARRIER, (ip) => (ip === POULSBO ? CHROME : 'python-requests/2.31.0')), { only }).alerts;
      expect(twoClients.map((x) => x.severity)).toEqual(['high']);
      const twoCountries = runFlat(flipping(BERLIN, NEW_YORK), { only }).alerts;
      expect(twoCountries.map((x) => x.severity)).toEqual(['high']);
    });

    it('admin work on arriving at the new place again makes it critical, also from another address there; at the old place it does not', () => {
      const recs = flipping(POULSBO, CARRIER);
      // The carrier hands out another address in the same range: the same place, a new IP.
      recs[5] = { ...recs[5]!, ip: '172.56.1.2', endpoint: '/api/v1/admin/users', method: 'POST' };
      expect(runFlat(recs, { only }).alerts.map((x) => x.severity)).toEqual(['critical']);
      const atHome = flipping(POULSBO, CARRIER);
      atHome[4] = { ...atHome[4]!, endpoint: '/api/v1/admin/users', method: 'POST' };
      expect(runFlat(atHome, { only }).alerts.map((x) => x.severity)).toEqual(['medium']);
    });

    it('a single move and back (no alternation beyond it) is still high', () => {
      const once = runFlat([at(T, POULSBO, { user_agent: CHROME }), at(T + 10 * 60_000, CARRIER, { user_agent: CHROME }), at(T + 20 * 60_000, POULSBO, { user_agent: CHROME })], { only }).alerts;
      expect(once.map((x) => x.severity)).toEqual(['high']);
    });
  });

  it('subtracts accuracy radii: a country-level location 1000 km wide cannot prove travel', () => {
    // 8.8.8.8 is located only to the USA (accuracy 1000 km); New York is 20 km.
    expect(runFlat([at(T, '8.8.8.8'), at(T + 60_000, NEW_YORK)], { only }).alerts).toEqual([]);
  });
});
