// inventory: fleet aggregates of asset inventory exports (Qualys, CrowdStrike Falcon), never a series per
// host. Imports run in the background when a file of the directory changes (checked every
// check_interval); a scrape renders the last successful import, with age buckets and staleness computed
// against the clock at scrape time. A failed import keeps the previous numbers and counts an error.
// The parsers are imported only when `inventory.enabled` is true.
import { Counter, Gauge } from 'prom-client';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { ageBuckets, ALL, staleHosts } from '../../inventory/aggregate.js';
import type { InventoryConfig } from '../../inventory/config.js';
import type { ImportResult } from '../../inventory/import.js';
import type { ReportingHosts } from '../../inventory/reconcile.js';

type ImportModule = typeof import('../../inventory/import.js');
type ReconcileModule = typeof import('../../inventory/reconcile.js');

class InventoryMetrics {
  readonly hosts: Gauge<'source' | 'os' | 'os_version'>;
  readonly byAge: Gauge<'source' | 'bucket'>;
  readonly stale: Gauge<'source'>;
  readonly duplicates: Counter<'kind'>;
  readonly lastImport: Gauge<'source'>;
  readonly records: Gauge<'source'>;
  readonly unparsed: Gauge<'source'>;
  readonly warnings: Gauge<'source'>;
  readonly dropped: Gauge;
  readonly importErrors: Counter<'source'>;
  readonly notReporting: Gauge<'source'>;
  readonly reconcileSuccess: Gauge;

  constructor(ctx: CollectorContext) {
    const registers = [ctx.registry];
    this.hosts = new Gauge({
      name: 'hostwatch_inventory_hosts',
      help: 'Hosts in the asset inventory by OS id and version (os-release style; "__other__" past max_os_values). source="all" is the de-duplicated fleet: never sum over source.',
      labelNames: ['source', 'os', 'os_version'],
      registers,
    });
    this.byAge = new Gauge({
      name: 'hostwatch_inventory_hosts_by_age',
      help: 'Inventory hosts by time since first seen: bucket <7d, <30d, <90d, older (exclusive), or unknown.',
      labelNames: ['source', 'bucket'],
      registers,
    });
    this.stale = new Gauge({
      name: 'hostwatch_inventory_hosts_stale',
      help: 'Inventory hosts last seen (scanned, checked in) longer ago than stale_after, or never.',
      labelNames: ['source'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'hostwatch_inventory_duplicates_total',
      help: 'Inventory records merged into a host already seen in the same import: kind="same_source" (reported twice by one tool) or "cross_source" (by another tool); counted at every import.',
      labelNames: ['kind'],
      registers,
    });
    this.lastImport = new Gauge({
      name: 'hostwatch_inventory_last_import_timestamp_seconds',
      help: 'When the files of the source were last imported successfully.',
      labelNames: ['source'],
      registers,
    });
    this.records = new Gauge({
      name: 'hostwatch_inventory_records',
      help: 'Host records read from the source in the last import.',
      labelNames: ['source'],
      registers,
    });
    this.unparsed = new Gauge({
      name: 'hostwatch_inventory_unparsed_records',
      help: 'Entries of the source skipped in the last import (no id, name, MAC or address to tell the host by).',
      labelNames: ['source'],
      registers,
    });
    this.warnings = new Gauge({
      name: 'hostwatch_inventory_import_warnings',
      help: 'Warnings the exports of the source carried in the last import (a list cut at the API truncation limit, API errors).',
      labelNames: ['source'],
      registers,
    });
    this.dropped = new Gauge({
      name: 'hostwatch_inventory_dropped_hosts',
      help: 'Hosts not counted in the last import because max_hosts was reached.',
      registers,
    });
    this.importErrors = new Counter({
      name: 'hostwatch_inventory_import_errors_total',
      help: 'Imports that failed on a file of the source (unreadable, not the configured format, truncated); the previous numbers are kept.',
      labelNames: ['source'],
      registers,
    });
    this.notReporting = new Gauge({
      name: 'hostwatch_inventory_hosts_not_reporting',
      help: 'Inventory hosts that match no host scraped by Prometheus (reconcile.query, joined on short host name or IP); only with reconcile.prometheus_url.',
      labelNames: ['source'],
      registers,
    });
    this.reconcileSuccess = new Gauge({
      name: 'hostwatch_inventory_reconcile_success',
      help: 'Whether the last query of Prometheus for the reporting hosts succeeded; only with reconcile.prometheus_url.',
      registers,
    });
  }
}

export class InventoryCollector implements Collector {
  private readonly cfg: InventoryConfig;
  /** Registered only when enabled: a disabled collector adds nothing to the scrape (not even HELP lines). */
  private readonly m?: InventoryMetrics;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private current?: ImportResult;
  private missing?: number[];
  private reconciled?: boolean;
  private reporting?: ReportingHosts;
  private signature?: string;
  private importing?: Promise<void>;
  private readonly timers = new Map<string, unknown>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(ctx: CollectorContext) {
    this.cfg = ctx.config.inventory;
    this.clock = ctx.clock;
    this.logger = ctx.logger;
    if (this.cfg.enabled) this.m = new InventoryMetrics(ctx);
  }

