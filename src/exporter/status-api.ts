// The document of GET /api/v1/status (docs/api.md). Cheap by construction: it reads what the
// collectors already hold (the samples of their registered metrics, as the last scrape or background
// work left them) and the runner's record of the last scrape; it scans nothing and reads no file.
import type { Registry } from 'prom-client';
import { VERSION, REVISION } from '../core/version.js';
import type { Runner } from './runner.js';
import type { RemediationEngine, Decision } from '../remediation/engine.js';

type Samples = { labels: Record<string, string | number>; value: number }[];

async function samples(registry: Registry | undefined, name: string): Promise<Samples> {
  const m = registry?.getSingleMetric(name);
  if (!m) return [];
  const got = (await m.get()) as { values: Samples };
  return got.values;
}

const iso = (ms: number | undefined | null) => (ms === undefined || ms === null ? null : new Date(ms).toISOString());

/** Per-label-value figures of several metrics: label value -> metric -> value. */
async function byLabel(registry: Registry | undefined, label: string, names: string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const name of names) {
    for (const s of await samples(registry, name)) {
      const key = String(s.labels[label]);
      const rec = out.get(key) ?? {};
      rec[name] = (rec[name] ?? 0) + s.value;
      out.set(key, rec);
    }
  }
  return out;
}

export interface StatusInputs {
  runner: Runner;
  /** Names of every collector hostwatch has, enabled or not. */
  available: string[];
  startedAt: number;
  engine: RemediationEngine;
  actions: () => string[];
  recentRuns?: number;
}

export async function buildStatus(inp: StatusInputs) {
  const running = new Map(inp.runner.running.map((c) => [c.name, c]));
  const collectors = inp.available.map((name) => {
    const r = inp.runner.lastResults.get(name);
    return {
      name,
      enabled: running.has(name),
      last_scrape_success: r ? r.ok : null,
      last_success: iso(r?.lastSuccessAt),
      last_duration_seconds: r ? r.seconds : null,
    };
  });

  const logsReg = running.get('logs')?.registry;
  const logFigures = await byLabel(logsReg, 'log', [
    'hostwatch_log_files_watched',
    'hostwatch_log_bytes_read_total',
    'hostwatch_log_pending_bytes',
    'hostwatch_log_last_line_timestamp_seconds',
    'hostwatch_log_source_up',
  ]);
  const logs = [...logFigures].map(([name, f]) => ({
    name,
    up: f.hostwatch_log_source_up === undefined ? null : f.hostwatch_log_source_up === 1,
    files: f.hostwatch_log_files_watched ?? 0,
    offset_bytes: f.hostwatch_log_bytes_read_total ?? 0,
    lag_bytes: f.hostwatch_log_pending_bytes ?? 0,
    last_line_time: iso(
      f.hostwatch_log_last_line_timestamp_seconds === undefined ? null : f.hostwatch_log_last_line_timestamp_seconds * 1000,
    ),
  }));

  const fimReg = running.get('fim')?.registry;
  const lastScan = await byLabel(fimReg, 'root', ['hostwatch_fim_last_scan_timestamp_seconds']);
  const changed = new Map<string, Record<string, number>>();
  for (const s of await samples(fimReg, 'hostwatch_fim_changed_files')) {
    const root = String(s.labels.root);
    changed.set(root, { ...changed.get(root), [String(s.labels.change)]: s.value });
  }
  const fim = {
    enabled: fimReg !== undefined && changed.size > 0,
    roots: [...changed].map(([root, byKind]) => {
      const t = lastScan.get(root)?.hostwatch_fim_last_scan_timestamp_seconds;
      return { root, last_scan: iso(t === undefined ? null : t * 1000), changed_files: byKind };
    }),
  };

  const recent: Decision[] = inp.engine.recent.slice(-(inp.recentRuns ?? 20)).reverse();
  return {
    version: VERSION,
    revision: REVISION,
    uptime_seconds: Math.round((Date.now() - inp.startedAt) / 100) / 10,
    collectors,
    logs,
    fim,
    remediation: { actions: inp.actions(), audit_log: inp.engine.auditFile, recent },
  };
}

export type StatusDocument = Awaited<ReturnType<typeof buildStatus>>;
