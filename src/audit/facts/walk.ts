// A bounded walk of directory trees that stays on the filesystem it starts on (like find -xdev),
// for the mode checks (SUID/SGID programs, world-writable files). A tree walk stats every entry:
// done synchronously one directory at a time (a synchronous lstat costs a fraction of an
// asynchronous one, measured 4x here), with a turn of the event loop between directories so that an
// exporter running an audit keeps answering scrapes.
import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import { yieldNow } from './context.js';

export interface WalkBudget {
  /** Entries left to examine; the walk stops at 0. */
  left: number;
  truncated: boolean;
}

/** Calls `visit` with the path and lstat of every file and directory below `start` (and `start`). */
export async function walkTree(
  start: string,
  budget: WalkBudget,
  visit: (path: string, st: Stats) => void,
  signal?: AbortSignal,
): Promise<void> {
  const top = lstatSync(start, { throwIfNoEntry: false });
  if (!top || !top.isDirectory()) return;
  visit(start, top);
  const stack = [start];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable or vanished: nothing to report below it
    }
    for (const e of entries) {
      if (budget.left <= 0) {
        budget.truncated = true;
        return;
      }
      budget.left--;
      // Only files and directories carry the modes looked for (a symlink's own mode is always 0777).
      if (!e.isFile() && !e.isDirectory()) continue;
      const path = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
      let st: Stats | undefined;
      try {
        st = lstatSync(path, { throwIfNoEntry: false });
      } catch {
        continue;
      }
      if (!st) continue;
      visit(path, st);
      if (st.isDirectory() && st.dev === top.dev) stack.push(path);
    }
    await yieldNow();
  }
}
