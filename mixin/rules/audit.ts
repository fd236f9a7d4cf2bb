// Security posture alerts, over the hourly audit (hostwatch_audit_*): the score fell, or a critical
// check fails. The audit runs in the background every audit.interval, so its series change in steps:
// no `for:` is needed to ride out noise.
import type { MixinConfig } from '../config.js';
import { alert, sel, type RuleGroup } from './common.js';

export function auditAlerts(cfg: MixinConfig): RuleGroup {
  const a = cfg.audit;
  const score = sel(cfg, 'hostwatch_audit_score');
  return {
    name: 'hostwatch-audit.alerts',
    rules: [
      alert(
        cfg,
        'HostSecurityScoreDropped',
        a.scoreDropped,
        // The value is the score now: at least `points` below the best of the window.
        `${score} <= max_over_time(${score}[${a.scoreDropped.window}]) - ${a.scoreDropped.points}`,
        'Security posture score dropped.',
        `The security posture score of {{ $labels.instance }} is {{ $value }}, at least ${a.scoreDropped.points} points below its best of the last ${a.scoreDropped.window}: checks that passed now fail. \`hostwatch audit\` on the host lists them with the fix; so does the Security dashboard (Security posture).`,
      ),
      alert(
        cfg,
        'HostCriticalSecurityCheckFailing',
        a.criticalCheckFailing,
        `${sel(cfg, 'hostwatch_audit_check', 'severity="critical"')} == 0`,
        'A critical security check fails.',
        'Security check {{ $labels.check }} ({{ $labels.category }}) fails on {{ $labels.instance }}. `hostwatch audit --category {{ $labels.category }}` on the host says what was found, why it matters and the fix.',
      ),
    ],
  };
}

/** The condition of each alert in words, for docs/alerts.md. */
export function auditAlertConditions(cfg: MixinConfig): Record<string, string> {
  const a = cfg.audit;
  return {
    HostSecurityScoreDropped: `the security posture score is ${a.scoreDropped.points} points or more below its best of the last ${a.scoreDropped.window}`,
    HostCriticalSecurityCheckFailing: 'a security check of severity critical fails (`hostwatch_audit_check{severity="critical"} == 0`)',
  };
}
