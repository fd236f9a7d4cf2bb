// The exporter under test: the BUILT one (`node dist/main.js`, as `npm run test:e2e` builds it), with a
// config pointing at log files and a FIM root in the run's temp directory.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { ManagedProcess } from './process.js';
import { httpOk, waitFor } from './wait.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUILT_MAIN = path.join(REPO_ROOT, 'dist/main.js');

/** The files the exporter's config points at. */
export interface ExporterFiles {
  dir: string;
  configFile: string;
  stateDir: string;
  accessLog: string;
  authLog: string;
  firewallLog: string;
  antivirusLog: string;
  fimRoot: string;
  /** A file under the critical FIM root, present from the start (part of the baseline). */
  fimWatchedFile: string;
  tlsCert?: string;
  /** Asset inventory exports (copies of the inventory fixtures), for the fleet dashboard. */
  inventoryDir: string;
  /** Prometheus the inventory is reconciled with (`http://host:port`). */
  prometheusUrl?: string;
  /** URL the exporter probes (its own health endpoint): the Dependencies row gets data. */
  probeUrl?: string;
}

const INVENTORY_FIXTURES = path.join(REPO_ROOT, 'test/fixtures/inventory');

/** Names of the logs in the config (the `log` label). */
export const LOG_NAMES = { access: 'e2e_access', auth: 'e2e_auth', firewall: 'e2e_firewall', antivirus: 'e2e_clamav' } as const;

/** The nginx log_format the access log is written in: with $request_time, so latency is measured. */
export const ACCESS_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';

/** Detection settings of the test config (brute force: threshold within window; port scan likewise). */
export const DETECTION = {
  bruteforceThreshold: 8,
  bruteforceWindow: '15s',
  portscanDistinctPorts: 15,
  portscanWindow: '15s',
};

/** The antivirus pattern rule (ClamAV's "FOUND" line), named as the mixin's antivirus alert expects. */
export const ANTIVIRUS_RULE = 'clamav';

/**
 * The exporter's config. Logs keep the default `start_position: end`: the files exist (empty) before
 * the first start, so nothing is skipped, and after a restart only the checkpoint can bring back
 * the lines written while the exporter was down (scenario 5b).
 */
export function exporterConfig(f: ExporterFiles): Record<string, unknown> {
  return {
    host: {
      // No reboot-required file here: the metric reads 0, deterministically.
      reboot_required_file: path.join(f.dir, 'reboot-required'),
      tls: { cert_files: f.tlsCert ? [f.tlsCert] : [] },
    },
    logs: [
      { name: LOG_NAMES.access, type: 'access', path: f.accessLog, format: ACCESS_FORMAT, poll_interval: '250ms' },
      {
        name: LOG_NAMES.auth,
        type: 'auth',
        path: f.authLog,
        poll_interval: '250ms',
        bruteforce: { threshold: DETECTION.bruteforceThreshold, window: DETECTION.bruteforceWindow },
      },
      {
        name: LOG_NAMES.firewall,
        type: 'firewall',
        path: f.firewallLog,
        poll_interval: '250ms',
        portscan: { distinct_ports: DETECTION.portscanDistinctPorts, window: DETECTION.portscanWindow },
      },
      {
        name: LOG_NAMES.antivirus,
        type: 'pattern',
        path: f.antivirusLog,
        poll_interval: '250ms',
        rules: [{ name: ANTIVIRUS_RULE, regex: '(?<signature>[^\\s:]+) FOUND$', labels: ['signature'] }],
      },
    ],
    // The inventory fixtures, compared with what this Prometheus scrapes: the fleet dashboard has data.
    inventory: {
      enabled: true,
      directory: f.inventoryDir,
      check_interval: '1s',
      reconcile: { prometheus_url: f.prometheusUrl ?? '', interval: '2s', timeout: '1s' },
    },
    fim: {
      enabled: true,
      realtime: true,
      scan_interval: '5s',
      roots: [{ path: f.fimRoot, critical: true }],
    },
    // Probes that succeed (a failing one would fire ProbeFailing among the scenarios' alerts).
    probes: {
      targets: [
        ...(f.probeUrl ? [{ name: 'e2e_self', type: 'http', target: f.probeUrl, interval: '2s' }] : []),
        { name: 'e2e_loopback', type: 'icmp', target: '127.0.0.1', interval: '2s' },
      ],
    },
    // The security audit at once, without its costly parts (a package manager run, a search of the
    // machine's trees): the dashboard check needs its results within the run.
    audit: { first_run_delay: '0s', skip: ['UPD-SECURITY-PENDING'], suid_paths: [f.fimRoot], world_writable_paths: [f.fimRoot] },
  };
}

