// Anomaly alerts: a rate more than N standard deviations away from its mean over the baseline
// (recorded in recording.ts), sustained. The value is the current rate. A minimum rate keeps near-idle series quiet, where any
// single event is "many sigmas" away from a mean of almost zero.
import type { MixinConfig, AlertSpec } from '../config.js';
import { alert, type RuleGroup } from './common.js';
import { recorded } from './recording.js';

export function anomalyAlerts(cfg: MixinConfig): RuleGroup {
  const a = cfg.anomaly;
  const r = recorded(cfg);
  const anomaly = (rate: string, mean: string, stddev: string, spec: AlertSpec & { minPerSecond: number }) =>
    `${rate} and (abs(${rate} - ${mean}) > ${a.sigmas} * ${stddev}) and (${rate} > ${spec.minPerSecond} or ${mean} > ${spec.minPerSecond})`;
  return {
    name: 'hostwatch-anomaly.alerts',
    rules: [
      alert(
        cfg,
        'HTTPRequestRateAnomaly',
        a.requests,
        anomaly(r.requestRate, r.requestRateMean, r.requestRateStddev, a.requests),
        'Unusual request rate.',
        `The request rate on {{ $labels.instance }} is {{ $value | humanize }} req/s, more than ${a.sigmas} standard deviations away from its ${a.baseline} mean.`,
      ),
      alert(
        cfg,
        'AuthFailureRateAnomaly',
        a.authFailures,
        anomaly(r.authRate, r.authRateMean, r.authRateStddev, a.authFailures),
        'Unusual authentication failure rate.',
        `The authentication failure rate on {{ $labels.instance }} is {{ $value | humanize }}/s, more than ${a.sigmas} standard deviations away from its ${a.baseline} mean.`,
      ),
    ],
  };
}
