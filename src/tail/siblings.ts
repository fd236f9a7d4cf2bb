// logrotate's names beside a followed file: access.log.1, access.log-20250101 and the like, every
// name of the same directory that extends the file's own. Rotated files are found there after a
// restart, and logrotate's copy of a file truncated by copytruncate.
import { readdir, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { isCompressed } from './glob.js';

/** A file of the same directory whose name starts with the base name of `of`, accepted by `accept`. */
export async function findSibling(
  of: string,
  accept: (st: BigIntStats, full: string) => boolean | Promise<boolean>,
): Promise<string | undefined> {
  const dir = path.dirname(of);
  const base = path.basename(of);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (name === base || !name.startsWith(base) || isCompressed(name)) continue;
    const full = path.join(dir, name);
    try {
      const st = await stat(full, { bigint: true });
      if (st.isFile() && (await accept(st, full))) return full;
    } catch {
      // vanished
    }
  }
  return undefined;
}
