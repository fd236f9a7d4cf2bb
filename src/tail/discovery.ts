// Finding the files of a log: its configured paths and globs, the regular files that match them now
// (one listing per pattern directory, one stat per matching name), and one watch per directory whose
// events wake the tailer up. Events only say "look again": what changed is always found by looking,
// so a lost or coalesced event costs at most one poll interval.
import { readdir, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import { compilePattern, type FilePattern } from './glob.js';
import { identityKey } from './identity.js';
import type { WatchFn, Watcher } from './watch.js';

export interface Found {
  path: string;
  st: BigIntStats;
}

/** A file system event in a pattern's directory; `name` null when the watcher could not tell. */
export type DirEvent = (pattern: FilePattern, name: string | null, event: 'change' | 'rename') => void;

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

export class Discovery {
  private readonly patterns: FilePattern[] = [];
  private readonly watchers = new Map<string, Watcher>();

  constructor(
    paths: readonly string[],
    logger: Logger,
    private readonly watchFn: WatchFn,
    private readonly onEvent: DirEvent,
  ) {
    for (const p of paths) {
      try {
        this.patterns.push(compilePattern(p));
      } catch (err) {
        logger.error('log path ignored', { err: (err as Error).message });
      }
    }
  }

  /** Whether `file` is still one of the log's paths (the config may have changed since a checkpoint). */
  covers(file: string): boolean {
    return this.patterns.some((p) => p.dir === path.dirname(file) && p.matches(path.basename(file)));
  }

  /** Matching regular files, by identity; `complete` is false when something could not be looked at. */
  async list(): Promise<{ found: Map<string, Found>; complete: boolean }> {
    const found = new Map<string, Found>();
    let complete = true;
    for (const p of this.patterns) {
      let names: string[];
      if (p.literal !== undefined) {
        names = [p.literal]; // a busy directory such as /var/log is not listed for one file
      } else {
        try {
          names = await readdir(p.dir);
        } catch (err) {
          if (!isMissing(err)) complete = false;
          continue; // not there yet: waited for
        }
      }
      for (const name of names) {
        if (!p.matches(name)) continue;
        const full = path.join(p.dir, name);
        try {
          const st = await stat(full, { bigint: true });
          if (st.isFile()) found.set(identityKey(st), { path: full, st });
        } catch (err) {
          if (!isMissing(err)) complete = false; // else: vanished between readdir and stat
        }
      }
    }
    return { found, complete };
  }

  /** Sets up the watches missing: on the first pass, and again for a directory that came back. */
  watch(): void {
    for (const p of this.patterns) {
      if (this.watchers.has(p.dir)) continue;
      const w = this.watchFn(
        p.dir,
        (name, event) => this.onEvent(p, name, event),
        () => {
          // The directory went away: drop the watch, a later pass sets it up again.
          this.watchers.get(p.dir)?.close();
          this.watchers.delete(p.dir);
        },
      );
      if (w) this.watchers.set(p.dir, w);
    }
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
