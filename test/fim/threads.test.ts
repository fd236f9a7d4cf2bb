// The FIM worker threads exist only while a scan runs: none when the collector is created, the
// configured number during a scan, none once it is done (an idle exporter keeps no threads); the
// one-shot commands start none at all (pool.ts).
// Counted as the kernel sees them, in /proc/self/task.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdirSync, readdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { makeCollector, tempDir, writeTree } from './helpers.js';
import { createHash } from 'node:crypto';
import { InThreadPool, WorkerPool } from '../../src/fim/pool.js';
import { scanRootNow } from '../../src/fim/offline.js';
import { rootSettings } from '../../src/collectors/fim/index.js';
import { parseConfig } from '../../src/config/load.js';
import { ERR_VANISHED } from '../../src/fim/worker-protocol.js';

const threads = () => readdirSync('/proc/self/task').length;

/** Waits until the thread count falls to `n` (a terminated thread is joined shortly after its exit event). */
async function threadsDownTo(n: number): Promise<number> {
  for (let i = 0; i < 200 && threads() > n; i++) await new Promise((r) => setTimeout(r, 10));
  return threads();
}

let t: ReturnType<typeof tempDir>;
beforeEach(async () => {
  t = tempDir();
  // libuv's thread pool starts at the first asynchronous file-system call and stays: not ours to count.
  await access(t.dir);
});
afterEach(() => t.cleanup());

it('starts the hash_concurrency workers when a scan starts and stops them when it ends', async () => {
  const base = threads();
  const root = path.join(t.dir, 'etc');
  mkdirSync(root);
  writeTree(root, { a: 'a\n', 'sub/b': 'b\n' });
  let during = 0;
  const h = makeCollector(
    path.join(t.dir, 'state'),
    { roots: [{ path: root }], hash_concurrency: 3 },
    {
      hooks: { beforeHash: () => void (during = threads()) },
    },
  );
  expect(threads()).toBe(base);
  await h.collector.start();
  await h.collector.idle();
  expect(during).toBeGreaterThanOrEqual(base + 3);
  expect(await threadsDownTo(base)).toBe(base);
  await h.collector.stop();
});

it('a closed pool refuses tasks and keeps no threads', async () => {
  const base = threads();
  const pool = new WorkerPool(2);
  const res = await pool.hash([{ dir: t.dir, names: ['missing'] }], false);
  expect(res.errors).toEqual([ERR_VANISHED]);
  expect(threads()).toBeGreaterThanOrEqual(base + 2);
  await pool.close();
  await expect(pool.hash([], false)).rejects.toThrow('worker pool closed');
  expect(await threadsDownTo(base)).toBe(base);
});

it('the one-shot commands scan on their own thread: no worker starts, the baseline is the same as the pool makes', async () => {
  const root = path.join(t.dir, 'etc');
  mkdirSync(root);
  writeTree(root, { a: 'a\n', 'sub/b': 'b\n', 'sub/deeper/c': 'c\n' });
  const settings = rootSettings(parseConfig({ fim: { enabled: true, roots: [{ path: root }], hash_concurrency: 2 } }).fim)[0];
  const base = threads();
  let most = base;
  const counting = setInterval(() => (most = Math.max(most, threads())), 1);
  const own = await scanRootNow(settings, path.join(t.dir, 'state-own'), { workers: 0 });
  clearInterval(counting);
  expect(most).toBe(base);
  const pooled = await scanRootNow(settings, path.join(t.dir, 'state-pool'));
  const records = (s: typeof own) => [...s.current.paths()].sort().map((p) => s.current.get(p));
  expect(records(own)).toEqual(records(pooled));
  expect(own.current.get('sub/deeper/c')?.sha256).toBe(createHash('sha256').update('c\n').digest('hex'));
});

it('a closed in-thread pool refuses tasks', async () => {
  const pool = new InThreadPool();
  const res = await pool.hash([{ dir: t.dir, names: ['missing'] }], false);
  expect(res.errors).toEqual([ERR_VANISHED]);
  await pool.close();
  await expect(pool.hash([], false)).rejects.toThrow('worker pool closed');
});
