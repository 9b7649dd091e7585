/**
 * The shipped route classes on CloudTrail actions (eventSource:eventName): IAM and audit-trail
 * changes are admin work, console and Cognito sign-ins are logins. Events as the CloudTrail format
 * maps them (no path or status; auth from errorCode or ConsoleLogin), through the real pipeline.
 */
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../src/normalise/event.js';
import { runEvents } from './helpers.js';

const DAY = 86_400_000;
const T = Date.UTC(2025, 5, 2, 10); // a Monday, 10:00 UTC
const ADMIN = 'arn:aws:iam::111122223333:user/ops-admin';
let line = 0;

function call(ts: number, action: string, over: Partial<ApiEvent> = {}): ApiEvent {
  line++;
  const name = action.split(':')[1]!;
  return {
    ts, user: ADMIN, ip: '81.2.69.142', action, method: /^(Get|List|Describe)/.test(name) ? 'GET' : 'POST', auth: 'success',
    userAgent: 'aws-cli/2.15.30', format: 'cloudtrail', source: { file: 'ct.json', line }, raw: {}, ...over,
  };
}

describe('CloudTrail actions and the shipped route classes', () => {
  it('IAM changes at night are after-hours admin work; the same calls in office hours, and reads at night, are not', () => {
    const office = Array.from({ length: 5 }, (_, d) => call(T + d * DAY, 'iam.amazonaws.com:ListUsers'));
    const dayChange = call(T + 4 * DAY + 2 * 3_600_000, 'iam.amazonaws.com:AttachUserPolicy'); // Friday 12:00
    const nightReads = [call(T + 5 * DAY + 15 * 3_600_000, 'iam.amazonaws.com:ListRoles')];
    const quiet = runEvents([...office, dayChange, ...nightReads], { only: ['after-hours-admin'] }).alerts;
    expect(quiet).toEqual([]);
    const night = T + 6 * DAY - 8 * 3_600_000 + 40 * 60_000; // 02:40
    const changes = ['CreateUser', 'AttachUserPolicy', 'CreateAccessKey', 'DeactivateMFADevice'].map((n, i) => call(night + i * 60_000, `iam.amazonaws.com:${n}`));
    const alerts = runEvents([...office, ...changes], { only: ['after-hours-admin'] }).alerts;
    expect(alerts.map((a) => [a.rule, a.subject.user])).toEqual([['after-hours-admin', ADMIN]]);
    expect(alerts[0]!.evidence.metrics).toMatchObject({ actions: 4, writes: 4 });
  });

  it("an intruder's reconnaissance a minute before the night's IAM changes does not make its address known: critical, from a new location", () => {
    // A week of office work: enough history (minHistoryEvents) to call an address new.
    const office = Array.from({ length: 25 }, (_, k) => call(T + Math.floor(k / 5) * DAY + (k % 5) * 3_600_000, 'iam.amazonaws.com:ListUsers'));
    const night = T + 6 * DAY - 8 * 3_600_000 + 40 * 60_000;
    const moscow = '95.173.136.70';
    const recon = ['sts.amazonaws.com:GetCallerIdentity', 'iam.amazonaws.com:ListUsers'].map((a, i) => call(night - 60_000 + i * 5_000, a, { ip: moscow }));
    const changes = ['CreateUser', 'AttachUserPolicy'].map((n, i) => call(night + i * 60_000, `iam.amazonaws.com:${n}`, { ip: moscow }));
    const a = runEvents([...office, ...recon, ...changes], { only: ['after-hours-admin'] }).alerts[0]!;
    expect(a.severity).toBe('critical');
    expect(a.evidence.metrics).toMatchObject({ newIp: true, newLocation: true });
    expect(a.severityReason).toContain('Moscow');
  });

  it('a console password spray from one IP, then a login that works, is credential stuffing with the success named', () => {
    const tor = '185.220.101.45';
    const fails = Array.from({ length: 30 }, (_, i) =>
      call(T + i * 5_000, 'signin.amazonaws.com:ConsoleLogin', { ip: tor, user: `arn:aws:iam::111122223333:user/u${i % 15}`, auth: 'failure' }),
    );
    const ok = call(T + 31 * 5_000, 'signin.amazonaws.com:ConsoleLogin', { ip: tor, user: 'arn:aws:iam::111122223333:user/marketing.analyst' });
    const a = runEvents([...fails, ok], { only: ['credential-stuffing'] }).alerts[0]!;
    expect(a.subject).toEqual({ ip: tor });
    expect(a.severity).toBe('critical');
    expect(a.evidence.metrics).toMatchObject({ failures: 30, successesAfter: 1 });
  });
});
