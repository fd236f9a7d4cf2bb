// Pattern rules run on RE2 (src/core/regex.ts): matching time is linear in the line length whatever
// the regex, so a rule like `(a+)+$` cannot freeze the exporter on a hostile line. A rule RE2 does
// not accept is rejected when the config is loaded, with RE2's reason, as `logs[i].rules[j].regex: ...`.
import RE2 from 're2';
import { userRegex, userRegexProblem } from '../../core/regex.js';

/** Label names a rule cannot use: the family's own labels, and Prometheus's reserved prefix. */
const RESERVED_LABELS = new Set(['log', 'rule']);

export interface CompiledRule {
  name: string;
  labels: string[];
  maxValues: number;
  re: RE2;
}

/**
 * Names of the named groups of a regex, `(?<name>...)` or `(?P<name>...)`, skipping escaped
 * characters and character classes.
 */
export function namedGroups(source: string): string[] {
  const out: string[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(' && source[i + 1] === '?') {
      const m = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(source.slice(i, i + 200));
      if (m) out.push(m[1]);
    }
  }
  return out;
}

export interface RuleProblem {
  /** Key of the rule the problem is about (regex, labels or labels[k]). */
  path: (string | number)[];
  message: string;
}

/** For the config schema: what is wrong with a rule (empty when it can be used). */
export function patternRuleProblems(rule: Pick<RuleSettings, 'regex' | 'labels'>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const refused = userRegexProblem(rule.regex);
  if (refused !== undefined) {
    problems.push({
      path: ['regex'],
      message:
        `not accepted by RE2 (${refused}); pattern rules use RE2 so that no regex can backtrack ` +
        'catastrophically: backreferences and lookarounds are not available',
    });
    return problems;
  }
  const groups = new Set(namedGroups(rule.regex));
  rule.labels.forEach((label, k) => {
    if (RESERVED_LABELS.has(label))
      problems.push({ path: ['labels', k], message: `"${label}" is a label of hostwatch_pattern_matches_total already` });
    else if (label.startsWith('__'))
      problems.push({ path: ['labels', k], message: 'label names starting with __ are reserved by Prometheus' });
    else if (!groups.has(label)) problems.push({ path: ['labels', k], message: `the regex has no named group (?<${label}>...)` });
  });
  if (new Set(rule.labels).size !== rule.labels.length) problems.push({ path: ['labels'], message: 'a label is listed twice' });
  return problems;
}

/** A rule as configured (the config schema, ./config.ts, has checked it with patternRuleProblems). */
export interface RuleSettings {
  name: string;
  regex: string;
  labels: readonly string[];
  max_label_values: number;
}

/** Compiles the rules of a pattern log. */
export function compileRules(rules: readonly RuleSettings[]): CompiledRule[] {
  return rules.map((r) => ({ name: r.name, labels: [...r.labels], maxValues: r.max_label_values, re: userRegex(r.regex) }));
}

/**
 * Runs every rule on a line. The line is encoded to UTF-8 once, into a reused buffer, and every
 * RE2 call works on those bytes: given a JS string, node-re2 would re-encode it at each call, which
 * costs more than the matching itself. With several rules, one RE2.Set pass finds which rules match
 * at all, so that a line matching none (the common case) costs one scan, not one per rule.
 */
export class RuleMatcher {
  private readonly set: InstanceType<typeof RE2.Set> | undefined;
  private scratch = Buffer.allocUnsafe(4096);
  private readonly empty: string[] = [];

  constructor(readonly rules: CompiledRule[]) {
    this.set =
      rules.length > 1
        ? new RE2.Set(
            rules.map((r) => r.re),
            'u',
          )
        : undefined;
  }

  /**
   * Calls onMatch for every rule that matches, in rule order, with the values of the rule's label
   * groups ("" for a group that did not take part); returns the number of rules that matched.
   */
  match(line: string, onMatch: (rule: number, values: string[]) => void): number {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.scratch.length < line.length * 3) this.scratch = Buffer.allocUnsafe(line.length * 3);
    const bytes = this.scratch.subarray(0, this.scratch.write(line, 0, 'utf8'));
    if (this.set) {
      const hits = this.set.match(bytes);
      if (hits.length === 0) return 0;
      if (hits.length > 1) hits.sort((a, b) => a - b);
      let n = 0;
      for (let h = 0; h < hits.length; h++) if (this.run(hits[h], bytes, onMatch)) n++;
      return n;
    }
    return this.rules.length === 1 && this.run(0, bytes, onMatch) ? 1 : 0;
  }

  private run(i: number, bytes: Buffer, onMatch: (rule: number, values: string[]) => void): boolean {
    const rule = this.rules[i];
    const m = rule.re.exec(bytes);
    if (!m) return false;
    let values = this.empty;
    if (rule.labels.length > 0) {
      values = new Array<string>(rule.labels.length);
      for (let k = 0; k < rule.labels.length; k++) values[k] = m.groups?.[rule.labels[k]]?.toString('utf8') ?? '';
    }
    onMatch(i, values);
    return true;
  }
}
