// Shared dashboard pieces on top of @grafana/grafana-foundation-sdk: the datasource/job/instance
// variables, a query builder bound to ${datasource}, and panel helpers with units and thresholds.
import * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import * as prom from '@grafana/grafana-foundation-sdk/prometheus';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import type { MixinConfig } from '../config.js';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** The label matchers of the job and instance variables, for every panel query. */
export const M = 'job=~"$job",instance=~"$instance"';

export interface Query {
  expr: string;
  legend?: string;
  /** Instant query, formatted as a table (for table panels). */
  table?: boolean;
}

type Steps = [number | null, string][];
/** Green below the first step, then each [value, colour]. */
export function thresholds(...steps: [number, string][]): dash.ThresholdsConfigBuilder {
  return thresholdsFrom('green', ...steps);
}

/** `base` below the first step, then each [value, colour]. */
export function thresholdsFrom(base: string, ...steps: [number, string][]): dash.ThresholdsConfigBuilder {
  const all: Steps = [[null, base], ...steps];
  return new dash.ThresholdsConfigBuilder().mode(dash.ThresholdsMode.Absolute).steps(all.map(([value, color]) => ({ value, color })));
}

function targets(queries: Query[]): prom.DataqueryBuilder[] {
  return queries.map((q, i) => {
    const b = new prom.DataqueryBuilder()
      .datasource(DATASOURCE)
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    if (q.table) b.instant().format(prom.PromQueryFormat.Table);
    else b.range();
    return b;
  });
}

export interface PanelOpts {
  unit?: string;
  description?: string;
  thresholds?: dash.ThresholdsConfigBuilder;
  min?: number;
  max?: number;
  stack?: boolean;
  w?: number;
  h?: number;
}

export function ts(title: string, queries: Query[], o: PanelOpts = {}): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets(queries))
    .unit(o.unit ?? 'short')
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    .fillOpacity(o.stack ? 40 : 10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.thresholds) {
    p.thresholds(o.thresholds).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  return common_opts(p, o);
}

export function statPanel(title: string, queries: Query[], o: PanelOpts = {}): stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets(queries))
    .unit(o.unit ?? 'short')
    .span(o.w ?? 4)
    .height(o.h ?? 4)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  if (o.thresholds) p.thresholds(o.thresholds);
  return common_opts(p, o);
}

export function tablePanel(title: string, queries: Query[], o: PanelOpts & { hide?: string[] } = {}): table.PanelBuilder {
  const p = new table.PanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets(queries.map((q) => ({ ...q, table: true }))))
    .unit(o.unit ?? 'short')
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    // Instant table queries carry a Time column and __name__; hide them and the exporter's own labels.
    .withTransformation({
      id: 'organize',
      options: { excludeByName: Object.fromEntries(['Time', '__name__', ...(o.hide ?? [])].map((k) => [k, true])) },
    });
  if (o.thresholds) p.thresholds(o.thresholds);
  return common_opts(p, o);
}

export function barPanel(title: string, queries: Query[], o: PanelOpts = {}): bargauge.PanelBuilder {
  const p = new bargauge.PanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets(queries.map((q) => ({ ...q, table: false }))))
    .unit(o.unit ?? 'short')
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  if (o.thresholds) p.thresholds(o.thresholds);
  return common_opts(p, o);
}

function common_opts<P extends { description(d: string): P; min(n: number): P; max(n: number): P }>(p: P, o: PanelOpts): P {
  if (o.description) p.description(o.description);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  return p;
}

/** A dashboard with the standard variables: datasource, job and instance (multi-select, All). */
export function dashboardBase(cfg: MixinConfig, uid: string, title: string, tags: string[]): dash.DashboardBuilder {
  const ds = { type: 'prometheus', uid: '${datasource}' };
  return new dash.DashboardBuilder(title)
    .uid(uid)
    .tags(['hostwatch', ...tags])
    .editable()
    .refresh(cfg.dashboards.refresh)
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dash.DashboardCursorSync.Crosshair)
    .withVariable(new dash.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new dash.QueryVariableBuilder('job')
        .label('Job')
        .datasource(ds)
        .query({ query: 'label_values(hostwatch_build_info, job)', refId: 'job' })
        .definition('label_values(hostwatch_build_info, job)')
        .refresh(dash.VariableRefresh.OnTimeRangeChanged)
        .sort(dash.VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.+'),
    )
    .withVariable(
      new dash.QueryVariableBuilder('instance')
        .label('Instance')
        .datasource(ds)
        .query({ query: 'label_values(hostwatch_build_info{job=~"$job"}, instance)', refId: 'instance' })
        .definition('label_values(hostwatch_build_info{job=~"$job"}, instance)')
        .refresh(dash.VariableRefresh.OnTimeRangeChanged)
        .sort(dash.VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.+'),
    );
}

export function row(title: string): dash.RowBuilder {
  return new dash.RowBuilder(title).collapsed(false);
}

/** Builds the dashboard and numbers its panels (stable ids, in layout order). */
export function finish(d: dash.DashboardBuilder): dash.Dashboard & { uid: string } {
  const built = d.build() as dash.Dashboard & { uid: string };
  let id = 1;
  for (const p of built.panels ?? []) (p as { id?: number }).id = id++;
  return built;
}
