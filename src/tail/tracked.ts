// What a tailer knows about files, by identity: the files it follows with their read positions
// (what the tailer's part of the checkpoint is a picture of, see snapshot()) and the totals stored
// beside them (bytes consumed, rotations); a short memory of files let go, in case one comes back
// under a followed name; and the copies of followed files (copytruncate), never to be followed.
//
// Every change of what snapshot() returns bumps `changes`: equal counts, equal snapshots, which lets
// the pipeline skip writing a checkpoint when nothing happened.
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { FileCheckpoint, TailerState } from './checkpoint.js';
import type { Found } from './discovery.js';

/** Let-go files remembered in case they come back under a followed name (bounded memory). */
const MAX_RELEASED = 64;

export interface TrackedFile {
  /** identityKey() of the file: (dev, ino). */
  key: string;
  path: string;
  fh: FileHandle;
  /** The fingerprint: first bytes of the file, up to FINGERPRINT_BYTES. */
  fp: Buffer;
  /** Byte offset of the first line not yet handed to the sink. */
  offset: number;
  /** Bytes read past `offset` that do not yet form a complete line. */
  carry: Buffer | null;
  skipping: boolean;
  /** Size at the last look, for pending bytes. */
  size: number;
  /** When the file stopped being at a matching path (rotated away), else null. */
  rotatedAt: number | null;
  lastGrowthAt: number;
  /** A new file not read yet: it may be logrotate's copy of a followed file (see copytruncate.ts). */
  verifyCopy: boolean;
  /** logrotate's copy of a truncated file, read from where we were in the original, then let go. */
  copy: boolean;
}

/** Where a file let go had got to. */
export interface ReleasedFile {
  fp: Buffer;
  offset: number;
  skipping: boolean;
}

export class TrackedFiles {
  private readonly byKey = new Map<string, TrackedFile>();
  /** Files let go recently, by identity: one that comes back (renamed back) resumes, not restarts. */
  private readonly released = new Map<string, ReleasedFile>();
  /** Identities of files found to be copies of followed files (copytruncate): never followed. */
  private readonly copies = new Set<string>();
  private bytes = 0;
  private rotations = 0;
  private changeCount = 0;

  /** Bumped on every change of what snapshot() returns. */
  get changes(): number {
    return this.changeCount;
  }

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): TrackedFile | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** The files as of now, as an array: passes await between files, which may come and go meanwhile. */
  list(): TrackedFile[] {
    return [...this.byKey.values()];
  }

  /** The totals of a checkpoint; its files are found again one by one and add()ed. */
  restoreTotals(state: Pick<TailerState, 'bytes' | 'rotations'>): void {
    this.bytes = state.bytes;
    this.rotations = state.rotations;
  }

  /** Tracks a file (replacing one of the same identity); a file tracked is no known copy any more. */
  add(f: TrackedFile): void {
    this.byKey.set(f.key, f);
    this.copies.delete(f.key);
    this.changeCount++;
  }

  /** Stops tracking a file found to be a copy of a followed file: it is never followed. */
  setAsideCopy(f: TrackedFile): void {
    this.byKey.delete(f.key);
    this.copies.add(f.key);
    this.changeCount++;
  }

  /**
   * Stops tracking a finished file, remembering where it got to in case it comes back. A copy read
   * to its end stays a known copy: a glob may match it, it must not come back as a new file.
   */
  release(f: TrackedFile): void {
    this.byKey.delete(f.key);
    this.released.set(f.key, { fp: f.fp, offset: f.offset, skipping: f.skipping });
    if (this.released.size > MAX_RELEASED) this.released.delete(this.released.keys().next().value as string);
    if (f.copy) this.copies.add(f.key);
    this.changeCount++;
  }

  /** Whether a found file is a known copy of a followed file (it must not be followed). */
  isCopy(key: string): boolean {
    return this.copies.has(key);
  }

  /** Forgets the copies no longer found (deleted, or renamed out of the patterns). */
  keepCopiesIn(found: ReadonlyMap<string, Found>): void {
    for (const key of this.copies) if (!found.has(key)) this.copies.delete(key);
  }

  /** Where a file let go had got to, forgotten by this call (it is tracked again or it is not that file). */
  takeReleased(key: string): ReleasedFile | undefined {
    const back = this.released.get(key);
    this.released.delete(key);
    return back;
  }

  /** `n` bytes of `f` consumed (handed over as lines, or skipped): the offset and the total move together. */
  consumed(f: TrackedFile, n: number): void {
    f.offset += n;
    this.bytes += n;
    this.changeCount++;
  }

  /** A rotation noticed (renamed, deleted, truncated): counted, and a checkpoint is due. */
  countRotation(): void {
    this.rotations++;
    this.changeCount++;
  }

  /**
   * Matches the files found at the configured paths against the tracked ones: a tracked file found
   * under another name has moved; one found nowhere has been rotated away (renamed out of the
   * patterns, or deleted) at `now`, and is returned to be read to its end. Copies are never at a
   * followed path: they are rotated away from the start.
   */
  matchFound(found: ReadonlyMap<string, Found>, now: number): TrackedFile[] {
    const rotatedAway: TrackedFile[] = [];
    for (const f of this.byKey.values()) {
      const at = f.copy ? undefined : found.get(f.key);
      if (at) {
        if (f.path !== at.path || f.rotatedAt !== null) this.changeCount++;
        f.path = at.path;
        f.rotatedAt = null;
      } else if (f.rotatedAt === null && !f.copy) {
        f.rotatedAt = now;
        this.countRotation();
        rotatedAway.push(f);
      }
    }
    return rotatedAway;
  }

  /** Whether a file is followed at `full` and still there (not rotated away from it). */
  followedAt(full: string): boolean {
    for (const f of this.byKey.values()) if (f.rotatedAt === null && f.path === full) return true;
    return false;
  }

  /** Whether a tracked file, at its path or rotated away from it, has the file name `name`. */
  hasFileNamed(name: string): boolean {
    for (const f of this.byKey.values()) if (path.basename(f.path) === name) return true;
    return false;
  }

  /** The state to checkpoint; consistent with the lines handed over so far (synchronous). */
  snapshot(): TailerState {
    const files: FileCheckpoint[] = [];
    for (const f of this.byKey.values()) {
      // A new file still being checked for being a copy has read nothing: after a restart it is
      // found again and checked again, whereas listed it would be taken for a followed file.
      if (f.verifyCopy) continue;
      const [dev, ino] = f.key.split(':');
      const cp: FileCheckpoint = { path: f.path, dev, ino, fp: f.fp.toString('base64'), offset: f.offset, skipping: f.skipping };
      if (f.copy) cp.copy = true;
      files.push(cp);
    }
    return { files, bytes: this.bytes, rotations: this.rotations };
  }

  /** Files followed, and bytes in them not read yet (the lag). */
  stats(): { files: number; pendingBytes: number } {
    let pending = 0;
    for (const f of this.byKey.values()) pending += Math.max(0, f.size - f.offset);
    return { files: this.byKey.size, pendingBytes: pending };
  }

  /** Closes every file; they stay listed, for the last checkpoint taken after a stop. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.byKey.values()].map((f) => f.fh.close().catch(() => {})));
  }
}
