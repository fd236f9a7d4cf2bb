// The `logs` collector: one exactly-once pipeline per entry of `logs:` in the config, the metric
// families of every log type, and the generic per-log metrics. The metrics render the last
// checkpointed state of each log (see src/logs/pipeline.ts): a scrape never waits on the disk.
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import type { LogConfig } from '../../config/schema.js';
import type { LogType } from '../../logs/handler.js';
import { LOG_TYPES } from '../../logs/registry.js';
import { LogPipeline } from '../../logs/pipeline.js';
import type { WatchFn } from '../../tail/watch.js';
import { registerGenericMetrics } from './metrics.js';

/** The runtime of every registered log type, by type name (this module is imported only when the collector is enabled). */
const RUNTIMES: ReadonlyMap<string, LogType> = new Map(await Promise.all(LOG_TYPES.map(async (t) => [t.type, await t.load()] as const)));

export interface LogsCollectorOptions {
  /** For tests: the watcher given to every tailer. */
  watch?: WatchFn;
  /** For tests: the log types by name, instead of the registered ones. */
  types?: ReadonlyMap<string, LogType>;
}

export class LogsCollector implements Collector {
  readonly pipelines: LogPipeline[] = [];

  constructor(ctx: CollectorContext, opts: LogsCollectorOptions = {}) {
    const types = opts.types ?? RUNTIMES;
    // Every type's families are registered, configured or not: the set of metric names does not
    // depend on the config, and a type's family renders only the logs of that type.
    for (const [typeName, type] of types) {
      const published = () => {
        const m = new Map<string, { config: LogConfig; state: unknown }>();
        for (const p of this.pipelines) if (p.config.type === typeName) m.set(p.name, { config: p.config, state: p.state.handler });
        return m;
      };
      type.registerMetrics(ctx.registry, published, ctx.clock);
    }
    registerGenericMetrics(ctx.registry, () => this.pipelines);

    for (const config of ctx.config.logs) {
      const type = types.get(config.type);
      // The config schema accepts only registered types.
      if (!type) throw new Error(`log ${config.name}: no runtime for log type ${config.type}`);
      this.pipelines.push(
        new LogPipeline({
          config,
          type,
          stateDir: ctx.stateDir,
          clock: ctx.clock,
          logger: ctx.logger.child({ log: config.name }),
          registry: ctx.registry,
          watch: opts.watch,
        }),
      );
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.pipelines.map((p) => p.start()));
  }

  /**
   * Nothing to compute: the pipelines publish what they checkpoint in the background. A scrape
   * during the start waits for the checkpoints to be restored (a read), never for a write.
   */
  async update(): Promise<void> {
    await Promise.all(this.pipelines.map((p) => p.ready()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.pipelines.map((p) => p.stop()));
  }
}

export const logsCollector: CollectorDefinition = {
  name: 'logs',
  help: 'metrics derived from log files (access, auth, firewall, pattern), counted exactly once across restarts and rotations',
  defaultEnabled: true,
  create: (ctx) => new LogsCollector(ctx),
};
