/**
 * The run's per-entry findings: made one at a time as they are read, filtered by --min-severity
 * before they are made, and counted in the summary as written.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze/run.js';
import { severityRank } from '../../src/detect/types.js';
import { analyzeOptions } from '../helpers/options.js';

const SAMPLE = 'fixtures/incident-sample.ndjson';

describe('the entries of a run', () => {
  it('--min-severity leaves lower entries out, and the summary counts the entries written', async () => {
    const low = await analyze(analyzeOptions([SAMPLE], { threads: 1, entries: 'all' }));
    const all = [...low.entries];
    const high = await analyze(analyzeOptions([SAMPLE], { threads: 1, entries: 'all', minSeverity: 'high' }));
    const shown = [...high.entries];
    expect(low.summary.entries.written).toBe(all.length);
    expect(high.summary.entries.written).toBe(shown.length);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(all.length);
    expect(shown.every((e) => severityRank(e.severity) >= severityRank('high'))).toBe(true);
    // The same entries, the lower ones left out.
    expect(shown).toEqual(all.filter((e) => severityRank(e.severity) >= severityRank('high')));
  });

  it('are read once: a second read throws instead of giving nothing', async () => {
    const r = await analyze(analyzeOptions([SAMPLE], { threads: 1 }));
    expect([...r.entries].length).toBeGreaterThan(0);
    expect(() => [...r.entries]).toThrow(/read twice/);
  });
});
