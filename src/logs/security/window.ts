// The per-source event windows of the brute-force and port-scan detectors as plain JSON. Columnar
// (a few arrays however many sources), so that a snapshot taken at every checkpoint is a handful of
// objects and a compact file: times are written as ages before the latest one, sources as text.

export interface WindowsSnapshot {
  /** Latest event time held (ms since the epoch); the times below are given as their age before it. */
  at: number;
  /** The sources, from the least to the most recently active. */
  sources: string[];
  /** Per source, how many of its event times follow in `ages` (at most the detector's threshold). */
  counts: number[];
  /** Ages (at - time, ms) of each source's event times, oldest first, the sources one after another. */
  ages: number[];
}

export function emptyWindows(): WindowsSnapshot {
  return { at: 0, sources: [], counts: [], ages: [] };
}

/**
 * The sources of `w` with at least `threshold` event times, the only ones sourcesOverThreshold()
 * can count with that threshold: what the metrics read of a snapshot (the others matter to a
 * restart only). `perEvent` is a column with one entry per event time, like `ages`, kept alike.
 */
export function windowsReaching(
  w: WindowsSnapshot,
  threshold: number,
  perEvent: readonly number[] = [],
): { windows: WindowsSnapshot; perEvent: number[] } {
  const windows: WindowsSnapshot = { at: w.at, sources: [], counts: [], ages: [] };
  const kept: number[] = [];
  for (let i = 0, k = 0; i < w.counts.length; k += w.counts[i], i++) {
    if (w.counts[i] < threshold) continue;
    windows.sources.push(w.sources[i]);
    windows.counts.push(w.counts[i]);
    for (let j = k; j < k + w.counts[i]; j++) {
      windows.ages.push(w.ages[j]);
      if (j < perEvent.length) kept.push(perEvent[j]);
    }
  }
  return { windows, perEvent: kept };
}

/** How many sources have at least `threshold` event times at or after `now - window`. */
export function sourcesOverThreshold(w: WindowsSnapshot, now: number, threshold: number, window: number): number {
  const horizon = now - window;
  let n = 0;
  let k = 0;
  for (let i = 0; i < w.counts.length; i++) {
    const c = w.counts[i];
    let inWindow = 0;
    for (let j = 0; j < c; j++) if (w.at - w.ages[k + j] >= horizon) inWindow++;
    if (inWindow >= threshold) n++;
    k += c;
  }
  return n;
}
