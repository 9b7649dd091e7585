import { describe, expect, it } from 'vitest';
import { readOnce } from '../../src/util/read-once.js';

describe('readOnce', () => {
  function* three(): Generator<number> {
    yield 1;
    yield 2;
    yield 3;
  }

  it('gives the items once, then says a second read is a mistake instead of giving nothing', () => {
    const items = readOnce(three(), 'entries');
    expect([...items]).toEqual([1, 2, 3]);
    expect(() => [...items]).toThrow(/entries read twice/);
  });

  it('refuses JSON.stringify, which would write {} for a generator', () => {
    expect(JSON.stringify(three())).toBe('{}');
    expect(() => JSON.stringify({ entries: readOnce(three(), 'entries') })).toThrow(/spread them/);
  });
});
