// Follows the files of one log (paths or globs) and hands their lines to a sink, exactly once
// given a checkpoint of its state (see snapshot()/restore()).
//
// How it looks at files:
// - A file is identified by (dev, ino) plus its first bytes (the fingerprint, up to 256 bytes):
//   same inode but other first bytes means the inode was reused or the file was rewritten.
// - Each pass lists the pattern directories, stats the matching names and compares identities:
//   a tracked file no longer at any matching path has been rotated away (renamed or deleted); it is
//   kept open and read to its end until it has been quiet for `rotateWaitMs`, then let go.
// - A file that shrank below what was read (copytruncate) or whose first bytes changed restarts at
//   offset 0; the lines between our offset and the truncation are recovered from logrotate's copy
//   (a sibling file with the same first bytes) when there is one.
// - Passes run on fs events (fs.watch on the directories) and every `pollInterval`, one at a time.
//   Tests inject `watch: noWatch` and a ManualClock and call poll() themselves.
// Reads are big chunks into one reused Buffer; the partial last line of each file is kept (at most
// maxLineBytes) until its newline arrives.
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { compilePattern, type FilePattern } from './glob.js';
import { discover as discoverFiles, findSibling, FINGERPRINT_BYTES, identityKey, readHead, startsWith, type Found } from './files.js';
import { LineSplitter, type LineSink } from './lines.js';
import { fsWatch, type WatchFn, type Watcher } from './watch.js';

export { FINGERPRINT_BYTES };

const DEFAULT_CHUNK_BYTES = 1 << 20;
/** First bytes two files must share to be taken for a file and its copy. */
const MIN_COPY_PROOF_BYTES = 32;
/** Files followed at once by one log (open descriptors and memory stay bounded whatever a glob matches). */
const MAX_FILES = 1024;
/** Heads of truncated files remembered to recognise their copies (bounded memory). */
const MAX_TRUNCATED_HEADS = 16;
/** Let-go files remembered in case they come back under a followed name (bounded memory). */
const MAX_RELEASED = 64;

/** One file as stored in the checkpoint. */
export interface FileCheckpoint {
  path: string;
  dev: string;
  ino: string;
  /** First bytes of the file (base64), up to FINGERPRINT_BYTES. */
  fp: string;
  /** Byte offset of the first line not yet handed to the sink. */
  offset: number;
  /** The offset is inside an over-long line whose remainder is skipped. */
  skipping: boolean;
  /** logrotate's copy of a truncated file, read to its end then let go (absent: false). */
  copy?: boolean;
}

/** The tailer's part of a checkpoint. */
export interface TailerState {
  files: FileCheckpoint[];
  /** Bytes consumed (lines handed over, or skipped), all files together. */
  bytes: number;
  rotations: number;
}

export interface TailerOptions {
  paths: string[];
  startPosition: 'end' | 'beginning';
  maxLineBytes: number;
  pollInterval: number;
  clock: Clock;
  logger: Logger;
  sink: LineSink;
  watch?: WatchFn;
  chunkBytes?: number;
  /** How long a rotated-away file must stay quiet before it is closed (default max(5 s, 2 polls)). */
  rotateWaitMs?: number;
}

interface TrackedFile {
  key: string;
  path: string;
  fh: FileHandle;
  fp: Buffer;
  offset: number;
  /** Bytes read past `offset` that do not yet form a complete line. */
  carry: Buffer | null;
  skipping: boolean;
  /** Size at the last look, for pending bytes. */
  size: number;
  /** When the file stopped being at a matching path (rotated away), else null. */
  rotatedAt: number | null;
  lastGrowthAt: number;
  /** A new file not read yet: it may be logrotate's copy of a followed file (see isCopy). */
  verifyCopy: boolean;
  /** logrotate's copy of a truncated file, read from where we were in the original, then let go. */
  copy: boolean;
}

