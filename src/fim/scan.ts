// One scan of a FIM root (or of a subtree of it, for realtime updates): list the tree in the scan's
// pool (pool.ts: worker threads, or the calling thread for the one-shot commands), reuse the
// previous digest of every file whose size, mtime, ctime and inode are unchanged, and hash the rest
// in the pool. Bad entries never throw: they are counted by reason, and the first paths of each
// scan are kept with their reason for the log and the CLI.
// Memory stays bounded by design: the result is built directory by directory as compact blocks
// (record-set.ts), a directory found unchanged keeps the previous block, and the walk pauses while
// more than HASH_QUEUE_MAX files wait to be hashed, so a tree is never held as a list of paths.
import { lstat, readlink, stat } from 'node:fs/promises';
import { ERROR_REASONS, type ErrorReason } from './record.js';
import type { PathFilter } from './glob.js';
import { ERR_CODES, ERR_NONE, HASH_FIELDS, STAT_FIELDS, type HashFiles, type ListResult } from './worker-protocol.js';
import type { ScanPool } from './pool.js';
import { onPseudoMount } from './pseudo-fs.js';
import { blockOfListing, singleListing, S_IFDIR, S_IFLNK, S_IFMT } from './listing-block.js';
import {
  DIGEST_BYTES,
  DirBlock,
  F_CTIME,
  F_FLAGS,
  F_INO,
  F_MTIME,
  F_SIZE,
  FIELDS,
  FLAG_DELETED,
  RecordSet,
  joinRel,
  splitRel,
} from './record-set.js';

export interface ScanProgress {
  entries: number;
  hashedFiles: number;
  hashedBytes: number;
  elapsedMs: number;
}

export interface ScanHooks {
  /** Called with the absolute paths of a hash batch before it is hashed (tests use it to race the scan). */
  beforeHash?: (files: string[]) => Promise<void> | void;
}

export interface ScanOptions {
  /** Absolute path of the root. */
  root: string;
  filter: PathFilter;
  follow: boolean;
  maxFileSize: number;
  /** The last known records of this root: digests are reused from them when the stat is unchanged. */
  previous: RecordSet;
  pool: ScanPool;
  pseudoMounts: ReadonlySet<string>;
  /** Scan only this relative path (a file or a directory subtree); '' or absent = the whole root. */
  subtree?: string;
  hooks?: ScanHooks;
  onProgress?: (p: ScanProgress) => void;
  /** Set `aborted` to stop early (shutdown); the result is then incomplete and must be discarded. */
  signal?: { aborted: boolean };
}

/** A path a scan could not read, relative to the root ('' is the root itself). */
export interface Unreadable {
  rel: string;
  reason: ErrorReason;
}

export interface ScanResult {
  /** The records; for a subtree scan, those at or below the subtree. */
  records: RecordSet;
  errors: Record<ErrorReason, number>;
  /** The first MAX_UNREADABLE paths that could not be read (the counts are in `errors`). */
  unreadable: Unreadable[];
  hashedFiles: number;
  hashedBytes: number;
  durationMs: number;
  aborted: boolean;
}

const BATCH_FILES = 128;
const BATCH_BYTES = 8 << 20;
/** Entries a worker lists per walk message. */
const WALK_BUDGET = 2048;
/** Directories handed to one walk message at most. */
const WALK_DIRS = 64;
/** The walk waits while this many files wait for their hash. */
const HASH_QUEUE_MAX = 4096;
export const MAX_UNREADABLE = 100;

export function emptyErrors(): Record<ErrorReason, number> {
  return Object.fromEntries(ERROR_REASONS.map((r) => [r, 0])) as Record<ErrorReason, number>;
}

export function joinPath(root: string, rel: string): string {
  if (!rel) return root;
  return root.endsWith('/') ? root + rel : `${root}/${rel}`;
}

function errnoReason(err: unknown): ErrorReason {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'vanished';
  if (code === 'EACCES' || code === 'EPERM') return 'permission';
  return 'io';
}

/** The reason of a worker's error code ('notfile' reads as vanished: something else is there now). */
function codeReason(code: number): ErrorReason {
  const name = ERR_CODES[code];
  return name === 'permission' ? 'permission' : name === 'vanished' || name === 'notfile' ? 'vanished' : 'io';
}

interface Pending {
  block: DirBlock;
  index: number;
}

interface HashGroup extends HashFiles {
  block: DirBlock;
}

