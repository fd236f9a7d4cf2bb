// loadavg: 1, 5 and 15 minute load averages (/proc/loadavg).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import { hostPaths, readText } from '../hostfs.js';
import { parseLoadavg, type LoadAvg } from './parse.js';

export class LoadavgCollector implements Collector {
  private readonly file: string;
  private last?: LoadAvg;

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'loadavg');
    defineMetric(ctx.registry, { name: 'hostwatch_load1', help: '1 minute load average.', type: 'gauge', value: () => this.last?.load1 });
    defineMetric(ctx.registry, { name: 'hostwatch_load5', help: '5 minute load average.', type: 'gauge', value: () => this.last?.load5 });
    defineMetric(ctx.registry, {
      name: 'hostwatch_load15',
      help: '15 minute load average.',
      type: 'gauge',
      value: () => this.last?.load15,
    });
  }

  async update(): Promise<void> {
    this.last = parseLoadavg(await readText(this.file));
  }
}

export const loadavgCollector: CollectorDefinition = {
  name: 'loadavg',
  help: 'load averages (/proc/loadavg)',
  defaultEnabled: true,
  create: (ctx) => new LoadavgCollector(ctx),
};
