// loadavg: 1, 5 and 15 minute load averages (/proc/loadavg).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../../core/collector.js';
import { hostPaths, readText, single } from '../hostfs.js';
import { parseLoadavg, type LoadAvg } from './parse.js';

export class LoadavgCollector implements Collector {
  private readonly file: string;
  private last?: LoadAvg;

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'loadavg');
    single(ctx.registry, 'hostwatch_load1', '1 minute load average.', 'gauge', () => this.last?.load1);
    single(ctx.registry, 'hostwatch_load5', '5 minute load average.', 'gauge', () => this.last?.load5);
    single(ctx.registry, 'hostwatch_load15', '15 minute load average.', 'gauge', () => this.last?.load15);
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
