// Web traffic and log pipeline alerts.
import type { MixinConfig } from '../config.js';
import { alert, pct, seconds, sel, type RuleGroup } from './common.js';

export function trafficAlerts(cfg: MixinConfig): RuleGroup {
  const t = cfg.traffic;
  const requests = sel(cfg, 'hostwatch_http_requests_total');
  const reqRate = (window: string, by: string) => `sum by (${by}) (rate(${requests}[${window}]))`;
  return {
    name: 'hostwatch-traffic.alerts',
    rules: [
      alert(
        cfg,
        'HighTraffic',
        t.high,
        `${reqRate(t.high.window, 'job, instance')} > ${t.high.requestsPerSecond}`,
        'High traffic.',
        `High traffic generated an alert - hits = {{ $value | humanize }} req/s on {{ $labels.instance }}, averaged over ${t.high.window} (threshold ${t.high.requestsPerSecond} req/s).`,
      ),
      alert(
        cfg,
        'HTTPErrorRatioHigh',
        t.errorRatio,
        `(sum by (job, instance, log) (rate(${sel(cfg, 'hostwatch_http_requests_total', 'status="5xx"')}[${t.errorRatio.window}])) / ${reqRate(t.errorRatio.window, 'job, instance, log')} > ${t.errorRatio.ratio})` +
          ` and on (job, instance, log) (${reqRate(t.errorRatio.window, 'job, instance, log')} > ${t.errorRatio.minRequestsPerSecond})`,
        'Many HTTP 5xx responses.',
        `{{ $value | humanizePercentage }} of the requests in log {{ $labels.log }} on {{ $labels.instance }} got a 5xx response over ${t.errorRatio.window} (threshold ${pct(t.errorRatio.ratio)}).`,
      ),
      alert(
        cfg,
        'HTTPLatencyHigh',
        t.latency,
        `(histogram_quantile(${t.latency.quantile}, sum by (job, instance, log, le) (rate(${sel(cfg, 'hostwatch_http_request_duration_seconds_bucket')}[${t.latency.window}]))) > ${t.latency.seconds})` +
          ` and on (job, instance, log) (${reqRate(t.latency.window, 'job, instance, log')} > ${t.latency.minRequestsPerSecond})`,
        'HTTP latency is high.',
        `p${Math.round(t.latency.quantile * 100)} request duration of log {{ $labels.log }} on {{ $labels.instance }} is {{ $value | humanizeDuration }} (threshold ${t.latency.seconds}s).`,
      ),
      alert(
        cfg,
        'HostwatchLogStalled',
        t.logStalled,
        `time() - ${sel(cfg, 'hostwatch_log_last_line_timestamp_seconds', `log=~"${t.logStalled.logs}"`)} > ${seconds(t.logStalled.after)}`,
        'A log has not been written to for a long time.',
        `No new line in log {{ $labels.log }} on {{ $labels.instance }} for {{ $value | humanizeDuration }} (threshold ${t.logStalled.after}): is the service (or its logging) down?`,
      ),
      alert(
        cfg,
        'HostwatchLogLagging',
        t.logLagging,
        `${sel(cfg, 'hostwatch_log_pending_bytes')} > ${t.logLagging.bytes}`,
        'hostwatch is falling behind a log.',
        `{{ $value | humanize1024 }}B of log {{ $labels.log }} on {{ $labels.instance }} are written but not yet read by hostwatch (threshold ${t.logLagging.bytes / 1048576} MiB).`,
      ),
      alert(
        cfg,
        'HostwatchLogUnreadable',
        t.logUnreadable,
        `${sel(cfg, 'hostwatch_log_file_errors')} > 0`,
        'hostwatch cannot read a configured log.',
        `{{ $value }} file(s) or directories of log {{ $labels.log }} on {{ $labels.instance }} cannot be followed ({{ $labels.reason }}) for ${t.logUnreadable.for}: their lines are not counted. The exporter's log says which paths.`,
      ),
      alert(
        cfg,
        'HostwatchLogUnparsedLines',
        t.unparsed,
        `sum by (job, instance, log) (rate(${sel(cfg, 'hostwatch_log_lines_total', 'result="unparsed"')}[${t.unparsed.window}])) / sum by (job, instance, log) (rate(${sel(cfg, 'hostwatch_log_lines_total')}[${t.unparsed.window}])) > ${t.unparsed.ratio}`,
        'Many log lines do not parse.',
        `{{ $value | humanizePercentage }} of the lines of log {{ $labels.log }} on {{ $labels.instance }} do not parse (threshold ${pct(t.unparsed.ratio)}): check its format with \`hostwatch parse\`.`,
      ),
    ],
  };
}
