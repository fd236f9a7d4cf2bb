// updates: pending OS updates (apt or dnf), checked in the BACKGROUND every host.updates.interval;
// a scrape only reads the cached result.
//   hostwatch_os_updates_pending{kind="all|security"}   result of the last successful check
//   hostwatch_os_updates_last_check_timestamp_seconds  when that successful check finished
//   hostwatch_os_updates_check_success                 outcome of the last check (0 keeps the old value)
//   hostwatch_os_updates_check_duration_seconds        duration of the last check
//   hostwatch_os_updates_check_supported{tool}         1 with tool="apt|dnf", or 0 with tool="none"
//                                                      when neither is installed (then no pending)
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { HostConfig } from '../../config/schema.js';
import { checkUpdates, DEFAULT_TOOL_CANDIDATES, detectTool, type UpdateTool } from './check.js';
import type { PendingUpdates } from './parse.js';

/**
 * Delay of the first check after start: the package manager costs seconds of CPU, which a
 * short-lived exporter (a test, a restart loop) should not spend, and the first scrapes after start
 * should not compete with it.
 */
export const FIRST_CHECK_DELAY_MS = 10_000;

export interface UpdatesOptions {
  /** Where to look for apt-get/dnf (tests point this at scripts). */
  candidates?: readonly UpdateTool[];
}

export class UpdatesCollector implements Collector {
  private readonly cfg: HostConfig['updates'];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly candidates: readonly UpdateTool[];
  /** undefined before start(); null when no tool was found. */
  private tool?: UpdateTool | null;
  private pending?: PendingUpdates;
  private lastSuccess?: number;
  private lastOk?: boolean;
  private lastDuration?: number;
  private timer?: unknown;
  private checking?: Promise<void>;
  private abort?: AbortController;
  private stopped = false;

  constructor(ctx: CollectorContext, opts: UpdatesOptions = {}) {
    this.cfg = ctx.config.host.updates;
    this.clock = ctx.clock;
    this.logger = ctx.logger;
    this.candidates = opts.candidates ?? DEFAULT_TOOL_CANDIDATES;
    const r = ctx.registry;
    defineMetric(r, {
      name: 'hostwatch_os_updates_pending',
      help: 'Packages with a pending update, from the last successful check.',
      type: 'gauge',
      labelNames: ['kind'],
      samples: () =>
        this.pending
          ? [
              { labels: { kind: 'all' }, value: this.pending.all },
              { labels: { kind: 'security' }, value: this.pending.security },
            ]
          : [],
    });
    defineMetric(r, {
      name: 'hostwatch_os_updates_last_check_timestamp_seconds',
      help: 'When the last successful update check finished, in seconds since the epoch.',
      type: 'gauge',
      value: () => (this.lastSuccess === undefined ? undefined : this.lastSuccess / 1000),
    });
    defineMetric(r, {
      name: 'hostwatch_os_updates_check_success',
      help: 'Whether the last update check succeeded.',
      type: 'gauge',
      value: () => (this.lastOk === undefined ? undefined : this.lastOk ? 1 : 0),
    });
    defineMetric(r, {
      name: 'hostwatch_os_updates_check_duration_seconds',
      help: 'Duration of the last update check.',
      type: 'gauge',
      value: () => this.lastDuration,
    });
    defineMetric(r, {
      name: 'hostwatch_os_updates_check_supported',
      help: 'Whether a supported package manager (apt or dnf) was found to check updates with.',
      type: 'gauge',
      labelNames: ['tool'],
      samples: () => (this.tool === undefined ? [] : [{ labels: { tool: this.tool ? this.tool.name : 'none' }, value: this.tool ? 1 : 0 }]),
    });
  }

  async start(): Promise<void> {
    if (!this.cfg.enabled) return;
    this.tool = (await detectTool(this.candidates)) ?? null;
    if (!this.tool) {
      this.logger.info('no apt-get or dnf found: pending updates are not checked');
      return;
    }
    this.schedule(FIRST_CHECK_DELAY_MS);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.checking = this.check().finally(() => {
        this.checking = undefined;
        this.schedule(this.cfg.interval);
      });
    }, ms);
  }

  private async check(): Promise<void> {
    const tool = this.tool;
    if (!tool) return;
    this.abort = new AbortController();
    const started = process.hrtime.bigint();
    try {
      this.pending = await checkUpdates(tool, this.cfg.timeout, this.abort.signal);
      this.lastOk = true;
      this.lastSuccess = this.clock.now();
      this.logger.debug('update check done', { tool: tool.name, ...this.pending });
    } catch (err) {
      this.lastOk = false;
      if (!this.stopped) this.logger.warn('update check failed', { tool: tool.name, err: (err as Error).message });
    } finally {
      this.lastDuration = Number(process.hrtime.bigint() - started) / 1e9;
      this.abort = undefined;
    }
  }

  /** Resolves when the check in progress, if any, has finished (for tests and shutdown). */
  async idle(): Promise<void> {
    await this.checking;
  }

  async update(): Promise<void> {
    // Nothing to do on the scrape path: the metrics render the cached result.
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.abort?.abort();
    await this.checking;
  }
}

export const updatesCollector: CollectorDefinition = {
  name: 'updates',
  help: 'pending OS updates from a background apt/dnf check (host.updates)',
  defaultEnabled: true,
  create: (ctx) => new UpdatesCollector(ctx),
};
