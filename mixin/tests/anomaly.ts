// promtool tests of the anomaly alerts: a day of steady traffic, then a spike.
import { AlertCatalog, T, type PromtoolGroup } from './dsl.js';

export function anomalyTests(c: AlertCatalog): PromtoolGroup[] {
  const a = c.cfg.anomaly;
  const req = `hostwatch_http_requests_total{${T},log="web",section="/",method="GET",status="2xx"}`;
  const auth = `hostwatch_auth_failures_total{${T},log="auth",service="sshd",reason="password"}`;
  // 1440 minutes at 10 req/s, then 30 minutes at 100 req/s (values per minute).
  const steadyThenSpike = (perMinute: number, spikePerMinute: number) =>
    `0+${perMinute}x1440 ${1441 * perMinute - perMinute + spikePerMinute}+${spikePerMinute}x30`;
  return [
    c.group(
      'HTTPRequestRateAnomaly',
      'spike to 10x the daily rate',
      [[req, steadyThenSpike(600, 6000)]],
      [
        { at: '1d5m', alerts: [] },
        {
          at: '1d25m',
          alerts: [
            {
              description: `The request rate on host1:10023 is 100 req/s, more than ${a.sigmas} standard deviations away from its ${a.baseline} mean.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HTTPRequestRateAnomaly',
      'traffic stops (an outage upstream is an anomaly too)',
      [[req, '0+600x1440 864000x30']],
      [
        {
          at: '1d25m',
          alerts: [
            {
              description: `The request rate on host1:10023 is 0 req/s, more than ${a.sigmas} standard deviations away from its ${a.baseline} mean.`,
            },
          ],
        },
      ],
    ),
    c.group('HTTPRequestRateAnomaly', 'steady rate', [[req, '0+600x1470']], [{ at: '1d25m', alerts: [] }]),
    c.group(
      'AuthFailureRateAnomaly',
      'spike to 10x the daily rate',
      [[auth, steadyThenSpike(30, 300)]],
      [
        {
          at: '1d25m',
          alerts: [
            {
              description: `The authentication failure rate on host1:10023 is 5/s, more than ${a.sigmas} standard deviations away from its ${a.baseline} mean.`,
            },
          ],
        },
      ],
    ),
    c.group('AuthFailureRateAnomaly', 'steady rate', [[auth, '0+30x1470']], [{ at: '1d25m', alerts: [] }]),
  ];
}
