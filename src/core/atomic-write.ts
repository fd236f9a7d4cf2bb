// Writing a state file so that a crash or a full disk at any point leaves either the old file or
// the new one, never a torn one: temp file beside it, fsync, rename over it, fsync of the directory.
// On any failure the temp file is removed: on a full file system a partial temp file left behind
// would hold the last free blocks and make every other state write fail too.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /**
   * A temp file of its own for each write (`<file>.tmp-<pid>-<random>`), for files that more than
   * one process writes (the FIM state: the exporter and `hostwatch fim accept`). By default the temp
   * file is `<file>.tmp`: one writer per file (callers serialise their writes), and a temp file left
   * by a crash is simply overwritten by the next write.
   */
  uniqueTemp?: boolean;
}

/**
 * Replaces `file` with `data` atomically and durably (mode 0600). `data` may be chunks, written one
 * by one, each before the next is asked for (so a producer may reuse its buffer). A missing
 * directory is created.
 */
export async function atomicWrite(
  file: string,
  data: string | Uint8Array | Iterable<Uint8Array>,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const dir = path.dirname(file);
  const tmp = opts.uniqueTemp ? `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}` : `${file}.tmp`;
  let fh;
  try {
    fh = await open(tmp, 'w', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // Only now: a mkdir per write would lengthen every checkpoint for a case that almost never happens.
    await mkdir(dir, { recursive: true });
    fh = await open(tmp, 'w', 0o600);
  }
  try {
    try {
      // writeFile on a handle writes at its position, all of it (a plain write may be partial).
      if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
      else for (const chunk of data) await fh.writeFile(chunk);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  // The rename is durable only once the directory entry is.
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
