/**
 * authorization-probing through the real enricher and pipeline: a credential refused on many
 * different operations in minutes is found, and raised when it then reaches something privileged;
 * the look-alikes (a client retrying one forbidden call, an expired token, refused ids on one route,
 * refusals spread over an afternoon, a permission change that refuses every user the same calls, an
 * allow-listed scanner) stay quiet or low.
 */
import { describe, expect, it } from 'vitest';
import type { FlatRecord } from '../../fixtures/scenarios/generate.js';
import { authorizationProbing } from '../../src/detect/detectors/authorization-probing.js';
import type { RuleSet } from '../../src/rules/types.js';
import type { Alert } from '../../src/detect/types.js';
import { createPipeline } from '../../src/detect/index.js';
import { createEnricher } from '../../src/enrich/index.js';
import { geo, rec, runEvents, runFlat, shippedRules, toEvent } from './helpers.js';
import type { ApiEvent } from '../../src/normalise/event.js';

const T = Date.UTC(2025, 3, 8, 14); // a Tuesday, 14:00 UTC
const SEC = 1000;
const MIN = 60_000;
const detectors = [authorizationProbing];
const run = (records: FlatRecord[], rules = shippedRules): Alert[] =>
  runFlat([...records].sort((a, b) => a.timestamp.localeCompare(b.timestamp)), { rules, detectors }).alerts;

const ADMIN_ROUTES = [
  '/api/v1/admin/users', '/api/v1/admin/roles', '/api/v1/admin/audit-log', '/api/v1/admin/config', '/api/v1/admin/tenants',
  '/api/v1/admin/billing', '/api/v1/admin/feature-flags', '/api/v1/admin/api-keys', '/api/v1/admin/webhooks',
  '/api/v1/admin/exports', '/api/v1/admin/sso', '/api/v1/admin/impersonation',
];
const MALLORY = { user_id: 'u-4471', role: 'customer', ip: '5.188.10.44' };

/** `routes` refused one after another, `stepSec` apart, from `from`. */
function refused(routes: string[], from = T, stepSec = 15, who: Partial<FlatRecord> = MALLORY): FlatRecord[] {
  return routes.map((endpoint, i) => rec(from + i * stepSec * SEC, { endpoint, status: 403, bytes: 60, ...who }));
}

describe('authorization-probing: attacks', () => {
  it('12 different admin operations refused in 3 minutes make one medium incident, counted from the first refusal', () => {
    const alerts = run(refused(ADMIN_ROUTES));
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ rule: 'authorization-probing', severity: 'medium', subject: { user: 'u-4471' }, start: T, end: T + 11 * 15 * SEC });
    expect(a.evidence.metrics).toMatchObject({ distinctDenied: 12, denied: 12, peakDistinctInWindow: 12, privilegedSuccesses: 0 });
    expect(Object.keys(a.evidence.operations as object)).toHaveLength(10);
    expect(a.evidence.operations).toHaveProperty(['GET /api/v1/admin/api-keys'], 1);
    expect(a.evidence.samples[0]).toMatchObject({ time: T, path: '/api/v1/admin/users', status: 403 });
    expect(a.summary).toContain('refused 12 times on 12 different operations');
  });

  it('a write that then succeeds on an admin route raises it to high and names it', () => {
    const grant = rec(T + 5 * MIN, { endpoint: '/api/v1/admin/users/4471/roles', method: 'POST', status: 200, ...MALLORY });
    const a = run([...refused(ADMIN_ROUTES), grant])[0]!;
    expect(a.severity).toBe('high');
    expect(a.title).toBe('Authorization probing that reached POST /api/v1/admin/users/{id}/roles (user u-4471)');
    expect(a.evidence.successes).toEqual([{ operation: 'POST /api/v1/admin/users/{id}/roles', why: 'admin', status: 200 }]);
    expect(a.evidence.samples.some((s) => s.path === '/api/v1/admin/users/4471/roles' && s.status === 200)).toBe(true);
    expect(a.end).toBe(T + 5 * MIN);
  });

  it('a secret read that succeeded between the refusals, before the burst was known, counts too', () => {
    const early = [...refused(ADMIN_ROUTES.slice(0, 3)), rec(T + 50 * SEC, { endpoint: '/api/v1/secrets/stripe', status: 200, ...MALLORY })];
    const rest = refused(ADMIN_ROUTES.slice(3), T + 60 * SEC);
    const a = run([...early, ...rest])[0]!;
    expect(a.severity).toBe('high');
    expect(a.evidence.successes).toEqual([{ operation: 'GET /api/v1/secrets/stripe', why: 'secret', status: 200 }]);
  });

  it('a write that succeeds on a route it was refused on is high; one on another route of the folder, or elsewhere, is not', () => {
    const routes = ADMIN_ROUTES.map((r) => r.replace('/admin/', '/org/settings/'));
    const refusedRoute = rec(T + 4 * MIN, { endpoint: '/api/v1/org/settings/sso', method: 'PUT', status: 204, ...MALLORY });
    const a = run([...refused(routes), refusedRoute])[0]!;
    expect(a.severity).toBe('high');
    expect(a.evidence.successes).toEqual([{ operation: 'PUT /api/v1/org/settings/sso', why: 'write', status: 204 }]);
    const sibling = rec(T + 4 * MIN, { endpoint: '/api/v1/org/settings/branding-colours', method: 'PUT', status: 204, ...MALLORY });
    expect(run([...refused(routes), sibling])[0]!.severity).toBe('medium');
    const order = rec(T + 4 * MIN, { endpoint: '/api/v1/orders', method: 'POST', status: 201, ...MALLORY });
    expect(run([...refused(routes), order])[0]!.severity).toBe('medium');
  });

  it('an admin role doing admin work after refusals is no way in: it stays medium', () => {
    const admin = { ...MALLORY, role: 'admin' };
    const grant = rec(T + 5 * MIN, { endpoint: '/api/v1/admin/users/4471/roles', method: 'POST', status: 200, ...admin });
    expect(run([...refused(ADMIN_ROUTES, T, 15, admin), grant])[0]!.severity).toBe('medium');
  });

  it("counts the user agents of the refusals made before the burst opened, as it counts their IPs", () => {
    const a = run(refused(ADMIN_ROUTES))[0]!;
    const total = (m: unknown) => Object.values(m as Record<string, number>).reduce((x, y) => x + y, 0);
    expect(total(a.evidence.userAgents)).toBe(12);
  });
});

