// The rule files written to prometheus/rules/: one file per area.
import type { MixinConfig } from '../config.js';
import type { RuleGroup } from './common.js';
import { recordingGroups } from './recording.js';
import { hostAlerts } from './host.js';
import { trafficAlerts } from './traffic.js';
import { securityAlerts } from './security.js';
import { anomalyAlerts } from './anomaly.js';
import { fleetAlerts } from './fleet.js';
import { probeAlerts } from './probes.js';
import { auditAlerts } from './audit.js';

export function ruleFiles(cfg: MixinConfig): Map<string, { groups: RuleGroup[] }> {
  const withInterval = (groups: RuleGroup[]) =>
    groups.map((g) => (cfg.ruleInterval && !g.interval ? { ...g, interval: cfg.ruleInterval } : g));
  return new Map([
    ['hostwatch-recording.yml', { groups: withInterval(recordingGroups(cfg)) }],
    ['hostwatch-host.yml', { groups: withInterval([hostAlerts(cfg)]) }],
    ['hostwatch-traffic.yml', { groups: withInterval([trafficAlerts(cfg)]) }],
    ['hostwatch-security.yml', { groups: withInterval([securityAlerts(cfg)]) }],
    ['hostwatch-anomaly.yml', { groups: withInterval([anomalyAlerts(cfg)]) }],
    ['hostwatch-fleet.yml', { groups: withInterval([fleetAlerts(cfg)]) }],
    ['hostwatch-probes.yml', { groups: withInterval([probeAlerts(cfg)]) }],
    ['hostwatch-audit.yml', { groups: withInterval([auditAlerts(cfg)]) }],
  ]);
}
