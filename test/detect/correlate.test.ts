/**
 * Correlation (src/detect/correlate.ts): a later-stage alert on an account just taken over is
 * linked to the takeover and raised. Scenarios run through the real enricher and pipeline (all six
 * behavioural detectors), then the correlation stage and the record builder, as a run does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { attackScenario, fixtureFiles, generateDataset, toNdjson, type FlatRecord } from '../../fixtures/scenarios/generate.js';
import { correlate, takeoverSignals } from '../../src/detect/correlate.js';
import { DEFAULT_TAKEOVER_WINDOW_HOURS } from '../../src/rules/types.js';
import type { Alert } from '../../src/detect/types.js';
import { toAlertRecords } from '../../src/analyze/run.js';
import type { AnalyzeOptions } from '../../src/analyze/options.js';
import type { AnalyzeResult } from '../../src/analyze/run.js';
import { ROOT } from '../helpers/cli.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';
import { loadSchemas } from '../report/helpers.js';
import { matches, rec, runFlat } from './helpers.js';

const tempDir = tempDirs();

const T = Date.UTC(2025, 2, 11, 3);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MB = 1024 * 1024;
const ATTACKER = '5.228.1.10';
const ELSEWHERE = '198.51.100.7';
const BERLIN = '2.205.77.20';
const MUMBAI = '49.36.0.20';
const login = '/api/v1/auth/login';

/** 40 failed logins from one IP against 40 accounts (stuffing), then a success as `success` if given. */
function stuffing(start: number, success?: string): FlatRecord[] {
  const out = Array.from({ length: 40 }, (_, k) => rec(start + k * 3000, { endpoint: login, method: 'POST', status: 401, ip: ATTACKER, user_id: `acct${k}` }));
  if (success) out.push(rec(start + 40 * 3000, { endpoint: login, method: 'POST', status: 200, ip: ATTACKER, user_id: success }));
  return out;
}
/** The moment the stuffing above logged in. */
const takenAt = (start: number): number => start + 40 * 3000;

/** 150 export requests of 2 MiB each (300 MiB): medium at best for an actor without history. */
function bulk(user: string, start: number, ip = ELSEWHERE, endpoint = '/api/v1/export/customers'): FlatRecord[] {
  return Array.from({ length: 150 }, (_, k) => rec(start + k * 3000, { user_id: user, ip, endpoint: `${endpoint}?page=${k}`, bytes: 2 * MB }));
}

const byTime = (r: FlatRecord[]): FlatRecord[] => [...r].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));

/** The run's alerts before and after correlation. */
function run(records: FlatRecord[], windowHours?: number): { before: Alert[]; after: Alert[] } {
  const before = runFlat(byTime(records)).alerts;
  return { before, after: correlate(before, windowHours === undefined ? {} : { windowHours }) };
}

const exfilOf = (alerts: Alert[], user: string): Alert => {
  const a = alerts.filter((x) => matches(x, 'data-exfiltration', { user }) && x.title === 'Unusual data volume (exfiltration)');
  expect(a, `one exfiltration alert about ${user}`).toHaveLength(1);
  return a[0]!;
};

