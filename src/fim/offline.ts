// FIM outside the exporter (the `hostwatch fim` commands): scan a root now and compare it with the
// accepted baseline, or accept the current state into the baseline. Both only read the exporter's
// state file (to reuse hashes of unchanged files); only accept writes, and only the baseline,
// under the state lock, so they are safe while the exporter runs: it notices the new baseline
// file at its next scrape or scan.
import path from 'node:path';
import { createPathFilter } from './glob.js';
import { describeRecord } from './record.js';
import { diffRecords, inScope, type PathChange } from './diff.js';
import { RecordSet } from './record-set.js';
import { scanTree, joinPath, type ScanProgress, type ScanResult } from './scan.js';
import { InThreadPool, WorkerPool } from './pool.js';
import { readPseudoMounts } from './pseudo-fs.js';
import { ChangeJournal } from './journal.js';
import { journalPath, readBaseline, readState, withLock, writeBaseline, type BaselineFile } from './store.js';
import type { RootSettings } from './monitor.js';

export interface RootScan {
  root: string;
  settings: RootSettings;
  baseline?: BaselineFile;
  current: RecordSet;
  scan?: ScanResult;
  /** For a report of the exporter's last state: whether there is one. */
  recorded?: boolean;
}

export interface ScanNowOptions {
  onProgress?: (root: string, p: ScanProgress) => void;
  /**
   * Worker threads for the scan: the root's hash_concurrency when absent (the exporter), none for 0:
   * the file work then runs on the calling thread (the one-shot commands by default, see pool.ts).
   */
  workers?: number;
}

/** Scans a root now, reusing hashes from the exporter's state (or the baseline) when the stat is unchanged. */
export async function scanRootNow(settings: RootSettings, stateDir: string, opts: ScanNowOptions = {}): Promise<RootScan> {
  const { onProgress } = opts;
  const root = path.resolve(settings.path);
  const baseline = await readBaseline(stateDir, root);
  const state = await readState(stateDir, root);
  const previous = state?.current ?? baseline?.entries ?? new RecordSet();
  const pool = opts.workers === 0 ? new InThreadPool() : new WorkerPool(opts.workers ?? settings.hashConcurrency);
  try {
    const scan = await scanTree({
      root,
      filter: createPathFilter(settings.include, settings.exclude),
      follow: settings.followSymlinks,
      maxFileSize: settings.maxFileSize,
      previous,
      pool,
      pseudoMounts: await readPseudoMounts(),
      onProgress: onProgress && ((p) => onProgress(root, p)),
    });
    return { root, settings, baseline, current: scan.records, scan };
  } finally {
    await pool.close();
  }
}

/** The exporter's last recorded state of a root, without scanning. */
export async function lastRecordedState(settings: RootSettings, stateDir: string): Promise<RootScan> {
  const root = path.resolve(settings.path);
  const baseline = await readBaseline(stateDir, root);
  const state = await readState(stateDir, root);
  return { root, settings, baseline, current: state?.current ?? new RecordSet(), recorded: state !== undefined };
}

export function changesOf(r: RootScan): PathChange[] {
  if (!r.baseline) return [];
  return diffRecords(r.baseline.entries, r.current).sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

/**
 * Accepts the scanned state of a root into its baseline: everything, or only the given relative
 * paths (each a file or a directory subtree). Without a baseline yet, the whole scan becomes it.
 * Returns the changes that were accepted.
 */
export async function acceptRoot(r: RootScan, stateDir: string, scopes?: string[]): Promise<{ accepted: PathChange[]; created: boolean }> {
  return withLock(stateDir, async () => {
    // Re-read under the lock: another accept may have run since the scan.
    const onDisk = await readBaseline(stateDir, r.root);
    const now = new Date().toISOString();
    let next = r.current;
    let accepted: PathChange[] = [];
    if (onDisk) {
      const all = diffRecords(onDisk.entries, r.current);
      accepted = scopes ? all.filter((c) => scopes.some((s) => inScope(c.rel, s))) : all;
      // Within each accepted scope the baseline takes what the scan found; elsewhere it stays.
      if (scopes) next = scopes.reduce((set, scope) => set.withSubtree(scope, r.current), onDisk.entries);
    }
    await writeBaseline(stateDir, {
      version: 1,
      root: r.root,
      createdAt: onDisk?.createdAt ?? now,
      acceptedAt: now,
      entries: next,
    });
    await new ChangeJournal(journalPath(stateDir)).append(
      accepted.map((c) => ({
        ts: now,
        root: r.root,
        path: joinPath(r.root, c.rel),
        change: 'accepted:' + c.kinds.join(','),
        old: describeRecord(c.old),
        new: describeRecord(c.new),
      })),
    );
    return { accepted, created: !onDisk };
  });
}
