// cpu: seconds each CPU spent in each mode, from /proc/stat (node_exporter's cpu collector).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import { hostPaths, readText } from '../hostfs.js';
import { CPU_MODES, parseCpuTimes, type CpuTimes } from './parse.js';

export class CpuCollector implements Collector {
  private readonly file: string;
  private last: CpuTimes[] = [];

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'stat');
    defineMetric(ctx.registry, {
      name: 'hostwatch_cpu_seconds_total',
      help: 'Seconds the CPUs spent in each mode.',
      type: 'counter',
      labelNames: ['cpu', 'mode'],
      samples: () => {
        const out: Sample[] = [];
        for (const t of this.last) {
          for (const mode of CPU_MODES) {
            const v = t.seconds[mode];
            if (v !== undefined) out.push({ labels: { cpu: t.cpu, mode }, value: v });
          }
        }
        return out;
      },
    });
    defineMetric(ctx.registry, {
      name: 'hostwatch_cpu_guest_seconds_total',
      help: 'Seconds the CPUs spent running virtual CPUs of guests (already counted in user and nice).',
      type: 'counter',
      labelNames: ['cpu', 'mode'],
      samples: () => {
        const out: Sample[] = [];
        for (const t of this.last) {
          if (!t.guest) continue;
          out.push({ labels: { cpu: t.cpu, mode: 'user' }, value: t.guest.user });
          if (t.guest.nice !== undefined) out.push({ labels: { cpu: t.cpu, mode: 'nice' }, value: t.guest.nice });
        }
        return out;
      },
    });
  }

  async update(): Promise<void> {
    this.last = parseCpuTimes(await readText(this.file));
  }
}

export const cpuCollector: CollectorDefinition = {
  name: 'cpu',
  help: 'CPU time by cpu and mode (/proc/stat)',
  defaultEnabled: true,
  create: (ctx) => new CpuCollector(ctx),
};
