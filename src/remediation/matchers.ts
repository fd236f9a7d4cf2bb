// Alert matchers in Alertmanager's syntax (`label="value"`, `!=`, `=~`, `!~`; regexes anchored, on
// RE2), and the check of an alert's labels against them.
import { userRegex } from '../core/regex.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  test(labels: Record<string, string>): boolean;
}

const MATCHER_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s]*))\s*$/;

/** Parses one matcher; throws Error with the reason. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new Error(`not a matcher: ${JSON.stringify(text)} (expected e.g. severity="critical" or instance=~"web-.*")`);
  const [, name, op, quoted, bare] = m;
  const value = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
  let eq: (v: string) => boolean;
  if (op === '=~' || op === '!~') {
    const re = userRegex(`^(?:${value})$`);
    eq = (v) => re.test(v);
  } else eq = (v) => v === value;
  const negate = op === '!=' || op === '!~';
  // As in Alertmanager, a missing label is the empty string.
  return { name, op: op as MatchOp, value, test: (labels) => eq(labels[name] ?? '') !== negate };
}

export function matchesAll(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => m.test(labels));
}
