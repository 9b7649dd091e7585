/**
 * A hand-built, realistic report: alerts of every severity from several rules, flagged entries
 * for three actors, and a summary with files, issues, detectors and traffic tables.
 */
import type { AlertRecord, EntryRecord, SummaryRecord } from '../../src/report/records.js';
import { SCHEMA_VERSION } from '../../src/report/records.js';
import type { ReportOptions } from '../../src/report/index.js';

export const BASE_OPTIONS: ReportOptions = {
  format: 'text',
  color: false,
  width: 100,
  full: false,
  quiet: false,
  tz: 'UTC',
  entriesMode: 'flagged',
};

export function options(over: Partial<ReportOptions> = {}): ReportOptions {
  return { ...BASE_OPTIONS, ...over };
}

const OWASP_BOLA = 'https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/';
const OWASP_AUTH = 'https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/';

export function sampleAlerts(): AlertRecord[] {
  return [
    {
      type: 'alert',
      id: 'A1',
      rule: 'credential-stuffing',
      severity: 'critical',
      title: 'Credential stuffing against /login',
      subject: { ip: '203.0.113.9', route: '/login' },
      start: '2024-03-01T10:02:11.000Z',
      end: '2024-03-01T10:14:55.000Z',
      summary:
        '203.0.113.9 tried 212 distinct usernames on POST /login in 12 minutes: 480 failures, then 3 logins succeeded (bob, carol, dave).',
      severityReason: 'raised from high: logins succeeded after the failures',
      evidence: {
        metrics: { failures: 480, distinctUsers: 212, successes: 3, windowMinutes: 12 },
        thresholds: { failures: 50, distinctUsers: 20 },
        samples: [
          { time: Date.parse('2024-03-01T10:02:11Z'), file: 'logs/gateway.ndjson', line: 1188, requestId: 'req-9e1', method: 'POST', path: '/login', status: 401, ip: '203.0.113.9' },
          { time: Date.parse('2024-03-01T10:09:40Z'), file: 'logs/gateway.ndjson', line: 1204, requestId: 'req-9f2', method: 'POST', path: '/login', status: 200, ip: '203.0.113.9', note: 'first success' },
          { time: Date.parse('2024-03-01T10:10:02Z'), file: 'logs/gateway.ndjson', line: 1290, requestId: 'req-a03', method: 'POST', path: '/login', status: 200, ip: '203.0.113.9' },
          { time: Date.parse('2024-03-01T10:11:30Z'), file: 'logs/gateway.ndjson', line: 1322, requestId: 'req-a41', method: 'POST', path: '/login', status: 401, ip: '203.0.113.9' },
          { time: Date.parse('2024-03-01T10:12:00Z'), file: 'logs/gateway.ndjson', line: 1340, requestId: 'req-a52', method: 'POST', path: '/login', status: 401, ip: '203.0.113.9' },
          { time: Date.parse('2024-03-01T10:14:55Z'), file: 'logs/gateway.ndjson', line: 1391, requestId: 'req-a99', method: 'POST', path: '/login', status: 200, ip: '203.0.113.9' },
        ],
      },
      references: [OWASP_AUTH, 'OAT-008'],
    },
    {
      type: 'alert',
      id: 'A2',
      rule: 'bola-enumeration',
      severity: 'high',
      title: 'Object enumeration on /orders/{id}',
      subject: { user: 'alice', ip: '198.51.100.23' },
      start: '2024-03-01T11:00:05.000Z',
      end: '2024-03-01T11:09:48.000Z',
      summary: 'alice read 412 distinct order ids in 10 minutes; 398 returned 200 (ids 1001-1412, sequential).',
      severityReason: 'high: 97% of the reads succeeded',
      evidence: {
        metrics: { distinctIds: 412, successRate: 0.966, windowMinutes: 10, sequential: true },
        thresholds: { distinctIds: 50, windowMinutes: 10 },
        samples: [
          { time: Date.parse('2024-03-01T11:00:05Z'), file: 'logs/gateway.ndjson', line: 2001, requestId: 'req-b01', method: 'GET', path: '/orders/1001', status: 200 },
          { time: Date.parse('2024-03-01T11:00:06Z'), file: 'logs/gateway.ndjson', line: 2002, requestId: 'req-b02', method: 'GET', path: '/orders/1002', status: 200 },
        ],
      },
      references: [OWASP_BOLA],
    },
    {
      type: 'alert',
      id: 'A3',
      rule: 'error-storm',
      severity: 'medium',
      title: '4xx storm followed by a success',
      subject: { apiKey: 'key-7f3a', ip: '192.0.2.77' },
      start: '2024-03-01T12:30:00.000Z',
      end: '2024-03-01T12:31:10.000Z',
      summary: 'key-7f3a made 95 requests answered 403 in 70 s, then one 200 on DELETE /admin/users/{id}.',
      severityReason: 'medium: a single success after the storm',
      evidence: {
        metrics: { errors: 95, windowSeconds: 70 },
        thresholds: { errors: 50 },
        samples: [{ time: Date.parse('2024-03-01T12:31:10Z'), file: 'logs/admin.json', line: 77, method: 'DELETE', path: '/admin/users/42', status: 200 }],
      },
      references: [],
    },
    {
      type: 'alert',
      id: 'A4',
      rule: 'new-user-agent',
      severity: 'low',
      title: 'Unusual user agent for this actor',
      subject: { user: 'alice', userAgent: 'python-requests/2.31' },
      start: '2024-03-01T10:59:58.000Z',
      end: '2024-03-01T10:59:58.000Z',
      summary: 'alice used python-requests/2.31 for the first time (baseline: Mozilla/5.0 only).',
      severityReason: 'low: a new client alone is weak evidence',
      evidence: { metrics: { seenBefore: false }, thresholds: {}, samples: [] },
      references: [],
      sigma: { id: '5b4f1c7e-2a0c-4e4e-9d7e-3f5c1a2b9d10', title: 'Scripted client on a user account', tags: ['attack.t1059'] },
    },
    {
      type: 'alert',
      id: 'A5',
      rule: 'sensitive-query',
      severity: 'info',
      title: 'Token in a query string',
      subject: { user: 'svc-report' },
      start: '2024-03-01T09:15:00.000Z',
      end: '2024-03-01T09:15:00.000Z',
      summary: 'svc-report sent an access_token in the query string of GET /reports/daily.',
      severityReason: 'info: hygiene finding',
      evidence: { metrics: { requests: 1 }, thresholds: {}, samples: [{ time: Date.parse('2024-03-01T09:15:00Z'), file: 'logs/admin.json', line: 3 }] },
      references: ['OWASP API8:2023'],
    },
  ];
}

