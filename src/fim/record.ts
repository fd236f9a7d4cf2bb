// What FIM records for one path, and how two records of the same path differ.
export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block' | 'other';

export interface FileRecord {
  type: EntryType;
  /** Hex SHA-256 of the content for regular files; absent when over max_file_size or unreadable. */
  sha256?: string;
  size: number;
  /** Permission bits and setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** Link target, for symlinks recorded without following them. */
  target?: string;
}

export const CHANGE_KINDS = ['added', 'removed', 'content', 'permissions', 'owner'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const ERROR_REASONS = ['permission', 'vanished', 'io', 'root_missing'] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export function entryTypeOfMode(mode: number): EntryType {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    case 0o020000:
      return 'char';
    case 0o060000:
      return 'block';
    default:
      return 'other';
  }
}

/**
 * The kinds of change from `a` to `b` (either may be missing). Content is judged on the hash when
 * both sides have one; without a hash (file over max_file_size, or unreadable) on size and mtime.
 * Timestamps and inode alone are not changes: a file rewritten with the same bytes is unchanged.
 */
export function classifyChange(a: FileRecord | undefined, b: FileRecord | undefined): ChangeKind[] {
  if (!a && !b) return [];
  if (!a) return ['added'];
  if (!b) return ['removed'];
  const kinds: ChangeKind[] = [];
  if (contentDiffers(a, b)) kinds.push('content');
  if (a.mode !== b.mode) kinds.push('permissions');
  if (a.uid !== b.uid || a.gid !== b.gid) kinds.push('owner');
  return kinds;
}

function contentDiffers(a: FileRecord, b: FileRecord): boolean {
  if (a.type !== b.type) return true;
  if (a.type === 'symlink') return a.target !== b.target;
  if (a.type !== 'file') return false;
  if (a.sha256 && b.sha256) return a.sha256 !== b.sha256;
  return a.size !== b.size || a.mtimeMs !== b.mtimeMs;
}

/** Whether a file's hash can be reused: same size, mtime, ctime and inode (like rsync/git's stat check). */
export function sameStat(a: FileRecord, b: Pick<FileRecord, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Every recorded field equal (not only "no change"): the record can stand for the other. */
export function sameFields(a: FileRecord, b: FileRecord): boolean {
  return (
    a.type === b.type &&
    a.sha256 === b.sha256 &&
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.target === b.target &&
    sameStat(a, b)
  );
}

/** The fields shown to an operator (journal, CLI): no timestamps or inode noise. */
export function describeRecord(r: FileRecord | undefined): Record<string, unknown> | null {
  if (!r) return null;
  const out: Record<string, unknown> = {
    type: r.type,
    mode: '0' + r.mode.toString(8).padStart(3, '0'),
    owner: `${r.uid}:${r.gid}`,
    size: r.size,
  };
  if (r.sha256) out.sha256 = r.sha256;
  if (r.target !== undefined) out.target = r.target;
  return out;
}
