// Shell-style globs compiled to anchored RegExps: one translator for every place hostwatch matches
// names or paths (log file patterns, TLS certificate files, FIM include/exclude). Written here rather
// than using node's path.matchesGlob, which is still experimental in Node 20 (it prints a warning)
// and whose brace support differs between versions.
//   **      any number of path segments (including none): "**/*.conf", "cache/**"
//   *       any characters except "/"        ?  one character except "/"
//   {a,b}   alternatives (may contain globs, may nest)
//   [abc] [a-z] [!abc]   character classes within one segment

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
