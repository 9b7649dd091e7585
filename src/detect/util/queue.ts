/**
 * Sliding windows keep events in an array with a `head` index past the expired ones. When to drop
 * that consumed prefix matters for memory: waiting for a fixed number of dead entries lets every
 * quiet key (thousands of actors x routes) keep up to that many forever. Drop it as soon as the
 * window is empty, or once half of the array is consumed (so copies stay amortised O(1)).
 */
export function shouldCompact(head: number, length: number): boolean {
  return head > 0 && (head === length || (head >= 16 && head * 2 >= length));
}