describe('correlation: a bulk export after credential stuffing took the account over', () => {
  // The attacker cashes in from the address it broke in from.
  const attack = [...stuffing(T, 'victim'), ...bulk('victim', T + 2 * HOUR, ATTACKER)];

  it('credential-stuffing names the account taken over, when and from where (evidence.takeover)', () => {
    const stuffed = runFlat(byTime(attack)).alerts.find((a) => a.rule === 'credential-stuffing')!;
    expect(stuffed.severity).toBe('critical');
    expect(stuffed.evidence.takeover).toEqual({ basis: 'login', accounts: [{ account: 'victim', at: takenAt(T), ip: ATTACKER }] });
    expect(takeoverSignals([stuffed]).map((t) => [t.account, t.at])).toEqual([['victim', takenAt(T)]]);
  });

  it('raises the export to critical, says why, and links the stuffing alert', () => {
    const { before, after } = run(attack);
    const was = exfilOf(before, 'victim');
    expect(['low', 'medium']).toContain(was.severity);
    const now = exfilOf(after, 'victim');
    expect(now.severity).toBe('critical');
    expect(now.severityReason).toBe(
      `follows the likely takeover of victim by credential stuffing from ${ATTACKER} (login succeeded 2025-03-11 03:02 UTC), 2.0 h before this began: escalated from ${was.severity}; ${was.severityReason}`,
    );
    const stuffed = after.find((a) => a.rule === 'credential-stuffing')!;
    expect(now.related).toEqual([{ rule: 'credential-stuffing', subject: { ip: ATTACKER }, start: stuffed.start, relation: 'follows-takeover' }]);
    // Nothing else changed: the same objects, in the same order.
    expect(after.filter((a) => a !== now)).toEqual(before.filter((a) => a !== was));
    expect(after.indexOf(now)).toBe(before.indexOf(was));
  });

  it('names the takeover time in the zone the report is shown in (--tz), not in UTC beside local times', () => {
    const before = runFlat(byTime(attack)).alerts;
    const reasonIn = (tz: string): string => exfilOf(correlate(before, { tz }), 'victim').severityReason;
    // 03:02 UTC on 11 March 2025: New York is on summer time (UTC-4) since the 9th, Berlin not yet (UTC+1).
    expect(reasonIn('America/New_York')).toContain('(login succeeded 2025-03-10 23:02 America/New_York)');
    expect(reasonIn('Europe/Berlin')).toContain('(login succeeded 2025-03-11 04:02 Europe/Berlin)');
    expect(reasonIn('Etc/UTC')).toContain('(login succeeded 2025-03-11 03:02 UTC)');
  });

  it("from none of the takeover's IPs, the export is linked and raised to high only, and the reason says it may be the owner's", () => {
    const { before, after } = run([...stuffing(T, 'victim'), ...bulk('victim', T + 2 * HOUR, ELSEWHERE)]);
    const was = exfilOf(before, 'victim');
    const now = exfilOf(after, 'victim');
    expect(now.severity).toBe('high');
    expect(now.related).toHaveLength(1);
    expect(now.severityReason).toBe(
      `follows the likely takeover of victim by credential stuffing from ${ATTACKER} (login succeeded 2025-03-11 03:02 UTC), 2.0 h before this began; this came from other IPs than the takeover's (${ATTACKER}): it may be the owner's own work: escalated from ${was.severity}; ${was.severityReason}`,
    );
  });

  it('the records carry the link as the linked alert\'s id, and validate against the schema', () => {
    const records = toAlertRecords(run(attack).after);
    const stuffed = records.find((r) => r.rule === 'credential-stuffing')!;
    const exfil = records.find((r) => r.rule === 'data-exfiltration' && r.subject.user === 'victim')!;
    expect(exfil.related).toEqual([{ id: stuffed.id, relation: 'follows-takeover' }]);
    expect(stuffed.related).toBeUndefined();
    const validate = loadSchemas().getSchema('urn:apilog:schema:v1:alert')!;
    for (const r of records) expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...exfil, related: [{ id: stuffed.id, relation: 'same-ip' }] })).toBe(false);
    expect(validate({ ...exfil, related: [] })).toBe(false);
  });

  it('does not depend on the order of the alerts', () => {
    const { before, after } = run(attack);
    const reversed = correlate([...before].reverse());
    expect([...reversed].reverse()).toEqual(after);
  });

  it('an export already running at the takeover is linked when it holds the attacker\'s requests; so is the travel it makes', () => {
    // The owner browses from Berlin, the attacker logs in from Moscow and dumps: the export's
    // sliding window counts from the owner's first request, before the takeover, and the same
    // login is impossible travel (critical: it exports at the new place).
    const browse = Array.from({ length: 10 }, (_, k) => rec(T - 20 * 60_000 + k * 60_000, { user_id: 'victim', ip: BERLIN, endpoint: `/api/v1/products/${k}`, bytes: 2 * MB }));
    const dump = bulk('victim', takenAt(T) + 10_000, ATTACKER);
    const { before, after } = run([...browse, ...stuffing(T, 'victim'), ...dump]);
    const travel = before.find((a) => a.rule === 'impossible-travel')!;
    expect([travel.severity, travel.subject]).toEqual(['critical', { user: 'victim' }]);
    const was = exfilOf(before, 'victim');
    const now = exfilOf(after, 'victim');
    expect(now.start).toBeLessThan(takenAt(T));
    expect(now.severity).toBe('critical');
    // Both signs are linked (in alert order); the reason names one, the earliest of the most severe.
    expect(now.related?.map((l) => l.rule)).toEqual(['impossible-travel', 'credential-stuffing']);
    expect(now.severityReason).toBe(
      `follows the likely takeover of victim shown by impossible travel to Moscow, RU (${ATTACKER}) at 2025-03-11 03:02 UTC, while this was under way (and 1 more takeover sign on this account): escalated from ${was.severity}; ${was.severityReason}`,
    );
  });
});

