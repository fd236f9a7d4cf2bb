// Hosts in the inventory that Prometheus does not scrape, against a real Prometheus (Debian's binary):
// it scrapes one live target relabelled as web-01.corp.example.com and one dead target relabelled as
// dc-01, and the collector's query `up == 1` must find web-01 only.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryCollector } from '../../src/collectors/inventory/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { parseConfig } from '../../src/config/load.js';
import { fetchReporting, targetHost } from '../../src/inventory/reconcile.js';
import { freePort, requireTool } from '../stack/tools.js';
import { FIXTURES, t } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-reconcile-'));
let prometheus: ChildProcess | undefined;
let target: http.Server;
let promUrl = '';

const relabel = (instance: string) => [{ target_label: 'instance', replacement: instance }];

beforeAll(async () => {
  target = http.createServer((_, res) => res.end('# TYPE x gauge\nx 1\n'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const live = (target.address() as AddressInfo).port;
  const dead = await freePort();
  const port = await freePort();
  writeFileSync(
    join(tmp, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '500ms' },
      scrape_configs: [
        {
          job_name: 'hostwatch',
          static_configs: [{ targets: [`127.0.0.1:${live}`] }],
          relabel_configs: relabel('web-01.corp.example.com:10023'),
        },
        {
          job_name: 'hostwatch-dead',
          static_configs: [{ targets: [`127.0.0.1:${dead}`] }],
          relabel_configs: [...relabel('dc-01:10023'), { target_label: 'job', replacement: 'hostwatch' }],
        },
      ],
    }),
  );
  prometheus = spawn(
    requireTool('prometheus'),
    [`--config.file=${join(tmp, 'prometheus.yml')}`, `--storage.tsdb.path=${join(tmp, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  promUrl = `http://127.0.0.1:${port}`;
  // Until both targets have been scraped once.
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('count(up{job="hostwatch"})')}`);
      const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
      if (body.data.result[0]?.value[1] === '2') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('prometheus did not scrape both targets within 20 s');
}, 30_000);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await new Promise<void>((r) => (prometheus && prometheus.exitCode === null ? prometheus.once('exit', () => r()) : r()));
  target?.closeAllConnections();
  target?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('inventory hosts not reporting', () => {
  it('targetHost: the short name without port, or the address', () => {
    expect(targetHost('Web-01.corp.example.com:10023')).toEqual({ name: 'web-01', domain: 'corp.example.com' });
    expect(targetHost('db-01:10023')).toEqual({ name: 'db-01' });
    expect(targetHost('10.0.0.1:10023')).toEqual({ ip: '10.0.0.1' });
    expect(targetHost('[fd00::1]:10023')).toEqual({ ip: 'fd00::1' });
    expect(targetHost('fd00::1')).toEqual({ ip: 'fd00::1' });
  });

  it('asks the real Prometheus which hosts are up', async () => {
    const defaults = parseConfig({}).inventory.reconcile;
    expect(defaults.prometheus_url).toBe(''); // off unless configured
    const r = await fetchReporting({ ...defaults, prometheus_url: promUrl });
    expect(r.series).toBe(1);
    expect([...r.names.keys()]).toHaveLength(1);
  });

  it('counts the inventory hosts that match no scraped host, per source and for the fleet', async () => {
    const dir = join(tmp, 'inventory');
    cpSync(FIXTURES, dir, { recursive: true });
    const config = parseConfig({ inventory: { enabled: true, directory: dir, reconcile: { prometheus_url: promUrl } } });
    const registry = new Registry();
    const collector = new InventoryCollector({
      config,
      registry,
      stateDir: tmp,
      logger: silentLogger,
      clock: new ManualClock(t('2024-05-02T12:00:00Z') * 1000),
    });
    try {
      await collector.check();
      await collector.reconcile();
      await collector.update();
      const text = await registry.metrics();
      // web-01.corp (one host in both tools) reports; the other 16 of the 17 do not: dc-01 (its target is
      // down) and web-01.branch.example.org (same short name, another domain) among them.
      expect(text).toContain('hostwatch_inventory_hosts_not_reporting{source="all"} 16');
      expect(text).toContain('hostwatch_inventory_hosts_not_reporting{source="crowdstrike"} 6');
      expect(text).toContain('hostwatch_inventory_hosts_not_reporting{source="qualys"} 11');
      expect(text).toContain('hostwatch_inventory_reconcile_success 1');
    } finally {
      await collector.stop();
    }
  });

  it('reports a failed query (wrong URL) with reconcile_success 0 and no count', async () => {
    const config = parseConfig({
      inventory: { enabled: true, directory: FIXTURES, reconcile: { prometheus_url: `${promUrl}/nonexistent-prefix` } },
    });
    const registry = new Registry();
    const collector = new InventoryCollector({ config, registry, stateDir: tmp, logger: silentLogger, clock: new ManualClock() });
    try {
      await collector.check();
      await collector.reconcile();
      await collector.update();
      const text = await registry.metrics();
      expect(text).toContain('hostwatch_inventory_reconcile_success 0');
      expect(text).not.toMatch(/^hostwatch_inventory_hosts_not_reporting\{/m);
    } finally {
      await collector.stop();
    }
  });
});
