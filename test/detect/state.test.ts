import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyedTable, ReorderBuffer } from '../../src/detect/index.js';
import { compareEvents } from '../../src/detect/reorder.js';
import type { EnrichedEvent } from '../../src/enrich/types.js';

function ev(ts: number, line: number): EnrichedEvent {
  return { ts, format: 'flat', source: { file: 'f', line }, raw: null, template: '/', objectIds: [], actor: 'ip:x' };
}

describe('ReorderBuffer', () => {
  it('releases events displaced by less than the lateness in sorted order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 59_999 })), { maxLength: 300 }), (pairs) => {
        // Each event arrives at most 60 s "late" relative to the sorted order.
        const sorted = pairs.map(([t], i) => ev(t, i)).sort((a, b) => a.ts - b.ts);
        const arrival = sorted.map((e, i) => ({ e, k: e.ts + pairs[i]![1] })).sort((a, b) => a.k - b.k).map((x) => x.e);
        const out: number[] = [];
        const buf = new ReorderBuffer(60_000);
        for (const e of arrival) buf.push(e, (x) => out.push(x.ts));
        buf.drain((x) => out.push(x.ts));
        expect(out).toEqual(sorted.map((e) => e.ts));
        expect(buf.late).toBe(0);
      }),
    );
  });

  it('breaks ties on content, whatever the arrival order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom('/a', '/b', '/c'), fc.constantFrom('1.1.1.1', '2.2.2.2')), { maxLength: 400 }),
        (rows) => {
          // Whole-second timestamps: many ties; arrival order shuffled within 20 s.
          const events = rows.map(([t, p, ip], i) => ({ ...ev(t * 1000, i), path: p, ip }));
          const out: EnrichedEvent[] = [];
          const buf = new ReorderBuffer(60_000);
          for (const e of events) buf.push(e, (x) => out.push(x));
          buf.drain((x) => out.push(x));
          expect(out).toEqual([...events].sort(compareEvents));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('counts events later than the lateness', () => {
    const buf = new ReorderBuffer(1000);
    const out: number[] = [];
    for (const t of [0, 5000, 10_000, 2000]) buf.push(ev(t, t), (x) => out.push(x.ts));
    buf.drain((x) => out.push(x.ts));
    expect(buf.late).toBe(1);
    expect(out).toContain(2000);
  });
});

describe('KeyedTable', () => {
  it('expires idle entries by event time and calls onRemove', () => {
    const removed: string[] = [];
    const t = new KeyedTable<number>({ idleMs: 10_000, onRemove: (k, _v, why) => removed.push(`${k}:${why}`) });
    t.touch('a', 0, () => 1);
    t.touch('b', 5000, () => 2);
    t.sweep(12_000);
    expect(removed).toEqual(['a:expired']);
    expect(t.get('b')).toBe(2);
    t.flush();
    expect(removed).toEqual(['a:expired', 'b:end']);
    expect(t.size).toBe(0);
  });

  it('keeps at most the cap, dropping the least recently touched first', () => {
    const removed: string[] = [];
    const t = new KeyedTable<number>({ idleMs: 1e12, onRemove: (k) => removed.push(k) }, 32);
    for (let i = 0; i < 32; i++) t.touch(`k${i}`, i, () => i);
    t.touch('k0', 100, () => -1); // k0 is now the most recent
    t.touch('new', 101, () => 99);
    expect(t.size).toBeLessThanOrEqual(32);
    expect(t.evicted).toBeGreaterThan(0);
    expect(removed).not.toContain('k0');
    expect(removed).toContain('k1');
    expect(t.get('new')).toBe(99);
  });
});

describe('KeyedTable find/add (the closure-free pair detectors use on hot paths)', () => {
  // A model: a plain Map of key -> { value, last } with the same expiry, eviction and onRemove rules
  // as touch(). Random operations on both must agree on contents and on removals, in order.
  it('behaves as touch() does, through deletes, sweeps and evictions (property)', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('touch' as const), key: fc.integer({ min: 0, max: 40 }), dt: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ k: fc.constant('findAdd' as const), key: fc.integer({ min: 0, max: 40 }), dt: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ k: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 40 }), dt: fc.constant(0) }),
      fc.record({ k: fc.constant('sweep' as const), key: fc.constant(0), dt: fc.integer({ min: 0, max: 20_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const viaTouch: string[] = [];
        const viaFind: string[] = [];
        const a = new KeyedTable<string>({ idleMs: 10_000, onRemove: (k, v, why) => viaTouch.push(`${k}=${v}:${why}`) }, 24);
        const b = new KeyedTable<string>({ idleMs: 10_000, onRemove: (k, v, why) => viaFind.push(`${k}=${v}:${why}`) }, 24);
        let now = 0;
        let made = 0;
        for (const o of ops) {
          now += o.dt;
          const key = `k${o.key}`;
          if (o.k === 'delete') {
            a.delete(key);
            b.delete(key);
          } else if (o.k === 'sweep') {
            a.sweep(now);
            b.sweep(now);
          } else {
            const value = `v${made++}`;
            const fromTouch = a.touch(key, now, () => value);
            const fromFind = b.find(key, now) ?? b.add(key, now, value);
            expect(fromFind).toBe(fromTouch);
          }
          expect(b.size).toBe(a.size);
        }
        a.flush();
        b.flush();
        expect(viaFind).toEqual(viaTouch);
        expect(b.evicted).toBe(a.evicted);
      }),
    );
  });

  it('find() of an unknown key creates nothing, and refreshes a known key so it is not expired', () => {
    const removed: string[] = [];
    const t = new KeyedTable<number>({ idleMs: 10_000, onRemove: (k) => removed.push(k) });
    expect(t.find('a', 0)).toBeUndefined();
    expect(t.size).toBe(0);
    t.add('a', 0, 1);
    t.add('b', 0, 2);
    expect(t.find('a', 9_000)).toBe(1);
    t.sweep(15_000);
    expect(removed).toEqual(['b']);
    expect(t.get('a')).toBe(1);
  });
});
