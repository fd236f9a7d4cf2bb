// The merge keys of every host seen during an import (MACs, names, IPs, vendor ids) mapped to the host's
// number, in typed arrays: a million hosts have four million keys, which as a Map of strings would take
// several hundred MB; here each key is a 64-bit hash and an int32, 12 bytes per slot at most 75% full.
// Two different keys share a 64-bit hash with probability ~n²/2⁶⁵ (1e-6 for 4e6 keys): negligible.

/** The two 32-bit halves of the last hash (module state: hashing allocates nothing). */
let h1 = 0;
let h2 = 0;

/** FNV-1a and a multiply-xorshift hash over the UTF-16 code units, independent enough to pair. */
function hash(s: string): void {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  h1 = a >>> 0;
  h2 = (b ^ (b >>> 16)) >>> 0;
}

/** A non-zero 32-bit hash of a string (per-host name, domain and IP fingerprints; 0 means none). */
export function fingerprint(s: string): number {
  hash(s);
  return h2 || 1;
}

const MAX_LOAD = 0.75;

export class KeyIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** Host number + 1; 0 marks an empty slot. */
  private val: Int32Array;
  private count = 0;

  constructor(private capacity = 4096) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.val = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table (for the benchmark and the report). */
  get bytes(): number {
    return this.capacity * 12;
  }

  private slot(): number {
    let i = h2 % this.capacity;
    for (;;) {
      const v = this.val[i];
      if (v === 0 || (this.hi[i] === h1 && this.lo[i] === h2)) return i;
      i = i + 1 === this.capacity ? 0 : i + 1;
    }
  }

  /** The host number of `key`, or -1. */
  get(key: string): number {
    hash(key);
    return this.val[this.slot()] - 1;
  }

  /** Maps `key` to `host` unless it already maps to a host (the first host to claim a key keeps it). */
  claim(key: string, host: number): void {
    hash(key);
    const i = this.slot();
    if (this.val[i] !== 0) return;
    this.hi[i] = h1;
    this.lo[i] = h2;
    this.val[i] = host + 1;
    if (++this.count > this.capacity * MAX_LOAD) this.grow();
  }

  /** Grows by half (not double): the old and new tables coexist while rehashing, and that peak counts. */
  private grow(): void {
    const { hi, lo, val } = this;
    this.capacity = Math.ceil(this.capacity * 1.5);
    this.hi = new Uint32Array(this.capacity);
    this.lo = new Uint32Array(this.capacity);
    this.val = new Int32Array(this.capacity);
    for (let j = 0; j < val.length; j++) {
      if (val[j] === 0) continue;
      h1 = hi[j];
      h2 = lo[j];
      const i = this.slot();
      this.hi[i] = h1;
      this.lo[i] = h2;
      this.val[i] = val[j];
    }
  }
}
