/**
 * A bounded two-generation cache: O(1) get/set, roughly LRU. When the young generation is full it
 * becomes the old one (the previous old one is dropped); a hit in the old generation is promoted.
 * Unlike deleting a Map's first key per insert, it never walks over deleted entries.
 */
export class GenerationCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(private readonly half: number) {}

  get(k: K): V | undefined {
    const v = this.young.get(k);
    if (v !== undefined) return v;
    const o = this.old.get(k);
    if (o !== undefined) this.set(k, o);
    return o;
  }

  set(k: K, v: V): void {
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(k, v);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
