import { describe, expect, it } from 'vitest';
import { attackScenario, lookalikeScenario, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import type { RuleSet } from '../../src/rules/types.js';
import { atLeast, rec, runFlat, shippedRules } from './helpers.js';

const T = Date.UTC(2025, 2, 11, 3);
const only = ['credential-stuffing'];
const login = '/api/v1/auth/login';

function fail(ts: number, user: string | undefined, ip: string): FlatRecord {
  return rec(ts, { endpoint: login, method: 'POST', status: 401, ip, ...(user ? { user_id: user } : {}) });
}
function ok(ts: number, user: string, ip: string): FlatRecord {
  return rec(ts, { endpoint: login, method: 'POST', status: 200, ip, user_id: user });
}

/** Records in time order, as a log holds them. */
function byTime(recs: FlatRecord[]): FlatRecord[] {
  return recs.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
}

describe('credential-stuffing', () => {
  it('finds the stuffing campaign and the account it broke into (critical)', () => {
    const { records, labels } = attackScenario('credential-stuffing');
    const alerts = runFlat(records, { only }).alerts;
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.subject).toEqual(labels[0]!.subject);
    expect(a.severity).toBe('critical');
    expect(a.evidence.metrics.variant).toBe('stuffing');
    expect(a.summary).toMatch(/then 1 successful login as 1077/);
    expect(a.evidence.samples.some((s) => s.status === 200)).toBe(true);
  });

  it('names the account a login that named none was used for: the IP acts as it right after (not a colleague active from the IP during the attack)', () => {
    const attacker = '45.155.205.233';
    const recs: FlatRecord[] = [
      ...Array.from({ length: 40 }, (_, k) => fail(T + k * 3000, undefined, attacker)),
      // A colleague behind the same address, during the failures.
      rec(T + 20 * 3000 + 500, { endpoint: '/v1/accounts/me', status: 200, ip: attacker, user_id: 'alice' }),
      rec(T + 40 * 3000, { endpoint: login, method: 'POST', status: 200, ip: attacker }),
      rec(T + 40 * 3000 + 6000, { endpoint: '/v1/accounts/me', status: 200, ip: attacker, user_id: 'u-77120' }),
      rec(T + 40 * 3000 + 9000, { endpoint: '/v1/payees', method: 'POST', status: 201, ip: attacker, user_id: 'u-77120' }),
      rec(T + 40 * 3000 + 12_000, { endpoint: '/v1/accounts/me', status: 200, ip: attacker, user_id: 'alice' }),
      // Long after the login: no longer taken as its account.
      rec(T + 40 * 3000 + 30 * 60_000, { endpoint: '/v1/accounts/me', status: 200, ip: attacker, user_id: 'bob' }),
    ];
    const a = runFlat(recs, { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.severity).toBe('critical');
    expect(a[0]!.summary).toMatch(/then 1 successful login, after which the IP acted as u-77120\.$/);
    expect(a[0]!.severityReason).toMatch(/the login record names no account; the IP then acted as u-77120\)/);
    expect(a[0]!.evidence.metrics).toMatchObject({ successesAfter: 1, actedAsAfterLogin: 'u-77120' });
    expect(a[0]!.evidence.samples.some((x) => x.note === 'acting as u-77120 after the login')).toBe(true);
  });

  it('without a success it is high, and names the variant', () => {
    const recs = Array.from({ length: 40 }, (_, k) => fail(T + k * 3000, `acct${k}`, '5.228.1.10'));
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => [x.severity, x.evidence.metrics.variant])).toEqual([['high', 'stuffing']]);
  });

  it('recognises password spraying (a few tries on each of several accounts, paced)', () => {
    const recs: FlatRecord[] = [];
    let t = T;
    for (let round = 0; round < 4; round++) for (let u = 0; u < 8; u++) recs.push(fail((t += 20_000), `staff${u}`, '5.228.1.11'));
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => x.evidence.metrics.variant)).toEqual(['password-spraying']);
  });

  it('recognises brute force on one account (medium) and success after it (critical)', () => {
    const recs = Array.from({ length: 15 }, (_, k) => fail(T + k * 2000, 'alice', '5.228.1.12'));
    expect(runFlat(recs, { only }).alerts.map((x) => [x.severity, x.evidence.metrics.variant])).toEqual([['medium', 'brute-force']]);
    const won = runFlat([...recs, ok(T + 60_000, 'alice', '5.228.1.12')], { only }).alerts;
    expect(won.map((x) => x.severity)).toEqual(['critical']);
  });

  it('recognises a distributed attack on one account from many IPs', () => {
    const recs = Array.from({ length: 12 }, (_, k) => fail(T + k * 30_000, 'ceo', `5.228.1.${20 + k}`));
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => [x.subject, x.evidence.metrics.variant])).toEqual([[{ user: 'ceo' }, 'distributed']]);
    const later = runFlat([...recs, ok(T + 30 * 60_000, 'ceo', '41.206.1.5')], { only }).alerts;
    expect(later[0]!.severity).toBe('high');
    expect(later[0]!.severityReason).toMatch(/another IP/);
  });

  it('recognises low-and-slow spraying from many IPs against many accounts', () => {
    const recs: FlatRecord[] = [];
    for (let k = 0; k < 30; k++) recs.push(fail(T + k * 20_000, `user${k % 12}`, `41.220.77.${10 + (k % 10)}`));
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => x.evidence.metrics.variant)).toEqual(['distributed']);
    expect(a[0]!.subject).toEqual({ route: login });
  });

  it('counts 401/403/429 on login routes but not 403 elsewhere (authorisation, not authentication)', () => {
    const forbidden = Array.from({ length: 40 }, (_, k) => rec(T + k * 1000, { endpoint: `/api/v1/orders/${k}`, status: 403, user_id: `u${k}`, ip: '5.228.1.13' }));
    expect(runFlat(forbidden, { only }).alerts).toEqual([]);
    const limited = Array.from({ length: 40 }, (_, k) => rec(T + k * 1000, { endpoint: '/oauth/token', method: 'POST', status: 429, user_id: `u${k}`, ip: '5.228.1.14' }));
    expect(runFlat(limited, { only }).alerts).toHaveLength(1);
  });

  it('works without account names (e.g. Kong failures carry no consumer): per-IP counts', () => {
    const recs = Array.from({ length: 30 }, (_, k) => fail(T + k * 1000, undefined, '5.228.1.15'));
    const a = runFlat(recs, { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.summary).toMatch(/against accounts the log does not name .*stuffing, spraying and brute force look alike: .*--map user=/);
  });

  it('a gateway log beside the app log: failures naming no account are counted, not listed as an account named ""', () => {
    // Each attempt logged twice: by the gateway (no account) and by the app (the account tried).
    const recs = Array.from({ length: 20 }, (_, k) => [fail(T + k * 3000, undefined, '5.228.1.16'), fail(T + k * 3000 + 400, `victim${k}`, '5.228.1.16')]).flat();
    const a = runFlat(recs, { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.evidence.metrics).toMatchObject({ failures: 40, accounts: 20, failuresNamingNoAccount: 20, variant: 'stuffing' });
    const accounts = a[0]!.evidence.accounts as Record<string, number>;
    expect(Object.keys(accounts)).not.toContain('');
    expect(Object.keys(accounts)).toHaveLength(10);
  });

  it('keeps an office NAT quiet: many users, mostly successes, each with their own typo', () => {
    const { records } = lookalikeScenario('office-nat');
    expect(atLeast(runFlat(records, { only }).alerts, 'low')).toEqual([]);
  });

  it('stays quiet for a user who mistypes twice and then logs in', () => {
    const recs = [fail(T, 'bob', '2.205.77.3'), fail(T + 5000, 'bob', '2.205.77.3'), ok(T + 12_000, 'bob', '2.205.77.3')];
    expect(runFlat(recs, { only }).alerts).toEqual([]);
  });

  it('ignores allowlisted sources', () => {
    const recs = Array.from({ length: 40 }, (_, k) => fail(T + k * 3000, `acct${k}`, '5.228.1.10'));
    const rules: RuleSet = { ...shippedRules, allow: { ...shippedRules.allow, ips: ['5.228.1.0/24'] } };
    expect(runFlat(recs, { only, rules }).alerts).toEqual([]);
  });

  it('an office NAT whose users\' tokens expire (401 on API calls naming no one, then a fresh login) stays quiet', () => {
    const nat = '80.12.40.9';
    const recs: FlatRecord[] = [];
    // 40 colleagues working through one address for an hour; every 4 minutes one token expires.
    for (let k = 0; k < 600; k++) recs.push(rec(T + k * 6000, { endpoint: `/api/v1/orders/${1000 + k}`, status: 200, user_id: `emp${k % 40}`, ip: nat }));
    for (let k = 0; k < 15; k++) {
      const t = T + k * 240_000 + 1500;
      recs.push(rec(t, { endpoint: '/api/v1/orders', status: 401, ip: nat }));
      recs.push(rec(t + 800, { endpoint: login, method: 'POST', status: 200, user_id: `emp${k}`, ip: nat }));
    }
    expect(runFlat(byTime(recs), { only }).alerts).toEqual([]);
  });

  it('keys or tokens guessed on API calls (401s naming no one, nothing else from the IP) are still found, and said as such', () => {
    const recs = Array.from({ length: 30 }, (_, k) => rec(T + k * 2000, { endpoint: `/api/v1/orders`, status: 401, ip: '5.228.1.17' }));
    const a = runFlat(recs, { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.subject).toEqual({ ip: '5.228.1.17' });
    expect(a[0]!.summary).toMatch(/^IP 5\.228\.1\.17 made 30 failed authentications on API calls \(401\)/);
    expect(a[0]!.summary).not.toMatch(/failed logins/);
  });

  it('a NAT with expiring tokens does not hide a brute force on the login from the same IP', () => {
    const nat = '80.12.40.10';
    const recs: FlatRecord[] = [];
    for (let k = 0; k < 600; k++) recs.push(rec(T + k * 6000, { endpoint: `/api/v1/orders/${1000 + k}`, status: 200, user_id: `emp${k % 40}`, ip: nat }));
    for (let k = 0; k < 15; k++) recs.push(rec(T + k * 240_000 + 1500, { endpoint: '/api/v1/orders', status: 401, ip: nat }));
    for (let k = 0; k < 25; k++) recs.push(fail(T + 1_800_000 + k * 5000, 'ceo', nat));
    const a = runFlat(byTime(recs), { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.evidence.metrics.variant).toBe('brute-force');
    expect(a[0]!.summary).toMatch(/failed logins against account ceo/);
  });

  it('expired tokens on API calls from many devices are not a distributed attack', () => {
    const recs: FlatRecord[] = [];
    for (let k = 0; k < 60; k++) recs.push(rec(T + k * 10_000, { endpoint: '/api/v1/orders', status: 401, user_id: `u${k % 12}`, ip: `41.220.77.${10 + (k % 20)}` }));
    expect(runFlat(recs, { only }).alerts).toEqual([]);
  });
});

describe('credential-stuffing: credentials on every call (HTTP Basic), and successes before the attack is established', () => {
  const api = '/shop/api/account';
  const attacker = '194.26.192.77';
  const call = (ts: number, user: string, status: number, ip = attacker, ua = 'python-requests/2.31.0'): FlatRecord =>
    rec(ts, { endpoint: api, method: 'GET', status, ip, user_id: user, user_agent: ua });

  it('a 2xx among the guesses, before the attack is established, is the takeover (critical), named with its account', () => {
    const recs = Array.from({ length: 130 }, (_, k) => call(T + k * 1500, k === 6 ? 'p.jones' : `guess${k}`, k === 6 ? 200 : 401));
    const a = runFlat(recs, { only }).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]!.severity).toBe('critical');
    expect(a[0]!.summary).toMatch(/129 failed authentications on API calls \(401\).*then 1 successful login as p\.jones\.$/);
    expect(a[0]!.evidence.takeover).toMatchObject({ basis: 'login', accounts: [{ account: 'p.jones', at: T + 6 * 1500, ip: attacker }] });
    expect(a[0]!.evidence.samples.find((x) => x.status === 200)).toMatchObject({ time: T + 6 * 1500, note: 'success during the attack, before it was established' });
  });

  it('a 2xx among the guesses after the attack is established is the takeover too, once per account', () => {
    const recs = Array.from({ length: 130 }, (_, k) => call(T + k * 1500, k >= 60 && k % 20 === 0 ? 'm.ruiz' : `guess${k}`, k >= 60 && k % 20 === 0 ? 200 : 401));
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['critical']);
    expect(a[0]!.evidence.metrics.successesAfter).toBe(1);
    expect(a[0]!.evidence.takeover).toMatchObject({ accounts: [{ account: 'm.ruiz', at: T + 60 * 1500 }] });
  });

  it('stays quiet about an account the address used before the attack began (a colleague behind the same NAT)', () => {
    const recs = byTime([
      call(T - 5 * 60_000, 'alice', 200, attacker, 'Mozilla/5.0'),
      ...Array.from({ length: 130 }, (_, k) => call(T + k * 1500, `guess${k}`, 401)),
      call(T + 10_000, 'alice', 200, attacker, 'Mozilla/5.0'),
      call(T + 100_000, 'alice', 200, attacker, 'Mozilla/5.0'),
    ]);
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => [x.severity, x.evidence.takeover])).toEqual([['high', undefined]]);
  });

  it('a 2xx as an account on another route, or 401s that name no account (bad tokens), is no takeover', () => {
    const other = byTime([
      ...Array.from({ length: 130 }, (_, k) => call(T + k * 1500, `guess${k}`, 401)),
      rec(T + 9_000, { endpoint: '/shop/api/catalogue', method: 'GET', status: 200, ip: attacker, user_id: 'p.jones' }),
    ]);
    expect(runFlat(other, { only }).alerts.map((x) => x.severity)).toEqual(['high']);
    const tokens = byTime([
      ...Array.from({ length: 130 }, (_, k) => rec(T + k * 1500, { endpoint: api, method: 'GET', status: 401, ip: attacker })),
      call(T + 9_000, 'p.jones', 200),
    ]);
    expect(runFlat(tokens, { only }).alerts.every((x) => x.evidence.takeover === undefined && x.severity !== 'critical')).toBe(true);
  });

  it("a job's stale password behind an office NAT, then colleagues' first calls there: no takeover (one account tried, another client)", () => {
    const nat = '203.0.113.10';
    const recs = byTime([
      ...Array.from({ length: 20 }, (_, k) => rec(T + k * 30_000, { endpoint: '/api/v1/builds', method: 'GET', status: 401, ip: nat, user_id: 'svc-ci', user_agent: 'ci-runner/1.0' })),
      rec(T + 12 * 60_000, { endpoint: '/api/v1/builds', method: 'GET', status: 200, ip: nat, user_id: 'bob', user_agent: 'Mozilla/5.0' }),
      rec(T + 13 * 60_000, { endpoint: '/api/v1/builds', method: 'GET', status: 200, ip: nat, user_id: 'carol', user_agent: 'python-requests/2.31.0' }),
      rec(T + 14 * 60_000, { endpoint: '/api/v1/builds', method: 'GET', status: 200, ip: nat, user_id: 'dan', user_agent: 'ci-runner/1.0' }),
    ]);
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => [x.severity, x.evidence.takeover])).toEqual([['medium', undefined]]);
  });

  it("a colleague's login behind the attacking NAT is no takeover: at home there before, or with another client", () => {
    const nat = '203.0.113.10';
    const stuffing = Array.from({ length: 40 }, (_, k) => rec(T + k * 3000, { endpoint: login, method: 'POST', status: 401, ip: nat, user_id: `acct${k}`, user_agent: 'python-requests/2.31' }));
    const dave = (ts: number) => rec(ts, { endpoint: login, method: 'POST', status: 200, ip: nat, user_id: 'dave', user_agent: 'Mozilla/5.0' });
    // At home there two hours before the attack.
    const home = runFlat(byTime([dave(T - 2 * 3_600_000), ...stuffing, { ...dave(T + 15_000), user_agent: 'python-requests/2.31' }]), { only }).alerts;
    expect(home.map((x) => [x.severity, x.evidence.takeover])).toEqual([['high', undefined]]);
    // First seen during the attack, with a browser where the attack scripts.
    const browser = runFlat(byTime([...stuffing, dave(T + 15_000)]), { only }).alerts;
    expect(browser.map((x) => [x.severity, x.evidence.takeover])).toEqual([['high', undefined]]);
  });

  it('a login that succeeds before the attack is established is the takeover (critical)', () => {
    const recs = Array.from({ length: 40 }, (_, k) => (k === 5 ? ok(T + k * 3000, 'victim7', '5.228.1.10') : fail(T + k * 3000, `acct${k}`, '5.228.1.10')));
    const a = runFlat(recs, { only }).alerts;
    expect(a.map((x) => x.severity)).toEqual(['critical']);
    expect(a[0]!.summary).toMatch(/then 1 successful login as victim7\.$/);
  });

  it("the evidence's user agents and routes add up to every failure, those before the alert opened too; accounts past the ten listed are counted", () => {
    const recs = Array.from({ length: 60 }, (_, k) => call(T + k * 1500, `guess${k}`, 401, attacker, k < 25 ? 'curl/8.1' : 'python-requests/2.31.0'));
    const a = runFlat(recs, { only }).alerts[0]!;
    const sum = (o: unknown) => Object.values(o as Record<string, number>).reduce((x, y) => x + y, 0);
    expect(a.evidence.metrics.failures).toBe(60);
    expect(a.evidence.userAgents).toEqual({ 'python-requests/2.31.0': 35, 'curl/8.1': 25 });
    expect(sum(a.evidence.routes)).toBe(60);
    expect(Object.keys(a.evidence.accounts as object)).toHaveLength(10);
    expect(a.evidence.accountsNotListed).toBe(50);
  });
});
