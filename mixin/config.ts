// The one source of truth of the stack: every threshold, window, `for:` duration and severity used by
// the generated Prometheus rules, promtool tests, Alertmanager config and Grafana dashboards.
// Change a value here and run `npm run generate`; never edit the generated files.
// Durations are Prometheus duration strings ("30s", "5m", "1d"); ratios are 0..1.

export type Severity = 'critical' | 'warning' | 'info';

export interface AlertSpec {
  /** `for:` of the alert: how long the condition must hold before it fires ("0s" = at once). */
  for: string;
  severity: Severity;
}

export interface MixinConfig {
  /** Label selector of the hostwatch scrape job(s), used in every expression. */
  selector: string;
  /**
   * Absolute URL of the runbook (docs/runbook.md where your on-call reads it): every alert's
   * runbook_url is `${runbookBaseUrl}#<alert name in lower case>`, a link that stays clickable in
   * Slack, e-mail and pager notifications. Point it at your fork or internal docs if you change the runbook.
   */
  runbookBaseUrl: string;
  /** Recording/alerting rule evaluation interval (the group default; Prometheus' global one if empty). */
  ruleInterval: string;

  host: {
    /** Exporter target down or missing from discovery. Short `for` so the page is fast, long enough to ride out one failed scrape. */
    down: AlertSpec;
    /** A collector keeps failing (hostwatch_collector_success 0). */
    collectorFailing: AlertSpec;
    /** The last SIGHUP reload was refused (hostwatch_config_last_reload_successful 0): the exporter
     *  runs the previous configuration, not the files on disk. Warning: it keeps working meanwhile. */
    configReloadFailed: AlertSpec;
    /** A *.prom file of the textfile collector is skipped or unreadable (hostwatch_textfile_scrape_error 1),
     *  as node-mixin's NodeTextFileCollectorScrapeError: the script's metrics are missing. */
    textfileScrapeError: AlertSpec;
    /** CPU busy ratio (all modes but idle/iowait/steal) averaged over 5m. */
    cpuHigh: AlertSpec & { threshold: number };
    /** Memory used ratio (1 - available/total). */
    memoryHigh: AlertSpec & { threshold: number };
    /** Pages swapped in+out per second over 5m: sustained swapping means thrashing, not just swap in use. */
    swapThrashing: AlertSpec & { pagesPerSecond: number };
    /** Available space ratio of a writable filesystem: warning and critical levels share one alertname
     *  so that Alertmanager's critical-inhibits-warning rule keeps only the worst one. */
    filesystemAlmostFull: { warning: number; critical: number; for: string };
    /** predict_linear over `lookback` says the filesystem fills within `horizon`; only checked once
     *  available space is below `onlyBelow` so that a freshly written big file on an empty disk does not page. */
    filesystemFillingUp: AlertSpec & { lookback: string; horizon: string; onlyBelow: number };
    /** Average I/O queue depth (rate of weighted I/O time) per device. */
    diskIOSaturation: AlertSpec & { queueDepth: number };
    /** 15-minute load average divided by the number of CPUs. */
    loadPerCoreHigh: AlertSpec & { threshold: number };
    /** Receive+transmit errors per second on an interface. */
    networkErrors: AlertSpec & { errorsPerSecond: number };
    /** |exporter clock - Prometheus scrape time| in seconds (includes scrape latency, hence not too tight). */
    clockSkew: AlertSpec & { seconds: number };
    /** Allocated / maximum file handles of the host. */
    fileDescriptors: AlertSpec & { threshold: number };
    rebootRequired: AlertSpec;
    /** Pending security updates reported by the background apt/dnf check. */
    securityUpdates: AlertSpec & { minimum: number };
    /** TLS certificate expiry: warning and critical share the alertname (see filesystemAlmostFull). */
    tlsExpiry: { warningDays: number; criticalDays: number; for: string };
  };

