// Kernel activity counters from /proc/stat: forks, context switches, interrupts, boot time and the
// instantaneous running/blocked task counts.
import { fields, lines } from '../hostfs.js';

export interface KernelStat {
  procsRunning?: number;
  procsBlocked?: number;
  forks?: number;
  contextSwitches?: number;
  interrupts?: number;
  bootTime?: number;
}

const KEYS: Record<string, keyof KernelStat> = {
  procs_running: 'procsRunning',
  procs_blocked: 'procsBlocked',
  processes: 'forks',
  ctxt: 'contextSwitches',
  // "intr <total> <per-IRQ counts...>": only the total is kept (per-IRQ would be unbounded labels).
  intr: 'interrupts',
  btime: 'bootTime',
};

export function parseKernelStat(text: string): KernelStat {
  const out: KernelStat = {};
  for (const line of lines(text)) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const key = KEYS[line.slice(0, sp)];
    if (!key) continue;
    const v = Number(fields(line.slice(sp))[0]);
    if (Number.isFinite(v)) out[key] = v;
  }
  if (Object.keys(out).length === 0) throw new Error('no known field in /proc/stat');
  return out;
}