function entry(over: Partial<EntryRecord> & Pick<EntryRecord, 'time' | 'subject' | 'request'>): EntryRecord {
  return {
    type: 'entry',
    flags: [],
    answers: {},
    severity: 'info',
    alerts: [],
    source: { file: 'logs/gateway.ndjson', line: 1 },
    ...over,
  };
}

export function sampleEntries(): EntryRecord[] {
  return [
    entry({
      time: '2024-03-01T10:09:40.000Z',
      subject: { ip: '203.0.113.9' },
      request: { method: 'POST', path: '/login', template: '/login', status: 200, requestId: 'req-9f2', userAgent: 'curl/8.4.0' },
      flags: ['success-after-failures'],
      severity: 'critical',
      alerts: ['A1'],
      source: { file: 'logs/gateway.ndjson', line: 1204 },
      answers: {
        who: { answer: 'unauthenticated client 203.0.113.9', notable: false },
        status: { answer: 'succeeded after 312 failures from the same IP', notable: true, facts: { failuresBefore: 312 } },
      },
    }),
    entry({
      time: '2024-03-01T10:02:11.000Z',
      subject: { ip: '203.0.113.9' },
      request: { method: 'POST', path: '/login', template: '/login', status: 401, requestId: 'req-9e1' },
      flags: ['auth-failure'],
      severity: 'high',
      alerts: ['A1'],
      source: { file: 'logs/gateway.ndjson', line: 1188 },
    }),
    entry({
      time: '2024-03-01T11:00:05.000Z',
      subject: { user: 'alice', ip: '198.51.100.23', roles: ['customer'] },
      request: { method: 'GET', path: '/orders/1001', template: '/orders/{id}', status: 200, bytesOut: 1830, latencyMs: 41, requestId: 'req-b01' },
      flags: ['object-not-owned', 'enumeration'],
      severity: 'high',
      alerts: ['A2'],
      source: { file: 'logs/gateway.ndjson', line: 2001 },
      answers: { permissions: { answer: 'customer role reading another customer\'s order', notable: true } },
    }),
    entry({
      time: '2024-03-01T10:59:58.000Z',
      subject: { user: 'alice', ip: '198.51.100.23', userAgent: 'python-requests/2.31' },
      request: { method: 'GET', path: '/me', template: '/me', status: 200, requestId: 'req-aff' },
      flags: ['new-user-agent'],
      severity: 'low',
      alerts: ['A4'],
      source: { file: 'logs/gateway.ndjson', line: 1999 },
    }),
    entry({
      time: '2024-03-01T12:31:10.000Z',
      subject: { apiKey: 'key-7f3a', ip: '192.0.2.77' },
      request: { method: 'DELETE', path: '/admin/users/42', template: '/admin/users/{id}', status: 200, query: 'force=true' },
      flags: ['privileged-route', 'success-after-errors'],
      severity: 'medium',
      alerts: ['A3'],
      source: { file: 'logs/admin.json', line: 77 },
    }),
    entry({
      time: '2024-03-01T12:00:00.000Z',
      subject: { user: 'bob', ip: '203.0.113.50' },
      request: { method: 'GET', path: '/health', template: '/health', status: 200 },
      flags: [],
      severity: 'info',
      source: { file: 'logs/gateway.ndjson', line: 3000 },
    }),
  ];
}

