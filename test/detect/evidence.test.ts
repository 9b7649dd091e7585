import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compactCounts, compactEvidence, fmtBytes, topCounts } from '../../src/detect/util/evidence.js';

describe('evidence counts (kept compactly until the report)', () => {
  // Status codes, status classes and plain words, as in the evidence of every detector.
  const key = fc.oneof(fc.integer({ min: 0, max: 999 }).map(String), fc.constantFrom('2xx', '4xx', 'none', 'GET', '__proto__', 'constructor'), fc.string({ maxLength: 6 }));

  it('compactCounts gives the same keys, values and order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer({ min: 0, max: 2 ** 40 })), { maxLength: 12 }), (pairs) => {
        const r: Record<string, number> = {};
        for (const [k, v] of pairs) Object.defineProperty(r, k, { value: v, enumerable: true, writable: true, configurable: true });
        const c = compactCounts(r);
        expect(Object.keys(c)).toEqual(Object.keys(r));
        expect(JSON.stringify(c)).toBe(JSON.stringify(r));
        for (const k of Object.keys(r)) expect(Object.getOwnPropertyDescriptor(c, k)?.value).toBe(r[k]);
      }),
    );
  });

  it('leaves records that are not all finite numbers as they are', () => {
    for (const r of [{ '404': 'x' }, { '200': Number.NaN }, { '500': Infinity }, { '301': null }, { '404': 1, note: [1] }]) {
      expect(compactCounts(r as Record<string, unknown>)).toBe(r);
    }
  });

  it('topCounts keeps the n largest, ties by key, with statuses as keys', () => {
    const m = new Map([
      ['404', 7],
      ['200', 9],
      ['2xx', 7],
      ['500', 1],
    ]);
    const t = topCounts(m, 3);
    expect(t).toEqual({ '200': 9, '404': 7, '2xx': 7 });
    expect(JSON.stringify(t)).toBe('{"200":9,"404":7,"2xx":7}');
  });

  it('compactEvidence rebuilds count records in place and leaves the rest alone', () => {
    const samples = [{ time: 1, file: 'a', line: 1 }];
    const metrics = { distinctIds: 60, sequential: true, idRange: '1..60' };
    const evidence: Record<string, unknown> = { metrics, samples, statuses: { '404': 3, '200': 1 }, sampleIds: ['1', '2'] };
    compactEvidence(evidence);
    expect(evidence.metrics).toBe(metrics);
    expect(evidence.samples).toBe(samples);
    expect(JSON.stringify(evidence)).toBe('{"metrics":{"distinctIds":60,"sequential":true,"idRange":"1..60"},"samples":[{"time":1,"file":"a","line":1}],"statuses":{"200":1,"404":3},"sampleIds":["1","2"]}');
  });
});

describe('fmtBytes', () => {
  it('labels sizes computed with 1024 with binary units (979,573,214 bytes are 934 MiB, not 934 MB)', () => {
    expect([512, 1536, 979_573_214, 3 * 1024 ** 3, 5 * 1024 ** 4].map(fmtBytes)).toEqual(['512 B', '1.5 KiB', '934 MiB', '3.0 GiB', '5.0 TiB']);
  });
});
