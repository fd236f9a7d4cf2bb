// What `npm pack` ships: the built command, the default config, the docs, LICENSE and the systemd
// files; never the tests, the sources or the benchmarks. The packed files must be enough to run: every
// import of dist/ resolves to a packed file or to a runtime dependency (a devDependency imported at run
// time works in the repo and breaks in every installation). The real `npm install -g` of the tarball
// (which compiles re2, minutes) is in the e2e suite: test/e2e/install.e2e.test.ts.
// npm runs with --ignore-scripts here: its prepack is a clean rebuild of dist/, which would pull
// dist/ from under the other test files running in parallel; dist/ is fresh (the global setup built it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../support/main.js';
import { npm } from '../support/npm.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

let files: string[];
beforeAll(async () => {
  const out = JSON.parse(await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], REPO_ROOT)) as { files: { path: string }[] }[];
  files = out[0]!.files.map((f) => f.path);
});

/** Specifiers of the static and dynamic imports, re-exports and literal require()s of a compiled module. */
function importsOf(js: string): string[] {
  // TypeScript's own scanner: import/export ... from, import(), require(); never a string in the code.
  return ts.preProcessFile(js, true, true).importedFiles.map((f) => f.fileName);
}

/** The package name of a bare specifier: `a/b` → `a`, `@s/a/b` → `@s/a`. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('npm pack', () => {
  it('ships the command, the default config, the docs, LICENSE, CHANGELOG and the systemd files', () => {
    for (const f of [
      pkg.bin.hostwatch!,
      'dist/revision.json',
      'hostwatch.yml',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'docs/runbook.md',
      'packaging/hostwatch.service',
      'packaging/hostwatch-fim.conf',
    ])
      expect(files, f).toContain(f);
    expect(pkg.bin.hostwatch).toBe('dist/main.js');
  });

  it('ships no tests, sources, benchmarks, fixtures, source maps or development configs', () => {
    const unwanted = files.filter(
      (f) =>
        /^(test|src|bench|mixin|scripts|\.ci|node_modules|data)\//.test(f) ||
        /(\.test\.|\.e2e\.|\.map$|\.ts$)/.test(f) ||
        /fixtures?\//.test(f) ||
        /^(tsconfig.*|vitest.*|eslint.*|\.npmrc|\.gitignore|package-lock\.json)$/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('ships every file dist/ imports, and imports at run time only runtime dependencies', async () => {
    const shipped = new Set(files);
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    const jsFiles = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    expect(jsFiles.length).toBeGreaterThan(50);
    for (const f of jsFiles) {
      for (const spec of importsOf(await readFile(join(REPO_ROOT, f), 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = posix.normalize(posix.join(posix.dirname(f), spec));
          if (!shipped.has(target)) problems.push(`${f} imports ${spec}: ${target} is not packed`);
        } else if (!spec.startsWith('node:') && !builtins.has(spec) && !(packageName(spec) in pkg.dependencies)) {
          problems.push(`${f} imports ${spec}, which is not in package.json "dependencies"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  describe('the packed tarball, unpacked', () => {
    let dir: string;
    let main: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hostwatch-pack-'));
      const out = JSON.parse(await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], REPO_ROOT)) as {
        filename: string;
      }[];
      await run('tar', ['-xzf', join(dir, out[0]!.filename), '-C', dir]);
      // The dependencies as installed in the repo (a real install is in the e2e suite).
      await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'package/node_modules'));
      main = join(dir, 'package', pkg.bin.hostwatch!);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('runs --version from its own package.json and revision.json', async () => {
      const { stdout } = await run(process.execPath, [main, '--version'], { cwd: dir });
      const revision = (JSON.parse(await readFile(join(dir, 'package/dist/revision.json'), 'utf8')) as { revision: string }).revision;
      expect(stdout.trim()).toBe(`hostwatch ${pkg.version} (revision ${revision}, node ${process.version})`);
    });

    it('validates the default config it ships', async () => {
      const { stdout } = await run(process.execPath, [main, 'check-config', `--config.file=${join(dir, 'package/hostwatch.yml')}`], {
        cwd: dir,
      });
      expect(stdout).toContain('configuration is valid');
    });
  });
});
