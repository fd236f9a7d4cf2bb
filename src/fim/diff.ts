// Differences between two record sets of one root, optionally limited to a subtree. Blocks that are
// the same object in both sets (a directory where nothing changed) are skipped whole; in the others
// the sorted names are walked side by side, and a FileRecord is made only for an entry that differs.
import { classifyChange, CHANGE_KINDS, type ChangeKind, type FileRecord } from './record.js';
import { DirBlock, inScope, joinRel, splitRel, type RecordSet } from './record-set.js';

export { inScope };

export interface PathChange {
  rel: string;
  kinds: ChangeKind[];
  old?: FileRecord;
  new?: FileRecord;
}

const EMPTY = new DirBlock('', [], new Float64Array(0), null, null);

export function diffRecords(from: RecordSet, to: RecordSet, scope = ''): PathChange[] {
  const out: PathChange[] = [];
  for (const [dir, a] of from.blocks) {
    const b = to.blocks.get(dir);
    if (a !== b && touches(dir, scope)) diffBlocks(dir, a, b ?? EMPTY, scope, out);
  }
  for (const [dir, b] of to.blocks) {
    if (!from.blocks.has(dir) && touches(dir, scope)) diffBlocks(dir, EMPTY, b, scope, out);
  }
  return out;
}

/** Whether a block of `dir` can hold entries in scope: a directory at or below it, or the scope's parent. */
function touches(dir: string, scope: string): boolean {
  return inScope(dir, scope) || dir === splitRel(scope)[0];
}

function diffBlocks(dir: string, a: DirBlock, b: DirBlock, scope: string, out: PathChange[]): void {
  // Every entry of a directory at or below the scope is in it; of the scope's parent, only the scope.
  const whole = inScope(dir, scope);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const na = i < a.length ? a.names[i] : undefined;
    const nb = j < b.length ? b.names[j] : undefined;
    const name = nb === undefined || (na !== undefined && na < nb) ? na! : nb;
    const ia = na === name ? i++ : -1;
    const jb = nb === name ? j++ : -1;
    const rel = joinRel(dir, name);
    if (!whole && !inScope(rel, scope)) continue;
    if (ia >= 0 && jb >= 0 && a.sameEntry(ia, b, jb)) continue;
    const old = ia >= 0 ? a.record(ia) : undefined;
    const now = jb >= 0 ? b.record(jb) : undefined;
    const kinds = classifyChange(old, now);
    if (kinds.length) out.push({ rel, kinds, old, new: now });
  }
}

/** Files per change kind between the baseline and the current state (a file may count in several kinds). */
export function countChanges(changes: readonly PathChange[]): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const c of changes) for (const k of c.kinds) counts[k]++;
  return counts;
}
