// Alertmanager for the end-to-end stack: its config is DERIVED from the shipped
// alertmanager/alertmanager.yml. Routes, matchers, grouping, inhibition rules and templates are kept
// as shipped; only (1) every receiver that notifies anyone is turned into a webhook to the test's
// server (the receiver keeps its name, so the test sees which route delivered), and (2) the
// grouping timers are shortened so that a run takes seconds, not minutes.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { ManagedProcess } from './process.js';
import { httpOk, waitFor } from './wait.js';

type Obj = Record<string, unknown>;

export interface AlertmanagerTimers {
  group_wait: string;
  group_interval: string;
  repeat_interval: string;
}

/** Test timers: a new group is sent after 1 s, changes (including resolutions) every 2 s. */
export const TEST_TIMERS: AlertmanagerTimers = { group_wait: '1s', group_interval: '2s', repeat_interval: '1h' };

/** Keys of a receiver that hold notifier configs (all of Alertmanager 0.25's integrations). */
const NOTIFIER_KEYS = [
  'webhook_configs', 'email_configs', 'slack_configs', 'pagerduty_configs', 'opsgenie_configs',
  'victorops_configs', 'pushover_configs', 'wechat_configs', 'sns_configs', 'telegram_configs',
  'discord_configs', 'webex_configs', 'msteams_configs',
];

/** Global keys that only serve integrations the test replaced; some name secret files that do not exist here. */
const GLOBAL_SECRET_KEYS = /(_file|_password|_secret|_api_url|_api_key|_token|_auth_identity|_auth_username)$/;

function parseDurationMs(s: string): number {
  let ms = 0;
  const re = /(\d+)(ms|s|m|h|d|w|y)/g;
  const unit: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5, y: 31536e6 };
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) ms += Number(m[1]) * unit[m[2]];
  return ms;
}

/**
 * Shortens the timers of a route tree. A timer a route sets on purpose to wait long (the escalation
 * route waits 30 minutes before notifying again) is scaled down rather than flattened, so that it
 * stays longer than the ordinary ones: 30m becomes 30s with the default factor.
 */
function shortenTimers(route: Obj, timers: AlertmanagerTimers, isRoot: boolean): void {
  for (const key of ['group_wait', 'group_interval', 'repeat_interval'] as const) {
    const shipped = route[key];
    if (isRoot) route[key] = timers[key];
    else if (typeof shipped === 'string') {
      const ms = parseDurationMs(shipped);
      const test = parseDurationMs(timers[key]);
      // Ordinary values (up to 5 minutes) become the test value; longer ones are kept ordered but scaled 1/60.
      route[key] = ms <= 5 * 60_000 ? timers[key] : `${Math.max(test, Math.round(ms / 60)) }ms`;
    }
  }
  for (const child of (route.routes as Obj[] | undefined) ?? []) shortenTimers(child, timers, false);
}

export interface DerivedAlertmanagerConfig {
  text: string;
  /** Receivers redirected to the webhook (those with notifier configs). */
  notifyingReceivers: string[];
  /** Receivers that notify nobody as shipped (e.g. the info sink). */
  silentReceivers: string[];
}

/**
 * The shipped alertmanager.yml, with receivers posting to `webhookUrl(receiverName)` and test timers.
 * `shippedDir` is the directory of the shipped file: relative template paths are made absolute
 * against it (the derived file lives elsewhere).
 */
export function deriveAlertmanagerConfig(
  shippedText: string,
  shippedDir: string,
  webhookUrl: (receiver: string) => string,
  timers: AlertmanagerTimers = TEST_TIMERS,
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

  const global = doc.global as Obj | undefined;
  if (global) for (const k of Object.keys(global)) if (GLOBAL_SECRET_KEYS.test(k)) delete global[k];

  if (Array.isArray(doc.templates)) {
    doc.templates = (doc.templates as string[]).map((t) => {
      if (!path.isAbsolute(t)) return path.join(shippedDir, t);
      // A container path such as /etc/alertmanager/templates/*.tmpl: the same files live in the repo.
      return path.join(shippedDir, 'templates', path.basename(t));
    });
  }

  const route = doc.route as Obj | undefined;
  if (!route) throw new Error('alertmanager.yml: no route');
  shortenTimers(route, timers, true);
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

  static async start(opts: { configFile: string; dataDir: string; address: string; binary?: string; readyTimeoutMs?: number }): Promise<Alertmanager> {
    const proc = new ManagedProcess('alertmanager', opts.binary ?? '/usr/bin/prometheus-alertmanager', [
      `--config.file=${opts.configFile}`,
      `--storage.path=${opts.dataDir}`,
      `--web.listen-address=${opts.address}`,
      // Empty: no gossip listener, no cluster (a lone instance on a random port).
      '--cluster.listen-address=',
      '--log.level=info',
    ]);
    const am = new Alertmanager(proc, opts.address);
    await waitFor(() => (proc.running ? httpOk(`${am.url}/-/ready`).then(() => true) : Promise.reject(new Error('exited'))), {
      what: `Alertmanager ready on ${opts.address}`,
      timeoutMs: opts.readyTimeoutMs ?? 30_000,
      diagnostics: () => proc.describe(),
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
  async post(alerts: { labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }[]): Promise<void> {
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
        (a) => `  ${a.status.state}${a.status.inhibitedBy.length ? ' (inhibited)' : ''} ${a.labels.alertname} ${JSON.stringify(a.labels)} → ${a.receivers.map((r) => r.name).join(',')}`,
      );
      return `alertmanager alerts (${lines.length}):\n${lines.join('\n')}`;
    } catch (err) {
      return `alertmanager alerts: unavailable (${(err as Error).message})`;
    }
  }
}

export { httpOk };
