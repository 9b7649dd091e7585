import { describe, expect, it } from 'vitest';
import { shouldCompact } from '../../src/detect/util/queue.js';

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
