// The exporter side of FIM for one root: loads the persisted state, runs full scans and realtime
// subtree rescans (one at a time), turns differences into change events (counter + journal), and
// keeps "changed since the accepted baseline" current. The baseline is reloaded whenever its file
// changes on disk, which is how `hostwatch fim accept` (another process) takes effect here.
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { createPathFilter, type PathFilter } from './glob.js';
import { CHANGE_KINDS, ERROR_REASONS, describeRecord, type ChangeKind, type ErrorReason } from './record.js';
import { countChanges, diffRecords, inScope, type PathChange } from './diff.js';
import { RecordSet } from './record-set.js';
import { scanTree, joinPath, type ScanHooks, type ScanProgress, type ScanResult } from './scan.js';
import { WorkerPool } from './pool.js';
import { UnreadableLog } from './unreadable-log.js';
import type { ChangeJournal, JournalEntry } from './journal.js';
import {
  baselinePath,
  fileVersion,
  readBaseline,
  readState,
  withLock,
  writeBaseline,
  writeState,
  zeroCounts,
  type BaselineFile,
} from './store.js';

export interface RootSettings {
  path: string;
  include: string[];
  exclude: string[];
  critical: boolean;
  maxFileSize: number;
  followSymlinks: boolean;
  hashConcurrency: number;
}

export interface RootMonitorDeps {
  stateDir: string;
  logger: Logger;
  clock: Clock;
  journal: ChangeJournal;
  pseudoMounts: () => Promise<ReadonlySet<string>>;
  hooks?: ScanHooks;
}

/** Minimum time between state-file writes caused by realtime updates (full scans always write). */
const REALTIME_PERSIST_MS = 10_000;
/** Progress of a long scan is logged this often. */
const PROGRESS_LOG_MS = 30_000;

export class RootMonitor {
  readonly root: string;
  readonly filter: PathFilter;
  /** Set once the persisted state is loaded: counters are not exported before (a restart must not reset them). */
  loaded = false;
  /** The accepted baseline and the last scan: immutable sets that share the blocks of unchanged directories. */
  baseline?: RecordSet;
  current = new RecordSet();
  changesTotal = zeroCounts(CHANGE_KINDS);
  errorsTotal = zeroCounts(ERROR_REASONS);
  changedFiles = zeroCounts(CHANGE_KINDS);
  lastScan: { timestamp: number; durationMs: number } | null = null;
  /** Files hashed by the last scan (full or realtime): shows that unchanged files are not rehashed. */
  lastHashedFiles = 0;
  private baselineVersion?: string;
  private chain: Promise<unknown> = Promise.resolve();
  private reloading?: Promise<void>;
  private baselineBroken = false;
  /** Whether `current` holds a real scan (persisted or done here), even an empty one. */
  private haveCurrent = false;
  /** Whether the records differ from those last written to disk. */
  private currentDirty = false;
  /** The pool of the full scan in flight: closed on stop so that its queued work is dropped. */
  private pool?: WorkerPool;
  private persistTimer: unknown;
  private readonly signal = { aborted: false };
  private readonly unreadableLog: UnreadableLog;

  constructor(
    readonly settings: RootSettings,
    private readonly deps: RootMonitorDeps,
  ) {
    this.root = path.resolve(settings.path);
    this.filter = createPathFilter(settings.include, settings.exclude);
    this.unreadableLog = new UnreadableLog(this.root, deps.logger);
  }

  /** Runs fn after everything queued before it: scans and baseline reloads never interleave. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    // The chain keeps neither the value nor the error: it would hold the last scan's result
    // (every record of the root) for as long as the monitor lives.
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Loads the baseline and the state left by the previous run. */
  load(): Promise<void> {
    return this.exclusive(async () => {
      if (this.loaded) return;
      const state = await readState(this.deps.stateDir, this.root, (why) =>
        this.deps.logger.warn('FIM state ignored: counters restart from zero, the next scan compares with the baseline', {
          root: this.root,
          why,
        }),
      );
      if (state) {
        this.haveCurrent = true;
        this.current = state.current;
        this.changesTotal = state.changesTotal;
        this.errorsTotal = state.errorsTotal;
        this.lastScan = state.lastScan;
      }
      const legacyBaseline = await this.reloadBaseline(true);
      if (state?.legacy || legacyBaseline) await this.migrate(state?.legacy === true, legacyBaseline);
      this.loaded = true;
    });
  }

  /**
   * Rewrites state files found in the format before JSON lines, once, at load: the records are the
   * same, only their encoding changes. The baseline is rewritten under the lock and only if it is
   * still the file that was read (a `fim accept` may have replaced it meanwhile).
   */
  private async migrate(state: boolean, baseline: BaselineFile | undefined): Promise<void> {
    try {
      await withLock(this.deps.stateDir, async () => {
        const file = baselinePath(this.deps.stateDir, this.root);
        if (baseline && this.baseline && (await fileVersion(file)) === this.baselineVersion) {
          const { createdAt, acceptedAt } = baseline;
          await writeBaseline(this.deps.stateDir, { version: 1, root: this.root, createdAt, acceptedAt, entries: this.baseline });
          this.baselineVersion = await fileVersion(file);
        }
        if (state) {
          this.currentDirty = true;
          await this.persistNow();
        }
      });
      this.deps.logger.info('FIM state files rewritten as JSON lines', { root: this.root, state, baseline: baseline !== undefined });
    } catch (err) {
      // The files stay in the former format, which is still read: try again at the next start.
      this.deps.logger.warn('cannot rewrite the FIM state files as JSON lines', { root: this.root, err });
    }
  }

