// Alertmanager: the generated config checked by amtool, routing per severity with amtool's route
// tester, the message templates rendered by amtool, and inhibition and escalation shown on a real
// Alertmanager (loopback only) with its receivers pointed at a webhook inside the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../mixin/generate.js';
import { REPO, expectOk, requireTool, run } from './tools.js';

const CONFIG = 'alertmanager/alertmanager.yml';
const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-am-'));
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of servers) s.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function routes(labels: string[], expected: string): Promise<void> {
  const r = await run('amtool', ['config', 'routes', 'test', `--config.file=${CONFIG}`, `--verify.receivers=${expected}`, ...labels]);
  expectOk(r, `amtool config routes test ${labels.join(' ')} (expected ${expected})`);
}

describe('alertmanager config', () => {
  it('amtool check-config passes (config and templates)', async () => {
    const r = await run('amtool', ['check-config', CONFIG]);
    expectOk(r, 'amtool check-config');
    expect(r.stdout).toContain('2 inhibit rules');
    expect(r.stdout).toContain('1 templates');
  });

  it('routes critical to the pager and the escalation route, warning to chat, info to none', async () => {
    await routes(['severity=critical', 'alertname=HostwatchDown', 'instance=h:10023'], 'escalation,pager');
    await routes(['severity=critical', 'alertname=CriticalFileIntegrityChanged', 'instance=h:10023', 'root=/etc'], 'escalation,pager');
    await routes(['severity=warning', 'alertname=SSHBruteForce', 'instance=h:10023'], 'chat');
    await routes(['severity=info', 'alertname=HostRebootRequired', 'instance=h:10023'], 'null');
    // An alert without a known severity still reaches a human.
    await routes(['alertname=SomethingNew', 'instance=h:10023'], 'chat');
    await routes(['severity=page', 'alertname=SomethingNew'], 'chat');
  });

  it('the route tester really verifies (a wrong expectation fails)', async () => {
    const r = await run('amtool', ['config', 'routes', 'test', `--config.file=${CONFIG}`, '--verify.receivers=chat', 'severity=critical']);
    expect(r.code).not.toBe(0);
  });

  it('templates render a firing and a resolved alert', async () => {
    const data = join(tmp, 'data.json');
    writeFileSync(
      data,
      JSON.stringify({
        receiver: 'pager',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'SSHBruteForce', instance: 'h:10023', severity: 'warning', log: 'auth' },
            annotations: {
              summary: 'Brute-force login attempts.',
              description: 'A source is making repeated failed logins.',
              runbook_url: 'https://github.com/hostwatch/hostwatch/blob/main/docs/runbook.md#sshbruteforce',
            },
            startsAt: '2026-01-02T03:04:05Z',
            endsAt: '0001-01-01T00:00:00Z',
          },
          {
            status: 'resolved',
            labels: { alertname: 'SSHBruteForce', instance: 'h:10023', severity: 'warning', log: 'auth2' },
            annotations: { summary: 'Brute-force login attempts.', description: 'Earlier.' },
            startsAt: '2026-01-02T01:00:00Z',
            endsAt: '2026-01-02T01:30:00Z',
          },
        ],
        groupLabels: { alertname: 'SSHBruteForce', instance: 'h:10023' },
        commonLabels: { alertname: 'SSHBruteForce', instance: 'h:10023', severity: 'warning' },
        commonAnnotations: {},
        externalURL: 'http://alertmanager:9093',
      }),
    );
    const r = await run('amtool', [
      'template',
      'render',
      '--template.glob=alertmanager/templates/*.tmpl',
      `--template.data=${data}`,
      '--template.text={{ template "hostwatch.title" . }}\n{{ template "hostwatch.text" . }}',
    ]);
    expectOk(r, 'amtool template render');
    expect(r.stdout).toContain('[FIRING:1] SSHBruteForce on h:10023 (warning)');
    expect(r.stdout).toContain('FIRING: Brute-force login attempts.\nA source is making repeated failed logins.');
    expect(r.stdout).toContain('Runbook: https://github.com/hostwatch/hostwatch/blob/main/docs/runbook.md#sshbruteforce');
    expect(r.stdout).toContain('RESOLVED: Brute-force login attempts.\nEarlier.');
    expect(r.stdout).toContain('resolved 2026-01-02 01:30:00 UTC');
  });
});

// ------------------------------------------------------------------------------------------------
// A real Alertmanager: inhibition and escalation behave as documented.
// ------------------------------------------------------------------------------------------------