describe('authorization-probing: look-alikes stay quiet', () => {
  it('a client retrying one forbidden call 200 times', () => {
    const retries = Array.from({ length: 200 }, (_, i) => rec(T + i * 3 * SEC, { endpoint: '/api/v1/admin/users', status: 403, ...MALLORY }));
    expect(run(retries)).toEqual([]);
  });

  it('an expired token refused (401) on 15 different routes at once', () => {
    const routes = Array.from({ length: 15 }, (_, i) => `/api/v1/widgets/w${i}`);
    expect(run(routes.map((endpoint, i) => rec(T + i * 100, { endpoint, status: 401, ...MALLORY })))).toEqual([]);
  });

  it('60 refused ids on one route (one operation: that is enumeration, not this)', () => {
    const ids = Array.from({ length: 60 }, (_, i) => rec(T + i * 5 * SEC, { endpoint: `/api/v1/orders/${7000 + i}`, status: 403, ...MALLORY }));
    expect(run(ids)).toEqual([]);
  });

  it('11 refusals spread over an afternoon', () => {
    expect(run(refused(ADMIN_ROUTES.slice(0, 11), T, 20 * 60))).toEqual([]);
  });

  it('9 different refusals in the window (one under the bar)', () => {
    expect(run(refused(ADMIN_ROUTES.slice(0, 9)))).toEqual([]);
  });

  it('an allow-listed security scanner', () => {
    const rules: RuleSet = { ...shippedRules, allow: { ...shippedRules.allow, ips: ['5.188.10.44'] } };
    expect(run(refused(ADMIN_ROUTES), rules)).toEqual([]);
  });
});