describe('correlation: look-alikes that stay as they were', () => {
  const unchanged = (records: FlatRecord[], user = 'victim', windowHours?: number): Alert => {
    const { before, after } = run(records, windowHours);
    const a = exfilOf(after, user);
    expect(a).toBe(exfilOf(before, user));
    expect(a.related).toBeUndefined();
    expect(a.severityReason).not.toMatch(/follows/);
    return a;
  };

  it('the same export by another account than the one taken over', () => {
    unchanged([...stuffing(T, 'victim'), ...bulk('colleague', T + 2 * HOUR)], 'colleague');
  });

  it('the export happened before the takeover (the owner\'s own work)', () => {
    unchanged([...bulk('victim', T - 3 * HOUR), ...stuffing(T, 'victim')]);
  });

  it("the owner's export was still in its window when the takeover's login came: one request from the attacker is no part of it", () => {
    // The export's sliding window takes in the attacker's login as the account (512 bytes): it
    // ran "at the takeover", but the takeover's IP did none of its work.
    const recs = [...bulk('victim', takenAt(T) - 40 * 60_000, BERLIN), ...stuffing(T, 'victim')];
    const exfil = exfilOf(run(recs).before, 'victim');
    expect(exfil.end).toBeGreaterThanOrEqual(takenAt(T));
    expect((exfil.evidence.ips as Record<string, number>)[ATTACKER]).toBe(1);
    unchanged(recs);
  });

  it('a stuffing run that never succeeded, against the account that then exports', () => {
    const recs = [...stuffing(T), ...bulk('acct3', T + 2 * HOUR)];
    expect(runFlat(byTime(recs)).alerts.find((a) => a.rule === 'credential-stuffing')!.evidence.takeover).toBeUndefined();
    unchanged(recs, 'acct3');
  });

  it('an export days after the takeover, beyond the window; a longer window links it', () => {
    const recs = [...stuffing(T, 'victim'), ...bulk('victim', T + 3 * DAY)];
    unchanged(recs);
    unchanged([...stuffing(T, 'victim'), ...bulk('victim', takenAt(T) + DEFAULT_TAKEOVER_WINDOW_HOURS * HOUR + 60_000)]);
    expect(exfilOf(run(recs, 96).after, 'victim').related).toHaveLength(1);
  });

  it('the multi-day generated dataset, whose attacks are on different accounts: nothing linked', () => {
    const before = runFlat(generateDataset().records).alerts;
    const after = correlate(before);
    expect(after.filter((a) => a.related)).toEqual([]);
    expect(after).toEqual(before);
  });
});

