// Runs the enabled collectors for each scrape, isolated from each other, and renders the result.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Collector, CollectorContext, CollectorDefinition } from '../collectors/collector.js';
import { rateLimited, type Logger } from '../core/log.js';
import { VERSION, REVISION } from '../core/version.js';
import type { ExposedFamily } from './exposition.js';
import { ExporterStatus } from './status.js';
import { observeEveryCollection } from './gc-metric.js';

export interface RunningCollector {
  name: string;
  collector: Collector;
  registry: Registry;
  /** The update in flight, shared by overlapping scrapes so that a slow collector is not piled up. */
  inflight?: Promise<void>;
}

/** Builds the collectors of the given definitions, each with its own registry. */
export function createCollectors(
  defs: CollectorDefinition[],
  base: Omit<CollectorContext, 'registry' | 'logger'> & { logger: Logger },
): RunningCollector[] {
  return defs.map((def) => {
    const registry = new Registry();
    const collector = def.create({ ...base, registry, logger: base.logger.child({ collector: def.name }) });
    return { name: def.name, collector, registry };
  });
}

/**
 * The families of a registry. prom-client's typings declare `type` as a numeric enum; at run time
 * it is the type's name ("counter", "gauge", ...), which is what the renderer reads.
 */
async function familiesOf(registry: Registry): Promise<ExposedFamily[]> {
  return (await registry.getMetricsAsJSON()) as unknown as ExposedFamily[];
}

export class Runner {
  /** Exporter self-metrics: collector success/duration, build info, process metrics. */
  readonly selfRegistry = new Registry();
  /** Exporter-wide state exposed with the self-metrics (reload outcome). */
  readonly status = new ExporterStatus(this.selfRegistry);
  private readonly success: Gauge<'collector'>;
  /** A failing collector fails at every scrape: said once per interval, with the count of repeats. */
  private readonly repeats: Logger;
  private readonly duration: Gauge<'collector'>;

  constructor(
    private collectors: RunningCollector[],
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {
    this.repeats = rateLimited(logger);
    this.success = new Gauge({
      name: 'hostwatch_collector_success',
      help: 'Whether the collector succeeded in the last scrape (1) or failed or timed out (0).',
      labelNames: ['collector'],
      registers: [this.selfRegistry],
    });
    this.duration = new Gauge({
      name: 'hostwatch_collector_duration_seconds',
      help: 'Time the collector took in the last scrape.',
      labelNames: ['collector'],
      registers: [this.selfRegistry],
    });
    new Gauge({
      name: 'hostwatch_build_info',
      help: 'A metric with a constant 1 value labelled by version, revision and the Node.js version hostwatch runs on.',
      labelNames: ['version', 'revision', 'nodejs'],
      registers: [this.selfRegistry],
    }).set({ version: VERSION, revision: REVISION, nodejs: process.version }, 1);
    collectDefaultMetrics({ register: this.selfRegistry });
    observeEveryCollection(this.selfRegistry); // for the life of the process, like the other defaults
    // prom-client types these as gauges despite the _total suffix, which `promtool check metrics`
    // reports as a problem; the same counts remain in nodejs_active_{handles,requests,resources}.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.selfRegistry.removeSingleMetric(name);
    }
  }

  /** Outcome of each collector's last scrape, for the status API. */
  readonly lastResults = new Map<string, { ok: boolean; seconds: number; at: number; lastSuccessAt?: number }>();

  /** The running collectors (the status API reads their registries). */
  get running(): readonly RunningCollector[] {
    return this.collectors;
  }

  get names(): string[] {
    return this.collectors.map((c) => c.name);
  }

  /** Swaps the collector set (config reload); the caller stops the old ones. */
  replace(collectors: RunningCollector[]): RunningCollector[] {
    const old = this.collectors;
    this.collectors = collectors;
    this.success.reset();
    this.duration.reset();
    return old;
  }

  async start(): Promise<void> {
    for (const c of this.collectors) {
      try {
        await c.collector.start?.();
      } catch (err) {
        this.logger.error('collector failed to start', { collector: c.name, err });
      }
    }
  }

  async stop(collectors = this.collectors): Promise<void> {
    await Promise.all(
      collectors.map(async (c) => {
        try {
          await c.collector.stop?.();
        } catch (err) {
          this.logger.error('collector failed to stop cleanly', { collector: c.name, err });
        }
      }),
    );
  }

  /** Runs one collector's update with the timeout; resolves to success. */
  private async runOne(c: RunningCollector): Promise<{ ok: boolean; seconds: number }> {
    const started = process.hrtime.bigint();
    c.inflight ??= c.collector.update().finally(() => {
      c.inflight = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    let ok = true;
    try {
      await Promise.race([c.inflight, timeout]);
    } catch (err) {
      ok = false;
      this.repeats.warn('collector failed', { collector: c.name, err });
    } finally {
      clearTimeout(timer);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { ok, seconds };
  }

  /**
   * Runs every collector for a scrape and returns the families to expose: those of the collectors
   * that succeeded, then the self-metrics (which report the ones that failed).
   */
  async collect(): Promise<ExposedFamily[]> {
    const collectors = this.collectors;
    const results = (await Promise.all(collectors.map((c) => this.runOne(c)))).map((r, i) => {
      // Set in the collectors' order once all are done, not as each finishes: the series of the
      // self-metrics come out in the same order at every scrape.
      this.success.set({ collector: collectors[i].name }, r.ok ? 1 : 0);
      this.duration.set({ collector: collectors[i].name }, r.seconds);
      const at = Date.now();
      const prev = this.lastResults.get(collectors[i].name);
      this.lastResults.set(collectors[i].name, { ok: r.ok, seconds: r.seconds, at, lastSuccessAt: r.ok ? at : prev?.lastSuccessAt });
      return r.ok;
    });
    const families: ExposedFamily[] = [];
    for (let i = 0; i < collectors.length; i++) {
      if (!results[i]) continue;
      try {
        families.push(...(await familiesOf(collectors[i].registry)));
      } catch (err) {
        // A metric whose collect() throws must not break the whole scrape either.
        this.success.set({ collector: collectors[i].name }, 0);
        this.repeats.warn('collector failed to render', { collector: collectors[i].name, err });
      }
    }
    families.push(...(await familiesOf(this.selfRegistry)));
    return families;
  }
}