export async function scanTree(opts: ScanOptions): Promise<ScanResult> {
  const started = Date.now();
  const { root, filter, follow, maxFileSize, previous, pool } = opts;
  const blocks = new Map<string, DirBlock>();
  const errors = emptyErrors();
  const unreadable: Unreadable[] = [];
  const signal = opts.signal ?? { aborted: false };
  let entries = 0;
  let hashedFiles = 0;
  let hashedBytes = 0;
  const visitedDirs = new Set<string>();
  /** Directories (relative) waiting to be listed. */
  const dirQueue: string[] = [];
  /** Files waiting to be hashed, and their bytes. */
  const hashQueue: Pending[] = [];
  let queuedBytes = 0;
  /** Blocks with entries that vanished before their hash: finished without them. */
  const withDeleted = new Set<DirBlock>();
  const inflight = new Set<Promise<void>>();
  let walking = 0;
  // Workers descend into subdirectories themselves unless links are followed (loops are checked here).
  const descend = !follow;
  const pseudoList = [...opts.pseudoMounts];
  const progress = () => opts.onProgress?.({ entries, hashedFiles, hashedBytes, elapsedMs: Date.now() - started });

  const fail = (rel: string, reason: ErrorReason) => {
    errors[reason]++;
    if (reason !== 'vanished' && unreadable.length < MAX_UNREADABLE) unreadable.push({ rel, reason });
  };

  const putBlock = (b: DirBlock) => {
    // No empty blocks: a set's blocks are only the directories with recorded entries.
    if (b.length === 0) return;
    blocks.set(b.dir, b);
    entries += b.length;
  };

  // Keeps what was known at and below a directory that could not be listed, so that a transient
  // permission or I/O error does not read as "everything below was removed".
  const carryOver = (relDir: string) => {
    for (const [dir, b] of previous.blocks) {
      if (dir === relDir || relDir === '' || dir.startsWith(relDir + '/')) putBlock(b);
    }
  };

  /** Records a directory listing as its block (blockOfListing); its files without a digest wait for a hash. */
  const addBlock = (res: ListResult, keep: number[], carried: number[]) => {
    const { block, toHash } = blockOfListing(res, keep, carried, previous.blocks.get(res.rel), maxFileSize);
    for (const index of toHash) {
      hashQueue.push({ block, index });
      queuedBytes += block.num(index, F_SIZE);
    }
    putBlock(block);
  };

  const processListing = (res: ListResult) => {
    const { abs, rel } = res;
    if (res.dirError) {
      const reason = codeReason(res.dirError);
      fail(rel, reason);
      if (reason !== 'vanished') carryOver(rel);
      return;
    }
    const st = res.stats;
    const prev = previous.blocks.get(rel);
    const keep: number[] = [];
    const carried: number[] = [];
    for (let i = 0; i < res.names.length; i++) {
      const o = i * STAT_FIELDS;
      const childRel = joinRel(rel, res.names[i]);
      if (st[o + 8] !== ERR_NONE) {
        const reason = codeReason(st[o + 8]);
        fail(childRel, reason);
        const pj = reason === 'vanished' || !prev ? -1 : prev.indexOf(res.names[i]);
        if (pj >= 0 && !filter.excluded(childRel) && filter.included(childRel)) carried.push(pj);
        continue;
      }
      if (filter.excluded(childRel)) continue;
      if ((st[o] & S_IFMT) === S_IFDIR) {
        if (opts.pseudoMounts.has(joinPath(abs, res.names[i]))) continue;
        if (!descend) {
          // Followed links can make loops: enter each directory once.
          const key = `${st[o + 7]}:${st[o + 6]}`;
          if (!visitedDirs.has(key)) {
            visitedDirs.add(key);
            dirQueue.push(childRel);
          }
        }
      }
      if (filter.included(childRel)) keep.push(i);
    }
    addBlock(res, keep, carried);
  };

  const run = (task: () => Promise<void>, walk: boolean) => {
    if (walk) walking++;
    const p: Promise<void> = task().finally(() => {
      if (walk) walking--;
      inflight.delete(p);
    });
    inflight.add(p);
  };

  const dispatchWalk = () => {
    const take = Math.max(1, Math.min(WALK_DIRS, Math.ceil(dirQueue.length / pool.capacity)));
    const rels = dirQueue.splice(dirQueue.length - take, take);
    run(async () => {
      let res;
      try {
        res = await pool.walk({
          dirs: rels.map((r) => [joinPath(root, r), r]),
          follow,
          descend,
          exclude: filter.excludeSources,
          pseudo: pseudoList,
          budget: WALK_BUDGET,
        });
      } catch {
        for (const r of rels) {
          fail(r, 'io');
          carryOver(r);
        }
        return;
      }
      for (const r of res.results) processListing(r);
      for (const [, r] of res.pending) dirQueue.push(r);
      progress();
    }, true);
  };

  const dispatchHash = () => {
    const batch: Pending[] = [];
    let bytes = 0;
    while (hashQueue.length > 0 && batch.length < BATCH_FILES && bytes < BATCH_BYTES) {
      const p = hashQueue.pop()!;
      batch.push(p);
      bytes += p.block.num(p.index, F_SIZE);
    }
    queuedBytes -= bytes;
    run(async () => {
      // Files go by directory and name: no path string is made per file.
      const groups: HashGroup[] = [];
      for (const { block, index } of batch) {
        const last = groups[groups.length - 1];
        if (last?.block === block) last.names.push(block.names[index]);
        else groups.push({ block, dir: joinPath(root, block.dir), names: [block.names[index]] });
      }
      const relOf = (i: number) => joinRel(batch[i].block.dir, batch[i].block.names[batch[i].index]);
      await opts.hooks?.beforeHash?.(batch.map((_, i) => joinPath(root, relOf(i))));
      let res;
      try {
        res = await pool.hash(
          groups.map(({ dir, names }) => ({ dir, names })),
          follow,
        );
      } catch {
        for (let i = 0; i < batch.length; i++) fail(relOf(i), 'io');
        return;
      }
      hashedBytes += res.bytes;
      for (let i = 0; i < batch.length; i++) {
        const { block, index } = batch[i];
        if (res.errors[i] === ERR_NONE) {
          hashedFiles++;
          block.setDigest(index, res.digests, i * DIGEST_BYTES);
          // The stat of the descriptor that was read: what the digest belongs to.
          const o = i * HASH_FIELDS;
          const b = index * FIELDS;
          block.nums[b + F_SIZE] = res.stats[o];
          block.nums[b + F_MTIME] = res.stats[o + 1];
          block.nums[b + F_CTIME] = res.stats[o + 2];
          block.nums[b + F_INO] = res.stats[o + 3];
          continue;
        }
        const reason = codeReason(res.errors[i]);
        fail(relOf(i), reason);
        if (reason === 'vanished') {
          // Gone (or replaced by something that is not a file) between listing and hashing: the
          // next scan sees what is there now.
          block.nums[index * FIELDS + F_FLAGS] |= FLAG_DELETED;
          withDeleted.add(block);
        }
        // Unreadable: recorded by its metadata, without a digest.
      }
      progress();
    }, false);
  };

  const pump = () => {
    // Hashes first: each batch done frees memory. A partial batch goes when a worker would idle.
    while (
      inflight.size < pool.capacity &&
      hashQueue.length > 0 &&
      (hashQueue.length >= BATCH_FILES ||
        queuedBytes >= BATCH_BYTES ||
        inflight.size < pool.size ||
        (dirQueue.length === 0 && walking === 0))
    ) {
      dispatchHash();
    }
    while (inflight.size < pool.capacity && dirQueue.length > 0 && hashQueue.length < HASH_QUEUE_MAX) dispatchWalk();
  };

  // The start: the root itself (always followed: the operator named it) or the subtree.
  const startRel = opts.subtree ?? '';
  const startAbs = joinPath(root, startRel);
  const [parentRel, startName] = splitRel(startRel);
  if (startRel === '' || !underExcluded(filter, startRel)) {
    try {
      if (onPseudoMount(startAbs, opts.pseudoMounts)) throw Object.assign(new Error('pseudo file system'), { code: 'EPSEUDO' });
      const st = startRel === '' || follow ? await stat(startAbs) : await lstat(startAbs);
      const isDir = (st.mode & S_IFMT) === S_IFDIR;
      const target = (st.mode & S_IFMT) === S_IFLNK ? await readlink(startAbs) : null;
      // The root directory itself is not an entry of its own records; every other start is.
      if (startRel === '' ? !isDir : filter.included(startRel)) {
        addBlock(singleListing(joinPath(root, parentRel), parentRel, startName, st, target), [0], []);
      }
      if (isDir) {
        if (follow) visitedDirs.add(`${st.dev}:${st.ino}`);
        dirQueue.push(startRel);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPSEUDO') {
        // Nothing to record on a pseudo file system.
      } else if (startRel === '') {
        fail('', code === 'ENOENT' ? 'root_missing' : errnoReason(err));
        if (code !== 'ENOENT') carryOver('');
      } else if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        fail(startRel, errnoReason(err));
        const prev = previous.blocks.get(parentRel);
        const pj = prev ? prev.indexOf(startName) : -1;
        if (pj >= 0) putBlock(prev!.subset([pj]));
        carryOver(startRel);
      }
    }
  }

  for (;;) {
    if (!signal.aborted) pump();
    if (inflight.size === 0) break;
    await Promise.race(inflight);
  }
  for (const b of withDeleted) {
    const kept = b.withoutDeleted();
    entries -= b.length - kept.length;
    if (kept.length > 0) blocks.set(b.dir, kept);
    else blocks.delete(b.dir);
  }
  progress();
  return {
    records: new RecordSet(blocks),
    errors,
    unreadable,
    hashedFiles,
    hashedBytes,
    durationMs: Date.now() - started,
    aborted: signal.aborted,
  };
}

/** Whether rel or one of its parent directories is excluded (a subtree rescan starts below the root). */
function underExcluded(filter: PathFilter, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) if (filter.excluded(parts.slice(0, i).join('/'))) return true;
  return false;
}
