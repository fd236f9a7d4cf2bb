// promtool tests of the traffic and log pipeline alerts.
import { pct } from '../rules/common.js';
import { AlertCatalog, T, type PromtoolGroup } from './dsl.js';

export function trafficTests(c: AlertCatalog): PromtoolGroup[] {
  const t = c.cfg.traffic;
  const req = (section: string, status: string) =>
    `hostwatch_http_requests_total{${T},log="web",section="${section}",method="GET",status="${status}"}`;
  const bucket = (le: string) => `hostwatch_http_request_duration_seconds_bucket{${T},log="web",section="/",le="${le}"}`;
  const high = (rate: string) =>
    `High traffic generated an alert - hits = ${rate} req/s on host1:10023, averaged over ${t.high.window} (threshold ${t.high.requestsPerSecond} req/s).`;
  return [
    // 2 sections at 10 req/s each for 10 minutes, then 1 req/s in total: fires, then resolves.
    c.group(
      'HighTraffic',
      'fires above the threshold and resolves below it',
      [
        [req('/pages', '2xx'), '0+600x10 6030+30x20'],
        [req('/api', '2xx'), '0+600x10 6030+30x20'],
      ],
      [
        { at: '5m', alerts: [{ description: high('20') }] },
        { at: '20m', alerts: [] },
      ],
    ),
    c.group('HighTraffic', 'below the threshold', [[req('/pages', '2xx'), '0+300x30']], [{ at: '10m', alerts: [] }]),
    c.group(
      'HTTPErrorRatioHigh',
      '10% 5xx',
      [
        [req('/', '2xx'), '0+540x30'],
        [req('/', '5xx'), '0+60x30'],
      ],
      [
        {
          at: '20m',
          alerts: [
            {
              labels: { log: 'web' },
              description: `10% of the requests in log web on host1:10023 got a 5xx response over ${t.errorRatio.window} (threshold ${pct(t.errorRatio.ratio)}).`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HTTPErrorRatioHigh',
      'few 5xx, or all 5xx on near-idle traffic',
      [
        [req('/', '2xx'), '0+540x30'],
        [req('/', '5xx'), '0+6x30'],
        [`hostwatch_http_requests_total{${T},log="idle",section="/",method="GET",status="5xx"}`, '0+1x30'],
      ],
      [{ at: '20m', alerts: [] }],
    ),
    c.group(
      'HTTPLatencyHigh',
      'every request between 1 and 2.5 s',
      [
        [req('/', '2xx'), '0+600x30'],
        [bucket('0.5'), '0x30'],
        [bucket('1'), '0x30'],
        [bucket('2.5'), '0+600x30'],
        [bucket('+Inf'), '0+600x30'],
      ],
      [
        {
          at: '20m',
          alerts: [
            {
              labels: { log: 'web' },
              description: `p95 request duration of log web on host1:10023 is 2.425s (threshold ${t.latency.seconds}s).`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HTTPLatencyHigh',
      'every request under 0.5 s',
      [
        [req('/', '2xx'), '0+600x30'],
        [bucket('0.5'), '0+600x30'],
        [bucket('1'), '0+600x30'],
        [bucket('2.5'), '0+600x30'],
        [bucket('+Inf'), '0+600x30'],
      ],
      [{ at: '20m', alerts: [] }],
    ),
    c.group(
      'HostwatchLogStalled',
      'no line for 2 hours',
      [[`hostwatch_log_last_line_timestamp_seconds{${T},log="auth"}`, '0x200']],
      [
        {
          at: '2h',
          alerts: [
            {
              labels: { log: 'auth' },
              description: `No new line in log auth on host1:10023 for 2h 0m 0s (threshold ${t.logStalled.after}): is the service (or its logging) down?`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostwatchLogStalled',
      'lines keep coming',
      [[`hostwatch_log_last_line_timestamp_seconds{${T},log="auth"}`, '0+60x200']],
      [{ at: '2h', alerts: [] }],
    ),
    c.group(
      'HostwatchLogLagging',
      '32 MiB behind',
      [[`hostwatch_log_pending_bytes{${T},log="web"}`, '33554432x30']],
      [
        { at: '5m', alerts: [] },
        {
          at: '15m',
          alerts: [
            {
              labels: { log: 'web' },
              description: `32MiB of log web on host1:10023 are written but not yet read by hostwatch (threshold ${t.logLagging.bytes / 1048576} MiB).`,
            },
          ],
        },
      ],
    ),
    c.group('HostwatchLogLagging', 'keeping up', [[`hostwatch_log_pending_bytes{${T},log="web"}`, '1000x30']], [{ at: '15m', alerts: [] }]),
    c.group(
      'HostwatchLogUnreadable',
      'permission denied for 15 minutes',
      [
        [`hostwatch_log_file_errors{${T},log="auth",reason="permission_denied"}`, '1x30'],
        [`hostwatch_log_file_errors{${T},log="auth",reason="gone"}`, '0x30'],
      ],
      [
        { at: '5m', alerts: [] },
        {
          at: '15m',
          alerts: [
            {
              labels: { log: 'auth', reason: 'permission_denied' },
              description: `1 file(s) or directories of log auth on host1:10023 cannot be followed (permission_denied) for ${t.logUnreadable.for}: their lines are not counted. The exporter's log says which paths.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostwatchLogUnreadable',
      'fixed after 5 minutes',
      [[`hostwatch_log_file_errors{${T},log="auth",reason="permission_denied"}`, '1x5 0x25']],
      [{ at: '15m', alerts: [] }],
    ),
    c.group(
      'HostwatchLogUnparsedLines',
      '25% unparsed',
      [
        [`hostwatch_log_lines_total{${T},log="web",result="parsed"}`, '0+540x60'],
        [`hostwatch_log_lines_total{${T},log="web",result="unparsed"}`, '0+180x60'],
      ],
      [
        {
          at: '30m',
          alerts: [
            {
              labels: { log: 'web' },
              description: `25% of the lines of log web on host1:10023 do not parse (threshold ${pct(t.unparsed.ratio)}): check its format with \`hostwatch parse\`.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostwatchLogUnparsedLines',
      '1% unparsed',
      [
        [`hostwatch_log_lines_total{${T},log="web",result="parsed"}`, '0+540x60'],
        [`hostwatch_log_lines_total{${T},log="web",result="unparsed"}`, '0+6x60'],
      ],
      [{ at: '30m', alerts: [] }],
    ),
  ];
}
