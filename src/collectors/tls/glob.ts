// Minimal path globbing for host.tls.cert_files (Node 20 has no fs.glob): `*`, `?` and `[...]`
// within one path segment (src/core/glob.ts), like the shell without globstar. Patterns are
// compiled once, at start; expansion walks only the directories the pattern names, with async readdir.
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { globMatcher, hasWildcard } from '../../core/glob.js';

/** A literal directory entry name, or a predicate on the names of one directory's entries. */
type Segment = string | ((name: string) => boolean);

export interface CompiledGlob {
  pattern: string;
  /** Literal prefix directory where the walk starts. */
  base: string;
  /** Remaining segments: literals or matchers of one directory entry. */
  segments: Segment[];
}

export function compileGlob(pattern: string): CompiledGlob {
  const parts = pattern.split(sep);
  const baseParts: string[] = [];
  let i = 0;
  for (; i < parts.length && !hasWildcard(parts[i]); i++) baseParts.push(parts[i]);
  const base = baseParts.join(sep) || (isAbsolute(pattern) ? sep : '.');
  const segments = parts
    .slice(i)
    .filter((p) => p !== '')
    .map((p) => (hasWildcard(p) ? globMatcher(p) : p));
  return { pattern, base, segments };
}

/** The existing paths matching the glob, sorted; hidden entries match only an explicit leading dot. */
export async function expandGlob(g: CompiledGlob, limit: number): Promise<string[]> {
  let current = [g.base];
  for (const seg of g.segments) {
    const next: string[] = [];
    for (const dir of current) {
      if (typeof seg === 'string') {
        next.push(join(dir, seg));
        continue;
      }
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch {
        continue; // a directory that does not exist matches nothing
      }
      for (const e of entries) if (seg(e)) next.push(join(dir, e));
      if (next.length > limit) break;
    }
    current = next.slice(0, limit);
  }
  return current.sort();
}
