// What a tailer knows about files, by identity (dev:ino), and nothing else: what the tailer's part
// of the checkpoint is a picture of (snapshot()).
// - followed: files open and read, with their read positions;
// - pending: checkpointed files not found again yet (their directory missing, permission denied):
//   kept with their positions, never dropped and read again from 0 when they come back;
// - known: files finished with, still about (rotated files read to their end, copies of followed
//   files made by copytruncate, files gone away): never read twice, and one that comes back under
//   a followed name resumes where it was. Forgotten when they leave the rotation chain they were
//   seen in, the oldest first beyond a bound;
// - totals: bytes consumed, rotations by kind.
//
// Every change of what snapshot() returns bumps `changes`: equal counts, equal snapshots, which lets
// the pipeline skip writing a checkpoint when nothing happened.
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { MAX_CHAIN_NOTED, ROTATION_KINDS, type FileCheckpoint, type RotationKind, type TailerState } from './checkpoint.js';
import { digestHead, matchesDigest } from './identity.js';
import { knownCheckpoint, knownFromCheckpoint, splitKey, type KnownFile } from './known.js';

/** Known files remembered per log (bounded memory and checkpoint size); the oldest go first. */
export const MAX_KNOWN = 256;
/** Retired known files remembered per log (see TrackedFiles.retired). */
const MAX_RETIRED = 64;

export interface TrackedFile {
  /** identityKey() of the file: (dev, ino). */
  key: string;
  /** Where it was followed: a rotated file keeps the path it was rotated away from. */
  path: string;
  fh: FileHandle;
  /** The fingerprint: first bytes of the file (of its content when gz), up to FINGERPRINT_BYTES. */
  fp: Buffer;
  /** Byte offset of the first line not yet handed to the sink. */
  offset: number;
  /** Bytes read past `offset` that do not yet form a complete line. */
  carry: Buffer | null;
  skipping: boolean;
  /** Size at the last look, for pending bytes. */
  size: number;
  /** Modification time (ns) at the last look: an unchanged file needs no read. */
  mtimeNs: bigint;
  /** When the file stopped being at a matching path (rotated away), else null. */
  rotatedAt: number | null;
  lastGrowthAt: number;
  /** A new file not read yet: it may be logrotate's copy of a followed file (see copytruncate.ts). */
  verifyCopy: boolean;
  /** logrotate's copy of a truncated file, read from where we were in the original, then let go. */
  copy: boolean;
  /** A compressed rotated file, read through zlib (gzip.ts); `offset` counts content bytes. */
  gz: boolean;
  /**
   * Found new at a followed path by this run, from its start, while its rotation chain was due to be
   * looked at: until a look at the chain has settled, it tells nothing of the files before it in
   * the chain, which may have come and gone unseen, whether or not something of it was read (chain.ts).
   * In the checkpoint too: a restart before that look knows it as such.
   */
  newlyFound?: boolean;
  /** Found again after a restart by identity, with other first bytes: no reference for the chain either (restore.ts). */
  headChanged?: boolean;
  /** Its rotation chain (identities) when last seen too short to recognise a copy of it (copytruncate.ts missedCopy). */
  chainWhenShort?: ReadonlySet<string>;
  /**
   * Its modification time (ms) at that look (after a restart: at the checkpoint, no earlier): a copy
   * made since, compressed, is newer (copytruncate.ts mayBeCompressedCopy).
   */
  mtimeWhenShort?: number;
  /** Seen truncated, left as it was while its copy is looked for, since when (copytruncate.ts copyMayComeYet). */
  copySoughtSince?: number;
}

const msOf = (ns: bigint) => (ns > 0n ? Number(ns / 1_000_000n) : undefined);

export class TrackedFiles {
  private readonly byKey = new Map<string, TrackedFile>();
  private readonly pendingByKey = new Map<string, FileCheckpoint>();
  /** In the order they became known: the first is the oldest. */
  private readonly known = new Map<string, KnownFile>();
  /**
   * Known files whose identity holds another file now (a file deleted, its inode taken by the new
   * file at the path or by logrotate's next copy), by their first bytes only, oldest first: a .gz
   * made of one is still known as read (chain.ts judge), and the time it was last seen modified
   * still tells the chain what was written since (lastSeenModified).
   */
  private readonly retired: (KnownFile & { key: string })[] = [];
  private bytes = 0;
  /** Rotations counted before kinds were recorded (restored from an older checkpoint). */
  private unknownKind = 0;
  private readonly kinds = new Map<RotationKind, number>(ROTATION_KINDS.map((k) => [k, 0]));
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