export class Tailer {
  private readonly patterns: FilePattern[] = [];
  private readonly files = new Map<string, TrackedFile>();
  private readonly splitter: LineSplitter;
  private readonly buf: Buffer;
  private readonly rotateWaitMs: number;
  private readonly watchers = new Map<string, Watcher>();
  private readonly warned = new Set<string>();
  private warnedTooMany = false;
  /** Identities of files found to be copies of followed files (copytruncate): never followed. */
  private readonly copies = new Set<string>();
  /** Files let go recently, by identity: one that comes back (renamed back) resumes, not restarts. */
  private readonly released = new Map<string, { fp: Buffer; offset: number; skipping: boolean }>();
  /** First bytes of files just before they were truncated: their copies must not be followed. */
  private readonly truncatedHeads: { path: string; fp: Buffer }[] = [];
  private bytes = 0;
  /** Bumped on every change of what snapshot() returns: lets the pipeline skip idle checkpoints. */
  changes = 0;
  private rotations = 0;
  private restoredFiles: FileCheckpoint[] | undefined;
  private hasCheckpoint = false;
  private firstPass = true;
  private running: Promise<void> | null = null;
  private again = false;
  private discoverPending = false;
  private stopped = false;
  private timer: unknown;

  constructor(private readonly opts: TailerOptions) {
    for (const p of opts.paths) {
      try {
        this.patterns.push(compilePattern(p));
      } catch (err) {
        opts.logger.error('log path ignored', { err: (err as Error).message });
      }
    }
    this.splitter = new LineSplitter(opts.maxLineBytes, opts.sink);
    // The buffer always has room for a full carried line plus a useful read.
    this.buf = Buffer.allocUnsafe(Math.max(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, opts.maxLineBytes + 65536));
    this.rotateWaitMs = opts.rotateWaitMs ?? Math.max(5000, 2 * opts.pollInterval);
  }

  /** Loads a checkpointed state; call before start(). Files never seen then start at the beginning. */
  restore(state: TailerState): void {
    this.hasCheckpoint = true;
    this.restoredFiles = state.files;
    this.bytes = state.bytes;
    this.rotations = state.rotations;
  }

  /**
   * Starts watching and polling. The first pass (which may read a big backlog) runs in the
   * background; await poll() to wait for it.
   */
  start(): Promise<void> {
    this.schedule();
    void this.poll();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.running;
    // The files stay listed (fds closed): the final checkpoint taken after stop() needs their offsets.
    await Promise.all([...this.files.values()].map((f) => f.fh.close().catch(() => {})));
  }

  /** Looks at the files now: discovery, rotation, truncation, reading to the end. */
  poll(): Promise<void> {
    return this.wake(true);
  }

