// A prom-client metric whose samples come from a function, evaluated at render time. The log
// pipeline uses it to expose exactly the counter snapshot it has checkpointed (never values ahead
// of the checkpoint), and hot paths use it to count in plain numbers instead of label lookups.
import type { Registry } from 'prom-client';

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type Labels = Record<string, string | number>;

export interface Sample {
  labels: Labels;
  value: number;
  /** For histograms: the full series name (`x_bucket`, `x_sum`, `x_count`). */
  metricName?: string;
}

export interface SnapshotMetricOptions {
  name: string;
  help: string;
  type: MetricType;
  labelNames: readonly string[];
  /** Returns the samples to render; called once per scrape. */
  samples: () => Sample[];
}

export class SnapshotMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly aggregator = 'sum';
  private readonly samples: () => Sample[];

  constructor(registry: Registry, opts: SnapshotMetricOptions) {
    this.name = opts.name;
    this.help = opts.help;
    this.type = opts.type;
    this.labelNames = opts.labelNames;
    this.samples = opts.samples;
    // prom-client renders any registered object with name/help/type/get(); see Registry.registerMetric.
    registry.registerMetric(this as never);
  }

  get(): { name: string; help: string; type: MetricType; aggregator: string; values: Sample[] } {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() };
  }
}

/** Histogram state as plain data: cumulative rendering happens at scrape time. */
export interface HistogramState {
  /** Per-bucket (non-cumulative) counts; one more than the bounds, the last is +Inf. */
  counts: number[];
  sum: number;
}

export function newHistogramState(bounds: readonly number[]): HistogramState {
  return { counts: new Array<number>(bounds.length + 1).fill(0), sum: 0 };
}

export function observe(state: HistogramState, bounds: readonly number[], v: number): void {
  let i = 0;
  while (i < bounds.length && v > bounds[i]) i++;
  state.counts[i]++;
  state.sum += v;
}

/** Renders a histogram state as `_bucket`, `_sum` and `_count` samples. */
export function histogramSamples(name: string, labels: Labels, bounds: readonly number[], state: HistogramState): Sample[] {
  const out: Sample[] = [];
  let cum = 0;
  for (let i = 0; i < bounds.length; i++) {
    cum += state.counts[i];
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bounds[i] }, value: cum });
  }
  cum += state.counts[bounds.length];
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cum });
  out.push({ metricName: `${name}_sum`, labels, value: state.sum });
  out.push({ metricName: `${name}_count`, labels, value: cum });
  return out;
}
