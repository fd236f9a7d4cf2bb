// time: the host's clock (to spot clock skew against Prometheus) and uptime (/proc/uptime).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import type { Clock } from '../../core/clock.js';
import { hostPaths, readText } from '../hostfs.js';
import { parseUptime } from './parse.js';

export class TimeCollector implements Collector {
  private readonly file: string;
  private readonly clock: Clock;
  private now?: number;
  private uptime?: number;

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'uptime');
    this.clock = ctx.clock;
    defineMetric(ctx.registry, {
      name: 'hostwatch_time_seconds',
      help: 'System time in seconds since the epoch.',
      type: 'gauge',
      value: () => this.now,
    });
    defineMetric(ctx.registry, {
      name: 'hostwatch_uptime_seconds',
      help: 'Seconds since boot (/proc/uptime).',
      type: 'gauge',
      value: () => this.uptime,
    });
  }

  async update(): Promise<void> {
    this.uptime = parseUptime(await readText(this.file));
    this.now = this.clock.now() / 1000;
  }
}

export const timeCollector: CollectorDefinition = {
  name: 'time',
  help: 'system time and uptime (/proc/uptime)',
  defaultEnabled: true,
  create: (ctx) => new TimeCollector(ctx),
};
