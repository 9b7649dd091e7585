import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HourHistory } from '../../src/detect/util/hour-history.js';

describe('HourHistory (the active hours data-exfiltration keeps per actor)', () => {
  it('keeps the last `cap` rows, oldest first, like arrays pushed and shifted (property)', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 9_000 }));
    // Caps as rules files give them: whole or not (historyHours: 2.5 keeps 2 hours).
    const cap = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 40, noNaN: true }));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 300 }), cap, fc.integer({ min: 1, max: 3 }), (rows, cap, width) => {
        const h = new HourHistory(width, cap);
        const model: number[][] = [[], [], []];
        for (const [a, b, c] of rows) {
          h.push(a, b, c);
          model[0]!.push(a);
          model[1]!.push(b);
          model[2]!.push(c);
          if (model[0]!.length > cap) for (const col of model) col.shift();
          expect(h.length).toBe(model[0]!.length);
        }
        for (let c = 0; c < width; c++) expect(h.column(c)).toEqual(model[c]);
      }),
    );
  });

  it('holds a long run at its cap without losing the newest hours, in at most 1.5 times the room', () => {
    const h = new HourHistory(3, 720);
    for (let i = 0; i < 10_000; i++) {
      h.push(i, i * 2, i * 3);
      expect((h as unknown as { rows: Float64Array }).rows.length).toBeLessThanOrEqual(1080 * 3);
    }
    expect(h.length).toBe(720);
    const bytes = h.column(0);
    expect(bytes[0]).toBe(10_000 - 720);
    expect(bytes[719]).toBe(9_999);
    expect(h.column(2)[719]).toBe(9_999 * 3);
  });
});