  traffic: {
    /** The classic access-log monitor: average request rate over `window` above `requestsPerSecond`,
     *  summed over every access log of a host. No `for`: the window already smooths, and the alert
     *  must resolve as soon as the average drops back below. */
    high: AlertSpec & { requestsPerSecond: number; window: string };
    /** 5xx share of requests over `window`, only when traffic exceeds `minRequestsPerSecond`. */
    errorRatio: AlertSpec & { ratio: number; window: string; minRequestsPerSecond: number };
    /** p`quantile` latency of a log over `window`. */
    latency: AlertSpec & { quantile: number; seconds: number; window: string; minRequestsPerSecond: number };
    /** No line read from a log for `after` (only logs whose name matches `logs`). */
    logStalled: AlertSpec & { after: string; logs: string };
    /** The exporter is behind a log by more than `bytes` (unread bytes), i.e. it cannot keep up. */
    logLagging: AlertSpec & { bytes: number };
    /** Files of a configured log that cannot be followed (hostwatch_log_file_errors > 0: permission
     *  denied, not a regular file, refused symlink, too many files...) for `for`. */
    logUnreadable: AlertSpec;
    /** Unparsed share of the lines of a log over `window` (wrong format configured?). */
    unparsed: AlertSpec & { ratio: number; window: string };
    /** The access-log monitor's "top sections": topk over a short window (needs a scrape interval of
     *  at most window/2: the hostwatch job scrapes every 5s in prometheus/prometheus.yml). */
    topSections: { k: number; window: string; interval: string };
  };

  security: {
    /** The exporter's per-source detector decides (threshold/window in hostwatch.yml); the alert fires
     *  while a source is over the threshold OR a detection happened within `window`, and resolves
     *  once neither holds, i.e. shortly after the attack stops. */
    bruteForce: AlertSpec & { window: string };
    /** Auth failures per second of a log, all sources together (a distributed attack the per-source
     *  detector cannot see). */
    authFailureSurge: AlertSpec & { perSecond: number; window: string };
    /** Failed sudo/su authentications (wrong password, not in sudoers) within `window`. */
    sudoFailures: AlertSpec & { count: number; window: string; services: string };
    portScan: AlertSpec & { window: string };
    /** Blocked/rejected packets per second of a firewall log. */
    firewallBlockSurge: AlertSpec & { perSecond: number; window: string };
    /** Files changed since the accepted baseline: fires until `hostwatch fim accept`. */
    fimChanged: AlertSpec;
    /** Same for roots marked `critical: true` in hostwatch.yml (joined through hostwatch_fim_root_info). */
    fimCriticalChanged: AlertSpec;
    /** No completed FIM scan for `after` (scan_interval in hostwatch.yml is 1h by default). */
    fimScanStale: AlertSpec & { after: string };
    /** FIM scans that could not read paths (permission, I/O, a missing root; not files that vanished
     *  during the scan) within `window`: longer than the scan interval, so that an error repeated at
     *  every scan keeps the alert firing, and it resolves once scans read everything again. */
    fimScanErrors: AlertSpec & { window: string };
    /** Pattern rules whose matches are antivirus detections (regex on the `rule` label). */
    antivirus: AlertSpec & { rules: string; window: string };
    /** Checkpoint write errors within `window`: exactly-once counting is at risk. */
    checkpointErrors: AlertSpec & { window: string };
  };

  probes: {
    /** A probe of a dependency (probes.targets in hostwatch.yml) keeps failing. */
    failing: AlertSpec;
    /** Average duration of a probe's successful runs over `window` above `seconds`. */
    slow: AlertSpec & { seconds: number; window: string };
    /** The certificate a probed endpoint presents expires soon: warning and critical share the
     *  alertname (see filesystemAlmostFull). */
    certExpiry: { warningDays: number; criticalDays: number; for: string };
  };

  audit: {
    /** The security posture score fell at least `points` below its best of the last `window`: a check
     *  that passed now fails (a new weakness, or a fix undone). The audit runs hourly: no `for` needed. */
    scoreDropped: AlertSpec & { points: number; window: string };
    /** A check of severity critical fails (extra root account, empty passwords, ...): pages. */
    criticalCheckFailing: AlertSpec;
    /** Dashboard colours of the score: red below `bad`, orange below `good`, green above. */
    score: { bad: number; good: number };
  };

  anomaly: {
    /** Rate window of the recorded series, and the lookback of their mean and standard deviation. */
    rateWindow: string;
    baseline: string;
    /** Fires when |rate - mean| > sigmas * stddev, sustained for `for`, and the rate or the mean is
     *  above the minimum (no anomaly on a near-idle series). */
    sigmas: number;
    requests: AlertSpec & { minPerSecond: number };
    authFailures: AlertSpec & { minPerSecond: number };
  };

