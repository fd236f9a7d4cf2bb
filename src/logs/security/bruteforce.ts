// Brute-force detection per source, in the spirit of fail2ban's findtime/maxretry: a source with
// >= threshold failures within `window` is a brute-force source. A detection is counted once per
// crossing: when the source first reaches the threshold, not again for each further failure while
// it stays over; it can cross again once its window count has fallen below the threshold (seen at
// its next failure), or its window has emptied.
//
// Memory, bounded by construction: at most maxSources sources (least recently failing evicted
// first), each with its last `threshold` failure times (older ones can never count again), in
// typed arrays indexed by the source's slot (see slots.ts). A source whose latest failure is older
// than the window before a newer failure can never count again either: it is forgotten as soon as
// it is the least recently failing one, so that the state, and the checkpoint, hold only the
// sources that are still inside their window.
import { grown, LruSlots, type SlotKey } from './slots.js';
import { sourceKey, sourceText } from './source-key.js';
import { sourcesOverThreshold as overThreshold, type WindowsSnapshot } from './window.js';

export interface BruteForceOptions {
  threshold: number;
  /** Milliseconds. */
  window: number;
  maxSources: number;
}

export type BruteForceSnapshot = WindowsSnapshot;

export class BruteForceDetector {
  private readonly slots: LruSlots;
  private readonly t: number;
  /** Failure times held per slot (at most t, ascending), and their number. */
  private times = new Float64Array(0);
  private count = new Int32Array(0);

  constructor(private readonly opts: BruteForceOptions) {
    this.t = opts.threshold;
    this.slots = new LruSlots(opts.maxSources, (size) => {
      this.times = grown(this.times, size * this.t);
      this.count = grown(this.count, size);
    });
  }

  get size(): number {
    return this.slots.size;
  }

  /**
   * Records `n` failures from `source` (a key from sourceKey()) at time `t` (ms); returns true when
   * they make the source cross the threshold. Times going backwards (interleaved files) are clamped
   * per source.
   */
  record(source: SlotKey, t: number, n = 1): boolean {
    const T = this.t;
    let slot = this.slots.find(source);
    if (slot < 0) {
      slot = this.slots.add(source);
      this.count[slot] = 0;
    } else {
      this.slots.touch(slot);
    }
    const times = this.times;
    const base = slot * T;
    let c = this.count[slot];
    const last = c > 0 ? times[base + c - 1] : -Infinity;
    const at = t < last ? last : t;
    const horizon = at - this.opts.window;
    // Over the threshold since its last failure, unless its whole window has expired since.
    const wasOver = c >= T && last >= horizon;
    let drop = 0;
    while (drop < c && times[base + drop] < horizon) drop++;
    // More than T identical times cannot change the verdict (bounds "repeated 1e9 times").
    const add = n < T ? n : T;
    if (c - drop + add > T) drop = c + add - T;
    if (drop > 0) {
      times.copyWithin(base, base + drop, base + c);
      c -= drop;
    }
    for (let i = 0; i < add; i++) times[base + c++] = at;
    this.count[slot] = c;
    this.forgetExpired(horizon);
    return c >= T && !wasOver;
  }

  /** Forgets the least recently failing sources while their latest failure is before `horizon`. */
  private forgetExpired(horizon: number): void {
    for (let s = this.slots.oldestSlot; s >= 0; s = this.slots.oldestSlot) {
      const c = this.count[s];
      if (c > 0 && this.times[s * this.t + c - 1] >= horizon) return;
      this.slots.remove(s);
    }
  }

  snapshot(): BruteForceSnapshot {
    const T = this.t;
    let at = 0;
    this.slots.forEach((s) => {
      const c = this.count[s];
      if (c > 0 && this.times[s * T + c - 1] > at) at = this.times[s * T + c - 1];
    });
    const snap: BruteForceSnapshot = { at, sources: [], counts: [], ages: [] };
    this.slots.forEach((s) => {
      const c = this.count[s];
      snap.sources.push(sourceText(this.slots.key(s)));
      snap.counts.push(c);
      for (let i = 0; i < c; i++) snap.ages.push(at - this.times[s * T + i]);
    });
    return snap;
  }

  /**
   * Replaces the state with a snapshot (checked by the caller: see validate.ts). A snapshot taken
   * with other limits is adapted: the most recent maxSources sources and `threshold` times are kept.
   */
  restore(snap: BruteForceSnapshot): void {
    this.slots.clear();
    const T = this.t;
    let k = 0;
    for (let i = 0; i < snap.sources.length; i++) {
      const c = snap.counts[i];
      const keep = Math.min(c, T);
      if (keep > 0) {
        const key = sourceKey(snap.sources[i]);
        const seen = this.slots.find(key);
        if (seen >= 0) this.slots.remove(seen); // listed twice: the later, more recent entry stands
        const slot = this.slots.add(key);
        for (let j = 0; j < keep; j++) this.times[slot * T + j] = snap.at - snap.ages[k + c - keep + j];
        this.count[slot] = keep;
      }
      k += c;
    }
    const newest = this.slots.size > 0 ? snap.at : 0;
    this.forgetExpired(newest - this.opts.window);
  }
}

/** Sources over the threshold at `now`, from a snapshot (see window.ts). */
export function sourcesOverThreshold(snap: BruteForceSnapshot, now: number, threshold: number, window: number): number {
  return overThreshold(snap, now, threshold, window);
}
