// The exporter's own list of metric families, read from the collectors' registries (not a
// hand-kept list): every collector is constructed, not started, with a config that enables every
// log type and FIM, so that all families are registered. Used by the README metrics reference and
// by the stack tests that check every rule and panel uses a metric hostwatch really exposes.
import { tmpdir } from 'node:os';
import { COLLECTORS, loadCollectors } from '../src/collectors/index.js';
import { parseConfig } from '../src/config/load.js';
import { LOG_TYPES } from '../src/logs/registry.js';
import { createCollectors, Runner } from '../src/exporter/runner.js';
import { RemediationEngine } from '../src/remediation/engine.js';
import { silentLogger } from '../src/core/log.js';
import { ManualClock } from '../src/core/clock.js';

export interface MetricFamily {
  name: string;
  help: string;
  type: string;
  labelNames: string[];
  /** The collector that exposes it; "exporter" for the self-metrics and process metrics. */
  collector: string;
}

/**
 * A config that turns on every log type (one log each: the type's example), FIM, the inventory and a probe, used only to
 * enumerate metric families. Nothing is started, so the paths are never opened.
 */
export const CATALOGUE_CONFIG = {
  logs: LOG_TYPES.map((t) => ({ ...t.example, type: t.type })),
  fim: { enabled: true, roots: [{ path: '/nonexistent/fim' }] },
  inventory: { enabled: true, directory: '/nonexistent/inventory' },
  probes: { targets: [{ name: 'catalogue', type: 'http', target: 'http://localhost/' }] },
  host: { textfile: { directory: '/nonexistent/textfiles' } },
};

interface RegisteredMetric {
  name: string;
  help: string;
  type: string;
  labelNames?: readonly string[];
}

const DEFINITIONS = await loadCollectors(COLLECTORS);

export function metricFamilies(): MetricFamily[] {
  const config = parseConfig(CATALOGUE_CONFIG, 'catalogue');
  const collectors = createCollectors(DEFINITIONS, {
    config,
    stateDir: tmpdir(),
    logger: silentLogger,
    clock: new ManualClock(),
  });
  const runner = new Runner(collectors, silentLogger, 1000);
  // The exporter registers the remediation counter with its own metrics (it writes nothing until a decision).
  new RemediationEngine({ stateDir: tmpdir(), registry: runner.selfRegistry, logger: silentLogger, clock: new ManualClock() });
  const out: MetricFamily[] = [];
  const add = (collector: string, metrics: RegisteredMetric[]) => {
    for (const m of metrics) {
      out.push({ name: m.name, help: m.help, type: m.type, labelNames: [...(m.labelNames ?? [])], collector });
    }
  };
  for (const c of collectors) add(c.name, c.registry.getMetricsAsArray() as unknown as RegisteredMetric[]);
  add('exporter', runner.selfRegistry.getMetricsAsArray() as unknown as RegisteredMetric[]);
  return out;
}

/** Every series name a family produces: histograms and summaries add their suffixed series. */
export function seriesNames(f: MetricFamily): string[] {
  if (f.type === 'histogram') return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`];
  if (f.type === 'summary') return [f.name, `${f.name}_sum`, `${f.name}_count`];
  return [f.name];
}
