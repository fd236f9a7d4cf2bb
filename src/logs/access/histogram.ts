// Histograms kept as slices of one flat array of non-cumulative bucket counts (one slice per
// section), rendered cumulatively at scrape time.
import type { Labels, Sample } from '../../core/metric.js';

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
  const out: Sample[] = [];
  let cum = 0;
  for (let i = 0; i < bounds.length; i++) {
    cum += hist[offset + i];
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bounds[i] }, value: cum });
  }
  cum += hist[offset + bounds.length];
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cum });
  out.push({ metricName: `${name}_sum`, labels, value: sum });
  out.push({ metricName: `${name}_count`, labels, value: cum });
  return out;
}
