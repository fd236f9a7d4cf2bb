// The exporter's own list of metric families, read from the collectors' registries (not a
// hand-kept list): every collector is constructed, not started, with a config that enables every
// log type and FIM, so that all families are registered. Used by the README metrics reference and
// by the stack tests that check every rule and panel uses a metric hostwatch really exposes.
import { tmpdir } from 'node:os';
import { COLLECTORS } from '../collectors/index.js';
import { loadCollectors } from '../collectors/lazy.js';
import { parseConfig } from '../config/load.js';
import { createCollectors, Runner } from './runner.js';
import { silentLogger } from './log.js';
import { ManualClock } from './clock.js';

export interface MetricFamily {
  name: string;
  help: string;
  type: string;
  labelNames: string[];
  /** The collector that exposes it; "exporter" for the self-metrics and process metrics. */
  collector: string;
}

// Every collector is constructed below, including those the exporter imports only when enabled.
await loadCollectors(COLLECTORS);

/** A config that turns on every log type and FIM, used only to enumerate metric families. */
export const CATALOGUE_CONFIG = {
  logs: [
    { name: 'access', type: 'access', path: '/nonexistent/access.log' },
    { name: 'auth', type: 'auth', path: '/nonexistent/auth.log' },
    { name: 'firewall', type: 'firewall', path: '/nonexistent/ufw.log' },
    { name: 'pattern', type: 'pattern', path: '/nonexistent/p.log', rules: [{ name: 'r', regex: 'x(?<a>y)', labels: ['a'] }] },
  ],
  fim: { enabled: true, roots: [{ path: '/nonexistent/fim' }] },
  inventory: { enabled: true, directory: '/nonexistent/inventory' },
};

interface RegisteredMetric {
  name: string;
  help: string;
  type: string;
  labelNames?: readonly string[];
}

export function metricFamilies(): MetricFamily[] {
  const config = parseConfig(CATALOGUE_CONFIG, 'catalogue');
  const collectors = createCollectors(COLLECTORS, {
    config,
    stateDir: tmpdir(),
    logger: silentLogger,
    clock: new ManualClock(),
  });
  const runner = new Runner(collectors, silentLogger, 1000);
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
