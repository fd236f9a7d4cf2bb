// The one way hostwatch declares a metric family: name, help, type, label names, and a function
// that returns the samples, called when the registry renders. Collectors keep their figures in plain
// state (the last parsed /proc file, the checkpointed counters of a log) and the metric reads that
// state, so a scrape renders exactly what was published and hot paths count in plain numbers
// instead of prom-client label lookups.
import type { Metric, Registry } from 'prom-client';

/** summary and untyped are for families read from elsewhere (the textfile collector). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
export type Labels = Record<string, string | number>;

export interface Sample {
  labels: Labels;
  value: number;
  /** For histograms: the full series name (`x_bucket`, `x_sum`, `x_count`). */
  metricName?: string;
}

interface FamilyHead {
  name: string;
  help: string;
  type: MetricType;
}

/** A family with labels (or several series): `samples` is called once per render. */
export interface LabelledMetric extends FamilyHead {
  labelNames: readonly string[];
  samples: () => Sample[];
}

/** A family of one series without labels, absent from the output while `value` returns undefined. */
export interface SingleMetric extends FamilyHead {
  value: () => number | undefined;
}

export function defineMetric(registry: Registry, metric: LabelledMetric | SingleMetric): void {
  const { name, help, type } = metric;
  const samples =
    'samples' in metric
      ? metric.samples
      : () => {
          const v = metric.value();
          return v === undefined ? [] : [{ labels: {}, value: v }];
        };
  const family = {
    name,
    help,
    type,
    labelNames: 'labelNames' in metric ? metric.labelNames : [],
    aggregator: 'sum',
    get: () => ({ name, help, type, aggregator: 'sum', values: samples() }),
  };
  // prom-client renders any registered object that has name, help, type and get() (Registry
  // .getMetricsAsString), but its Metric type is the union of its own classes, which a plain
  // object cannot be: this is the one place that crosses that gap.
  registry.registerMetric(family as unknown as Metric);
}
