// Realtime FIM: chokidar reports paths that changed; they are collected and, after a quiet
// debounce delay, only those paths (or directory subtrees) are rescanned. A burst of more than
// MAX_PENDING distinct paths is not tracked path by path (memory stays bounded): it triggers one
// full scan instead.
//
// Every entry chokidar watches is one inotify watch, and the kernel's limit is per user: a root is
// watched only when its whole tree fits in the watch budget it is given (counted first, see
// watch-budget.ts), else it is left entirely to the scheduled scans (never half watched, which
// would miss changes in the unwatched half without saying so). A watcher that still hits the
// kernel's limit (ENOSPC) or the open files limit (EMFILE) later, as the tree grows, is closed and
// its root falls back to the scheduled scans the same way, with one warning.
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { RootMonitor } from './monitor.js';
import { countWatches } from './watch-budget.js';

export const DEBOUNCE_MS = 500;
export const MAX_PENDING = 10_000;

/** starting: counting or setting up; watching: realtime; fallback: scheduled scans only. */
export type RealtimeStatus = 'starting' | 'watching' | 'fallback';

export class RealtimeWatcher {
  private watcher?: FSWatcher;
  private pending = new Set<string>();
  private overflow = false;
  private timer: unknown;
  /** The rescan in flight, for stop() and tests. */
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  status: RealtimeStatus = 'starting';
  /** The inotify watches held for this root, as counted before watching (0 when not watching). */
  watches = 0;
  /** Resolves the promise of start() while chokidar sets its watches up. */
  private setUp?: () => void;

  constructor(
    private readonly monitor: RootMonitor,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly pseudoMounts: ReadonlySet<string>,
  ) {}

  /**
   * Counts the watches the root needs and watches it when they fit in the budget; resolves, once
   * chokidar has set up its watches, with the number of watches taken (0 when the root fell back).
   */
  async start(budget: number): Promise<number> {
    const root = this.monitor.root;
    let needed: number;
    try {
      const { filter, settings } = this.monitor;
      needed = await countWatches({ root, filter, follow: settings.followSymlinks, pseudoMounts: this.pseudoMounts }, budget);
    } catch (err) {
      this.fallBack(`cannot count the files to watch: ${(err as Error).message}`);
      return 0;
    }
    if (this.stopped) return 0;
    if (needed > budget) {
      this.fallBack(`the root has more than ${budget} files and directories to watch, the watch budget left (fim.realtime_max_watches)`);
      return 0;
    }
    this.watches = needed;
    this.status = 'watching';
    await this.watch();
    return this.status === 'watching' ? needed : 0;
  }

  /** Stops watching this root for good: its scheduled scans go on. Logged once. */
  private fallBack(why: string): void {
    if (this.status === 'fallback') return;
    this.status = 'fallback';
    this.watches = 0;
    this.logger.warn('FIM realtime off for this root: changes are found by the scheduled scans', {
      root: this.monitor.root,
      why,
    });
    const w = this.watcher;
    this.watcher = undefined;
    // close() drops chokidar's listeners: 'ready' will not come, so start() is released here.
    this.setUp?.();
    void w?.close().catch(() => {});
    // close() also removed the error listener: an error still in flight must not become an
    // unhandled 'error' event (which would end the process).
    w?.on('error', () => {});
  }

  private watch(): Promise<void> {
    const root = this.monitor.root;
    const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
    this.watcher = watch(root, {
      ignoreInitial: true,
      followSymlinks: this.monitor.settings.followSymlinks,
      ignored: (p: string) => {
        if (this.pseudoMounts.has(p)) return true;
        const r = rel(p);
        return r !== '' && !r.startsWith('..') && this.monitor.filter.excluded(r);
      },
    });
    const onPath = (p: string) => this.add(rel(p));
    for (const ev of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) this.watcher.on(ev, onPath);
    this.watcher.on('raw', (event: string, p: string, opts: unknown) => {
      // A chmod or chown is an inotify attribute change, which fs.watch reports as 'change' but
      // chokidar drops (it emits 'change' only when size or mtime moved): take it from the raw event.
      // fs.watch names the entry relative to the watched directory, or the file's own base name
      // when the watched path is the file itself.
      const watched = (opts as { watchedPath?: string } | undefined)?.watchedPath;
      if (event !== 'change' || !watched || !p) return;
      const full = path.isAbsolute(p) ? p : path.basename(watched) === p ? watched : path.join(watched, p);
      if (full === root || full.startsWith(root + path.sep)) this.add(rel(full));
    });
    const watcher = this.watcher;
    watcher.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE') this.fallBack(`${code}: the limit of inotify watches or open files is reached`);
      else if (this.status === 'watching') this.logger.warn('FIM realtime watch error', { root, err });
    });
    return new Promise((resolve) => {
      this.setUp = resolve;
      watcher.once('ready', () => resolve());
    });
  }

  get root(): string {
    return this.monitor.root;
  }

  get pendingCount(): number {
    return this.overflow ? MAX_PENDING + 1 : this.pending.size;
  }

  /** Whether a change of this relative path is waiting for the debounce (tests). */
  isPending(rel: string): boolean {
    return this.overflow || this.pending.has(rel);
  }

  private add(rel: string): void {
    if (this.stopped || rel.startsWith('..')) return;
    if (!this.overflow) {
      this.pending.add(rel);
      if (this.pending.size > MAX_PENDING) {
        this.overflow = true;
        this.pending.clear();
      }
    }
    if (this.timer === undefined) this.timer = this.clock.setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const paths = [...this.pending];
    const overflow = this.overflow;
    this.pending.clear();
    this.overflow = false;
    this.running = this.running
      .then(async () => {
        if (overflow) {
          this.logger.info('FIM realtime: too many changed paths, running a full scan', { root: this.monitor.root });
          await this.monitor.fullScan();
        } else {
          // A path inside a watched root with '' (the root itself) means rescanning the whole root.
          await this.monitor.rescan(paths);
        }
      })
      .catch((err) => this.logger.error('FIM realtime rescan failed', { root: this.monitor.root, err }));
  }

  /** Waits for the rescan started by the last debounce (tests). */
  idle(): Promise<void> {
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.setUp?.();
    await this.watcher?.close();
    await this.running;
  }
}
