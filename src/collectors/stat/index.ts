// stat: forks, context switches, interrupts, boot time, running/blocked tasks (/proc/stat).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import { hostPaths, readText } from '../hostfs.js';
import { parseKernelStat, type KernelStat } from './parse.js';

export class StatCollector implements Collector {
  private readonly file: string;
  private last: KernelStat = {};

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'stat');
    const r = ctx.registry;
    defineMetric(r, {
      name: 'hostwatch_procs_running',
      help: 'Tasks in runnable state.',
      type: 'gauge',
      value: () => this.last.procsRunning,
    });
    defineMetric(r, {
      name: 'hostwatch_procs_blocked',
      help: 'Tasks blocked waiting for I/O to complete.',
      type: 'gauge',
      value: () => this.last.procsBlocked,
    });
    defineMetric(r, {
      name: 'hostwatch_forks_total',
      help: 'Processes and threads created since boot.',
      type: 'counter',
      value: () => this.last.forks,
    });
    defineMetric(r, {
      name: 'hostwatch_context_switches_total',
      help: 'Context switches since boot.',
      type: 'counter',
      value: () => this.last.contextSwitches,
    });
    defineMetric(r, {
      name: 'hostwatch_intr_total',
      help: 'Interrupts serviced since boot.',
      type: 'counter',
      value: () => this.last.interrupts,
    });
    defineMetric(r, {
      name: 'hostwatch_boot_time_seconds',
      help: 'Time the system booted, in seconds since the epoch.',
      type: 'gauge',
      value: () => this.last.bootTime,
    });
  }

  async update(): Promise<void> {
    this.last = parseKernelStat(await readText(this.file));
  }
}

export const statCollector: CollectorDefinition = {
  name: 'stat',
  help: 'forks, context switches, interrupts, boot time, running and blocked tasks (/proc/stat)',
  defaultEnabled: true,
  create: (ctx) => new StatCollector(ctx),
};
