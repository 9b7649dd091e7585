import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HourlyCounts } from '../../src/baseline/hourly.js';

/** What HourlyCounts replaces: a map of hour -> [requests, bytes], with the same cap. */
function model(steps: Array<[number, number]>, cap: number): { rows: Map<number, [number, number]>; refused: number } {
  const rows = new Map<number, [number, number]>();
  let refused = 0;
  for (const [hour, bytes] of steps) {
    const r = rows.get(hour);
    if (r) {
      r[0]++;
      r[1] += bytes;
    } else if (rows.size < cap) rows.set(hour, [1, bytes]);
    else refused++;
  }
  return { rows, refused };
}

describe('HourlyCounts (requests and bytes per clock hour)', () => {
  it('counts like a map of hours, in hour order, for in-order, late and repeated hours (property)', () => {
    // Mostly ascending hours with late ones mixed in, as a log past the reorder buffer gives.
    const step = fc.tuple(fc.integer({ min: -3, max: 4 }), fc.integer({ min: 0, max: 5_000_000 }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), fc.integer({ min: 1, max: 40 }), (deltas, cap) => {
        let hour = 490_000;
        const steps: Array<[number, number]> = deltas.map(([d, bytes]) => [(hour += d), bytes]);
        const h = new HourlyCounts(cap);
        const refused = steps.filter(([hr, b]) => !h.add(hr, b)).length;
        const want = model(steps, cap);
        const hours = [...want.rows.keys()].sort((a, b) => a - b);
        expect(h.size).toBe(want.rows.size);
        expect(refused).toBe(want.refused);
        expect(h.requests()).toEqual(hours.map((x) => want.rows.get(x)![0]));
        expect(h.bytes()).toEqual(hours.map((x) => want.rows.get(x)![1]));
      }),
    );
  });

  it('refuses a new hour at the cap but still counts the hours it has', () => {
    const h = new HourlyCounts(2);
    expect(h.add(10, 5)).toBe(true);
    expect(h.add(12, 1)).toBe(true);
    expect(h.add(11, 1)).toBe(false);
    expect(h.add(10, 5)).toBe(true);
    expect(h.requests()).toEqual([2, 1]);
    expect(h.bytes()).toEqual([10, 1]);
  });
});
