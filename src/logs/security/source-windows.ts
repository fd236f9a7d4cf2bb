// The per-source event windows under the brute-force and port-scan detectors (bruteforce.ts,
// portscan.ts): at most maxSources sources (least recently active evicted first, see slots.ts), each
// with its latest `width` event times, ascending, and for the port-scan detector a value per time
// (the port), in typed arrays indexed by the source's slot. The detectors decide what to keep; this
// holds it, forgets the sources whose window has expired, and writes and reads the snapshot that
// goes to the checkpoint (window.ts).
import { grown, LruSlots, type SlotKey } from './slots.js';
import { sourceKey, sourceText } from './source-key.js';
import type { WindowsSnapshot } from './window.js';

export class SourceWindows {
  private readonly slots: LruSlots;
  /** Per slot, `count` times from `slot * width` on, ascending; `values` beside them when kept. */
  private times = new Float64Array(0);
  private values: Int32Array | undefined;
  private count = new Int32Array(0);

  /** `withValues`: a value is kept with each time (the port-scan detector's ports). */
  constructor(
    readonly width: number,
    maxSources: number,
    withValues: boolean,
  ) {
    if (withValues) this.values = new Int32Array(0);
    this.slots = new LruSlots(maxSources, (size) => {
      this.times = grown(this.times, size * width);
      if (this.values) this.values = grown(this.values, size * width);
      this.count = grown(this.count, size);
    });
  }

  get size(): number {
    return this.slots.size;
  }

  /** The slot of `source`, marked as the most recently active; a new source gets an empty one. */
  slotOf(source: SlotKey): number {
    let slot = this.slots.find(source);
    if (slot < 0) {
      slot = this.slots.add(source);
      this.count[slot] = 0;
    } else {
      this.slots.touch(slot);
    }
    return slot;
  }

  /** Entries the slot holds. */
  countOf(slot: number): number {
    return this.count[slot];
  }

  /** The latest time of the slot, -Infinity when it holds none. */
  last(slot: number): number {
    const c = this.count[slot];
    return c > 0 ? this.times[slot * this.width + c - 1] : -Infinity;
  }

  /** How many of the slot's times are before `horizon` (they come first). */
  expired(slot: number, horizon: number): number {
    const base = slot * this.width;
    const c = this.count[slot];
    let k = 0;
    while (k < c && this.times[base + k] < horizon) k++;
    return k;
  }

  /** The index of `value` among the slot's entries, or -1. */
  indexOfValue(slot: number, value: number): number {
    const base = slot * this.width;
    const c = this.count[slot];
    for (let i = 0; i < c; i++) if (this.values![base + i] === value) return i;
    return -1;
  }

  /** Removes `k` entries of the slot from index `from` on (the later ones move down). */
  remove(slot: number, from: number, k: number): void {
    if (k <= 0) return;
    const base = slot * this.width;
    const end = base + this.count[slot];
    this.times.copyWithin(base + from, base + from + k, end);
    this.values?.copyWithin(base + from, base + from + k, end);
    this.count[slot] -= k;
  }

  /** Appends an entry (there is room: the caller removed what had to go). */
  append(slot: number, t: number, value = 0): void {
    const i = slot * this.width + this.count[slot]++;
    this.times[i] = t;
    if (this.values) this.values[i] = value;
  }

  /** Forgets the least recently active sources while their latest time is before `horizon`. */
  forgetExpired(horizon: number): void {
    for (let s = this.slots.oldestSlot; s >= 0; s = this.slots.oldestSlot) {
      if (this.count[s] > 0 && this.last(s) >= horizon) return;
      this.slots.remove(s);
    }
  }

  /** The windows as plain JSON (window.ts); with `values`, each entry's value is pushed to it, in the same order as the ages. */
  snapshot(values?: number[]): WindowsSnapshot {
    let at = 0;
    this.slots.forEach((s) => {
      if (this.count[s] > 0 && this.last(s) > at) at = this.last(s);
    });
    const snap: WindowsSnapshot = { at, sources: [], counts: [], ages: [] };
    this.slots.forEach((s) => {
      const c = this.count[s];
      const base = s * this.width;
      snap.sources.push(sourceText(this.slots.key(s)));
      snap.counts.push(c);
      for (let i = 0; i < c; i++) snap.ages.push(at - this.times[base + i]);
      if (values) for (let i = 0; i < c; i++) values.push(this.values![base + i]);
    });
    return snap;
  }

  /**
   * Replaces the windows with a snapshot (checked by the caller: see validate.ts), `values` beside
   * its ages. A snapshot taken with other limits is adapted: the most recent maxSources sources and
   * `width` entries each are kept; a source listed twice keeps its later, more recent entry. Then
   * the sources whose window (`window` ms) had expired at the snapshot's latest time are forgotten.
   */
  restore(snap: WindowsSnapshot, window: number, values?: readonly number[]): void {
    this.slots.clear();
    const W = this.width;
    let k = 0;
    for (let i = 0; i < snap.sources.length; i++) {
      const c = snap.counts[i];
      const keep = Math.min(c, W);
      if (keep > 0) {
        const key = sourceKey(snap.sources[i]);
        const seen = this.slots.find(key);
        if (seen >= 0) this.slots.remove(seen);
        const slot = this.slots.add(key);
        this.count[slot] = 0;
        for (let j = k + c - keep; j < k + c; j++) this.append(slot, snap.at - snap.ages[j], values ? values[j] : 0);
      }
      k += c;
    }
    this.forgetExpired((this.slots.size > 0 ? snap.at : 0) - window);
  }
}
