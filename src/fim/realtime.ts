// Realtime FIM: chokidar reports paths that changed; they are collected and, after a quiet
// debounce delay, only those paths (or directory subtrees) are rescanned. A burst of more than
// MAX_PENDING distinct paths is not tracked path by path (memory stays bounded): it triggers one
// full scan instead.
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { RootMonitor } from './monitor.js';

export const DEBOUNCE_MS = 500;
export const MAX_PENDING = 10_000;

export class RealtimeWatcher {
  private watcher?: FSWatcher;
  private pending = new Set<string>();
  private overflow = false;
  private timer: unknown;
  /** The rescan in flight, for stop() and tests. */
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly monitor: RootMonitor,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly pseudoMounts: ReadonlySet<string>,
  ) {}

  /** Resolves when chokidar has set up its watches. */
  start(): Promise<void> {
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
    this.watcher.on('error', (err) => this.logger.warn('FIM realtime watch error', { root, err }));
    return new Promise((resolve) => this.watcher!.once('ready', () => resolve()));
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
    await this.watcher?.close();
    await this.running;
  }
}
