// Web traffic: request rate, top sections, status classes, latency, unparsed lines.
import type { MixinConfig } from '../config.js';
import { recorded } from '../rules/recording.js';
import { M, barPanel, dashboardBase, finish, row, statPanel, tablePanel, thresholds, ts } from './common.js';

export function webDashboard(cfg: MixinConfig) {
  const r = recorded(cfg);
  const t = cfg.traffic;
  const req = `hostwatch_http_requests_total{${M}}`;
  const q = t.latency.quantile;
  const quantile = (p: number) =>
    `histogram_quantile(${p}, sum by (instance, log, le) (rate(hostwatch_http_request_duration_seconds_bucket{${M}}[$__rate_interval])))`;
  return finish(
    dashboardBase(cfg, 'hostwatch-web', 'hostwatch / Web traffic', ['web'])
      .withRow(row('Traffic'))
      .withPanel(
        statPanel(
          `Requests/s (last ${t.high.window})`,
          [{ expr: `sum by (instance) (rate(${req}[${t.high.window}]))`, legend: '{{instance}}' }],
          {
            unit: 'reqps',
            w: 6,
            thresholds: thresholds([t.high.requestsPerSecond, 'red']),
            description: `The HighTraffic alert fires above ${t.high.requestsPerSecond} req/s averaged over ${t.high.window}.`,
          },
        ),
      )
      .withPanel(
        // `or ... * 0`: a host that never answered a 5xx has no 5xx series; show 0%, not "No data".
        statPanel(
          '5xx ratio',
          [
            {
              expr: `(sum by (instance) (rate(hostwatch_http_requests_total{${M},status="5xx"}[$__rate_interval])) or sum by (instance) (rate(${req}[$__rate_interval])) * 0) / sum by (instance) (rate(${req}[$__rate_interval]))`,
              legend: '{{instance}}',
            },
          ],
          {
            unit: 'percentunit',
            w: 6,
            thresholds: thresholds([t.errorRatio.ratio / 2, 'orange'], [t.errorRatio.ratio, 'red']),
          },
        ),
      )
      .withPanel(
        statPanel(`p${Math.round(q * 100)} latency`, [{ expr: quantile(q), legend: '{{instance}} {{log}}' }], {
          unit: 's',
          w: 6,
          thresholds: thresholds([t.latency.seconds / 2, 'orange'], [t.latency.seconds, 'red']),
        }),
      )
      .withPanel(
        statPanel(
          'Unparsed lines',
          [
            {
              expr: `sum by (instance) (rate(hostwatch_log_lines_total{${M},result="unparsed"}[$__rate_interval])) / sum by (instance) (rate(hostwatch_log_lines_total{${M}}[$__rate_interval]))`,
              legend: '{{instance}}',
            },
          ],
          {
            unit: 'percentunit',
            w: 6,
            thresholds: thresholds([t.unparsed.ratio, 'red']),
          },
        ),
      )
      .withPanel(
        ts('Request rate by log', [{ expr: `sum by (instance, log) (rate(${req}[$__rate_interval]))`, legend: '{{instance}} {{log}}' }], {
          unit: 'reqps',
          min: 0,
          thresholds: thresholds([t.high.requestsPerSecond, 'red']),
        }),
      )
      .withPanel(
        ts('Requests by status class', [{ expr: `sum by (status) (rate(${req}[$__rate_interval]))`, legend: '{{status}}' }], {
          unit: 'reqps',
          stack: true,
          min: 0,
        }),
      )
      .withRow(row('Sections'))
      .withPanel(
        barPanel(
          `Top ${t.topSections.k} sections (hits per ${t.topSections.window})`,
          [{ expr: `${r.topSections}{${M}}`, legend: '{{instance}} {{section}}' }],
          {
            description: `Recorded every ${t.topSections.interval}: the sections with the most hits in the last ${t.topSections.window}, per host.`,
          },
        ),
      )
      .withPanel(
        ts('Request rate by section', [{ expr: `topk(10, sum by (section) (${r.requestsBySection}{${M}}))`, legend: '{{section}}' }], {
          unit: 'reqps',
          min: 0,
        }),
      )
      .withPanel(
        tablePanel('Sections over the time range', [{ expr: `sort_desc(sum by (section) (increase(${req}[$__range])))` }], {
          description: 'Requests per section over the selected time range.',
        }),
      )
      .withPanel(
        ts(
          'Response bytes by section',
          [
            {
              expr: `topk(10, sum by (section) (rate(hostwatch_http_response_bytes_total{${M}}[$__rate_interval])))`,
              legend: '{{section}}',
            },
          ],
          { unit: 'Bps', min: 0 },
        ),
      )
      .withRow(row('Latency and parsing'))
      .withPanel(
        ts(
          'Latency quantiles',
          [
            { expr: quantile(0.5), legend: '{{instance}} {{log}} p50' },
            { expr: quantile(0.95), legend: '{{instance}} {{log}} p95' },
            { expr: quantile(0.99), legend: '{{instance}} {{log}} p99' },
          ],
          { unit: 's', min: 0, thresholds: thresholds([t.latency.seconds, 'red']) },
        ),
      )
      .withPanel(
        ts(
          'Log lines by result',
          [{ expr: `sum by (log, result) (rate(hostwatch_log_lines_total{${M}}[$__rate_interval]))`, legend: '{{log}} {{result}}' }],
          { unit: 'ops', min: 0 },
        ),
      ),
  );
}
