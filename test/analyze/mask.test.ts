/**
 * The summary's count tables are masked by content: a row's value is named `key`, which the
 * masking of log records reads as an API key field.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { maskSummary } from '../../src/analyze/mask.js';
import { analyze } from '../../src/analyze/run.js';
import type { SummaryRecord } from '../../src/report/records.js';
import { analyzeOptions } from '../helpers/options.js';
import { ROOT } from '../helpers/cli.js';
import { tempDirs } from '../helpers/temp.js';
import fs from 'node:fs';

describe('maskSummary', () => {
  it('leaves routes, IPs and statuses as they are, and still masks a secret in one', () => {
    const summary = {
      topRoutes: [
        { key: '/api/v1/export/orders', count: 3 },
        { key: '/api/v2/users/{id}', count: 2 },
        { key: '/hooks/sk_live_4eC39HqLyjWDarjtT1zdp7dc', count: 1 },
      ],
      statuses: [{ key: '200', count: 5 }],
      topIps: [{ key: '203.0.113.9', count: 5 }],
      notes: ['token sk_live_4eC39HqLyjWDarjtT1zdp7dc seen'],
    } as unknown as SummaryRecord;
    const masked = maskSummary(summary);
    expect(masked.topRoutes.slice(0, 2)).toEqual(summary.topRoutes.slice(0, 2));
    expect(masked.topRoutes[2]!.key).not.toContain('4eC39HqLyjWDarjtT1zdp7dc');
    expect(masked.topRoutes[2]!.count).toBe(1);
    expect(masked.statuses).toEqual(summary.statuses);
    expect(masked.topIps).toEqual(summary.topIps);
    expect(JSON.stringify(masked.notes)).not.toContain('4eC39HqLyjWDarjtT1zdp7dc');
    expect(Object.keys(masked)).toEqual(Object.keys(summary));
  });

  it('the incident sample: the top routes are readable', async () => {
    const r = await analyze(analyzeOptions([path.join(ROOT, 'fixtures/incident-sample.ndjson')], { threads: 1 }));
    const routes = r.summary.topRoutes.map((row) => row.key);
    expect(routes).toContain('/api/v1/auth/login');
    expect(routes.join(' ')).not.toContain('REDACTED');
  });
});

describe('the summary of actors', () => {
  it('actors beyond the 50 listed are counted in otherActors: listed and other add up to every event', async () => {
    const r = await analyze(analyzeOptions([path.join(ROOT, 'fixtures/incident-sample.ndjson')], { threads: 1 }));
    expect(r.summary.actors).toHaveLength(50);
    const listed = r.summary.actors.reduce((n, a) => n + a.requests, 0);
    expect(r.summary.otherActors).toBeDefined();
    expect(r.summary.otherActors!.actors).toBeGreaterThan(100);
    expect(listed + r.summary.otherActors!.requests).toBe(r.summary.events);
  });

  it('the timeline says its bucket width and zone (timelineUnit, timeZone), as docs/output.md lists them', async () => {
    const days = await analyze(analyzeOptions([path.join(ROOT, 'fixtures/incident-sample.ndjson')], { threads: 1, tz: 'Europe/Berlin' }));
    expect(days.summary.timelineUnit).toBe('day');
    expect(days.summary.timeZone).toBe('Europe/Berlin');
    const hours = await analyze(analyzeOptions([path.join(ROOT, 'fixtures/checklist/seed-entry.ndjson')], { threads: 1 }));
    expect(hours.summary.timelineUnit).toBe('hour');
    expect(hours.summary.timeZone).toBe('UTC');
  });
});

describe('identifiers that hold secrets', () => {
  it('a card number as the user and the object id, a JWT as request id, keys in id-named fields: masked in every record, and alerted', async () => {
    const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const dir = tempDirs()('apilog-mask-');
    const file = path.join(dir, 'leak.ndjson');
    const lines = [
      { timestamp: '2025-03-10T10:00:00Z', user_id: '4111111111111111', ip: '203.0.113.5', method: 'GET', endpoint: '/api/v1/users/4111111111111111', status: 200, request_id: JWT },
      { timestamp: '2025-03-10T10:00:05Z', user_id: 'AKIAIOSFODNN7EXAMPLQ', ip: '203.0.113.5', method: 'GET', endpoint: '/api/v1/x', status: 200, api_key_id: 'sk_live_a1B2c3D4e5F6g7H8i9J0' },
      // Ordinary ids stay readable: a UUID request id, a 16-digit order number failing Luhn.
      { timestamp: '2025-03-10T10:00:09Z', user_id: 'u-17', ip: '203.0.113.5', method: 'GET', endpoint: '/api/v1/orders/1234567812345678', status: 200, request_id: '3f2b8c1e-9d4a-4e7b-8c2f-1a2b3c4d5e6f' },
    ];
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await analyze(analyzeOptions([file], { threads: 1, entries: 'all' }));
    const text = JSON.stringify([r.summary, r.alerts, [...r.entries]]);
    for (const secret of ['4111111111111111', 'AKIAIOSFODNN7EXAMPLQ', 'sk_live_a1B2c3D4e5F6g7H8i9J0', 'dozjgNryP4J3jVmNHl0w5N']) expect(text).not.toContain(secret);
    expect(r.summary.actors.map((a) => a.actor)).toContain('user:****1111');
    expect(text).toContain('3f2b8c1e-9d4a-4e7b-8c2f-1a2b3c4d5e6f');
    expect(text).toContain('1234567812345678');
    expect(r.alerts.map((a) => a.title).sort()).toEqual([
      'AWS access key id in logs: user_id',
      'JSON Web Token in logs: request_id',
      'Payment card number in logs: endpoint',
      'Stripe secret key in logs: api_key_id',
    ]);
  });
});
