// Realtime watches bounded by fim.realtime_max_watches, on real trees: a root whose tree does not
// fit is left to its scheduled scans (one warning, hostwatch_fim_realtime_watching 0), and a
// change there is still found by the next scheduled scan; a root that fits is watched with the
// exact count of watches chokidar takes; a watcher that hits ENOSPC falls back the same way.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { FSWatcher } from 'chokidar';
import { makeCollector, sample, tempDir, writeTree, type FimHarness } from './helpers.js';
import { silentLogger } from '../../src/core/log.js';
import { countWatches } from '../../src/fim/watch-budget.js';
import { createPathFilter } from '../../src/fim/glob.js';

let t: ReturnType<typeof tempDir>;
let big: string;
let small: string;
let stateDir: string;
const running: FimHarness[] = [];

/** 10 directories of 4 files: 50 entries plus the root itself. */
function bigTree(root: string): void {
  const files: Record<string, string> = {};
  for (let d = 0; d < 10; d++) for (let f = 0; f < 4; f++) files[`d${d}/f${f}`] = `${d}.${f}\n`;
  writeTree(root, files);
}

beforeEach(() => {
  t = tempDir();
  big = path.join(t.dir, 'big');
  small = path.join(t.dir, 'small');
  stateDir = path.join(t.dir, 'state');
  mkdirSync(big);
  mkdirSync(small);
  bigTree(big);
  // root + ssh/ + 3 files = 5 watches
  writeTree(small, { passwd: 'root\n', 'ssh/sshd_config': 'Port 22\n', 'ssh/moduli': 'x\n' });
});
afterEach(async () => {
  for (const h of running.splice(0)) await h.collector.stop();
  t.cleanup();
});

/** inotify watches this process holds now, from the kernel's view of its descriptors. */
function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      n += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

function start(roots: string[], maxWatches: number) {
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (msg: string, f?: Record<string, unknown>) => warnings.push(`${msg} ${JSON.stringify(f)}`) };
  const h = makeCollector(
    stateDir,
    { roots: roots.map((p) => ({ path: p })), realtime: true, realtime_max_watches: maxWatches, scan_interval: '1h' },
    { logger },
  );
  running.push(h);
  return { h, warnings };
}

describe('fim realtime watch budget', () => {
  it('counts what chokidar watches: every directory and file not excluded, and stops past the limit', async () => {
    const opts = { root: big, filter: createPathFilter(['**'], []), follow: false, pseudoMounts: new Set<string>() };
    expect(await countWatches(opts, 1000)).toBe(51);
    expect(await countWatches(opts, 20)).toBe(21);
    // An excluded directory is not entered (chokidar ignores it too).
    expect(await countWatches({ ...opts, filter: createPathFilter(['**'], ['d0', 'd1']) }, 1000)).toBe(41);
    // A symbolic link takes no watch unless followed (then its target's).
    symlinkSync('d0/f0', path.join(big, 'link'));
    expect(await countWatches(opts, 1000)).toBe(51);
    expect(await countWatches({ ...opts, follow: true }, 1000)).toBe(52);
  });

  it('a root over the budget falls back to scheduled scans, says so once, and its changes are still found', async () => {
    const { h, warnings } = start([big], 20);
    await h.collector.start();
    await h.collector.idle();
    await h.collector.realtimeReady;
    const m = await h.metrics();
    expect(sample(m, 'hostwatch_fim_realtime_watching', { root: big })).toBe(0);
    expect(sample(m, 'hostwatch_fim_realtime_watches', { root: big })).toBe(0);
    const fallbacks = warnings.filter((w) => w.startsWith('FIM realtime off'));
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toContain(big);
    expect(fallbacks[0]).toContain('more than 20');

    appendFileSync(path.join(big, 'd3/f1'), 'changed\n');
    h.clock.advance(3_600_000);
    await h.collector.idle();
    expect(sample(await h.metrics(), 'hostwatch_fim_changed_files', { root: big, change: 'content' })).toBe(1);
    expect(h.collector.watchers[0].pendingCount).toBe(0);
  });

  it('roots take the budget in config order: the small one is watched, the big one is not', async () => {
    const { h, warnings } = start([small, big], 50);
    const before = inotifyWatches();
    await h.collector.start();
    await h.collector.idle();
    await h.collector.realtimeReady;
    const m = await h.metrics();
    expect(sample(m, 'hostwatch_fim_realtime_watching', { root: small })).toBe(1);
    expect(sample(m, 'hostwatch_fim_realtime_watches', { root: small })).toBe(5);
    // What was counted is what the kernel holds: nothing for the big root.
    expect(inotifyWatches() - before).toBe(5);
    // 45 watches are left after the small root: the big one needs 51.
    expect(sample(m, 'hostwatch_fim_realtime_watching', { root: big })).toBe(0);
    expect(warnings.filter((w) => w.startsWith('FIM realtime off'))).toHaveLength(1);

    // The watched root still works in realtime.
    const watcher = h.collector.watchers[0];
    await vi.waitFor(
      () => {
        appendFileSync(path.join(small, 'passwd'), 'x');
        expect(watcher.pendingCount).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 200 },
    );
    h.clock.advance(500);
    await watcher.idle();
    expect(sample(await h.metrics(), 'hostwatch_fim_changed_files', { root: small, change: 'content' })).toBe(1);
  });

  it('ENOSPC from the watcher switches the root to scheduled scans, with one warning', async () => {
    const { h, warnings } = start([small], 8192);
    await h.collector.start();
    await h.collector.idle();
    await h.collector.realtimeReady;
    expect(sample(await h.metrics(), 'hostwatch_fim_realtime_watching', { root: small })).toBe(1);
    // The kernel's limit cannot be reached here without exhausting the watches of every process of
    // the user: the error chokidar emits then is raised on the real watcher instead.
    const chokidar = (h.collector.watchers[0] as unknown as { watcher: FSWatcher }).watcher;
    chokidar.emit('error', Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' }));
    const m = await h.metrics();
    expect(sample(m, 'hostwatch_fim_realtime_watching', { root: small })).toBe(0);
    expect(sample(m, 'hostwatch_fim_realtime_watches', { root: small })).toBe(0);
    expect(warnings.filter((w) => w.startsWith('FIM realtime off'))).toHaveLength(1);
    expect(warnings.join('\n')).toContain('ENOSPC');

    appendFileSync(path.join(small, 'ssh/moduli'), 'y\n');
    h.clock.advance(3_600_000);
    await h.collector.idle();
    expect(sample(await h.metrics(), 'hostwatch_fim_changed_files', { root: small, change: 'content' })).toBe(1);
  });
});
