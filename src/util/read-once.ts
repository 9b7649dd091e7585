/**
 * An iterable that can be read once, and says so: a generator read a second time is silently
 * empty, and JSON.stringify makes `{}` of it, so either here throws instead of losing the items.
 */
export function readOnce<T>(items: Iterable<T>, what: string): Iterable<T> {
  let read = false;
  return {
    [Symbol.iterator](): Iterator<T> {
      if (read) throw new Error(`internal: ${what} read twice (they are made as they are read)`);
      read = true;
      return items[Symbol.iterator]();
    },
    toJSON(): never {
      throw new Error(`internal: ${what} are made as they are read: spread them ([...x]) before JSON.stringify`);
    },
  } as Iterable<T>;
}
