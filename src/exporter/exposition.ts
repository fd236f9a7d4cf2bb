// Renders metric families in the two exposition formats a scraper can ask for: the Prometheus text
// format 0.0.4 and OpenMetrics 1.0 (what Prometheus asks for first). One renderer for both, from the
// families the registries hold (prom-client's `get()` shape), rather than prom-client's own
// OpenMetrics output, which renames counters by mutating the registered metric, writes `Nan`, and
// ends every registry with its own `# EOF` (the exporter renders many registries into one body).
//
// The differences, after client_golang's expfmt: OpenMetrics names a counter family without its
// `_total` suffix and its samples with it (a counter whose name lacks `_total` gets it appended, as
// client_golang does; hostwatch's own counters all end in `_total`, so their series names do not
// depend on the format), calls `untyped` `unknown`, escapes `"` in HELP too, has no blank lines,
// and ends with `# EOF`.

export type ExpositionFormat = 'text' | 'openmetrics';

/** One sample of a family: `metricName` names the series when it differs (`x_bucket`, `x_sum`). */
export interface ExposedSample {
  labels: Record<string, string | number | undefined>;
  value: number;
  metricName?: string;
}

/** A metric family as prom-client's `Registry.getMetricsAsJSON()` returns it. */
export interface ExposedFamily {
  name: string;
  help: string;
  /** counter, gauge, histogram, summary or untyped. */
  type: string;
  values: ExposedSample[];
}

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_VERSIONS = ['1.0.0', '0.0.1'] as const;
export type OpenMetricsVersion = (typeof OPENMETRICS_VERSIONS)[number];
export const openMetricsContentType = (version: OpenMetricsVersion) => `application/openmetrics-text; version=${version}; charset=utf-8`;

function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeQuoted(s: string): string {
  return escapeText(s).replace(/"/g, '\\"');
}

/** Go's strconv.FormatFloat spelling of the special values, which both parsers read. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: ExposedSample['labels']): string {
  let out = '';
  for (const name in labels) {
    const v = labels[name];
    if (v === undefined) continue;
    out += `${out ? ',' : ''}${name}="${escapeQuoted(String(v))}"`;
  }
  return out ? `{${out}}` : '';
}

/** Renders the families in one format; `families` are in output order. */
export function renderFamilies(families: Iterable<ExposedFamily>, format: ExpositionFormat): string {
  const om = format === 'openmetrics';
  const lines: string[] = [];
  for (const f of families) {
    let family = f.name;
    let type = f.type;
    let sampleSuffix = '';
    if (om) {
      if (type === 'counter') {
        if (family.endsWith('_total')) family = family.slice(0, -'_total'.length);
        sampleSuffix = '_total';
      } else if (type === 'untyped') {
        type = 'unknown';
      }
    }
    lines.push(`# HELP ${family} ${om ? escapeQuoted(f.help) : escapeText(f.help)}`, `# TYPE ${family} ${type}`);
    for (const s of f.values) {
      // Counter samples carry the family's name; the suffix is added to the OpenMetrics family name.
      const series = sampleSuffix ? family + sampleSuffix : (s.metricName ?? family);
      lines.push(`${series}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
  }
  if (om) lines.push('# EOF');
  return lines.join('\n') + '\n';
}
