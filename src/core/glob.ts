// Shell-style globs, for every place hostwatch matches names or paths (log file patterns, TLS
// certificate files, FIM include/exclude), matched by picomatch with one set of options:
//   **      any number of path segments (including none): "**/*.conf", "cache/**" (cache itself too)
//   *       any characters except "/"        ?  one character except "/"
//   {a,b}   alternatives (may contain globs, may nest)
//   [abc] [a-z] [!abc] [^abc] [[:digit:]]   character classes within one segment
// Everything else is literal. picomatch also reads bash extglobs (+(a|b)), a leading "!" as
// negation and parentheses as regex groups; hostwatch's globs are plain shell globs, so those are
// turned off or escaped: a file named "app(1).log" is matched by "app(1)*".
import picomatch from 'picomatch/posix.js';

export interface GlobOptions {
  /**
   * Whether wildcards match names starting with a dot. Default false, as in the shell: a hidden
   * name matches only a pattern that starts with a dot. FIM roots set it (a baseline of /etc
   * includes /etc/.pwd.lock).
   */
  dot?: boolean;
}

function options(opts: GlobOptions): picomatch.PicomatchOptions {
  // posix: "[!a]" is a negated class, as in the shell (picomatch reads it as "!" or "a" otherwise).
  return { dot: opts.dot ?? false, posix: true, noextglob: true, nonegate: true };
}

/** picomatch reads parentheses as regex groups, even with extglobs off: make them literal. */
function escapeGroups(pattern: string): string {
  return pattern.replace(/[()]/g, '\\$&');
}

/** A predicate telling whether a path (relative, "/"-separated) matches the whole glob. */
export function globMatcher(pattern: string, opts: GlobOptions = {}): (path: string) => boolean {
  const glob = picomatch(escapeGroups(pattern), options(opts));
  if (opts.dot || pattern.startsWith('.')) return glob;
  // picomatch lets a leading class ([!x]*) match a dot; the shell does not.
  return (path) => !path.startsWith('.') && glob(path);
}

/** The same glob as an anchored RegExp, for code that receives patterns as RegExp sources (worker threads). */
export function globRegExp(pattern: string, opts: GlobOptions = {}): RegExp {
  return picomatch.makeRe(escapeGroups(pattern), options(opts));
}

/** Whether a pattern has a wildcard (*, ? or [...]); braces alone do not make a glob of a path. */
export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
