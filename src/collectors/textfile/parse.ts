// The Prometheus text exposition format (0.0.4) of a textfile-collector file, read as
// client_golang's expfmt.TextParser reads it for node_exporter, so that the files scripts already
// write for node_exporter are accepted or refused alike:
// - `# HELP name text` (escapes \\ and \n) and `# TYPE name counter|gauge|histogram|summary|untyped`,
//   at most one of each per name, TYPE before the family's samples; other `#` lines are comments;
// - `name{label="value",...} value`, label values with the escapes \\, \" and \n, a trailing comma
//   allowed; samples of a name without TYPE are untyped; `x_bucket`, `x_sum` and `x_count` belong to
//   a histogram `x` (`x_sum`, `x_count` and `x{quantile=...}` to a summary `x`);
// - a sample with a timestamp refuses the whole file, as node_exporter does; so do a last line without
//   its newline and Windows (CRLF) line endings, which expfmt refuses.
// Stricter than expfmt where a file would otherwise break the whole scrape: a series given twice
// (node_exporter's registry fails the gather on it) and a label name starting with `__` are errors.
// Histograms and summaries come out complete, as node_exporter renders them: buckets sorted with the
// `+Inf` bucket, `_sum` and `_count` (0 when the file has none).
import type { Sample } from '../../core/metric.js';

export type TextfileType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** A family of a file: samples with `metricName` for the suffixed series of histograms and summaries. */
export interface TextfileFamily {
  name: string;
  /** Empty when the file has no HELP line for it. */
  help: string;
  type: TextfileType;
  values: Sample[];
}
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** A problem of a file, with its line (1-based). */
export class TextfileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'TextfileError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A float as Go's strconv.ParseFloat reads it (decimal; Inf, Infinity and NaN in any case). */
function parseValue(s: string): number | undefined {
  if (FLOAT.test(s)) return Number(s);
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (!m) return undefined;
  if (m[2].toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

interface Family {
  name: string;
  help?: string;
  type?: TextfileType;
  /** Line of the first sample: TYPE and HELP must come before. */
  sampledAt?: number;
  /** Series in order of appearance, keyed by name and labels. */
  series: Map<string, { line: number; sample: Sample }>;
}

/** Reads `name{labels} value [timestamp]` from a sample line. */
function parseSample(text: string, line: number): { name: string; labels: Record<string, string>; value: number } {
  const fail = (msg: string): never => {
    throw new TextfileError(line, msg);
  };
  let i = 0;
  const skipBlanks = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text);
  if (!nameMatch) fail(`invalid metric name in ${JSON.stringify(text.slice(0, 40))}`);
  const name = nameMatch![0];
  i = name.length;
  skipBlanks();
  const labels: Record<string, string> = {};
  if (text[i] === '{') {
    i++;
    for (;;) {
      skipBlanks();
      if (text[i] === '}') {
        i++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i, i + 1024));
      if (!ln) fail(`invalid label name at column ${i + 1}`);
      const labelName = ln![0];
      if (labelName.startsWith('__')) fail(`label name "${labelName}" is reserved (it starts with __)`);
      if (labelName in labels) fail(`label "${labelName}" given twice`);
      i += labelName.length;
      skipBlanks();
      if (text[i++] !== '=') fail(`expected "=" after label "${labelName}"`);
      skipBlanks();
      if (text[i++] !== '"') fail(`expected a quoted value for label "${labelName}"`);
      let value = '';
      for (;;) {
        const c = text[i++];
        if (c === undefined) fail(`unterminated value of label "${labelName}"`);
        if (c === '"') break;
        if (c === '\\') {
          const e = text[i++];
          if (e === '\\' || e === '"') value += e;
          else if (e === 'n') value += '\n';
          else fail(`invalid escape sequence "\\${e ?? ''}" in the value of label "${labelName}"`);
        } else value += c;
      }
      labels[labelName] = value;
      skipBlanks();
      if (text[i] === ',') i++;
      else if (text[i] !== '}') fail(`expected "," or "}" after the value of label "${labelName}"`);
    }
  }
  const rest = text
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest[0] === '') fail(`no value for ${name}`);
  const value = parseValue(rest[0]);
  if (value === undefined) fail(`invalid value ${JSON.stringify(rest[0])} for ${name}`);
  if (rest.length > 2) fail(`unexpected text after the value of ${name}`);
  if (rest.length === 2)
    fail(`${name} has a timestamp: client-side timestamps are not supported, the whole file is skipped (as node_exporter does)`);
  return { name, labels, value: value! };
}