describe('correlation: impossible travel as the takeover sign', () => {
  const travel = (extra: Partial<FlatRecord> = {}): FlatRecord[] => [
    rec(T, { user_id: 'u1', ip: BERLIN, endpoint: '/api/v1/orders' }),
    rec(T + 30 * 60_000, { user_id: 'u1', ip: MUMBAI, endpoint: '/api/v1/orders', ...extra }),
  ];

  it('without privileged use (high), a later dump by the account is raised to high, not critical', () => {
    const { before, after } = run([...travel(), ...bulk('u1', T + 3 * HOUR, MUMBAI, '/api/v1/reports/full')]);
    expect(before.find((a) => a.rule === 'impossible-travel')!.severity).toBe('high');
    const was = exfilOf(before, 'u1');
    expect(was.severity).toBe('medium');
    const now = exfilOf(after, 'u1');
    expect(now.severity).toBe('high');
    expect(now.severityReason).toMatch(/^follows the possible takeover of u1 shown by impossible travel to Mumbai, IN \(49\.36\.0\.20\) at 2025-03-11 03:30 UTC, 2\.5 h before this began: escalated from medium; /);
    expect(now.related?.map((l) => l.rule)).toEqual(['impossible-travel']);
  });

  it('a travel alert the detector lowered to medium (one device going back and forth) is no takeover sign', () => {
    const travelAlert = runFlat(byTime(travel())).alerts.find((a) => a.rule === 'impossible-travel')!;
    expect(takeoverSignals([travelAlert])).toHaveLength(1);
    expect(takeoverSignals([{ ...travelAlert, severity: 'medium' }])).toEqual([]);
  });

  it('with an export at the new place (critical), the later dump is critical', () => {
    const { after } = run([...travel({ endpoint: '/api/v1/export/orders' }), ...bulk('u1', T + 3 * HOUR, MUMBAI, '/api/v1/reports/full')]);
    expect(after.find((a) => a.rule === 'impossible-travel')!.severity).toBe('critical');
    expect(exfilOf(after, 'u1').severity).toBe('critical');
    expect(exfilOf(after, 'u1').severityReason).toMatch(/^follows the likely takeover of u1 shown by impossible travel/);
  });
});

describe('correlation: other takeover signs', () => {
  it('each account taken over at its own time: a second account broken into hours later does not link its owner\'s earlier export', () => {
    // One run, going on for five hours (a failure every 5 min): it takes "victim" at once and
    // "late" at its end; late's owner exports at +2 h from the office.
    const lateAt = T + 5 * HOUR + 3 * 60_000;
    const recs = [
      ...stuffing(T, 'victim'),
      ...Array.from({ length: 60 }, (_, k) => rec(T + 3 * 60_000 + k * 5 * 60_000, { endpoint: login, method: 'POST', status: 401, ip: ATTACKER, user_id: `more${k}` })),
      rec(lateAt, { endpoint: login, method: 'POST', status: 200, ip: ATTACKER, user_id: 'late' }),
      ...bulk('late', T + 2 * HOUR, BERLIN),
    ];
    const { before, after } = run(recs);
    const stuffed = before.filter((a) => a.rule === 'credential-stuffing');
    expect(stuffed).toHaveLength(1);
    const taken = (stuffed[0]!.evidence.takeover as { accounts: Array<{ account: string; at: number }> }).accounts;
    expect(taken.map((x) => [x.account, x.at])).toEqual([['victim', takenAt(T)], ['late', lateAt]]);
    expect(exfilOf(after, 'late')).toBe(exfilOf(before, 'late'));
    expect(exfilOf(after, 'late').related).toBeUndefined();
  });

  it('names the sign whose source the alert shows: a critical stuffing from elsewhere and a high travel to the export\'s IP give high, named by the travel', () => {
    const base = { title: 't', summary: 's', severityReason: 'r', references: [] };
    const stuffed: Alert = {
      ...base, rule: 'credential-stuffing', severity: 'critical', subject: { ip: ATTACKER }, start: T, end: T + HOUR,
      evidence: { metrics: { variant: 'stuffing' }, thresholds: {}, samples: [], takeover: { basis: 'login', accounts: [{ account: 'victim', at: T + HOUR, ip: ATTACKER }] } },
    };
    const travel: Alert = {
      ...base, rule: 'impossible-travel', severity: 'high', subject: { user: 'victim' }, start: T + HOUR, end: T + HOUR,
      evidence: { metrics: {}, thresholds: {}, samples: [], legs: [{ time: new Date(T).toISOString(), ip: BERLIN }, { time: new Date(T + HOUR).toISOString(), ip: MUMBAI, city: 'Mumbai', country: 'IN' }] },
    };
    const exfil: Alert = {
      ...base, rule: 'data-exfiltration', severity: 'medium', subject: { user: 'victim' }, start: T + 2 * HOUR, end: T + 3 * HOUR,
      evidence: { metrics: { requests: 100 }, thresholds: {}, samples: [], ips: { [MUMBAI]: 100 } },
    };
    const now = correlate([stuffed, travel, exfil])[2]!;
    expect(now.severity).toBe('high');
    expect(now.severityReason).toMatch(/^follows the possible takeover of victim shown by impossible travel to Mumbai, IN \(49\.36\.0\.20\)/);
    expect(now.related?.map((r) => r.rule).sort()).toEqual(['credential-stuffing', 'impossible-travel']);
  });

  it('an account spelt differently by the login form and the session (case, spaces) is one account', () => {
    const { after } = run([...stuffing(T, 'Victim '), ...bulk('victim', T + 2 * HOUR, ATTACKER)]);
    expect(exfilOf(after, 'victim').related).toHaveLength(1);
  });

  it('a login that named no account, after which the attacking IP acted as one', () => {
    const recs = [
      ...Array.from({ length: 40 }, (_, k) => rec(T + k * 3000, { endpoint: login, method: 'POST', status: 401, ip: ATTACKER })),
      rec(takenAt(T), { endpoint: login, method: 'POST', status: 200, ip: ATTACKER }),
      rec(takenAt(T) + 5000, { endpoint: '/api/v1/users/me', ip: ATTACKER, user_id: 'u-77120' }),
      ...bulk('u-77120', T + HOUR),
    ];
    const { before, after } = run(recs);
    expect(before.find((a) => a.rule === 'credential-stuffing')!.evidence.takeover).toEqual({ basis: 'acted-as', accounts: [{ account: 'u-77120', at: takenAt(T) + 5000, ip: ATTACKER }] });
    const now = exfilOf(after, 'u-77120');
    expect(now.severity).toBe('critical');
    expect(now.severityReason).toMatch(/^follows the likely takeover of u-77120 by brute force from 5\.228\.1\.10 \(a login succeeded, then the IP acted as the account 2025-03-11 03:02 UTC\), as this began: escalated from /);
  });

  it('an admin session after hours from a new location (critical): a dump by that admin an hour later is critical', () => {
    const { records, labels } = attackScenario('after-hours-admin');
    const session = runFlat(records).alerts.find((a) => matches(a, 'after-hours-admin', labels[0]!.subject))!;
    expect([session.severity, session.evidence.metrics.newLocation]).toEqual(['critical', true]);
    const { after } = run([...records, ...bulk('adm-7', session.end + HOUR, '41.206.1.99')]);
    const now = exfilOf(after, 'adm-7');
    expect(now.severity).toBe('critical');
    expect(now.severityReason).toMatch(/^follows the likely takeover of adm-7 shown by admin use from a new location after hours at 2025-03-\d\d 02:31 UTC, /);
    expect(now.related).toEqual([{ rule: 'after-hours-admin', subject: { user: 'adm-7' }, start: session.start, relation: 'follows-takeover' }]);
    // The sign itself is not linked to itself.
    expect(after.find((a) => a.rule === 'after-hours-admin')!.related).toBeUndefined();
  });

  it('an admin session after hours from a new IP in a known place is no takeover sign', () => {
    const a: Alert = { rule: 'after-hours-admin', severity: 'high', title: '', subject: { user: 'adm-1' }, start: T, end: T, summary: '', severityReason: '', evidence: { metrics: { newIp: true, newLocation: false }, thresholds: {}, samples: [] } };
    expect(takeoverSignals([a])).toEqual([]);
  });
});

