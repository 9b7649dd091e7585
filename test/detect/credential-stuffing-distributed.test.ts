/**
 * credential-stuffing, distributed (tenant-wide) waves: many IPs, one try each, against many
 * accounts. The hits of such a wave come from IPs that made just that one attempt, so "a success
 * from an IP that failed before" never sees them. Scenarios through the real enricher and pipeline.
 */
import { describe, expect, it } from 'vitest';
import { lookalikeScenario, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import { correlate } from '../../src/detect/correlate.js';
import type { Alert } from '../../src/detect/types.js';
import { atLeast, rec, runFlat } from './helpers.js';

const only = ['credential-stuffing'];
const login = '/api/v1/auth/login';
const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2025-03-05 01:00 UTC: the wave's start. */
const T = Date.UTC(2025, 2, 5, 1);

/** The wave's address pool: a dozen networks, a different address for every attempt. */
const POOL = ['5.228', '49.36', '39.32', '110.34', '2.207', '46.84', '85.214', '176.10', '89.160', '81.2', '216.160', '172.56'];
const poolIp = (i: number): string => `${POOL[i % POOL.length]}.${1 + ((i * 7) % 250)}.${1 + ((i * 13) % 250)}`;
const UAS = Array.from({ length: 30 }, (_, i) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + i}.0.${1000 + i * 37}.${10 + i} Safari/537.36`);

const byTime = (r: FlatRecord[]): FlatRecord[] => [...r].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));

function attempt(ts: number, user: string, ip: string, ok: boolean, ua = UAS[0]!): FlatRecord {
  return rec(ts, { endpoint: login, method: 'POST', status: ok ? 200 : 401, bytes: ok ? 512 : 96, ip, user_id: user, user_agent: ua });
}

/** What the attacker does with an account it got into: its profile, its payment methods, a new e-mail. */
function takeover(ts: number, user: string, ip: string): FlatRecord[] {
  return [
    rec(ts + 3000, { endpoint: `/api/v1/users/${user}`, ip, user_id: user, role: 'customer', bytes: 1500 }),
    rec(ts + 6000, { endpoint: `/api/v1/users/${user}/payments`, ip, user_id: user, role: 'customer', bytes: 2500 }),
    rec(ts + 9000, { endpoint: `/api/v1/users/${user}`, method: 'PATCH', ip, user_id: user, role: 'customer', bytes: 300 }),
  ];
}

/**
 * 200 attempts in `spanMs`, each from its own IP against its own account (victim1000...); the
 * attempts at `hits` succeed and the account is then used.
 */
function wave(hits: number[], spanMs = HOUR, start = T): { records: FlatRecord[]; taken: Array<{ account: string; at: number; ip: string }> } {
  const records: FlatRecord[] = [];
  const taken: Array<{ account: string; at: number; ip: string }> = [];
  for (let i = 0; i < 200; i++) {
    const t = start + Math.floor((i * spanMs) / 200) + ((i * 997) % 5000);
    const ip = poolIp(i);
    const account = `victim${1000 + i}`;
    const ok = hits.includes(i);
    records.push(attempt(t, account, ip, ok, UAS[(i * 7) % UAS.length]));
    if (ok) {
      records.push(...takeover(t, account, ip));
      taken.push({ account, at: t, ip });
    }
  }
  return { records, taken };
}

/** Customers who use the service from their own address: the day before, and again during the wave. */
function owners(n: number, dayBefore: number, during: number): FlatRecord[] {
  const out: FlatRecord[] = [];
  for (let k = 0; k < n; k++) {
    const user = `cust${k}`;
    const ip = `2.205.77.${10 + k}`;
    for (const t0 of [dayBefore + k * 7 * MIN, during + k * 90_000]) {
      out.push(attempt(t0, user, ip, true, 'AcmeShop-iOS/4.2.1'));
      out.push(rec(t0 + 20_000, { endpoint: `/api/v1/users/${user}`, ip, user_id: user, role: 'customer', user_agent: 'AcmeShop-iOS/4.2.1' }));
    }
  }
  return out;
}

function stuffingAlerts(records: FlatRecord[]): Alert[] {
  return runFlat(byTime(records), { only }).alerts;
}

interface Takeover {
  basis: string;
  accounts: Array<{ account: string; at: number; ip?: string }>;
}
const takeoverOf = (a: Alert): Takeover | undefined => a.evidence.takeover as Takeover | undefined;
const named = (alerts: Alert[]): string[] => alerts.flatMap((a) => takeoverOf(a)?.accounts.map((x) => x.account) ?? []).sort();

describe('credential-stuffing: a distributed wave that gets in', () => {
  it('200 IPs, one try each in an hour, 3 hits from IPs that tried only once: critical, each account named with its time and IP', () => {
    const { records, taken } = wave([37, 101, 166]);
    const alerts = stuffingAlerts([...records, ...owners(20, T - 20 * HOUR, T + 5 * MIN)]);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.subject).toEqual({ route: login });
    expect(a.evidence.metrics.variant).toBe('distributed');
    expect(a.severity).toBe('critical');
    expect(takeoverOf(a)).toEqual({ basis: 'login', accounts: taken });
    expect(a.evidence.metrics.successesAfter).toBe(3);
    expect(a.summary).not.toMatch(/no success/);
    expect(a.summary).toMatch(/victim1037, victim1101, victim1166/);
    expect(a.severityReason).toMatch(/likely account takeover/);
    // Each hit is in the evidence, with why it is taken as the wave's.
    for (const t of taken) expect(a.evidence.samples.some((s) => s.ip === t.ip && s.status === 200 && /wave/.test(s.note ?? ''))).toBe(true);
  });

  it('a hit before the wave is established (its 4th attempt) is named too', () => {
    const { records, taken } = wave([3, 120]);
    const a = stuffingAlerts(records);
    expect(a.map((x) => x.severity)).toEqual(['critical']);
    expect(takeoverOf(a[0]!)?.accounts).toEqual(taken);
  });

  it('a hit from an IP that failed on other accounts in the wave, in a network the wave does not otherwise use', () => {
    const { records } = wave([]);
    const rotating = '41.206.9.9';
    const t = T + 30 * MIN;
    records.push(attempt(t, 'victim5001', rotating, false), attempt(t + 20_000, 'victim5002', rotating, false), attempt(t + 40_000, 'victim5003', rotating, true));
    const a = stuffingAlerts(records);
    expect(a.map((x) => x.severity)).toEqual(['critical']);
    expect(takeoverOf(a[0]!)?.accounts).toEqual([{ account: 'victim5003', at: t + 40_000, ip: rotating }]);
  });

  it('linked: the taken account\'s later bulk export is raised to critical and points at the wave', () => {
    const { records, taken } = wave([37, 101, 166]);
    const victim = taken[0]!;
    const exportRecs = Array.from({ length: 150 }, (_, k) =>
      rec(victim.at + 20 * MIN + k * 3000, { user_id: victim.account, ip: victim.ip, endpoint: `/api/v1/export/customers?page=${k}`, bytes: 2 * 1024 * 1024 }),
    );
    const before = runFlat(byTime([...records, ...exportRecs])).alerts;
    const after = correlate(before);
    const exfil = after.find((x) => x.rule === 'data-exfiltration' && x.subject.user === victim.account)!;
    expect(exfil).toBeDefined();
    expect(exfil.severity).toBe('critical');
    expect(exfil.related).toEqual([{ rule: 'credential-stuffing', subject: { route: login }, start: expect.any(Number), relation: 'follows-takeover' }]);
    expect(exfil.severityReason).toMatch(new RegExp(`^follows the likely takeover of ${victim.account} by a distributed credential attack from ${victim.ip.replace(/\./g, '\\.')}`));
  });
});

describe('credential-stuffing: logins during a wave that are not its hits', () => {
  it("owners logging in from their usual address during the wave, even inside the wave's networks, are not named", () => {
    const { records, taken } = wave([37]);
    const usual = '49.36.200.9'; // a network the wave uses heavily
    const extra: FlatRecord[] = [
      // alice: known at her address the day before, logs in during the wave from it.
      attempt(T - 20 * HOUR, 'alice', usual, true),
      rec(T - 20 * HOUR + 30_000, { endpoint: '/api/v1/users/alice', ip: usual, user_id: 'alice' }),
      attempt(T + 25 * MIN, 'alice', usual, true),
      // bob: mistypes during the wave from his usual address, then gets in.
      attempt(T - 19 * HOUR, 'bob', '49.36.201.7', true),
      attempt(T + 33 * MIN, 'bob', '49.36.201.7', false),
      attempt(T + 33 * MIN + 8000, 'bob', '49.36.201.7', true),
      // carol: her provider gave her another address in the same /24 overnight.
      attempt(T - 18 * HOUR, 'carol', '46.84.90.10', true),
      attempt(T + 41 * MIN, 'carol', '46.84.90.77', true),
    ];
    const a = stuffingAlerts([...records, ...extra, ...owners(20, T - 20 * HOUR, T + 5 * MIN)]);
    expect(a).toHaveLength(1);
    expect(a[0]!.severity).toBe('critical');
    expect(named(a)).toEqual(taken.map((x) => x.account));
  });

  it('owners known from a baseline file are not named either', () => {
    const { records } = wave([]);
    const a0 = stuffingAlerts([...records, attempt(T + 25 * MIN, 'dave', '49.36.202.9', true)]);
    expect(named(a0)).toEqual(['dave']); // new to the log, in the wave's network, during it: taken as the wave's
    const baseline = {
      schemaVersion: '1',
      createdAt: new Date(T - 30 * 24 * HOUR).toISOString(),
      origin: 'file' as const,
      period: { start: T - 30 * 24 * HOUR, end: T - 24 * HOUR },
      actors: {
        'user:dave': { hoursOfWeek: Array<number>(168).fill(0), routes: {}, countries: {}, ips: { '49.36.202.9': 40 }, requestsPerHour: { median: 1, p99: 2 }, bytesPerHour: { median: 1, mad: 0, p99: 1 }, activeDays: 10, firstSeen: T - 30 * 24 * HOUR, lastSeen: T - 24 * HOUR },
      },
      routes: {},
    };
    const a1 = runFlat(byTime([...records, attempt(T + 25 * MIN, 'dave', '49.36.202.9', true)]), { only, baseline }).alerts;
    expect(a1.map((x) => x.severity)).toEqual(['high']);
    expect(named(a1)).toEqual([]);
  });

  it('a login from a new address in a network the wave does not use is not named, but the alert no longer says no success was seen', () => {
    const { records } = wave([]);
    const a = stuffingAlerts([...records, attempt(T + 25 * MIN, 'erin', '93.184.216.34', true)]);
    expect(a.map((x) => x.severity)).toEqual(['high']);
    expect(named(a)).toEqual([]);
    expect(a[0]!.summary).not.toMatch(/no success observed/);
    expect(a[0]!.summary).toMatch(/1 login succeeded during it from an address new to its account/);
  });
});

describe('credential-stuffing: benign look-alikes of a distributed wave', () => {
  it('an office NAT (many users, a few typos) stays quiet', () => {
    const { records } = lookalikeScenario('office-nat');
    expect(atLeast(runFlat(records, { only }).alerts, 'low')).toEqual([]);
  });

  it('a busy morning of home users, a few mistyping and some giving up, names no one as taken over', () => {
    // 3,000 customers log in between 08:00 and 09:00, each from their own address in a dozen
    // provider networks, new to the log; 10% mistype first, 4% give up after a try or two.
    const out: FlatRecord[] = [];
    const t0 = Date.UTC(2025, 2, 5, 8);
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let k = 0; k < 3000; k++) {
      const user = `m${k}`;
      const ip = `${POOL[k % POOL.length]}.${1 + Math.floor(k / 12) % 250}.${1 + ((k * 31) % 250)}`;
      let t = t0 + Math.floor(rnd() * HOUR);
      const r = rnd();
      if (r < 0.04) {
        out.push(attempt(t, user, ip, false, UAS[k % 5]));
        if (rnd() < 0.5) out.push(attempt(t + 15_000, user, ip, false, UAS[k % 5]));
        continue;
      }
      if (r < 0.14) {
        out.push(attempt(t, user, ip, false, UAS[k % 5]));
        t += 5000 + Math.floor(rnd() * 20_000);
      }
      out.push(attempt(t, user, ip, true, UAS[k % 5]));
      out.push(rec(t + 4000, { endpoint: `/api/v1/users/${user}`, ip, user_id: user, user_agent: UAS[k % 5]! }));
    }
    const alerts = stuffingAlerts(out);
    expect(alerts.filter((a) => a.severity === 'critical')).toEqual([]);
    expect(named(alerts)).toEqual([]);
  });
});
