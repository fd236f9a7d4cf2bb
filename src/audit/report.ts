// The report of `hostwatch audit`: for a person who is not a security engineer, the problems first,
// most serious first, each with what was found, why it matters and how to fix it; then one line per
// check that passed, did not apply, or could not be checked. --json gives the same as data.
import { hostname } from 'node:os';
import type { AuditReport } from './run.js';
import { SEVERITIES, SEVERITY_WEIGHTS, type CheckResult, type ResultStatus } from './types.js';

const WIDTH = 100;

/**
 * Details can hold host data an attacker chose (file names in /tmp, sudoers lines): control
 * characters are shown escaped, never sent to the terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Word-wraps `text` to WIDTH columns, every line after the first indented by `indent` spaces. */
export function wrap(text: string, indent: number, first = indent): string {
  const lines: string[] = [];
  let line = '';
  let width = WIDTH - first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
      width = WIDTH - indent;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function counts(results: readonly CheckResult[]): Record<ResultStatus, number> {
  const out: Record<ResultStatus, number> = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) out[r.status]++;
  return out;
}

export interface ReportJson {
  host: string;
  time: string;
  durationMs: number;
  score: number | null;
  worst: string | null;
  counts: Record<ResultStatus, number>;
  weights: Record<string, number>;
  checks: {
    id: string;
    category: string;
    severity: string;
    title: string;
    status: ResultStatus;
    details: string[];
    error?: string;
    found: string;
    why: string;
    fix: string;
    autofix: boolean;
  }[];
}

export function reportJson(report: AuditReport): ReportJson {
  return {
    host: hostname(),
    time: new Date(report.startedAt).toISOString(),
    durationMs: Math.round(report.durationMs),
    score: report.score ?? null,
    worst: report.worst ?? null,
    counts: counts(report.results),
    weights: SEVERITY_WEIGHTS,
    checks: report.results.map((r) => ({
      id: r.check.id,
      category: r.check.category,
      severity: r.check.severity,
      title: r.check.title,
      status: r.status,
      details: r.details,
      ...(r.error ? { error: r.error } : {}),
      found: r.check.found,
      why: r.check.why,
      fix: r.check.fix,
      autofix: r.check.autofix !== undefined,
    })),
  };
}

function finding(r: CheckResult): string {
  const c = r.check;
  const label = (s: string) => `  ${s.padEnd(16)}`;
  const lines = [`* ${c.title}  [${c.id}, ${c.category}]`, `${label('What we found:')}${wrap(c.found, 18)}`];
  for (const d of r.details) lines.push(`${' '.repeat(18)}- ${wrap(printable(d), 20, 20)}`);
  lines.push(`${label('Why it matters:')}${wrap(c.why, 18)}`);
  lines.push(`${label('How to fix:')}${wrap(c.fix, 18)}`);
  if (c.autofix) lines.push(`${label('')}hostwatch can do this for you: hostwatch audit --fix ${c.id}`);
  return lines.join('\n');
}

export function reportText(report: AuditReport): string {
  const results = report.results;
  const n = counts(results);
  const failing = results.filter((r) => r.status === 'fail');
  const bySeverity = SEVERITIES.map((s) => `${failing.filter((r) => r.check.severity === s).length} ${s}`).join(', ');
  const out: string[] = [
    `Security audit of ${hostname()}, ${new Date(report.startedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    `Score: ${report.score === undefined ? 'n/a' : `${report.score}/100`}   ${failing.length} ${failing.length === 1 ? 'problem' : 'problems'} (${bySeverity}), ${n.pass} checks passed`,
    '',
  ];
  for (const s of SEVERITIES) {
    const group = failing.filter((r) => r.check.severity === s);
    if (group.length === 0) continue;
    out.push(`${s.toUpperCase()} (${group.length})`, '');
    for (const r of group) out.push(finding(r), '');
  }
  if (failing.length === 0) out.push('No problem found.', '');
  const list = (title: string, status: ResultStatus, what: (r: CheckResult) => string) => {
    const rs = results.filter((r) => r.status === status);
    if (rs.length === 0) return;
    out.push(`${title} (${rs.length})`);
    for (const r of rs) out.push(`  ${r.check.id.padEnd(28)} ${wrap(printable(what(r)), 31, 31)}`);
    out.push('');
  };
  list('Could not check', 'error', (r) => r.error ?? '');
  list('Passed', 'pass', (r) => `${r.check.title}${r.details[0] ? `: ${r.details[0]}` : ''}`);
  list('Does not apply here', 'skip', (r) => `${r.check.title}: ${r.details[0] ?? ''}`);
  out.push(
    `Score: severity-weighted share of passed checks (critical ${SEVERITY_WEIGHTS.critical}, high ${SEVERITY_WEIGHTS.high}, medium ${SEVERITY_WEIGHTS.medium}, low ${SEVERITY_WEIGHTS.low}).`,
  );
  return out.join('\n') + '\n';
}
