// The "Security posture" row of the Security dashboard: the audit's score and its history, the
// failing checks with their plain-language texts (hostwatch_audit_finding_info carries them as
// labels, one series per failing check, so a table shows them without a join), and the encryption
// status of data at rest and in transit.
import * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../config.js';
import { M, row, statPanel, tablePanel, thresholds, thresholdsFrom, ts } from './common.js';

const yesNo = (no: string, yes: string): dash.ValueMapping[] => [
  {
    type: dash.MappingType.ValueToText,
    options: { '0': { text: no, color: 'red', index: 0 }, '1': { text: yes, color: 'green', index: 1 } },
  },
];

/** Adds the row and its panels to the dashboard being built. */
export function securityPostureRow(cfg: MixinConfig, d: dash.DashboardBuilder): dash.DashboardBuilder {
  const s = cfg.audit.score;
  const audit =
    'Results of the last hourly audit (audit.interval); `hostwatch audit` on the host gives the full report and offers the fixes.';
  return d
    .withRow(row('Security posture'))
    .withPanel(
      statPanel('Security score', [{ expr: `hostwatch_audit_score{${M}}`, legend: '{{instance}}' }], {
        w: 4,
        min: 0,
        max: 100,
        thresholds: thresholdsFrom('red', [s.bad, 'orange'], [s.good, 'green']),
        description: `0-100: the share of passing checks, weighted by severity (critical 10, high 5, medium 3, low 1). ${audit}`,
      }),
    )
    .withPanel(
      statPanel('Failing checks', [{ expr: `sum by (severity) (1 - hostwatch_audit_check{${M}})`, legend: '{{severity}}' }], {
        w: 8,
        thresholds: thresholds([1, 'red']),
        description: 'Failing checks by severity, all selected hosts together.',
      }),
    )
    .withPanel(
      statPanel('Unencrypted disks', [{ expr: `sum(1 - hostwatch_encryption_filesystem_encrypted{${M}})` }], {
        w: 4,
        thresholds: thresholds([1, 'orange']),
        description: 'Filesystems on local disks not on LUKS/dm-crypt (data at rest).',
      }),
    )
    .withPanel(
      statPanel('Plain-text services', [{ expr: `sum(hostwatch_encryption_plaintext_listeners{${M}})` }], {
        w: 4,
        thresholds: thresholds([1, 'red']),
        description:
          'Services reachable from the network that send everything unencrypted: telnet, FTP, rsh, TFTP, HTTP without HTTPS (data in transit).',
      }),
    )
    .withPanel(
      statPanel('Last audit', [{ expr: `time() - hostwatch_audit_last_run_timestamp_seconds{${M}}`, legend: '{{instance}}' }], {
        w: 4,
        unit: 's',
        thresholds: thresholds([2 * 3600, 'orange'], [86400, 'red']),
        description: 'Age of the last completed audit.',
      }),
    )
    .withPanel(
      ts('Security score over time', [{ expr: `hostwatch_audit_score{${M}}`, legend: '{{instance}}' }], {
        w: 12,
        min: 0,
        max: 100,
        thresholds: thresholdsFrom('red', [s.bad, 'orange'], [s.good, 'green']),
        description: `A drop means a check that passed now fails (alert HostSecurityScoreDropped). ${audit}`,
      }),
    )
    .withPanel(
      tablePanel('Encryption at rest', [{ expr: `hostwatch_encryption_filesystem_encrypted{${M}}` }], {
        w: 8,
        hide: ['job'],
        description: 'Each filesystem on a local disk: on LUKS/dm-crypt or not.',
      }).mappings(yesNo('NOT encrypted', 'encrypted')),
    )
    .withPanel(
      statPanel('Swap', [{ expr: `min(hostwatch_encryption_swap_encrypted{${M}})` }], {
        w: 4,
        description: 'Swap encrypted, in memory (zram) or absent.',
      }).mappings(yesNo('NOT encrypted', 'encrypted or none')),
    )
    .withPanel(
      tablePanel('Failing checks: what, why, how to fix', [{ expr: `hostwatch_audit_finding_info{${M}}` }], {
        w: 24,
        h: 12,
        hide: ['job', 'Value'],
        description: `${audit} Severity: critical (fix today), high, medium, low.`,
      }),
    );
}
