// Every metric name used by a generated rule or a dashboard panel is one the exporter really exposes,
// read from the exporter's own registries (scripts/catalogue.ts builds every collector with all log
// types and FIM enabled), or one Prometheus makes itself; and every expression is valid PromQL.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { metricFamilies, seriesNames } from '../../scripts/catalogue.js';
import { REPO, expectOk, run } from './tools.js';
import { groupingLabels, legendLabels, metricNames, panelQueries, selectorLabels, substituteGrafanaVariables } from './promql.js';

const rules = readdirSync(join(REPO, 'prometheus/rules')).flatMap((f) =>
  (
    parse(readFileSync(join(REPO, 'prometheus/rules', f), 'utf8')).groups as {
      rules: { record?: string; alert?: string; expr: string }[];
    }[]
  ).flatMap((g) => g.rules),
);
const dashboards = readdirSync(join(REPO, 'grafana/dashboards')).map((f) =>
  JSON.parse(readFileSync(join(REPO, 'grafana/dashboards', f), 'utf8')),
);
const queries = dashboards.flatMap(panelQueries);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-promql-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Series Prometheus adds itself: target health, scrape stats, and the alert state series. */
const PROMETHEUS_OWN = /^(up|scrape_[a-z_]+|ALERTS|ALERTS_FOR_STATE)$/;

describe('metric names', () => {
  const exposed = new Set(metricFamilies().flatMap(seriesNames));

  it('the extractor finds metric names and nothing else', () => {
    expect(metricNames('sum by (job, instance) (rate(a_total{job="x",log=~"b|c"}[5m])) / on (job) group_left () b:c:d')).toEqual([
      'a_total',
      'b:c:d',
    ]);
    expect(metricNames('topk by (job) (10, increase(x[10s])) > 1e3 and time() - y offset 5m')).toEqual(['x', 'y']);
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(h_bucket{a="$job"}[$__rate_interval])))')).toEqual(['h_bucket']);
    expect(metricNames('count(up == 0) or vector(0)')).toEqual(['up']);
  });

  it('the catalogue is read from the exporter (sanity: families of every kind are there)', () => {
    for (const name of [
      'hostwatch_cpu_seconds_total',
      'hostwatch_collector_success',
      'hostwatch_http_requests_total',
      'hostwatch_fim_changed_files',
      'process_resident_memory_bytes',
    ]) {
      expect(exposed.has(name), name).toBe(true);
    }
  });

  const unknown = (names: string[]) => names.filter((n) => !exposed.has(n) && !recorded.has(n) && !PROMETHEUS_OWN.test(n));

  it('every name in a rule is exposed by hostwatch, recorded by a rule, or Prometheus own', () => {
    const missing = rules.flatMap((r) => unknown(metricNames(r.expr)).map((n) => `${r.alert ?? r.record}: ${n}`));
    expect(missing).toEqual([]);
  });

  it('every name in a panel or a variable query is exposed by hostwatch, recorded, or Prometheus own', () => {
    const missing = queries.flatMap((q) => unknown(metricNames(q.expr)).map((n) => `${q.dashboard} / ${q.panel} (${q.refId}): ${n}`));
    for (const d of dashboards) {
      for (const v of d.templating.list) {
        const m = /^label_values\((\w+)/.exec(v.query?.query ?? '');
        if (m) missing.push(...unknown([m[1]]).map((n) => `${d.uid} / variable ${v.name}: ${n}`));
      }
    }
    expect(missing).toEqual([]);
  });

  it('every label matched in a selector is a label of that metric (or job/instance from the scrape)', () => {
    const labels = new Map<string, Set<string>>();
    for (const f of metricFamilies())
      for (const n of seriesNames(f)) labels.set(n, new Set([...f.labelNames, ...(n.endsWith('_bucket') ? ['le'] : [])]));
    const exprs = [
      ...rules.map((r) => ({ where: r.alert ?? r.record ?? '', expr: r.expr })),
      ...queries.map((q) => ({ where: `${q.dashboard} / ${q.panel}`, expr: q.expr })),
    ];
    expect(selectorLabels('a{job="x",log=~"a|b"} + b{c!="}"}')).toEqual([
      { metric: 'a', labels: ['job', 'log'] },
      { metric: 'b', labels: ['c'] },
    ]);
    const wrong: string[] = [];
    for (const { where, expr } of exprs) {
      for (const s of selectorLabels(expr)) {
        const known = labels.get(s.metric);
        if (!known) continue; // recorded series and Prometheus' own: checked by name above
        for (const l of s.labels) if (l !== 'job' && l !== 'instance' && !known.has(l)) wrong.push(`${where}: ${s.metric}{${l}}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every label grouped on, joined on or shown in a legend belongs to a metric of the expression', () => {
    const labels = new Map<string, string[]>();
    for (const f of metricFamilies())
      for (const n of seriesNames(f)) labels.set(n, [...f.labelNames, ...(n.endsWith('_bucket') ? ['le'] : [])]);
    // A recorded series keeps the labels its level names (level:metric:operations), and job.
    for (const r of recorded) labels.set(r, r.split(':')[0].split('_'));
    const available = (expr: string) => new Set(['job', 'instance', ...metricNames(expr).flatMap((n) => labels.get(n) ?? [])]);
    expect(groupingLabels('sum by (job, le) (x) / on (a) group_left (b) y')).toEqual(['job', 'le', 'a', 'b']);
    expect(legendLabels('{{instance}} {{ mode }} x')).toEqual(['instance', 'mode']);
    expect(available('sum by (log) (rate(hostwatch_cpu_seconds_total[5m]))').has('log')).toBe(false);
    expect(available('instance_log:hostwatch_auth_failures:rate5m > 1').has('log')).toBe(true);
    const wrong: string[] = [];
    for (const r of rules) {
      const have = available(r.expr);
      for (const l of groupingLabels(r.expr)) if (!have.has(l)) wrong.push(`${r.alert ?? r.record}: ${l}`);
    }
    for (const q of queries) {
      const have = available(q.expr);
      for (const l of [...groupingLabels(q.expr), ...legendLabels(q.legend)])
        if (!have.has(l)) wrong.push(`${q.dashboard} / ${q.panel} (${q.refId}): ${l}`);
    }
    expect(wrong).toEqual([]);
  });

  it('every panel query is valid PromQL (promtool check rules on a temporary rule file)', async () => {
    expect(queries.length).toBeGreaterThan(50);
    const file = join(tmp, 'panels.yml');
    writeFileSync(
      file,
      stringify({
        groups: [
          { name: 'panels', rules: queries.map((q, i) => ({ record: `panel:check:${i}`, expr: substituteGrafanaVariables(q.expr) })) },
        ],
      }),
    );
    const r = await run('promtool', ['check', 'rules', file]);
    // promtool names the failing expression; map it back to its panel in the message.
    expectOk(r, 'promtool check rules (panel queries)');
    expect(r.stdout).toContain(`${queries.length} rules found`);
  });
});
