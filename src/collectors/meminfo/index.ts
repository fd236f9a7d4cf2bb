// meminfo: memory and swap sizes (/proc/meminfo) and swap activity (/proc/vmstat).
// Names: hostwatch_memory_<what>_bytes for sizes, hostwatch_memory_swapped_{in,out}_pages_total for
// activity (pages, as the kernel counts them: the page size is not in /proc and varies on arm64).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import { hostPaths, readText } from '../hostfs.js';
import { memoryFigures, parseMeminfo, parseSwapActivity, type MemoryFigures, type SwapActivity } from './parse.js';

export class MeminfoCollector implements Collector {
  private readonly meminfo: string;
  private readonly vmstat: string;
  private mem?: MemoryFigures;
  private swap: SwapActivity = {};

  constructor(ctx: CollectorContext) {
    const proc = hostPaths(ctx.config.host).proc;
    this.meminfo = join(proc, 'meminfo');
    this.vmstat = join(proc, 'vmstat');
    const r = ctx.registry;
    const g = (name: string, help: string, pick: (m: MemoryFigures) => number | undefined) =>
      defineMetric(r, { name, help, type: 'gauge', value: () => (this.mem ? pick(this.mem) : undefined) });
    g('hostwatch_memory_total_bytes', 'Usable RAM (MemTotal).', (m) => m.totalBytes);
    g('hostwatch_memory_free_bytes', 'Unused RAM (MemFree).', (m) => m.freeBytes);
    g('hostwatch_memory_available_bytes', 'RAM available for new workloads without swapping (MemAvailable).', (m) => m.availableBytes);
    g(
      'hostwatch_memory_used_bytes',
      'RAM in use: total - available (total - free - buffers - cached on kernels without MemAvailable).',
      (m) => m.usedBytes,
    );
    g('hostwatch_memory_cached_bytes', 'Page cache (Cached).', (m) => m.cachedBytes);
    g('hostwatch_memory_buffers_bytes', 'Block device buffers (Buffers).', (m) => m.buffersBytes);
    g('hostwatch_memory_shared_bytes', 'Shared memory and tmpfs (Shmem).', (m) => m.sharedBytes);
    g('hostwatch_memory_swap_total_bytes', 'Swap space (SwapTotal).', (m) => m.swapTotalBytes);
    g('hostwatch_memory_swap_free_bytes', 'Unused swap space (SwapFree).', (m) => m.swapFreeBytes);
    g('hostwatch_memory_swap_cached_bytes', 'Swapped-out memory also in RAM (SwapCached).', (m) => m.swapCachedBytes);
    defineMetric(r, {
      name: 'hostwatch_memory_swapped_in_pages_total',
      help: 'Pages swapped in from disk since boot (pswpin).',
      type: 'counter',
      value: () => this.swap.inPages,
    });
    defineMetric(r, {
      name: 'hostwatch_memory_swapped_out_pages_total',
      help: 'Pages swapped out to disk since boot (pswpout).',
      type: 'counter',
      value: () => this.swap.outPages,
    });
  }

  async update(): Promise<void> {
    const [meminfo, vmstat] = await Promise.all([readText(this.meminfo), readText(this.vmstat)]);
    this.mem = memoryFigures(parseMeminfo(meminfo));
    this.swap = parseSwapActivity(vmstat);
  }
}

export const meminfoCollector: CollectorDefinition = {
  name: 'meminfo',
  help: 'memory and swap sizes and swap activity (/proc/meminfo, /proc/vmstat)',
  defaultEnabled: true,
  create: (ctx) => new MeminfoCollector(ctx),
};