export function sampleSummary(): SummaryRecord {
  return {
    type: 'summary',
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'apilog', version: '0.1.0' },
    partial: false,
    events: 48213,
    timeSpan: { start: '2024-03-01T09:00:00.000Z', end: '2024-03-01T13:59:59.000Z' },
    files: [
      {
        path: 'logs/gateway.ndjson',
        format: 'kong',
        confidence: 0.98,
        container: 'ndjson',
        gzip: false,
        events: 40000,
        malformed: 3,
        skipped: { 'no-timestamp': 2 },
        missingFields: ['apiKey'],
      },
      {
        path: 'logs/admin.json',
        format: 'aws-apigw',
        confidence: 1,
        container: 'json-array',
        gzip: true,
        events: 8213,
        malformed: 0,
        skipped: {},
        missingFields: [],
      },
    ],
    issues: [
      { kind: 'malformed-json', file: 'logs/gateway.ndjson', line: 17, message: 'Unexpected token } at column 88' },
      { kind: 'malformed-json', file: 'logs/gateway.ndjson', line: 912, message: 'Unterminated string' },
    ],
    issuesTotal: 3,
    detectors: [
      { id: 'credential-stuffing', status: 'ran', alerts: 1 },
      { id: 'bola-enumeration', status: 'ran', alerts: 1 },
      { id: 'error-storm', status: 'ran', alerts: 1 },
      { id: 'new-user-agent', status: 'ran', alerts: 1, notes: ['baseline insufficient for 2 actors: fixed thresholds used'] },
      { id: 'sensitive-query', status: 'ran', alerts: 1 },
      { id: 'impossible-travel', status: 'unavailable', reason: 'no GeoIP database (give one with --geoip FILE)', alerts: 0 },
      { id: 'sigma', status: 'disabled', reason: '--skip sigma', alerts: 0 },
    ],
    alerts: {
      total: 5,
      bySeverity: { critical: 1, high: 1, medium: 1, low: 1, info: 1 },
      byRule: { 'credential-stuffing': 1, 'bola-enumeration': 1, 'error-storm': 1, 'new-user-agent': 1, 'sensitive-query': 1 },
    },
    entries: { flagged: 5, written: 5 },
    baseline: { origin: 'input' },
    actors: [
      {
        actor: 'ip:203.0.113.9',
        ip: '203.0.113.9',
        firstSeen: '2024-03-01T10:02:11.000Z',
        lastSeen: '2024-03-01T10:14:55.000Z',
        requests: 483,
        successes: 3,
        failures: 480,
        countries: ['NL'],
        ips: ['203.0.113.9'],
        userAgents: ['curl/8.4.0'],
        alerts: 1,
      },
      {
        actor: 'user:alice',
        user: 'alice',
        firstSeen: '2024-03-01T09:01:12.000Z',
        lastSeen: '2024-03-01T11:09:48.000Z',
        requests: 1320,
        successes: 1290,
        failures: 30,
        countries: ['FR', 'DE'],
        ips: ['198.51.100.23', '198.51.100.24', '198.51.100.25'],
        userAgents: ['Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0', 'python-requests/2.31'],
        alerts: 2,
        more: { ips: { count: 4, atLeast: false } },
      },
      {
        actor: 'key:key-7f3a',
        apiKey: 'key-7f3a',
        firstSeen: '2024-03-01T12:29:00.000Z',
        lastSeen: '2024-03-01T12:31:10.000Z',
        requests: 96,
        successes: 1,
        failures: 95,
        countries: [],
        ips: ['192.0.2.77'],
        userAgents: [],
        alerts: 1,
      },
      {
        actor: 'user:bob',
        user: 'bob',
        firstSeen: '2024-03-01T09:00:00.000Z',
        lastSeen: '2024-03-01T13:59:59.000Z',
        requests: 30211,
        successes: 30100,
        failures: 111,
        countries: ['US'],
        ips: ['203.0.113.50'],
        userAgents: ['okhttp/4.12.0'],
        alerts: 0,
      },
    ],
    topRoutes: [
      { key: '/health', count: 30001 },
      { key: '/orders/{id}', count: 9120 },
      { key: '/login', count: 5210 },
      { key: '/me', count: 3001 },
      { key: '/admin/users/{id}', count: 881 },
    ],
    statuses: [
      { key: '200', count: 46100 },
      { key: '401', count: 1510 },
      { key: '403', count: 480 },
      { key: '500', count: 120 },
      { key: 'none', count: 3 },
    ],
    topIps: [
      { key: '203.0.113.50', count: 30211 },
      { key: '198.51.100.23', count: 1200 },
      { key: '203.0.113.9', count: 483 },
      { key: '192.0.2.77', count: 96 },
    ],
    busiestWindows: [
      { start: '2024-03-01T10:05:00.000Z', end: '2024-03-01T10:10:00.000Z', events: 2210 },
      { start: '2024-03-01T11:05:00.000Z', end: '2024-03-01T11:10:00.000Z', events: 1980 },
      { start: '2024-03-01T10:10:00.000Z', end: '2024-03-01T10:15:00.000Z', events: 1650 },
    ],
    timeline: [
      { start: '2024-03-01T09:00:00.000Z', events: 6100, alerts: 1 },
      { start: '2024-03-01T10:00:00.000Z', events: 14020, alerts: 2 },
      { start: '2024-03-01T11:00:00.000Z', events: 12050, alerts: 1 },
      { start: '2024-03-01T12:00:00.000Z', events: 9043, alerts: 1 },
      { start: '2024-03-01T13:00:00.000Z', events: 7000, alerts: 0 },
    ],
    timelineUnit: 'hour',
    timeZone: 'UTC',
    evictedActors: 0,
    otherActors: { actors: 37, requests: 16103, successes: 15900, failures: 203 },
    notes: ['2 events had timestamps more than 5 minutes out of order and were processed late.'],
  };
}

export function sampleReport(): { summary: SummaryRecord; alerts: AlertRecord[]; entries: EntryRecord[] } {
  return { summary: sampleSummary(), alerts: sampleAlerts(), entries: sampleEntries() };
}
