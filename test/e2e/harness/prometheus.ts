// Prometheus for the end-to-end stack: its config is DERIVED from the shipped prometheus/prometheus.yml
// (parsed, not copied by hand), with only what a test run must change: 1 s scrape and evaluation,
// and the targets pointed at the loopback ports of this run. Everything else (job names, relabelling,
// rule_files, alerting settings) is kept as shipped, so the suite tests the shipped file.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { ManagedProcess } from './process.js';
import { httpOk, waitFor } from './wait.js';

export interface PrometheusAddresses {
  exporter: string;
  alertmanager: string;
  prometheus: string;
}

export const TEST_INTERVAL = '1s';

type Obj = Record<string, unknown>;

/**
 * Maps a shipped target (e.g. `hostwatch:10023`, `alertmanager:9093`, `localhost:9090`) to this run's
 * address. An unknown target is an error: the harness must learn about it rather than drop it quietly.
 */
export function mapTarget(target: string, addrs: PrometheusAddresses): string {
  const host = target.replace(/:\d+$/, '').toLowerCase();
  if (host.includes('hostwatch')) return addrs.exporter;
  if (host.includes('alertmanager')) return addrs.alertmanager;
  if (host.includes('prometheus') || ((host === 'localhost' || host === '127.0.0.1') && target.endsWith(':9090'))) return addrs.prometheus;
  throw new Error(
    `prometheus.yml: target ${JSON.stringify(target)} is not known to the e2e harness (test/e2e/harness/prometheus.ts mapTarget)`,
  );
}

function mapStaticConfigs(staticConfigs: unknown, addrs: PrometheusAddresses): void {
  if (!Array.isArray(staticConfigs)) return;
  for (const sc of staticConfigs as Obj[]) {
    if (Array.isArray(sc.targets)) sc.targets = (sc.targets as string[]).map((t) => mapTarget(t, addrs));
  }
}

/** The shipped prometheus.yml with test intervals and this run's targets. Returns YAML text. */
export function derivePrometheusConfig(shippedText: string, addrs: PrometheusAddresses): string {
  const doc = YAML.parse(shippedText) as Obj;
  const global = ((doc.global as Obj | undefined) ??= {});
  global.scrape_interval = TEST_INTERVAL;
  global.evaluation_interval = TEST_INTERVAL;
  global.scrape_timeout = TEST_INTERVAL;

  const scrapeConfigs = (doc.scrape_configs as Obj[] | undefined) ?? [];
  if (scrapeConfigs.length === 0) throw new Error('prometheus.yml: no scrape_configs');
  for (const job of scrapeConfigs) {
    // A per-job interval would override the global test interval.
    delete job.scrape_interval;
    delete job.scrape_timeout;
    mapStaticConfigs(job.static_configs, addrs);
    if (job.file_sd_configs || job.dns_sd_configs) {
      throw new Error(`prometheus.yml: job ${String(job.job_name)} uses service discovery the e2e harness cannot redirect`);
    }
  }

  const alerting = doc.alerting as Obj | undefined;
  const ams = (alerting?.alertmanagers as Obj[] | undefined) ?? [];
  if (ams.length === 0) throw new Error('prometheus.yml: no alerting.alertmanagers');
  for (const am of ams) mapStaticConfigs(am.static_configs, addrs);
  return YAML.stringify(doc);
}

/** Writes the derived config and the generated rule files into dir (rule_files stay relative). */
export async function writePrometheusFiles(dir: string, configText: string, ruleFiles: Map<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [rel, content] of ruleFiles) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, configText);
  return configFile;
}

export class Prometheus {
  readonly url: string;
  constructor(
    readonly proc: ManagedProcess,
    readonly address: string,
  ) {
    this.url = `http://${address}`;
  }

  static async start(opts: {
    configFile: string;
    dataDir: string;
    address: string;
    binary?: string;
    readyTimeoutMs?: number;
  }): Promise<Prometheus> {
    const proc = new ManagedProcess('prometheus', opts.binary ?? '/usr/bin/prometheus', [
      `--config.file=${opts.configFile}`,
      `--storage.tsdb.path=${opts.dataDir}`,
      `--web.listen-address=${opts.address}`,
      // Resolved alerts are kept by Prometheus for 15 min by default; nothing to change. The lookback
      // delta stays at its default (5m) so that the dashboards are queried as Grafana would.
      '--log.level=info',
    ]);
    const prom = new Prometheus(proc, opts.address);
    await waitFor(() => httpOk(`${prom.url}/-/ready`).then(() => true), {
      what: `Prometheus ready on ${opts.address}`,
      timeoutMs: opts.readyTimeoutMs ?? 30_000,
      diagnostics: () => proc.describe(40),
      giveUp: () => (proc.running ? undefined : 'the process exited'),
    });
    return prom;
  }

  /** Runs an instant query; throws with Prometheus's error text when the query fails. */
  async query(expr: string): Promise<PromVectorResult> {
    const res = await fetch(`${this.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { status: string; error?: string; errorType?: string; data?: PromVectorResult };
    if (body.status !== 'success') throw new PromQueryError(expr, `${body.errorType}: ${body.error}`);
    return body.data!;
  }

  /** Runs a range query (what a Grafana graph panel sends); throws with Prometheus's error text. */
  async queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<PromVectorResult> {
    const res = await fetch(`${this.url}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        query: expr,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
        step: String(stepSeconds),
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { status: string; error?: string; errorType?: string; data?: PromVectorResult };
    if (body.status !== 'success') throw new PromQueryError(expr, `${body.errorType}: ${body.error}`);
    return body.data!;
  }

  /** Returns the value of the first sample of a vector query, or undefined when it is empty. */
  async scalar(expr: string): Promise<number | undefined> {
    const data = await this.query(expr);
    if (data.resultType === 'scalar') return Number((data.result as unknown as [number, string])[1]);
    const first = (data.result as { value: [number, string] }[])[0];
    return first ? Number(first.value[1]) : undefined;
  }

  /** The active targets' health, for diagnostics. */
  async targetsSummary(): Promise<string> {
    try {
      const res = await fetch(`${this.url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as {
        data: { activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] };
      };
      return (
        'prometheus targets:\n' +
        body.data.activeTargets.map((t) => `  ${t.labels.job} ${t.labels.instance} ${t.health} ${t.lastError}`).join('\n')
      );
    } catch (err) {
      return `prometheus targets: unavailable (${(err as Error).message})`;
    }
  }

  /** Alerts Prometheus currently holds (pending or firing), for diagnostics. */
  async alertsSummary(): Promise<string> {
    try {
      const res = await fetch(`${this.url}/api/v1/alerts`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      const lines = body.data.alerts.map((a) => `  ${a.state} ${a.labels.alertname} ${JSON.stringify(a.labels)}`);
      return `prometheus alerts (${lines.length}):\n${lines.join('\n')}`;
    } catch (err) {
      return `prometheus alerts: unavailable (${(err as Error).message})`;
    }
  }
}

export interface PromVectorResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown[];
}

export class PromQueryError extends Error {
  constructor(
    readonly expr: string,
    readonly reason: string,
  ) {
    super(`query failed: ${reason}\n  expr: ${expr}`);
  }
}
