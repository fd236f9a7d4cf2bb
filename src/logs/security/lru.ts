// A Map with a hard size cap that evicts the least recently used key. A JS Map iterates in
// insertion order, so "touch" is delete + set and the oldest entry is the first key: O(1) each.
export class LruMap<V> {
  private readonly map = new Map<string, V>();
  evictions = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The most recently used key: touching it again needs no move (consecutive lines of one source). */
  private newest: string | undefined;

  /** Returns the value and marks the key as most recently used. */
  touch(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, v);
      this.newest = key;
    }
    return v;
  }

  peek(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Inserts (or refreshes) a key as most recently used, evicting the oldest keys beyond capacity. */
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evictions++;
    }
  }

  delete(key: string): void {
    this.map.delete(key);
    if (key === this.newest) this.newest = undefined;
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
  }

  /** Entries from least to most recently used (the order restore() must replay). */
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }
}
