// Brute-force detection per source, in the spirit of fail2ban's findtime/maxretry: a source with
// >= threshold failures within `window` is a brute-force source. A detection is counted once per
// crossing: when the source first reaches the threshold, not again for each further failure while
// it stays over; it can cross again after its window count has fallen below the threshold.
//
// Memory: at most maxSources sources (least recently failing evicted first) and, per source, only
// the failure times still inside the window, at most `threshold` of them (older ones can never
// count again, so holding the latest `threshold` is enough to decide ">= threshold in the window").
import { LruMap } from './lru.js';
import { sourcesOverThreshold as overThreshold } from './window.js';

export interface BruteForceOptions {
  threshold: number;
  /** Milliseconds. */
  window: number;
  maxSources: number;
}

interface SourceState {
  /** Failures counted from this source since it was first tracked (for the top-K gauge). */
  total: number;
  /** Failure times inside the window, ascending, at most `threshold`. */
  times: number[];
  /** Currently over the threshold (a crossing was counted and the window has not emptied below it since). */
  over: boolean;
}

/** Plain JSON: [source, total, over, times] in least-to-most recently used order. */
export interface BruteForceSnapshot {
  sources: [string, number, 0 | 1, number[]][];
}

export class BruteForceDetector {
  private readonly sources: LruMap<SourceState>;

  constructor(private readonly opts: BruteForceOptions) {
    this.sources = new LruMap(opts.maxSources);
  }

  get size(): number {
    return this.sources.size;
  }

  /**
   * Records `n` failures from `source` at time `t` (ms); returns true when they make the source
   * cross the threshold. Times going backwards (interleaved files) are clamped per source.
   */
  record(source: string, t: number, n = 1): boolean {
    let s = this.sources.touch(source);
    if (!s) {
      s = { total: 0, times: [], over: false };
      this.sources.set(source, s);
    }
    s.total += n;
    const times = s.times;
    const last = times.length ? times[times.length - 1] : -Infinity;
    const at = t < last ? last : t;
    // More than `threshold` identical times cannot change the verdict (bounds "repeated 1e9 times").
    for (let i = Math.min(n, this.opts.threshold); i > 0; i--) times.push(at);
    const horizon = at - this.opts.window;
    let drop = Math.max(0, times.length - this.opts.threshold);
    while (drop < times.length && times[drop] < horizon) drop++;
    if (drop) times.splice(0, drop);
    const inWindow = times.length >= this.opts.threshold;
    const crossed = inWindow && !s.over;
    s.over = inWindow;
    return crossed;
  }

  snapshot(): BruteForceSnapshot {
    const sources: BruteForceSnapshot['sources'] = [];
    for (const [src, s] of this.sources.entries()) sources.push([src, s.total, s.over ? 1 : 0, s.times.slice()]);
    return { sources };
  }

  restore(snap: BruteForceSnapshot | undefined): void {
    this.sources.clear();
    for (const [src, total, over, times] of snap?.sources ?? []) {
      this.sources.set(src, { total, over: over === 1, times: times.slice(-this.opts.threshold) });
    }
  }
}

/** Sources over the threshold at `now`, from a snapshot (see window.ts). */
export function sourcesOverThreshold(snap: BruteForceSnapshot, now: number, threshold: number, window: number): number {
  return overThreshold(snap.sources, now, threshold, window);
}

/** The k sources with the most failures (ties: most recently seen first), from a snapshot. */
export function topSources(snap: BruteForceSnapshot, k: number): [string, number][] {
  if (k <= 0) return [];
  const all: [string, number, number][] = snap.sources.map(([src, total], i) => [src, total, i]);
  all.sort((a, b) => b[1] - a[1] || b[2] - a[2]);
  return all.slice(0, k).map(([src, total]) => [src, total]);
}
