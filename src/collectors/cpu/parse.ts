// Per-CPU times from /proc/stat ("cpuN user nice system idle iowait irq softirq steal guest guest_nice",
// in USER_HZ ticks). Old kernels print fewer columns: the missing modes are simply absent.
import { fields, lines } from '../hostfs.js';

/** USER_HZ is 100 on every Linux architecture (the kernel's ABI, independent of CONFIG_HZ). */
export const USER_HZ = 100;

export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

export interface CpuTimes {
  /** CPU number as printed by the kernel ("0", "1", ...); offline CPUs have no line. */
  cpu: string;
  /** Seconds per mode; a mode the kernel does not print is absent. */
  seconds: Partial<Record<CpuMode, number>>;
  /** Time spent running guests, already included in user/nice (hence reported apart). */
  guest?: { user: number; nice?: number };
}

export function parseCpuTimes(text: string): CpuTimes[] {
  const out: CpuTimes[] = [];
  for (const line of lines(text)) {
    // "cpu " is the sum over all CPUs: Prometheus sums itself, so only per-CPU lines are kept.
    if (!line.startsWith('cpu') || line.startsWith('cpu ')) continue;
    const f = fields(line);
    const cpu = f[0].slice(3);
    if (!/^\d+$/.test(cpu)) continue;
    const seconds: Partial<Record<CpuMode, number>> = {};
    CPU_MODES.forEach((mode, i) => {
      const v = Number(f[i + 1]);
      if (f[i + 1] !== undefined && Number.isFinite(v)) seconds[mode] = v / USER_HZ;
    });
    const t: CpuTimes = { cpu, seconds };
    const gu = Number(f[9]);
    if (f[9] !== undefined && Number.isFinite(gu)) {
      const gn = Number(f[10]);
      t.guest = { user: gu / USER_HZ, ...(f[10] !== undefined && Number.isFinite(gn) ? { nice: gn / USER_HZ } : {}) };
    }
    out.push(t);
  }
  if (out.length === 0) throw new Error('no per-CPU line in /proc/stat');
  return out;
}
