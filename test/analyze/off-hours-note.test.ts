/**
 * A first run over a customer-facing API: customers use it in the evening, outside the shipped
 * business hours, and the findings are mostly that. The summary says so once and how to tune it;
 * with business hours set in a rules file, or findings of other kinds, it says nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/run.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';

const dir = tempDirs()('apilog-offhours-');
const T = Date.parse('2025-06-03T20:00:00Z'); // a Tuesday evening
const file = path.join(dir, 'evening.ndjson');
const rows: string[] = [];
for (let u = 0; u < 30; u++) {
  for (let k = 0; k < 3; k++) {
    rows.push(JSON.stringify({ timestamp: new Date(T + u * 97_000 + k * 600_000).toISOString(), user_id: `cust-${u}`, role: 'customer', ip: `81.2.69.${10 + u}`, method: 'GET', endpoint: `/api/v1/products/${u * 10 + k}`, status: 200 }));
  }
}
fs.writeFileSync(file, `${rows.sort().join('\n')}\n`);

const NOTE = /^\d+ of \d+ findings are kept only for being outside business hours, which are the shipped default \(Mon–Fri 09:00–18:00 UTC\): .*set businessHours in a --rules file/;

/** The result with its entries read (they are made as they are read). */
async function run(opts: Parameters<typeof analyze>[0]) {
  const r = await analyze(opts);
  return { ...r, entries: [...r.entries] };
}

describe('off-hours note', () => {
  it('says once that most findings are only off-hours, with the shipped hours', async () => {
    const r = await run(analyzeOptions([file], { threads: 1 }));
    expect(r.entries.length).toBeGreaterThanOrEqual(20);
    expect(r.entries.every((e) => e.flags.includes('off-hours'))).toBe(true);
    expect(r.summary.notes.filter((n) => NOTE.test(n))).toHaveLength(1);
  });

  it('the answers say "no baseline file" where question 10 compares with a baseline learned from the input', async () => {
    const r = await run(analyzeOptions([file], { threads: 1 }));
    const a = r.entries[0]!.answers;
    expect(a.who!.answer).toContain('Known or unknown cannot be judged: no baseline file.');
    expect(a.when!.answer).toContain("This actor's usual hours are unknown (no baseline file)");
    expect(a.howOften!.answer).toContain('No baseline file for their usual rate');
    expect(a.fit!.answer).toMatch(/^Against a baseline learned from this input itself/);
  });

  it('says nothing when --min-severity already leaves low findings out', async () => {
    const r = await run(analyzeOptions([file], { threads: 1, minSeverity: 'medium' }));
    expect(r.summary.notes.some((n) => n.includes('outside business hours'))).toBe(false);
  });

  it('says nothing once business hours are set for the site', async () => {
    const rules = path.join(dir, 'hours.yaml');
    fs.writeFileSync(rules, 'businessHours:\n  timezone: UTC\n  days: [1, 2, 3, 4, 5]\n  start: "09:00"\n  end: "18:00"\n');
    const r = await run(analyzeOptions([file], { threads: 1, rulesPaths: [rules] }));
    expect(r.entries.length).toBeGreaterThanOrEqual(20);
    expect(r.summary.notes.some((n) => n.includes('outside business hours'))).toBe(false);
  });

  it('says nothing for an incident whose findings are of other kinds', async () => {
    const r = await run(analyzeOptions(['fixtures/incident-credential-stuffing.ndjson'], { threads: 1 }));
    expect(r.entries.length).toBeGreaterThan(0);
    expect(r.summary.notes.some((n) => n.includes('outside business hours'))).toBe(false);
  });
});
