// The probes collector in the running exporter, over real HTTP: the blackbox_exporter-style metrics of
// probes of every type against real servers, a hanging target that never delays /metrics, a reload that
// changes the probes, and nothing at all on /metrics when no probe is configured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { probesCollector, ProbesCollector } from '../../src/collectors/probes/index.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { Exporter } from '../../src/exporter/exporter.js';
import { samples } from '../host/helpers.js';
import { get } from '../server/http-get.js';
import { startServers, type Servers } from './servers.js';

let s: Servers;
const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-probes-'));
beforeAll(async () => {
  s = await startServers();
});
afterAll(async () => {
  await s?.close();
  rmSync(tmp, { recursive: true, force: true });
});

let exporter: Exporter | undefined;
afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});

let n = 0;
async function startExporter(yaml: string, logs: string[] = []): Promise<{ port: number; configFile: string }> {
  const configFile = join(tmp, `hostwatch-${n++}.yml`);
  writeFileSync(configFile, yaml);
  exporter = new Exporter({
    configFile,
    listenAddress: '127.0.0.1:0',
    telemetryPath: '/metrics',
    stateDir: join(tmp, 'state'),
    collectors: [probesCollector],
    logger: createLogger({ level: 'info', write: (l) => logs.push(l) }),
  });
  await exporter.start();
  return { port: exporter.address.port, configFile };
}

