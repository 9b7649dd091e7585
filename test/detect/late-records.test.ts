/**
 * Records later than the reorder window (latenessMs) still reach the detectors, out of order
 * (CloudTrail files hold an hour of records in any order). An incident's span is then the earliest
 * and latest of its requests, never the first and last read: a window that ended before it began
 * ("03:41:01 → 03:23:15", "607 requests in -1066000 ms") was reported on such input.
 */
import { describe, expect, it } from 'vitest';
import type { FlatRecord } from '../../fixtures/scenarios/generate.js';
import type { RuleSet } from '../../src/rules/types.js';
import { rec, runFlat, shippedRules } from './helpers.js';

const T = Date.UTC(2025, 3, 8, 3, 5);
const noReorder: RuleSet = { ...shippedRules, latenessMs: 0 };
const SCRAPER = { ip: '14.100.1.77', user_agent: 'python-requests/2.31' };

describe('records later than the reorder window', () => {
  it('scraping: a request read last but made before the others widens the window instead of ending it', () => {
    const walk: FlatRecord[] = Array.from({ length: 600 }, (_, i) => rec(T + 60_000 + i * 200, { endpoint: `/api/products/${1000 + i}`, ...SCRAPER }));
    const late = rec(T, { endpoint: '/api/products/999', ...SCRAPER });
    const a = runFlat([...walk, late], { rules: noReorder, only: ['scraping'] }).alerts[0]!;
    expect(a.start).toBe(T);
    expect(a.end).toBe(T + 60_000 + 599 * 200);
    expect(a.summary).not.toContain('-');
  });

  it('data-exfiltration: the same, for an export read out of order', () => {
    const MiB = 1024 * 1024;
    const burst: FlatRecord[] = Array.from({ length: 150 }, (_, i) =>
      rec(T + 10 * 60_000 + i * 10_000, { endpoint: '/api/v1/export/customers', user_id: 'eve', bytes: 8 * MiB }),
    );
    const late = rec(T + 10 * 60_000 + 60_000 + 5_000, { endpoint: '/api/v1/export/customers', user_id: 'eve', bytes: 8 * MiB });
    const a = runFlat([...burst.slice(0, 140), ...burst.slice(140), late], { rules: noReorder, only: ['data-exfiltration'] }).alerts[0]!;
    expect(a.end).toBeGreaterThanOrEqual(a.start);
    expect(a.end).toBe(T + 10 * 60_000 + 149 * 10_000);
  });
});
