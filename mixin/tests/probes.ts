// promtool tests of the probe alerts.
import { seconds } from '../rules/common.js';
import { AlertCatalog, T, type PromtoolGroup } from './dsl.js';

export function probeTests(c: AlertCatalog): PromtoolGroup[] {
  const p = c.cfg.probes;
  const forMinutes = seconds(p.failing.for) / 60;
  const success = (probe: string, type: string) => `hostwatch_probe_success{${T},probe="${probe}",type="${type}"}`;
  const reason = (probe: string, r: string) => `hostwatch_probe_failure_reason{${T},probe="${probe}",reason="${r}"}`;
  const failing = (probe: string, type: string, r: string) => ({
    labels: { probe, type },
    description: `Probe ${probe} (${type}) of host1:10023 has failed for ${p.failing.for} (reason: ${r}).`,
  });
  // A histogram of successful probe durations: `runs` runs per minute of `each` seconds each.
  const histogram = (probe: string, runs: number, each: number): [string, string][] => [
    [`hostwatch_probe_total_duration_seconds_sum{${T},probe="${probe}"}`, `0+${runs * each}x40`],
    [`hostwatch_probe_total_duration_seconds_count{${T},probe="${probe}"}`, `0+${runs}x40`],
  ];
  const expiry = (probe: string) => `hostwatch_probe_ssl_earliest_cert_expiry{${T},probe="${probe}"}`;
  const certAlert = (left: string, severity: string, days: number) => ({
    labels: { probe: 'api' },
    severity,
    description: `The certificate presented to probe api of host1:10023 expires in ${left} (${severity} below ${days} days).`,
  });
  return [
    c.group(
      'ProbeFailing',
      `failing for ${p.failing.for}, with its reason`,
      [
        [success('db', 'tcp'), '1 1 0x20'],
        [reason('db', 'connect'), '_ _ 1x20'],
        [success('api', 'http'), '1x22'],
      ],
      [
        { at: `${forMinutes}m`, alerts: [] },
        { at: `${forMinutes + 3}m`, alerts: [failing('db', 'tcp', 'connect')] },
      ],
    ),
    c.group(
      'ProbeFailing',
      'failing every other run: never for the whole duration',
      [[success('flaky', 'http'), '0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1']],
      [{ at: '19m', alerts: [] }],
    ),
    c.group(
      'ProbeFailing',
      'recovered',
      [
        [success('dns', 'dns'), '0x10 1x10'],
        [reason('dns', 'timeout'), '1x10'],
      ],
      [
        { at: '9m', alerts: [failing('dns', 'dns', 'timeout')] },
        { at: '15m', alerts: [] },
      ],
    ),
    c.group('ProbeSlow', 'runs take 2 s on average', histogram('api', 2, 2 * p.slow.seconds), [
      { at: '5m', alerts: [] },
      {
        at: '30m',
        alerts: [
          {
            labels: { probe: 'api' },
            description: `Probe api of host1:10023 takes ${2 * p.slow.seconds}s on average over ${p.slow.window} (threshold ${p.slow.seconds}s).`,
          },
        ],
      },
    ]),
    c.group('ProbeSlow', 'fast runs', histogram('api', 2, p.slow.seconds / 10), [{ at: '30m', alerts: [] }]),
    c.group(
      'ProbeCertificateExpiring',
      'expires in 10 days: warning',
      [[expiry('api'), '864000x30']],
      [{ at: '20m', alerts: [certAlert('9d 23h 40m 0s', 'warning', p.certExpiry.warningDays)] }],
    ),
    c.group(
      'ProbeCertificateExpiring',
      'expires in 2 days: warning and critical',
      [[expiry('api'), '172800x30']],
      [
        {
          at: '20m',
          alerts: [
            certAlert('1d 23h 40m 0s', 'warning', p.certExpiry.warningDays),
            certAlert('1d 23h 40m 0s', 'critical', p.certExpiry.criticalDays),
          ],
        },
      ],
    ),
    c.group('ProbeCertificateExpiring', 'expires in 30 days', [[expiry('api'), '2592000x30']], [{ at: '20m', alerts: [] }]),
  ];
}
