// Follows the files of one log (paths or globs) and hands their lines to a sink, exactly once
// given a checkpoint of its state (see snapshot()/restore()).
//
// - A file is identified by (dev, ino) plus its first bytes, the fingerprint (identity.ts).
// - Each pass lists the pattern directories (discovery.ts, through the FileGuard of guard.ts) and
//   compares identities with the tracked files (tracked.ts): one no longer at any matching path was
//   rotated away (renamed or deleted); it is read to its end until quiet for `rotateWaitMs`, then
//   let go and remembered as known.
// - After a restart, and whenever a rotation or a new file is found, the rotation chain beside the
//   path (chain.ts) is looked at: rotated files written after ours are read, oldest first.
// - A file that shrank or whose first bytes changed restarts at 0; the lines not read yet come
//   from logrotate's copy (copytruncate.ts).
// - After a restart the checkpointed files are pending until found again (restore.ts).
// - Passes run on fs events (one watch per directory) and every `pollInterval`, one at a time; a
//   write to a followed file only reads that file. Tests inject `watch: noWatch` and a ManualClock
//   and call poll() themselves.
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { rateLimited, type Logger } from '../core/log.js';
import type { RotationKind, TailerState } from './checkpoint.js';
import { RotationChains } from './chain.js';
import { CopyTruncate } from './copytruncate.js';
import { Discovery, type Found } from './discovery.js';
import { foundFile } from './found-file.js';
import { FileGuard } from './guard.js';
import { startsWith } from './identity.js';
import type { LineSink } from './lines.js';
import { LogFileOpener } from './opener.js';
import { FileProblems, type ProblemCounts } from './problems.js';
import { PollWindow } from './poll-window.js';
import { LineReader } from './reader.js';
import { resolvePending } from './restore.js';
import { TrackedFiles, type TrackedFile } from './tracked.js';
import { Waits } from './waits.js';
import { fsWatch, type WatchFn } from './watch.js';

/** Files followed at once by one log (open descriptors and memory stay bounded whatever a glob matches). */
export const MAX_FILES = 1024;

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
  /** Called after a pass that found a rotation, a new file or a file finished: a checkpoint is due. */
  onFilesChanged?: () => void;
}

export class Tailer {
  private readonly files = new TrackedFiles();
  private readonly problems: FileProblems;
  private readonly discovery: Discovery;
  private readonly opener: LogFileOpener;
  private readonly reader: LineReader;
  private readonly copytruncate: CopyTruncate;
  private readonly chains: RotationChains;
  private readonly rotateWaitMs: number;
  /** For the warnings that repeat at every pass while a condition lasts. */
  private readonly repeats: Logger;
  /** Paths whose rotation chain must be looked at by the next pass that lists the directories. */
  private readonly chainsDue = new Set<string>();
  /** Followed paths written to since the last pass (fs events): only those need reading. */
  private readonly dirty = new Set<string>();
  /** Compressed files that failed to inflate: retried until rotateWaitMs (gzip may be writing them). */
  private readonly gzFailing: Waits;
  private hasCheckpoint = false;
  private firstPass = true;
  private filesChanged = false;
  private readonly pollWindow = new PollWindow();
  private running: Promise<void> | null = null;
  private again = false;
  private discoverPending = false;
  private stopped = false;
  private timer: unknown;
  /** Resolved when the first pass has found the files, before reading them (see start()). */
  private foundFirst!: () => void;
  private readonly firstFound = new Promise<void>((resolve) => (this.foundFirst = resolve));

  constructor(private readonly opts: TailerOptions) {
    const { clock, logger } = opts;
    this.repeats = rateLimited(logger, { clock });
    this.problems = new FileProblems(logger);
    this.discovery = new Discovery(opts.paths, logger, opts.watch ?? fsWatch, (dir, name, event) => this.onDirEvent(dir, name, event));
    this.opener = new LogFileOpener(new FileGuard(this.discovery.dirs()), this.problems);
    this.reader = new LineReader({ maxLineBytes: opts.maxLineBytes, chunkBytes: opts.chunkBytes, sink: opts.sink, clock }, this.files);
    this.rotateWaitMs = opts.rotateWaitMs ?? Math.max(5000, 2 * opts.pollInterval);
    this.gzFailing = new Waits(clock, this.rotateWaitMs);
    this.copytruncate = new CopyTruncate(this.files, this.reader, this.opener, clock, logger, this.rotateWaitMs);
    const { discovery, opener, files, rotateWaitMs: waitMs } = this;
    this.chains = new RotationChains({ discovery, opener, files, clock, logger, waitMs });
  }

