// Which slot holds a key, for the bounded tables of the log handlers (security/slots.ts,
// security/top-sources.ts, top-k.ts):
// an open-addressing hash table (linear probing, deletion by backward shift) in one Int32Array.
//
// Why not a Map: a table at its cap under a flood of new keys deletes one key and adds another on
// every line, and a Map's hash table rebuilds itself each time its deleted entries fill it (every
// `size` additions), allocating a new table: 224 KB for the 4,096 sshd connections, 896 KB for 10,000
// sources. Arrays that big go straight to V8's old generation, so a flood piled ~50 MB of dead
// tables per 800k auth lines there (measured with the sampling heap profiler), and the heap grew to
// 4x its live size before a full collection. This table is allocated once per size (it doubles
// while the owner's slots do) and a line allocates nothing in it.
//
// The hash is seeded per table at random: source addresses are chosen by whoever sends the packets,
// and fixed collisions would turn every lookup into a scan. Nothing depends on the order of the
// table (owners keep their own order), so the seed changes no output.
const EMPTY = 0;

export class KeyIndex<K extends string | number = string | number> {
  /** Position -> slot + 1 (EMPTY: free). */
  private table = new Int32Array(0);
  private mask = -1;
  /** Slot -> its key's hash, and its key. */
  private hashes = new Int32Array(0);
  private keys: K[] = [];
  private count = 0;
  private readonly seed = (Math.random() * 0x100000000) | 0;

  get size(): number {
    return this.count;
  }

  /** Makes room for slots 0 .. slots - 1 (the table keeps at most half of its positions used). */
  reserve(slots: number): void {
    if (slots > this.hashes.length) {
      const h = new Int32Array(slots);
      h.set(this.hashes);
      this.hashes = h;
    }
    let size = 16;
    while (size < 2 * slots) size *= 2;
    if (size <= this.table.length) return;
    const old = this.table;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i++) if (old[i] !== EMPTY) this.place(old[i] - 1);
  }

  /** The slot of `key`, or -1. */
  get(key: K): number {
    if (this.count === 0) return -1;
    const mask = this.mask;
    const h = this.hash(key);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = this.table[i];
      if (e === EMPTY) return -1;
      if (this.hashes[e - 1] === h && this.keys[e - 1] === key) return e - 1;
    }
  }

  key(slot: number): K {
    return this.keys[slot];
  }

  /** Gives `key` (not in the index) the slot `slot` (reserved, and free). */
  set(key: K, slot: number): void {
    this.keys[slot] = key;
    this.hashes[slot] = this.hash(key);
    this.place(slot);
    this.count++;
  }

  /** Frees the slot (it must hold a key) and drops the reference to its key. */
  delete(slot: number): void {
    const mask = this.mask;
    let i = this.hashes[slot] & mask;
    while (this.table[i] !== slot + 1) i = (i + 1) & mask;
    // Backward shift: move up every later entry of the run that may not sit after the hole.
    for (let j = (i + 1) & mask; this.table[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.hashes[this.table[j] - 1] & mask;
      const between = i <= j ? i < home && home <= j : i < home || home <= j;
      if (between) continue;
      this.table[i] = this.table[j];
      i = j;
    }
    this.table[i] = EMPTY;
    this.keys[slot] = undefined as unknown as K;
    this.count--;
  }

  clear(): void {
    this.table.fill(EMPTY);
    this.keys = [];
    this.count = 0;
  }

  private place(slot: number): void {
    const mask = this.mask;
    let i = this.hashes[slot] & mask;
    while (this.table[i] !== EMPTY) i = (i + 1) & mask;
    this.table[i] = slot + 1;
  }

  /** murmur3's finaliser over the key's 32 bits (a number) or its FNV-1a hash (a string), seeded. */
  private hash(key: K): number {
    let h: number;
    if (typeof key === 'number') {
      h = (key ^ this.seed) | 0;
      // Keys above 32 bits (connection keys are host * 2^22 + pid, under 2^30): the high part mixed in.
      if (key > 0x7fffffff || key < -0x80000000) h ^= Math.floor(key / 0x100000000) | 0;
    } else {
      h = 0x811c9dc5 ^ this.seed;
      for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h;
  }
}
