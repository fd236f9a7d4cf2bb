// /proc/loadavg: "0.52 0.58 0.59 3/149 30238" = load 1/5/15, runnable/total scheduling entities
// (threads), last PID.
import { fields } from '../hostfs.js';

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
  runnable: number;
  /** Threads (kernel scheduling entities) that exist, the denominator of the 4th field. */
  threads: number;
}

export function parseLoadavg(text: string): LoadAvg {
  const f = fields(text);
  const slash = (f[3] ?? '').indexOf('/');
  const v = {
    load1: Number(f[0]),
    load5: Number(f[1]),
    load15: Number(f[2]),
    runnable: slash > 0 ? Number(f[3].slice(0, slash)) : NaN,
    threads: slash > 0 ? Number(f[3].slice(slash + 1)) : NaN,
  };
  if (f.length < 4 || Object.values(v).some((x) => !Number.isFinite(x))) {
    throw new Error(`unexpected /proc/loadavg: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return v;
}
