// stat: forks, context switches, interrupts, boot time, running/blocked tasks (/proc/stat).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../../core/collector.js';
import { hostPaths, readText, single } from '../hostfs.js';
import { parseKernelStat, type KernelStat } from './parse.js';

export class StatCollector implements Collector {
  private readonly file: string;
  private last: KernelStat = {};

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'stat');
    const r = ctx.registry;
    single(r, 'hostwatch_procs_running', 'Tasks in runnable state.', 'gauge', () => this.last.procsRunning);
    single(r, 'hostwatch_procs_blocked', 'Tasks blocked waiting for I/O to complete.', 'gauge', () => this.last.procsBlocked);
    single(r, 'hostwatch_forks_total', 'Processes and threads created since boot.', 'counter', () => this.last.forks);
    single(r, 'hostwatch_context_switches_total', 'Context switches since boot.', 'counter', () => this.last.contextSwitches);
    single(r, 'hostwatch_intr_total', 'Interrupts serviced since boot.', 'counter', () => this.last.interrupts);
    single(r, 'hostwatch_boot_time_seconds', 'Time the system booted, in seconds since the epoch.', 'gauge', () => this.last.bootTime);
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
