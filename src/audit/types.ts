// The vocabulary of the security posture audit: a check is a small module with an id, a category, a
// severity, a pure evaluation over facts gathered from the host, and three plain-language texts
// (what was found, why it matters to someone who is not a security engineer, the exact fix).
import type { FactMap } from './facts/types.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = [
  'ssh',
  'accounts',
  'firewall',
  'updates',
  'filesystem',
  'network',
  'kernel',
  'encryption',
  'logging',
  'services',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type FactKey = keyof FactMap;

/**
 * The outcome of one check: pass or fail, or skip when it does not apply to this host (no sshd, /tmp
 * not a separate mount); `details` name the specific findings (a user, a file and line, a socket).
 */
export interface Evaluation {
  status: 'pass' | 'fail' | 'skip';
  details: string[];
}

export interface CheckTexts {
  /** Short name: "SSH root login". */
  title: string;
  /** What is wrong when the check fails, in plain language. */
  found: string;
  /** Why it matters, for someone who is not a security engineer. */
  why: string;
  /** The exact fix: a command or a config line. */
  fix: string;
}

export interface Check<K extends FactKey = FactKey> extends CheckTexts {
  /** Stable identifier, e.g. SSH-ROOT-LOGIN (also the `check` label). */
  id: string;
  category: Category;
  severity: Severity;
  /** The facts the evaluation reads; a fact that cannot be gathered makes the result `error`. */
  needs: readonly K[];
  evaluate(facts: Pick<FactMap, K>): Evaluation;
  /** The change hostwatch can make itself (src/audit/fixes/), when it can. */
  autofix?: FixSpec;
}

/**
 * The safe, reversible changes hostwatch applies (`hostwatch audit --fix`): each is shown as an exact
 * diff or command and asked for before it is made, backed up, and logged with how to undo it.
 */
export type FixSpec =
  /** The failing keys of the check's sysctl spec: a drop-in under /etc/sysctl.d, then loaded. */
  | { kind: 'sysctl' }
  /** One sshd_config keyword: the line that sets it is changed, or the setting added at the top. */
  | { kind: 'sshd'; keyword: string; value: string }
  /** Removes permission bits beyond `mode` from secret files. */
  | { kind: 'permissions'; files: 'shadow' | 'gshadow' | 'hostKeys'; mode: number }
  /** `ufw enable`, after allowing the SSH port(s). */
  | { kind: 'ufw' }
  /** APT::Periodic settings that turn unattended-upgrades on. */
  | { kind: 'unattended-upgrades' };

/** Identity function that types `evaluate` from `needs`. */
export function defineCheck<K extends FactKey>(check: Check<K>): Check {
  return check as unknown as Check;
}

export type ResultStatus = Evaluation['status'] | 'error';

export interface CheckResult {
  check: Check;
  status: ResultStatus;
  details: string[];
  /** Why the check could not be evaluated (status error). */
  error?: string;
}

/**
 * Weights of the score: a failing critical check costs ten times a failing low one. The score is
 * 100 × (weight of the passing checks) / (weight of the evaluated checks); skipped checks and checks
 * that could not be evaluated count for neither.
 */
export const SEVERITY_WEIGHTS: Record<Severity, number> = { critical: 10, high: 5, medium: 3, low: 1 };

export function score(results: readonly CheckResult[]): number | undefined {
  let passed = 0;
  let total = 0;
  for (const r of results) {
    if (r.status !== 'pass' && r.status !== 'fail') continue;
    const w = SEVERITY_WEIGHTS[r.check.severity];
    total += w;
    if (r.status === 'pass') passed += w;
  }
  return total === 0 ? undefined : Math.round((1000 * passed) / total) / 10;
}

/** The most severe failing check's severity, or undefined when nothing fails. */
export function worstFailing(results: readonly CheckResult[]): Severity | undefined {
  for (const s of SEVERITIES) if (results.some((r) => r.status === 'fail' && r.check.severity === s)) return s;
  return undefined;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
