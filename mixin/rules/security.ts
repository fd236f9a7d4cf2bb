// Security alerts: logins, brute force, sudo, firewall, port scans, file integrity, antivirus, and the
// exporter's own checkpoint health (exactly-once counting is what these alerts rely on).
import type { MixinConfig } from '../config.js';
import { alert, increaseFromZero, seconds, sel, type RuleGroup } from './common.js';
import { recorded } from './recording.js';

export function securityAlerts(cfg: MixinConfig): RuleGroup {
  const s = cfg.security;
  const r = recorded(cfg);
  // Detector alerts: the gauge says "a source is over the threshold right now" and drops to 0 once the
  // attacker's failures leave the exporter's window; the increase() catches a detection that happened
  // between two scrapes or whose source was evicted. The alert resolves when neither holds, so shortly
  // (at most `window`) after the attack stops. No `for:`: the detector already required N events.
  const detector = (gauge: string, counter: string, window: string) =>
    `(max by (job, instance, log) (${sel(cfg, gauge)}) > 0) or (sum by (job, instance, log) (${increaseFromZero(sel(cfg, counter), window)}) > 0)`;
  const criticalRoots = sel(cfg, 'hostwatch_fim_root_info', 'critical="true"');
  const changedByRoot = `sum by (job, instance, root) (${sel(cfg, 'hostwatch_fim_changed_files')}) > 0`;
  return {
    name: 'hostwatch-security.alerts',
    rules: [
      alert(
        cfg,
        'SSHBruteForce',
        s.bruteForce,
        detector('hostwatch_auth_bruteforce_sources', 'hostwatch_auth_bruteforce_detections_total', s.bruteForce.window),
        'Brute-force login attempts.',
        'A source is making repeated failed logins in log {{ $labels.log }} on {{ $labels.instance }} (over the brute-force threshold of hostwatch.yml). See the Security dashboard for the top sources.',
      ),
      alert(
        cfg,
        'AuthFailureSurge',
        s.authFailureSurge,
        `${r.authFailures}{${cfg.selector}} > ${s.authFailureSurge.perSecond}`,
        'Surge of authentication failures.',
        `Log {{ $labels.log }} on {{ $labels.instance }} records {{ $value | humanize }} authentication failures/s (threshold ${s.authFailureSurge.perSecond}/s), all sources together.`,
      ),
      alert(
        cfg,
        'SudoAuthFailures',
        s.sudoFailures,
        `sum by (job, instance, log) (${increaseFromZero(sel(cfg, 'hostwatch_auth_failures_total', `service=~"${s.sudoFailures.services}"`), s.sudoFailures.window)}) >= ${s.sudoFailures.count}`,
        'Failed sudo/su authentications.',
        `{{ $value | humanize }} failed sudo/su authentications in ${s.sudoFailures.window} in log {{ $labels.log }} on {{ $labels.instance }} (threshold ${s.sudoFailures.count}).`,
      ),
      alert(
        cfg,
        'PortScanDetected',
        s.portScan,
        detector('hostwatch_portscan_sources', 'hostwatch_portscan_detections_total', s.portScan.window),
        'Port scan detected.',
        'A source is probing many distinct ports (firewall log {{ $labels.log }} on {{ $labels.instance }}, over the port-scan threshold of hostwatch.yml).',
      ),
      alert(
        cfg,
        'FirewallBlockSurge',
        s.firewallBlockSurge,
        `sum by (job, instance, log) (rate(${sel(cfg, 'hostwatch_firewall_packets_total', 'action=~"block|reject"')}[${s.firewallBlockSurge.window}])) > ${s.firewallBlockSurge.perSecond}`,
        'Surge of blocked packets.',
        `The firewall (log {{ $labels.log }}) on {{ $labels.instance }} blocks {{ $value | humanize }} packets/s (threshold ${s.firewallBlockSurge.perSecond}/s).`,
      ),
      alert(
        cfg,
        'FileIntegrityChanged',
        s.fimChanged,
        `(${changedByRoot}) unless on (job, instance, root) (${criticalRoots})`,
        'Files changed under a watched root.',
        '{{ $value }} files under {{ $labels.root }} on {{ $labels.instance }} differ from the accepted baseline. Review with `hostwatch fim status`, then `hostwatch fim accept`.',
      ),
      alert(
        cfg,
        'CriticalFileIntegrityChanged',
        s.fimCriticalChanged,
        `(${changedByRoot}) and on (job, instance, root) (${criticalRoots})`,
        'Files changed under a critical root.',
        '{{ $value }} files under the critical root {{ $labels.root }} on {{ $labels.instance }} differ from the accepted baseline. Review with `hostwatch fim status`, then `hostwatch fim accept`.',
      ),
      alert(
        cfg,
        'FileIntegrityScanStale',
        s.fimScanStale,
        `time() - ${sel(cfg, 'hostwatch_fim_last_scan_timestamp_seconds')} > ${seconds(s.fimScanStale.after)}`,
        'File integrity scans are not completing.',
        `The last completed scan of {{ $labels.root }} on {{ $labels.instance }} is {{ $value | humanizeDuration }} old (threshold ${s.fimScanStale.after}).`,
      ),
      alert(
        cfg,
        'FileIntegrityScanErrors',
        s.fimScanErrors,
        `sum by (job, instance, root, reason) (increase(${sel(cfg, 'hostwatch_fim_scan_errors_total', 'reason!="vanished"')}[${s.fimScanErrors.window}])) > 0`,
        'File integrity scans cannot read some paths.',
        `FIM scans of {{ $labels.root }} on {{ $labels.instance }} failed to read {{ $value | humanize }} paths ({{ $labels.reason }}) in ${s.fimScanErrors.window}: changes there go unseen. The exporter log names each path (\`FIM cannot read a path\`); \`hostwatch fim status\` lists them.`,
      ),
      alert(
        cfg,
        'AntivirusDetection',
        s.antivirus,
        `sum by (job, instance, log, rule) (${increaseFromZero(sel(cfg, 'hostwatch_pattern_matches_total', `rule=~"${s.antivirus.rules}"`), s.antivirus.window)}) > 0`,
        'Antivirus detection.',
        `Rule {{ $labels.rule }} matched {{ $value | humanize }} antivirus detections in ${s.antivirus.window} in log {{ $labels.log }} on {{ $labels.instance }}.`,
      ),
      alert(
        cfg,
        'HostwatchCheckpointErrors',
        s.checkpointErrors,
        `increase(${sel(cfg, 'hostwatch_checkpoint_errors_total')}[${s.checkpointErrors.window}]) > 0`,
        'hostwatch cannot write checkpoints.',
        `Writing the checkpoint of log {{ $labels.log }} on {{ $labels.instance }} failed {{ $value | humanize }} times in ${s.checkpointErrors.window}: a restart would recount or lose lines. Check the state directory (disk full, permissions).`,
      ),
    ],
  };
}