describe('authorization-probing: a permission change', () => {
  it('five users refused the same twelve calls in the same minutes are each low, and say why', () => {
    const records = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5'].flatMap((user_id, k) =>
      refused(ADMIN_ROUTES.map((r) => r.replace('/admin/', '/dashboard/')), T + k * 7 * SEC, 15, { user_id, ip: `2.205.77.${10 + k}` }),
    );
    const alerts = run(records);
    expect(alerts).toHaveLength(5);
    expect(alerts.map((a) => a.severity)).toEqual(['low', 'low', 'low', 'low', 'low']);
    expect(alerts[0]!.severityReason).toContain('refused to at least 3 other actors as well');
  });

  it('judged on the whole input: four users refused the same calls one after another are all low, the first as the last', () => {
    const records = ['u-1', 'u-2', 'u-3', 'u-4'].flatMap((user_id, k) =>
      refused(ADMIN_ROUTES.map((r) => r.replace('/admin/', '/dashboard/')), T + k * 45 * MIN, 15, { user_id, ip: `2.205.77.${10 + k}` }),
    );
    expect(run(records).map((a) => [a.subject.user, a.severity])).toEqual([['u-1', 'low'], ['u-2', 'low'], ['u-3', 'low'], ['u-4', 'low']]);
  });

  it('a non-admin who reaches an admin route among refusals shared with others is still high', () => {
    const members = ['u-1', 'u-2', 'u-3'].flatMap((user_id, k) => refused(ADMIN_ROUTES, T + k * 7 * SEC, 15, { user_id, role: 'member', ip: `2.205.77.${10 + k}` }));
    const keys = rec(T + 6 * MIN, { endpoint: '/api/v1/admin/api-keys', status: 200, ...MALLORY });
    const alerts = run([...members, ...refused(ADMIN_ROUTES, T + 2 * MIN), keys]);
    const mallory = alerts.find((a) => a.subject.user === 'u-4471')!;
    expect(mallory.severity).toBe('high');
    expect(mallory.severityReason).toContain('refused to other actors as well');
    expect(alerts.filter((a) => a.subject.user !== 'u-4471').map((a) => a.severity)).toEqual(['low', 'low', 'low']);
  });

  it('two users probing the same routes are still two probes (medium)', () => {
    const records = ['u-1', 'u-2'].flatMap((user_id, k) => refused(ADMIN_ROUTES, T + k * 7 * SEC, 15, { user_id }));
    expect(run(records).map((a) => a.severity)).toEqual(['medium', 'medium']);
  });
});

describe('authorization-probing: options', () => {
  it('a secretOperations entry that is no route pattern is refused with its index', () => {
    const check = authorizationProbing.meta.checkOption!;
    expect(check('secretOperations', ['/**/secrets/**', 're:^kms\\.amazonaws\\.com:Decrypt$'])).toBeNull();
    expect(check('secretOperations', ['/**/secrets/**', 'secrets'])).toEqual({ index: 1, problem: 'a route pattern starts with "/" (or is "re:<regex>")' });
  });
});

describe('authorization-probing: live (--follow)', () => {
  it('is reported once the incident gap has passed in event time, before the run ends', () => {
    const heard: Alert[] = [];
    const p = createPipeline({ detectors, rules: shippedRules, geo, live: true, onAlert: (a) => heard.push(a) });
    const enrich = createEnricher(shippedRules);
    const events = refused(ADMIN_ROUTES).map((r, i) => toEvent(r, 'live.ndjson', i + 1));
    for (const e of events) p.push(enrich(e));
    const last = events[events.length - 1]!.ts;
    p.advance!(last + 20 * MIN);
    expect(heard).toEqual([]);
    p.advance!(last + 31 * MIN);
    expect(heard.map((a) => [a.rule, a.severity, a.subject.user])).toEqual([['authorization-probing', 'medium', 'u-4471']]);
  });
});

