// Follows the files of one log (paths or globs) and hands their lines to a sink, exactly once
// given a checkpoint of its state (see snapshot()/restore()).
//
// How it looks at files:
// - A file is identified by (dev, ino) plus its first bytes, the fingerprint (identity.ts).
// - Each pass lists the pattern directories and stats the matching names (discovery.ts), then
//   compares identities with the tracked files (tracked.ts): a tracked file no longer at any
//   matching path has been rotated away (renamed or deleted); it is kept open and read to its end
//   until it has been quiet for `rotateWaitMs`, then let go.
// - A file that shrank below what was read (copytruncate) or whose first bytes changed restarts at
//   offset 0; the lines between our offset and the truncation are recovered from logrotate's copy
//   when there is one (copytruncate.ts).
// - After a restart the checkpointed files are found again by identity (restore.ts), and read on
//   from their checkpointed offsets (reader.ts).
// - Passes run on fs events (one watch per directory) and every `pollInterval`, one at a time.
//   Tests inject `watch: noWatch` and a ManualClock and call poll() themselves.
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { rateLimited, type Logger } from '../core/log.js';
import type { FileCheckpoint, TailerState } from './checkpoint.js';
import { CopyTruncate } from './copytruncate.js';
import { Discovery, type Found } from './discovery.js';
import type { FilePattern } from './glob.js';
import { FINGERPRINT_BYTES, identityKey, readHead, startsWith } from './identity.js';
import type { LineSink } from './lines.js';
import { LogFileOpener } from './opener.js';
import { LineReader } from './reader.js';
import { restoreFiles } from './restore.js';
import { TrackedFiles, type TrackedFile } from './tracked.js';
import { fsWatch, type WatchFn } from './watch.js';

/** Files followed at once by one log (open descriptors and memory stay bounded whatever a glob matches). */
const MAX_FILES = 1024;

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

export class Tailer {
  private readonly files = new TrackedFiles();
  private readonly discovery: Discovery;
  private readonly opener: LogFileOpener;
  private readonly reader: LineReader;
  private readonly copytruncate: CopyTruncate;
  private readonly rotateWaitMs: number;
  private warnedTooMany = false;
  private restoredFiles: FileCheckpoint[] | undefined;
  private hasCheckpoint = false;
  private firstPass = true;
  private running: Promise<void> | null = null;
  private again = false;
  private discoverPending = false;
  private stopped = false;
  private timer: unknown;
  /** For the warnings that repeat at every pass while a condition lasts. */
  private readonly repeats: Logger;

  constructor(private readonly opts: TailerOptions) {
    const { clock, logger } = opts;
    this.repeats = rateLimited(logger, { clock });
    this.discovery = new Discovery(opts.paths, logger, opts.watch ?? fsWatch, (p, name, event) => this.onDirEvent(p, name, event));
    this.opener = new LogFileOpener(logger);
    this.reader = new LineReader({ maxLineBytes: opts.maxLineBytes, chunkBytes: opts.chunkBytes, sink: opts.sink, clock }, this.files);
    this.copytruncate = new CopyTruncate(this.files, this.reader, this.opener, clock, logger);
    this.rotateWaitMs = opts.rotateWaitMs ?? Math.max(5000, 2 * opts.pollInterval);
  }

  /** Bumped on every change of what snapshot() returns: lets the pipeline skip idle checkpoints. */
  get changes(): number {
    return this.files.changes;
  }

