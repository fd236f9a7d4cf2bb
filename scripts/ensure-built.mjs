#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file, and records the git revision for
// hostwatch_build_info. Run by `npm start` (prestart), `npm ci` (prepare), the tests' global setup and,
// with --clean, by `npm pack` (prepack): a clean build, so that no output of a deleted source file is
// shipped. No shell: git and tsc are run with fixed argv.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const entry = join(dist, 'main.js');
const src = join(root, 'src');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// The Dockerfile's dependency layer runs `npm ci` before the sources are copied in: nothing to build.
if (!existsSync(src)) {
  process.stderr.write('no src/ here: nothing to build\n');
  process.exit(0);
}
const clean = process.argv.includes('--clean');
const force = clean || process.argv.includes('--force');
if (clean) rmSync(dist, { recursive: true, force: true });
if (force || !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(src)) {
  process.stderr.write('building hostwatch (tsc)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], {
    stdio: 'inherit',
  });
}
// Executable like the installed command (npm sets the mode of a package's bin only when installing
// it): `./dist/main.js` runs, and a systemd unit can point ExecStart at it.
chmodSync(entry, 0o755);
let revision = 'unknown';
try {
  revision = execFileSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
} catch {
  // not a git checkout (e.g. a release tarball): keep "unknown"
}
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'revision.json'), JSON.stringify({ revision }) + '\n');
