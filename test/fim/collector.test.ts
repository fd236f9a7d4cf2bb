// The fim collector end to end on real temp trees: baseline, change events and metrics on the
// collector's own registry, the journal, accept while running, restart, schedule and realtime.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { makeCollector, sample, tempDir, writeTree, type FimHarness } from './helpers.js';
import { acceptRoot, scanRootNow } from '../../src/fim/offline.js';
import { baselinePath, currentPath, journalPath, statePath } from '../../src/fim/store.js';
import { rootSettings } from '../../src/collectors/fim/index.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';

let t: ReturnType<typeof tempDir>;
let root: string;
let stateDir: string;
const running: FimHarness[] = [];

beforeEach(() => {
  t = tempDir();
  root = path.join(t.dir, 'etc');
  stateDir = path.join(t.dir, 'state');
  mkdirSync(root);
  writeTree(root, { passwd: 'root:x:0:0\n', shadow: 'root:!:1\n', 'ssh/sshd_config': 'Port 22\n', motd: 'hi\n' });
});
afterEach(async () => {
  for (const h of running.splice(0)) await h.collector.stop();
  t.cleanup();
});

function start(fim: Record<string, unknown> = {}, opts = {}): FimHarness {
  const h = makeCollector(stateDir, { roots: [{ path: root, critical: true }], ...fim }, opts);
  running.push(h);
  return h;
}

