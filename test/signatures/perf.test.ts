/**
 * Clean-log cost of the three detectors (sensitive-data-in-logs, attack-signature, endpoint-probing):
 * each alone, and the detection pipeline with the other built-in detectors with and without them,
 * on generated clean traffic (random UUIDs and hex ids, timestamps, search queries with `+`, `%`
 * and `:`, referers). Also a false-positive check: that traffic raises nothing.
 *
 * The measurement runs test/signatures/bench-clean.mjs in a plain Node process on dist/ (built by the
 * global setup): the test runner's own module handling makes hot loops several times slower than
 * `apilog` runs them. Default 200 000 events; APILOG_PERF_EVENTS=1000000 for the full measurement.
 * Assertions are loose (shared machines vary); the figures are printed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';

const N = Number(process.env.APILOG_PERF_EVENTS ?? 200_000);

interface BenchResult {
  events: number;
  iterationNsPerEvent: number;
  detectors: Record<string, { eventsPerSecond: number; nsPerEvent: number; alerts: number }>;
  pipeline: {
    others: number;
    withoutEventsPerSecond: number;
    withEventsPerSecond: number;
    addedNsPerEvent: number;
    addedPercent: number;
    alertsFromTheThree: number;
  };
}

describe(`clean-log cost of the three detectors (${N.toLocaleString('en')} events)`, () => {
  it('raises nothing on clean traffic and stays cheap per event', () => {
    const res = spawnSync(process.execPath, [path.join(ROOT, 'test/signatures/bench-clean.mjs'), String(N)], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(res.status, res.stderr).toBe(0);
    const r = JSON.parse(res.stdout) as BenchResult;
    const rows: string[] = [];
    let total = 0;
    for (const [id, d] of Object.entries(r.detectors)) {
      expect(d.alerts, `${id} alerts on clean traffic`).toBe(0);
      total += d.nsPerEvent;
      rows.push(`${id.padEnd(24)} ${d.eventsPerSecond.toLocaleString('en').padStart(12)} events/s  ${String(d.nsPerEvent).padStart(6)} ns/event`);
    }
    const p = r.pipeline;
    expect(p.alertsFromTheThree).toBe(0);
    rows.push(`pipeline, ${p.others} other detectors   ${p.withoutEventsPerSecond.toLocaleString('en').padStart(12)} events/s`);
    rows.push(`pipeline, + the three       ${p.withEventsPerSecond.toLocaleString('en').padStart(12)} events/s  (+${p.addedNsPerEvent} ns/event, +${p.addedPercent}% of the detection stage)`);
    console.log(`\n${rows.join('\n')}\n`);
    expect(Object.keys(r.detectors).sort()).toEqual(['attack-signature', 'endpoint-probing', 'sensitive-data-in-logs']);
    expect(total).toBeLessThan(20_000);
  }, 600_000);
});
