// A small DSL for promtool unit tests of the generated rules: each case is one promtool test group
// with its own input series, asserting that an alert fires (exact labels and annotations) or not.
import type { MixinConfig } from '../config.js';
import { runbookUrl, type AlertingRule, type RuleGroup } from '../rules/common.js';

export interface PromtoolAlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
}

export interface PromtoolGroup {
  name: string;
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test?: PromtoolAlertTest[];
  promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

export interface PromtoolFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: PromtoolGroup[];
}

/** The labels Prometheus attaches to every hostwatch series in the tests. */
export const TARGET = { job: 'hostwatch', instance: 'host1:10023' };
export const T = `job="hostwatch",instance="host1:10023"`;

export interface Expect {
  at: string;
  /** Labels of each expected alert besides job/instance/severity; [] = must not fire at `at`. */
  alerts: { labels?: Record<string, string>; severity?: string; description: string; noTarget?: boolean }[];
}

/** Looks up the generated alert rules so that expectations follow the config's severities. */
export class AlertCatalog {
  private readonly rules = new Map<string, AlertingRule[]>();
  constructor(
    readonly cfg: MixinConfig,
    groups: RuleGroup[],
  ) {
    for (const g of groups) {
      for (const r of g.rules) {
        if ('alert' in r) this.rules.set(r.alert, [...(this.rules.get(r.alert) ?? []), r]);
      }
    }
  }

  names(): string[] {
    return [...this.rules.keys()];
  }

  /** One promtool test group: `series` as [series, values] pairs, then the expectations in time order. */
  group(alert: string, name: string, series: [string, string][], expects: Expect[], interval = '1m'): PromtoolGroup {
    const rules = this.rules.get(alert);
    if (!rules) throw new Error(`no generated alert ${alert}`);
    return {
      name: `${alert}: ${name}`,
      interval,
      input_series: series.map(([s, values]) => ({ series: s, values })),
      alert_rule_test: expects.map((e) => ({
        eval_time: e.at,
        alertname: alert,
        exp_alerts: e.alerts.map((a) => {
          const severity = a.severity ?? rules[0].labels.severity;
          const rule = rules.find((r) => r.labels.severity === severity);
          if (!rule) throw new Error(`${alert} has no ${severity} rule`);
          return {
            exp_labels: { ...(a.noTarget ? {} : TARGET), ...(a.labels ?? {}), severity },
            exp_annotations: {
              summary: rule.annotations.summary,
              description: a.description,
              runbook_url: runbookUrl(this.cfg, alert),
            },
          };
        }),
      })),
    };
  }
}
