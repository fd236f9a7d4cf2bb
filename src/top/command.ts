// `hostwatch top`: wires a source (log files, or a running exporter's /metrics), the interval
// counter, the high-traffic alert and the ink screen. Sources are polled once a second (log files)
// or every --scrape-interval (/metrics); the alert is evaluated once a second; the screen's figures
// are those of the last complete refresh interval.
import { readFileSync } from 'node:fs';
import { alertLine, TrafficAlert } from './alert.js';
import { LogSource } from './log-source.js';
import { MetricsSource } from './metrics-source.js';
import { IntervalCounter } from './traffic.js';

export interface TopOptions {
  log: string[];
  format: string;
  authLog: string[];
  firewallLog: string[];
  url?: string;
  username?: string;
  passwordFile?: string;
  bearerTokenFile?: string;
  caFile?: string;
  insecureSkipVerify: boolean;
  refreshMs: number;
  windowMs: number;
  threshold: number;
  scrapeIntervalMs: number;
  rows: number;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
const secret = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file, 'utf8').trim());

export async function runTop(o: TopOptions): Promise<number> {
  if (o.log.length > 0 === (o.url !== undefined))
    throw new Error("hostwatch top: give either --log FILE (repeatable) or --url URL of a running exporter's /metrics");
  // ink renders only its last frame when CI is set (is-in-ci, read when ink is imported): a terminal
  // view run in a terminal is interactive whatever the environment says.
  if (process.stdout.isTTY) for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[k];
  // Loaded here only: the exporter never imports ink or React.
  const [{ render }, { createElement }, { App, Model }] = await Promise.all([import('ink'), import('react'), import('./view.js')]);

  const now = () => Date.now();
  const counter = new IntervalCounter();
  const alert = new TrafficAlert({ windowMs: o.windowMs, threshold: o.threshold });
  const onHits = (n: number, at: number) => alert.record(n, at);
  const source = o.url
    ? new MetricsSource({
        url: o.url,
        username: o.username,
        password: secret(o.passwordFile),
        bearerToken: secret(o.bearerTokenFile),
        caFile: o.caFile,
        insecureSkipVerify: o.insecureSkipVerify,
        timeoutMs: Math.max(1000, o.scrapeIntervalMs),
        counter,
        onHits,
        now,
      })
    : new LogSource({ access: o.log, format: o.format, auth: o.authLog, firewall: o.firewallLog, counter, onHits, now });
  await source.start();

  const model = new Model({
    source: o.url ?? o.log.join(', '),
    refreshMs: o.refreshMs,
    threshold: o.threshold,
    windowMs: o.windowMs,
    average: 0,
    history: [],
    rows: o.rows,
  });

  const pollEvery = o.url ? o.scrapeIntervalMs : 1000;
  let polling = false;
  const poll = async () => {
    if (polling) return; // a slow scrape: skip this beat rather than pile up
    polling = true;
    try {
      await source.poll();
      if (model.screen.error) model.update({ error: undefined });
    } catch (err) {
      model.update({ error: (err as Error).message });
    } finally {
      polling = false;
    }
  };
  const pollTimer = setInterval(() => void poll(), pollEvery);
  const alertTimer = setInterval(() => {
    const t = now();
    const e = alert.evaluate(t);
    const average = alert.average(t);
    if (e) {
      const line = alertLine(e, stamp);
      model.update({ average, alert: { line, active: e.kind === 'raised' }, history: [...model.screen.history, line] });
    } else if (average !== model.screen.average) {
      model.update({ average });
    }
  }, 1000);
  const refreshTimer = setInterval(() => model.update({ interval: counter.take(), updatedAt: now() }), o.refreshMs);

  const app = render(createElement(App, { model }), { exitOnCtrlC: true });
  try {
    await app.waitUntilExit();
  } finally {
    clearInterval(pollTimer);
    clearInterval(alertTimer);
    clearInterval(refreshTimer);
    await source.close();
  }
  // The session's alerts stay on the terminal after the screen is gone.
  for (const line of model.screen.history) process.stdout.write(line + '\n');
  return 0;
}