  /** Bumped on every change of what snapshot() returns: lets the pipeline skip idle checkpoints. */
  get changes(): number {
    return this.files.changes;
  }

  /** Loads a checkpointed state; call before start(). Files never seen then start at the beginning. */
  restore(state: TailerState): void {
    this.hasCheckpoint = true;
    this.files.restore(state);
  }

  /**
   * Starts watching and polling. A first start (no checkpoint restored) resolves once the first
   * pass has found the files, so that the first checkpoint knows them; their reading goes on
   * (await poll() to wait for it). After a restart the checkpoint on disk already knows them.
   */
  start(): Promise<void> {
    this.schedule();
    void this.poll();
    return this.hasCheckpoint ? Promise.resolve() : this.firstFound;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reader.stop();
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.discovery.close();
    await this.running;
    // The files stay listed (fds closed): the final checkpoint taken after stop() needs their offsets.
    await this.files.closeAll();
  }

  /** Looks at the files now: discovery, rotation, truncation, reading to the end. */
  poll(): Promise<void> {
    return this.wake(true);
  }

  /** The state to checkpoint; consistent with the lines handed to the sink so far (synchronous). */
  snapshot(): TailerState {
    return this.files.snapshot();
  }

  /** Files followed, and bytes in them not read yet (the lag). */
  stats(): { files: number; pendingBytes: number } {
    return this.files.stats();
  }

  /** Files that cannot be followed, by reason, as of the last pass that listed the directories. */
  fileProblems(): ProblemCounts {
    return this.problems.counts();
  }

