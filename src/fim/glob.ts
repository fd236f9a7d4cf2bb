// Include/exclude globs of a FIM root, matched against paths relative to the root ("etc/ssh/sshd_config").
// A pattern matches the whole relative path; use "**/x" to match x at any depth. The glob syntax is
// the shared one of src/core/glob.ts, with hidden files matched like any other (a baseline of /etc
// must not skip /etc/.pwd.lock).
import { globMatcher, globRegExp } from '../core/glob.js';

export interface PathFilter {
  /** Whether an entry at this relative path is recorded. */
  included(rel: string): boolean;
  /** Whether an entry (and, for a directory, everything below it) is skipped. */
  excluded(rel: string): boolean;
  /** The exclude patterns as RegExp sources, for the worker threads. */
  readonly excludeSources: string[];
}

/** "./etc/" and "etc" name the same relative path. */
function normalize(pattern: string): string {
  return pattern.replace(/^\.\//, '').replace(/\/+$/, '');
}

const matcher = (pattern: string) => globMatcher(normalize(pattern), { dot: true });

export function createPathFilter(include: readonly string[], exclude: readonly string[]): PathFilter {
  // The default include "**" matches everything: skip the matching for it.
  const all = include.some((p) => normalize(p) === '**');
  const inc = include.map(matcher);
  const exc = exclude.map(matcher);
  return {
    included: all ? () => true : (rel) => inc.some((m) => m(rel)),
    excluded: exc.length === 0 ? () => false : (rel) => exc.some((m) => m(rel)),
    excludeSources: exclude.map((p) => globRegExp(normalize(p), { dot: true }).source),
  };
}
