// The fim collector: file integrity monitoring of the roots in `fim:` (src/fim/). Scans run in the
// background (the first one right after start, then every scan_interval); a scrape only renders
// the last results and checks, with one stat per root, whether `hostwatch fim accept` replaced
// a baseline. File names never become labels: they go to <stateDir>/fim/changes.jsonl.
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import { CHANGE_KINDS, ERROR_REASONS } from '../../fim/record.js';
import { RootMonitor, type RootSettings } from '../../fim/monitor.js';
import { RealtimeWatcher } from '../../fim/realtime.js';
import { ChangeJournal } from '../../fim/journal.js';
import { journalPath } from '../../fim/store.js';
import { readPseudoMounts } from '../../fim/pseudo-fs.js';
import type { ScanHooks } from '../../fim/scan.js';
import type { FimConfig } from '../../config/schema.js';

export function rootSettings(fim: FimConfig): RootSettings[] {
  return fim.roots.map((r) => ({
    path: r.path,
    include: r.include,
    exclude: r.exclude,
    critical: r.critical,
    maxFileSize: fim.max_file_size,
    followSymlinks: fim.follow_symlinks,
    hashConcurrency: fim.hash_concurrency,
  }));
}

export class FimCollector implements Collector {
  readonly monitors: RootMonitor[] = [];
  readonly watchers: RealtimeWatcher[] = [];
  private timer: unknown;
  private stopped = false;
  /** Resolves once every root's realtime watcher is set up or has fallen back (tests). */
  realtimeReady: Promise<void> = Promise.resolve();
  /** The scheduled scan in flight (tests await it through scanNow / idle). */
  private scanning: Promise<void> = Promise.resolve();
  private readonly active: boolean;

  constructor(
    private readonly ctx: CollectorContext,
    hooks?: ScanHooks,
  ) {
    const fim = ctx.config.fim;
    this.active = fim.enabled && fim.roots.length > 0;
    let pseudo: Promise<ReadonlySet<string>> | undefined;
    const pseudoMounts = () => (pseudo ??= readPseudoMounts());
    const journal = new ChangeJournal(journalPath(ctx.stateDir));
    if (this.active) {
      for (const s of rootSettings(fim)) {
        this.monitors.push(
          new RootMonitor(s, { stateDir: ctx.stateDir, logger: ctx.logger, clock: ctx.clock, journal, pseudoMounts, hooks }),
        );
      }
    }
    const reg = ctx.registry;
    const loaded = () => this.monitors.filter((m) => m.loaded);
    const perRoot = (fn: (m: RootMonitor) => Sample[]) => () => loaded().flatMap(fn);
    defineMetric(reg, {
      name: 'hostwatch_fim_root_info',
      help: 'A watched FIM root (1); critical="true" for roots whose changes page. Join on root.',
      type: 'gauge',
      labelNames: ['root', 'critical'],
      samples: () => this.monitors.map((m) => ({ labels: { root: m.root, critical: String(m.settings.critical) }, value: 1 })),
    });
    defineMetric(reg, {
      name: 'hostwatch_fim_files',
      help: 'Entries (files, directories, links) recorded under the root by the last scan.',
      type: 'gauge',
      labelNames: ['root'],
      samples: perRoot((m) => (m.lastScan || m.current.size ? [{ labels: { root: m.root }, value: m.current.size }] : [])),
    });
    defineMetric(reg, {
      name: 'hostwatch_fim_changes_total',
      help: 'Changes detected by scans (each time a file is seen to change; persisted across restarts).',
      type: 'counter',
      labelNames: ['root', 'change'],
      samples: perRoot((m) => CHANGE_KINDS.map((k) => ({ labels: { root: m.root, change: k }, value: m.changesTotal[k] }))),
    });
    defineMetric(reg, {
      name: 'hostwatch_fim_changed_files',
      help: 'Files that differ from the accepted baseline, by kind of change (until `hostwatch fim accept`).',
      type: 'gauge',
      labelNames: ['root', 'change'],
      samples: perRoot((m) => CHANGE_KINDS.map((k) => ({ labels: { root: m.root, change: k }, value: m.changedFiles[k] }))),
    });
    defineMetric(reg, {
      name: 'hostwatch_fim_last_scan_timestamp_seconds',
      help: 'When the last full scan of the root completed.',
      type: 'gauge',
      labelNames: ['root'],
      samples: perRoot((m) => (m.lastScan ? [{ labels: { root: m.root }, value: m.lastScan.timestamp / 1000 }] : [])),
    });
    defineMetric(reg, {
      name: 'hostwatch_fim_scan_duration_seconds',
      help: 'How long the last full scan of the root took.',
      type: 'gauge',
      labelNames: ['root'],
      samples: perRoot((m) => (m.lastScan ? [{ labels: { root: m.root }, value: m.lastScan.durationMs / 1000 }] : [])),
    });
    const decided = () => this.watchers.filter((w) => w.status !== 'starting');
    defineMetric(reg, {
      name: 'hostwatch_fim_realtime_watching',
      help: 'With fim.realtime: 1 while the root is watched for changes, 0 when it is left to its scheduled scans (its tree exceeds fim.realtime_max_watches, or the watcher hit ENOSPC/EMFILE).',
      type: 'gauge',
      labelNames: ['root'],
      samples: () => decided().map((w) => ({ labels: { root: w.root }, value: w.status === 'watching' ? 1 : 0 })),
    });
    defineMetric(reg, {
      name: 'hostwatch_fim_realtime_watches',
      help: 'With fim.realtime: inotify watches (files and directories) taken for the root, counted when watching started; 0 when not watched.',
      type: 'gauge',
      labelNames: ['root'],
      samples: () => decided().map((w) => ({ labels: { root: w.root }, value: w.watches })),
    });
    defineMetric(reg, {
      name: 'hostwatch_fim_scan_errors_total',
      help: 'Entries or directories a scan could not read, by reason (permission, vanished, io, root_missing).',
      type: 'counter',
      labelNames: ['root', 'reason'],
      samples: perRoot((m) => ERROR_REASONS.map((r) => ({ labels: { root: m.root, reason: r }, value: m.errorsTotal[r] }))),
    });
  }

