// Security: the security posture (audit), logins, brute-force sources, sudo, firewall blocks, ports,
// port scans, FIM, antivirus, TLS.
import type { MixinConfig } from '../config.js';
import { M, barPanel, dashboardBase, finish, row, statPanel, tablePanel, thresholds, thresholdsFrom, ts } from './common.js';
import { securityPostureRow } from './posture.js';

export function securityDashboard(cfg: MixinConfig) {
  const s = cfg.security;
  const h = cfg.host;
  const rate = (metric: string, extra = '') => `rate(${metric}{${M}${extra}}[$__rate_interval])`;
  return finish(
    securityPostureRow(cfg, dashboardBase(cfg, 'hostwatch-security', 'hostwatch / Security', ['security']))
      .withRow(row('Now'))
      .withPanel(
        statPanel('Brute-force sources', [{ expr: `sum(hostwatch_auth_bruteforce_sources{${M}})` }], {
          w: 4,
          thresholds: thresholds([1, 'red']),
        }),
      )
      .withPanel(
        statPanel('Port-scan sources', [{ expr: `sum(hostwatch_portscan_sources{${M}})` }], { w: 4, thresholds: thresholds([1, 'red']) }),
      )
      .withPanel(
        statPanel('Changed files (FIM)', [{ expr: `sum(hostwatch_fim_changed_files{${M}})` }], {
          w: 4,
          thresholds: thresholds([1, 'orange']),
          description: 'Files that differ from the accepted baseline: `hostwatch fim status` lists them.',
        }),
      )
      .withPanel(
        statPanel(
          'Antivirus detections',
          [{ expr: `sum(increase(hostwatch_pattern_matches_total{${M},rule=~"${s.antivirus.rules}"}[$__range]))` }],
          {
            w: 4,
            thresholds: thresholds([1, 'red']),
          },
        ),
      )
      .withPanel(
        statPanel('Auth failures/s', [{ expr: `sum(${rate('hostwatch_auth_failures_total')})` }], {
          w: 4,
          unit: 'ops',
          thresholds: thresholds([s.authFailureSurge.perSecond, 'red']),
        }),
      )
      .withPanel(
        statPanel('Firewall blocks/s', [{ expr: `sum(${rate('hostwatch_firewall_packets_total', ',action=~"block|reject"')})` }], {
          w: 4,
          unit: 'pps',
          thresholds: thresholds([s.firewallBlockSurge.perSecond, 'red']),
        }),
      )
      .withRow(row('Logins'))
      .withPanel(
        ts(
          'Logins',
          [
            { expr: `sum by (service, method) (${rate('hostwatch_auth_successes_total')})`, legend: 'success {{service}} {{method}}' },
            { expr: `-sum by (service, reason) (${rate('hostwatch_auth_failures_total')})`, legend: 'failure {{service}} {{reason}}' },
          ],
          { unit: 'ops', description: 'Successful logins above the axis, failures below.' },
        ),
      )
      .withPanel(
        ts(
          'Invalid users and sudo',
          [
            { expr: `sum by (service) (${rate('hostwatch_auth_invalid_users_total')})`, legend: 'invalid user {{service}}' },
            { expr: `sum by (user) (${rate('hostwatch_auth_sudo_commands_total')})`, legend: 'sudo by {{user}}' },
          ],
          { unit: 'ops', min: 0 },
        ),
      )
      .withPanel(
        barPanel(
          'Top failure sources',
          [{ expr: `topk(10, max by (source) (hostwatch_auth_top_failure_sources{${M}}))`, legend: '{{source}}' }],
          {
            description: 'The exporter keeps only the top sources by failures (hostwatch.yml top_sources).',
          },
        ),
      )
      .withPanel(
        ts(
          'Brute-force',
          [
            { expr: `sum by (instance, log) (hostwatch_auth_bruteforce_sources{${M}})`, legend: '{{instance}} {{log}} sources now' },
            {
              expr: `sum by (instance, log) (increase(hostwatch_auth_bruteforce_detections_total{${M}}[$__rate_interval]))`,
              legend: '{{instance}} {{log}} detections',
            },
          ],
          { min: 0 },
        ),
      )
      .withRow(row('Firewall'))
      .withPanel(
        ts(
          'Packets by action',
          [{ expr: `sum by (action, direction) (${rate('hostwatch_firewall_packets_total')})`, legend: '{{action}} {{direction}}' }],
          {
            unit: 'pps',
            stack: true,
            min: 0,
          },
        ),
      )
      .withPanel(
        barPanel('Top blocked ports', [
          { expr: `topk(10, sum by (port) (increase(hostwatch_firewall_blocked_ports_total{${M}}[$__range])))`, legend: '{{port}}' },
        ]),
      )
      .withPanel(
        ts(
          'Port scans',
          [
            { expr: `sum by (instance, log) (hostwatch_portscan_sources{${M}})`, legend: '{{instance}} {{log}} sources now' },
            {
              expr: `sum by (instance, log) (increase(hostwatch_portscan_detections_total{${M}}[$__rate_interval]))`,
              legend: '{{instance}} {{log}} detections',
            },
          ],
          { min: 0 },
        ),
      )
      .withPanel(
        ts(
          'Antivirus and pattern matches',
          [{ expr: `sum by (instance, rule) (${rate('hostwatch_pattern_matches_total')})`, legend: '{{instance}} {{rule}}' }],
          {
            unit: 'ops',
            min: 0,
          },
        ),
      )
      .withRow(row('File integrity and certificates'))
      .withPanel(
        tablePanel('Changed files by root', [{ expr: `sum by (instance, root, change) (hostwatch_fim_changed_files{${M}}) > 0` }], {
          description: 'Since the accepted baseline; `hostwatch fim accept` clears them.',
        }),
      )
      .withPanel(
        ts(
          'FIM changes',
          [
            {
              expr: `sum by (instance, root, change) (increase(hostwatch_fim_changes_total{${M}}[$__rate_interval]))`,
              legend: '{{instance}} {{root}} {{change}}',
            },
          ],
          { min: 0 },
        ),
      )
      .withPanel(
        tablePanel(
          'FIM roots',
          [{ expr: `hostwatch_fim_files{${M}}` }, { expr: `time() - hostwatch_fim_last_scan_timestamp_seconds{${M}}` }],
          { hide: ['job'], description: 'Files watched per root (A) and age of the last completed scan in seconds (B).' },
        ),
      )
      .withPanel(
        tablePanel('TLS certificates: time left', [{ expr: `sort(hostwatch_tls_cert_not_after_seconds{${M}} - time())` }], {
          unit: 's',
          hide: ['job'],
          thresholds: thresholdsFrom('red', [h.tlsExpiry.criticalDays * 86400, 'orange'], [h.tlsExpiry.warningDays * 86400, 'green']),
        }),
      ),
  );
}
