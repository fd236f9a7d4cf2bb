// Finding the files of a log: its configured paths and globs, the regular files that match them now
// (one listing per pattern directory, one lstat per matching name, symlinks vetted by the
// FileGuard), and one watch per directory whose
// events wake the tailer up. Events only say "look again": what changed is always found by looking,
// so a lost or coalesced event costs at most one poll interval.
import { readdir } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import { compilePattern, type FilePattern } from './glob.js';
import { problemOf, type FileGuard } from './guard.js';
import { identityKey } from './identity.js';
import type { FileProblems } from './problems.js';
import type { WatchFn, Watcher } from './watch.js';

export interface Found {
  path: string;
  st: BigIntStats;
  /** Reached through a symlink (allowed by the FileGuard). */
  link: boolean;
}

/** A file system event in a watched directory; `name` null when the watcher could not tell. */
export type DirEvent = (dir: string, name: string | null, event: 'change' | 'rename') => void;

export class Discovery {
  readonly patterns: FilePattern[] = [];
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

  /** The directories of the log's paths (a symlink into one of them is always followed). */
  dirs(): string[] {
    return [...new Set(this.patterns.map((p) => p.dir))];
  }

  /** Whether `file` is still one of the log's paths (the config may have changed since a checkpoint). */
  covers(file: string): boolean {
    return this.matchesIn(path.dirname(file), path.basename(file));
  }

  /** Whether `name` in `dir` matches any pattern of that directory (several may share one watch). */
  matchesIn(dir: string, name: string): boolean {
    return this.patterns.some((p) => p.dir === dir && p.matches(name));
  }

  /**
   * Matching regular files, by identity; `complete` is false when something could not be looked
   * at (then absent files are no proof of a rotation). What cannot be followed is reported.
   */
  async list(guard: FileGuard, problems: FileProblems): Promise<{ found: Map<string, Found>; complete: boolean }> {
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
          const problem = problemOf(err);
          if (problem !== 'gone') {
            complete = false;
            problems.report(p.dir, problem, (err as Error).message);
          }
          continue; // not there yet: waited for
        }
      }
      for (const name of names) {
        if (!p.matches(name)) continue;
        const full = path.join(p.dir, name);
        const seen = await guard.inspect(full);
        if ('problem' in seen) {
          // Missing: not there yet (or vanished between readdir and lstat), waited for.
          if (seen.problem === 'gone') continue;
          if (seen.problem === 'permission_denied' || seen.problem === 'io_error') complete = false;
          problems.report(full, seen.problem, seen.err);
          continue;
        }
        found.set(identityKey(seen.st), { path: full, st: seen.st, link: seen.link });
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
        (name, event) => this.onEvent(p.dir, name, event),
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