/** Scrapes until `done` holds for the samples (the probes run in the background). */
async function scrapeUntil(port: number, done: (m: Map<string, number>) => boolean): Promise<{ body: string; m: Map<string, number> }> {
  for (let i = 0; ; i++) {
    const { body } = await get(port, '/metrics');
    const m = samples(body);
    if (done(m) || i === 200) return { body, m };
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('probes in the running exporter', () => {
  it('exposes success, phases, status code, certificate expiry, DNS answers and failure reasons', async () => {
    const logs: string[] = [];
    const { port } = await startExporter(
      `probes:
  targets:
    - { name: web, type: http, target: "http://127.0.0.1:${s.http}/ok", interval: 1s }
    - name: secure
      type: http
      target: "https://localhost:${s.https}/ok"
      interval: 1s
      http: { tls_config: { ca_file: ${JSON.stringify(s.selfSigned.cert)} } }
    - { name: broken, type: http, target: "http://127.0.0.1:${s.http}/status?code=500", interval: 1s }
    - { name: db, type: tcp, target: "127.0.0.1:${s.tcp}", interval: 1s, tcp: { query_response: [{ expect: "^220" }] } }
    - { name: resolver, type: dns, target: "127.0.0.1:${s.dns}", interval: 1s, dns: { query_name: www.example.test } }
    - { name: gateway, type: icmp, target: 127.0.0.1, interval: 1s }
`,
      logs,
    );
    const names = ['web', 'secure', 'broken', 'db', 'resolver', 'gateway'];
    const { m, body } = await scrapeUntil(port, (m) =>
      names.every((p) => [...m.keys()].some((k) => k.startsWith(`hostwatch_probe_success{probe="${p}"`))),
    );
    expect(m.get('hostwatch_probe_success{probe="web",type="http"}')).toBe(1);
    expect(m.get('hostwatch_probe_success{probe="secure",type="http"}')).toBe(1);
    expect(m.get('hostwatch_probe_success{probe="broken",type="http"}')).toBe(0);
    expect(m.get('hostwatch_probe_success{probe="db",type="tcp"}')).toBe(1);
    expect(m.get('hostwatch_probe_success{probe="resolver",type="dns"}')).toBe(1);
    expect(m.get('hostwatch_probe_success{probe="gateway",type="icmp"}')).toBe(1);
    expect(m.get('hostwatch_probe_http_status_code{probe="web"}')).toBe(200);
    expect(m.get('hostwatch_probe_http_status_code{probe="broken"}')).toBe(500);
    expect(m.get('hostwatch_probe_failure_reason{probe="broken",reason="status_code"}')).toBe(1);
    expect([...m.keys()].filter((k) => k.startsWith('hostwatch_probe_failure_reason{'))).toEqual([
      'hostwatch_probe_failure_reason{probe="broken",reason="status_code"}',
    ]);
    expect(m.get('hostwatch_probe_ssl_earliest_cert_expiry{probe="secure"}')).toBeGreaterThan(Date.now() / 1000);
    expect(m.has('hostwatch_probe_ssl_earliest_cert_expiry{probe="web"}')).toBe(false);
    expect(m.get('hostwatch_probe_dns_answer_rrs{probe="resolver"}')).toBe(2);
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer'])
      expect(m.get(`hostwatch_probe_duration_seconds{probe="secure",phase="${phase}"}`)).toBeGreaterThanOrEqual(0);
    expect(m.has('hostwatch_probe_duration_seconds{probe="web",phase="tls"}')).toBe(false);
    expect(m.get('hostwatch_probe_ip_protocol{probe="gateway"}')).toBe(4);
    // The histogram counts the successful probes only.
    expect(m.get('hostwatch_probe_total_duration_seconds_count{probe="web"}')).toBeGreaterThanOrEqual(1);
    expect(m.has('hostwatch_probe_total_duration_seconds_count{probe="broken"}')).toBe(false);
    expect(body).toContain('# TYPE hostwatch_probe_total_duration_seconds histogram');
    expect(m.get('hostwatch_collector_success{collector="probes"}')).toBe(1);
    // The failure is logged once, not at every run.
    const brokenLogs = () => logs.filter((l) => l.includes('probe failed') && l.includes('probe=broken'));
    expect(brokenLogs()).toHaveLength(1);
    expect(brokenLogs()[0]).toContain('reason=status_code');
    const count = m.get('hostwatch_probe_total_duration_seconds_count{probe="web"}')!;
    await scrapeUntil(port, (m) => m.get('hostwatch_probe_total_duration_seconds_count{probe="web"}')! > count);
    expect(brokenLogs()).toHaveLength(1);
  });

  it('a target that hangs never delays /metrics: the scrape returns while the probe is still in flight', async () => {
    const { port } = await startExporter(
      `probes:
  targets:
    - { name: hung, type: tcp, target: "127.0.0.1:${s.backlogged}", interval: 1m, timeout: 50s }
    - { name: quick, type: http, target: "http://127.0.0.1:${s.http}/ok", interval: 1m }
`,
    );
    const { m } = await scrapeUntil(port, (m) => m.has('hostwatch_probe_success{probe="quick",type="http"}'));
    expect(m.get('hostwatch_probe_success{probe="quick",type="http"}')).toBe(1);
    // The hung probe (first in the list: it starts first) is still connecting and has no result.
    expect(m.has('hostwatch_probe_success{probe="hung",type="tcp"}')).toBe(false);
    expect(m.get('hostwatch_collector_success{collector="probes"}')).toBe(1);
    // And shutdown does not wait for the hung probe's timeout.
    const stopping = Date.now();
    await exporter!.stop();
    exporter = undefined;
    expect(Date.now() - stopping).toBeLessThan(20_000);
  });

  it('a reload replaces the probes', async () => {
    const { port, configFile } = await startExporter(
      `probes:\n  targets:\n    - { name: one, type: tcp, target: "127.0.0.1:${s.tcp}", interval: 1s }\n`,
    );
    await scrapeUntil(port, (m) => m.has('hostwatch_probe_success{probe="one",type="tcp"}'));
    writeFileSync(configFile, `probes:\n  targets:\n    - { name: two, type: tcp, target: "127.0.0.1:${s.closed}", interval: 1s }\n`);
    await exporter!.reload();
    const { m } = await scrapeUntil(port, (m) => m.has('hostwatch_probe_success{probe="two",type="tcp"}'));
    expect(m.get('hostwatch_probe_success{probe="two",type="tcp"}')).toBe(0);
    expect(m.get('hostwatch_probe_failure_reason{probe="two",reason="connect"}')).toBe(1);
    expect(m.has('hostwatch_probe_success{probe="one",type="tcp"}')).toBe(false);
  });
});

describe('probes collector without probes', () => {
  it('registers nothing: not even HELP lines on every scrape', async () => {
    const registry = new Registry();
    const c = new ProbesCollector({ config: parseConfig({}), registry, stateDir: tmp, logger: silentLogger, clock: new ManualClock() });
    await c.start();
    await c.update();
    expect((await registry.metrics()).trim()).toBe('');
    await c.stop();
  });
});