/** Escapes the \\ and \n of HELP text, as the parser reads them. */
function unescapeHelp(s: string, line: number): string {
  return s.replace(/\\(.?)/g, (_m, e: string) => {
    if (e === '\\') return '\\';
    if (e === 'n') return '\n';
    throw new TextfileError(line, `invalid escape sequence "\\${e}" in HELP`);
  });
}

const labelsKey = (labels: Sample['labels'], without?: string) =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== without)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );

/** Identity of a series: its name and labels, whatever their order. */
export const seriesKey = (family: string, s: Sample) => `${s.metricName ?? family}${labelsKey(s.labels)}`;

/** The series names a family produces (what must not collide with another family's). */
export function seriesNames(f: Pick<TextfileFamily, 'name' | 'type'>): string[] {
  if (f.type === 'histogram') return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`];
  if (f.type === 'summary') return [f.name, `${f.name}_sum`, `${f.name}_count`];
  return [f.name];
}

/** The family a sample name belongs to: its own, or a histogram's or summary's by suffix (as expfmt). */
function familyOf(families: Map<string, Family>, name: string): { family?: Family; suffix: '' | '_bucket' | '_sum' | '_count' } {
  const own = families.get(name);
  if (own) return { family: own, suffix: '' };
  for (const suffix of ['_sum', '_count', '_bucket'] as const) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base?.type === 'histogram' || (base?.type === 'summary' && suffix !== '_bucket')) return { family: base, suffix };
  }
  return { suffix: '' };
}

/** Parses a textfile; throws TextfileError on the first problem (the file is then skipped whole). */
export function parseTextfile(text: string): TextfileFamily[] {
  const families = new Map<string, Family>();
  const declare = (name: string, line: number): Family => {
    if (!METRIC_NAME.test(name)) throw new TextfileError(line, `invalid metric name ${JSON.stringify(name)}`);
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, series: new Map() }));
    return f;
  };
  const lines = text.split('\n');
  // As expfmt: the last line must end too. A file cut short is most often one caught half-written
  // by a script that did not write to a temporary file and rename it.
  if (lines.at(-1) !== '')
    throw new TextfileError(
      lines.length,
      'the file does not end with a newline (written in place while read? write a temporary file and rename it)',
    );
  lines.pop();
  for (let n = 0; n < lines.length; n++) {
    const line = n + 1;
    const raw = lines[n];
    // expfmt refuses Windows line endings; so does hostwatch, so that a file works with both.
    if (raw.endsWith('\r'))
      throw new TextfileError(line, 'the line ends with a carriage return (Windows line ending): only \\n ends lines');
    const trimmed = raw.replace(/^[ \t]+/, '');
    if (trimmed.replace(/[ \t]+$/, '') === '') continue;
    if (trimmed.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(trimmed);
      if (!m) continue; // a comment
      const f = declare(m[2], line);
      if (m[1] === 'HELP') {
        if (f.help !== undefined) throw new TextfileError(line, `second HELP line for ${f.name}`);
        f.help = unescapeHelp(m[3] ?? '', line);
      } else {
        const type = (m[3] ?? '').trim();
        if (f.type !== undefined) throw new TextfileError(line, `second TYPE line for ${f.name}`);
        if (f.sampledAt !== undefined) throw new TextfileError(line, `TYPE line for ${f.name} after its samples (line ${f.sampledAt})`);
        if (!TYPES.has(type))
          throw new TextfileError(
            line,
            `unknown type ${JSON.stringify(type)} for ${f.name} (counter, gauge, histogram, summary or untyped)`,
          );
        f.type = type as TextfileType;
      }
      continue;
    }
    const s = parseSample(trimmed, line);
    const owner = familyOf(families, s.name);
    const suffix = owner.suffix;
    const family = owner.family ?? declare(s.name, line);
    family.sampledAt ??= line;
    const type = family.type ?? 'untyped';
    if (type === 'histogram' && suffix === '')
      throw new TextfileError(line, `${s.name} is a histogram: only ${s.name}_bucket, _sum and _count samples`);
    if (type === 'histogram' && suffix === '_bucket' && s.labels.le === undefined)
      throw new TextfileError(line, `${s.name} has no "le" label`);
    if (type === 'histogram' && suffix === '_bucket' && parseValue(s.labels.le) === undefined)
      throw new TextfileError(line, `${s.name}: "le" is not a number`);
    if (type === 'summary' && suffix === '' && s.labels.quantile === undefined)
      throw new TextfileError(line, `${s.name} is a summary: its samples need a "quantile" label`);
    if (type === 'summary' && suffix === '' && parseValue(s.labels.quantile) === undefined)
      throw new TextfileError(line, `${s.name}: "quantile" is not a number`);
    // Bounds spelled differently ("1", "1.0", "+inf") are one bound, spelled as Prometheus does.
    if (type === 'histogram' && suffix === '_bucket') s.labels.le = formatBound(s.labels.le);
    if (type === 'summary' && suffix === '') s.labels.quantile = formatBound(s.labels.quantile);
    const key = `${s.name}${labelsKey(s.labels)}`;
    const prev = family.series.get(key);
    if (prev) throw new TextfileError(line, `${s.name} with these labels is given twice (also line ${prev.line})`);
    family.series.set(key, {
      line,
      sample: { labels: s.labels, value: s.value, ...(s.name !== family.name ? { metricName: s.name } : {}) },
    });
  }
  const out: TextfileFamily[] = [];
  for (const f of families.values()) {
    if (f.series.size === 0) continue;
    const samples = [...f.series.values()].map((v) => v.sample);
    const type = f.type ?? 'untyped';
    out.push({
      name: f.name,
      help: f.help ?? '',
      type,
      values: type === 'histogram' ? completeHistogram(f.name, samples) : type === 'summary' ? completeSummary(f.name, samples) : samples,
    });
  }
  return out;
}

/** Groups the samples of a histogram or summary by their labels without `le` / `quantile`. */
function bySeries(samples: Sample[], without: string): Map<string, Sample[]> {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const k = labelsKey(s.labels, without);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  return groups;
}

function withoutLabel(labels: Sample['labels'], name: string): Sample['labels'] {
  const out = { ...labels };
  delete out[name];
  return out;
}

/** Buckets in `le` order ending with +Inf (the count when absent), then _sum and _count (0 when absent). */
function completeHistogram(name: string, samples: Sample[]): Sample[] {
  const out: Sample[] = [];
  for (const group of bySeries(samples, 'le').values()) {
    const base = withoutLabel(group[0].labels, 'le');
    const count = group.find((s) => s.metricName === `${name}_count`)?.value ?? 0;
    const sum = group.find((s) => s.metricName === `${name}_sum`)?.value ?? 0;
    const buckets = group.filter((s) => s.metricName === `${name}_bucket`).sort((a, b) => bound(a, 'le') - bound(b, 'le'));
    out.push(...buckets);
    if (buckets.at(-1)?.labels.le !== '+Inf') out.push({ labels: { ...base, le: '+Inf' }, value: count, metricName: `${name}_bucket` });
    out.push({ labels: base, value: sum, metricName: `${name}_sum` }, { labels: base, value: count, metricName: `${name}_count` });
  }
  return out;
}

/** Quantiles in order, then _sum and _count (0 when absent). */
function completeSummary(name: string, samples: Sample[]): Sample[] {
  const out: Sample[] = [];
  for (const group of bySeries(samples, 'quantile').values()) {
    const base = withoutLabel(group[0].labels, 'quantile');
    const quantiles = group.filter((s) => s.metricName === undefined).sort((a, b) => bound(a, 'quantile') - bound(b, 'quantile'));
    out.push(...quantiles);
    out.push(
      { labels: base, value: group.find((s) => s.metricName === `${name}_sum`)?.value ?? 0, metricName: `${name}_sum` },
      { labels: base, value: group.find((s) => s.metricName === `${name}_count`)?.value ?? 0, metricName: `${name}_count` },
    );
  }
  return out;
}

/** A bucket bound or quantile spelled as Prometheus does (`+Inf`, `1`, `0.5`); checked to parse before. */
function formatBound(text: string): string {
  const v = parseValue(text)!;
  return v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
}

const bound = (s: Sample, label: 'le' | 'quantile') => parseValue(String(s.labels[label]))!;