describe('correlation in a run (analyze)', () => {
  const dist = (p: string): string => pathToFileURL(path.join(ROOT, 'dist', p)).href;

  it('links the alerts the same way with --threads 1 and 2', async () => {
    // Worker threads load the built dist/ (the test setup builds it).
    const { analyze } = (await import(dist('analyze/run.js'))) as { analyze: (o: AnalyzeOptions) => Promise<AnalyzeResult> };
    const file = path.join(tempDir('apilog-correlate-'), 'takeover.ndjson');
    fs.writeFileSync(file, toNdjson(byTime([...stuffing(T, 'victim'), ...bulk('victim', T + 2 * HOUR, ATTACKER)])));
    const one = await analyze(analyzeOptions([file], { threads: 1, entries: 'none' }));
    const two = await analyze(analyzeOptions([file], { threads: 2, threadsExplicit: true, entries: 'none' }));
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    const stuffed = one.alerts.find((a) => a.rule === 'credential-stuffing')!;
    const exfil = one.alerts.find((a) => a.rule === 'data-exfiltration')!;
    expect([stuffed.severity, exfil.severity]).toEqual(['critical', 'critical']);
    expect(exfil.related).toEqual([{ id: stuffed.id, relation: 'follows-takeover' }]);
    expect(one.summary.alerts.bySeverity.critical).toBe(2);
  });

  it('says so when --only leaves out every detector that finds a takeover, and the export stays unlinked', async () => {
    const { analyze } = (await import(dist('analyze/run.js'))) as { analyze: (o: AnalyzeOptions) => Promise<AnalyzeResult> };
    const file = path.join(tempDir('apilog-correlate-'), 'takeover.ndjson');
    fs.writeFileSync(file, toNdjson(byTime([...stuffing(T, 'victim'), ...bulk('victim', T + 2 * HOUR, ATTACKER)])));
    const said = 'alerts are linked to account takeovers only as far as the detectors that find them ran: --only/--skip turned off credential-stuffing, impossible-travel, after-hours-admin';
    const alone = await analyze(analyzeOptions([file], { threads: 1, entries: 'none', only: ['data-exfiltration'] }));
    expect(alone.summary.notes).toContain(said);
    expect(alone.alerts.find((a) => a.rule === 'data-exfiltration')!.related).toBeUndefined();
    const both = await analyze(analyzeOptions([file], { threads: 1, entries: 'none', only: ['data-exfiltration', 'credential-stuffing'] }));
    // One takeover detector off is said too, by name.
    expect(both.summary.notes).toContain('alerts are linked to account takeovers only as far as the detectors that find them ran: --only/--skip turned off impossible-travel, after-hours-admin');
    const all = await analyze(analyzeOptions([file], { threads: 1, entries: 'none' }));
    expect(all.summary.notes.some((n) => n.startsWith('alerts are linked to account takeovers'))).toBe(false);
    expect(both.alerts.find((a) => a.rule === 'data-exfiltration')!.related).toHaveLength(1);
  });

  it('takes the window from the rules (takeoverWindowHours): an export 3 days later is linked under a 96 h window only', async () => {
    const { analyze } = (await import(dist('analyze/run.js'))) as { analyze: (o: AnalyzeOptions) => Promise<AnalyzeResult> };
    const dir = tempDir('apilog-correlate-');
    const file = path.join(dir, 'later.ndjson');
    fs.writeFileSync(file, toNdjson(byTime([...stuffing(T, 'victim'), ...bulk('victim', T + 3 * DAY, ATTACKER)])));
    const rules = path.join(dir, 'window.yaml');
    fs.writeFileSync(rules, 'takeoverWindowHours: 96\n');
    const exfilIn = (r: AnalyzeResult): AnalyzeResult['alerts'][number] => r.alerts.find((a) => a.rule === 'data-exfiltration')!;
    const plain = await analyze(analyzeOptions([file], { threads: 1, entries: 'none' }));
    expect(exfilIn(plain).related).toBeUndefined();
    const wide = await analyze(analyzeOptions([file], { threads: 1, entries: 'none', rulesPaths: [rules] }));
    expect(exfilIn(wide).related).toHaveLength(1);
    expect(exfilIn(wide).severity).toBe('critical');
  });

  it('links nothing in the checked-in incident fixtures whose attacks are on different accounts', () => {
    for (const f of fixtureFiles().filter((x) => x.file !== 'incident-takeover-chain.ndjson')) {
      const alerts = runFlat(f.data.records).alerts;
      expect(correlate(alerts), f.file).toEqual(alerts);
    }
  });

  it('links the cash-out to the takeover in fixtures/incident-takeover-chain.ndjson', () => {
    const chain = fixtureFiles().find((x) => x.file === 'incident-takeover-chain.ndjson')!;
    const { before, after } = run(chain.data.records);
    expect(exfilOf(before, '1077').severity).toBe('medium');
    const exfil = exfilOf(after, '1077');
    expect(exfil.severity).toBe('critical');
    expect(exfil.related).toEqual([expect.objectContaining({ rule: 'credential-stuffing', subject: { ip: ATTACKER }, relation: 'follows-takeover' })]);
    expect(exfil.severityReason).toMatch(/^follows the likely takeover of 1077 by credential stuffing from 5\.228\.1\.10 \(login succeeded 2025-03-10 03:20 UTC\), as this began: escalated from medium; /);
  });
});
