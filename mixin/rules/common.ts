// Rule types and small PromQL helpers shared by the rule groups.
import type { AlertSpec, MixinConfig } from '../config.js';

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

/** `metric{<job selector>,extra}`: every expression is scoped to the hostwatch job(s). */
export function sel(cfg: MixinConfig, metric: string, extra = ''): string {
  const parts = [cfg.selector, extra].filter((s) => s !== '');
  return `${metric}{${parts.join(',')}}`;
}

/**
 * increase() of a counter over a window, where a series that appeared within the window counts
 * from 0. increase() needs two samples of a series, so a series born with a non-zero value would
 * read 0 and the alert would miss the very first event: the first detection of a new ClamAV
 * signature, the first sudo failure of a log (the exporter cannot create those series in advance,
 * it does not know the label values). Series older than the window keep increase(), which handles
 * counter resets. Set operators match on labels without the metric name, as needed here.
 */
export function increaseFromZero(series: string, window: string): string {
  const born = `(${series} unless ${series} offset ${window})`;
  return `(increase(${series}[${window}]) unless ${born}) or ${born}`;
}

/** The runbook anchor of an alert: its name in lower case (GitHub's anchor of a `## Name` heading). */
export function runbookAnchor(alert: string): string {
  return alert.toLowerCase();
}

/** The runbook_url of an alert; the base must be an absolute http(s) URL (a relative one is no link in a notification). */
export function runbookUrl(cfg: MixinConfig, alert: string): string {
  let base: URL;
  try {
    base = new URL(cfg.runbookBaseUrl);
  } catch {
    throw new Error(`mixin config runbookBaseUrl: ${JSON.stringify(cfg.runbookBaseUrl)} is not an absolute URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new Error(`mixin config runbookBaseUrl: ${cfg.runbookBaseUrl} is not an http(s) URL`);
  if (base.hash)
    throw new Error(`mixin config runbookBaseUrl: ${cfg.runbookBaseUrl} must not have a #fragment (the alert's anchor is added)`);
  return `${cfg.runbookBaseUrl}#${runbookAnchor(alert)}`;
}

/** Builds an alerting rule with severity, summary, description and runbook_url. */
export function alert(
  cfg: MixinConfig,
  name: string,
  spec: Pick<AlertSpec, 'for' | 'severity'>,
  expr: string,
  summary: string,
  description: string,
): AlertingRule {
  // Key order is the conventional one of rule files: alert, expr, for, labels, annotations.
  return {
    alert: name,
    expr,
    ...(seconds(spec.for) > 0 ? { for: spec.for } : {}),
    labels: { severity: spec.severity },
    annotations: { summary, description, runbook_url: runbookUrl(cfg, name) },
  };
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Parses a Prometheus duration ("1h30m", "10s", "0s") into seconds. */
export function seconds(duration: string): number {
  if (duration === '0' || duration === '') return 0;
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let consumed = 0;
  for (const m of duration.matchAll(re)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== duration.length) throw new Error(`invalid duration ${JSON.stringify(duration)}`);
  return total;
}

/** Formats seconds as a Prometheus duration ("90" → "1m30s"). */
export function duration(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  let rest = totalSeconds;
  let out = '';
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** Percent text for descriptions: 0.9 → "90%". */
export function pct(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}
