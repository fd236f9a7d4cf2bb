// promtool tests of the security alerts.
import { AlertCatalog, T, type PromtoolGroup } from './dsl.js';

export function securityTests(c: AlertCatalog): PromtoolGroup[] {
  const s = c.cfg.security;
  const brute =
    'A source is making repeated failed logins in log auth on host1:10023 (over the brute-force threshold of hostwatch.yml). See the Security dashboard for the top sources.';
  const scan = 'A source is probing many distinct ports (firewall log ufw on host1:10023, over the port-scan threshold of hostwatch.yml).';
  const fim = (n: number, root: string, critical: boolean) =>
    `${n} files under ${critical ? 'the critical root ' : ''}${root} on host1:10023 differ from the accepted baseline. Review with \`hostwatch fim status\`, then \`hostwatch fim accept\`.`;
  const scanErrors = (n: number, root: string, reason: string) =>
    `FIM scans of ${root} on host1:10023 failed to read ${n} paths (${reason}) in ${s.fimScanErrors.window}: changes there go unseen. The exporter log names each path (\`FIM cannot read a path\`); \`hostwatch fim status\` lists them.`;
  const fimSeries = (root: string, critical: string, changed: string): [string, string][] => [
    [`hostwatch_fim_changed_files{${T},root="${root}",change="content"}`, changed],
    [`hostwatch_fim_changed_files{${T},root="${root}",change="added"}`, changed],
    [`hostwatch_fim_root_info{${T},root="${root}",critical="${critical}"}`, '1x20'],
  ];
  return [
    // The attack: the source is over the threshold from 2m to 4m, then the attacker stops.
    c.group(
      'SSHBruteForce',
      'fires during the attack and resolves after it',
      [
        [`hostwatch_auth_bruteforce_sources{${T},log="auth"}`, '0 0 1 1 1 0x20'],
        [`hostwatch_auth_bruteforce_detections_total{${T},log="auth",service="sshd"}`, '0 0 1 1 1 1x20'],
      ],
      [
        { at: '1m', alerts: [] },
        { at: '3m', alerts: [{ labels: { log: 'auth' }, description: brute }] },
        { at: '12m', alerts: [] },
      ],
    ),
    c.group(
      'SSHBruteForce',
      'a detection whose source was already evicted',
      [
        [`hostwatch_auth_bruteforce_sources{${T},log="auth"}`, '0x20'],
        [`hostwatch_auth_bruteforce_detections_total{${T},log="auth",service="sshd"}`, '0 0 3x20'],
      ],
      [{ at: '3m', alerts: [{ labels: { log: 'auth' }, description: brute }] }],
    ),
    c.group(
      'SSHBruteForce',
      'no attack',
      [
        [`hostwatch_auth_bruteforce_sources{${T},log="auth"}`, '0x20'],
        [`hostwatch_auth_bruteforce_detections_total{${T},log="auth",service="sshd"}`, '0x20'],
      ],
      [{ at: '10m', alerts: [] }],
    ),
    c.group(
      'AuthFailureSurge',
      '2 failures/s',
      [[`hostwatch_auth_failures_total{${T},log="auth",service="sshd",reason="password"}`, '0+120x30']],
      [
        {
          at: '20m',
          alerts: [
            {
              labels: { log: 'auth' },
              description: `Log auth on host1:10023 records 2 authentication failures/s (threshold ${s.authFailureSurge.perSecond}/s), all sources together.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'AuthFailureSurge',
      '0.5 failures/s',
      [[`hostwatch_auth_failures_total{${T},log="auth",service="sshd",reason="password"}`, '0+30x30']],
      [{ at: '20m', alerts: [] }],
    ),
    c.group(
      'SudoAuthFailures',
      '3 wrong sudo passwords',
      [[`hostwatch_auth_failures_total{${T},log="auth",service="sudo",reason="password"}`, '0 0 1 2 3x30']],
      [
        {
          at: '5m',
          alerts: [
            {
              labels: { log: 'auth' },
              description: `3 failed sudo/su authentications in ${s.sudoFailures.window} in log auth on host1:10023 (threshold ${s.sudoFailures.count}).`,
            },
          ],
        },
      ],
    ),
    c.group(
      'SudoAuthFailures',
      'the first failures of a log: the series is born at 3',
      [[`hostwatch_auth_failures_total{${T},log="auth",service="sudo",reason="password"}`, '_ _ 3x30']],
      [
        {
          at: '3m',
          alerts: [
            {
              labels: { log: 'auth' },
              description: `3 failed sudo/su authentications in ${s.sudoFailures.window} in log auth on host1:10023 (threshold ${s.sudoFailures.count}).`,
            },
          ],
        },
      ],
    ),
    c.group(
      'SudoAuthFailures',
      'sshd failures are not sudo failures',
      [
        [`hostwatch_auth_failures_total{${T},log="auth",service="sshd",reason="password"}`, '0 0 10 20 30x30'],
        [`hostwatch_auth_failures_total{${T},log="auth",service="sudo",reason="password"}`, '0 0 1x30'],
      ],
      [{ at: '5m', alerts: [] }],
    ),
    c.group(
      'PortScanDetected',
      'fires during the scan and resolves after it',
      [
        [`hostwatch_portscan_sources{${T},log="ufw"}`, '0 0 1 1 0x20'],
        [`hostwatch_portscan_detections_total{${T},log="ufw"}`, '0 0 1 1 1x20'],
      ],
      [
        { at: '2m', alerts: [{ labels: { log: 'ufw' }, description: scan }] },
        { at: '10m', alerts: [] },
      ],
    ),
    c.group(
      'PortScanDetected',
      'no scan',
      [
        [`hostwatch_portscan_sources{${T},log="ufw"}`, '0x20'],
        [`hostwatch_portscan_detections_total{${T},log="ufw"}`, '5x20'],
      ],
      [{ at: '10m', alerts: [] }],
    ),
    c.group(
      'FirewallBlockSurge',
      '100 blocked packets/s',
      [[`hostwatch_firewall_packets_total{${T},log="ufw",action="block",protocol="tcp",direction="in"}`, '0+6000x30']],
      [
        {
          at: '20m',
          alerts: [
            {
              labels: { log: 'ufw' },
              description: `The firewall (log ufw) on host1:10023 blocks 100 packets/s (threshold ${s.firewallBlockSurge.perSecond}/s).`,
            },
          ],
        },
      ],
    ),
    c.group(
      'FirewallBlockSurge',
      '100 allowed packets/s',
      [[`hostwatch_firewall_packets_total{${T},log="ufw",action="allow",protocol="tcp",direction="in"}`, '0+6000x30']],
      [{ at: '20m', alerts: [] }],
    ),
    c.group('FileIntegrityChanged', 'changes under a normal root', fimSeries('/etc', 'false', '0 0 1x10'), [
      { at: '1m', alerts: [] },
      { at: '3m', alerts: [{ labels: { root: '/etc' }, description: fim(2, '/etc', false) }] },
    ]),
    c.group('FileIntegrityChanged', 'changes under a critical root page instead', fimSeries('/usr/bin', 'true', '0 0 1x10'), [
      { at: '3m', alerts: [] },
    ]),
    c.group('CriticalFileIntegrityChanged', 'changes under a critical root', fimSeries('/usr/bin', 'true', '0 0 1x10'), [
      { at: '3m', alerts: [{ labels: { root: '/usr/bin' }, description: fim(2, '/usr/bin', true) }] },
    ]),
    c.group('CriticalFileIntegrityChanged', 'changes under a normal root', fimSeries('/etc', 'false', '0 0 1x10'), [
      { at: '3m', alerts: [] },
    ]),
    c.group('CriticalFileIntegrityChanged', 'accepted (no changed files)', fimSeries('/usr/bin', 'true', '0 0 1 1 0x10'), [
      { at: '8m', alerts: [] },
    ]),
    c.group(
      'FileIntegrityScanStale',
      'no scan for 4 hours',
      [[`hostwatch_fim_last_scan_timestamp_seconds{${T},root="/etc"}`, '0x300']],
      [
        {
          at: '4h',
          alerts: [
            {
              labels: { root: '/etc' },
              description: `The last completed scan of /etc on host1:10023 is 4h 0m 0s old (threshold ${s.fimScanStale.after}).`,
            },
          ],
        },
      ],
    ),
    c.group(
      'FileIntegrityScanStale',
      'scans complete',
      [[`hostwatch_fim_last_scan_timestamp_seconds{${T},root="/etc"}`, '0+60x300']],
      [{ at: '4h', alerts: [] }],
    ),
    c.group(
      'FileIntegrityScanErrors',
      'a directory unreadable at every hourly scan',
      [
        [`hostwatch_fim_scan_errors_total{${T},root="/etc",reason="permission"}`, '0+1x300'],
        [`hostwatch_fim_scan_errors_total{${T},root="/etc",reason="vanished"}`, '0x300'],
      ],
      [{ at: '3h', alerts: [{ labels: { root: '/etc', reason: 'permission' }, description: scanErrors(120, '/etc', 'permission') }] }],
    ),
    c.group(
      'FileIntegrityScanErrors',
      'files vanishing during scans are normal churn',
      [
        [`hostwatch_fim_scan_errors_total{${T},root="/var",reason="vanished"}`, '0+3x300'],
        [`hostwatch_fim_scan_errors_total{${T},root="/var",reason="permission"}`, '0x300'],
      ],
      [{ at: '3h', alerts: [] }],
    ),
    c.group(
      'FileIntegrityScanErrors',
      'resolved once scans read everything again',
      [[`hostwatch_fim_scan_errors_total{${T},root="/etc",reason="io"}`, '0 1 2 2x400']],
      [{ at: '5h', alerts: [] }],
    ),
    c.group(
      'AntivirusDetection',
      'ClamAV found a virus',
      [[`hostwatch_pattern_matches_total{${T},log="clamav",rule="clamav",signature="Eicar-Test-Signature"}`, '0 0 1x20']],
      [
        { at: '1m', alerts: [] },
        {
          at: '3m',
          alerts: [
            {
              labels: { log: 'clamav', rule: 'clamav' },
              description: `Rule clamav matched 1 antivirus detections in ${s.antivirus.window} in log clamav on host1:10023.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'AntivirusDetection',
      'the first detection of a signature: the series is born at 1',
      [[`hostwatch_pattern_matches_total{${T},log="clamav",rule="clamav",signature="Win.Test.EICAR_HDB-1"}`, '_ _ 1x20']],
      [
        { at: '1m', alerts: [] },
        {
          at: '3m',
          alerts: [
            {
              labels: { log: 'clamav', rule: 'clamav' },
              description: `Rule clamav matched 1 antivirus detections in ${s.antivirus.window} in log clamav on host1:10023.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'AntivirusDetection',
      'an old detection outside the window does not fire',
      [[`hostwatch_pattern_matches_total{${T},log="clamav",rule="clamav",signature="Eicar-Test-Signature"}`, '1x40']],
      [{ at: '30m', alerts: [] }],
    ),
    c.group(
      'AntivirusDetection',
      'other pattern rules',
      [[`hostwatch_pattern_matches_total{${T},log="fail2ban",rule="fail2ban_ban",jail="sshd"}`, '0 0 1 2 3x20']],
      [{ at: '3m', alerts: [] }],
    ),
    c.group(
      'HostwatchCheckpointErrors',
      'checkpoints keep failing',
      [[`hostwatch_checkpoint_errors_total{${T},log="auth"}`, '0+1x30']],
      [
        {
          at: '10m',
          alerts: [
            {
              labels: { log: 'auth' },
              description: `Writing the checkpoint of log auth on host1:10023 failed 10 times in ${s.checkpointErrors.window}: a restart would recount or lose lines. Check the state directory (disk full, permissions).`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostwatchCheckpointErrors',
      'no errors',
      [[`hostwatch_checkpoint_errors_total{${T},log="auth"}`, '2x30']],
      [{ at: '10m', alerts: [] }],
    ),
  ];
}
