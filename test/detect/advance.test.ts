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

describe('live incidents close after their own gap, not after the actor state (days to a month) expires', () => {
  const enrich = createEnricher(shippedRules);
  const run = (events: ReturnType<typeof toEvent>[], quietFor: number, last: number): Alert[] => {
    const heard: Alert[] = [];
    const p = createPipeline({ detectors: builtinDetectors, rules: shippedRules, geo, live: true, onAlert: (a) => heard.push(a) });
    for (const e of events) p.push(enrich(e));
    p.advance!(last + quietFor);
    return heard;
  };

  it('bola-enumeration: a walk, within its 10-minute window after it ends', () => {
    const walk = Array.from({ length: 60 }, (_, i) => toEvent(rec(T + i * 3000, { endpoint: `/api/v1/orders/${20_000 + i}`, user_id: 'mallory' }), 'b', i + 1));
    const last = T + 59 * 3000;
    expect(run(walk, 5 * 60_000, last).filter((a) => a.rule === 'bola-enumeration')).toEqual([]);
    expect(run(walk, 12 * 60_000, last).filter((a) => a.rule === 'bola-enumeration').map((a) => a.subject.user)).toEqual(['mallory']);
  });

  it('data-exfiltration: an export burst, within its 60-minute window after it ends', () => {
    const burst = Array.from({ length: 150 }, (_, i) =>
      toEvent(rec(T + i * 10_000, { endpoint: '/api/v1/export/customers', user_id: 'eve', bytes: 2 * 1024 * 1024 }), 'x', i + 1),
    );
    const last = T + 149 * 10_000;
    expect(run(burst, 30 * 60_000, last).filter((a) => a.rule === 'data-exfiltration')).toEqual([]);
    expect(run(burst, 70 * 60_000, last).filter((a) => a.rule === 'data-exfiltration').map((a) => a.subject.user)).toEqual(['eve']);
  });

  it('after-hours-admin: a night session, once the session gap has passed', () => {
    const night = Date.UTC(2025, 2, 11, 23);
    const session = Array.from({ length: 3 }, (_, i) => toEvent(rec(night + i * 60_000, { endpoint: '/admin/users', user_id: 'adm', role: 'admin' }), 'a', i + 1));
    const last = night + 2 * 60_000;
    const gap = (builtinDetectors.find((d) => d.meta.id === 'after-hours-admin')!.meta.options as { sessionGapMinutes: number }).sessionGapMinutes;
    expect(run(session, (gap - 1) * 60_000, last).filter((a) => a.rule === 'after-hours-admin')).toEqual([]);
    expect(run(session, (gap + 10) * 60_000, last).filter((a) => a.rule === 'after-hours-admin').map((a) => a.subject.user)).toEqual(['adm']);
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
