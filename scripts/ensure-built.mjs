#!/usr/bin/env node
// `npm start` helper: builds dist/ when it is missing or older than any source file, and records the
// git revision for hostwatch_build_info. No shell: git and tsc are run with fixed argv.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const force = process.argv.includes('--force');
if (force || !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(join(root, 'src'))) {
  process.stderr.write('building hostwatch (tsc)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], {
    stdio: 'inherit',
  });
}
let revision = 'unknown';
try {
  revision = execFileSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // not a git checkout (e.g. a release tarball): keep "unknown"
}
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'revision.json'), JSON.stringify({ revision }) + '\n');
