// Include/exclude globs of a FIM root, matched against paths relative to the root ("etc/ssh/sshd_config").
// A small translator to RegExp rather than node's path.matchesGlob, which is still experimental in
// Node 20 (it prints a warning) and whose brace support differs between versions.
//   **      any number of path segments (including none): "**/*.conf", "cache/**"
//   *       any characters except "/"        ?  one character except "/"
//   {a,b}   alternatives (may contain globs, may nest)
//   [abc] [a-z] [!abc]   character classes within one segment
// A pattern matches the whole relative path; use "**/x" to match x at any depth.

const REGEX_SPECIAL = new Set([...'\\^$.|+()[]{}*?/']);

function translate(p: string, i: number, inBrace: boolean): { re: string; end: number } {
  let re = '';
  while (i < p.length) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        const atSegStart = i === 0 || p[i - 1] === '/';
        const next = p[i + 2];
        if (atSegStart && next === '/') {
          // "**/": zero or more leading directories.
          re += '(?:[^/]*/)*';
          i += 3;
          continue;
        }
        if (atSegStart && next === undefined && re.endsWith('/')) {
          // "dir/**": the directory itself and everything below it.
          re = re.slice(0, -1) + '(?:/.*)?';
          i += 2;
          continue;
        }
        re += '.*';
        i += 2;
        continue;
      }
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        i++;
        continue;
      }
      let body = p.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, (m) => '\\' + m);
      re += negate ? `(?!/)[^${body}]` : `[${body}]`;
      i = close + 1;
    } else if (c === '{') {
      const alts: string[] = [];
      let j = i + 1;
      for (;;) {
        const r = translate(p, j, true);
        alts.push(r.re);
        j = r.end;
        if (p[j] === ',') {
          j++;
          continue;
        }
        break;
      }
      if (p[j] !== '}') {
        // Unbalanced brace: take it literally.
        re += '\\{';
        i++;
        continue;
      }
      re += `(?:${alts.join('|')})`;
      i = j + 1;
    } else if (inBrace && (c === ',' || c === '}')) {
      return { re, end: i };
    } else {
      re += REGEX_SPECIAL.has(c) && c !== '/' ? '\\' + c : c;
      i++;
    }
  }
  return { re, end: i };
}

/** Compiles a glob into an anchored RegExp over root-relative paths. */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  return new RegExp(`^${translate(p, 0, false).re}$`);
}

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
