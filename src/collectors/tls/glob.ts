// Minimal path globbing for host.tls.cert_files (Node 20 has no fs.glob): `*`, `?` and `[...]`
// within one path segment, like the shell without globstar. Patterns are compiled once, at start;
// expansion walks only the directories the pattern names, with async readdir.
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { globToRegExp } from '../../core/glob.js';

type Segment = string | RegExp;

export interface CompiledGlob {
  pattern: string;
  /** Literal prefix directory where the walk starts. */
  base: string;
  /** Remaining segments: literals or regexes matching one directory entry. */
  segments: Segment[];
}

const MAGIC = /[*?[]/;

export function hasMagic(pattern: string): boolean {
  return MAGIC.test(pattern);
}

export function compileGlob(pattern: string): CompiledGlob {
  const parts = pattern.split(sep);
  const baseParts: string[] = [];
  let i = 0;
  for (; i < parts.length && !MAGIC.test(parts[i]); i++) baseParts.push(parts[i]);
  const base = baseParts.join(sep) || (isAbsolute(pattern) ? sep : '.');
  const segments = parts.slice(i).filter((p) => p !== '').map((p) => (MAGIC.test(p) ? globToRegExp(p) : p));
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
      for (const e of entries) {
        if (e.startsWith('.') && !seg.source.startsWith('^\\.')) continue;
        if (seg.test(e)) next.push(join(dir, e));
      }
      if (next.length > limit) break;
    }
    current = next.slice(0, limit);
  }
  return current.sort();
}
