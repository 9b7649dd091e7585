import { describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/detect/alert-store.js';
import type { Alert } from '../../src/detect/types.js';

function alert(i: number, extra: Record<string, unknown> = {}): Alert {
  return {
    rule: 'bola-enumeration',
    severity: i % 2 ? 'high' : 'medium',
    title: 'Object enumeration',
    subject: { user: `u${i}`, route: '/api/orders/{id}' },
    start: 1_714_381_200_000 + i,
    end: 1_714_381_260_000 + i,
    summary: `user u${i} requested ${i} foreign ids`,
    severityReason: 'because',
    evidence: {
      metrics: { distinctIds: i, ratio: 0.125 },
      thresholds: { threshold: 20 },
      samples: [{ time: 1, file: 'a.log', line: i, method: 'GET', path: `/api/orders/${i}`, status: 200 }],
      statuses: { '200': i, '404': 2 },
      ...extra,
    },
    references: ['OWASP API1:2023'],
  };
}

/** Text that deflate cannot shrink much (printable, pseudo-random). */
function noise(length: number, seed: number): string {
  let out = '';
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += String.fromCharCode(33 + ((x >>> 0) % 90));
  }
  return out;
}

describe('AlertStore', () => {
  it('gives back every alert, equal and in order, and is empty after', () => {
    const store = new AlertStore();
    const given = Array.from({ length: 500 }, (_, i) => alert(i));
    for (const a of given) store.push(a);
    expect(store.length).toBe(500);
    expect(store.take()).toEqual(given);
    expect(store.length).toBe(0);
    expect(store.take()).toEqual([]);
  });

  it('keeps the key order the reports write', () => {
    const store = new AlertStore();
    const a = alert(3);
    store.push(a);
    const [back] = store.take();
    expect(JSON.stringify(back)).toBe(JSON.stringify(a));
  });

  it('gives back what the JSON report would hold: no undefined keys, null for what is not a number', () => {
    const store = new AlertStore();
    store.push(alert(1, { metrics: { gapCv: NaN, rate: Infinity, zero: -0, gone: undefined, kept: 2 } }));
    const [back] = store.take();
    expect(back!.evidence.metrics).toEqual({ gapCv: null, rate: null, zero: 0, kept: 2 });
    expect(Object.keys(back!.evidence.metrics)).toEqual(['gapCv', 'rate', 'zero', 'kept']);
  });

  it('holds alerts larger than a chunk, between ordinary ones', () => {
    const store = new AlertStore();
    // Over 1 MB once deflated.
    const given = [alert(1), alert(2, { note: noise(1_600_000, 7) }), alert(3)];
    for (const a of given) store.push(a);
    expect(store.take()).toEqual(given);
  });

  it('fills many chunks without mixing alerts up', () => {
    const store = new AlertStore();
    // About 1 KB each once deflated: the alerts span three 1 MB chunks.
    const given = Array.from({ length: 3000 }, (_, i) => ({ ...alert(i), summary: noise(1200, i) }));
    for (const a of given) store.push(a);
    const back = store.take();
    expect(back).toHaveLength(3000);
    expect(back.map((a) => a.summary)).toEqual(given.map((a) => a.summary));
    expect(back[2999]).toEqual(given[2999]);
  });
});
