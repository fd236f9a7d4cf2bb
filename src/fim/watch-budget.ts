// How many inotify watches chokidar would take for a FIM root, counted before it starts, so that a
// root too big for the budget (`fim.realtime_max_watches`) is left to the scheduled scans instead
// of exhausting the user's inotify watches halfway (every process of the user then fails to watch
// anything). chokidar watches the root, every directory and every file it does not ignore, each
// with its own fs.watch (one inotify watch), symbolic links only when followed: the count is those
// entries (checked against /proc/self/fdinfo of chokidar's inotify descriptor). The walk stops as soon as
// the count passes the limit, so a huge root costs no more than the budget to count.
import { lstat, opendir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PathFilter } from './glob.js';

export interface WatchCountOptions {
  root: string;
  filter: PathFilter;
  follow: boolean;
  pseudoMounts: ReadonlySet<string>;
}

/**
 * The watches chokidar would set up for the root, or limit + 1 when there are more than limit.
 * Unreadable directories count for themselves only (chokidar cannot list them either).
 */
export async function countWatches(opts: WatchCountOptions, limit: number): Promise<number> {
  const { root, filter, follow, pseudoMounts } = opts;
  let count = 0;
  const dirs: string[] = [];
  const enter = async (full: string): Promise<boolean> => {
    count++;
    const st = await (follow ? stat(full) : lstat(full)).catch(() => undefined);
    if (st?.isDirectory()) dirs.push(full);
    return count > limit;
  };
  if (await enter(root)) return limit + 1;
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    const handle = await opendir(dir, { bufferSize: 256 }).catch(() => undefined);
    if (!handle) continue;
    // Leaving the loop early (return) closes the directory handle.
    for await (const ent of handle) {
      const full = path.join(dir, ent.name);
      if (pseudoMounts.has(full) || filter.excluded(path.relative(root, full).split(path.sep).join('/'))) continue;
      // A link not followed is recorded by the scans but not watched by chokidar.
      if (!follow && ent.isSymbolicLink()) continue;
      const over = ent.isDirectory() || (follow && ent.isSymbolicLink()) ? await enter(full) : ++count > limit;
      if (over) return limit + 1;
    }
  }
  return count;
}
