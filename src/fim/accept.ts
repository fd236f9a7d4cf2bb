// Accepting FIM changes into the baseline, for `hostwatch fim accept` and POST /api/v1/fim/accept:
// each path is mapped to the root holding it, the root is scanned now and the scoped changes are
// written to the baseline under the state lock (the running exporter picks the new baseline up).
import path from 'node:path';
import type { RootSettings } from './monitor.js';
import { acceptRoot, scanRootNow, type RootScan, type ScanNowOptions } from './offline.js';
import { describeRecord } from './record.js';
import { joinPath } from './scan.js';
import type { PathChange } from './diff.js';

export function changeJson(r: RootScan, c: PathChange) {
  return { path: joinPath(r.root, c.rel), change: c.kinds, old: describeRecord(c.old), new: describeRecord(c.new) };
}

export interface AcceptResult {
  root: string;
  created: boolean;
  entries: number;
  accepted: ReturnType<typeof changeJson>[];
}

/** Accepts the given paths (all roots entirely when none); throws when a path is under no root. */
export async function acceptPaths(
  roots: RootSettings[],
  paths: string[],
  stateDir: string,
  opts: ScanNowOptions = {},
): Promise<AcceptResult[]> {
  // Map each path to the root that contains it, as a root-relative scope.
  const scopes = new Map<string, string[]>();
  for (const p of paths) {
    const abs = path.resolve(p);
    const owner = roots
      .map((s) => path.resolve(s.path))
      .filter((r) => abs === r || abs.startsWith(r.endsWith('/') ? r : r + '/'))
      .sort((a, b) => b.length - a.length)[0];
    if (!owner) throw new Error(`${p}: not under any fim root`);
    const rel = path.relative(owner, abs).split(path.sep).join('/');
    scopes.set(owner, [...(scopes.get(owner) ?? []), rel]);
  }
  const results: AcceptResult[] = [];
  for (const s of roots) {
    const root = path.resolve(s.path);
    if (paths.length > 0 && !scopes.has(root)) continue;
    const scan = await scanRootNow(s, stateDir, opts);
    const only = scopes.get(root);
    const { accepted, created } = await acceptRoot(scan, stateDir, only?.includes('') ? undefined : only);
    results.push({ root, created, entries: scan.current.size, accepted: accepted.map((c) => changeJson(scan, c)) });
  }
  return results;
}
