// Differences between two sets of records of one root, optionally limited to a subtree.
import { classifyChange, CHANGE_KINDS, type ChangeKind, type FileRecord } from './record.js';

export interface PathChange {
  rel: string;
  kinds: ChangeKind[];
  old?: FileRecord;
  new?: FileRecord;
}

/** Whether `rel` is `scope` or below it ('' is the whole root). */
export function inScope(rel: string, scope: string): boolean {
  return scope === '' || rel === scope || rel.startsWith(scope + '/');
}

export function diffRecords(from: ReadonlyMap<string, FileRecord>, to: ReadonlyMap<string, FileRecord>, scope = ''): PathChange[] {
  const out: PathChange[] = [];
  let found = 0;
  for (const [rel, a] of from) {
    if (!inScope(rel, scope)) continue;
    const b = to.get(rel);
    if (b !== undefined) found++;
    if (a === b) continue;
    const kinds = classifyChange(a, b);
    if (kinds.length) out.push({ rel, kinds, old: a, new: b });
  }
  // Every path of `to` was seen in `from`: nothing was added (the second pass is for additions).
  if (scope === '' && found === to.size) return out;
  for (const [rel, b] of to) {
    if (from.has(rel) || !inScope(rel, scope)) continue;
    out.push({ rel, kinds: ['added'], new: b });
  }
  return out;
}

/** Files per change kind between the baseline and the current state (a file may count in several kinds). */
export function countChanges(changes: readonly PathChange[]): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const c of changes) for (const k of c.kinds) counts[k]++;
  return counts;
}

export function toMap(obj: Record<string, FileRecord>): Map<string, FileRecord> {
  return new Map(Object.entries(obj));
}

export function toObject(map: ReadonlyMap<string, FileRecord>): Record<string, FileRecord> {
  return Object.fromEntries(map);
}
