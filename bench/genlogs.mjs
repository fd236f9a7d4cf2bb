// Where ../shared/genlogs.py (the deterministic synthetic log generator) is: beside the checkout
// (/work/main -> /work/shared), beside the worktrees' folder (/work/wt/<name> -> /work/shared), or
// where BENCH_GENLOGS says.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The candidates, in order of preference. */
export const GENLOGS_CANDIDATES = [
  process.env.BENCH_GENLOGS,
  resolve(ROOT, '..', 'shared', 'genlogs.py'),
  resolve(ROOT, '..', '..', 'shared', 'genlogs.py'),
  '/work/shared/genlogs.py',
].filter((p) => p !== undefined && p !== '');

/** The path of genlogs.py; throws naming the places looked at when there is none. */
export function genlogsPath() {
  const found = GENLOGS_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`genlogs.py not found (looked at ${GENLOGS_CANDIDATES.join(', ')}; set BENCH_GENLOGS)`);
  return found;
}