const journal = () =>
  existsSync(journalPath(stateDir))
    ? readFileSync(journalPath(stateDir), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

describe('fim collector', () => {
  it('does nothing when fim is disabled', async () => {
    const h = makeCollector(stateDir, { enabled: false, roots: [{ path: root }] });
    running.push(h);
    await h.collector.start();
    await h.collector.update();
    expect(await h.metrics()).not.toMatch(/^hostwatch_fim_\w+\{/m);
    expect(existsSync(stateDir)).toBe(false);
  });

  it('creates the baseline on the first scan, in the background, and exports the root metrics', async () => {
    const h = start();
    await h.collector.start();
    await h.collector.idle();
    const m = await h.metrics();
    expect(sample(m, 'hostwatch_fim_root_info', { root, critical: 'true' })).toBe(1);
    expect(sample(m, 'hostwatch_fim_files', { root })).toBe(5); // 4 files + the ssh directory
    for (const change of ['added', 'removed', 'content', 'permissions', 'owner']) {
      expect(sample(m, 'hostwatch_fim_changes_total', { root, change })).toBe(0);
      expect(sample(m, 'hostwatch_fim_changed_files', { root, change })).toBe(0);
    }
    expect(sample(m, 'hostwatch_fim_last_scan_timestamp_seconds', { root })).toBe(h.clock.now() / 1000);
    expect(sample(m, 'hostwatch_fim_scan_duration_seconds', { root })).toBeGreaterThanOrEqual(0);
    expect(sample(m, 'hostwatch_fim_scan_errors_total', { root, reason: 'permission' })).toBe(0);
    expect(existsSync(baselinePath(stateDir, root))).toBe(true);
    expect(journal()).toEqual([]);
    // File names never appear in labels.
    expect(m).not.toContain('passwd');
  });

  it('detects add, modify, chmod, chown, delete and rename; they stay changed until accepted', async () => {
    const h = start();
    await h.collector.start();
    await h.collector.idle();

    appendFileSync(path.join(root, 'passwd'), 'evil:x:0:0\n');
    chmodSync(path.join(root, 'shadow'), 0o666);
    chownSync(path.join(root, 'motd'), 4242, 4343);
    writeFileSync(path.join(root, 'new'), 'n');
    renameSync(path.join(root, 'ssh/sshd_config'), path.join(root, 'ssh/sshd_config.old'));
    await h.collector.scanNow();

    let m = await h.metrics();
    const total = (change: string) => sample(m, 'hostwatch_fim_changes_total', { root, change });
    const current = (change: string) => sample(m, 'hostwatch_fim_changed_files', { root, change });
    expect([total('added'), total('removed'), total('content'), total('permissions'), total('owner')]).toEqual([2, 1, 1, 1, 1]);
    expect([current('added'), current('removed'), current('content'), current('permissions'), current('owner')]).toEqual([2, 1, 1, 1, 1]);

    const entries = journal();
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
    expect(byPath[path.join(root, 'passwd')]).toMatchObject({ root, change: 'content', old: { size: 11 }, new: { size: 22 } });
    expect(byPath[path.join(root, 'passwd')].old.sha256).not.toBe(byPath[path.join(root, 'passwd')].new.sha256);
    expect(byPath[path.join(root, 'shadow')]).toMatchObject({ change: 'permissions', old: { mode: '0644' }, new: { mode: '0666' } });
    expect(byPath[path.join(root, 'motd')]).toMatchObject({ change: 'owner', old: { owner: '0:0' }, new: { owner: '4242:4343' } });
    expect(byPath[path.join(root, 'ssh/sshd_config')]).toMatchObject({ change: 'removed', new: null });
    expect(byPath[path.join(root, 'ssh/sshd_config.old')]).toMatchObject({ change: 'added', old: null });
    expect(byPath[path.join(root, 'new')]).toMatchObject({ change: 'added' });
    expect(entries).toHaveLength(6);
    expect(Date.parse(entries[0].ts)).toBe(h.clock.now());

    // Another scan: nothing new happened, so no new events, but the files are still "changed".
    await h.collector.scanNow();
    m = await h.metrics();
    expect(total('content')).toBe(1);
    expect(current('content')).toBe(1);
    expect(journal()).toHaveLength(6);

    // The operator accepts one path (as `hostwatch fim accept` does, from another process's view:
    // only files on disk are shared); the running collector sees it at the next scrape.
    const settings = rootSettings(parseConfig({ fim: { enabled: true, roots: [{ path: root }] } }).fim)[0];
    await acceptRoot(await scanRootNow(settings, stateDir), stateDir, ['shadow']);
    await h.collector.update();
    m = await h.metrics();
    expect(current('permissions')).toBe(0);
    expect(current('content')).toBe(1);
    // Then everything.
    await acceptRoot(await scanRootNow(settings, stateDir), stateDir);
    await h.collector.update();
    m = await h.metrics();
    for (const change of ['added', 'removed', 'content', 'permissions', 'owner']) expect(current(change)).toBe(0);
    // The counter is history: accepting does not lower it.
    expect(total('content')).toBe(1);
    expect(
      journal()
        .filter((e) => e.change.startsWith('accepted:'))
        .map((e) => path.basename(e.path))
        .sort(),
    ).toEqual(['motd', 'new', 'passwd', 'shadow', 'sshd_config', 'sshd_config.old']);
  });

  it('counts a second modification of an already changed file as a new change', async () => {
    const h = start();
    await h.collector.start();
    await h.collector.idle();
    appendFileSync(path.join(root, 'motd'), '1');
    await h.collector.scanNow();
    appendFileSync(path.join(root, 'motd'), '2');
    await h.collector.scanNow();
    const m = await h.metrics();
    expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'content' })).toBe(2);
    expect(sample(m, 'hostwatch_fim_changed_files', { root, change: 'content' })).toBe(1);
  });

  it('a restart keeps the baseline, the changes and the counters, and does not rehash unchanged files', async () => {
    const h1 = start();
    await h1.collector.start();
    await h1.collector.idle();
    writeFileSync(path.join(root, 'passwd'), 'changed\n');
    await h1.collector.scanNow();
    await h1.collector.stop();
    running.splice(running.indexOf(h1), 1);
    expect(existsSync(statePath(stateDir, root))).toBe(true);

    const h2 = start();
    await h2.collector.start();
    // Before the first scan of the new process the persisted counters are served (no reset to 0).
    let m = await h2.metrics();
    expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'content' })).toBe(1);
    await h2.collector.idle();
    m = await h2.metrics();
    expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'content' })).toBe(1);
    expect(sample(m, 'hostwatch_fim_changed_files', { root, change: 'content' })).toBe(1);
    expect(h2.collector.monitors[0].lastHashedFiles).toBe(0);
    expect(journal()).toHaveLength(1);
  });

  it('an unchanged rescan rewrites only the small state file, not the records', async () => {
    const h = start();
    await h.collector.start();
    await h.collector.idle();
    const records = currentPath(stateDir, root);
    const before = statSync(records).ino;
    const stateBefore = statSync(statePath(stateDir, root)).ino;
    await h.collector.scanNow();
    expect(statSync(records).ino).toBe(before);
    expect(statSync(statePath(stateDir, root)).ino).not.toBe(stateBefore);
    writeFileSync(path.join(root, 'motd'), 'changed\n');
    await h.collector.scanNow();
    expect(statSync(records).ino).not.toBe(before);
  });

  it('a root that disappears counts its removals once, and root_missing at each scan', async () => {
    const h = start();
    await h.collector.start();
    await h.collector.idle();
    rmSync(root, { recursive: true });
    await h.collector.scanNow();
    await h.collector.scanNow();
    const m = await h.metrics();
    expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'removed' })).toBe(5);
    expect(sample(m, 'hostwatch_fim_changed_files', { root, change: 'removed' })).toBe(5);
    expect(sample(m, 'hostwatch_fim_scan_errors_total', { root, reason: 'root_missing' })).toBe(2);
    expect(sample(m, 'hostwatch_fim_files', { root })).toBe(0);
  });

  it('with the exporter state lost, the next scan reports changes against the baseline', async () => {
    const h1 = start();
    await h1.collector.start();
    await h1.collector.idle();
    await h1.collector.stop();
    running.splice(running.indexOf(h1), 1);
    rmSync(statePath(stateDir, root));
    writeFileSync(path.join(root, 'passwd'), 'other\n');
    const h2 = start();
    await h2.collector.start();
    await h2.collector.idle();
    expect(sample(await h2.metrics(), 'hostwatch_fim_changes_total', { root, change: 'content' })).toBe(1);
  });

  it('scans again every scan_interval (clock-driven)', async () => {
    const h = start({ scan_interval: '10m' });
    await h.collector.start();
    await h.collector.idle();
    const first = sample(await h.metrics(), 'hostwatch_fim_last_scan_timestamp_seconds', { root })!;
    writeFileSync(path.join(root, 'added-later'), 'x');
    h.clock.advance(9 * 60_000);
    await h.collector.idle();
    expect(sample(await h.metrics(), 'hostwatch_fim_changes_total', { root, change: 'added' })).toBe(0);
    h.clock.advance(60_000);
    await h.collector.idle();
    const m = await h.metrics();
    expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'added' })).toBe(1);
    expect(sample(m, 'hostwatch_fim_last_scan_timestamp_seconds', { root })).toBe(first + 600);
  });

  it('stop() during a scan abandons it: nothing half-scanned is committed', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atHash = new Promise<void>((r) => (reached = r));
    const h = start(
      {},
      {
        hooks: {
          beforeHash: async () => {
            reached();
            await blocked;
          },
        },
      },
    );
    await h.collector.start();
    await atHash;
    const stopped = h.collector.stop();
    release();
    await stopped;
    running.splice(running.indexOf(h), 1);
    expect(existsSync(baselinePath(stateDir, root))).toBe(false);
    expect(sample(await h.metrics(), 'hostwatch_fim_last_scan_timestamp_seconds', { root })).toBeUndefined();
  });

  it('a corrupt baseline is reported and never silently replaced', async () => {
    mkdirSync(path.dirname(baselinePath(stateDir, root)), { recursive: true });
    writeFileSync(baselinePath(stateDir, root), '{not json');
    const h = start();
    await h.collector.start();
    await h.collector.idle();
    expect(readFileSync(baselinePath(stateDir, root), 'utf8')).toBe('{not json');
    expect(sample(await h.metrics(), 'hostwatch_fim_scan_errors_total', { root, reason: 'io' })).toBeGreaterThan(0);
  });

  it.each([
    ['garbage', '\u0000\u0001garbage'],
    ['truncated', '{"version":1,"root":"/x","entries":{"a":{"type":"fi'],
    ['another version', '{"version":99,"entries":{}}'],
    [
      'JSON lines file cut at a line boundary',
      '{"format":"hostwatch-fim-records","version":2,"root":"/x","dirs":2,"entries":2}\n' +
        `{"dir":"","entries":[["a",33188,0,0,1,1,1,1,"${'0'.repeat(64)}"]]}\n`,
    ],
    [
      'JSON lines file cut mid-line',
      '{"format":"hostwatch-fim-records","version":2,"root":"/x","dirs":1,"entries":1}\n{"dir":"","entries":[["a",33188,0,',
    ],
  ])('a %s state file at start is reported and ignored: the scan compares with the baseline', async (_what, text) => {
    const first = start();
    await first.collector.start();
    await first.collector.idle();
    await first.collector.stop();
    running.splice(running.indexOf(first), 1);
    writeFileSync(path.join(root, 'passwd'), 'changed while the exporter was down');
    writeFileSync(currentPath(stateDir, root), text);
    const warnings: string[] = [];
    const logger = {
      ...silentLogger,
      warn: (msg: string, fields?: Record<string, unknown>) => warnings.push(`${msg} ${JSON.stringify(fields)}`),
    };
    const h = start({}, { logger });
    await h.collector.start();
    await h.collector.idle();
    expect(warnings.join('\n')).toContain('FIM state ignored');
    expect(warnings.join('\n')).toContain(path.basename(currentPath(stateDir, root)));
    const m = await h.metrics();
    // The change made while it was down is still seen, against the baseline.
    expect(sample(m, 'hostwatch_fim_changed_files', { root, change: 'content' })).toBe(1);
    // The next scan wrote a valid state over it.
    const lines = readFileSync(currentPath(stateDir, root), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'hostwatch-fim-records', version: 2, dirs: lines.length - 1 });
  });

  it('realtime: rehashes only the changed file after the debounce', async () => {
    const h = start({ realtime: true, scan_interval: '24h' });
    await h.collector.start();
    await h.collector.idle();
    const watcher = h.collector.watchers[0];
    // chokidar sets its watches up in the background: write until a change is seen.
    const monitor = h.collector.monitors[0];
    await vi.waitFor(
      async () => {
        appendFileSync(path.join(root, 'passwd'), 'x');
        expect(watcher.pendingCount).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 200 },
    );
    h.clock.advance(500);
    await watcher.idle();
    const m = await h.metrics();
    expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'content' })).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'hostwatch_fim_changed_files', { root, change: 'content' })).toBe(1);
    expect(monitor.lastHashedFiles).toBe(1);
    expect(journal()[0]).toMatchObject({ path: path.join(root, 'passwd'), change: 'content' });
  });

  it('realtime: a chmod and a deleted file are picked up without a full scan', async () => {
    const h = start({ realtime: true, scan_interval: '24h' });
    await h.collector.start();
    await h.collector.idle();
    const watcher = h.collector.watchers[0];
    await vi.waitFor(
      async () => {
        chmodSync(path.join(root, 'shadow'), 0o600 + Math.floor(Math.random() * 2) * 0o40);
        expect(watcher.pendingCount).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 200 },
    );
    chmodSync(path.join(root, 'shadow'), 0o600);
    h.clock.advance(500);
    await watcher.idle();
    expect(sample(await h.metrics(), 'hostwatch_fim_changed_files', { root, change: 'permissions' })).toBe(1);

    unlinkSync(path.join(root, 'ssh/sshd_config'));
    await vi.waitFor(() => expect(watcher.isPending('ssh/sshd_config')).toBe(true), { timeout: 10_000, interval: 50 });
    h.clock.advance(500);
    await watcher.idle();
    expect(sample(await h.metrics(), 'hostwatch_fim_changed_files', { root, change: 'removed' })).toBe(1);
    expect(sample(await h.metrics(), 'hostwatch_fim_last_scan_timestamp_seconds', { root })).toBe(h.clock.now() / 1000 - 1);
  });
});
