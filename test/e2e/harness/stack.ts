// One end-to-end stack: webhook server, built exporter, Alertmanager, Prometheus, in a temp directory
// on loopback ports. start() either returns a stack whose Prometheus scrapes the exporter, or stops
// whatever it had started and throws; stop() stops everything (used from afterAll, which runs also
// when tests fail).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Alertmanager, deriveAlertmanagerConfig, writeAlertmanagerConfig } from './alertmanager.js';
import { ExporterProcess, prepareExporterFiles, REPO_ROOT, type ExporterFiles } from './exporter.js';
import { generateStack, generatedAlertmanagerConfig, ruleFiles, type MixinOverrides } from './mixin.js';
import { freePorts } from './ports.js';
import { derivePrometheusConfig, Prometheus, writePrometheusFiles } from './prometheus.js';
import { waitFor } from './wait.js';
import { WebhookServer } from './webhook.js';

const run = promisify(execFile);

export const SHIPPED = {
  prometheusYml: path.join(REPO_ROOT, 'prometheus/prometheus.yml'),
  alertmanagerDir: path.join(REPO_ROOT, 'alertmanager'),
  dashboardsDir: path.join(REPO_ROOT, 'grafana/dashboards'),
};

export interface StackOptions {
  /** Mixin config overrides: shortened windows and `for:` durations for this run. */
  mixinOverrides: MixinOverrides;
  /** Keep the temp directory after stop (set E2E_KEEP=1 to look at configs, logs and TSDB). */
  keep?: boolean;
}

/** A self-signed certificate valid 30 days, so the TLS expiry metric and panels have a series. */
async function makeCertificate(dir: string): Promise<string> {
  const cert = path.join(dir, 'tls/e2e.crt');
  const key = path.join(dir, 'tls/e2e.key');
  await mkdir(path.dirname(cert), { recursive: true });
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=e2e.hostwatch.test',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return cert;
}

export class Stack {
  webhook = new WebhookServer();
  exporter?: ExporterProcess;
  alertmanager?: Alertmanager;
  prometheus?: Prometheus;
  files!: ExporterFiles;
  /** The `instance` label Prometheus gives the exporter's target (as shipped relabelling makes it). */
  instance = '';
  /** The `job` label of the exporter's target. */
  job = '';
  notifyingReceivers: string[] = [];
  private constructor(
    readonly dir: string,
    private readonly keep: boolean,
  ) {}

  static async start(opts: StackOptions): Promise<Stack> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hostwatch-e2e-'));
    const stack = new Stack(dir, opts.keep ?? process.env.E2E_KEEP === '1');
    try {
      await stack.startAll(opts);
      return stack;
    } catch (err) {
      await stack.stop();
      throw err;
    }
  }

  private async startAll(opts: StackOptions): Promise<void> {
    const [exporterPort, amPort, promPort] = await freePorts(3);
    const addrs = { exporter: `127.0.0.1:${exporterPort}`, alertmanager: `127.0.0.1:${amPort}`, prometheus: `127.0.0.1:${promPort}` };
    await this.webhook.start();

    // Generated first: a broken mixin fails fast, before any process starts.
    const generated = await generateStack(opts.mixinOverrides);
    const promConfig = derivePrometheusConfig(await readFile(SHIPPED.prometheusYml, 'utf8'), addrs);
    // The mixin generates alertmanager.yml: with the overrides, its group timers are the test's.
    const amShipped = generatedAlertmanagerConfig(generated);
    if (!amShipped) throw new Error('the mixin did not generate alertmanager/alertmanager.yml');
    const am = deriveAlertmanagerConfig(amShipped, SHIPPED.alertmanagerDir, (r) => this.webhook.url(r));
    this.notifyingReceivers = am.notifyingReceivers;

    const cert = await makeCertificate(this.dir);
    this.files = await prepareExporterFiles(
      path.join(this.dir, 'hostwatch'),
      cert,
      `http://${addrs.prometheus}`,
      `http://${addrs.exporter}/-/healthy`,
    );
    const promConfigFile = await writePrometheusFiles(path.join(this.dir, 'prometheus'), promConfig, ruleFiles(generated));
    const amConfigFile = await writeAlertmanagerConfig(path.join(this.dir, 'alertmanager'), am.text);

    // The exporter first, then Alertmanager, then Prometheus: each one's peers are up when it starts.
    this.exporter = await ExporterProcess.start(this.files, addrs.exporter);
    this.alertmanager = await Alertmanager.start({
      configFile: amConfigFile,
      dataDir: path.join(this.dir, 'alertmanager/data'),
      address: addrs.alertmanager,
    });
    this.prometheus = await Prometheus.start({
      configFile: promConfigFile,
      dataDir: path.join(this.dir, 'prometheus/data'),
      address: addrs.prometheus,
    });

    // Learn the exporter's job and instance labels from Prometheus itself (relabelling as shipped).
    const prom = this.prometheus;
    const target = await waitFor(
      async () => {
        const res = await fetch(`${prom.url}/api/v1/targets?state=active`);
        const body = (await res.json()) as {
          data: { activeTargets: { labels: Record<string, string>; scrapeUrl: string; health: string }[] };
        };
        return body.data.activeTargets.find((t) => t.scrapeUrl.includes(addrs.exporter) && t.health === 'up');
      },
      {
        what: `Prometheus scraping the exporter at ${addrs.exporter} successfully`,
        timeoutMs: 20_000,
        diagnostics: () => this.diagnostics(),
      },
    );
    this.instance = target.labels.instance;
    this.job = target.labels.job;
  }

  /** Starts the exporter again on the same address and state dir (after a kill), as systemd would. */
  async restartExporter(): Promise<ExporterProcess> {
    if (this.exporter?.proc.running) throw new Error('the exporter is still running');
    this.exporter = await ExporterProcess.start(this.files, this.exporter!.address);
    return this.exporter;
  }

  /** Everything useful when a wait times out: alerts on both sides, targets, process output. */
  async diagnostics(): Promise<string> {
    const parts: string[] = [this.webhook.summary()];
    if (this.prometheus) parts.push(await this.prometheus.alertsSummary(), await this.prometheus.targetsSummary());
    if (this.alertmanager) parts.push(await this.alertmanager.alertsSummary());
    for (const p of [this.exporter?.proc, this.alertmanager?.proc, this.prometheus?.proc]) if (p) parts.push(p.describe(8));
    return parts.join('\n');
  }

  /** Stops every process (in parallel), the webhook server, and removes the temp dir. */
  async stop(): Promise<void> {
    await Promise.all([this.prometheus?.proc.stop(), this.alertmanager?.proc.stop(), this.exporter?.proc.stop()]);
    await this.webhook.stop();
    if (this.keep) process.stderr.write(`e2e: kept ${this.dir}\n`);
    else await rm(this.dir, { recursive: true, force: true });
  }
}
