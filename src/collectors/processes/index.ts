// processes: number of processes (PIDs in /proc) and threads (/proc/loadavg).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../../core/collector.js';
import { hostPaths, readText, single } from '../hostfs.js';
import { parseLoadavg } from '../loadavg/parse.js';
import { countPids } from './parse.js';

export class ProcessesCollector implements Collector {
  private readonly proc: string;
  private processes?: number;
  private threads?: number;

  constructor(ctx: CollectorContext) {
    this.proc = hostPaths(ctx.config.host).proc;
    single(ctx.registry, 'hostwatch_processes', 'Processes (thread groups) that exist.', 'gauge', () => this.processes);
    single(ctx.registry, 'hostwatch_threads', 'Threads (kernel scheduling entities) that exist.', 'gauge', () => this.threads);
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