/** Creates the temp files (empty logs, a FIM root with a few files) and writes the config. */
export async function prepareExporterFiles(
  dir: string,
  tlsCert?: string,
  prometheusUrl?: string,
  probeUrl?: string,
): Promise<ExporterFiles> {
  await mkdir(dir, { recursive: true });
  const f: ExporterFiles = {
    dir,
    configFile: path.join(dir, 'hostwatch.yml'),
    stateDir: path.join(dir, 'state'),
    accessLog: path.join(dir, 'logs/access.log'),
    authLog: path.join(dir, 'logs/auth.log'),
    firewallLog: path.join(dir, 'logs/kern.log'),
    antivirusLog: path.join(dir, 'logs/clamav.log'),
    fimRoot: path.join(dir, 'fim-root'),
    fimWatchedFile: path.join(dir, 'fim-root/etc/sshd_config'),
    tlsCert,
    inventoryDir: path.join(dir, 'inventory'),
    prometheusUrl,
    probeUrl,
  };
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  await mkdir(f.stateDir, { recursive: true });
  await mkdir(path.dirname(f.fimWatchedFile), { recursive: true });
  await mkdir(f.inventoryDir, { recursive: true });
  for (const name of await readdir(INVENTORY_FIXTURES))
    await copyFile(path.join(INVENTORY_FIXTURES, name), path.join(f.inventoryDir, name));
  for (const log of [f.accessLog, f.authLog, f.firewallLog, f.antivirusLog]) await writeFile(log, '');
  await writeFile(f.fimWatchedFile, 'PermitRootLogin no\nPasswordAuthentication no\n');
  await writeFile(path.join(f.fimRoot, 'etc/hosts'), '127.0.0.1 localhost\n');
  await writeFile(f.configFile, YAML.stringify(exporterConfig(f), { lineWidth: 0 }));
  return f;
}

export class ExporterProcess {
  readonly url: string;
  constructor(
    readonly proc: ManagedProcess,
    readonly address: string,
  ) {
    this.url = `http://${address}`;
  }

  /** Starts `command` (default: node BUILT_MAIN; an installed `hostwatch`) on the files' config. */
  static async start(
    f: ExporterFiles,
    address: string,
    readyTimeoutMs = 30_000,
    command = [process.execPath, BUILT_MAIN],
  ): Promise<ExporterProcess> {
    if (!existsSync(command.at(-1)!)) throw new Error(`${command.at(-1)} does not exist: run \`npm run build\` (npm run test:e2e does)`);
    const proc = new ManagedProcess(
      'hostwatch',
      command[0]!,
      [
        ...command.slice(1),
        `--config.file=${f.configFile}`,
        `--web.listen-address=${address}`,
        `--state.dir=${f.stateDir}`,
        '--log.level=info',
      ],
      { cwd: f.dir },
    );
    const exp = new ExporterProcess(proc, address);
    await waitFor(() => httpOk(`${exp.url}/-/ready`).then(() => true), {
      what: `hostwatch ready on ${address}`,
      timeoutMs: readyTimeoutMs,
      diagnostics: () => proc.describe(40),
      giveUp: () => (proc.running ? undefined : 'the process exited'),
    });
    return exp;
  }

  async metrics(): Promise<string> {
    return httpOk(`${this.url}/metrics`);
  }
}
