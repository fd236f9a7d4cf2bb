// One scan of a FIM root (or of a subtree of it, for realtime updates): list the tree in the worker
// pool, reuse the previous hash of every file whose size, mtime, ctime and inode are unchanged, and
// hash the rest in parallel. Bad entries never throw: they are counted by reason.
import { lstat, readlink, stat } from 'node:fs/promises';
import { ERROR_REASONS, entryTypeOfMode, sameStat, type ErrorReason, type FileRecord } from './record.js';
import type { PathFilter } from './glob.js';
import { ERR_CODES, HASH_FIELDS, STAT_FIELDS, type ListResult } from './worker-protocol.js';
import type { WorkerPool } from './pool.js';
import { onPseudoMount } from './pseudo-fs.js';

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
  /** The last known records of this root: hashes are reused from them when the stat is unchanged. */
  previous: ReadonlyMap<string, FileRecord>;
  pool: WorkerPool;
  pseudoMounts: ReadonlySet<string>;
  /** Scan only this relative path (a file or a directory subtree); '' or absent = the whole root. */
  subtree?: string;
  hooks?: ScanHooks;
  onProgress?: (p: ScanProgress) => void;
  /** Set `aborted` to stop early (shutdown); the result is then incomplete and must be discarded. */
  signal?: { aborted: boolean };
}

export interface ScanResult {
  /** Relative path → record; the root itself is '' when the root is a file. */
  entries: Map<string, FileRecord>;
  errors: Record<ErrorReason, number>;
  hashedFiles: number;
  hashedBytes: number;
  durationMs: number;
  aborted: boolean;
  /** The first MAX_UNREADABLE paths that could not be read, with why (vanished ones are not listed). */
  unreadable: Unreadable[];
}

/** A path a scan could not read ('' is the root itself). */
export interface Unreadable {
  rel: string;
  reason: ErrorReason;
}

/** Unreadable paths kept per scan: enough to name them, bounded whatever the tree. */
export const MAX_UNREADABLE = 100;

const BATCH_FILES = 128;
/** Entries a worker lists per walk message. */
const WALK_BUDGET = 2048;
const BATCH_BYTES = 8 << 20;

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

function recordFromStat(st: {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}): FileRecord {
  return {
    type: entryTypeOfMode(st.mode),
    size: st.size,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    ino: st.ino,
  };
}

