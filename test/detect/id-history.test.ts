import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdHistory } from '../../src/detect/util/id-history.js';

describe('IdHistory (the own-id history of bola-enumeration)', () => {
  it('answers like a Map for decimal and text ids, in any order (property)', () => {
    const id = fc.oneof(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 60 }), fc.constantFrom('007', '7x', 'a3f9', '__proto__', '', '1.5', '-3', '1099511627776'), fc.constantFrom(2 ** 40, 1.5, -3, NaN));
    fc.assert(
      fc.property(fc.array(fc.tuple(id, fc.integer({ min: -1_000_000, max: 2 ** 31 })), { maxLength: 300 }), fc.array(id, { maxLength: 50 }), (adds, probes) => {
        const h = new IdHistory();
        const model = new Map<number | string, number>();
        for (const [k, t] of adds) {
          expect(h.get(k)).toBe(model.get(k));
          if (model.has(k)) continue; // add() is only called for ids not held
          h.add(k, t);
          model.set(k, t);
          expect(h.size).toBe(model.size);
        }
        for (const k of [...probes, ...model.keys()]) expect(h.get(k)).toBe(model.get(k));
        // The ids used since a time, in the order of their use (ties: 32-bit integers by value, then
        // the others as added), whether the history still holds few ids or has grown past them.
        const int32 = (k: number | string): k is number => typeof k === 'number' && (k | 0) === k;
        const order = [...model.keys()];
        for (const from of [-Infinity, 0, 2 ** 30]) {
          const expected = order
            .filter((k) => model.get(k)! >= from)
            .sort((a, b) => model.get(a)! - model.get(b)! || Number(!int32(a)) - Number(!int32(b)) || (int32(a) && int32(b) ? a - b : order.indexOf(a) - order.indexOf(b)));
          expect(h.usedSince(from)).toEqual(expected);
        }
      }),
    );
  });

  it('keeps a number and the text of the same digits apart', () => {
    const h = new IdHistory();
    h.add(7, 100);
    expect(h.get('7')).toBeUndefined();
    h.add('007', 200);
    expect([h.get(7), h.get('007'), h.size]).toEqual([100, 200, 2]);
  });
});
