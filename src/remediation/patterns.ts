// The named patterns an action's labels may be checked against, and the compiled form of a
// user pattern. A label value reaches a command only as one whole argv element (never through a
// shell) and only after its pattern accepted the WHOLE value. On top of any pattern, values are
// refused when empty, longer than MAX_VALUE_LENGTH, holding a control character (newline, NUL) or
// starting with "-" (a value must never be read by the program as an option).
// Adding a named pattern is one entry in PATTERNS.
import { isIPv4, isIPv6 } from 'node:net';
import { userRegex } from '../core/regex.js';

export const MAX_VALUE_LENGTH = 256;

export interface NamedPattern {
  description: string;
  test(value: string): boolean;
}

/** Systemd unit names: systemd's own rule (unit_name_is_valid): [A-Za-z0-9:_.\\@-], a known suffix. */
const UNIT_RE = userRegex('^[A-Za-z0-9:_.\\\\@-]{1,250}\\.(service|socket|timer|mount|automount|swap|target|path|slice|scope|device)$');
/** Absolute path without "..", "." or empty segments and without control characters. */
const PATH_SEGMENT_BAD = new Set(['', '.', '..']);

export const PATTERNS: Record<string, NamedPattern> = {
  ipv4: { description: 'an IPv4 address in dotted-quad form', test: (v) => isIPv4(v) },
  ipv6: { description: 'an IPv6 address', test: (v) => isIPv6(v) },
  ip: { description: 'an IPv4 or IPv6 address', test: (v) => isIPv4(v) || isIPv6(v) },
  unit_name: { description: 'a systemd unit name with its suffix (e.g. nginx.service)', test: (v) => UNIT_RE.test(v) },
  path: {
    description: 'an absolute path without "." or ".." segments',
    test: (v) =>
      v.startsWith('/') &&
      (v === '/' ||
        v
          .slice(1)
          .split('/')
          .every((s) => !PATH_SEGMENT_BAD.has(s))),
  },
  hostname: {
    description: 'a DNS host name (letters, digits, "-" and "." only)',
    test: (v) => v.length <= 253 && v.split('.').every((s) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(s)),
  },
  word: { description: 'letters, digits, "_", "." and "-" only', test: (v) => /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(v) },
};

/** Refusals that hold whatever the pattern: undefined when the value may be checked further. */
export function valueProblem(value: string): string | undefined {
  if (value.length === 0) return 'empty value';
  if (value.length > MAX_VALUE_LENGTH) return `longer than ${MAX_VALUE_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'control character (newline, NUL, ...) in value';
  if (value.startsWith('-')) return 'starts with "-" (would be read as an option)';
  return undefined;
}

/**
 * A pattern from the config: a name from PATTERNS, or a regular expression (RE2) that must match
 * the whole value (it is anchored here, whatever the user wrote).
 */
export function compilePattern(spec: string): NamedPattern {
  const named = PATTERNS[spec];
  if (named) return named;
  const re = userRegex(`^(?:${spec})$`);
  return { description: `matching /${spec}/`, test: (v) => re.test(v) };
}
