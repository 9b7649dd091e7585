/**
 * The pipeline's live-mode hooks (`--follow`): `advance(now)` empties the reorder buffer and
 * expires idle keyed state so closed incidents are reported before the end; `onAlert` hears each
 * alert as it is reported; KeyedTable.expire leaves the event-time sweep throttle alone.
 */
import { describe, expect, it } from 'vitest';
import { createPipeline, builtinDetectors, type Alert } from '../../src/detect/index.js';
import { KeyedTable } from '../../src/detect/state.js';
import { createEnricher } from '../../src/enrich/index.js';
import { geo, rec, shippedRules, toEvent } from './helpers.js';

const T = Date.UTC(2025, 2, 10, 12);

function bruteForce(from: number, ip: string): ReturnType<typeof toEvent>[] {
  return Array.from({ length: 12 }, (_, i) =>
    toEvent(rec(from + i * 2000, { endpoint: '/api/v1/auth/login', method: 'POST', status: 401, ip, user_id: 'victim' }), 'f', i + 1),
  );
}

describe('pipeline.advance (live mode)', () => {
  it('reports an incident when event time moves past its idle time, before end()', () => {
    const heard: Alert[] = [];
    const p = createPipeline({ detectors: builtinDetectors, rules: shippedRules, geo, onAlert: (a) => heard.push(a) });
    const enrich = createEnricher(shippedRules);
    for (const e of bruteForce(T, '203.0.113.50')) p.push(enrich(e));
    expect(heard).toEqual([]); // still in the reorder buffer / an open incident
    p.advance!(T + 60_000); // not idle long enough yet (credential attacks wait hours for a success)
    expect(heard.filter((a) => a.rule === 'credential-stuffing')).toEqual([]);
    p.advance!(T + 24 * 3_600_000);
    const cs = heard.filter((a) => a.rule === 'credential-stuffing');
    expect(cs).toHaveLength(1);
    expect(cs[0]!.subject).toEqual({ ip: '203.0.113.50' });
    const res = p.end();
    expect(res.alerts.filter((a) => a.rule === 'credential-stuffing')).toHaveLength(1);
    expect(p.mergeGapMs!('credential-stuffing')).toBe(60 * 60_000);
  });
});

describe('KeyedTable.expire', () => {
  it('expires idle entries at once and leaves the sweep throttle to event time', () => {
    const removed: string[] = [];
    const t = new KeyedTable<number>({ idleMs: 10_000, onRemove: (k, _v, why) => removed.push(`${k}:${why}`) });
    t.touch('a', 0, () => 1);
    t.sweep(0);
    t.expire(1e15); // a wall clock far past the events
    expect(removed).toEqual(['a:expired']);
    t.touch('b', 1000, () => 2);
    t.sweep(20_000); // event time: b idle for 19 s > 10 s
    expect(removed).toEqual(['a:expired', 'b:expired']);
  });
});
