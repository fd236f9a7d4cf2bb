// The sources with the most failures, in bounded memory whatever the number of distinct sources:
// the Space-Saving summary (Metwally, Agrawal, El Abbadi 2005). It holds `capacity` counters; a
// source not held takes the counter of the least counted one and starts from that count, which
// it records as its possible overestimate (`error`). So count - error is exactly the failures
// counted since the source was last taken into the summary, and every source with more than
// total/capacity failures is held. The capacity is a multiple of the K sources exported, so the
// top K are found among many more candidates.
//
// The counters live in typed arrays; the least counted is found with a binary min-heap of slots,
// and a source's slot with a hash table that allocates nothing per line (../key-index.ts).
import { KeyIndex } from '../key-index.js';
import type { SlotKey } from './slots.js';
import { sourceKey, sourceText } from './source-key.js';

/** Candidates held per source exported. */
export const CANDIDATES_PER_SOURCE = 8;
/** At least this many candidates (when any source is exported). */
export const MIN_CANDIDATES = 64;

/** Plain JSON, columnar: one entry per held source. */
export interface TopSourcesSnapshot {
  sources: string[];
  counts: number[];
  /** The count a source started from when it took over a counter (0: counted since the summary began). */
  errors: number[];
}

export function emptyTopSources(): TopSourcesSnapshot {
  return { sources: [], counts: [], errors: [] };
}

export function topCapacity(k: number): number {
  return k <= 0 ? 0 : Math.max(MIN_CANDIDATES, CANDIDATES_PER_SOURCE * k);
}

export class TopSources {
  private readonly index = new KeyIndex();
  private readonly counts: Float64Array;
  private readonly errors: Float64Array;
  /** heap[i]: a slot; pos[slot]: its index in heap. A min-heap on counts. */
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  private size = 0;

  constructor(readonly capacity: number) {
    this.counts = new Float64Array(capacity);
    this.errors = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity);
    this.index.reserve(capacity);
  }

  /** Counts n failures of `source` (a key from sourceKey()). */
  add(source: SlotKey, n: number): void {
    if (this.capacity === 0) return;
    let slot = this.index.get(source);
    if (slot >= 0) {
      this.counts[slot] += n;
      this.down(this.pos[slot]);
      return;
    }
    if (this.size < this.capacity) {
      slot = this.size++;
      this.counts[slot] = n;
      this.errors[slot] = 0;
      this.heap[slot] = slot;
      this.pos[slot] = slot;
      this.up(slot);
    } else {
      slot = this.heap[0];
      this.index.delete(slot);
      this.errors[slot] = this.counts[slot];
      this.counts[slot] += n;
      this.down(0);
    }
    this.index.set(source, slot);
  }

  snapshot(): TopSourcesSnapshot {
    const snap = emptyTopSources();
    for (let s = 0; s < this.size; s++) {
      snap.sources.push(sourceText(this.index.key(s)));
      snap.counts.push(this.counts[s]);
      snap.errors.push(this.errors[s]);
    }
    return snap;
  }

  /**
   * Replaces the state (checked by the caller), the entries in their snapshot order, so that the
   * slots, and so the choice between equal counts, are those of the handler that took it; with a
   * smaller capacity, the most counted are kept.
   */
  restore(snap: TopSourcesSnapshot): void {
    this.index.clear();
    this.size = 0;
    let keep = snap.sources.map((_, i) => i);
    if (keep.length > this.capacity)
      keep = keep
        .sort((a, b) => snap.counts[b] - snap.counts[a])
        .slice(0, this.capacity)
        .sort((a, b) => a - b);
    for (const i of keep) {
      const key = sourceKey(snap.sources[i]);
      if (this.index.get(key) >= 0) continue;
      const slot = this.size++;
      this.index.set(key, slot);
      this.counts[slot] = snap.counts[i];
      this.errors[slot] = snap.errors[i];
      this.heap[slot] = slot;
      this.pos[slot] = slot;
      this.up(slot);
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i];
    const b = this.heap[j];
    this.heap[i] = b;
    this.heap[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }

  /** The heap order: by count, then by slot, so that the least counted is one whatever the heap's history. */
  private less(a: number, b: number): boolean {
    return this.counts[a] < this.counts[b] || (this.counts[a] === this.counts[b] && a < b);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i], this.heap[parent])) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) return;
      const r = l + 1;
      const c = r < this.size && this.less(this.heap[r], this.heap[l]) ? r : l;
      if (!this.less(this.heap[c], this.heap[i])) return;
      this.swap(i, c);
      i = c;
    }
  }
}

/**
 * The k sources with the most failures counted since they were taken into the summary (ties:
 * the higher estimate first, then the source text), from a snapshot.
 */
export function topSources(snap: TopSourcesSnapshot, k: number): [string, number][] {
  if (k <= 0) return [];
  const order = snap.sources.map((_, i) => i);
  const sure = (i: number) => snap.counts[i] - snap.errors[i];
  order.sort((a, b) => sure(b) - sure(a) || snap.counts[b] - snap.counts[a] || (snap.sources[a] < snap.sources[b] ? -1 : 1));
  return order.slice(0, k).map((i) => [snap.sources[i], sure(i)]);
}
