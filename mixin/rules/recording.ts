// Recording rules, named level:metric:operations (Prometheus naming practice). The alerts and the
// dashboards read these instead of repeating the raw expressions.
import type { MixinConfig } from '../config.js';
import { sel, type RuleGroup } from './common.js';

/** Names of the recorded series, so that alerts and panels refer to them without typos. */
export function recorded(cfg: MixinConfig) {
  const a = cfg.anomaly;
  const ts = cfg.traffic.topSections;
  return {
    cpuCount: 'instance:hostwatch_cpus:count',
    cpuUtilisation: 'instance:hostwatch_cpu_utilisation:rate5m',
    memoryUtilisation: 'instance:hostwatch_memory_utilisation:ratio',
    loadPerCpu: 'instance:hostwatch_load15_per_cpu:ratio',
    requestsBySection: 'instance_log_section:hostwatch_http_requests:rate1m',
    topSections: `instance_section:hostwatch_http_requests:increase${ts.window}_topk${ts.k}`,
    authFailures: `instance_log:hostwatch_auth_failures:rate${cfg.security.authFailureSurge.window}`,
    requestRate: `instance:hostwatch_http_requests:rate${a.rateWindow}`,
    requestRateMean: `instance:hostwatch_http_requests:rate${a.rateWindow}_avg_over_time_${a.baseline}`,
    requestRateStddev: `instance:hostwatch_http_requests:rate${a.rateWindow}_stddev_over_time_${a.baseline}`,
    authRate: `instance:hostwatch_auth_failures:rate${a.rateWindow}`,
    authRateMean: `instance:hostwatch_auth_failures:rate${a.rateWindow}_avg_over_time_${a.baseline}`,
    authRateStddev: `instance:hostwatch_auth_failures:rate${a.rateWindow}_stddev_over_time_${a.baseline}`,
  };
}

export function recordingGroups(cfg: MixinConfig): RuleGroup[] {
  const r = recorded(cfg);
  const a = cfg.anomaly;
  const ts = cfg.traffic.topSections;
  return [
    {
      name: 'hostwatch-host.rules',
      rules: [
        { record: r.cpuCount, expr: `count without (cpu, mode) (${sel(cfg, 'hostwatch_cpu_seconds_total', 'mode="idle"')})` },
        {
          // Busy = everything but idle, iowait (waiting, not working) and steal (taken by the hypervisor).
          record: r.cpuUtilisation,
          expr: `1 - avg without (cpu) (sum without (mode) (rate(${sel(cfg, 'hostwatch_cpu_seconds_total', 'mode=~"idle|iowait|steal"')}[5m])))`,
        },
        {
          record: r.memoryUtilisation,
          expr: `1 - ${sel(cfg, 'hostwatch_memory_available_bytes')} / ${sel(cfg, 'hostwatch_memory_total_bytes')}`,
        },
        { record: r.loadPerCpu, expr: `${sel(cfg, 'hostwatch_load15')} / ${r.cpuCount}` },
      ],
    },
    {
      name: 'hostwatch-traffic.rules',
      rules: [
        {
          record: r.requestsBySection,
          expr: `sum without (method, status) (rate(${sel(cfg, 'hostwatch_http_requests_total')}[1m]))`,
        },
        {
          record: r.authFailures,
          expr: `sum without (service, reason) (rate(${sel(cfg, 'hostwatch_auth_failures_total')}[${cfg.security.authFailureSurge.window}]))`,
        },
      ],
    },
    {
      // The classic access-log monitor: the sections with the most hits in each short window, per host.
      name: 'hostwatch-top-sections.rules',
      interval: ts.interval,
      rules: [
        {
          record: r.topSections,
          expr: `topk by (job, instance) (${ts.k}, sum by (job, instance, section) (increase(${sel(cfg, 'hostwatch_http_requests_total')}[${ts.window}])))`,
        },
      ],
    },
    {
      // Rates per host and their mean and standard deviation over the baseline, for anomaly alerts.
      name: 'hostwatch-anomaly.rules',
      rules: [
        { record: r.requestRate, expr: `sum by (job, instance) (rate(${sel(cfg, 'hostwatch_http_requests_total')}[${a.rateWindow}]))` },
        { record: r.requestRateMean, expr: `avg_over_time(${r.requestRate}[${a.baseline}])` },
        { record: r.requestRateStddev, expr: `stddev_over_time(${r.requestRate}[${a.baseline}])` },
        { record: r.authRate, expr: `sum by (job, instance) (rate(${sel(cfg, 'hostwatch_auth_failures_total')}[${a.rateWindow}]))` },
        { record: r.authRateMean, expr: `avg_over_time(${r.authRate}[${a.baseline}])` },
        { record: r.authRateStddev, expr: `stddev_over_time(${r.authRate}[${a.baseline}])` },
      ],
    },
  ];
}