  /** Loads a checkpointed state; call before start(). Files never seen then start at the beginning. */
  restore(state: TailerState): void {
    this.hasCheckpoint = true;
    this.restoredFiles = state.files;
    this.files.restoreTotals(state);
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
        this.repeats.error('tail pass failed', { err });
      } finally {
        this.running = null;
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

  private onDirEvent(p: FilePattern, name: string | null, event: 'change' | 'rename'): void {
    // Events for other files of a busy directory such as /var/log do not wake us up.
    if (name !== null && !p.matches(name) && !this.files.hasFileNamed(name)) return;
    // A write to a file followed at its path only needs its new bytes read; anything else may be a
    // creation, a rename or a deletion: the directories are listed again.
    void this.wake(name === null || event !== 'change' || !this.files.followedAt(path.join(p.dir, name)));
  }

  private async pass(discover: boolean): Promise<void> {
    if (this.stopped) return;
    if (!discover) return this.drainAll();
    if (this.restoredFiles) {
      const restored = this.restoredFiles;
      this.restoredFiles = undefined;
      const { discovery, opener, files } = this;
      await restoreFiles(restored, { discovery, opener, files, clock: this.opts.clock, logger: this.opts.logger });
    }
    this.discovery.watch();
    const { found, complete } = await this.discovery.list();
    // A directory could not be listed (EMFILE, EACCES...): absent files are not proof of a
    // rotation, and taking them for gone would read them again from 0 later. Just read.
    if (!complete) return this.drainAll();
    for (const f of this.files.matchFound(found, this.opts.clock.now())) {
      this.opts.logger.debug('file rotated away, reading it to the end', { path: f.path });
    }
    const fromEnd = this.firstPass && !this.hasCheckpoint && this.opts.startPosition === 'end';
    this.firstPass = false;
    this.files.keepCopiesIn(found);
    this.opener.keepWarningsFor(new Set([...found.values()].map((at) => at.path)));
    for (const [key, at] of found) {
      if (this.files.has(key) || this.files.isCopy(key)) continue;
      if (this.files.size >= MAX_FILES) {
        if (!this.warnedTooMany) this.opts.logger.warn('too many files for one log, the others are not followed', { max: MAX_FILES });
        this.warnedTooMany = true;
        break;
      }
      await this.track(at, fromEnd);
    }
    await this.drainAll();
    if (this.stopped) return;
    for (const f of this.files.list()) {
      if (f.rotatedAt !== null && this.opts.clock.now() - Math.max(f.rotatedAt, f.lastGrowthAt) >= this.rotateWaitMs) {
        await this.release(f);
      }
    }
  }

  /** Starts following a newly found file, at its beginning or (first start) at its end. */
  private async track(at: Found, fromEnd: boolean): Promise<void> {
    const fh = await this.opener.open(at.path);
    if (!fh) return;
    const st = await fh.stat({ bigint: true });
    const key = identityKey(st);
    const size = Number(st.size);
    const fp = await readHead(fh, size);
    let offset = 0;
    let skipping = false;
    let verifyCopy = !fromEnd;
    const back = this.files.takeReleased(key);
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
    const now = this.opts.clock.now();
    this.files.add({ key, path: at.path, fh, fp, offset, carry: null, skipping, size, rotatedAt: null, lastGrowthAt: now, verifyCopy, copy: false });
  }

  private async drainAll(): Promise<void> {
    for (const f of this.files.list()) {
      if (this.stopped) return;
      await this.drain(f);
    }
  }

  /** Reads a file from its offset to its current end, after checking that it is still the same file. */
  private async drain(f: TrackedFile): Promise<void> {
    try {
      // Both at once: one round trip to the thread pool less on every wake-up (latency).
      const [st, sameStart] = await Promise.all([f.fh.stat({ bigint: true }), startsWith(f.fh, f.fp)]);
      const size = Number(st.size);
      const readPos = f.offset + (f.carry?.length ?? 0);
      if (f.verifyCopy && !(await this.copytruncate.verifyNew(f, size))) return;
      if (size < readPos || !sameStart) await this.copytruncate.restartTruncated(f);
      f.size = size;
      await this.reader.readToEnd(f);
      if (f.fp.length < FINGERPRINT_BYTES && f.size > f.fp.length) f.fp = await readHead(f.fh, f.size);
    } catch (err) {
      this.repeats.warn('reading log file failed', { path: f.path, err: (err as Error).message });
    }
  }

  /** Lets go of a rotated-away file that stayed quiet: it is finished. */
  private async release(f: TrackedFile): Promise<void> {
    this.reader.flushCarry(f);
    this.files.release(f);
    await f.fh.close().catch(() => {});
    this.opts.logger.debug('rotated file done', { path: f.path });
  }
}
