// promtool tests of the security posture alerts.
import { AlertCatalog, T, type PromtoolGroup } from './dsl.js';

export function auditTests(c: AlertCatalog): PromtoolGroup[] {
  const a = c.cfg.audit;
  const dropped = (score: number) =>
    `The security posture score of host1:10023 is ${score}, at least ${a.scoreDropped.points} points below its best of the last ${a.scoreDropped.window}: checks that passed now fail. \`hostwatch audit\` on the host lists them with the fix; so does the Security dashboard (Security posture).`;
  const critical = (check: string, category: string) =>
    `Security check ${check} (${category}) fails on host1:10023. \`hostwatch audit --category ${category}\` on the host says what was found, why it matters and the fix.`;
  const check = (id: string, category: string, severity: string) =>
    `hostwatch_audit_check{${T},check="${id}",category="${category}",severity="${severity}"}`;
  return [
    // Hourly audits: 90 for 3h, then 75 (a check failed), then 90 again (fixed).
    c.group(
      'HostSecurityScoreDropped',
      'fires while the score is below its best of the window, resolves once fixed',
      [[`hostwatch_audit_score{${T}}`, '90x180 75x60 90x60']],
      [
        { at: '170m', alerts: [] },
        { at: '200m', alerts: [{ description: dropped(75) }] },
        { at: '260m', alerts: [] },
      ],
    ),
    c.group(
      'HostSecurityScoreDropped',
      'a smaller dip, a steady low score, and a rising score do not fire',
      [
        ['hostwatch_audit_score{job="hostwatch",instance="a:1"}', '90x60 85x60'],
        ['hostwatch_audit_score{job="hostwatch",instance="b:1"}', '40x120'],
        ['hostwatch_audit_score{job="hostwatch",instance="c:1"}', '50x60 95x60'],
      ],
      [{ at: '100m', alerts: [] }],
    ),
    c.group(
      'HostSecurityScoreDropped',
      'the drop is forgotten after the window: the new score is the new normal',
      [[`hostwatch_audit_score{${T}}`, '90x60 70x1600']],
      [
        { at: '120m', alerts: [{ description: dropped(70) }] },
        { at: '1560m', alerts: [] },
      ],
    ),
    c.group(
      'HostCriticalSecurityCheckFailing',
      'a critical check fails, one alert per check',
      [
        [check('ACCT-UID0', 'accounts', 'critical'), '1 1 0x10'],
        [check('SSH-EMPTY-PASSWORDS', 'ssh', 'critical'), '1x12'],
        [check('FW-ACTIVE', 'firewall', 'high'), '0x12'],
      ],
      [
        { at: '1m', alerts: [] },
        { at: '5m', alerts: [{ labels: { check: 'ACCT-UID0', category: 'accounts' }, description: critical('ACCT-UID0', 'accounts') }] },
      ],
    ),
    c.group(
      'HostCriticalSecurityCheckFailing',
      'resolves once the check passes again',
      [[check('ACCT-UID0', 'accounts', 'critical'), '0x5 1x10']],
      [
        { at: '3m', alerts: [{ labels: { check: 'ACCT-UID0', category: 'accounts' }, description: critical('ACCT-UID0', 'accounts') }] },
        { at: '8m', alerts: [] },
      ],
    ),
  ];
}
