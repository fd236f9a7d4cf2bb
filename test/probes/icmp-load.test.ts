// icmp probes under load, with real child processes: each run's ping is killed at the probe's timeout
// and reaped before its slot frees, so the children alive (or dead but not yet reaped) never exceed
// probes.max_concurrency, runs that cannot keep to their interval are skipped and counted, stop() ends
// every child, and the exporter keeps answering /-/ready and stops on SIGTERM.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { systemClock } from '../../src/core/clock.js';
import { ProbeScheduler } from '../../src/probes/scheduler.js';
import { createTasks } from '../../src/probes/task.js';
import { MAIN_JS, REPO_ROOT } from '../support/main.js';

/** Children of `pid`, zombies included: what the kernel still holds for it (read at once, not between two spawns). */
function childrenOf(pid: number): { pid: number; zombie: boolean }[] {
  const out: { pid: number; zombie: boolean }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat = '';
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      // gone meanwhile
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === pid) out.push({ pid: Number(entry), zombie: state === 'Z' });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-icmp-load-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('icmp probes whose ping never answers', () => {
  it('kill each ping at the timeout and reap it before the next run: children stay within max_concurrency, overruns are skipped', async () => {
    // A ping that never answers, whatever the target: it ignores its arguments and waits until killed
    // (what ping does towards a host that drops echo requests, minus the network this test cannot
    // rely on). Run as ping is: spawned with argv, killed at the probe's timeout.
    const fake = join(dir, 'silent-ping');
    await writeFile(fake, '#!/bin/sh\nexec sleep 60\n');
    await chmod(fake, 0o755);
    const maxConcurrency = 8;
    const targets = Array.from({ length: 40 }, (_, i) => ({
      name: `p${i}`,
      type: 'icmp',
      target: '127.0.0.1',
      interval: '300ms',
      timeout: '150ms',
    }));
    const config = parseConfig({ probes: { max_concurrency: maxConcurrency, targets } });
    const { tasks } = await createTasks(config.probes.targets, { ping: { file: fake, args: [] } });
    const failures = new Map<string, number>();
    let skipped = 0;
    const scheduler = new ProbeScheduler(tasks, {
      maxConcurrency,
      clock: systemClock,
      onResult: (_p, r) => failures.set(r.failure ?? 'none', (failures.get(r.failure ?? 'none') ?? 0) + 1),
      onSkipped: (_p, beats) => (skipped += beats),
    });
    // Children this process had already (test files share their worker process) are not the probes'.
    const earlier = new Set(childrenOf(process.pid).map((c) => c.pid));
    const pings = () => childrenOf(process.pid).filter((c) => !earlier.has(c.pid));
    scheduler.start();
    let most = 0;
    try {
      for (let i = 0; i < 30; i++) {
        await sleep(100);
        most = Math.max(most, pings().length);
      }
    } finally {
      await scheduler.stop();
    }
    // 40 probes of 150 ms in 8 slots cannot keep a 300 ms interval: runs were skipped, never doubled.
    expect(skipped).toBeGreaterThan(0);
    expect(failures.get('timeout')).toBeGreaterThan(maxConcurrency);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(maxConcurrency);
    // stop() returns once every child is killed and reaped.
    expect(pings()).toEqual([]);
  });
});

describe('the exporter with 50 icmp probes at 1 s (the real ping)', () => {
  it('keeps its children bounded, answers /-/ready, and stops on SIGTERM', async () => {
    const maxConcurrency = 16;
    const targets = Array.from({ length: 50 }, (_, i) => ({
      name: `p${i}`,
      type: 'icmp',
      target: '127.0.0.1',
      interval: '1s',
      timeout: '1s',
    }));
    const configFile = join(dir, 'hostwatch.yml');
    await writeFile(
      configFile,
      JSON.stringify({ host: { updates: { enabled: false } }, logs: [], probes: { max_concurrency: maxConcurrency, targets } }),
    );
    const proc = spawn(
      process.execPath,
      [MAIN_JS, `--config.file=${configFile}`, `--state.dir=${join(dir, 'state')}`, '--web.listen-address=127.0.0.1:0'],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
      proc.once('exit', (code, signal) => r({ code, signal })),
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let buf = '';
        proc.stderr!.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /hostwatch listening"? address=\S*:(\d+)/.exec(buf);
          if (m) resolve(Number(m[1]));
        });
        void exited.then(() => reject(new Error(`exporter exited before listening:\n${buf}`)));
      });
      let most = 0;
      for (let i = 0; i < 20; i++) {
        await sleep(150);
        most = Math.max(most, childrenOf(proc.pid!).length);
        const ready = await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(10_000) });
        expect(ready.status).toBe(200);
      }
      expect(most).toBeLessThanOrEqual(maxConcurrency);
      // p0's ping answers within a few of its 1 s rounds; a machine busy with other tests may need more
      // than the 3 s above before the first round has been reaped.
      const success = /^hostwatch_probe_success\{probe="p0",type="icmp"\} 1$/m;
      let metrics = '';
      for (let i = 0; i < 40 && !success.test(metrics); i++) {
        if (i > 0) await sleep(250);
        metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      }
      expect(metrics).toMatch(success);
      proc.kill('SIGTERM');
      // Its own deadline is 5 s; a clean stop exits 0.
      const exit = await Promise.race([exited, sleep(10_000).then(() => 'still running')]);
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    }
  }, 60_000);
});