  /**
   * Re-reads the baseline file if another process (fim accept) replaced it. Cheap: one stat. Not
   * queued behind a running scan (a scrape calls it): the swap of the baseline is synchronous, so
   * a scan committing later simply sees the new one.
   */
  refreshBaseline(): Promise<void> {
    this.reloading ??= this.reloadBaseline(false)
      .then(() => undefined)
      .finally(() => {
        this.reloading = undefined;
      });
    return this.reloading;
  }

  /** Reads the baseline when its file changed (or `force`); returns it when it is in the former format. */
  private async reloadBaseline(force: boolean): Promise<BaselineFile | undefined> {
    const version = await fileVersion(baselinePath(this.deps.stateDir, this.root));
    if (!force && version === this.baselineVersion) return undefined;
    let legacy: BaselineFile | undefined;
    try {
      const b = await readBaseline(this.deps.stateDir, this.root);
      // Shares the blocks of directories where the current state is as accepted (memory, and a
      // diff that skips them).
      this.baseline = b?.entries.sharing(this.current);
      if (b?.legacy) legacy = b;
      this.baselineVersion = version;
      if (!force) this.deps.logger.info('FIM baseline reloaded', { root: this.root });
      this.baselineBroken = false;
    } catch (err) {
      // A corrupt baseline is never overwritten silently: report it until the operator fixes it
      // (`hostwatch fim accept` writes a new one, or the file is moved away).
      this.baselineBroken = true;
      this.errorsTotal.io++;
      this.deps.logger.error('cannot read the FIM baseline', { root: this.root, err });
      this.baselineVersion = version;
    }
    this.recountChanged();
    return legacy;
  }

  private recountChanged(): void {
    this.changedFiles = this.baseline ? countChanges(diffRecords(this.baseline, this.current)) : zeroCounts(CHANGE_KINDS);
  }

  /** What differs from the accepted baseline now. */
  changesSinceBaseline(): PathChange[] {
    return this.baseline ? diffRecords(this.baseline, this.current) : [];
  }

  private scanOptions(pool: WorkerPool, pseudoMounts: ReadonlySet<string>, previous: RecordSet) {
    return {
      root: this.root,
      filter: this.filter,
      follow: this.settings.followSymlinks,
      maxFileSize: this.settings.maxFileSize,
      previous,
      pool,
      pseudoMounts,
      hooks: this.deps.hooks,
      signal: this.signal,
    };
  }

  /** A full scan of the root; resolves when its result is committed (or discarded on stop). */
  fullScan(): Promise<ScanResult | undefined> {
    return this.exclusive(async () => {
      if (this.signal.aborted) return undefined;
      if (!this.loaded) throw new Error('FIM root not loaded');
      await this.refreshBaseline();
      const pool = (this.pool = new WorkerPool(this.settings.hashConcurrency));
      let lastLog = this.deps.clock.now();
      const onProgress = (p: ScanProgress) => {
        const now = this.deps.clock.now();
        if (now - lastLog < PROGRESS_LOG_MS) return;
        lastLog = now;
        this.deps.logger.info('FIM scan in progress', {
          root: this.root,
          entries: p.entries,
          hashed_mb: (p.hashedBytes / 1e6).toFixed(1),
          mb_per_s: (p.hashedBytes / 1e3 / Math.max(1, p.elapsedMs)).toFixed(1),
        });
      };
      let result: ScanResult;
      try {
        const previous = this.haveCurrent || !this.baseline ? this.current : this.baseline;
        result = await scanTree({ ...this.scanOptions(pool, await this.deps.pseudoMounts(), previous), onProgress });
      } finally {
        this.pool = undefined;
        await pool.close();
      }
      if (result.aborted) return undefined;
      this.lastHashedFiles = result.hashedFiles;
      await this.commit(result, '', true);
      this.deps.logger.debug('FIM scan done', {
        root: this.root,
        entries: result.records.size,
        hashed: result.hashedFiles,
        duration_ms: result.durationMs,
      });
      return result;
    });
  }

  /** Realtime: rescans only the given relative paths (files or directory subtrees). */
  rescan(rels: string[]): Promise<void> {
    return this.exclusive(async () => {
      if (this.signal.aborted || !this.loaded) return;
      await this.refreshBaseline();
      // A path below another one in the list is covered by the other's subtree scan.
      const sorted = [...new Set(rels)].sort();
      const scopes = sorted.filter((r, i) => !sorted.slice(0, i).some((s) => inScope(r, s)));
      if (scopes.length === 0) return;
      const pool = new WorkerPool(Math.min(scopes.length, this.settings.hashConcurrency || 2));
      let hashed = 0;
      try {
        const pseudo = await this.deps.pseudoMounts();
        for (const scope of scopes) {
          const result = await scanTree({ ...this.scanOptions(pool, pseudo, this.current), subtree: scope });
          if (result.aborted) return;
          hashed += result.hashedFiles;
          await this.commit(result, scope, false);
        }
      } finally {
        await pool.close();
      }
      this.lastHashedFiles = hashed;
    });
  }

