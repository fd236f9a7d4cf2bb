// The one list of collectors, like node_exporter's: adding a collector is adding a line here.
// Order is the order of the scrape output.
// logs, fim and audit are imported only when enabled (lazy.ts): their name, help and default are repeated
// here, and test/core/lazy-collectors.test.ts checks they match the modules'.
import type { CollectorDefinition } from '../core/collector.js';
import { HOST_COLLECTORS } from './host.js';
import { lazyCollector } from './lazy.js';

export const COLLECTORS: CollectorDefinition[] = [
  ...HOST_COLLECTORS,
  lazyCollector(
    {
      name: 'logs',
      help: 'metrics derived from log files (access, auth, firewall, pattern), counted exactly once across restarts and rotations',
      defaultEnabled: true,
    },
    async () => (await import('./logs/index.js')).logsCollector,
  ),
  lazyCollector(
    { name: 'fim', help: 'file integrity monitoring of the fim roots (baseline, scheduled and realtime scans)', defaultEnabled: true },
    async () => (await import('./fim/index.js')).fimCollector,
  ),
  lazyCollector(
    { name: 'audit', help: 'security posture audit in the background: checks, score and encryption status (audit:)', defaultEnabled: true },
    async () => (await import('./audit/index.js')).auditCollector,
  ),
];

export function findCollector(name: string): CollectorDefinition | undefined {
  return COLLECTORS.find((c) => c.name === name);
}