  alertmanager: {
    groupWait: string;
    groupInterval: string;
    repeatInterval: string;
    /** A critical alert still firing this long after Alertmanager received it reaches the escalation receiver. */
    escalateAfter: string;
    escalationRepeatInterval: string;
    /** Where the receivers' secrets are read from (files, never committed; see alertmanager/secrets/README.md). */
    secretsDir: string;
    /** Placeholder addresses: set yours. URLs and addresses are not secret; tokens and passwords are files. */
    smtp: { smarthost: string; from: string; username: string };
    pager: { webhookUrl: string; email: string };
    chat: { slackChannel: string };
    escalation: { webhookUrl: string; email: string };
    /**
     * hostwatch's remediation webhook (POST /api/v1/alertmanager), written as a commented receiver and
     * route: remediation runs only once someone uncomments it and lists the alerts that may act.
     */
    remediation: { url: string; alerts: string[] };
  };

  fleet: {
    /** End-of-life OS releases, as os-release ids (what hostwatch_os_info{id} and the inventory's `os` label
     *  hold) and versions; a version also matches its point releases ("7" matches "7.9"). No security
     *  updates any more (standard support over; paid extended support not counted). Review once a year. */
    endOfLife: { os: string; versions: string[] }[];
    /** A scraped host runs an end-of-life release (hostwatch_os_info). */
    hostEndOfLife: AlertSpec;
    /** Inventory hosts (the de-duplicated fleet) run an end-of-life release. Info: a standing fact shown on
     *  the Alerts page and the Fleet dashboard, not a notification every repeat interval. */
    inventoryEndOfLife: AlertSpec;
    /** More than `minimum` inventory hosts are not scraped by Prometheus (needs inventory.reconcile in hostwatch.yml). */
    notReporting: AlertSpec & { minimum: number };
    /** No successful import of a source's exports for `after` (exports not refreshed, or failing to parse). */
    importStale: AlertSpec & { after: string };
  };

  dashboards: {
    /** Hosts not rebooted for longer than this are listed on the Fleet dashboard. */
    longUptimeDays: number;
    refresh: string;
  };
}

