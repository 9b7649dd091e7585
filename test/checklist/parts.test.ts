import { describe, expect, it } from 'vitest';
import { maskQuery, maskSecret, reservedRangeName } from '../../src/checklist/index.js';
import { actorKind, clientKind, modificationKind, statusClass } from '../../src/checklist/classify.js';
import { createRouteClassifier } from '../../src/checklist/routes.js';
import { testRules } from './helpers.js';
import { answerFit, answerPattern, type FitFacts } from '../../src/checklist/answers.js';
import type { AlertRecord } from '../../src/report/records.js';
import type { ActorBaseline, Baseline } from '../../src/baseline/types.js';

describe('masking', () => {
  it('keeps the first 8 characters of a secret (half of a short one)', () => {
    expect(maskSecret('ak_live_0123456789')).toBe('ak_live_…');
    expect(maskSecret('abcdef')).toBe('abc…');
    expect(maskSecret('')).toBe('');
  });
  it('masks secret-looking query parameters only', () => {
    // The hygiene masker first: its masks say the kind, length and hash of the whole value.
    expect(maskQuery('page=2&api_key=0123456789abcdef&q=x')).toBe('page=2&api_key=01234…[REDACTED api-key len=16 sha256:9f9f5111]&q=x');
    expect(maskQuery('access_token=eyJhbGciOiJIUzI1NiJ9.x.y&page=2')).toBe('access_token=[REDACTED token len=24 sha256:ec6d511c]&page=2');
    // Then what only a parameter's name says is secret keeps its first characters.
    expect(maskQuery('password=hunter2&sig=abc&flag')).toBe('password=[REDACTED password]&sig=a…&flag');
    expect(maskQuery('keyword=shoes')).toBe('keyword=shoes');
  });
});

describe('reserved ranges', () => {
  it.each([
    ['198.51.100.25', 'documentation (RFC 5737)'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.20.0.1', 'private (RFC 1918)'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:192.168.1.1', 'private (RFC 1918)'],
    ['2001:db8::1', 'documentation (RFC 3849)'],
    ['fd00::1', 'unique local (RFC 4193)'],
    ['100.64.1.1', 'carrier-grade NAT (RFC 6598)'],
  ])('%s is %s', (ip, name) => {
    expect(reservedRangeName(ip)).toBe(name);
  });
  it('public and invalid addresses have no range name', () => {
    expect(reservedRangeName('81.2.69.10')).toBeUndefined();
    expect(reservedRangeName('not-an-ip')).toBeUndefined();
    expect(reservedRangeName(undefined)).toBeUndefined();
  });
});

