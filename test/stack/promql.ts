// Pulls metric names out of PromQL expressions and queries out of Grafana dashboards, for the
// checks that every name used by a rule or a panel is one the exporter (or Prometheus) exposes.
// A deliberately small lexer: strings, label matchers, ranges and grouping clauses are removed, then
// every remaining identifier that is not a function call or a keyword is a metric name.

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'atan2',
]);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.$:])[a-zA-Z_:][\w:]*/g)) {
    const isCall = /^\s*\(/.test(stripped.slice(m.index + m[0].length));
    if (!isCall && !KEYWORDS.has(m[0])) names.add(m[0]);
  }
  return [...names];
}

/** Each `metric{matchers}` selector of an expression: the metric and the label names it matches on. */
export function selectorLabels(expr: string): { metric: string; labels: string[] }[] {
  const out: { metric: string; labels: string[] }[] = [];
  for (const m of expr.matchAll(/(?<![\w.$:])([a-zA-Z_:][\w:]*)\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}/g)) {
    const labels = [...m[2].matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g)].map((l) => l[1]);
    out.push({ metric: m[1], labels });
  }
  return out;
}

/** Label names of `by (...)`, `without (...)`, `on (...)`, `ignoring (...)` and `group_left/right (...)` clauses. */
export function groupingLabels(expr: string): string[] {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const out = new Set<string>();
  for (const m of noStrings.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    for (const l of m[1]
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean))
      out.add(l);
  }
  return [...out];
}

/** Labels named in a Grafana legend format ("{{instance}} {{mode}}"). */
export function legendLabels(legend: string | undefined): string[] {
  return [...(legend ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  legend?: string;
}

export interface Panel {
  type: string;
  title: string;
  datasource?: unknown;
  panels?: Panel[];
  targets?: { refId?: string; expr?: string; legendFormat?: string; datasource?: unknown }[];
}

export function panels(dashboard: { panels?: Panel[] }): Panel[] {
  return (dashboard.panels ?? []).flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

export function panelQueries(dashboard: { uid: string; panels?: Panel[] }): PanelQuery[] {
  return panels(dashboard).flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      dashboard: dashboard.uid,
      panel: p.title,
      refId: t.refId ?? '',
      expr: t.expr ?? '',
      legend: t.legendFormat,
    })),
  );
}

/** Grafana's variables replaced by values Prometheus accepts, as Grafana would send them. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval/g, '1m')
    .replace(/\$__range/g, '1h')
    .replace(/\$(job|instance)\b/g, '.+');
}
