// The process table from /proc: which daemons run (auditd, rsyslogd, firewalld, ...) and which
// process owns a socket (the socket:[inode] links of /proc/<pid>/fd). Each process is read
// synchronously (a few small reads) and the event loop gets a turn between processes.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { yieldNow, type FactContext } from './context.js';
import type { ProcessInfo } from './types.js';

const YIELD_EVERY = 32;

export async function readProcesses(ctx: FactContext): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  const pids = (await readdir(ctx.paths.proc)).filter((e) => /^\d+$/.test(e));
  for (let i = 0; i < pids.length; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldNow();
    try {
      out.push({ pid: Number(pids[i]), comm: readFileSync(ctx.proc(`${pids[i]}/comm`), 'utf8').trim() });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Whether a process with one of these program names runs. */
export function running(processes: readonly ProcessInfo[], ...names: string[]): boolean {
  return processes.some((p) => names.includes(p.comm));
}

/**
 * The processes owning the given socket inodes. Stops as soon as every inode is found; processes
 * whose fd directory cannot be read (another user's, without root) are passed over.
 */
export async function socketOwners(
  ctx: FactContext,
  processes: readonly ProcessInfo[],
  inodes: ReadonlySet<number>,
): Promise<Map<number, ProcessInfo>> {
  const owners = new Map<number, ProcessInfo>();
  if (inodes.size === 0) return owners;
  for (let i = 0; i < processes.length && owners.size < inodes.size; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldNow();
    const p = processes[i];
    const dir = ctx.proc(`${p.pid}/fd`);
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`${dir}/${fd}`);
      } catch {
        continue;
      }
      if (!target.startsWith('socket:[')) continue;
      const inode = Number(target.slice(8, -1));
      if (inodes.has(inode) && !owners.has(inode)) owners.set(inode, p);
    }
  }
  return owners;
}
