// Alertmanager for the end-to-end stack: its config is DERIVED from the shipped alertmanager.yml as
// the mixin generates it (generate(overrides) with the test's shorter group timers and escalation
// delay, the same source of truth as the committed file). Routes, matchers, grouping, inhibition,
// global settings and templates stay as shipped; only every receiver that notifies anyone is turned
// into a webhook to the test's server (the receiver keeps its name, so the test sees which route
// delivered), and the relative template path is made absolute since the file moves.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { ManagedProcess } from './process.js';
import { httpOk, waitFor } from './wait.js';

type Obj = Record<string, unknown>;

/** Keys of a receiver that hold notifier configs (all of Alertmanager 0.25's integrations). */
const NOTIFIER_KEYS = [
  'webhook_configs',
  'email_configs',
  'slack_configs',
  'pagerduty_configs',
  'opsgenie_configs',
  'victorops_configs',
  'pushover_configs',
  'wechat_configs',
  'sns_configs',
  'telegram_configs',
  'discord_configs',
  'webex_configs',
  'msteams_configs',
];

export interface DerivedAlertmanagerConfig {
  text: string;
  /** Receivers redirected to the webhook (those with notifier configs). */
  notifyingReceivers: string[];
  /** Receivers that notify nobody as shipped (e.g. the info sink). */
  silentReceivers: string[];
}

/**
 * The shipped config with receivers posting to `webhookUrl(receiverName)`. `shippedDir` is the
 * directory of the shipped file: relative template paths are made absolute against it.
 */
export function deriveAlertmanagerConfig(
  shippedText: string,
  shippedDir: string,
  webhookUrl: (receiver: string) => string,
): DerivedAlertmanagerConfig {
  const doc = YAML.parse(shippedText) as Obj;
  const notifying: string[] = [];
  const silent: string[] = [];
  for (const r of (doc.receivers as Obj[] | undefined) ?? []) {
    const name = String(r.name);
    const hasNotifier = NOTIFIER_KEYS.some((k) => Array.isArray(r[k]) && (r[k] as unknown[]).length > 0);
    for (const k of NOTIFIER_KEYS) delete r[k];
    if (hasNotifier) {
      r.webhook_configs = [{ url: webhookUrl(name), send_resolved: true }];
      notifying.push(name);
    } else silent.push(name);
  }
  if (notifying.length === 0) throw new Error('alertmanager.yml: no receiver notifies anyone');
  if (!doc.route) throw new Error('alertmanager.yml: no route');

  if (Array.isArray(doc.templates)) {
    doc.templates = (doc.templates as string[]).map((t) => (path.isAbsolute(t) ? t : path.join(shippedDir, t)));
  }
  return { text: YAML.stringify(doc), notifyingReceivers: notifying, silentReceivers: silent };
}

export async function writeAlertmanagerConfig(dir: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'alertmanager.yml');
  await writeFile(file, text);
  return file;
}

/** An alert as Alertmanager's /api/v2/alerts returns it. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: 'unprocessed' | 'active' | 'suppressed'; inhibitedBy: string[]; silencedBy: string[] };
  receivers: { name: string }[];
  fingerprint: string;
  startsAt: string;
  endsAt: string;
}

export class Alertmanager {
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
  }): Promise<Alertmanager> {
    const proc = new ManagedProcess('alertmanager', opts.binary ?? '/usr/bin/prometheus-alertmanager', [
      `--config.file=${opts.configFile}`,
      `--storage.path=${opts.dataDir}`,
      `--web.listen-address=${opts.address}`,
      // Empty: no gossip listener, no cluster (a lone instance on a random port).
      '--cluster.listen-address=',
      '--log.level=info',
    ]);
    const am = new Alertmanager(proc, opts.address);
    await waitFor(() => httpOk(`${am.url}/-/ready`).then(() => true), {
      what: `Alertmanager ready on ${opts.address}`,
      timeoutMs: opts.readyTimeoutMs ?? 30_000,
      diagnostics: () => proc.describe(40),
      giveUp: () => (proc.running ? undefined : 'the process exited'),
    });
    return am;
  }

  /** All alerts Alertmanager holds, including inhibited and silenced ones. */
  async alerts(): Promise<AmAlert[]> {
    const res = await fetch(`${this.url}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`alertmanager /api/v2/alerts: HTTP ${res.status}`);
    return (await res.json()) as AmAlert[];
  }

  /** Posts alerts as any client (another Prometheus, a script) would. */
  async post(
    alerts: { labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }[],
  ): Promise<void> {
    const res = await fetch(`${this.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`alertmanager POST /api/v2/alerts: HTTP ${res.status} ${await res.text()}`);
  }

  async alertsSummary(): Promise<string> {
    try {
      const lines = (await this.alerts()).map(
        (a) =>
          `  ${a.status.state}${a.status.inhibitedBy.length ? ' (inhibited)' : ''} ${a.labels.alertname} ${JSON.stringify(a.labels)} → ${a.receivers.map((r) => r.name).join(',')}`,
      );
      return `alertmanager alerts (${lines.length}):\n${lines.join('\n')}`;
    } catch (err) {
      return `alertmanager alerts: unavailable (${(err as Error).message})`;
    }
  }
}

export { httpOk };
