// Include/exclude globs of a FIM root, matched against paths relative to the root ("etc/ssh/sshd_config").
// A pattern matches the whole relative path; use "**/x" to match x at any depth. The glob syntax is
// the shared one of src/core/glob.ts.
import { globToRegExp } from '../core/glob.js';

export { globToRegExp };

export interface PathFilter {
  /** Whether an entry at this relative path is recorded. */
  included(rel: string): boolean;
  /** Whether an entry (and, for a directory, everything below it) is skipped. */
  excluded(rel: string): boolean;
  /** The exclude patterns as RegExp sources, for the worker threads. */
  readonly excludeSources: string[];
}

export function createPathFilter(include: readonly string[], exclude: readonly string[]): PathFilter {
  const inc = include.map(globToRegExp);
  const exc = exclude.map(globToRegExp);
  // The default include "**" matches everything: skip the regex for it.
  const all = inc.some((r) => r.source === '^.*$');
  return {
    included: all ? () => true : (rel) => inc.some((r) => r.test(rel)),
    excluded: exc.length === 0 ? () => false : (rel) => exc.some((r) => r.test(rel)),
    excludeSources: exc.map((r) => r.source),
  };
}
