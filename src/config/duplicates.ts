// Checks across the entries of hostwatch.yml: two logs with one name (their series would collide),
// two FIM roots with one path (they would share a state file). They read the file as written rather
// than the schema's output, so that they run whatever else is wrong and one check-config lists every
// problem: a schema refinement runs only once the rest of the file is valid.
import { formatPath } from './errors.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `path: duplicate ...` for each entry of `list` whose key (by `keyOf`) an earlier entry has. */
function duplicatesIn(list: unknown, path: (string | number)[], field: string, what: string, keyOf: (v: string) => string): string[] {
  if (!Array.isArray(list)) return [];
  const seen = new Map<string, number>();
  const problems: string[] = [];
  list.forEach((entry, i) => {
    const value = isRecord(entry) ? entry[field] : undefined;
    if (typeof value !== 'string') return;
    const key = keyOf(value);
    const prev = seen.get(key);
    if (prev !== undefined)
      problems.push(`${formatPath([...path, i, field])}: duplicate ${what} ${JSON.stringify(value)} (also ${formatPath([...path, prev])})`);
    else seen.set(key, i);
  });
  return problems;
}

export function duplicateProblems(raw: unknown): string[] {
  if (!isRecord(raw)) return [];
  return [
    ...duplicatesIn(raw.logs, ['logs'], 'name', 'log name', (name) => name),
    ...(isRecord(raw.fim) ? duplicatesIn(raw.fim.roots, ['fim', 'roots'], 'path', 'root', (p) => p.replace(/\/+$/, '') || '/') : []),
  ];
}
