import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { H_BYTES, H_EXPORTS, H_REQUESTS, HourHistory } from '../../src/detect/util/hour-history.js';

describe('HourHistory (an actor\'s active hours, off the heap)', () => {
  const row = fc.tuple(fc.double({ min: 0, max: 1e15, noNaN: true }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 1e6 }));

  it('keeps the last maxRows hours in order, across growth and wrap-around (property)', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 400 }), fc.integer({ min: 1, max: 150 }), (rows, maxRows) => {
        const h = new HourHistory(maxRows);
        const model: Array<[number, number, number]> = [];
        for (const [b, e, r] of rows) {
          h.push(b, e, r);
          model.push([b, e, r]);
          if (model.length > maxRows) model.shift();
          expect(h.size).toBe(model.length);
        }
        expect(h.column(H_BYTES)).toEqual(model.map((m) => m[0]));
        expect(h.column(H_EXPORTS)).toEqual(model.map((m) => m[1]));
        expect(h.column(H_REQUESTS)).toEqual(model.map((m) => m[2]));
      }),
    );
  });

  it('reads back bytes exactly, far past 32 bits', () => {
    const h = new HourHistory(720);
    h.push(2 ** 52 + 1, 3, 4);
    h.push(123_456_789_012, 0, 1);
    expect(h.column(H_BYTES)).toEqual([2 ** 52 + 1, 123_456_789_012]);
  });

  it('keeps nothing with a history of no hours (or less than one)', () => {
    for (const max of [0, 0.5, -3]) {
      const h = new HourHistory(max);
      h.push(10, 1, 1);
      expect(h.size).toBe(0);
      expect(h.column(H_BYTES)).toEqual([]);
    }
  });

  it('keeps a fractional maxRows to its whole hours, as the queue it replaced did', () => {
    const h = new HourHistory(2.7);
    for (let i = 1; i <= 4; i++) h.push(i, 0, i);
    expect(h.column(H_REQUESTS)).toEqual([3, 4]);
  });

  it('holds a count beyond 32 bits at the largest one it can store, instead of wrapping to a small one', () => {
    const h = new HourHistory(4);
    h.push(1, 2 ** 32 + 5, 2 ** 33);
    expect(h.column(H_EXPORTS)).toEqual([2 ** 32 - 1]);
    expect(h.column(H_REQUESTS)).toEqual([2 ** 32 - 1]);
  });
});
