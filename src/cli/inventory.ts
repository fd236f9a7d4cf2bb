// `hostwatch inventory report`: imports the configured inventory exports once, as the collector does,
// and prints the numbers the collector exports (hosts by source, age buckets, stale, not reporting,
// hosts by OS, duplicates) as a table or as JSON. Exit code 0, or 1 when an export cannot be read.
import { loadConfig } from '../config/load.js';
import { ageBuckets, staleHosts, type SourceView } from '../inventory/aggregate.js';
import type { InventoryConfig } from '../inventory/config.js';
import { importInventory, listInventoryFiles, type ImportResult } from '../inventory/import.js';
import { fetchReporting, notReporting } from '../inventory/reconcile.js';

export interface ReportOptions {
  configFile: string;
  output: 'table' | 'json';
  directory?: string;
  /** Epoch milliseconds the ages are computed at (default: now). */
  at?: number;
  /** Ask Prometheus for the reporting hosts (when reconcile.prometheus_url is set). */
  reconcile: boolean;
}

export interface InventoryReport {
  imported_at: string;
  sources: {
    source: string;
    hosts: number;
    by_age: Record<string, number>;
    stale: number;
    not_reporting?: number;
    records?: number;
    unparsed?: number;
    files?: string[];
    warnings?: string[];
  }[];
  os: { os: string; os_version: string; hosts: Record<string, number> }[];
  duplicates: { same_source: number; cross_source: number };
  dropped: number;
  reconcile_error?: string;
}

export function buildReport(cfg: InventoryConfig, result: ImportResult, atMs: number, missing?: number[]): InventoryReport {
  const now = atMs / 1000;
  const views = result.view.views;
  const bySource = new Map(result.sources.map((s) => [s.source, s]));
  const os = new Map<string, InventoryReport['os'][number]>();
  for (const v of views) {
    for (const row of v.os) {
      const key = `${row.os}\u0000${row.version}`;
      const entry = os.get(key) ?? { os: row.os, os_version: row.version, hosts: {} };
      entry.hosts[v.source] = row.hosts;
      os.set(key, entry);
    }
  }
  const all = (e: InventoryReport['os'][number]) => e.hosts.all ?? 0;
  return {
    imported_at: new Date(result.importedAt * 1000).toISOString(),
    sources: views.map((v: SourceView, i) => {
      const s = bySource.get(v.source);
      return {
        source: v.source,
        hosts: v.hosts,
        by_age: Object.fromEntries(ageBuckets(v, now).map((b) => [b.bucket, b.hosts])),
        stale: staleHosts(v, now, cfg.stale_after / 1000),
        ...(missing ? { not_reporting: missing[i] } : {}),
        ...(s ? { records: s.records, unparsed: s.unparsed, files: s.files, warnings: s.warnings } : {}),
      };
    }),
    os: [...os.values()].sort((a, b) => all(b) - all(a) || a.os.localeCompare(b.os) || a.os_version.localeCompare(b.os_version)),
    duplicates: { same_source: result.view.counts.sameSource, cross_source: result.view.counts.crossSource },
    dropped: result.view.counts.dropped,
  };
}

/** Text columns (the first `textColumns`) aligned left, numbers right. */
function table(rows: string[][], textColumns = 1): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c < textColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return rows.map(line).join('\n') + '\n';
}

export function formatReport(r: InventoryReport): string {
  const buckets = ['<7d', '<30d', '<90d', 'older', 'unknown'];
  const reconciled = r.sources.some((s) => s.not_reporting !== undefined);
  const head = [
    'SOURCE',
    'HOSTS',
    ...buckets.map((b) => `FIRST SEEN ${b}`),
    'STALE',
    ...(reconciled ? ['NOT REPORTING'] : []),
    'RECORDS',
    'UNPARSED',
  ];
  let out = table([
    head,
    ...r.sources.map((s) => [
      s.source,
      String(s.hosts),
      ...buckets.map((b) => String(s.by_age[b] ?? 0)),
      String(s.stale),
      ...(reconciled ? [String(s.not_reporting ?? '')] : []),
      s.records === undefined ? '' : String(s.records),
      s.unparsed === undefined ? '' : String(s.unparsed),
    ]),
  ]);
  out += `\nduplicates merged: ${r.duplicates.same_source} within a source, ${r.duplicates.cross_source} across sources; dropped (max_hosts): ${r.dropped}\n\n`;
  const names = r.sources.map((s) => s.source);
  out += table(
    [
      ['OS', 'VERSION', ...names.map((n) => n.toUpperCase())],
      ...r.os.map((o) => [o.os, o.os_version || '-', ...names.map((n) => String(o.hosts[n] ?? 0))]),
    ],
    2,
  );
  const warnings = r.sources.flatMap((s) => s.warnings ?? []);
  if (warnings.length > 0) out += `\nwarnings:\n${warnings.map((w) => `  ${w}\n`).join('')}`;
  if (r.reconcile_error) out += `\nnot reporting: unknown, ${r.reconcile_error}\n`;
  return out;
}

/** Runs the report; returns the exit code. */
export async function runInventoryReport(opts: ReportOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const config = await loadConfig(opts.configFile);
  const cfg: InventoryConfig = opts.directory ? { ...config.inventory, directory: opts.directory } : config.inventory;
  const files = await listInventoryFiles(cfg);
  if (files.length === 0)
    throw new Error(`${cfg.directory}: no file matches the configured sources (${cfg.sources.map((s) => s.files).join(', ')})`);
  const at = opts.at ?? Date.now();
  const result = await importInventory(cfg, files);
  let missing: number[] | undefined;
  let reconcileError: string | undefined;
  if (opts.reconcile && cfg.reconcile.prometheus_url !== '') {
    try {
      missing = notReporting(result.view, await fetchReporting(cfg.reconcile));
    } catch (err) {
      reconcileError = (err as Error).message;
    }
  }
  const report = buildReport(cfg, result, at, missing);
  if (reconcileError) report.reconcile_error = reconcileError;
  out.write(opts.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}
