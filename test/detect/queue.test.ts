import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ItemQueue, NumberQueue, TimeQueue, shouldCompact } from '../../src/detect/util/queue.js';

describe('shouldCompact (sliding-window queues)', () => {
  it('drops the consumed prefix as soon as the window is empty, however small', () => {
    expect(shouldCompact(1, 1)).toBe(true);
    expect(shouldCompact(3, 3)).toBe(true);
  });

  it('otherwise waits until half the array is consumed, so copies stay amortised', () => {
    expect(shouldCompact(16, 32)).toBe(true);
    expect(shouldCompact(15, 30)).toBe(false); // too few to be worth a copy yet
    expect(shouldCompact(20, 50)).toBe(false); // most of the array still live
  });

  it('never compacts an untouched queue', () => {
    expect(shouldCompact(0, 0)).toBe(false);
    expect(shouldCompact(0, 10)).toBe(false);
  });
});

describe('NumberQueue and TimeQueue (window queues without an object per entry)', () => {
  // Random pushes and shifts against a plain array: every row must read back as pushed, in FIFO
  // order, across growth (doubling) and shrinking (halving once three quarters are free).
  const ops = fc.array(fc.oneof(fc.integer({ min: 1, max: 300 }).map((n) => ({ push: n })), fc.integer({ min: 1, max: 300 }).map((n) => ({ shift: n }))), { maxLength: 60 });

  it('NumberQueue keeps rows of one to three numbers in order (property)', () => {
    fc.assert(
      fc.property(ops, fc.constantFrom(1 as const, 2 as const, 3 as const), (steps, width) => {
        const q = new NumberQueue(width);
        const model: number[][] = [];
        let next = 0;
        for (const s of steps) {
          if ('push' in s) {
            for (let i = 0; i < s.push; i++, next++) {
              const row = [next, next * 2 + 0.5, -next];
              q.push(row[0]!, row[1], row[2]);
              model.push(row.slice(0, width));
            }
          } else {
            for (let i = 0; i < s.shift && model.length > 0; i++) {
              expect(q.first(0)).toBe(model[0]![0]);
              q.shift();
              model.shift();
            }
          }
          expect(q.size).toBe(model.length);
          for (let i = 0; i < model.length; i++) for (let c = 0; c < width; c++) expect(q.at(i, c)).toBe(model[i]![c]);
          for (let c = 0; c < width; c++) expect(q.column(c)).toEqual(model.map((r) => r[c]));
        }
      }),
    );
  });

  it('ItemQueue keeps rows of one or two items in order, grows and shrinks, and lets go of shifted items (property)', () => {
    fc.assert(
      fc.property(ops, fc.constantFrom(1 as const, 2 as const), (steps, width) => {
        const q = new ItemQueue<{ id: number }>(width);
        const model: Array<[{ id: number }, { id: number }]> = [];
        let next = 0;
        for (const s of steps) {
          if ('push' in s) {
            for (let i = 0; i < s.push; i++, next++) {
              const row: [{ id: number }, { id: number }] = [{ id: next }, { id: -next }];
              q.push(row[0], row[1]);
              model.push(row);
            }
          } else {
            for (let i = 0; i < s.shift && model.length > 0; i++) {
              q.shift();
              model.shift();
            }
          }
          expect(q.size).toBe(model.length);
          for (let i = 0; i < model.length; i++) {
            expect(q.at(i, 0)).toBe(model[i]![0]);
            if (width === 2) expect(q.at(i, 1)).toBe(model[i]![1]);
          }
        }
        // Nothing shifted out is still held.
        const held = (q as unknown as { items: Array<{ id: number } | undefined> }).items.filter((x) => x !== undefined).length;
        expect(held).toBe(model.length * width);
      }),
      { numRuns: 200 },
    );
  });

  it('TimeQueue keeps (time, item) pairs in order and lets go of shifted items (property)', () => {
    fc.assert(
      fc.property(ops, (steps) => {
        const q = new TimeQueue<{ id: number }>();
        const model: Array<{ t: number; item: { id: number } }> = [];
        let next = 0;
        for (const s of steps) {
          if ('push' in s) {
            for (let i = 0; i < s.push; i++, next++) {
              const item = { id: next };
              q.push(next * 10, item);
              model.push({ t: next * 10, item });
            }
          } else {
            for (let i = 0; i < s.shift && model.length > 0; i++) {
              expect(q.firstTime()).toBe(model[0]!.t);
              expect(q.shift()).toBe(model.shift()!.item);
            }
          }
          expect(q.size).toBe(model.length);
          for (let i = 0; i < model.length; i++) {
            expect(q.timeAt(i)).toBe(model[i]!.t);
            expect(q.at(i)).toBe(model[i]!.item);
          }
        }
        // Nothing shifted out is still referenced by the queue.
        const held = new Set<unknown>();
        for (let i = 0; i < q.size; i++) held.add(q.at(i));
        const internal = (q as unknown as { items: unknown[] }).items.filter((x) => x !== undefined);
        expect(internal.length).toBe(q.size);
        for (const x of internal) expect(held.has(x)).toBe(true);
      }),
    );
  });

  it('release lets go of an empty queue\'s storage, refuses a queue that holds entries, and the queue works after it', () => {
    const q = new TimeQueue<string>();
    for (let i = 0; i < 40; i++) q.push(i, `r${i}`);
    expect(() => q.release()).toThrow(/not empty/);
    while (q.size > 0) q.shift();
    q.release();
    expect((q as unknown as { items: unknown[] }).items).toHaveLength(0);
    q.push(100, 'a');
    q.push(101, 'b');
    expect([q.size, q.firstTime(), q.at(1), q.shift(), q.firstTime()]).toEqual([2, 100, 'b', 'a', 101]);
    // The window queues of numbers and items alike.
    const n = new NumberQueue(3);
    const r = new ItemQueue<string>(2);
    for (let i = 0; i < 40; i++) {
      n.push(i, i * 10, 1);
      r.push(`a${i}`, `b${i}`);
    }
    expect(() => n.release()).toThrow(/not empty/);
    expect(() => r.release()).toThrow(/not empty/);
    while (n.size > 0) {
      n.shift();
      r.shift();
    }
    n.release();
    r.release();
    n.push(7, 70, 0);
    r.push('x', 'y');
    expect([n.size, n.first(0), n.at(0, 1), r.size, r.at(0, 1)]).toEqual([1, 7, 70, 1, 'y']);
  });
});
