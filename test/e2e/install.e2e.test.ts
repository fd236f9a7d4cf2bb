// Installing hostwatch as a user does: `npm pack` of the working tree, then `npm install -g --prefix DIR`
// of the tarball, with every install script run. Then the installed `hostwatch` command (its shebang,
// its package layout, its own dependencies) serves metrics, and the systemd unit verifies against it.
// re2's install script first downloads a prebuilt addon (from GitHub, or the mirror named by
// RE2_DOWNLOAD_MIRROR), verifies it, and compiles RE2 from source only when that fails: 23 minutes
// on 2 cores (README). Here it downloads from a local mirror holding the addon this clone's `npm ci`
// built, the path of a host that reaches GitHub, so the test takes a minute; the download, the
// verification and the install layout are re2's and npm's real ones. HOSTWATCH_INSTALL_BUILD_RE2=1
// takes the compile path instead (what a host without GitHub access goes through).
// The pack runs on a copy of the working tree without dist/, so the tarball's dist/ can only come
// from the package's prepack script. npm needs the registry for the dependencies (its cache serves
// those it already has).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { brotliCompressSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { ExporterProcess, prepareExporterFiles, REPO_ROOT } from './harness/exporter.js';
import { freePort } from './harness/ports.js';
import { npm } from '../support/npm.js';
import { INSTALLED_BIN, verifyUnit } from '../support/systemd.js';

const run = promisify(execFile);
const MINUTE = 60_000;
const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
};

let dir: string;
let prefix: string;
let packed: string[];
let bin: string;
let installed: string;

/**
 * A download mirror for re2's install script: the addon of this clone's own install, under the name
 * install-artifact-from-github asks for (<platform>-<arch>-<node ABI>.br; path and version parts off).
 */
async function re2Mirror(to: string): Promise<NodeJS.ProcessEnv> {
  if (process.env.HOSTWATCH_INSTALL_BUILD_RE2 === '1') return {};
  const addon = await readFile(join(REPO_ROOT, 'node_modules/re2/build/Release/re2.node'));
  await mkdir(to, { recursive: true });
  await writeFile(join(to, `${process.platform}-${process.arch}-${process.versions.modules}.br`), brotliCompressSync(addon));
  return { RE2_DOWNLOAD_MIRROR: to, RE2_DOWNLOAD_SKIP_PATH: '1', RE2_DOWNLOAD_SKIP_VER: '1' };
}

/** The working tree as git sees it (tracked and untracked files, not ignored ones: no dist/, no node_modules). */
async function copyWorkingTree(to: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const f of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO_ROOT, f))) continue; // deleted, not yet committed
    await mkdir(dirname(join(to, f)), { recursive: true });
    await cp(join(REPO_ROOT, f), join(to, f));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-install-'));
  const tree = join(dir, 'tree');
  await copyWorkingTree(tree);
  expect(existsSync(join(tree, 'dist'))).toBe(false);
  // The build tools (tsc) of the repo's own install: prepack needs them, the tarball does not.
  await symlink(join(REPO_ROOT, 'node_modules'), join(tree, 'node_modules'));
  const out = JSON.parse(await npm(['pack', '--json', '--pack-destination', dir], tree, 10 * MINUTE)) as {
    filename: string;
    files: { path: string }[];
  }[];
  packed = out[0]!.files.map((f) => f.path);
  prefix = join(dir, 'prefix');
  // --foreground-scripts: re2's compiler output in the failure message, if it fails.
  const env = await re2Mirror(join(dir, 're2-mirror'));
  await npm(
    ['install', '--global', '--prefix', prefix, '--foreground-scripts', '--no-audit', '--no-fund', join(dir, out[0]!.filename)],
    dir,
    40 * MINUTE,
    env,
  );
  bin = join(prefix, 'bin/hostwatch');
  installed = join(prefix, 'lib/node_modules', pkg.name);
}, 50 * MINUTE);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm pack, then npm install -g of the tarball into a scratch prefix', () => {
  it('packs a dist/ built by the prepack script', () => {
    expect(packed).toContain('dist/main.js');
    expect(packed.filter((f) => /^(test|src)\//.test(f))).toEqual([]);
  });

  it('installs a `hostwatch` command that runs --version', async () => {
    expect((await stat(bin)).mode & 0o111).not.toBe(0);
    // Run as a command (its shebang finds node on PATH), from an unrelated directory.
    const { stdout } = await run(bin, ['--version'], { cwd: dir });
    expect(stdout).toMatch(new RegExp(`^hostwatch ${pkg.version.replaceAll('.', '\\.')} \\(revision \\S+, node ${process.version}\\)\\n$`));
  });

  it('installs the runtime dependencies only, with the re2 addon in place', async () => {
    const deps = await readdir(join(installed, 'node_modules'));
    expect(deps).toContain('re2');
    expect(deps.filter((d) => d in pkg.devDependencies)).toEqual([]);
    expect(existsSync(join(installed, 'node_modules/re2/build/Release/re2.node'))).toBe(true);
  });

  it('validates the config it ships', async () => {
    const { stdout } = await run(bin, ['check-config', `--config.file=${join(installed, 'hostwatch.yml')}`], { cwd: dir });
    expect(stdout).toContain('configuration is valid');
  });

  it('serves /metrics: logs, FIM and host collectors on the installed dependencies', async () => {
    const files = await prepareExporterFiles(join(dir, 'run'));
    const exporter = await ExporterProcess.start(files, `127.0.0.1:${await freePort()}`, 30_000, [bin]);
    try {
      await writeFile(
        files.accessLog,
        '127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 612 "-" "curl/8.0" 0.004\n',
        { flag: 'a' },
      );
      let metrics = '';
      for (let i = 0; i < 100 && !/hostwatch_http_requests_total\{[^}]*\} 1\b/.test(metrics); i++) {
        await new Promise((r) => setTimeout(r, 200));
        metrics = await exporter.metrics();
      }
      expect(metrics).toMatch(new RegExp(`hostwatch_build_info\\{[^}]*version="${pkg.version.replaceAll('.', '\\.')}"`));
      expect(metrics).toMatch(/hostwatch_http_requests_total\{[^}]*\} 1\b/);
      expect(metrics).not.toMatch(/hostwatch_collector_success\{[^}]*\} 0\b/);
    } finally {
      await exporter.proc.stop();
    }
  });

  it('the systemd unit verifies with ExecStart at the installed command', async () => {
    const unit = join(dir, 'systemd/hostwatch.service');
    await mkdir(dirname(unit), { recursive: true });
    const text = await readFile(join(installed, 'packaging/hostwatch.service'), 'utf8');
    expect(text).toContain(`ExecStart=${INSTALLED_BIN} `);
    await writeFile(unit, text.replace(`ExecStart=${INSTALLED_BIN} `, `ExecStart=${bin} `));
    expect(await verifyUnit(unit)).toEqual({ code: 0, output: '' });
  });
});