describe('authorization-probing: what a review found', () => {
  const HOUR = 60 * MIN;
  /** A status-less action event, as CloudTrail's are normalised (auth from errorCode). */
  const call = (ts: number, action: string, auth: 'success' | 'denied' | 'unknown', line: number): ApiEvent => ({
    ts, ip: '185.220.101.45', user: 'arn:aws:iam::1:user/ci', method: action.includes(':Create') ? 'POST' : 'GET', action, auth,
    format: 'cloudtrail', source: { file: 'ct.json', line }, raw: {},
  });
  const iamDenied = ['ListUsers', 'ListRoles', 'ListPolicies', 'GetUser', 'ListGroups', 'ListAccessKeys', 'GetAccountSummary', 'ListMFADevices', 'ListSAMLProviders', 'GetAccountAuthorizationDetails', 'ListInstanceProfiles']
    .map((n, i) => call(T + i * 3 * SEC, `iam.amazonaws.com:${n}`, 'denied', i + 1));

  it('a call that failed with another error (no such secret, user exists) is no success; one without an error is', () => {
    const failed = [call(T + 40 * SEC, 'secretsmanager.amazonaws.com:GetSecretValue', 'unknown', 20), call(T + 43 * SEC, 'iam.amazonaws.com:CreateUser', 'unknown', 21)];
    const a = runEvents([...iamDenied, ...failed], { detectors }).alerts[0]!;
    expect([a.severity, a.evidence.successes]).toEqual(['medium', undefined]);
    const read = call(T + 40 * SEC, 'secretsmanager.amazonaws.com:GetSecretValue', 'success', 20);
    expect(runEvents([...iamDenied, read], { detectors }).alerts[0]!.severity).toBe('high');
  });

  it('an anonymous client refused everywhere (a WAF answering a scanner with 403) is not this detector\'s', () => {
    const scan = ['/.env', '/.git/config', '/wp-login.php', '/phpmyadmin', '/server-status', '/backup.zip', '/config.php', '/.aws/credentials', '/admin.php', '/debug', '/console', '/actuator/env']
      .map((endpoint, i) => rec(T + i * SEC, { endpoint, status: 403, ip: '45.9.20.7' }));
    expect(run([...scan, rec(T + 30 * SEC, { endpoint: '/admin/', status: 200, ip: '45.9.20.7' })])).toEqual([]);
  });

  it('refusals of others days before are not shared: the probe stays medium', () => {
    const earlier = ['u-a', 'u-b', 'u-c'].flatMap((user_id, k) => refused(ADMIN_ROUTES, T - (3 - k) * 24 * HOUR, 600, { user_id }));
    const mallory = run([...earlier, ...refused(ADMIN_ROUTES)]).find((a) => a.subject.user === 'u-4471')!;
    expect([mallory.severity, mallory.evidence.metrics.sharedOperations]).toEqual(['medium', 0]);
  });

  it('successes do not keep the incident open: it ends the incident gap after the last refusal', () => {
    // Admin reads every 20 minutes: the first two fall within 30 minutes of the last refusal (T+2m45s).
    const reads = [10, 30, 50, 70, 90, 110].map((min) => rec(T + min * MIN, { endpoint: '/api/v1/admin/users', status: 200, ...MALLORY }));
    const grant = rec(T + 2 * HOUR, { endpoint: '/api/v1/admin/users/4471/roles', method: 'POST', status: 200, ...MALLORY });
    const a = run([...refused(ADMIN_ROUTES), ...reads, grant])[0]!;
    expect([a.severity, a.end]).toEqual(['high', T + 30 * MIN]);
    expect(a.evidence.successes).toEqual([{ operation: 'GET /api/v1/admin/users', why: 'admin', status: 200 }]);
  });

  it('ordinary writes between the first refusals do not push out a secret read made before the burst', () => {
    const early = [...refused(ADMIN_ROUTES.slice(0, 3)), rec(T + 50 * SEC, { endpoint: '/api/v1/secrets/stripe', status: 200, ...MALLORY })];
    const orders = Array.from({ length: 5 }, (_, i) => rec(T + 52 * SEC + i * SEC, { endpoint: '/api/v1/orders', method: 'POST', status: 201, ...MALLORY }));
    const a = run([...early, ...orders, ...refused(ADMIN_ROUTES.slice(3), T + 60 * SEC)])[0]!;
    expect([a.severity, a.evidence.successes]).toEqual(['high', [{ operation: 'GET /api/v1/secrets/stripe', why: 'secret', status: 200 }]]);
  });

  it('thousands of retries of one call do not fill the window and hide a probe after them', () => {
    const retries = Array.from({ length: 5_200 }, (_, i) => rec(T + i * 90, { endpoint: '/api/v1/admin/users', status: 403, ...MALLORY }));
    const probe = refused(ADMIN_ROUTES.slice(1), T + 5_200 * 90, 2);
    expect(run([...retries, ...probe]).map((a) => a.severity)).toEqual(['medium']);
  });

  it('samples each privileged operation once: three admin reads of one route leave room for the secret read', () => {
    const reads = [0, 1, 2].map((k) => rec(T + 4 * MIN + k * SEC, { endpoint: '/api/v1/admin/users', status: 200, ...MALLORY }));
    const secret = rec(T + 5 * MIN, { endpoint: '/api/v1/secrets/db', status: 200, ...MALLORY });
    const a = run([...refused(ADMIN_ROUTES), ...reads, secret])[0]!;
    const okPaths = a.evidence.samples.filter((x) => x.status === 200).map((x) => x.path);
    expect(okPaths).toEqual(['/api/v1/admin/users', '/api/v1/secrets/db']);
  });
});
