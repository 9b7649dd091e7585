/**
 * The CloudTrail incident sample end to end (the real CLI on fixtures/incident-cloudtrail-probing.json):
 * a CI principal's access key, used from a Tor exit at night, runs a permission enumeration and
 * reads the API Gateway keys. Two days of its normal deploys and a developer refused twice stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FILE = 'fixtures/incident-cloudtrail-probing.json';
const CI = 'arn:aws:iam::111122223333:user/ci-deployer';

interface AlertOut {
  rule: string;
  severity: string;
  subject: Record<string, string>;
  evidence: { metrics: Record<string, unknown>; successes?: Array<{ operation: string }> };
}

describe('CloudTrail permission enumeration', () => {
  const res = runCli(['analyze', FILE, '--format', 'json', '--entries', 'none', '--fail-on', 'high']);
  const alerts = (JSON.parse(res.stdout) as { alerts: AlertOut[] }).alerts;

  it('is one high authorization-probing alert about the CI principal, naming the key read; CI fails on it', () => {
    expect(res.code).toBe(1);
    expect(alerts.map((a) => [a.rule, a.severity, a.subject.user])).toEqual([['authorization-probing', 'high', CI]]);
    const a = alerts[0]!;
    expect(a.evidence.metrics).toMatchObject({ distinctDenied: 18, denied: 18, privilegedSuccesses: 1 });
    expect(a.evidence.successes!.map((s) => s.operation)).toEqual(['apigateway.amazonaws.com:GetApiKeys']);
  });

  it('AccessDenied is refused authorisation, not failed logins: no credential-stuffing alert', () => {
    expect(alerts.filter((a) => a.rule === 'credential-stuffing')).toEqual([]);
  });

  it("S3's object keys (requestParameters.key) are not reported as API keys", () => {
    expect(alerts.filter((a) => a.rule === 'sensitive-data-in-logs')).toEqual([]);
  });
});

describe('explain on one refused call of the enumeration', () => {
  const res = runCli(['explain', FILE, '--line', `${FILE}:3039`]);

  it('calls AccessDenied an authorisation refusal, and says since when the actor came from the new country', () => {
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('GET iam.amazonaws.com:ListUsers by user arn:aws:iam::111122223333:user/ci-deployer');
    expect(res.stdout).toContain('no status: authorization denied (forbidden).');
    expect(res.stdout).toContain('A location new for this actor since 2025-03-19 02:14:03 UTC (5 s earlier): before that they came from IE only.');
  });
});
