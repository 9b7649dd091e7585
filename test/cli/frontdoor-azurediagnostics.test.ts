/**
 * A Front Door access log exported from Log Analytics end to end (the real CLI on
 * fixtures/incident-frontdoor-enumeration.json, `az monitor log-analytics query -o json` output:
 * AzureDiagnostics rows, every value a string): one IP walks order ids 10230..10299 in four
 * minutes, every one answered 200, among customers reading their own orders.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FILE = 'fixtures/incident-frontdoor-enumeration.json';

interface AlertOut {
  rule: string;
  severity: string;
  subject: Record<string, string>;
  evidence: { metrics: Record<string, unknown>; samples: Array<{ file: string; line: number }> };
}

describe('Front Door AzureDiagnostics export: an object-id walk', () => {
  const res = runCli(['analyze', FILE, '--format', 'json', '--entries', 'none', '--fail-on', 'high']);
  const out = JSON.parse(res.stdout) as { alerts: AlertOut[]; summary: { files: Array<Record<string, unknown>>; events: number } };

  it('maps every row as azure-frontdoor and raises one high bola-enumeration alert on the walking IP; CI fails on it', () => {
    expect(res.code).toBe(1);
    expect(out.summary.files).toMatchObject([{ format: 'azure-frontdoor', confidence: 1, events: 109 }]);
    expect(out.alerts.map((a) => [a.rule, a.severity, a.subject.ip, a.subject.route])).toEqual([
      ['bola-enumeration', 'high', '185.220.101.47', '/api/v1/orders/{id}'],
    ]);
    expect(out.alerts[0]!.evidence.metrics).toMatchObject({ distinctIds: 70, successIds: 70, sequential: true, anonymous: true });
  });

  it('formats detect names the format and the column of each field', () => {
    const d = runCli(['formats', 'detect', FILE]);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('format: azure-frontdoor (confidence 100%)');
    expect(d.stdout).toContain('rows of the Log Analytics AzureDiagnostics table');
    for (const col of ['clientIp_s', 'httpMethod_s', 'requestUri_s', 'httpStatusCode_s', 'responseBytes_s', 'timeTaken_s', 'trackingReference_s', 'hostName_s']) {
      expect(d.stdout).toContain(col);
    }
  });
});