  /** The last completed import (tests and the CLI read it). */
  get result(): ImportResult | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    if (!this.m) return;
    const [imports, reconcile] = await Promise.all([import('../../inventory/import.js'), import('../../inventory/reconcile.js')]);
    this.repeat('check', this.cfg.check_interval, () => this.check(imports));
    if (this.cfg.reconcile.prometheus_url !== '') this.repeat('reconcile', this.cfg.reconcile.interval, () => this.reconcile(reconcile));
  }

  /** Runs `fn` now and then every `ms` after it completes (never two at once). */
  private repeat(name: string, ms: number, fn: () => Promise<void>): void {
    const run = () => {
      if (this.stopped) return;
      void fn().finally(() => {
        if (!this.stopped) this.timers.set(name, this.clock.setTimeout(run, ms));
      });
    };
    run();
  }

  /** Checks the directory; imports when its files changed. Resolves when that import is done. */
  check(imports?: ImportModule): Promise<void> {
    const m = this.m;
    if (!m) return Promise.resolve();
    this.importing ??= (async () => {
      const mod = imports ?? (await import('../../inventory/import.js'));
      let files;
      try {
        files = await mod.listInventoryFiles(this.cfg);
      } catch (err) {
        this.logger.warn('inventory directory unreadable', { directory: this.cfg.directory, err: (err as Error).message });
        return;
      }
      const signature = mod.filesSignature(files);
      if (signature === this.signature) return;
      this.signature = signature;
      try {
        const result = await mod.importInventory(this.cfg, files, { signal: this.abort.signal, now: () => this.clock.now() });
        if (this.stopped) return;
        this.applyImport(m, result);
      } catch (err) {
        if (this.stopped) return;
        const source = err instanceof mod.InventoryImportError ? err.source : ALL;
        m.importErrors.inc({ source });
        this.logger.error('inventory import failed, keeping the previous numbers', { err: (err as Error).message });
      }
    })().finally(() => {
      this.importing = undefined;
    });
    return this.importing;
  }

  private applyImport(m: InventoryMetrics, result: ImportResult): void {
    this.current = result;
    const c = result.view.counts;
    m.duplicates.inc({ kind: 'same_source' }, c.sameSource);
    m.duplicates.inc({ kind: 'cross_source' }, c.crossSource);
    for (const s of result.sources) {
      if (s.files.length === 0)
        this.logger.warn('inventory source has no file in the directory', { source: s.source, directory: this.cfg.directory });
      for (const w of s.warnings) this.logger.warn('inventory export warning', { source: s.source, warning: w });
    }
    if (c.dropped > 0)
      this.logger.warn('inventory larger than max_hosts: hosts dropped', { dropped: c.dropped, max_hosts: this.cfg.max_hosts });
    this.logger.info('inventory imported', { hosts: result.view.views.at(-1)?.hosts, records: c.records });
    if (this.reporting) void this.countMissing();
  }

  private async countMissing(): Promise<void> {
    if (!this.current || !this.reporting) return;
    const { notReporting } = await import('../../inventory/reconcile.js');
    this.missing = notReporting(this.current.view, this.reporting);
  }

  /** Asks Prometheus which hosts report; resolves when done. */
  async reconcile(mod?: ReconcileModule): Promise<void> {
    if (!this.m || this.cfg.reconcile.prometheus_url === '') return;
    const { fetchReporting } = mod ?? (await import('../../inventory/reconcile.js'));
    try {
      this.reporting = await fetchReporting(this.cfg.reconcile, this.abort.signal);
      this.reconciled = true;
      await this.countMissing();
    } catch (err) {
      if (this.stopped) return;
      this.reconciled = false;
      this.logger.warn('inventory: querying Prometheus for the reporting hosts failed', { err: (err as Error).message });
    }
  }

  async update(): Promise<void> {
    const m = this.m;
    if (!m) return;
    for (const g of [
      m.hosts,
      m.byAge,
      m.stale,
      m.lastImport,
      m.records,
      m.unparsed,
      m.warnings,
      m.dropped,
      m.notReporting,
      m.reconcileSuccess,
    ])
      g.reset();
    if (this.reconciled !== undefined) m.reconcileSuccess.set(this.reconciled ? 1 : 0);
    const r = this.current;
    if (!r) return;
    const now = this.clock.now() / 1000;
    const staleSeconds = this.cfg.stale_after / 1000;
    r.view.views.forEach((v, i) => {
      const source = v.source;
      for (const row of v.os) m.hosts.set({ source, os: row.os, os_version: row.version }, row.hosts);
      for (const b of ageBuckets(v, now)) m.byAge.set({ source, bucket: b.bucket }, b.hosts);
      m.stale.set({ source }, staleHosts(v, now, staleSeconds));
      if (this.missing) m.notReporting.set({ source }, this.missing[i]);
    });
    for (const s of r.sources) {
      // A source without files was not imported: no timestamp, so that InventoryImportStale is not fooled.
      if (s.files.length > 0) m.lastImport.set({ source: s.source }, r.importedAt);
      m.records.set({ source: s.source }, s.records);
      m.unparsed.set({ source: s.source }, s.unparsed);
      m.warnings.set({ source: s.source }, s.warnings.length);
    }
    m.dropped.set(r.view.counts.dropped);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.abort.abort();
    await this.importing?.catch(() => {});
  }
}

export const inventoryCollector: CollectorDefinition = {
  name: 'inventory',
  help: 'fleet aggregates of asset inventory exports (Qualys XML/CSV, CrowdStrike Falcon JSON) when inventory.enabled is set',
  defaultEnabled: true,
  create: (ctx) => new InventoryCollector(ctx),
};
