// Histograms kept as slices of one flat array of non-cumulative bucket counts (one slice per
// section), rendered cumulatively at scrape time.
import { histogramSamples, type Labels, type Sample } from '../../core/snapshot-metric.js';

/** Counts v in the slice starting at `offset` (bounds.length + 1 buckets, the last is +Inf). */
export function observeFlat(hist: number[], offset: number, bounds: readonly number[], v: number): void {
  let i = 0;
  while (i < bounds.length && v > bounds[i]) i++;
  hist[offset + i]++;
}

/** The `_bucket`, `_sum` and `_count` samples of the slice starting at `offset`. */
export function flatHistogramSamples(
  name: string,
  labels: Labels,
  bounds: readonly number[],
  hist: readonly number[],
  offset: number,
  sum: number,
): Sample[] {
  return histogramSamples(name, labels, bounds, { counts: hist.slice(offset, offset + bounds.length + 1), sum });
}
