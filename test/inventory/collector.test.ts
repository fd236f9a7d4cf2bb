// The inventory collector on real files: the metrics it renders after an import, re-import when a file
// changes, a broken export keeping the previous numbers, and the whole exporter over real HTTP.
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InventoryCollector, inventoryCollector } from '../../src/collectors/inventory/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { Exporter } from '../../src/exporter/exporter.js';
import { silentLogger } from '../../src/core/log.js';
import { parseConfig } from '../../src/config/load.js';
import { get } from '../server/http-get.js';
import { FIXTURES, t } from './helpers.js';

const NOW = t('2024-05-02T12:00:00Z') * 1000;
const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-inventory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function fixtureDir(): string {
  const dir = join(tmp, `inv-${n++}`);
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

let collector: InventoryCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

function make(inventory: Record<string, unknown>, clock = new ManualClock(NOW)) {
  const registry = new Registry();
  const config = parseConfig({ inventory });
  collector = new InventoryCollector({ config, registry, stateDir: tmp, logger: silentLogger, clock });
  return { collector, registry, clock };
}

/** The value of one sample in the exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('inventory collector', () => {
  it('renders the aggregates of the last import', async () => {
    const { collector, registry } = make({ enabled: true, directory: fixtureDir() });
    await collector.check();
    await collector.update();
    const text = await registry.metrics();
    expect(sample(text, 'hostwatch_inventory_hosts{source="all",os="unknown",os_version=""}')).toBe(3);
    expect(sample(text, 'hostwatch_inventory_hosts{source="crowdstrike",os="macos",os_version="14"}')).toBe(1);
    expect(sample(text, 'hostwatch_inventory_hosts{source="qualys",os="windows_server",os_version="2012r2"}')).toBe(1);
    expect(sample(text, 'hostwatch_inventory_hosts_by_age{source="all",bucket="<7d"}')).toBe(3);
    expect(sample(text, 'hostwatch_inventory_hosts_by_age{source="all",bucket="unknown"}')).toBe(4);
    expect(sample(text, 'hostwatch_inventory_hosts_stale{source="all"}')).toBe(4);
    expect(sample(text, 'hostwatch_inventory_duplicates_total{kind="same_source"}')).toBe(2);
    expect(sample(text, 'hostwatch_inventory_duplicates_total{kind="cross_source"}')).toBe(2);
    expect(sample(text, 'hostwatch_inventory_last_import_timestamp_seconds{source="qualys"}')).toBe(NOW / 1000);
    expect(sample(text, 'hostwatch_inventory_records{source="crowdstrike"}')).toBe(8);
    expect(sample(text, 'hostwatch_inventory_import_warnings{source="qualys"}')).toBe(2);
    // Aggregates only: no label of any series holds a host name or an address.
    expect(text).not.toMatch(/web-01|10\.20\.|dc-01/);
    // Without reconcile.prometheus_url there is no comparison to show.
    expect(text).not.toMatch(/^hostwatch_inventory_hosts_not_reporting\{/m);
  });

  it('ages the hosts with the clock at scrape time, without a new import', async () => {
    const { collector, registry, clock } = make({ enabled: true, directory: fixtureDir() });
    await collector.check();
    clock.advance(7 * 86400 * 1000);
    await collector.update();
    const text = await registry.metrics();
    expect(sample(text, 'hostwatch_inventory_hosts_by_age{source="all",bucket="<7d"}')).toBe(0);
    expect(sample(text, 'hostwatch_inventory_hosts_by_age{source="all",bucket="<30d"}')).toBe(4);
  });

  it('re-imports when a file changes, and only then', async () => {
    const dir = fixtureDir();
    const { collector, registry } = make({ enabled: true, directory: dir });
    await collector.check();
    await collector.check(); // unchanged: no second import, the counter stays
    await collector.update();
    expect(sample(await registry.metrics(), 'hostwatch_inventory_duplicates_total{kind="cross_source"}')).toBe(2);
    appendFileSync(
      join(dir, 'qualys-ui.csv'),
      '"10.50.0.22","nas-01.hq.example.net","NAS-01","DNS","Debian GNU/Linux 10","04/30/2024 at 10:00:00 (GMT+0000)","","HQ","3300103"\n',
    );
    await collector.check();
    await collector.update();
    const text = await registry.metrics();
    expect(sample(text, 'hostwatch_inventory_hosts{source="all",os="debian",os_version="10"}')).toBe(1);
    expect(sample(text, 'hostwatch_inventory_duplicates_total{kind="cross_source"}')).toBe(4);
  });

  it('gives no import timestamp to a source without files', async () => {
    const dir = fixtureDir();
    for (const f of ['crowdstrike-devices.json']) rmSync(join(dir, f));
    const { collector, registry } = make({ enabled: true, directory: dir });
    await collector.check();
    await collector.update();
    const text = await registry.metrics();
    expect(sample(text, 'hostwatch_inventory_last_import_timestamp_seconds{source="qualys"}')).toBe(NOW / 1000);
    expect(sample(text, 'hostwatch_inventory_last_import_timestamp_seconds{source="crowdstrike"}')).toBeUndefined();
    expect(sample(text, 'hostwatch_inventory_hosts_stale{source="crowdstrike"}')).toBe(0);
  });

  it('keeps the previous numbers when an export is broken, and counts the error', async () => {
    const dir = fixtureDir();
    const { collector, registry } = make({ enabled: true, directory: dir });
    await collector.check();
    writeFileSync(join(dir, 'qualys-host-list-2.xml'), '<HOST_LIST_OUTPUT><RESPONSE><HOST_LIST><HOST><ID>1194026</ID>');
    utimesSync(join(dir, 'qualys-host-list-2.xml'), new Date(), new Date(Date.now() + 5000));
    await collector.check();
    await collector.update();
    const text = await registry.metrics();
    expect(sample(text, 'hostwatch_inventory_import_errors_total{source="qualys"}')).toBe(1);
    expect(sample(text, 'hostwatch_inventory_hosts{source="all",os="centos",os_version="7"}')).toBe(1);
    expect(sample(text, 'hostwatch_inventory_records{source="qualys"}')).toBe(13);
  });

  it('adds nothing to the scrape when inventory.enabled is false (the default), not even HELP lines', async () => {
    const { collector, registry } = make({ directory: fixtureDir() });
    await collector.start();
    await collector.check();
    await collector.update();
    expect((await registry.metrics()).trim()).toBe('');
  });
});

describe('inventory collector in the running exporter', () => {
  let exporter: Exporter | undefined;
  afterEach(async () => {
    await exporter?.stop();
    exporter = undefined;
  });

  it('imports at start and serves the aggregates on /metrics', async () => {
    const dir = fixtureDir();
    const configFile = join(dir, 'hostwatch.yml');
    writeFileSync(configFile, `inventory:\n  enabled: true\n  directory: ${JSON.stringify(dir)}\n  check_interval: 1h\n`);
    exporter = new Exporter({
      configFile,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      stateDir: join(dir, 'state'),
      collectors: [inventoryCollector],
      logger: silentLogger,
    });
    await exporter.start();
    let body = '';
    for (let i = 0; i < 100 && !body.includes('hostwatch_inventory_hosts{'); i++) {
      body = (await get(exporter.address.port, '/metrics')).body;
      if (!body.includes('hostwatch_inventory_hosts{')) await new Promise((r) => setTimeout(r, 50));
    }
    expect(sample(body, 'hostwatch_inventory_hosts{source="all",os="windows",os_version="10"}')).toBe(2);
    expect(sample(body, 'hostwatch_collector_success{collector="inventory"}')).toBe(1);
  });
});
