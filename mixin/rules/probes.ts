// Alerts on the probes of dependencies (probes.targets in hostwatch.yml): a probe that keeps failing,
// one that is slow, and the certificate of a probed endpoint about to expire.
import type { MixinConfig } from '../config.js';
import { alert, sel, type AlertingRule, type RuleGroup } from './common.js';

/** The probe's last failure reason, read by the alert's template from the reason series. */
const REASON =
  '{{ with printf "hostwatch_probe_failure_reason{job=%q,instance=%q,probe=%q}" $labels.job $labels.instance $labels.probe | query }}' +
  ' (reason: {{ . | first | label "reason" }}){{ end }}';

export function probeAlerts(cfg: MixinConfig): RuleGroup {
  const p = cfg.probes;
  const duration = (suffix: string) => `rate(${sel(cfg, `hostwatch_probe_total_duration_seconds_${suffix}`)}[${p.slow.window}])`;
  const cert = (severity: 'warning' | 'critical', days: number): AlertingRule =>
    alert(
      cfg,
      'ProbeCertificateExpiring',
      { for: p.certExpiry.for, severity },
      `${sel(cfg, 'hostwatch_probe_ssl_earliest_cert_expiry')} - time() < ${days * 86400}`,
      'The certificate of a probed endpoint expires soon.',
      `The certificate presented to probe {{ $labels.probe }} of {{ $labels.instance }} expires in {{ $value | humanizeDuration }} (${severity} below ${days} days).`,
    );
  return {
    name: 'hostwatch-probes.alerts',
    rules: [
      alert(
        cfg,
        'ProbeFailing',
        p.failing,
        `${sel(cfg, 'hostwatch_probe_success')} == 0`,
        'A dependency of the host fails its probe.',
        `Probe {{ $labels.probe }} ({{ $labels.type }}) of {{ $labels.instance }} has failed for ${p.failing.for}${REASON}.`,
      ),
      alert(
        cfg,
        'ProbeSlow',
        p.slow,
        // Successful probes only (the histogram counts no failure): a failing probe is ProbeFailing's.
        `${duration('sum')} / ${duration('count')} > ${p.slow.seconds}`,
        'A dependency of the host answers its probe slowly.',
        `Probe {{ $labels.probe }} of {{ $labels.instance }} takes {{ $value | humanizeDuration }} on average over ${p.slow.window} (threshold ${p.slow.seconds}s).`,
      ),
      cert('warning', p.certExpiry.warningDays),
      cert('critical', p.certExpiry.criticalDays),
    ],
  };
}

/** The condition of each probe alert in words (docs/alerts.md). */
export function probeAlertConditions(cfg: MixinConfig): Record<string, string> {
  const p = cfg.probes;
  return {
    ProbeFailing: 'a probe of `probes.targets` fails (`hostwatch_probe_success 0`)',
    ProbeSlow: `successful runs of a probe take > ${p.slow.seconds}s on average over ${p.slow.window}`,
    ProbeCertificateExpiring: `the certificate a probed endpoint presents expires in < ${p.certExpiry.warningDays} days (warning), < ${p.certExpiry.criticalDays} days (critical)`,
  };
}
