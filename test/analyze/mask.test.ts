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
