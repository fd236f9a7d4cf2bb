// docs/alerts.md: the table of every alert with its severity, condition and threshold, and a link to
// its runbook section, generated from the same config as the rules so that it cannot drift.
import type { MixinConfig } from './config.js';
import { pct, runbookAnchor, type AlertingRule, type RuleGroup } from './rules/common.js';
import { fleetAlertConditions } from './rules/fleet.js';
import { probeAlertConditions } from './rules/probes.js';
import { auditAlertConditions } from './rules/audit.js';

/** The condition of each alert in words, with the thresholds of the config. */
export function alertConditions(cfg: MixinConfig): Record<string, string> {
  const h = cfg.host;
  const t = cfg.traffic;
  const s = cfg.security;
  const a = cfg.anomaly;
  return {
    ...fleetAlertConditions(cfg),
    ...probeAlertConditions(cfg),
    HostwatchDown: 'the hostwatch target cannot be scraped (`up == 0`) or the job has no target at all',
    HostwatchCollectorFailing: 'a collector reports `hostwatch_collector_success 0`',
    HostwatchConfigReloadFailed: 'the last SIGHUP reload was refused (`hostwatch_config_last_reload_successful 0` for 5m)',
    HostwatchTextfileScrapeError:
      'a *.prom file of the textfile collector is skipped, or its directory unreadable (`hostwatch_textfile_scrape_error 1`)',
    HostCPUHigh: `CPU busy (all modes but idle, iowait, steal; 5m average) > ${pct(h.cpuHigh.threshold)}`,
    HostMemoryHigh: `memory used (1 - available/total) > ${pct(h.memoryHigh.threshold)}`,
    HostSwapThrashing: `pages swapped in + out > ${h.swapThrashing.pagesPerSecond}/s (5m rate)`,
    HostFilesystemAlmostFull: `available space of a writable filesystem < ${pct(h.filesystemAlmostFull.warning)} (warning), < ${pct(h.filesystemAlmostFull.critical)} (critical)`,
    HostFilesystemFillingUp: `available < ${pct(h.filesystemFillingUp.onlyBelow)} and the ${h.filesystemFillingUp.lookback} trend reaches 0 within ${h.filesystemFillingUp.horizon}`,
    HostDiskIOSaturated: `average I/O queue of a device > ${h.diskIOSaturation.queueDepth} (5m)`,
    HostLoadHigh: `15-minute load per CPU > ${h.loadPerCoreHigh.threshold}`,
    HostNetworkErrors: `receive + transmit errors of an interface > ${h.networkErrors.errorsPerSecond}/s (5m)`,
    HostClockSkew: `host clock differs from Prometheus' by > ${h.clockSkew.seconds}s`,
    HostFileDescriptorsExhausted: `allocated / maximum file handles > ${pct(h.fileDescriptors.threshold)}`,
    HostRebootRequired: 'the reboot-required flag file exists',
    HostSecurityUpdatesPending: `pending security updates >= ${h.securityUpdates.minimum}`,
    TLSCertificateExpiring: `a certificate expires in < ${h.tlsExpiry.warningDays} days (warning), < ${h.tlsExpiry.criticalDays} days (critical)`,
    HighTraffic: `requests/s of a host, averaged over ${t.high.window}, > ${t.high.requestsPerSecond}; resolves when it drops back below`,
    HTTPErrorRatioHigh: `5xx share of a log's requests over ${t.errorRatio.window} > ${pct(t.errorRatio.ratio)} (with > ${t.errorRatio.minRequestsPerSecond} req/s)`,
    HTTPLatencyHigh: `p${Math.round(t.latency.quantile * 100)} request duration of a log over ${t.latency.window} > ${t.latency.seconds}s (with > ${t.latency.minRequestsPerSecond} req/s)`,
    HostwatchLogStalled: `no new line in a log (name matching \`${t.logStalled.logs}\`) for ${t.logStalled.after}`,
    HostwatchLogLagging: `more than ${t.logLagging.bytes / 1048576} MiB written to a log but not yet read`,
    HostwatchLogUnreadable: `files of a configured log cannot be followed (permission denied, not a regular file, refused symlink, too many files...) for ${t.logUnreadable.for}`,
    HostwatchLogUnparsedLines: `unparsed share of a log's lines over ${t.unparsed.window} > ${pct(t.unparsed.ratio)}`,
    SSHBruteForce: `a source is over the brute-force threshold of hostwatch.yml (default 8 failures in 2m), or a detection happened in the last ${s.bruteForce.window}`,
    AuthFailureSurge: `authentication failures of a log (all sources) > ${s.authFailureSurge.perSecond}/s over ${s.authFailureSurge.window}`,
    SudoAuthFailures: `>= ${s.sudoFailures.count} failed authentications of ${s.sudoFailures.services.split('|').join('/')} in ${s.sudoFailures.window}`,
    PortScanDetected: `a source is over the port-scan threshold of hostwatch.yml (default 15 ports in 60s), or a detection happened in the last ${s.portScan.window}`,
    FirewallBlockSurge: `blocked + rejected packets of a firewall log > ${s.firewallBlockSurge.perSecond}/s over ${s.firewallBlockSurge.window}`,
    FileIntegrityChanged: 'files under a watched root differ from the accepted baseline (until `hostwatch fim accept`)',
    CriticalFileIntegrityChanged: 'the same, under a root marked `critical: true` in hostwatch.yml',
    FileIntegrityScanStale: `no completed FIM scan of a root for ${s.fimScanStale.after}`,
    FileIntegrityScanErrors: `FIM scans could not read paths of a root (permission, I/O, root missing; not vanished files) in the last ${s.fimScanErrors.window}`,
    AntivirusDetection: `a pattern rule matching \`${s.antivirus.rules}\` matched in the last ${s.antivirus.window}`,
    HostwatchCheckpointErrors: `a checkpoint write failed in the last ${s.checkpointErrors.window}`,
    HTTPRequestRateAnomaly: `requests/s (${a.rateWindow}) more than ${a.sigmas} standard deviations from the ${a.baseline} mean (rate or mean > ${a.requests.minPerSecond}/s)`,
    AuthFailureRateAnomaly: `auth failures/s (${a.rateWindow}) more than ${a.sigmas} standard deviations from the ${a.baseline} mean (rate or mean > ${a.authFailures.minPerSecond}/s)`,
    ...auditAlertConditions(cfg),
  };
}

