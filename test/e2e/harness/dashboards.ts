// Grafana dashboards as Prometheus sees them: every query of every panel (rows included) of the
// shipped JSON, with the template variables substituted the way Grafana's Prometheus data source
// does before sending the query.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface PanelQuery {
  dashboardUid: string;
  dashboardTitle: string;
  panelTitle: string;
  panelType: string;
  refId: string;
  /** The expression as written in the dashboard. */
  rawExpr: string;
  /** Whether Grafana runs it as an instant query (stat/table style) or a range query (graphs). */
  instant: boolean;
  /** Hidden targets are still run by Grafana (their result is only not drawn). */
  hide: boolean;
}

export interface VariableQuery {
  dashboardUid: string;
  name: string;
  rawQuery: string;
}

interface GrafanaTarget {
  expr?: string;
  refId?: string;
  instant?: boolean;
  range?: boolean;
  hide?: boolean;
  datasource?: unknown;
}
interface GrafanaPanel {
  title?: string;
  type?: string;
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}
interface GrafanaVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  current?: { value?: string | string[] };
  options?: { value?: string }[];
}
export interface GrafanaDashboard {
  uid: string;
  title: string;
  panels?: GrafanaPanel[];
  templating?: { list?: GrafanaVariable[] };
}

export async function loadDashboards(dir: string): Promise<{ file: string; dashboard: GrafanaDashboard }[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const out: { file: string; dashboard: GrafanaDashboard }[] = [];
  for (const f of files) {
    const json = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as GrafanaDashboard & { dashboard?: GrafanaDashboard };
    // Accept both a bare dashboard and the API envelope {dashboard: ...}.
    out.push({ file: f, dashboard: json.dashboard ?? json });
  }
  return out;
}

function* walkPanels(panels: GrafanaPanel[] | undefined): Generator<GrafanaPanel> {
  for (const p of panels ?? []) {
    yield p;
    // A collapsed row holds its panels inside itself.
    if (p.panels) yield* walkPanels(p.panels);
  }
}

export function panelQueries(d: GrafanaDashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const p of walkPanels(d.panels)) {
    for (const t of p.targets ?? []) {
      if (typeof t.expr !== 'string' || t.expr.trim() === '') continue;
      out.push({
        dashboardUid: d.uid,
        dashboardTitle: d.title,
        panelTitle: p.title ?? '(untitled)',
        panelType: p.type ?? '?',
        refId: t.refId ?? 'A',
        rawExpr: t.expr,
        instant: t.instant === true && t.range !== true,
        hide: t.hide === true,
      });
    }
  }
  return out;
}

export function variableQueries(d: GrafanaDashboard): VariableQuery[] {
  const out: VariableQuery[] = [];
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? v.definition ?? '');
    if (q.trim()) out.push({ dashboardUid: d.uid, name: v.name, rawQuery: q });
  }
  return out;
}

/** Escapes regex metacharacters the way Grafana's Prometheus data source does for `=~` values. */
export function promRegexEscape(value: string): string {
  // Grafana escapes with a backslash, doubled because the result sits inside a PromQL string literal.
  return value.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&');
}

export interface Substitution {
  /** Values of dashboard variables (job, instance, and any other). */
  vars: Record<string, string>;
  /** Grafana's built-in interval variables. */
  rateInterval: string;
  interval: string;
  rangeSeconds: number;
}

/**
 * Substitutes `$var`, `${var}`, `${var:format}` and `[[var]]` (longest names first, so `$instance`
 * never matches as `$inst`), and the built-ins `$__rate_interval`, `$__interval`, `$__interval_ms`,
 * `$__range`, `$__range_s`, `$__range_ms`. An unknown variable is left as is: the query then fails,
 * which is reported.
 */
export function substitute(expr: string, s: Substitution): string {
  const builtins: Record<string, string> = {
    __rate_interval: s.rateInterval,
    __interval: s.interval,
    __interval_ms: String(parseSimpleDurationMs(s.interval)),
    __range: `${s.rangeSeconds}s`,
    __range_s: String(s.rangeSeconds),
    __range_ms: String(s.rangeSeconds * 1000),
  };
  const all: Record<string, string> = { ...s.vars, ...builtins };
  const names = Object.keys(all)
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[$]/g, ''));
  const alt = names.join('|');
  const re = new RegExp(`\\$\\{(${alt})(?::[a-z]+)?\\}|\\[\\[(${alt})\\]\\]|\\$(${alt})(?![A-Za-z0-9_])`, 'g');
  return expr.replace(re, (_m, a?: string, b?: string, c?: string) => all[(a ?? b ?? c)!]);
}

function parseSimpleDurationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`bad interval ${d}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/**
 * Values for a dashboard's variables in this test: job and instance are the exporter's target,
 * datasource a name; other variables take their shipped current value, or match everything.
 */
export function variableValues(d: GrafanaDashboard, job: string, instance: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const v of d.templating?.list ?? []) {
    // Grafana regex-escapes the values of multi-value and All-including variables only.
    const fmt = (value: string) => (v.multi || v.includeAll ? promRegexEscape(value) : value);
    if (v.name === 'job') vars.job = fmt(job);
    else if (v.name === 'instance') vars.instance = fmt(instance);
    else if (v.type === 'datasource') vars[v.name] = 'prometheus';
    else {
      const cur = v.current?.value;
      const val = Array.isArray(cur) ? cur[0] : cur;
      vars[v.name] = val === undefined || val === '$__all' || val === 'All' ? '.*' : String(val);
    }
  }
  // Dashboards always get these, even if a dashboard forgot to declare them (its queries then fail).
  vars.job ??= promRegexEscape(job);
  vars.instance ??= promRegexEscape(instance);
  return vars;
}

/** Grafana's label_values(metric, label) → the selector Prometheus is asked for, and the label. */
export function labelValuesQuery(q: string): { selector: string; label: string } | undefined {
  const m = /^\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(q);
  if (m) return { selector: m[1], label: m[2] };
  return undefined;
}
