// Looking at files on disk: identities, fingerprints, matching directory entries, and logrotate's
// siblings of a file (access.log.1, access.log-20250101) where rotated files and copies are found.
import { readdir, stat, type FileHandle } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { isCompressed, type FilePattern } from './glob.js';

export const FINGERPRINT_BYTES = 256;

export interface Found {
  path: string;
  st: BigIntStats;
}

/** (dev, ino) as a map key. */
export const identityKey = (st: { dev: bigint; ino: bigint }) => `${st.dev}:${st.ino}`;

/** Matching regular files, by identity; `complete` is false when something could not be looked at. */
export async function discover(patterns: readonly FilePattern[]): Promise<{ found: Map<string, Found>; complete: boolean }> {
  const found = new Map<string, Found>();
  let complete = true;
  const missing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');
  for (const p of patterns) {
    let names: string[];
    if (p.literal !== undefined) {
      names = [p.literal]; // a busy directory such as /var/log is not listed for one file
    } else {
      try {
        names = await readdir(p.dir);
      } catch (err) {
        if (!missing(err)) complete = false;
        continue; // not there yet: waited for
      }
    }
    for (const name of names) {
      if (!p.matches(name)) continue;
      const full = path.join(p.dir, name);
      try {
        const st = await stat(full, { bigint: true });
        if (st.isFile()) found.set(identityKey(st), { path: full, st });
      } catch (err) {
        if (!missing(err)) complete = false; // else: vanished between readdir and stat
      }
    }
  }
  return { found, complete };
}

/** The first bytes of a file, its fingerprint (up to FINGERPRINT_BYTES). */
export async function readHead(fh: FileHandle, size: number): Promise<Buffer> {
  const fp = Buffer.alloc(Math.min(FINGERPRINT_BYTES, size));
  if (fp.length === 0) return fp;
  const { bytesRead } = await fh.read(fp, 0, fp.length, 0);
  return fp.subarray(0, bytesRead);
}

/** Whether the file still starts with the fingerprint taken earlier. */
export async function startsWith(fh: FileHandle, fp: Buffer): Promise<boolean> {
  if (fp.length === 0) return true;
  const head = Buffer.alloc(fp.length);
  const { bytesRead } = await fh.read(head, 0, fp.length, 0);
  return bytesRead === fp.length && head.equals(fp);
}

/** A file of the same directory whose name starts with the base name of `of` (logrotate's names). */
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