export async function scanTree(opts: ScanOptions): Promise<ScanResult> {
  const started = Date.now();
  const { root, filter, follow, maxFileSize, previous, pool } = opts;
  const entries = new Map<string, FileRecord>();
  const errors = emptyErrors();
  const unreadable: Unreadable[] = [];
  /** Counts an error of `rel` and keeps its path (so that a permission error names its file). */
  const fail = (rel: string, reason: ErrorReason) => {
    errors[reason]++;
    if (reason !== 'vanished' && unreadable.length < MAX_UNREADABLE) unreadable.push({ rel, reason });
  };
  const signal = opts.signal ?? { aborted: false };
  let hashedFiles = 0;
  let hashedBytes = 0;
  const visitedDirs = new Set<string>();
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    const q = p.finally(() => inflight.delete(q));
    inflight.add(q);
  };
  const progress = () => opts.onProgress?.({ entries: entries.size, hashedFiles, hashedBytes, elapsedMs: Date.now() - started });

  // Keeps what was known below a directory that could not be listed, so that a transient
  // permission or I/O error does not read as "everything below was removed".
  const carryOver = (relDir: string) => {
    const prefix = relDir ? relDir + '/' : '';
    for (const [rel, rec] of previous) if (rel.startsWith(prefix) && rel !== relDir) entries.set(rel, rec);
  };

  let batch: { rel: string; abs: string }[] = [];
  let batchBytes = 0;
  const flush = () => {
    if (batch.length === 0) return;
    const files = batch;
    batch = [];
    batchBytes = 0;
    track(hashBatch(files));
  };
  const hashBatch = async (files: { rel: string; abs: string }[]) => {
    if (signal.aborted) return;
    const paths = files.map((f) => f.abs);
    await opts.hooks?.beforeHash?.(paths);
    let res;
    try {
      res = await pool.hash(paths, follow);
    } catch {
      for (const f of files) fail(f.rel, 'io');
      return;
    }
    hashedBytes += res.bytes;
    for (let i = 0; i < files.length; i++) {
      const rec = entries.get(files[i].rel);
      if (!rec) continue;
      const hash = res.hashes[i];
      if (hash !== null) {
        hashedFiles++;
        const o = i * HASH_FIELDS;
        rec.sha256 = hash;
        rec.size = res.stats[o];
        rec.mtimeMs = res.stats[o + 1];
        rec.ctimeMs = res.stats[o + 2];
        rec.ino = res.stats[o + 3];
        continue;
      }
      const code = ERR_CODES[res.errors[i]];
      if (code === 'vanished' || code === 'notfile') {
        // Gone (or replaced by something that is not a file) between listing and hashing: the
        // next scan sees what is there now.
        entries.delete(files[i].rel);
        fail(files[i].rel, 'vanished');
      } else {
        fail(files[i].rel, code === 'permission' ? 'permission' : 'io');
      }
    }
    progress();
  };

  /**
   * Records an entry; an entry identical to the previous record keeps the previous object, so
   * that the baseline and the current state share the objects of unchanged files (half the memory).
   */
  const keep = (rel: string, rec: FileRecord): FileRecord => {
    const prev = previous.get(rel);
    if (
      prev &&
      prev.type === rec.type &&
      prev.mode === rec.mode &&
      prev.uid === rec.uid &&
      prev.gid === rec.gid &&
      prev.target === rec.target &&
      sameStat(prev, rec) &&
      (rec.type !== 'file' || rec.size > maxFileSize || prev.sha256)
    ) {
      entries.set(rel, prev);
      return prev;
    }
    entries.set(rel, rec);
    return rec;
  };

  const addFile = (rel: string, abs: string, rec: FileRecord) => {
    if (keep(rel, rec) !== rec || rec.type !== 'file' || rec.size > maxFileSize) return;
    const prev = previous.get(rel);
    if (prev && prev.type === 'file' && prev.sha256 && sameStat(prev, rec)) {
      rec.sha256 = prev.sha256;
      return;
    }
    if (rec.size >= BATCH_BYTES) {
      track(hashBatch([{ rel, abs }]));
      return;
    }
    batch.push({ rel, abs });
    batchBytes += rec.size;
    if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) flush();
  };

  // The walk: workers list directories and descend on their own up to a budget of entries (not
  // when following links, where loops are checked here), so that a message carries many small
  // directories; left-over directories are spread over the pool again.
  const descend = !follow;
  const pseudoList = [...opts.pseudoMounts];
  const walk = async (dirs: [string, string][]) => {
    if (signal.aborted) return;
    let res;
    try {
      res = await pool.walk({ dirs, follow, descend, exclude: filter.excludeSources, pseudo: pseudoList, budget: WALK_BUDGET });
    } catch {
      for (const [, rel] of dirs) {
        fail(rel, 'io');
        carryOver(rel);
      }
      return;
    }
    for (const r of res.results) processListing(r);
    const groups = Math.min(res.pending.length, pool.size * 2);
    for (let g = 0; g < groups; g++) track(walk(res.pending.filter((_, i) => i % groups === g)));
    progress();
  };

  const processListing = (res: ListResult) => {
    const { abs, rel } = res;
    if (res.dirError) {
      const reason = ERR_CODES[res.dirError] as ErrorReason;
      fail(rel, reason === 'vanished' ? 'vanished' : reason === 'permission' ? 'permission' : 'io');
      if (reason !== 'vanished') carryOver(rel);
      return;
    }
    const st = res.stats;
    for (let i = 0; i < res.names.length; i++) {
      const o = i * STAT_FIELDS;
      const err = st[o + 8];
      if (err) {
        const reason = ERR_CODES[err];
        fail(
          rel ? `${rel}/${res.names[i]}` : res.names[i],
          reason === 'vanished' ? 'vanished' : reason === 'permission' ? 'permission' : 'io',
        );
        continue;
      }
      const childRel = rel ? `${rel}/${res.names[i]}` : res.names[i];
      if (filter.excluded(childRel)) continue;
      const isDir = (st[o] & 0o170000) === 0o040000;
      if (isDir) {
        const childAbs = joinPath(abs, res.names[i]);
        if (opts.pseudoMounts.has(childAbs)) continue;
        if (!descend) {
          // Followed links can make loops: enter each directory once.
          const key = `${st[o + 7]}:${st[o + 6]}`;
          if (visitedDirs.has(key)) continue;
          visitedDirs.add(key);
          track(walk([[childAbs, childRel]]));
        }
      }
      if (!filter.included(childRel)) continue;
      // The common case of a rescan: nothing changed, keep the previous record without allocating.
      const prev = previous.get(childRel);
      const target = res.targets[i] ?? undefined;
      if (
        prev &&
        prev.mode === (st[o] & 0o7777) &&
        prev.uid === st[o + 1] &&
        prev.gid === st[o + 2] &&
        prev.size === st[o + 3] &&
        prev.mtimeMs === st[o + 4] &&
        prev.ctimeMs === st[o + 5] &&
        prev.ino === st[o + 6] &&
        prev.target === target &&
        prev.type === entryTypeOfMode(st[o]) &&
        (prev.type !== 'file' || prev.sha256 !== undefined || prev.size > maxFileSize)
      ) {
        entries.set(childRel, prev);
        continue;
      }
      const rec = recordFromStat({
        mode: st[o],
        uid: st[o + 1],
        gid: st[o + 2],
        size: st[o + 3],
        mtimeMs: st[o + 4],
        ctimeMs: st[o + 5],
        ino: st[o + 6],
      });
      if (rec.type === 'symlink') rec.target = target ?? '';
      if (isDir) keep(childRel, rec);
      else addFile(childRel, joinPath(abs, res.names[i]), rec);
    }
  };

  // The start: the root itself (always followed: the operator named it) or the subtree.
  const startRel = opts.subtree ?? '';
  const startAbs = joinPath(root, startRel);
  if (startRel !== '' && underExcluded(filter, startRel)) return finish();
  try {
    if (onPseudoMount(startAbs, opts.pseudoMounts)) throw Object.assign(new Error('pseudo file system'), { code: 'EPSEUDO' });
    const st = startRel === '' || follow ? await stat(startAbs) : await lstat(startAbs);
    const rec = recordFromStat(st);
    if (rec.type === 'dir') {
      if (startRel !== '' && filter.included(startRel)) keep(startRel, rec);
      if (follow) visitedDirs.add(`${st.dev}:${st.ino}`);
      track(walk([[startAbs, startRel]]));
    } else {
      if (rec.type === 'symlink') rec.target = await readlink(startAbs);
      if (startRel === '' || filter.included(startRel)) addFile(startRel, startAbs, rec);
      flush();
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
      const prev = previous.get(startRel);
      if (prev) entries.set(startRel, prev);
      carryOver(startRel);
    }
  }
  return finish();

  async function finish(): Promise<ScanResult> {
    // Listings add files to the current batch; the last partial batch goes once they are all done.
    do {
      while (inflight.size > 0) await Promise.all([...inflight]);
      flush();
    } while (inflight.size > 0);
    progress();
    return { entries, errors, hashedFiles, hashedBytes, durationMs: Date.now() - started, aborted: signal.aborted, unreadable };
  }
}

/** Whether rel or one of its parent directories is excluded (a subtree rescan starts below the root). */
function underExcluded(filter: PathFilter, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) if (filter.excluded(parts.slice(0, i).join('/'))) return true;
  return false;
}
