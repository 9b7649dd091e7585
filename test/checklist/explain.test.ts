import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerObserved, createEntryWalk, explainEntry, selectEntry } from '../../src/checklist/index.js';
import type { AlertRecord } from '../../src/report/records.js';
import { CHECKLIST_QUESTIONS } from '../../src/report/records.js';
import { fromFlat, loadFlat, stubGeo, testRules } from './helpers.js';

const SEED = path.resolve(import.meta.dirname, '../../fixtures/checklist/seed-entry.ndjson');

describe('explain: the seed article entry', () => {
  const events = loadFlat(SEED);
  const entry = selectEntry(events, { requestId: 'req-5d1e0a73' });
  const ctx = { rules: testRules(), geo: stubGeo(), tz: 'UTC', neighbours: events };

  it('finds the entry by request id and by file:line', () => {
    expect(entry?.method).toBe('POST');
    expect(selectEntry(events, { file: SEED, line: 3 })).toBe(entry);
    expect(selectEntry(events, { file: SEED, line: 9 })).toBeUndefined();
  });

  it("finds a Cloud Logging entry by the trace id alone, not only by the trace's full resource path", () => {
    const traced = [
      { ...events[0]!, requestId: 'projects/shop/traces/0af7651916cd43dd' },
      { ...events[1]!, requestId: 'projects/shop/traces/10af7651916cd43dd' },
    ];
    expect(selectEntry(traced, { requestId: '0af7651916cd43dd' })).toBe(traced[0]);
    expect(selectEntry(traced, { requestId: 'projects/shop/traces/10af7651916cd43dd' })).toBe(traced[1]);
    // Only a whole last part matches: not a suffix of it, not a partial path.
    expect(selectEntry(traced, { requestId: 'f7651916cd43dd' })).toBeUndefined();
    expect(selectEntry(traced, { requestId: 'traces/0af7651916cd43dd' })).toBeUndefined();
  });

  it('answers all ten questions with the facts of the entry', () => {
    const { record, prose } = explainEntry(entry!, ctx);
    const a = record.answers;
    expect(Object.keys(a)).toEqual([...CHECKLIST_QUESTIONS]);

    expect(a.who!.answer).toContain('8562');
    expect(a.who!.answer).toContain('external_partner');
    expect(a.who!.answer).toMatch(/session \[REDACTED session len=21 sha256:[0-9a-f]{8}\]/);
    expect(a.who!.answer).not.toContain('sess_7f3a9c2e41b8d605');
    expect(a.who!.facts).toMatchObject({ user: '8562', roles: ['external_partner'], kind: 'human' });

    expect(a.when!.answer).toContain('03:45');
    expect(a.when!.answer).toMatch(/off-hours/i);
    expect(a.when!.answer).toContain('05:45:00 +02:00'); // Berlin, summer time
    expect(a.when!.facts).toMatchObject({ offHours: true });

    expect(a.where!.answer).toContain('198.51.100.25');
    expect(a.where!.answer).toMatch(/documentation/);
    expect(a.where!.answer).toMatch(/no geographic location/);
    expect(a.where!.facts).not.toHaveProperty('country');

    expect(a.what!.answer).toContain('/api/v1/orders');
    expect(a.what!.facts).toMatchObject({ method: 'POST', template: '/api/v1/orders', bulk: false, scope: 'create', kinds: ['business'] });

    expect(a.howOften!.answer).toContain('3 requests in 5 s');

    expect(a.modifications!.answer).toMatch(/creation/);
    expect(a.modifications!.facts).toMatchObject({ modification: 'creation', applied: true });

    expect(a.status!.answer).toContain('201');
    expect(a.status!.answer).toContain('Created');
    expect(a.status!.answer).toContain('482 ms');

    // No alerts were given: explain does not claim that none covers the entry.
    expect(a.pattern!.answer).toMatch(/^Not judged here: the detectors' alerts were not computed \(`apilog analyze` lists them/);
    expect(a.pattern!.facts).toMatchObject({ judged: false });

    expect(a.permissions!.answer).toContain('create_order');
    expect(a.permissions!.answer).toMatch(/holds create_order/);
    expect(a.permissions!.facts).toMatchObject({ needed: ['create_order'], held: ['create_order'], denied: false });

    expect(a.fit!.answer).toContain('No baseline: judged on this input alone');

    expect(record.flags).toEqual(['off-hours', 'reserved-ip', 'write']);
    expect(record.severity).toBe('low');
    expect(record.source).toEqual({ file: SEED, line: 3 });
    expect(record.subject).toEqual({ user: '8562', ip: '198.51.100.25', session: expect.stringMatching(/^\[REDACTED session len=21 sha256:[0-9a-f]{8}\]$/), roles: ['external_partner'] });

    // The prose: numbered 1-10, one paragraph each, with the facts.
    for (let i = 1; i <= 10; i++) expect(prose).toMatch(new RegExp(`^${i}\\. `, 'm'));
    expect(prose).toContain('3 requests in 5 s');
    expect(prose).toContain('create_order');
    expect(prose.split('\n\n')).toHaveLength(11);
  });

  it('a request Cloudflare marks as from a Tor exit node (country T1) is answered as Tor, placed by GeoIP or not', () => {
    const geo = stubGeo({ '185.220.101.': { country: 'DE', city: 'Frankfurt', lat: 50.1, lon: 8.7 } });
    const placed = explainEntry({ ...entry!, ip: '185.220.101.7', country: 'T1' }, { ...ctx, geo }).record.answers.where!;
    expect(placed.answer).toContain('From 185.220.101.7: Frankfurt, Germany (DE).');
    expect(placed.answer).toContain('Tor exit node (T1)');
    expect(placed.facts).toMatchObject({ country: 'T1' });
    expect(placed.notable).toBe(true);
    const unplaced = explainEntry({ ...entry!, ip: '185.220.102.8', country: 'T1' }, { ...ctx, geo }).record.answers.where!;
    expect(unplaced.answer).toMatch(/^From 185\.220\.102\.8; no location is known .* Tor exit node \(T1\)/);
    expect(unplaced.answer).not.toContain('as the source reports');
    const noIp = explainEntry({ ...entry!, ip: undefined, country: 'T1' }, { ...ctx, geo }).record.answers.where!;
    expect(noIp.answer).toBe('The log carries no client IP; the source reports a Tor exit node (T1).');
  });

  it('says when the role lacks the permission', () => {
    const other = { ...entry!, roles: ['analyst'] };
    const { record } = explainEntry(other, ctx);
    expect(record.flags).toContain('permission-denied-by-policy');
    expect(record.severity).toBe('high'); // it succeeded
    expect(record.answers.permissions!.answer).toMatch(/analyst holds none of them/);
  });

  it('joins an alert on the same user and time (question 8)', () => {
    const alert: AlertRecord = {
      type: 'alert', id: 'A1', rule: 'rate-burst', severity: 'medium', title: 't',
      subject: { user: '8562' }, start: '2024-05-14T03:44:00Z', end: '2024-05-14T03:46:00Z',
      summary: '3 orders in 5 s.', severityReason: 'r', evidence: { metrics: {}, thresholds: {}, samples: [] }, references: [],
    };
    const elsewhere = { ...alert, id: 'A2', subject: { user: '9999' } };
    const later = { ...alert, id: 'A3', start: '2024-05-14T04:00:00Z', end: '2024-05-14T05:00:00Z' };
    const { record } = explainEntry(entry!, { ...ctx, alerts: [alert, elsewhere, later] });
    expect(record.alerts).toEqual(['A1']);
    expect(record.flags[0]).toBe('in-alert');
    expect(record.severity).toBe('medium');
    expect(record.answers.pattern!.answer).toContain('A1 rate-burst (medium)');
  });

  it("judges the entry against all of its actor's earlier activity while streaming, and stops there", () => {
    const walk = createEntryWalk({ file: SEED, line: 3 }, { rules: testRules(), geo: stubGeo() });
    // The same user, five hours earlier: outside any hour-long window around the entry.
    const earlier = [0, 1, 2].map((k) =>
      fromFlat({ timestamp: `2024-05-13T22:4${k}:00Z`, user_id: '8562', role: 'external_partner', ip: '198.51.100.25', endpoint: '/api/v1/products' }, 'old', k + 1),
    );
    const noise = fromFlat({ timestamp: '2024-05-14T03:44:59Z', user_id: '1', endpoint: '/x' }, 'other', 1);
    for (const e of [...earlier, events[0]!, noise, events[1]!, events[2]!]) walk.push(e);
    expect(walk.done()).toBe(true);
    const found = walk.result()!;
    expect(found.entry).toBe(events[2]);
    const { record } = answerObserved(found, ctx);
    expect(record.answers.howOften!.answer).toContain('3 requests in 5 s');
    expect(record.answers.fit!.answer).toMatch(/the actor made 6 requests up to and including this one, from 2024-05-13 22:40:00 UTC/);
    // Once the entry is judged, later events change nothing.
    walk.push(fromFlat({ timestamp: '2024-05-14T05:00:00Z', user_id: '8562', endpoint: '/x' }, 'other', 2));
    expect(walk.result()).toBe(found);
  });
});