describe('classifiers', () => {
  it('tells crawlers, scripts and browsers apart', () => {
    expect(clientKind('Mozilla/5.0 (compatible; bingbot/2.0)')).toBe('crawler');
    expect(clientKind('sqlmap/1.7')).toBe('crawler');
    expect(clientKind('curl/8.4.0')).toBe('script');
    expect(clientKind('Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0')).toBe('browser');
    expect(clientKind(undefined)).toBe('none');
  });
  it('names service accounts', () => {
    expect(actorKind('svc-billing', undefined, undefined, 'none')).toBe('service');
    expect(actorKind('reports-service', undefined, undefined, 'none')).toBe('service');
    expect(actorKind('arn:aws:iam::123456789012:role/deployer', undefined, undefined, 'none')).toBe('service');
    expect(actorKind(undefined, 'key1', undefined, 'none')).toBe('service');
    expect(actorKind('alice', undefined, ['analyst'], 'browser')).toBe('human');
    expect(actorKind('alice', undefined, undefined, 'crawler')).toBe('crawler');
    expect(actorKind(undefined, undefined, undefined, 'none')).toBe('unknown');
  });
  it('AWS principals: roles and their sessions are machines, except the sessions people sign in with', () => {
    const kind = (user: string) => actorKind(user, undefined, undefined, 'none');
    expect(kind('arn:aws:sts::123456789012:assumed-role/BankingWAFRole/i-0317f6c6b66ae9c40')).toBe('service');
    expect(kind('arn:aws:sts::123456789012:assumed-role/lambda-exec/my-function')).toBe('service');
    // IAM Identity Center (SSO) and SAML/OIDC federation: a person's session.
    expect(kind('arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_5f1c/alice@example.com')).toBe('human');
    expect(kind('arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0a1b/bob')).toBe('human');
    expect(kind('arn:aws:sts::111122223333:assumed-role/Okta-Admins/carol@example.com')).toBe('human');
    expect(kind('arn:aws-us-gov:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_9f/dan')).toBe('human');
    expect(kind('arn:aws:iam::111122223333:role/deployer')).toBe('service');
    // IAM users and federation-token users by how their name ends, as other names.
    expect(kind('arn:aws:iam::111122223333:user/engineering/backup-svc')).toBe('service');
    expect(kind('arn:aws:iam::111122223333:user/alice')).toBe('human');
    expect(kind('arn:aws:sts::111122223333:federated-user/erin')).toBe('human');
    // A session named like an address but not an email stays a machine's.
    expect(kind('arn:aws:sts::111122223333:assumed-role/deploy/terraform@ci-runner')).toBe('service');
    // As CloudTrail gives them: the session's role ARN among the roles does not make the person a
    // service account, whatever the permission set is called.
    const sso = 'arn:aws:sts::1:assumed-role/AWSReservedSSO_SystemAdministrator_x/alice@example.com';
    const roles = ['AssumedRole', 'arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_SystemAdministrator_x'];
    expect(actorKind(sso, undefined, roles, 'none')).toBe('human');
    expect(actorKind('svc-sync', undefined, ['integration'], 'none')).toBe('service');
    expect(actorKind('alice', undefined, ['system-operator'], 'none')).toBe('service');
  });
  it('classifies statuses and modifications', () => {
    expect(statusClass(401, undefined)).toBe('auth-failure');
    expect(statusClass(200, 'failure')).toBe('auth-failure');
    expect(statusClass(200, 'denied')).toBe('auth-failure');
    expect(statusClass(undefined, 'denied')).toBe('auth-failure');
    expect(statusClass(undefined, 'success')).toBe('success');
    expect(statusClass(404, undefined)).toBe('client-error');
    expect(statusClass(503, undefined)).toBe('server-error');
    expect(statusClass(undefined, undefined)).toBe('unknown');
    expect(modificationKind('PATCH', undefined)).toBe('update');
    expect(modificationKind(undefined, 's3.amazonaws.com:DeleteObject')).toBe('delete');
    expect(modificationKind(undefined, 's3.amazonaws.com:GetObject')).toBeNull();
    expect(modificationKind('GET', 'x:DeleteThing')).toBeNull();
  });
});

describe('route classification from the rules', () => {
  const rules = testRules({
    classification: [
      { pattern: 'POST /api/v1/orders', kind: 'financial' },
      { pattern: '/api/v1/orders/**', kind: 'business' },
      { pattern: 're:^/api/v\\d+/users/', kind: 'personal' },
    ],
  });
  const c = createRouteClassifier(rules);

  it('matches data kinds, method-prefixed patterns and regexes', () => {
    expect(c.info('POST', '/api/v1/orders').kinds).toEqual(['financial', 'business']);
    expect(c.info('GET', '/api/v1/orders').kinds).toEqual(['business']);
    expect(c.info('GET', '/api/v2/users/{id}').kinds).toEqual(['personal']);
    expect(c.info('GET', '/api/v2/users/{id}').sensitive).toBe(true);
    expect(c.info('GET', '/api/v1/admin/users/{id}').admin).toBe(true);
    expect(c.info('GET', '/api/v1/exports/all').export).toBe(true);
    expect(c.info('GET', '/api/v1/orders/{id}').single).toBe(true);
  });

  it('finds the permissions a request needs and who holds them', () => {
    expect(c.info('POST', '/api/v1/orders').permissions).toEqual([{ permission: 'create_order', spec: 'POST /api/v1/orders' }]);
    expect(c.info('GET', '/api/v1/orders').permissions).toEqual([{ permission: 'read_orders', spec: 'GET /api/v1/orders/**' }]);
    expect(c.info('PUT', '/api/v1/orders').permissions).toEqual([]);
    expect(c.policy.holds('external_partner', 'create_order')).toBe(true);
    expect(c.policy.holds('analyst', 'create_order')).toBe(false);
    expect(c.policy.holds('admin', 'anything')).toBe(true);
  });

  it('reports a bad pattern with where it came from', () => {
    expect(() => createRouteClassifier(testRules({ classification: [{ pattern: 'orders', kind: 'business' }] }))).toThrow(/classification\[0\]: invalid route pattern "orders"/);
  });
});

