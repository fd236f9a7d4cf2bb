// `promtool check metrics` (Debian's prometheus package) on a scrape of the real exporter, over
// real HTTP, with every host collector enabled on this machine's real /proc and /sys.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_COLLECTORS } from '../../src/collectors/host.js';
import { loadCollectors } from '../../src/collectors/index.js';
import { Exporter } from '../../src/exporter/exporter.js';
import { silentLogger } from '../../src/core/log.js';
import { FIXTURES, samples } from './helpers.js';

/** Runs promtool with the body on stdin (no shell); resolves with exit code and output. */
function promtoolCheck(body: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('error', (err) => reject(new Error(`promtool not runnable (${err.message}); install it with: apt-get install -y prometheus`)));
    p.on('close', (code) => resolve({ code: code ?? -1, output }));
    p.stdin.end(body);
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-promtool-'));
let exporter: Exporter;

beforeAll(async () => {
  const config = join(tmp, 'hostwatch.yml');
  writeFileSync(
    config,
    `host:\n  collector_timeout: 30s\n  tls:\n    cert_files:\n      - ${FIXTURES}tls/live/*/fullchain.pem\n      - ${FIXTURES}tls/not-a-cert.pem\n`,
  );
  exporter = new Exporter({
    configFile: config,
    listenAddress: '127.0.0.1:0',
    telemetryPath: '/metrics',
    stateDir: tmp,
    collectors: await loadCollectors(HOST_COLLECTORS),
    logger: silentLogger,
  });
  await exporter.start();
});

afterAll(async () => {
  await exporter?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('promtool check metrics', () => {
  it('reports no problem on a scrape with all host collectors on the real /proc', async () => {
    const res = await fetch(`http://127.0.0.1:${exporter.address.port}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    const s = samples(body);
    // The scrape is real and complete: every host collector succeeded and produced its metrics
    // (promtool accepts an empty body, so this is what makes the check meaningful).
    for (const c of HOST_COLLECTORS) expect(s.get(`hostwatch_collector_success{collector="${c.name}"}`), c.name).toBe(1);
    for (const name of [
      'hostwatch_cpu_seconds_total{cpu="0",mode="idle"}',
      'hostwatch_memory_available_bytes',
      'hostwatch_load1',
      'hostwatch_boot_time_seconds',
      'hostwatch_processes',
      'hostwatch_threads',
      'hostwatch_filefd_maximum',
      'hostwatch_uptime_seconds',
      'hostwatch_reboot_required',
    ]) {
      expect(s.has(name), name).toBe(true);
    }
    expect(body).toMatch(/^hostwatch_disk_reads_completed_total\{device="/m);
    expect(body).toMatch(/^hostwatch_filesystem_size_bytes\{device="[^"]+",mountpoint="\/[^"]*",fstype="/m);
    expect(body).toMatch(/^hostwatch_network_receive_bytes_total\{device="/m);
    expect(body).toMatch(/^hostwatch_os_info\{id="[^"]+",version_id="[^"]*",pretty_name="[^"]+",kernel="[^"]+",arch="[^"]+"\} 1$/m);
    expect(body).toMatch(/^hostwatch_tls_cert_not_after_seconds\{path="[^"]+fullchain.pem",subject="CN=example.org"/m);

    const { code, output } = await promtoolCheck(body);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('promtool does report a problem on a broken exposition (the check is live)', async () => {
    const { code, output } = await promtoolCheck('# TYPE x_total gauge\nx_total 1\n');
    expect(code).not.toBe(0);
    expect(output).toMatch(/_total/);
  });
});