  /**
   * Applies a scan result: events against the previous state (counter + journal), the new current
   * state, the first baseline when there is none, and the persisted state.
   */
  private async commit(result: ScanResult, scope: string, full: boolean): Promise<void> {
    // Events are changes against the last scan; without one (the exporter's state was lost) against
    // the baseline; the very first scan of a root has nothing to compare with.
    const next = full ? result.records : this.current.withSubtree(scope, result.records);
    // Unchanged directories keep their block objects (scan.ts), so identity tells in one pass that
    // nothing changed at all: the usual hourly rescan then skips the comparisons and the rewrite
    // of the records on disk.
    const identical = this.haveCurrent && next.sameBlocks(this.current);
    const fresh = !this.haveCurrent && !this.baseline;
    const previous = this.haveCurrent || !this.baseline ? this.current : this.baseline;
    const events = fresh || identical ? [] : diffRecords(previous, result.records, scope);
    if (!identical) this.currentDirty = true;
    this.current = next;
    this.haveCurrent = true;
    for (const e of events) for (const k of e.kinds) this.changesTotal[k]++;
    for (const r of ERROR_REASONS) this.errorsTotal[r] += result.errors[r];
    this.unreadableLog.log(result);
    const ts = new Date(this.deps.clock.now()).toISOString();
    const journal: JournalEntry[] = events.map((e) => ({
      ts,
      root: this.root,
      path: joinPath(this.root, e.rel),
      change: e.kinds.join(','),
      old: describeRecord(e.old),
      new: describeRecord(e.new),
    }));
    if (full) this.lastScan = { timestamp: this.deps.clock.now(), durationMs: result.durationMs };
    await withLock(this.deps.stateDir, async () => {
      if (!this.baseline && !this.baselineBroken) {
        // The first scan becomes the baseline, unless `fim accept` wrote one meanwhile.
        const onDisk = await readBaseline(this.deps.stateDir, this.root);
        if (onDisk) {
          this.baseline = onDisk.entries.sharing(this.current);
        } else if (full) {
          const now = new Date(this.deps.clock.now()).toISOString();
          await writeBaseline(this.deps.stateDir, {
            version: 1,
            root: this.root,
            createdAt: now,
            acceptedAt: now,
            entries: this.current,
          });
          this.baseline = this.current;
          this.deps.logger.info('FIM baseline created', { root: this.root, entries: this.current.size });
        }
        this.baselineVersion = await fileVersion(baselinePath(this.deps.stateDir, this.root));
      }
      if (journal.length) await this.deps.journal.append(journal);
      if (full) await this.persistNow();
    });
    if (!full) this.schedulePersist();
    if (!identical) this.recountChanged();
    for (const e of events.slice(0, 20)) {
      this.deps.logger.info('FIM change', { root: this.root, path: joinPath(this.root, e.rel), change: e.kinds.join(',') });
    }
    if (events.length > 20) this.deps.logger.info('FIM changes not logged', { root: this.root, more: events.length - 20 });
  }

  private async persistNow(): Promise<void> {
    if (this.persistTimer !== undefined) {
      this.deps.clock.clearTimeout(this.persistTimer);
      this.persistTimer = undefined;
    }
    const withCurrent = this.currentDirty;
    this.currentDirty = false;
    try {
      await writeState(
        this.deps.stateDir,
        {
          version: 1,
          root: this.root,
          current: this.current,
          changesTotal: this.changesTotal,
          errorsTotal: this.errorsTotal,
          lastScan: this.lastScan,
        },
        withCurrent,
      );
    } catch (err) {
      this.currentDirty ||= withCurrent;
      throw err;
    }
  }

  private schedulePersist(): void {
    if (this.persistTimer !== undefined) return;
    this.persistTimer = this.deps.clock.setTimeout(() => {
      this.persistTimer = undefined;
      void this.exclusive(() => this.persistNow()).catch((err) =>
        this.deps.logger.error('cannot write the FIM state', { root: this.root, err }),
      );
    }, REALTIME_PERSIST_MS);
  }

  /** Stops scanning (an ongoing scan is abandoned) and writes pending state. */
  async stop(): Promise<void> {
    this.signal.aborted = true;
    await this.pool?.close();
    await this.chain;
    if (this.persistTimer !== undefined && this.loaded) {
      await this.persistNow().catch((err) => this.deps.logger.error('cannot write the FIM state', { root: this.root, err }));
    }
  }

  /** Counter values for the metrics. */
  counts(): { changes: Record<ChangeKind, number>; errors: Record<ErrorReason, number> } {
    return { changes: this.changesTotal, errors: this.errorsTotal };
  }
}
