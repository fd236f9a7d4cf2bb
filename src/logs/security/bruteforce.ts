// Brute-force detection per source, in the spirit of fail2ban's findtime/maxretry: a source with
// >= threshold failures within `window` is a brute-force source. A detection is counted once per
// crossing: when the source first reaches the threshold, not again for each further failure while
// it stays over; it can cross again once its window count has fallen below the threshold (seen at
// its next failure), or its window has emptied.
//
// Memory, bounded by construction: at most maxSources sources (least recently failing evicted
// first), each with its last `threshold` failure times (older ones can never count again), in
// typed arrays indexed by the source's slot (see source-windows.ts). A source whose latest failure is older
// than the window before a newer failure can never count again either: it is forgotten as soon as
// it is the least recently failing one, so that the state, and the checkpoint, hold only the
// sources that are still inside their window.
import type { SlotKey } from './slots.js';
import { SourceWindows } from './source-windows.js';
import { sourcesOverThreshold as overThreshold, windowsReaching, type WindowsSnapshot } from './window.js';

export interface BruteForceOptions {
  threshold: number;
  /** Milliseconds. */
  window: number;
  maxSources: number;
}

export type BruteForceSnapshot = WindowsSnapshot;

export class BruteForceDetector {
  /** Per source, its last `threshold` failure times. */
  private readonly w: SourceWindows;

  constructor(private readonly opts: BruteForceOptions) {
    this.w = new SourceWindows(opts.threshold, opts.maxSources, false);
  }

  get size(): number {
    return this.w.size;
  }

  /**
   * Records `n` failures from `source` (a key from sourceKey()) at time `t` (ms); returns true when
   * they make the source cross the threshold. Times going backwards (interleaved files) are clamped
   * per source.
   */
  record(source: SlotKey, t: number, n = 1): boolean {
    const w = this.w;
    const T = w.width;
    const slot = w.slotOf(source);
    const c = w.countOf(slot);
    const last = w.last(slot);
    const at = t < last ? last : t;
    const horizon = at - this.opts.window;
    // Over the threshold since its last failure, unless its whole window has expired since.
    const wasOver = c >= T && last >= horizon;
    let drop = w.expired(slot, horizon);
    // More than T identical times cannot change the verdict (bounds "repeated 1e9 times").
    const add = n < T ? n : T;
    if (c - drop + add > T) drop = c + add - T;
    w.remove(slot, 0, drop);
    for (let i = 0; i < add; i++) w.append(slot, at);
    w.forgetExpired(horizon);
    return w.countOf(slot) >= T && !wasOver;
  }

  snapshot(): BruteForceSnapshot {
    return this.w.snapshot();
  }

  /** What the metrics read of a snapshot: its sources at the threshold (see windowsReaching). */
  metricsView(snap: BruteForceSnapshot): BruteForceSnapshot {
    return windowsReaching(snap, this.opts.threshold).windows;
  }

  /**
   * Replaces the state with a snapshot (checked by the caller: see validate.ts). A snapshot taken
   * with other limits is adapted: the most recent maxSources sources and `threshold` times are kept.
   */
  restore(snap: BruteForceSnapshot): void {
    this.w.restore(snap, this.opts.window);
  }
}

/** Sources over the threshold at `now`, from a snapshot (see window.ts). */
export function sourcesOverThreshold(snap: BruteForceSnapshot, now: number, threshold: number, window: number): number {
  return overThreshold(snap, now, threshold, window);
}