export function alertsMarkdown(cfg: MixinConfig, groups: RuleGroup[]): string {
  const conditions = alertConditions(cfg);
  const rows = new Map<string, { severities: string[]; for: string; group: string }>();
  for (const g of groups) {
    for (const r of g.rules) {
      if (!('alert' in r)) continue;
      const rule = r as AlertingRule;
      const row = rows.get(rule.alert) ?? { severities: [], for: rule.for ?? '0s', group: g.name.replace(/^hostwatch-|\.alerts$/g, '') };
      row.severities.push(rule.labels.severity);
      rows.set(rule.alert, row);
    }
  }
  const missing = [...rows.keys()].filter((n) => !conditions[n]);
  if (missing.length > 0) throw new Error(`mixin/docs.ts: no condition text for ${missing.join(', ')}`);
  const lines = [
    '<!-- Generated by mixin/generate.ts from mixin/config.ts: do not edit, run `npm run generate`. -->',
    '# hostwatch alerts',
    '',
    'Every alert of `prometheus/rules/`, with the thresholds of `mixin/config.ts`. What each one means and',
    'what to do: follow the runbook link. Routing: critical → pager (and escalation after ' +
      `${cfg.alertmanager.escalateAfter}), warning → chat, info → no notification (see docs/stack.md).`,
    '',
    '| Area | Alert | Severity | Fires when | For | Runbook |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, row] of rows) {
    lines.push(
      `| ${row.group} | ${name} | ${row.severities.join(', ')} | ${conditions[name]} | ${row.for} | [runbook](runbook.md#${runbookAnchor(name)}) |`,
    );
  }
  return lines.join('\n') + '\n';
}
