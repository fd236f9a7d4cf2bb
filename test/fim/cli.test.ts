// `hostwatch fim status|accept` as an operator runs them: the real CLI in a child process, on a
// real tree, next to an exporter-side collector sharing the state directory.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { makeCollector, sample, tempDir, writeTree } from './helpers.js';
import { baselinePath, journalPath, statePath } from '../../src/fim/store.js';
import { COLLECTORS } from '../../src/collectors/index.js';
import { SERVICE_STATE_DIR } from '../../src/config/state-dir.js';
import { MAIN_JS } from '../support/main.js';

const REPO = path.resolve(import.meta.dirname, '../..');
let t: ReturnType<typeof tempDir>;
let root: string;
let stateDir: string;
let configFile: string;

/**
 * Runs the real CLI. `permissionsApply`: as root, permission bits do not stop reading, so the CLI runs
 * through util-linux's setpriv without the capabilities that bypass them (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH): still uid 0, able to read the repository wherever it is checked out, but
 * getting real EACCES on a mode-000 file. As another user they apply anyway.
 */
function hostwatch(args: string[], opts: { permissionsApply?: boolean; cwd?: string; noStateDir?: boolean } = {}) {
  const argv = [
    process.execPath,
    MAIN_JS,
    'fim',
    ...args,
    '--config.file',
    configFile,
    ...(opts.noStateDir ? [] : ['--state.dir', stateDir]),
  ];
  if (opts.permissionsApply && process.getuid!() === 0)
    argv.unshift('setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-all');
  const r = spawnSync(argv[0], argv.slice(1), { cwd: opts.cwd ?? REPO, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeEach(() => {
  t = tempDir();
  chmodSync(t.dir, 0o755);
  root = path.join(t.dir, 'srv');
  stateDir = path.join(t.dir, 'state');
  mkdirSync(root);
  writeTree(root, { 'app.conf': 'listen 80\n', 'bin/tool': '#!/bin/sh\n', 'data/keep': 'k' });
  configFile = path.join(t.dir, 'hostwatch.yml');
  writeFileSync(configFile, `fim:\n  enabled: true\n  roots:\n    - path: ${root}\n      exclude: ['data/**']\n`);
});
afterEach(() => t.cleanup());

describe('hostwatch fim', () => {
  it('status without a baseline says so and exits 2; accept creates it; status is then clean', () => {
    let r = hostwatch(['status']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('no baseline yet');
    r = hostwatch(['accept']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${root}: baseline created (3 entries)`); // app.conf, bin, bin/tool (data/ excluded)
    r = hostwatch(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${root}: no changes`);
  });

  it('status scans now and lists the changes (text and JSON), exit 1, without writing anything', () => {
    hostwatch(['accept']);
    appendFileSync(path.join(root, 'app.conf'), 'evil\n');
    chmodSync(path.join(root, 'bin/tool'), 0o4755);
    writeFileSync(path.join(root, 'bin/dropper'), 'x');
    writeFileSync(path.join(root, 'data/ignored'), 'x');
    let r = hostwatch(['status']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`content +${root}/app\\.conf +\\(sha256 \\w+ -> \\w+, size 10 -> 15\\)`));
    expect(r.stdout).toMatch(new RegExp(`permissions +${root}/bin/tool +\\(mode 0644 -> 04755\\)`));
    expect(r.stdout).toMatch(new RegExp(`added +${root}/bin/dropper`));
    expect(r.stdout).not.toContain('ignored');
    r = hostwatch(['status', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.source).toBe('scan');
    expect(report.roots[0].changes.map((c: { path: string; change: string[] }) => [path.basename(c.path), c.change])).toEqual([
      ['app.conf', ['content']],
      ['dropper', ['added']],
      ['tool', ['permissions']],
    ]);
    expect(existsSync(journalPath(stateDir))).toBe(false);
    expect(existsSync(statePath(stateDir, root))).toBe(false);
  });

  it("--workers: digests are the same with worker threads and on the command's own thread (the default); a bad count is refused", () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
    expect(hostwatch(['accept', '--workers', '2']).code).toBe(0);
    writeFileSync(path.join(root, 'app.conf'), 'listen 8080\n');
    const r = hostwatch(['status']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`(sha256 ${sha('listen 80\n')} -> ${sha('listen 8080\n')}, size 10 -> 12)`);
    const bad = hostwatch(['status', '--workers', 'two']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--workers: "two" is not a whole number >= 0');
  });

  it('accept PATH accepts only that path (a file or a directory subtree) and journals it', () => {
    hostwatch(['accept']);
    appendFileSync(path.join(root, 'app.conf'), 'more\n');
    writeFileSync(path.join(root, 'bin/new'), 'n');
    let r = hostwatch(['accept', path.join(root, 'bin')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${root}: accepted 1 changed path`);
    r = hostwatch(['status', '--json']);
    expect(JSON.parse(r.stdout).roots[0].changes.map((c: { path: string }) => c.path)).toEqual([path.join(root, 'app.conf')]);
    const journal = readFileSync(journalPath(stateDir), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(journal).toEqual([expect.objectContaining({ path: path.join(root, 'bin/new'), change: 'accepted:added' })]);
    r = hostwatch(['accept', '/somewhere/else']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/somewhere/else: not under any fim root');
  });

  it('accept while the exporter runs: the running collector picks up the new baseline at the next scrape', async () => {
    const h = makeCollector(stateDir, { roots: [{ path: root, exclude: ['data/**'] }] });
    try {
      await h.collector.start();
      await h.collector.idle();
      chownSync(path.join(root, 'app.conf'), 1000, 1000);
      await h.collector.scanNow();
      expect(sample(await h.metrics(), 'hostwatch_fim_changed_files', { root, change: 'owner' })).toBe(1);

      // --cached reports the exporter's recorded state, without scanning.
      writeFileSync(path.join(root, 'not-yet-scanned'), 'x');
      let r = hostwatch(['status', '--cached', '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).roots[0].changes.map((c: { path: string; change: string[] }) => c.change)).toEqual([['owner']]);

      r = hostwatch(['accept']);
      expect(r.code).toBe(0);
      await h.collector.update();
      const m = await h.metrics();
      expect(sample(m, 'hostwatch_fim_changed_files', { root, change: 'owner' })).toBe(0);
      expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'owner' })).toBe(1);
      // The next exporter scan sees the file added after its last scan as a change event, but it
      // was accepted already: not "changed" any more.
      await h.collector.scanNow();
      const m2 = await h.metrics();
      expect(sample(m2, 'hostwatch_fim_changes_total', { root, change: 'added' })).toBe(1);
      expect(sample(m2, 'hostwatch_fim_changed_files', { root, change: 'added' })).toBe(0);
    } finally {
      await h.collector.stop();
    }
  });

  it('finds the state dir of the exporter (state_dir of the config file) wherever both are run from', async () => {
    writeFileSync(configFile, `state_dir: state\nfim:\n  enabled: true\n  roots:\n    - path: ${root}\n      exclude: ['data/**']\n`);
    const exporterCwd = path.join(t.dir, 'srv');
    const others = COLLECTORS.filter((c) => c.name !== 'fim').map((c) => `--no-collector.${c.name}`);
    const proc = spawn(process.execPath, [MAIN_JS, `--config.file=${configFile}`, '--web.listen-address=127.0.0.1:0', ...others], {
      cwd: exporterCwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      const baseline = baselinePath(stateDir, root);
      for (let i = 0; i < 600 && !existsSync(baseline); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(baseline)).toBe(true);
      expect(log).toContain(`state directory" dir=${stateDir} from=state_dir`);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    const elsewhere = path.join(t.dir, 'srv', 'bin');
    const r = hostwatch(['status'], { cwd: elsewhere, noStateDir: true });
    expect(r.stdout).toContain(`${root}: no changes`);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(elsewhere, 'data'))).toBe(false);
  });

  it('without a state_dir, uses data/ beside the config file, not ./data of the working directory', () => {
    // The default when /var/lib/hostwatch does not exist (the lookup itself: test/config/state-dir.test.ts).
    if (existsSync(SERVICE_STATE_DIR)) return;
    const r = hostwatch(['accept'], { cwd: root, noStateDir: true });
    expect(r.code).toBe(0);
    expect(existsSync(baselinePath(path.join(t.dir, 'data'), root))).toBe(true);
    expect(hostwatch(['status'], { cwd: path.join(root, 'bin'), noStateDir: true }).code).toBe(0);
  });

  it('status --cached without an exporter scan says so', () => {
    hostwatch(['accept']);
    const r = hostwatch(['status', '--cached']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('no scan recorded by the exporter yet');
  });

  it('unreadable file and directory (permission bits enforced): permission errors, no false removals', () => {
    writeTree(root, { 'secret/key': 'k', private: 'p' });
    let r = hostwatch(['accept'], { permissionsApply: true });
    // Nothing but progress, which a scan slower than a second (a busy machine) prints.
    expect(r.stderr.replace(/^fim: scanning .*\n/gm, '')).toBe('');
    expect(r.code).toBe(0);
    chmodSync(path.join(root, 'private'), 0);
    chmodSync(path.join(root, 'secret'), 0);
    r = hostwatch(['status', '--json'], { permissionsApply: true });
    const report = JSON.parse(r.stdout).roots[0];
    expect(report.errors.permission).toBe(2);
    // Each unreadable path is named with its reason.
    expect(report.unreadable.map((u: { path: string; reason: string }) => [path.relative(root, u.path), u.reason]).sort()).toEqual([
      ['private', 'permission'],
      ['secret', 'permission'],
    ]);
    const text = hostwatch(['status'], { permissionsApply: true }).stdout;
    expect(text).toContain(`unreadable (permission) ${path.join(root, 'private')}`);
    // Mode changes are seen; the content that could not be read is not reported as changed or removed.
    expect(report.changes.map((c: { path: string; change: string[] }) => [path.basename(c.path), c.change])).toEqual([
      ['private', ['permissions']],
      ['secret', ['permissions']],
    ]);
  });
});

describe('progress of long scans', () => {
  it('is silent for the first second, then prints files, MB and rate once a second', async () => {
    const { progressPrinter } = await import('../../src/cli/fim.js');
    let t = 0;
    const lines: string[] = [];
    const p = progressPrinter({ write: (s) => lines.push(s), isTTY: false }, () => t);
    p.onProgress('/usr', { entries: 10, hashedFiles: 5, hashedBytes: 1e6, elapsedMs: 500 });
    t = 999;
    p.onProgress('/usr', { entries: 20, hashedFiles: 5, hashedBytes: 2e6, elapsedMs: 999 });
    expect(lines).toEqual([]);
    t = 1000;
    p.onProgress('/usr', { entries: 1000, hashedFiles: 900, hashedBytes: 250e6, elapsedMs: 1000 });
    t = 1500;
    p.onProgress('/usr', { entries: 1200, hashedFiles: 1000, hashedBytes: 300e6, elapsedMs: 1500 });
    expect(lines).toEqual(['fim: scanning /usr: 1000 entries, 250.0 MB hashed, 250.0 MB/s\n']);
    p.done();
    expect(lines).toHaveLength(1);
  });
});