export const defaultConfig: MixinConfig = {
  selector: 'job="hostwatch"',
  runbookBaseUrl: 'https://github.com/hostwatch/hostwatch/blob/main/docs/runbook.md',
  ruleInterval: '',

  host: {
    down: { for: '1m', severity: 'critical' },
    collectorFailing: { for: '10m', severity: 'warning' },
    configReloadFailed: { for: '10m', severity: 'warning' },
    textfileScrapeError: { for: '10m', severity: 'warning' },
    cpuHigh: { threshold: 0.9, for: '15m', severity: 'warning' },
    memoryHigh: { threshold: 0.9, for: '15m', severity: 'warning' },
    swapThrashing: { pagesPerSecond: 500, for: '10m', severity: 'warning' },
    filesystemAlmostFull: { warning: 0.1, critical: 0.05, for: '15m' },
    filesystemFillingUp: { lookback: '6h', horizon: '24h', onlyBelow: 0.4, for: '1h', severity: 'warning' },
    diskIOSaturation: { queueDepth: 10, for: '30m', severity: 'warning' },
    loadPerCoreHigh: { threshold: 2, for: '15m', severity: 'warning' },
    networkErrors: { errorsPerSecond: 1, for: '10m', severity: 'warning' },
    clockSkew: { seconds: 1, for: '10m', severity: 'warning' },
    fileDescriptors: { threshold: 0.9, for: '10m', severity: 'warning' },
    rebootRequired: { for: '1h', severity: 'info' },
    securityUpdates: { minimum: 1, for: '6h', severity: 'warning' },
    tlsExpiry: { warningDays: 14, criticalDays: 3, for: '10m' },
  },

  traffic: {
    high: { requestsPerSecond: 10, window: '2m', for: '0s', severity: 'warning' },
    errorRatio: { ratio: 0.05, window: '5m', minRequestsPerSecond: 0.1, for: '10m', severity: 'warning' },
    latency: { quantile: 0.95, seconds: 1, window: '5m', minRequestsPerSecond: 0.1, for: '10m', severity: 'warning' },
    logStalled: { after: '1h', logs: '.+', for: '0s', severity: 'info' },
    logLagging: { bytes: 16 * 1024 * 1024, for: '10m', severity: 'warning' },
    logUnreadable: { for: '10m', severity: 'warning' },
    unparsed: { ratio: 0.1, window: '10m', for: '15m', severity: 'warning' },
    topSections: { k: 10, window: '10s', interval: '10s' },
  },

  security: {
    bruteForce: { window: '2m', for: '0s', severity: 'warning' },
    authFailureSurge: { perSecond: 1, window: '5m', for: '10m', severity: 'warning' },
    sudoFailures: { count: 3, window: '10m', services: 'sudo|su', for: '0s', severity: 'warning' },
    portScan: { window: '2m', for: '0s', severity: 'warning' },
    firewallBlockSurge: { perSecond: 50, window: '5m', for: '10m', severity: 'warning' },
    fimChanged: { for: '0s', severity: 'warning' },
    fimCriticalChanged: { for: '0s', severity: 'critical' },
    fimScanStale: { after: '3h', for: '0s', severity: 'warning' },
    fimScanErrors: { window: '2h', for: '0s', severity: 'warning' },
    antivirus: { rules: 'clamav', window: '10m', for: '0s', severity: 'warning' },
    checkpointErrors: { window: '10m', for: '5m', severity: 'warning' },
  },

  probes: {
    failing: { for: '5m', severity: 'critical' },
    slow: { seconds: 1, window: '5m', for: '10m', severity: 'warning' },
    certExpiry: { warningDays: 14, criticalDays: 3, for: '10m' },
  },

  audit: {
    scoreDropped: { points: 10, window: '1d', for: '0s', severity: 'warning' },
    criticalCheckFailing: { for: '0s', severity: 'critical' },
    score: { bad: 50, good: 80 },
  },

  anomaly: {
    rateWindow: '5m',
    baseline: '1d',
    sigmas: 3,
    requests: { minPerSecond: 1, for: '15m', severity: 'warning' },
    authFailures: { minPerSecond: 0.2, for: '15m', severity: 'warning' },
  },

  alertmanager: {
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '4h',
    escalateAfter: '30m',
    escalationRepeatInterval: '1h',
    secretsDir: '/etc/alertmanager/secrets',
    smtp: { smarthost: 'smtp.example.org:587', from: 'alertmanager@example.org', username: 'alertmanager@example.org' },
    pager: { webhookUrl: 'https://pager.example.org/hooks/alertmanager', email: 'oncall@example.org' },
    chat: { slackChannel: '#alerts' },
    escalation: { webhookUrl: 'https://pager.example.org/hooks/escalation', email: 'ops-leads@example.org' },
    remediation: {
      url: 'http://localhost:10023/api/v1/alertmanager',
      alerts: ['SSHBruteForceSource', 'ServiceProbeFailed', 'HostFilesystemAlmostFull'],
    },
  },

  fleet: {
    // As of 2026-11.
    endOfLife: [
      {
        os: 'ubuntu',
        versions: ['12.04', '14.04', '16.04', '18.04', '20.04', '21.04', '21.10', '22.10', '23.04', '23.10', '24.10', '25.04'],
      },
      { os: 'debian', versions: ['7', '8', '9', '10', '11'] },
      { os: 'rhel', versions: ['5', '6', '7'] },
      { os: 'centos', versions: ['5', '6', '7', '8'] },
      { os: 'ol', versions: ['5', '6', '7'] },
      { os: 'sles', versions: ['11', '12'] },
      { os: 'amzn', versions: ['1', '2', '2018'] },
      { os: 'windows_server', versions: ['2003', '2008', '2008r2', '2012', '2012r2'] },
      { os: 'windows', versions: ['xp', 'vista', '7', '8', '8.1', '10'] },
      { os: 'macos', versions: ['10', '11', '12', '13'] },
    ],
    hostEndOfLife: { for: '1h', severity: 'warning' },
    inventoryEndOfLife: { for: '1h', severity: 'info' },
    notReporting: { minimum: 0, for: '1h', severity: 'warning' },
    importStale: { after: '2d', for: '0s', severity: 'warning' },
  },

  dashboards: {
    longUptimeDays: 90,
    refresh: '30s',
  },
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The default config with `overrides` merged in, key by key (used by the e2e suite to shorten windows). */
export function resolveConfig(overrides: DeepPartial<MixinConfig> = {}): MixinConfig {
  return merge(defaultConfig, overrides) as MixinConfig;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return over;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base as object)) {
    out[key] = merge((base as Record<string, unknown>)[key], (over as Record<string, unknown>)[key]);
  }
  for (const key of Object.keys(over as object)) {
    if (!(key in out)) throw new Error(`unknown mixin config key: ${key}`);
  }
  return out;
}