  /** Whether the file is followed, or checkpointed and pending. */
  has(key: string): boolean {
    return this.byKey.has(key) || this.pendingByKey.has(key);
  }

  /** The files as of now, as an array: passes await between files, which may come and go meanwhile. */
  list(): TrackedFile[] {
    return [...this.byKey.values()];
  }

  /** Loads a checkpoint: its files become pending until they are found again one by one. */
  restore(state: TailerState): void {
    this.bytes = state.bytes;
    let byKind = 0;
    for (const kind of ROTATION_KINDS) {
      const n = state.kinds?.[kind] ?? 0;
      this.kinds.set(kind, n);
      byKind += n;
    }
    this.unknownKind = state.rotations - byKind;
    for (const cp of state.files) this.pendingByKey.set(`${cp.dev}:${cp.ino}`, cp);
    for (const k of state.known ?? []) {
      const key = `${k.dev}:${k.ino}`;
      const record = knownFromCheckpoint(k);
      if (k.retired === true) {
        if (this.retired.length < MAX_RETIRED) this.retired.push({ ...record, key });
      } else this.known.set(key, record);
    }
  }

  /** The checkpoint of a pending file (not found again yet). */
  pendingFile(key: string): FileCheckpoint | undefined {
    return this.pendingByKey.get(key);
  }

  pending(): [string, FileCheckpoint][] {
    return [...this.pendingByKey];
  }

  /**
   * Tracks a file (replacing one of the same identity, pending or known: it is that file now, or
   * another file on its inode). A checkpointed file still pending there is another file (a file
   * found again leaves the pending list first: restore.ts): given up, it is remembered by its first
   * bytes (retired below), so that its .gz is still known as read.
   */
  add(f: TrackedFile): void {
    this.byKey.set(f.key, f);
    const cp = this.pendingByKey.get(f.key);
    if (cp) this.givePendingUp(f.key, cp);
    const k = this.known.get(f.key);
    // Another file on its identity: retired. The same file (found again, or taken over as a copy) is that record.
    if (k && !matchesDigest(f.fp, k)) this.retire(f.key);
    this.known.delete(f.key);
    this.changeCount++;
  }

  /** A known record whose identity holds another file now: kept by its first bytes only (see retired). */
  retire(key: string): void {
    const k = this.known.get(key);
    if (!k) return;
    this.known.delete(key);
    this.retired.push({ ...k, key });
    if (this.retired.length > MAX_RETIRED) this.retired.shift();
    this.changeCount++;
  }

  /** Forgets a retired record (its .gz is followed now). */
  dropRetired(k: KnownFile): void {
    const i = this.retired.indexOf(k as KnownFile & { key: string });
    if (i < 0) return;
    this.retired.splice(i, 1);
    this.changeCount++;
  }

  /** The retired records of `base` (see retired). */
  retiredOf(base: string): KnownFile[] {
    return this.retired.filter((k) => k.path === base);
  }

  /** A pending file found nowhere: remembered where it had got to, in case it comes back. */
  givePendingUp(key: string, cp: FileCheckpoint): void {
    this.pendingByKey.delete(key);
    this.remember(key, {
      ...digestHead(Buffer.from(cp.fp, 'base64')),
      path: cp.path,
      offset: cp.offset,
      skipping: cp.skipping,
      copy: cp.copy === true,
      mtime: cp.mtime,
    });
  }

  /** A pending file whose path is no longer one of the log's (the config changed): forgotten. */
  dropPending(key: string): void {
    if (this.pendingByKey.delete(key)) this.changeCount++;
  }

  /** Stops tracking a file found to be a copy of a followed file: it is never followed. */
  setAsideCopy(f: TrackedFile): void {
    this.byKey.delete(f.key);
    this.remember(f.key, {
      ...digestHead(f.fp),
      path: f.path,
      offset: 0,
      skipping: false,
      copy: true,
      mtime: msOf(f.mtimeNs),
      size: f.size,
    });
  }