  /**
   * Runs a pass, or another one after the pass in flight. `discover`: list the directories too
   * (polls, creations and renames); a write to a followed file only needs its new bytes read.
   */
  private wake(discover: boolean): Promise<void> {
    if (discover) this.discoverPending = true;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const full = this.discoverPending;
          this.discoverPending = false;
          await this.pass(full);
        } while (this.again && !this.stopped);
      } catch (err) {
        this.opts.logger.error('tail pass failed', { err });
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** The state to checkpoint; consistent with the lines handed to the sink so far (synchronous). */
  snapshot(): TailerState {
    const files: FileCheckpoint[] = [];
    for (const f of this.files.values()) {
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
    for (const f of this.files.values()) pending += Math.max(0, f.size - f.offset);
    return { files: this.files.size, pendingBytes: pending };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.opts.pollInterval);
  }

  private async pass(discover: boolean): Promise<void> {
    if (this.stopped) return;
    if (!discover) {
      for (const f of [...this.files.values()]) await this.drain(f);
      return;
    }
    if (this.restoredFiles) {
      const restored = this.restoredFiles;
      this.restoredFiles = undefined;
      for (const cp of restored) {
        // A file of a path no longer configured is not followed any more.
        if (this.patterns.some((p) => p.dir === path.dirname(cp.path) && p.matches(path.basename(cp.path)))) await this.reopen(cp);
      }
    }
    this.ensureWatchers();
    const { found, complete } = await discoverFiles(this.patterns);
    if (!complete) {
      // A directory could not be listed (EMFILE, EACCES...): absent files are not proof of a
      // rotation, and taking them for gone would read them again from 0 later. Just read.
      for (const f of [...this.files.values()]) await this.drain(f);
      return;
    }
    const now = this.opts.clock.now();
    for (const f of this.files.values()) {
      const at = f.copy ? undefined : found.get(f.key);
      if (at) {
        if (f.path !== at.path || f.rotatedAt !== null) this.changes++;
        f.path = at.path;
        f.rotatedAt = null;
      } else if (f.rotatedAt === null && !f.copy) {
        f.rotatedAt = now;
        this.rotations++;
        this.changes++;
        this.opts.logger.debug('file rotated away, reading it to the end', { path: f.path });
      }
    }
    const fromEnd = this.firstPass && !this.hasCheckpoint && this.opts.startPosition === 'end';
    this.firstPass = false;
    for (const key of this.copies) if (!found.has(key)) this.copies.delete(key);
    const foundPaths = new Set([...found.values()].map((at) => at.path));
    for (const p of this.warned) if (!foundPaths.has(p)) this.warned.delete(p);
    for (const [key, at] of found) {
      if (this.files.has(key) || this.copies.has(key)) continue;
      if (this.files.size >= MAX_FILES) {
        if (!this.warnedTooMany) this.opts.logger.warn('too many files for one log, the others are not followed', { max: MAX_FILES });
        this.warnedTooMany = true;
        break;
      }
      await this.track(at, fromEnd);
    }
    for (const f of [...this.files.values()]) {
      if (this.stopped) return;
      await this.drain(f);
    }
    for (const f of [...this.files.values()]) {
      if (f.rotatedAt !== null && this.opts.clock.now() - Math.max(f.rotatedAt, f.lastGrowthAt) >= this.rotateWaitMs) {
        await this.release(f);
      }
    }
  }

  private ensureWatchers(): void {
    const watch = this.opts.watch ?? fsWatch;
    for (const p of this.patterns) {
      if (this.watchers.has(p.dir)) continue;
      const w = watch(
        p.dir,
        (name, event) => {
          if (name === null || this.isRelevant(p, name)) void this.wake(name === null || event !== 'change' || !this.isFollowedAt(p, name));
        },
        () => {
          // The directory went away: drop the watch, a later pass sets it up again.
          this.watchers.get(p.dir)?.close();
          this.watchers.delete(p.dir);
        },
      );
      if (w) this.watchers.set(p.dir, w);
    }
  }

  /** Whether `name` in the pattern's directory is a followed file still at its path (a plain write). */
  private isFollowedAt(p: FilePattern, name: string): boolean {
    const full = path.join(p.dir, name);
    for (const f of this.files.values()) if (f.rotatedAt === null && f.path === full) return true;
    return false;
  }

  /** Events for other files of a busy directory such as /var/log do not wake us up. */
  private isRelevant(p: FilePattern, name: string): boolean {
    if (p.matches(name)) return true;
    for (const f of this.files.values()) if (path.basename(f.path) === name) return true;
    return false;
  }

  private async openFile(full: string): Promise<FileHandle | undefined> {
    try {
      const fh = await open(full, 'r');
      this.warned.delete(full);
      return fh;
    } catch (err) {
      if (!this.warned.has(full)) {
        this.warned.add(full);
        this.opts.logger.warn('cannot open log file', { path: full, err: (err as Error).message });
      }
      return undefined;
    }
  }

  /** Starts following a newly found file, at its beginning or (first start) at its end. */
  private async track(at: Found, fromEnd: boolean): Promise<void> {
    const fh = await this.openFile(at.path);
    if (!fh) return;
    const st = await fh.stat({ bigint: true });
    const key = identityKey(st);
    const size = Number(st.size);
    const fp = await readHead(fh, size);
    let offset = 0;
    let skipping = false;
    let verifyCopy = !fromEnd;
    const back = this.released.get(key);
    if (back && back.fp.length > 0 && size >= back.offset && fp.subarray(0, back.fp.length).equals(back.fp)) {
      // A file we let go is back under a followed name: it resumes where it was.
      ({ offset, skipping } = back);
      verifyCopy = false;
    } else if (fromEnd && size > 0) {
      offset = size;
      // Starting in the middle of a line: skip to the next newline rather than count half a line.
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      skipping = last[0] !== 10;
    }
    this.released.delete(key);
    this.changes++;
    this.files.set(key, {
      key,
      path: at.path,
      fh,
      fp,
      offset,
      carry: null,
      skipping,
      size,
      rotatedAt: null,
      lastGrowthAt: this.opts.clock.now(),
      verifyCopy,
      copy: false,
    });
  }

  /**
   * Reopens a checkpointed file: at its path, or, when something else is there now, under another
   * name in the same directory (rotated while hostwatch was down). Its first bytes are checked by
   * drain(), which restarts it at 0 if they differ.
   */
  private async reopen(cp: FileCheckpoint): Promise<void> {
    const key = `${cp.dev}:${cp.ino}`;
    let where: string | undefined;
    let rotated = false;
    try {
      const st = await stat(cp.path, { bigint: true });
      if (identityKey(st) === key) where = cp.path;
    } catch {
      // gone from its path
    }
    if (!where) {
      where = await findSibling(cp.path, (st) => identityKey(st) === key);
      rotated = true;
    }
    if (!where) {
      this.rotations++;
      this.changes++; // dropped from the next checkpoint
      this.opts.logger.warn('checkpointed log file is gone; its unread lines are lost', { path: cp.path });
      return;
    }
    const fh = await this.openFile(where);
    if (!fh) return;
    const st = await fh.stat({ bigint: true });
    if (identityKey(st) !== key) {
      await fh.close();
      return;
    }
    const now = this.opts.clock.now();
    if (rotated && !cp.copy) this.rotations++;
    this.changes++;
    this.files.set(key, {
      key,
      // The configured path, even when found rotated: a later restart looks for it from there again.
      path: cp.path,
      fh,
      fp: Buffer.from(cp.fp, 'base64'),
      offset: cp.offset,
      carry: null,
      skipping: cp.skipping,
      size: Number(st.size),
      rotatedAt: rotated || cp.copy ? now : null,
      lastGrowthAt: now,
      verifyCopy: false,
      copy: cp.copy === true,
    });
  }

  /**
   * Whether a new file is a copy of a followed one, made by copytruncate, which a glob such as
   * `access.log*` matches: its lines were (or are being) read from the original, so following it
   * would count them twice. Same first bytes as a followed file, or as a file just before its
   * truncation, means a copy; a start that is a prefix of those may be a copy still being written.
   * Only names that extend the original's (logrotate's access.log.1, access.log-20250101) are
   * candidates, so that a file is never taken for a copy of its own copy.
   */
  private async isCopy(f: TrackedFile, size: number): Promise<'copy' | 'wait' | 'no'> {
    const name = path.basename(f.path);
    const dir = path.dirname(f.path);
    const heads = this.truncatedHeads.filter((h) => h.path !== f.path);
    for (const o of this.files.values()) if (o !== f && o.path !== f.path) heads.push({ path: o.path, fp: o.fp });
    const candidates = heads.filter((h) => path.dirname(h.path) === dir && name.startsWith(path.basename(h.path)));
    if (candidates.length === 0) return 'no';
    const head = await readHead(f.fh, size);
    if (head.length === 0) return 'wait';
    let verdict: 'copy' | 'wait' | 'no' = 'no';
    for (const { fp } of candidates) {
      if (fp.length < MIN_COPY_PROOF_BYTES) continue;
      if (head.length >= fp.length) {
        if (head.subarray(0, fp.length).equals(fp)) return 'copy';
      } else if (fp.subarray(0, head.length).equals(head)) verdict = 'wait';
    }
    return verdict;
  }

  /** Reads a file from its offset to its current end. */
  private async drain(f: TrackedFile): Promise<void> {
    try {
      // Both at once: one round trip to the thread pool less on every wake-up (latency).
      const [st, sameStart] = await Promise.all([f.fh.stat({ bigint: true }), startsWith(f.fh, f.fp)]);
      const size = Number(st.size);
      const readPos = f.offset + (f.carry?.length ?? 0);
      if (f.verifyCopy) {
        const verdict = await this.isCopy(f, size);
        if (verdict === 'wait') return;
        if (verdict === 'copy') {
          this.files.delete(f.key);
          this.copies.add(f.key);
          this.changes++;
          await f.fh.close().catch(() => {});
          this.opts.logger.debug('not following a copy of a followed file (copytruncate)', { path: f.path });
          return;
        }
        f.verifyCopy = false;
      }
      if (size < readPos || !sameStart) {
        await this.restartTruncated(f);
      }
      f.size = size;
      await this.readToEnd(f);
      if (f.fp.length < FINGERPRINT_BYTES && f.size > f.fp.length) f.fp = await readHead(f.fh, f.size);
    } catch (err) {
      this.opts.logger.warn('reading log file failed', { path: f.path, err: (err as Error).message });
    }
  }

  private async readToEnd(f: TrackedFile): Promise<void> {
    const buf = this.buf;
    for (;;) {
      const carryLen = f.carry?.length ?? 0;
      if (f.carry) f.carry.copy(buf, 0);
      const want = buf.length - carryLen;
      const { bytesRead } = await f.fh.read(buf, carryLen, want, f.offset + carryLen);
      if (bytesRead === 0) break;
      // From here to the end of the iteration nothing awaits: the lines handed to the sink and the
      // offset move together, so a snapshot taken between two reads is always consistent.
      const view = buf.subarray(0, carryLen + bytesRead);
      const r = this.splitter.split(view, f.skipping);
      f.offset += r.consumed;
      this.bytes += r.consumed;
      this.changes++;
      f.skipping = r.skipping;
      f.carry = view.length > r.consumed ? Buffer.from(view.subarray(r.consumed)) : null;
      f.lastGrowthAt = this.opts.clock.now();
      if (f.offset + (f.carry?.length ?? 0) > f.size) f.size = f.offset + (f.carry?.length ?? 0);
      if (bytesRead < want || this.stopped) break;
    }
  }

  /**
   * The file shrank (copytruncate) or its first bytes changed (rewritten, inode reused): read what
   * we had not read yet from logrotate's copy if there is one, then restart the file at 0.
   */
  private async restartTruncated(f: TrackedFile): Promise<void> {
    this.opts.logger.info('log file truncated or replaced, reading it from the start', { path: f.path });
    let copy: TrackedFile | undefined;
    if (f.fp.length > 0) {
      const copyPath = await findSibling(f.path, async (st, full) => {
        const known = this.files.get(identityKey(st));
        // A file found since, not read yet, may be this very copy (a glob such as access.log*).
        if (identityKey(st) === f.key || (known && !known.verifyCopy) || Number(st.size) < f.offset) return false;
        const fh = await open(full, 'r');
        try {
          return await startsWith(fh, f.fp);
        } finally {
          await fh.close();
        }
      });
      const fh = copyPath ? await this.openFile(copyPath) : undefined;
      if (fh) {
        const st = await fh.stat({ bigint: true });
        const now = this.opts.clock.now();
        // The copy takes over where we were in the original: it is followed as a rotated-away
        // file from our offset, so its progress is in every snapshot like any file's.
        copy = { ...f, key: identityKey(st), fh, carry: null, size: Number(st.size), rotatedAt: now, lastGrowthAt: now, verifyCopy: false, copy: true };
      }
    }
    // From here to the end, synchronous: the snapshot sees the old state or the new one, whole.
    this.rotations++;
    this.changes++;
    if (f.fp.length >= MIN_COPY_PROOF_BYTES) {
      this.truncatedHeads.push({ path: f.path, fp: f.fp });
      if (this.truncatedHeads.length > MAX_TRUNCATED_HEADS) this.truncatedHeads.shift();
    }
    if (copy) {
      const unverified = this.files.get(copy.key);
      if (unverified) void unverified.fh.close().catch(() => {});
      this.files.set(copy.key, copy);
      this.copies.delete(copy.key);
    }
    f.offset = 0;
    f.carry = null;
    f.skipping = false;
    f.fp = Buffer.alloc(0);
    return copy ? this.readCopy(copy) : undefined;
  }

  /** Reads the copy of a truncated file now, before the original's new lines. */
  private async readCopy(copy: TrackedFile): Promise<void> {
    await this.readToEnd(copy);
    this.opts.logger.debug('reading the end of a truncated file from its copy', { path: copy.path });
  }

  /** A finished file's last line without a newline is still a line. */
  private flushCarry(f: TrackedFile): void {
    if (!f.carry) return;
    if (!f.skipping) this.splitter.flush(f.carry);
    f.offset += f.carry.length;
    this.bytes += f.carry.length;
    f.carry = null;
  }

  /** Lets go of a rotated-away file that stayed quiet: it is finished. */
  private async release(f: TrackedFile): Promise<void> {
    this.flushCarry(f);
    this.files.delete(f.key);
    this.released.set(f.key, { fp: f.fp, offset: f.offset, skipping: f.skipping });
    if (this.released.size > MAX_RELEASED) this.released.delete(this.released.keys().next().value as string);
    if (f.copy) this.copies.add(f.key); // a glob may match it: it must not come back as a new file
    this.changes++;
    await f.fh.close().catch(() => {});
    this.opts.logger.debug('rotated file done', { path: f.path });
  }
}
