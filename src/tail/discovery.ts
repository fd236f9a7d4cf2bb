// Finding the files of a log: its configured paths and globs, the regular files that match them now
// (one listing per pattern directory, one lstat per matching name, symlinks vetted by the
// FileGuard), and one watch per directory whose
// events wake the tailer up. Events only say "look again": what changed is always found by looking,
// so a lost or coalesced event costs at most one poll interval.
import { readdir, stat } from 'node:fs/promises';
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
  /** identityKey(st). */
  key: string;
  st: BigIntStats;
  /** Reached through a symlink (allowed by the FileGuard). */
  link: boolean;
}

/** What a pass found: matching files by identity, and the paths looked at in this very pass. */
export interface FoundFiles {
  found: Map<string, Found>;
  /** Paths whose `st` is from this pass (the others are as an earlier pass saw them, see Listing). */
  fresh: Set<string>;
  /** False when something could not be looked at: then absent files are no proof of a rotation. */
  complete: boolean;
}

/**
 * What a pattern's directory held when last listed. Its names, and which file each name is,
 * change only with the directory's mtime (creations, renames, deletions); while that stays, the
 * names are not listed again and only the files the tailer asks for are looked at again: with a
 * glob matching thousands of files, an idle pass costs one stat of the directory and a bounded
 * number of files.
 */
interface Listing {
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** Wall clock (ms) when it was listed: file system times are wall clock times. */
  listedAt: number;
  /** Each matching path, and what it was found to be (null: it could not be looked at). */
  entries: Map<string, Found | null>;
  /** The same files by identity, and the paths that could not be looked at. */
  byKey: Map<string, Found>;
  problems: Set<string>;
}

/** How long a directory must have been quiet before a listing of it is trusted while unchanged. */
const QUIET_MS = 1000;
/** Files looked at concurrently by a listing. */
const LOOK_BATCH = 32;

/** A file system event in a watched directory; `name` null when the watcher could not tell. */
export type DirEvent = (dir: string, name: string | null, event: 'change' | 'rename') => void;

export class Discovery {
  readonly patterns: FilePattern[] = [];
  private readonly watchers = new Map<string, Watcher>();
  private readonly listings = new Map<FilePattern, Listing>();

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
   * The matching regular files. What cannot be followed is reported. In a directory unchanged
   * since it was last listed, only the paths of `recheck` (and those that could not be looked at)
   * are looked at again.
   */
  async list(guard: FileGuard, problems: FileProblems, recheck: ReadonlySet<string>): Promise<FoundFiles> {
    const out: FoundFiles = { found: new Map(), fresh: new Set(), complete: true };
    for (const p of this.patterns) {
      const prev = p.literal === undefined ? await this.unchanged(p) : undefined;
      let listing: Listing | undefined = prev;
      let paths: Iterable<string>;
      if (prev) {
        // As it was, but for the paths asked for and those that had a problem.
        if (out.found.size === 0) out.found = new Map(prev.byKey);
        else for (const [key, at] of prev.byKey) out.found.set(key, at);
        paths = [...recheck, ...prev.problems].filter((full) => prev.entries.has(full));
      } else if (p.literal !== undefined) {
        paths = [path.join(p.dir, p.literal)]; // a busy directory such as /var/log is not listed for one file
      } else {
        const fresh = await this.listAgain(p, problems);
        if (fresh === 'gone') continue; // not there yet: waited for
        if (!fresh) {
          out.complete = false;
          continue;
        }
        listing = fresh;
        paths = [...fresh.entries.keys()];
      }
      // Looked at LOOK_BATCH at a time: one at a time, a directory of 10,000 files takes as many
      // round trips to the thread pool, each waiting for the event loop on a busy machine.
      const all = [...paths];
      const seenAll: Awaited<ReturnType<FileGuard['inspect']>>[] = [];
      for (let i = 0; i < all.length; i += LOOK_BATCH)
        seenAll.push(...(await Promise.all(all.slice(i, i + LOOK_BATCH).map((full) => guard.inspect(full)))));
      for (let i = 0; i < all.length; i++) {
        const full = all[i];
        const seen = seenAll[i];
        const was = listing?.entries.get(full);
        if (was) {
          listing!.byKey.delete(was.key);
          out.found.delete(was.key);
        }
        if ('problem' in seen) {
          listing?.entries.set(full, null);
          listing?.problems.add(full);
          // Missing: not there yet (or vanished between readdir and lstat), waited for.
          if (seen.problem === 'gone') continue;
          if (seen.problem === 'permission_denied' || seen.problem === 'io_error') out.complete = false;
          problems.report(full, seen.problem, seen.err);
          continue;
        }
        const at: Found = { path: full, key: identityKey(seen.st), st: seen.st, link: seen.link };
        listing?.entries.set(full, at);
        listing?.problems.delete(full);
        listing?.byKey.set(at.key, at);
        out.found.set(at.key, at);
        out.fresh.add(full);
      }
    }
    return out;
  }

  /** The last listing of a glob's directory if it is still what the directory holds. */
  private async unchanged(p: FilePattern): Promise<Listing | undefined> {
    const prev = this.listings.get(p);
    if (!prev) return undefined;
    try {
      const st = await stat(p.dir, { bigint: true });
      // File system timestamps come from a coarse clock: a change within a tick of the last listing
      // could keep the same mtime. Trusted only when the directory was quiet for a while before it.
      if (prev.mtimeNs === st.mtimeNs && prev.ctimeNs === st.ctimeNs && prev.listedAt - Number(st.mtimeMs) > QUIET_MS) return prev;
      return undefined;
    } catch {
      return undefined; // listAgain() says why
    }
  }

  /** Lists a glob's directory: its matching names (looked at by the caller). */
  private async listAgain(p: FilePattern, problems: FileProblems): Promise<Listing | 'gone' | undefined> {
    try {
      const listedAt = Date.now();
      const st = await stat(p.dir, { bigint: true });
      const names = await readdir(p.dir);
      const entries = new Map<string, Found | null>();
      for (const name of names) if (p.matches(name)) entries.set(path.join(p.dir, name), null);
      const listing: Listing = { mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, listedAt, entries, byKey: new Map(), problems: new Set() };
      this.listings.set(p, listing);
      return listing;
    } catch (err) {
      this.listings.delete(p);
      const problem = problemOf(err);
      if (problem === 'gone') return 'gone';
      problems.report(p.dir, problem, (err as Error).message);
      return undefined;
    }
  }

  /** The start-up line of each path: which of the `followed` files it follows, or that it waits for them. */
  announce(followed: readonly string[], logger: Logger): void {
    for (const p of this.patterns) {
      const names = followed.filter((f) => path.dirname(f) === p.dir && p.matches(path.basename(f))).sort();
      if (names.length === 0) logger.info(`waiting for ${p.source}`);
      else if (p.literal !== undefined) logger.info(`following ${names[0]}`);
      else logger.info(`following ${p.source}`, { files: names.length, first: names.slice(0, 10).join(',') });
    }
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
