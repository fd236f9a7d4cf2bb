// Which files a log may read, and opening them safely. hostwatch often runs as root while the log
// directories belong to the applications: whoever can write a log directory must not be able to
// make hostwatch read another file (a link to /etc/shadow, whose lines a pattern rule would then
// export). So, like OpenSSH's StrictModes:
// - a symlink is followed only when its target lies under one of the log's directories, or when
//   the link itself is owned by root or by hostwatch's user (an administrator made it);
// - a file that was not a symlink when looked at is opened with O_NOFOLLOW (swapping it for a link
//   afterwards makes the open fail), and with O_NONBLOCK (a FIFO put there cannot hang a thread);
// - what was opened is checked to be the regular file that was looked at.
import { constants } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { identityKey } from './identity.js';

/** Why a file of a log cannot be followed right now (hostwatch_log_file_errors{reason}). */
export const FILE_PROBLEMS = ['permission_denied', 'not_regular_file', 'gone', 'too_many_files', 'symlink_refused', 'io_error'] as const;
export type FileProblem = (typeof FILE_PROBLEMS)[number];

export function problemOf(err: unknown): FileProblem {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission_denied';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'gone';
    case 'ELOOP':
      return 'symlink_refused';
    default:
      return 'io_error';
  }
}

/** A file looked at: the stat of what would be read, and whether it is reached through a symlink. */
export interface Inspected {
  st: BigIntStats;
  link: boolean;
}

export type Refused = { problem: FileProblem; err?: string };

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

export class FileGuard {
  private readonly uid = process.getuid?.() ?? 0;

  /** `dirs`: the log's directories (of its paths and globs); a symlink into them is always fine. */
  constructor(private readonly dirs: readonly string[]) {}

  /** Looks at `full` without opening it; a refused or missing file gives the reason. */
  async inspect(full: string): Promise<Inspected | Refused> {
    let st: BigIntStats;
    try {
      st = await lstat(full, { bigint: true });
    } catch (err) {
      return { problem: problemOf(err), err: (err as Error).message };
    }
    if (st.isSymbolicLink()) {
      if (!(await this.trustedLink(full, st))) return { problem: 'symlink_refused' };
      try {
        st = await stat(full, { bigint: true });
      } catch (err) {
        return { problem: problemOf(err), err: (err as Error).message };
      }
      return st.isFile() ? { st, link: true } : { problem: 'not_regular_file' };
    }
    return st.isFile() ? { st, link: false } : { problem: 'not_regular_file' };
  }

  /**
   * Opens what inspect() looked at, checking it is still that file (`key`, when given: its identity).
   * The caller closes the handle.
   */
  async open(full: string, seen: Inspected, key = identityKey(seen.st)): Promise<FileHandle | Refused> {
    let fh: FileHandle;
    try {
      fh = await open(full, OPEN_FLAGS | (seen.link ? 0 : constants.O_NOFOLLOW));
    } catch (err) {
      return { problem: problemOf(err), err: (err as Error).message };
    }
    try {
      const st = await fh.stat({ bigint: true });
      if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { problem: 'not_regular_file' });
      if (identityKey(st) !== key) throw Object.assign(new Error('replaced while being opened'), { problem: 'gone' });
      return fh;
    } catch (err) {
      await fh.close().catch(() => {});
      return { problem: (err as { problem?: FileProblem }).problem ?? problemOf(err), err: (err as Error).message };
    }
  }

  /** Looks at `full` and opens it: the one call for a file found by name. */
  async inspectAndOpen(full: string): Promise<{ fh: FileHandle; st: BigIntStats } | Refused> {
    const seen = await this.inspect(full);
    if ('problem' in seen) return seen;
    const fh = await this.open(full, seen);
    return 'problem' in fh ? fh : { fh, st: seen.st };
  }

  private async trustedLink(full: string, link: BigIntStats): Promise<boolean> {
    const owner = Number(link.uid);
    if (owner === 0 || owner === this.uid) return true;
    let target: string;
    try {
      target = await realpath(full);
    } catch {
      return false; // dangling: nothing to read anyway
    }
    for (const dir of this.dirs) {
      const real = await realpath(dir).catch(() => dir);
      if (target.startsWith(real.endsWith(path.sep) ? real : real + path.sep)) return true;
    }
    return false;
  }
}

export const isRefused = (v: object): v is Refused => 'problem' in v;
