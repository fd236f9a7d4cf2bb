// processes: number of processes (PIDs in /proc) and threads (/proc/loadavg).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import { hostPaths, readText } from '../hostfs.js';
import { parseLoadavg } from '../loadavg/parse.js';
import { countPids } from './parse.js';

export class ProcessesCollector implements Collector {
  private readonly proc: string;
  private processes?: number;
  private threads?: number;

  constructor(ctx: CollectorContext) {
    this.proc = hostPaths(ctx.config.host).proc;
    defineMetric(ctx.registry, {
      name: 'hostwatch_processes',
      help: 'Processes (thread groups) that exist.',
      type: 'gauge',
      value: () => this.processes,
    });
    defineMetric(ctx.registry, {
      name: 'hostwatch_threads',
      help: 'Threads (kernel scheduling entities) that exist.',
      type: 'gauge',
      value: () => this.threads,
    });
  }

  async update(): Promise<void> {
    const [entries, loadavg] = await Promise.all([readdir(this.proc), readText(join(this.proc, 'loadavg'))]);
    this.processes = countPids(entries);
    this.threads = parseLoadavg(loadavg).threads;
  }
}

export const processesCollector: CollectorDefinition = {
  name: 'processes',
  help: 'process and thread counts (/proc, /proc/loadavg)',
  defaultEnabled: true,
  create: (ctx) => new ProcessesCollector(ctx),
};
