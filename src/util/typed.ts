/**
 * Growing typed arrays (per-key times, hours of history, ids seen), for state that lives as long
 * as a run, some of it growing with the time span a log covers. A typed array's numbers sit
 * outside the V8 heap: the garbage collector never walks them, and V8's headroom for a grown heap
 * (half the live state, see bin/v8-flags.mjs) does not apply to them, where an array of numbers
 * costs both.
 */
type Typed = Float64Array | Int32Array;

/**
 * `a`, or a copy of it at least `length` long: capacity doubled, at least `min`, at most `max`
 * (which must not be below `length`).
 */
export function ensureLength<T extends Typed>(a: T, length: number, min = 8, max = Infinity): T {
  if (length <= a.length) return a;
  const grown = new (a.constructor as new (n: number) => T)(Math.max(length, Math.min(max, Math.max(min, a.length * 2))));
  grown.set(a);
  return grown;
}
