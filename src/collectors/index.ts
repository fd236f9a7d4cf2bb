// The one list of collectors, like node_exporter's: adding a collector is adding an entry here (host
// collectors in host.ts). Order is the order of the scrape output.
// This module is data only: every command reads it for the --collector.<name> flags, and a
// collector's code is imported by its `load` when the exporter runs with that collector enabled, so
// `hostwatch --version` or `hostwatch audit` loads no collector. test/host/collectors.test.ts checks
// that each entry's name, help and default are those of the definition its `load` returns.
import type { CollectorDefinition, CollectorEntry } from './collector.js';
import { HOST_COLLECTORS } from './host.js';

export const COLLECTORS: CollectorEntry[] = [
  ...HOST_COLLECTORS,
  {
    name: 'textfile',
    help: 'metrics of the *.prom files in host.textfile.directory / --collector.textfile.directory (node_exporter textfile format)',
    defaultEnabled: true,
    load: async () => (await import('./textfile/index.js')).textfileCollector,
  },
  {
    name: 'logs',
    help: 'metrics derived from log files (access, auth, firewall, pattern), counted exactly once across restarts and rotations',
    defaultEnabled: true,
    load: async () => (await import('./logs/index.js')).logsCollector,
  },
  {
    name: 'fim',
    help: 'file integrity monitoring of the fim roots (baseline, scheduled and realtime scans)',
    defaultEnabled: true,
    load: async () => (await import('./fim/index.js')).fimCollector,
  },
  {
    name: 'inventory',
    help: 'fleet aggregates of asset inventory exports (Qualys XML/CSV, CrowdStrike Falcon JSON) when inventory.enabled is set',
    defaultEnabled: true,
    load: async () => (await import('./inventory/index.js')).inventoryCollector,
  },
  {
    name: 'audit',
    help: 'security posture audit in the background: checks, score and encryption status (audit:)',
    defaultEnabled: true,
    load: async () => (await import('./audit/index.js')).auditCollector,
  },
  {
    name: 'probes',
    help: 'results of the probes of dependencies (probes.targets: http, tcp, dns, icmp), run in the background',
    defaultEnabled: true,
    load: async () => (await import('./probes/index.js')).probesCollector,
  },
];

/** Imports the code of the given collectors (concurrently), in their order. */
export function loadCollectors(entries: readonly CollectorEntry[]): Promise<CollectorDefinition[]> {
  return Promise.all(entries.map((e) => e.load()));
}
