// The shipped Prometheus agent config (prometheus/agent/): promtool accepts it in agent mode, and a real
// Prometheus run with it in agent mode scrapes a hostwatch-shaped target and remote-writes to a second
// Prometheus (the receiver stands in for Mimir/Thanos/VictoriaMetrics), with the instance relabelled to
// the host name. Only the target list and the remote_write URL are changed for the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO, expectOk, freePort, requireTool, run } from './tools.js';

const SHIPPED = join(REPO, 'prometheus/agent/prometheus-agent.yml');
const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-agent-'));
const children: ChildProcess[] = [];
let target: http.Server | undefined;

afterAll(async () => {
  for (const c of children.reverse()) {
    if (c.exitCode === null) {
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
  }
  target?.closeAllConnections();
  target?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function query(base: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  return ((await r.json()) as { data: { result: never[] } }).data.result;
}

describe('Prometheus agent mode', () => {
  it('promtool check config --agent accepts the shipped config', async () => {
    expectOk(
      await run('promtool', ['check', 'config', '--agent', 'prometheus/agent/prometheus-agent.yml']),
      'promtool check config --agent',
    );
  });

  it('scrapes hostwatch and remote-writes to the backend', async () => {
    target = http.createServer((_, res) =>
      res.end('# TYPE hostwatch_collector_success gauge\nhostwatch_collector_success{collector="cpu"} 1\n'),
    );
    await new Promise<void>((r) => target!.listen(0, '127.0.0.1', r));
    const targetPort = (target.address() as AddressInfo).port;
    const [receiverPort, agentPort] = [await freePort(), await freePort()];

    const receiver = `http://127.0.0.1:${receiverPort}`;
    writeFileSync(join(tmp, 'receiver.yml'), 'global: {}\n');
    children.push(
      spawn(
        requireTool('prometheus'),
        [
          `--config.file=${join(tmp, 'receiver.yml')}`,
          `--storage.tsdb.path=${join(tmp, 'receiver')}`,
          `--web.listen-address=127.0.0.1:${receiverPort}`,
          '--web.enable-remote-write-receiver',
        ],
        { stdio: 'ignore' },
      ),
    );

    const config = parse(readFileSync(SHIPPED, 'utf8'));
    config.global.scrape_interval = '1s';
    config.global.scrape_timeout = '1s';
    for (const job of config.scrape_configs) delete job.scrape_interval;
    config.remote_write[0].url = `${receiver}/api/v1/write`;
    delete config.remote_write[0].basic_auth;
    config.remote_write[0].queue_config.batch_send_deadline = '1s';
    mkdirSync(join(tmp, 'agent/targets'), { recursive: true });
    writeFileSync(join(tmp, 'agent/prometheus-agent.yml'), stringify(config));
    // localhost:<port>: the relabelling must turn it into instance="localhost".
    writeFileSync(join(tmp, 'agent/targets/test.yml'), stringify([{ targets: [`localhost:${targetPort}`], labels: { team: 'test' } }]));
    children.push(
      spawn(
        requireTool('prometheus'),
        [
          '--enable-feature=agent',
          `--config.file=${join(tmp, 'agent/prometheus-agent.yml')}`,
          `--storage.agent.path=${join(tmp, 'agent/wal')}`,
          `--web.listen-address=127.0.0.1:${agentPort}`,
        ],
        { stdio: ['ignore', 'ignore', process.env.AGENT_LOG ? 'inherit' : 'ignore'] },
      ),
    );

    let result: Awaited<ReturnType<typeof query>> = [];
    for (let i = 0; i < 300 && result.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      result = await query(receiver, 'hostwatch_collector_success{job="hostwatch"}').catch(() => []);
    }
    expect(result.map((r) => r.metric)).toEqual([
      { __name__: 'hostwatch_collector_success', collector: 'cpu', instance: 'localhost', job: 'hostwatch', site: 'site-a', team: 'test' },
    ]);
    // The agent keeps no queryable storage: its query API is disabled.
    const agentQuery = await fetch(`http://127.0.0.1:${agentPort}/api/v1/query?query=up`);
    expect(agentQuery.ok).toBe(false);
  }, 60_000);
});
