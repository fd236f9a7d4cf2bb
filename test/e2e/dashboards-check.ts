// Scenario 6: every query of every panel (and every variable query) of every shipped dashboard, run
// against the end-to-end Prometheus after the other scenarios produced data. A query error fails; an
// empty result fails unless EXPECTED_EMPTY below gives the reason, and the list of empty panels is
// printed either way so that a reader sees what this setup cannot show.
import { expect } from 'vitest';
import {
  labelValuesQuery,
  loadDashboards,
  panelQueries,
  substitute,
  variableQueries,
  variableValues,
  type Substitution,
} from './harness/dashboards.js';
import { PromQueryError } from './harness/prometheus.js';
import { SHIPPED, type Stack } from './harness/stack.js';

/**
 * Panels that stay empty in this setup, with the reason. Key: `<dashboard uid>/<panel title>`, or
 * `<uid>/<panel title>/<refId>` for one query of a panel, or `<uid>/$<variable>` for a variable.
 * Keep the reasons true: an entry whose panel shows data is reported as stale in the output.
 */
export const EXPECTED_EMPTY: Record<string, string> = {
  'hostwatch-host/Probes failing now':
    "the exporter probes only what succeeds here: a failing probe would fire ProbeFailing among the scenarios' alerts",
  'hostwatch-host/Certificates of probed endpoints': 'the probed endpoints (the exporter itself, loopback) are not TLS',
  'hostwatch-host/HTTP status and DNS answers/B': 'no DNS server is probed (there is none in this setup)',
  'hostwatch-fleet/Reboot required':
    'lists hosts whose OS asks for a reboot: the test config points reboot_required_file at a file that does not exist, so the metric reads 0',
  'hostwatch-fleet/End-of-life OS releases': 'lists hosts on an end-of-life OS release: the test machine runs a supported one',
  'hostwatch-exporter/Files that cannot be followed':
    'lists log files hostwatch cannot follow (permission, not a regular file, refused link): every log file of the test is readable',
  'hostwatch-fleet/Not rebooted for 90 days':
    "lists hosts up for longer than the mixin's longUptimeDays (90): a test machine (CI runner, container host) has rarely been up that long",
  'hostwatch-security/Encryption at rest':
    'only filesystems on local block devices are judged: a container whose root is an overlay has none',
  'hostwatch-security/Unencrypted disks':
    'only filesystems on local block devices are judged: a container whose root is an overlay has none',
};

/** Interval variables as Grafana computes them for a 1 s scrape interval and a short time range. */
const BUILTINS = { rateInterval: '1m', interval: '5s' };

interface Outcome {
  key: string;
  panelKey: string;
  expr: string;
}

function isEmpty(data: { result: unknown[]; resultType: string }): boolean {
  if (data.resultType === 'scalar' || data.resultType === 'string') return false;
  return data.result.length === 0;
}

export async function checkDashboards(stack: Stack, sinceMs: number): Promise<void> {
  const prom = stack.prometheus!;
  const dashboards = await loadDashboards(SHIPPED.dashboardsDir);
  expect(dashboards.length, `dashboards in ${SHIPPED.dashboardsDir}`).toBeGreaterThan(0);

  const errors: string[] = [];
  const empty: Outcome[] = [];
  let queries = 0;
  let withData = 0;
  const now = Date.now();
  const rangeSeconds = Math.max(60, Math.ceil((now - sinceMs) / 1000));

  for (const { file, dashboard } of dashboards) {
    const sub: Substitution = { vars: variableValues(dashboard, stack.job, stack.instance), rangeSeconds, ...BUILTINS };

    for (const v of variableQueries(dashboard)) {
      queries++;
      const key = `${dashboard.uid}/$${v.name}`;
      const lv = labelValuesQuery(v.rawQuery);
      const expr = substitute(lv ? lv.selector : v.rawQuery, sub);
      try {
        const data = await prom.query(expr);
        const hasLabel = lv
          ? (data.result as { metric: Record<string, string> }[]).some((s) => s.metric[lv.label] !== undefined)
          : !isEmpty(data);
        if (hasLabel) withData++;
        else empty.push({ key, panelKey: key, expr });
      } catch (err) {
        errors.push(`${file} variable $${v.name}: ${err instanceof PromQueryError ? err.reason : (err as Error).message}\n    ${expr}`);
      }
    }

    for (const q of panelQueries(dashboard)) {
      queries++;
      const panelKey = `${dashboard.uid}/${q.panelTitle}`;
      const key = `${panelKey}/${q.refId}`;
      const expr = substitute(q.rawExpr, sub);
      try {
        let data = await prom.query(expr);
        // A graph shows the whole time range: an event earlier in the run counts as data.
        if (isEmpty(data) && !q.instant) data = await prom.queryRange(expr, sinceMs, now, 2);
        if (isEmpty(data)) empty.push({ key, panelKey, expr });
        else withData++;
      } catch (err) {
        errors.push(
          `${file} panel "${q.panelTitle}" ${q.refId}: ${err instanceof PromQueryError ? err.reason : (err as Error).message}\n    ${expr}`,
        );
      }
    }
  }

  const reasonOf = (o: Outcome) => EXPECTED_EMPTY[o.key] ?? EXPECTED_EMPTY[o.panelKey];
  const explained = empty.filter((o) => reasonOf(o) !== undefined);
  const unexplained = empty.filter((o) => reasonOf(o) === undefined);
  const emptyKeys = new Set(empty.flatMap((o) => [o.key, o.panelKey]));
  const stale = Object.keys(EXPECTED_EMPTY).filter((k) => !emptyKeys.has(k));

  const lines = [
    `dashboards: ${dashboards.length} files, ${queries} queries, ${withData} with data, ${empty.length} empty, ${errors.length} errors`,
    ...explained.map((o) => `  empty (expected): ${o.key} — ${reasonOf(o)}`),
    ...unexplained.map((o) => `  EMPTY, NO REASON: ${o.key}\n      ${o.expr}`),
    ...stale.map((k) => `  note: listed as expected-empty but has data now: ${k}`),
    ...errors.map((e) => `  ERROR: ${e}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  expect(errors, 'dashboard queries that Prometheus rejects').toEqual([]);
  expect(
    unexplained.map((o) => `${o.key}: ${o.expr}`),
    'panels empty without a listed reason (EXPECTED_EMPTY)',
  ).toEqual([]);
}