interface Notification {
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

async function startWebhook(): Promise<{ url: string; received: Notification[] }> {
  const received: Notification[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body) as Notification);
      res.end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, received };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  log: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startAlertmanager(webhookUrl: string, timing: Record<string, string>) {
  const dir = mkdtempSync(join(tmp, 'am-'));
  const files = generate({ alertmanager: timing }, { receivers: { webhookUrl } });
  writeFileSync(join(dir, 'alertmanager.yml'), files.get(CONFIG)!);
  mkdirSync(join(dir, 'templates'));
  cpSync(join(REPO, 'alertmanager/templates'), join(dir, 'templates'), { recursive: true });
  const port = await freePort();
  const child = spawn(
    requireTool('prometheus-alertmanager'),
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'alertmanager ready',
    async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined),
    15_000,
    () => stderr,
  );
  const post = async (alerts: { labels: Record<string, string>; endsAt?: string }[]) => {
    const res = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts.map((a) => ({ ...a, annotations: { summary: 'test' } }))),
    });
    expect(res.status).toBe(200);
  };
  const alerts = async () =>
    (await (await fetch(`${base}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }[];
  return { post, alerts, log: () => stderr };
}

describe('alertmanager behaviour (real binary)', () => {
  it('HostwatchDown inhibits its instance; critical inhibits warning of the same alert and object', async () => {
    const hook = await startWebhook();
    const am = await startAlertmanager(hook.url, { groupWait: '1s', groupInterval: '1s' });
    await am.post([
      { labels: { alertname: 'HostwatchDown', instance: 'a:10023', job: 'hostwatch', severity: 'critical' } },
      { labels: { alertname: 'HostCPUHigh', instance: 'a:10023', job: 'hostwatch', severity: 'warning' } },
      { labels: { alertname: 'HostCPUHigh', instance: 'b:10023', job: 'hostwatch', severity: 'warning' } },
      { labels: { alertname: 'HostFilesystemAlmostFull', instance: 'b:10023', mountpoint: '/', severity: 'critical' } },
      { labels: { alertname: 'HostFilesystemAlmostFull', instance: 'b:10023', mountpoint: '/', severity: 'warning' } },
      { labels: { alertname: 'HostFilesystemAlmostFull', instance: 'b:10023', mountpoint: '/data', severity: 'warning' } },
    ]);
    const key = (l: Record<string, string>) => `${l.alertname} ${l.instance} ${l.mountpoint ?? ''} ${l.severity}`.replace(/ +/g, ' ');
    const states = await waitFor(
      'six alerts',
      async () => {
        const all = await am.alerts();
        return all.length === 6 ? new Map(all.map((a) => [key(a.labels), a.status.state])) : undefined;
      },
      10_000,
      am.log,
    );
    expect(Object.fromEntries(states)).toEqual({
      'HostwatchDown a:10023 critical': 'active',
      'HostCPUHigh a:10023 warning': 'suppressed',
      'HostCPUHigh b:10023 warning': 'active',
      'HostFilesystemAlmostFull b:10023 / critical': 'active',
      'HostFilesystemAlmostFull b:10023 / warning': 'suppressed',
      'HostFilesystemAlmostFull b:10023 /data warning': 'active',
    });
    // Only unsuppressed alerts are notified: the chat receiver never hears of CPU on a.
    await waitFor(
      'chat notification for b',
      () => (hook.received.some((n) => n.receiver === 'chat' && n.alerts.some((a) => a.labels.instance === 'b:10023')) ? true : undefined),
      10_000,
      am.log,
    );
    const notified = hook.received.flatMap((n) => n.alerts.map((a) => key(a.labels)));
    expect(notified).not.toContain('HostCPUHigh a:10023 warning');
    expect(notified).not.toContain('HostFilesystemAlmostFull b:10023 / warning');
  }, 30_000);

  it('escalates a critical alert only when it is still firing after escalateAfter', async () => {
    const hook = await startWebhook();
    const am = await startAlertmanager(hook.url, { groupWait: '1s', groupInterval: '1s', escalateAfter: '5s' });
    const soon = new Date(Date.now() + 2000).toISOString();
    await am.post([
      // Resolves (endsAt) after 2 s, before the 5 s escalation wait: never escalated.
      { labels: { alertname: 'CriticalFileIntegrityChanged', instance: 'a:10023', root: '/etc', severity: 'critical' }, endsAt: soon },
      // Still firing after 5 s: paged, then escalated.
      { labels: { alertname: 'HostwatchDown', instance: 'b:10023', severity: 'critical' } },
    ]);
    const escalated = await waitFor(
      'escalation notification',
      () => hook.received.find((n) => n.receiver === 'escalation'),
      15_000,
      am.log,
    );
    expect(escalated.alerts.map((a) => a.labels.alertname)).toEqual(['HostwatchDown']);
    // Give the resolved alert's group time to flush too: it must never reach the escalation receiver.
    await new Promise((r) => setTimeout(r, 2500));
    const pagerAlerts = hook.received.filter((n) => n.receiver === 'pager').flatMap((n) => n.alerts.map((a) => a.labels.alertname));
    expect(pagerAlerts).toContain('HostwatchDown');
    const escalatedAlerts = hook.received
      .filter((n) => n.receiver === 'escalation')
      .flatMap((n) => n.alerts.map((a) => a.labels.alertname));
    expect(escalatedAlerts).not.toContain('CriticalFileIntegrityChanged');
  }, 40_000);
});
