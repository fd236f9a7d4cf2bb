// Memory figures from /proc/meminfo ("Key:   value kB") and swap activity from /proc/vmstat.
import { fields, lines } from '../hostfs.js';

/** All /proc/meminfo values, in bytes for "kB" lines (the kernel's kB are KiB), else as printed. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines(text)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const f = fields(line.slice(colon + 1));
    const v = Number(f[0]);
    if (!Number.isFinite(v)) continue;
    out.set(line.slice(0, colon), f[1] === 'kB' ? v * 1024 : v);
  }
  return out;
}

export interface MemoryFigures {
  totalBytes: number;
  freeBytes: number;
  /** MemAvailable: absent on kernels before 3.14. */
  availableBytes?: number;
  /**
   * total - available when MemAvailable exists (what `free` calls used since procps 3.3.10), else
   * total - free - buffers - cached (the classic formula, for old kernels).
   */
  usedBytes: number;
  cachedBytes: number;
  buffersBytes: number;
  sharedBytes?: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  swapCachedBytes?: number;
}

export function memoryFigures(m: Map<string, number>): MemoryFigures {
  const total = m.get('MemTotal');
  const free = m.get('MemFree');
  if (total === undefined || free === undefined) throw new Error('MemTotal or MemFree missing from /proc/meminfo');
  const cached = m.get('Cached') ?? 0;
  const buffers = m.get('Buffers') ?? 0;
  const available = m.get('MemAvailable');
  return {
    totalBytes: total,
    freeBytes: free,
    availableBytes: available,
    usedBytes: available !== undefined ? total - available : total - free - buffers - cached,
    cachedBytes: cached,
    buffersBytes: buffers,
    sharedBytes: m.get('Shmem'),
    swapTotalBytes: m.get('SwapTotal') ?? 0,
    swapFreeBytes: m.get('SwapFree') ?? 0,
    swapCachedBytes: m.get('SwapCached'),
  };
}

export interface SwapActivity {
  /** Pages swapped in since boot (pswpin). */
  inPages?: number;
  /** Pages swapped out since boot (pswpout). */
  outPages?: number;
}

export function parseSwapActivity(vmstat: string): SwapActivity {
  const out: SwapActivity = {};
  for (const line of lines(vmstat)) {
    if (line.startsWith('pswpin ')) out.inPages = Number(line.slice(7));
    else if (line.startsWith('pswpout ')) out.outPages = Number(line.slice(8));
  }
  return out;
}
