// pressure: pressure stall information (/proc/pressure/*, Linux 4.20+ with PSI enabled).
// A kernel without PSI (no /proc/pressure, or psi=0 which makes reads fail with EOPNOTSUPP) is not
// an error: the collector then exports nothing, like node_exporter.
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import { hostPaths, readText } from '../hostfs.js';
import { parsePressure, type Pressure } from './parse.js';

const RESOURCES = ['cpu', 'io', 'memory', 'irq'] as const;
type Resource = (typeof RESOURCES)[number];

/** Errors meaning "this kernel has no such PSI file", as opposed to a real failure. */
const UNSUPPORTED = new Set(['ENOENT', 'EOPNOTSUPP', 'ENOTSUP']);

export class PressureCollector implements Collector {
  private readonly dir: string;
  private last: Partial<Record<Resource, Pressure>> = {};

  constructor(ctx: CollectorContext) {
    this.dir = join(hostPaths(ctx.config.host).proc, 'pressure');
    const metric = (name: string, help: string, resource: Resource, pick: 'someSeconds' | 'fullSeconds') =>
      defineMetric(ctx.registry, { name, help, type: 'counter', value: () => this.last[resource]?.[pick] });
    metric('hostwatch_pressure_cpu_waiting_seconds_total', 'Seconds some runnable task waited for a CPU.', 'cpu', 'someSeconds');
    metric('hostwatch_pressure_io_waiting_seconds_total', 'Seconds some task was stalled waiting for I/O.', 'io', 'someSeconds');
    metric('hostwatch_pressure_io_stalled_seconds_total', 'Seconds all non-idle tasks were stalled on I/O at once.', 'io', 'fullSeconds');
    metric('hostwatch_pressure_memory_waiting_seconds_total', 'Seconds some task was stalled waiting for memory.', 'memory', 'someSeconds');
    metric(
      'hostwatch_pressure_memory_stalled_seconds_total',
      'Seconds all non-idle tasks were stalled on memory at once.',
      'memory',
      'fullSeconds',
    );
    metric(
      'hostwatch_pressure_irq_stalled_seconds_total',
      'Seconds the CPUs were busy with interrupts so that no task could run (Linux 6.1+).',
      'irq',
      'fullSeconds',
    );
  }

  async update(): Promise<void> {
    const texts = await Promise.all(
      RESOURCES.map((r) =>
        readText(join(this.dir, r)).catch((err: NodeJS.ErrnoException) => {
          if (err.code && UNSUPPORTED.has(err.code)) return undefined;
          throw err;
        }),
      ),
    );
    const next: Partial<Record<Resource, Pressure>> = {};
    RESOURCES.forEach((r, i) => {
      const t = texts[i];
      if (t !== undefined) next[r] = parsePressure(t);
    });
    this.last = next;
  }
}

export const pressureCollector: CollectorDefinition = {
  name: 'pressure',
  help: 'pressure stall information when the kernel has it (/proc/pressure)',
  defaultEnabled: true,
  create: (ctx) => new PressureCollector(ctx),
};
