#!/usr/bin/env node
// One rule of the house that no linter has: no source file over 400 lines (a file that long holds
// more than one responsibility; split it by what its parts are for). Run by `npm run lint`.
// Fixtures and generated files are not source; tests follow the same rule.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const MAX_LINES = 400;
const ROOTS = ['src', 'test', 'mixin', 'bench', 'scripts'];
const SOURCE = /\.(ts|tsx|mjs|js|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'fixtures', 'dist']);

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* files(p);
    } else if (SOURCE.test(e.name)) yield p;
  }
}

const root = process.cwd();
const tooLong = [];
for (const r of ROOTS) {
  try {
    statSync(r);
  } catch {
    continue;
  }
  for (const f of files(r)) {
    const n = readFileSync(f, 'utf8').split('\n').length - 1;
    if (n > MAX_LINES) tooLong.push(`${relative(root, f)}: ${n} lines (max ${MAX_LINES})`);
  }
}
if (tooLong.length > 0) {
  process.stderr.write(`files over ${MAX_LINES} lines:\n  ${tooLong.join('\n  ')}\n`);
  process.exit(1);
}
