// The "Dependencies" row of the host dashboard: the probes of the systems the host depends on
// (probes.targets in hostwatch.yml): up or down and why, how long they take by phase, and the expiry
// of the certificates the probed endpoints present.
import type * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../config.js';
import { M, row, tablePanel, thresholds, thresholdsFrom, ts } from './common.js';

export function withDependencies(cfg: MixinConfig, d: dash.DashboardBuilder): dash.DashboardBuilder {
  const p = cfg.probes;
  const avg = `rate(hostwatch_probe_total_duration_seconds_sum{${M}}[$__rate_interval]) / rate(hostwatch_probe_total_duration_seconds_count{${M}}[$__rate_interval])`;
  return d
    .withRow(row('Dependencies'))
    .withPanel(
      tablePanel('Probes failing now', [{ expr: `hostwatch_probe_failure_reason{${M}} == 1` }], {
        w: 12,
        h: 7,
        hide: ['Value', 'job'],
        description:
          'Probes whose last run failed, with the reason (timeout, connect, tls, status_code, body_regexp, rcode, not_permitted...). Empty: every probe succeeds.',
      }),
    )
    .withPanel(
      ts('Probe success', [{ expr: `hostwatch_probe_success{${M}}`, legend: '{{instance}} {{probe}} ({{type}})' }], {
        w: 12,
        h: 7,
        min: 0,
        max: 1,
        thresholds: thresholdsFrom('red', [1, 'green']),
        description: '1 when the last probe succeeded, 0 when it failed.',
      }),
    )
    .withPanel(
      ts('Probe duration (successful runs)', [{ expr: avg, legend: '{{instance}} {{probe}}' }], {
        unit: 's',
        min: 0,
        thresholds: thresholds([p.slow.seconds, 'red']),
        description: `Average duration of the successful runs; ProbeSlow fires above ${p.slow.seconds}s over ${p.slow.window}.`,
      }),
    )
    .withPanel(
      ts('Probe phases (last run)', [{ expr: `hostwatch_probe_duration_seconds{${M}}`, legend: '{{instance}} {{probe}} {{phase}}' }], {
        unit: 's',
        min: 0,
        stack: true,
        description: 'Where the time of the last run went: resolve, connect, tls, processing (to the first byte), transfer.',
      }),
    )
    .withPanel(
      tablePanel('Certificates of probed endpoints', [{ expr: `(hostwatch_probe_ssl_earliest_cert_expiry{${M}} - time()) / 86400` }], {
        unit: 'd',
        w: 12,
        h: 7,
        hide: ['job'],
        thresholds: thresholdsFrom('red', [p.certExpiry.criticalDays, 'orange'], [p.certExpiry.warningDays, 'green']),
        description:
          'Days until the earliest expiry of the certificates each endpoint presented (http probes of https:// targets, tcp probes with tls).',
      }),
    )
    .withPanel(
      ts(
        'HTTP status and DNS answers',
        [
          { expr: `hostwatch_probe_http_status_code{${M}}`, legend: '{{instance}} {{probe}} status' },
          { expr: `hostwatch_probe_dns_answer_rrs{${M}}`, legend: '{{instance}} {{probe}} answers' },
        ],
        {
          w: 12,
          h: 7,
          min: 0,
          description: 'Status code of the last HTTP response; records in the answer section of the last DNS response.',
        },
      ),
    );
}
