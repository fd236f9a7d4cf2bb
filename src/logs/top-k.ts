// Events per key (blocked ports, client addresses) with a bounded number of series, exactly-once.
//
// Each event is counted in exactly one series, and a key's series, once created, stays: so the sum
// over series is the exact number of events and no counter ever goes down or moves (restored as is
// from the checkpoint, so stable across restarts). Which keys get their own series (at most k):
// not simply the first k seen (a port scan, or a crawler rotating addresses, would fill them in
// its first second), but the first k to show up as frequent. A Misra-Gries summary of `capacity`
// counters finds the heavy hitters in bounded memory: a key is promoted when its counter reaches
// PROMOTE_AT. Keys seen once each never promote (their counters are decremented away), while keys
// hit again and again do. Events of a key before its promotion stay in `__other__`.
//
// The candidates are counts in a typed array, packed in the order they were taken in, found through
// a hash table that allocates nothing per event (key-index.ts). A Map there, under a flood of
// distinct keys (every destination port in turn), lost and gained ~80 keys per decrement round, and
// its tables piled up in the old generation: ~30 MB per 300k firewall lines, measured.
import { KeyIndex } from './key-index.js';

export const PROMOTE_AT = 3;

/** Plain JSON state. */
export interface TopKState<K extends string | number> {
  /** Keys with their own series: key -> events since promotion. */
  top: Record<string, number>;
  other: number;
  /** Misra-Gries candidates: [key, counter]. */
  candidates: [K, number][];
}

/** Misra-Gries counters held for `k` keys with their own series (the firewall checks its checkpoints against it). */
export function topKCapacity(k: number): number {
  return Math.max(64, 4 * k);
}

export class TopK<K extends string | number> {
  private top = new Map<K, number>();
  private other = 0;
  /** Misra-Gries candidates: slots 0 .. n-1, in the order they were taken in. */
  private readonly index = new KeyIndex<K>();
  private readonly counts: Float64Array;
  private n = 0;
  private readonly capacity: number;
  /** The keys kept by a decrement round, while the index is rebuilt (reused: empty between rounds). */
  private readonly kept: K[] = [];

  /**
   * `keyOf` turns a key written as an object property (the state's `top`) back into a key, and
   * `nameOf` writes a key as one.
   */
  constructor(
    private readonly k: number,
    private readonly keyOf: (written: string) => K,
    private readonly nameOf: (key: K) => string = String,
  ) {
    this.capacity = topKCapacity(k);
    this.counts = new Float64Array(this.capacity);
    this.index.reserve(this.capacity);
  }

  count(key: K): void {
    const own = this.top.get(key);
    if (own !== undefined) {
      this.top.set(key, own + 1);
      return;
    }
    if (this.top.size < this.k && this.observe(key) >= PROMOTE_AT) {
      this.removeCandidate(this.index.get(key));
      this.top.set(key, 1);
      return;
    }
    this.other++;
  }

  /** An event of no key (e.g. a line without an address): counted in `__other__` only. */
  countOther(): void {
    this.other++;
  }

  /** Misra-Gries step: returns the key's counter after this event. */
  private observe(key: K): number {
    const s = this.index.get(key);
    if (s >= 0) return ++this.counts[s];
    if (this.n < this.capacity) {
      this.counts[this.n] = 1;
      this.index.set(key, this.n++);
      return 1;
    }
    // Full: decrement every counter and drop the zeros, packing the others in their order
    // (amortised O(1): each decrement undoes an earlier increment). The index is rebuilt from the
    // survivors rather than edited key by key: under a stream of distinct keys (every client seen
    // once) nearly all candidates go, and one clear costs less than `capacity` deletions.
    const kept = this.kept;
    for (let r = 0; r < this.n; r++) {
      const c = this.counts[r] - 1;
      if (c > 0) {
        this.counts[kept.length] = c;
        kept.push(this.index.key(r));
      }
    }
    this.index.clear();
    for (let w = 0; w < kept.length; w++) this.index.set(kept[w], w);
    this.n = kept.length;
    kept.length = 0;
    return 0;
  }

  /** Takes slot s out of the candidates, the later ones moving down (at most k times: promotions). */
  private removeCandidate(s: number): void {
    this.index.delete(s);
    for (let r = s + 1; r < this.n; r++) {
      const held = this.index.key(r);
      this.index.delete(r);
      this.counts[r - 1] = this.counts[r];
      this.index.set(held, r - 1);
    }
    this.n--;
  }

  snapshot(): TopKState<K> {
    // No prototype: a key such as "__proto__" (a client address is whatever the log says) is a key like any other.
    const top = Object.create(null) as Record<string, number>;
    for (const [p, v] of this.top) top[this.nameOf(p)] = v;
    const candidates: [K, number][] = [];
    for (let s = 0; s < this.n; s++) candidates.push([this.index.key(s), this.counts[s]]);
    return { top, other: this.other, candidates };
  }

  /**
   * Replaces the state. Candidates listed twice keep the later count (as a Map would); beyond the
   * capacity (a checkpoint written with a larger k) the most counted are kept, in their order.
   */
  restore(s: TopKState<K> | undefined): void {
    this.top = new Map(Object.entries(s?.top ?? {}).map(([p, v]) => [this.keyOf(p), v]));
    this.other = s?.other ?? 0;
    const last = new Map<K, number>();
    for (const [key, v] of s?.candidates ?? []) last.set(key, v);
    let entries = [...last];
    if (entries.length > this.capacity) {
      const floor = entries.map(([, v]) => v).sort((a, b) => b - a)[this.capacity - 1];
      const above = entries.filter(([, v]) => v > floor);
      let ties = this.capacity - above.length;
      entries = entries.filter(([, v]) => v > floor || (v === floor && ties-- > 0));
    }
    this.index.clear();
    this.n = 0;
    for (const [key, v] of entries) {
      this.counts[this.n] = v;
      this.index.set(key, this.n++);
    }
  }
}