describe('question 10 against a baseline learned from the input', () => {
  const actor = (bytesP99: number): ActorBaseline => ({
    hoursOfWeek: Array.from({ length: 168 }, (_, i) => (i % 24 >= 9 && i % 24 < 17 ? 10 : 0)),
    routes: { 'GET /api/v1/export/orders': 300 },
    countries: { DE: 400 },
    ips: {},
    requestsPerHour: { median: 8, p99: 238 },
    bytesPerHour: { median: 66_000, mad: 4_000, p99: bytesP99 },
    activeDays: 4,
    firstSeen: 0,
    lastSeen: 1,
    requests: 400,
  });
  const facts: FitFacts = {
    actor: 'user:u1', ts: Date.UTC(2025, 2, 11, 10), slot: 34, ip: '2.205.77.1', country: 'DE', routeKey: 'GET /api/v1/export/orders',
    hourCount: 25, hourBytes: 50 * 1024 * 1024, requestsInInput: 100, firstInInput: 0, ipsBefore: 1, countriesBefore: ['DE'], hoursInInput: [10],
    flags: [], newCountrySince: undefined, named: true, usualHour: undefined,
  };
  const baseline = (origin: 'input' | 'file', a: ActorBaseline): Baseline => ({
    schemaVersion: '1', createdAt: '', origin, period: { start: 0, end: 1 }, actors: { 'user:u1': a }, routes: {},
  });
  const rule = { volumeFactor: 5, volumeP99Factor: 2, volumeMin: 50 };

  it("counts an hour's volume far above the median as a deviation, though the input's p99 holds that very hour", () => {
    // The attack hour is in the input the baseline was learned from: its p99 is the attack's own.
    const fromInput = answerFit(facts, baseline('input', actor(60 * 1024 * 1024)), rule);
    expect(fromInput.answer).toMatch(/Deviates on 1 point: 50\.0 MiB returned this hour vs median 64\.5 KiB \(robust z \d+\.\d\)\./);
    expect(fromInput.notable).toBe(true);
    // Against a baseline file, the p99 is a bar: an actor whose hours reach that much fits.
    const fromFile = answerFit(facts, baseline('file', actor(60 * 1024 * 1024)), rule);
    expect(fromFile.answer).toMatch(/In line: .*50\.0 MiB returned this hour vs median 64\.5 KiB/);
  });
});

describe('question 8', () => {
  const alert = (id: string, summary: string, related?: AlertRecord['related']): AlertRecord => ({
    type: 'alert', id, rule: id === 'A1' ? 'credential-stuffing' : 'data-exfiltration', severity: 'critical', title: 't', subject: { user: 'victim' },
    start: '2025-03-11T03:00:00.000Z', end: '2025-03-11T05:00:00.000Z', summary, severityReason: 'r', evidence: { metrics: {}, thresholds: {}, samples: [] }, references: [],
    ...(related ? { related } : {}),
  });

  it('names each alert, says which follows a takeover, and joins summaries without stray stops', () => {
    const a = answerPattern(
      [alert('A1', 'IP 5.228.1.10 made 40 failed logins; then 1 successful login as victim.'), alert('A2', 'user victim received 300 MiB.', [{ id: 'A1', relation: 'follows-takeover' }])],
      ['in-alert'],
    );
    expect(a.answer).toBe(
      'Part of 2 alerts: A1 credential-stuffing (critical): IP 5.228.1.10 made 40 failed logins; then 1 successful login as victim; A2 data-exfiltration (critical) (follows the account takeover in A1): user victim received 300 MiB.',
    );
    expect(a.notable).toBe(true);
  });
});