  /** Stops tracking a finished file, remembering where it got to (a copy stays a known copy). */
  release(f: TrackedFile): void {
    this.byKey.delete(f.key);
    this.remember(f.key, {
      ...digestHead(f.fp),
      path: f.path,
      offset: f.offset,
      skipping: f.skipping,
      copy: f.copy,
      mtime: msOf(f.mtimeNs),
      ...(f.copy && !f.gz ? { size: f.size } : {}),
    });
  }

  private remember(key: string, k: KnownFile): void {
    this.known.delete(key);
    this.known.set(key, k);
    if (this.known.size > MAX_KNOWN) this.known.delete(this.known.keys().next().value as string);
    this.changeCount++;
  }

  knownFile(key: string): KnownFile | undefined {
    return this.known.get(key);
  }

  /** The known files of `base` (followed at that path), by identity. */
  knownOf(base: string): [string, KnownFile][] {
    return [...this.known].filter(([, k]) => k.path === base);
  }

  forget(key: string): void {
    if (this.known.delete(key)) this.changeCount++;
  }

  /**
   * Whether a found file is a copy set aside and never read from: when its original's truncation is
   * seen, it is that original's copy (restartTruncated), read from where the original was.
   */
  isUnreadCopy(key: string): boolean {
    const k = this.known.get(key);
    return k !== undefined && k.copy && k.offset === 0;
  }

  /** Whether a copy set aside (never to be followed) has the first bytes `fp` starts with. */
  hasKnownCopy(fp: Buffer): boolean {
    for (const k of this.known.values()) if (k.copy && matchesDigest(fp, k)) return true;
    return false;
  }

  /** `n` bytes of `f` consumed (handed over as lines, or skipped): the offset and the total move together. */
  consumed(f: TrackedFile, n: number): void {
    f.offset += n;
    this.bytes += n;
    this.changeCount++;
  }

  /** A rotation noticed: counted, and a checkpoint is due. */
  countRotation(kind: RotationKind): void {
    this.kinds.set(kind, this.kinds.get(kind)! + 1);
    this.changeCount++;
  }

  /**
   * Files no longer at a matching path (renamed out of the patterns, or deleted) since the last
   * look; a file found under another matching name has moved, and follows it. Copies and files
   * rotated already are never at a followed path.
   */
  notFoundIn(found: ReadonlyMap<string, { path: string }>): TrackedFile[] {
    const away: TrackedFile[] = [];
    for (const f of this.byKey.values()) {
      if (f.copy || f.gz) continue;
      const at = found.get(f.key);
      if (at) {
        if (f.path !== at.path || f.rotatedAt !== null) this.changeCount++;
        f.path = at.path;
        f.rotatedAt = null;
      } else if (f.rotatedAt === null) away.push(f);
    }
    return away;
  }

  /** `f` was rotated away at `now` (counted by the caller): read to its end, then let go. */
  rotatedAway(f: TrackedFile, now: number): void {
    f.rotatedAt = now;
    this.changeCount++;
  }

  /** The paths of the files followed at their paths (not rotated away). */
  pathsFollowed(): string[] {
    const out: string[] = [];
    for (const f of this.byKey.values()) if (f.rotatedAt === null) out.push(f.path);
    return out;
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
      const [dev, ino] = splitKey(f.key);
      const cp: FileCheckpoint = { path: f.path, dev, ino, fp: f.fp.toString('base64'), offset: f.offset, skipping: f.skipping };
      if (f.copy) cp.copy = true;
      if (f.rotatedAt !== null) cp.rotated = true;
      if (f.gz) cp.gz = true;
      if (f.mtimeNs > 0n) cp.mtime = msOf(f.mtimeNs);
      if (f.chainWhenShort && f.chainWhenShort.size <= MAX_CHAIN_NOTED) cp.chain = [...f.chainWhenShort];
      if (f.newlyFound) cp.newlyFound = true;
      files.push(cp);
    }
    files.push(...this.pendingByKey.values());
    const known = [...this.known].map(([key, k]) => knownCheckpoint(key, k));
    for (const k of this.retired) known.push({ ...knownCheckpoint(k.key, { ...k, copy: false }), retired: true });
    let rotations = this.unknownKind;
    const kinds: Partial<Record<RotationKind, number>> = {};
    for (const [kind, n] of this.kinds) {
      rotations += n;
      if (n > 0) kinds[kind] = n;
    }
    return { files, bytes: this.bytes, rotations, kinds, known };
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
