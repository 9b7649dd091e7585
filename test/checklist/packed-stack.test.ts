import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PackedStack } from '../../src/checklist/packed-stack.js';

describe('PackedStack', () => {
  it('behaves as an array under any sequence of push and pop, whatever the chunk size (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.constant(-1)), { maxLength: 120 }), (chunk, ops) => {
        const stack = new PackedStack<{ n: number }>({ chunk });
        const model: Array<{ n: number }> = [];
        for (const op of ops) {
          if (op < 0) {
            stack.pop();
            model.pop();
          } else {
            stack.push({ n: op });
            model.push({ n: op });
          }
          expect(stack.length).toBe(model.length);
        }
        expect(stack.values()).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps what JSON would lose: undefined fields, NaN, -0, Infinity, key order, nested arrays', () => {
    const value = { b: undefined, a: NaN, z: -0, y: Infinity, list: [1, undefined, 'x'], nested: { k: [{ q: 'é€😀' }] } };
    const stack = new PackedStack<typeof value>({ chunk: 1 });
    stack.push(value);
    const [back] = stack.values();
    expect(Object.keys(back!)).toEqual(['b', 'a', 'z', 'y', 'list', 'nested']);
    expect('b' in back!).toBe(true);
    expect(Number.isNaN(back!.a)).toBe(true);
    expect(Object.is(back!.z, -0)).toBe(true);
    expect(back).toEqual(value);
    expect(back).not.toBe(value);
  });

  it('leaves out what pack drops and gets it back through unpack', () => {
    const shared = { big: 'x'.repeat(10_000) };
    const packedSizes: number[] = [];
    const stack = new PackedStack<{ id: number; shared: typeof shared | undefined }>({
      chunk: 2,
      pack: (v) => {
        packedSizes.push(v.shared === undefined ? 0 : 1);
        return { ...v, shared: undefined };
      },
      unpack: (v) => ({ ...v, shared }),
    });
    for (let id = 0; id < 5; id++) stack.push({ id, shared });
    expect(packedSizes).toEqual([1, 1, 1, 1]);
    const back = stack.values();
    expect(back.map((v) => v.id)).toEqual([0, 1, 2, 3, 4]);
    expect(back.every((v) => v.shared === shared)).toBe(true);
    stack.clear();
    expect(stack.length).toBe(0);
    expect(stack.values()).toEqual([]);
  });
});
