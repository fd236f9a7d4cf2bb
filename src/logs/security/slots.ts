// A fixed-capacity table of keys with least-recently-used eviction, for the per-source and
// per-connection state of the security handlers. Each key gets a slot number; the owner keeps the
// key's data in typed arrays indexed by slot (numbers, not an object per key), and the slot of a key
// is found in a hash table of its own (../key-index.ts), so that a flood of distinct keys allocates
// nothing per line, and the memory is capacity x (a few numbers), whatever the input.
//
// The recency order is a doubly linked list threaded through two Int32Arrays: marking a key as
// most recently used rewrites four integers, where a Map used as an LRU (delete and re-insert)
// would move an entry through its hash table on every line.

import { KeyIndex } from '../key-index.js';

/** A source address as a number (IPv4, see source-key.ts) or a string; a connection key. */
export type SlotKey = string | number;

const NONE = -1;

export class LruSlots<K extends SlotKey = SlotKey> {
  private readonly index = new KeyIndex<K>();
  private older = new Int32Array(0);
  private newer = new Int32Array(0);
  private newest = NONE;
  private oldest = NONE;
  private readonly free: number[] = [];
  /** Slots handed out so far (the arrays hold at least this many). */
  private top = 0;
  evictions = 0;

  /**
   * `grow(size)` is called before a slot >= the current size is used, so that the owner enlarges
   * its arrays to `size` slots (sizes double from 64 up to `capacity`: memory follows use).
   */
  constructor(
    readonly capacity: number,
    private readonly grow: (size: number) => void,
  ) {}

  get size(): number {
    return this.index.size;
  }

  /** The slot of `key`, or -1. */
  find(key: K): number {
    return this.index.get(key);
  }

  key(slot: number): K {
    return this.index.key(slot);
  }

  /** The least recently used slot, or -1 when empty. */
  get oldestSlot(): number {
    return this.oldest;
  }

  /** Marks a slot as the most recently used. */
  touch(slot: number): void {
    if (slot === this.newest) return;
    this.unlink(slot);
    this.linkNewest(slot);
  }

  /**
   * A slot for a key that is not in the table, as the most recently used; when the table is full
   * the least recently used key is evicted and its slot reused. The owner resets the slot's data.
   */
  add(key: K): number {
    let slot: number;
    if (this.index.size >= this.capacity) {
      slot = this.oldest;
      this.index.delete(slot);
      this.unlink(slot);
      this.evictions++;
    } else if (this.free.length > 0) {
      slot = this.free.pop()!;
    } else {
      slot = this.top++;
      if (slot >= this.older.length) this.enlarge();
    }
    this.index.set(key, slot);
    this.linkNewest(slot);
    return slot;
  }

  remove(slot: number): void {
    this.index.delete(slot);
    this.unlink(slot);
    this.free.push(slot);
  }

  clear(): void {
    this.index.clear();
    this.free.length = 0;
    this.top = 0;
    this.newest = this.oldest = NONE;
  }

  /** Calls fn for each slot from the least to the most recently used (fn must not change the table). */
  forEach(fn: (slot: number) => void): void {
    for (let s = this.oldest; s !== NONE; s = this.newer[s]) fn(s);
  }

  private enlarge(): void {
    const size = Math.min(this.capacity, Math.max(64, this.older.length * 2));
    this.older = grown(this.older, size);
    this.newer = grown(this.newer, size);
    this.index.reserve(size);
    this.grow(size);
  }

  private unlink(slot: number): void {
    const o = this.older[slot];
    const n = this.newer[slot];
    if (o === NONE) this.oldest = n;
    else this.newer[o] = n;
    if (n === NONE) this.newest = o;
    else this.older[n] = o;
  }

  private linkNewest(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else this.newer[this.newest] = slot;
    this.newest = slot;
  }
}

type NumberArray = Int32Array | Float64Array | Uint8Array;

/** A copy of `a` with room for `size` elements (the first a.length kept). */
export function grown<T extends NumberArray>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