  /** Runs a pass, or another after the one in flight. `discover`: list the directories too (not for a mere write). */
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
        this.repeats.error('tail pass failed', { err });
      } finally {
        this.running = null;
        this.foundFirst(); // also when the first pass failed or stopped before finding anything
      }
    })();
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.opts.pollInterval);
  }

  private onDirEvent(dir: string, name: string | null, event: 'change' | 'rename'): void {
    // Events for other files of a busy directory such as /var/log do not wake us up. One watch
    // serves every pattern of its directory: the name is checked against all of them.
    if (name !== null && !this.discovery.matchesIn(dir, name) && !this.files.hasFileNamed(name)) return;
    // A write to a file followed at its path only needs its new bytes read; anything else may be a
    // creation, a rename or a deletion: the directories are listed again.
    const full = name === null ? null : path.join(dir, name);
    if (full !== null && event === 'change' && this.files.followedAt(full)) {
      this.dirty.add(full);
      void this.wake(false);
    } else void this.wake(true);
  }

  private async pass(discover: boolean): Promise<void> {
    if (this.stopped) return;
    if (!discover) {
      const dirty = new Set(this.dirty);
      this.dirty.clear();
      // Rotated-away files too: the application may still be writing them (no event names them).
      return this.drainAll((f) => f.rotatedAt !== null || dirty.has(f.path));
    }
    const dirty = new Set(this.dirty);
    this.dirty.clear();
    this.problems.begin();
    try {
      await this.look(dirty);
    } finally {
      this.problems.commit();
    }
    if (this.firstPass) {
      this.firstPass = false;
      this.discovery.announce(this.files.pathsFollowed(), this.opts.logger);
    }
    if (this.filesChanged && !this.stopped) {
      this.filesChanged = false;
      this.opts.onFilesChanged?.();
    }
  }

  /** A pass that lists the directories: pending files, rotations, chains, new files, then reading. */
  private async look(dirty: ReadonlySet<string>): Promise<void> {
    const { files, opener, discovery, problems } = this;
    const { clock, logger } = this.opts;
    const changes = files.changes;
    const restored = await resolvePending({ discovery, opener, files, problems, clock, logger });
    if (files.changes !== changes) this.filesChanged = true;
    // Truncated while down (copytruncate): its copy is found before the chain is looked at.
    for (const f of files.list()) if (restored.has(f.path) && !f.gz) await this.drain(f, false);
    for (const base of restored) this.chainsDue.add(base);
    discovery.watch();
    const recheck = this.pollWindow.next(this.files.pathsFollowed(), dirty);
    const listing = await discovery.list(opener.guard, problems, recheck);
    // A directory could not be listed (EMFILE, EACCES...): absent files are not proof of a
    // rotation, and taking them for gone would read them again from 0 later. Just read.
    if (!listing.complete) return this.drainAll(() => true);
    await this.noticeRotations(listing.found);
    // New files first: one found at a followed path, or gone between the look and the open, means
    // a rotation, and more may hide in the chain. (The rotated files are read first all the same.)
    const tracked = await this.trackNew(listing.found);
    for (const base of [...this.chainsDue]) if (await this.chains.scan(base)) this.chainsDue.delete(base);
    if (this.firstPass && !this.hasCheckpoint) {
      // Told from copies now, not at their first read, so that the first checkpoint lists them.
      // (After a restart this waits for the reads: a copy made while down is known by the
      // truncated file's head, read then.)
      for (const f of tracked) if (f.verifyCopy) await this.copytruncate.verifyNew(f, f.size);
      this.foundFirst();
    }
    // A file at its path not looked at in this pass is left for the pass that looks at it (or an fs event).
    await this.drainAll(
      (f) => f.rotatedAt !== null || tracked.has(f) || (listing.fresh.has(f.path) && !this.unchanged(f, listing.found.get(f.key))),
    );
    if (this.stopped) return;
    const now = clock.now();
    for (const f of files.list()) {
      // A rotated file quiet for the wait is let go; not one whose copy is still looked for (its
      // new content would never be read).
      if (f.rotatedAt === null || f.gz || f.copySoughtSince !== undefined) continue;
      if (now - Math.max(f.rotatedAt, f.lastGrowthAt) >= this.rotateWaitMs) await this.release(f);
    }
  }

  /** Followed files no longer at a matching path: rotated away (renamed, or deleted). */
  private async noticeRotations(found: ReadonlyMap<string, Found>): Promise<void> {
    const away = this.files.notFoundIn(found);
    if (away.length === 0) return;
    const kinds = await Promise.all(
      away.map(async (f): Promise<RotationKind> => {
        const st = await f.fh.stat().catch(() => undefined);
        return st?.nlink === 0 ? 'delete' : 'rename';
      }),
    );
    const now = this.opts.clock.now();
    away.forEach((f, i) => {
      this.files.rotatedAway(f, now);
      this.files.countRotation(kinds[i]);
      this.chainsDue.add(f.path);
      this.opts.logger.info('log file rotated away, reading it to its end', { path: f.path, kind: kinds[i] });
    });
    this.filesChanged = true;
  }

  /** Starts following the files found that are not followed yet, the most recently written first. */
  private async trackNew(found: ReadonlyMap<string, Found>): Promise<Set<TrackedFile>> {
    const fromEnd = this.firstPass && !this.hasCheckpoint && this.opts.startPosition === 'end';
    const fresh: Found[] = [];
    for (const [key, at] of found) if (!this.files.has(key) && !(await this.copytruncate.isKnownCopy(at))) fresh.push(at);
    const room = Math.max(0, MAX_FILES - this.files.size);
    if (room > 0 && fresh.length > room) fresh.sort((a, b) => (a.st.mtimeNs > b.st.mtimeNs ? -1 : a.st.mtimeNs < b.st.mtimeNs ? 1 : 0));
    const tracked = new Set<TrackedFile>();
    for (const at of fresh.slice(0, room)) {
      const f = await this.track(at, fromEnd);
      if (f) tracked.add(f);
    }
    this.problems.tooManyFiles(Math.max(0, fresh.length - room), MAX_FILES);
    return tracked;
  }

  /** Starts following a newly found file, at its beginning or (first start) at its end. */
  private async track(at: Found, fromEnd: boolean): Promise<TrackedFile | undefined> {
    const fh = await this.opener.open(at.path, at);
    if (fh === 'gone') this.chainsDue.add(at.path); // rotated between the look and the open: it is in the chain now
    if (typeof fh === 'string') return undefined;
    const f = await foundFile(fh, at, fromEnd, this.files, this.opts.clock.now());
    await this.copytruncate.noteIfShort(f);
    this.files.add(f);
    // A new file means a rotation, also at a restart's first pass (its checkpointed file may still
    // be pending). On a first start nothing is due in its chain: what is there predates us.
    if (!this.firstPass || this.hasCheckpoint) this.chainsDue.add(at.path);
    else f.newlyFound = false; // a reference at once (chain.ts noReference)
    this.opts.logger.debug('following a new file', { path: at.path, key: f.key, offset: f.offset });
    this.filesChanged = true;
    return f;
  }

  /** Whether a file followed at its path is as it was when last read to its end (nothing to do). */
  private unchanged(f: TrackedFile, at: Found | undefined): boolean {
    return (
      at !== undefined &&
      f.rotatedAt === null &&
      !f.verifyCopy &&
      at.st.mtimeNs === f.mtimeNs &&
      Number(at.st.size) === f.size &&
      f.offset + (f.carry?.length ?? 0) === f.size
    );
  }

  /** Drains the files `which` selects: rotated ones first (older lines), then those at their paths. */
  private async drainAll(which: (f: TrackedFile) => boolean): Promise<void> {
    const list = this.files.list();
    for (const f of [...list.filter((f) => f.rotatedAt !== null), ...list.filter((f) => f.rotatedAt === null)]) {
      if (this.stopped) return;
      if (this.files.get(f.key) === f && which(f)) await this.drain(f);
    }
  }

  /** Reads a file from its offset to its current end once sure it is the same file (`read` false: the check only). */
  private async drain(f: TrackedFile, read = true): Promise<void> {
    if (f.gz) return this.drainCompressed(f);
    try {
      // Both at once: one round trip to the thread pool less on every wake-up (latency).
      const [st, sameStart] = await Promise.all([f.fh.stat({ bigint: true }), startsWith(f.fh, f.fp)]);
      const size = Number(st.size);
      if (f.verifyCopy && !(await this.copytruncate.verifyNew(f, size))) return;
      const missed = await this.copytruncate.missedCopy(f);
      if (missed === 'wait') return; // a member that may be its copy cannot be looked at yet
      const truncated = missed !== undefined || size < f.offset + (f.carry?.length ?? 0) || !sameStart;
      if (truncated && !(await this.restartTruncated(f, missed))) return; // its copy is looked for again next pass
      // The time seen goes with the first bytes read after it (by missedCopy, or by the restart at
      // 0): a snapshot taken between them would pair a later time with the first bytes (none, for a
      // file found empty) of an earlier content, and a copy made meanwhile would look older than
      // the file. Found again with other first bytes: the checkpoint's time stands for what we had
      // read (chain.ts).
      if (!f.headChanged) f.mtimeNs = st.mtimeNs;
      f.size = size;
      // Truncated while being read: read again from 0 once restarted.
      if (read && !(await this.reader.readToEnd(f)) && (await this.restartTruncated(f))) await this.reader.readToEnd(f);
    } catch (err) {
      this.repeats.warn('reading log file failed', { path: f.path, err: (err as Error).message });
    }
  }

  /** Restarts a truncated file at 0 (copytruncate.ts); false: left as it was while its copy is looked for. */
  private async restartTruncated(f: TrackedFile, copy?: TrackedFile): Promise<boolean> {
    // More rotations may hide behind this one: the next pass looks at the chain.
    this.chainsDue.add(f.path);
    this.discoverPending = true;
    if (!(await this.copytruncate.restartTruncated(f, copy))) return false;
    this.again = true;
    this.filesChanged = true;
    return true;
  }

  /** Reads a rotated .gz to its end and lets it go; one that cannot be inflated is retried for a while. */
  private async drainCompressed(f: TrackedFile): Promise<void> {
    try {
      if (!(await this.reader.readCompressed(f))) return; // stopping
    } catch (err) {
      if (this.gzFailing.stillWaiting(f.key)) return;
      this.opts.logger.warn('compressed rotated file is damaged: the rest of its lines cannot be read', {
        path: f.path,
        err: (err as Error).message,
      });
    }
    this.gzFailing.clear(f.key);
    await this.release(f);
  }

  /** Lets go of a rotated-away file that stayed quiet, or a compressed one read: it is finished. */
  private async release(f: TrackedFile): Promise<void> {
    this.reader.flushCarry(f);
    this.files.release(f);
    await f.fh.close().catch(() => {});
    this.filesChanged = true;
    this.opts.logger.debug('rotated file done', { path: f.path, key: f.key, offset: f.offset, gz: f.gz, copy: f.copy });
  }
}