  async start(): Promise<void> {
    if (!this.active) return;
    // Loading the persisted state is quick and must precede the first scrape of the counters;
    // the first scan itself runs in the background.
    for (const m of this.monitors) {
      try {
        await m.load();
      } catch (err) {
        this.ctx.logger.error('cannot load the FIM state', { root: m.root, err });
      }
    }
    this.scanning = this.scanAll();
    if (this.ctx.config.fim.realtime) {
      const pseudo = await readPseudoMounts();
      for (const m of this.monitors) this.watchers.push(new RealtimeWatcher(m, this.ctx.clock, this.ctx.logger, pseudo));
      // Watches are set up in the background too (chokidar walks the tree), one root after the
      // other: each takes its share of the budget in the order of the config.
      this.realtimeReady = (async () => {
        let left = this.ctx.config.fim.realtime_max_watches;
        for (const w of this.watchers) {
          try {
            left -= await w.start(left);
          } catch (err) {
            this.ctx.logger.error('FIM realtime watch failed', { root: w.root, err });
          }
        }
      })();
    }
  }

  private async scanAll(): Promise<void> {
    for (const m of this.monitors) {
      if (this.stopped) return;
      try {
        await m.fullScan();
      } catch (err) {
        this.ctx.logger.error('FIM scan failed', { root: m.root, err });
      }
    }
    if (!this.stopped) {
      this.timer = this.ctx.clock.setTimeout(() => {
        this.timer = undefined;
        this.scanning = this.scanAll();
      }, this.ctx.config.fim.scan_interval);
    }
  }

  /** Runs a full scan of every root now (after the one in flight, if any). */
  async scanNow(): Promise<void> {
    await this.scanning;
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.scanning = this.scanAll();
    await this.scanning;
  }

  /** Resolves when the scheduled scan in flight is done. */
  idle(): Promise<void> {
    return this.scanning;
  }

  async update(): Promise<void> {
    await Promise.all(this.monitors.filter((m) => m.loaded).map((m) => m.refreshBaseline()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    await Promise.all(this.watchers.map((w) => w.stop()));
    await Promise.all(this.monitors.map((m) => m.stop()));
    await this.scanning.catch(() => {});
  }
}

export const fimCollector: CollectorDefinition = {
  name: 'fim',
  help: 'file integrity monitoring of the fim roots (baseline, scheduled and realtime scans)',
  defaultEnabled: true,
  create: (ctx) => new FimCollector(ctx),
};
