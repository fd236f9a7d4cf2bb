// The filesystem collector on a mount table written by the test, with real statfs on real
// directories (compared with statfsSync of the same path), a mount that does not exist (device
// error), and a hung mount (a statfs that never answers: a hung NFS server cannot be had here, so
// that one statfs is replaced) timed out by the injectable clock.
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FilesystemCollector, type StatfsFn } from '../../src/collectors/filesystem/index.js';
import { makeCtx, samples } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-fs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const proc = join(tmp, 'proc');
const root = join(tmp, 'root');
mkdirSync(join(proc, '1'), { recursive: true });
mkdirSync(join(root, 'data'), { recursive: true });
mkdirSync(join(root, 'media/My Disk'), { recursive: true });
mkdirSync(join(root, 'hung'), { recursive: true });
writeFileSync(
  join(proc, '1/mounts'),
  [
    '/dev/vda / ext4 rw,relatime 0 0',
    'proc /proc proc rw 0 0',
    'tmpfs /run tmpfs rw 0 0',
    '/dev/vdb /data xfs rw,relatime 0 0',
    '/dev/vdb /data/bind xfs rw,relatime 0 0',
    '/dev/sdd1 /media/My\\040Disk ext4 ro,nosuid 0 0',
    '/dev/vdc /missing ext4 rw 0 0',
    'nas:/export /hung nfs4 rw,hard 0 0',
    '',
  ].join('\n'),
);

/** Yields to the event loop until cond holds (I/O callbacks run in between); no timers involved. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('condition never held');
}

const key = (metric: string, device: string, mountpoint: string, fstype: string) =>
  `${metric}{device="${device}",mountpoint="${mountpoint}",fstype="${fstype}"}`;

describe('filesystem collector', () => {
  it('reports statfs figures of each mount under rootfs_path, readonly, and device errors', async () => {
    const ctx = makeCtx({ proc_path: proc, rootfs_path: root });
    const c = new FilesystemCollector(ctx);
    await c.update();
    const s = samples(await ctx.registry.metrics());
    const real = statfsSync(join(root, 'data'));
    expect(s.get(key('hostwatch_filesystem_size_bytes', '/dev/vdb', '/data', 'xfs'))).toBe(real.blocks * real.bsize);
    expect(s.get(key('hostwatch_filesystem_files', '/dev/vdb', '/data', 'xfs'))).toBe(real.files);
    expect(s.get(key('hostwatch_filesystem_avail_bytes', '/dev/vdb', '/data', 'xfs'))).toBeGreaterThan(0);
    expect(s.get(key('hostwatch_filesystem_free_bytes', '/dev/vdb', '/data', 'xfs'))).toBeGreaterThanOrEqual(
      s.get(key('hostwatch_filesystem_avail_bytes', '/dev/vdb', '/data', 'xfs'))!,
    );
    expect(s.get(key('hostwatch_filesystem_files_free', '/dev/vdb', '/data', 'xfs'))).toBeGreaterThan(0);
    expect(s.get(key('hostwatch_filesystem_readonly', '/dev/vdb', '/data', 'xfs'))).toBe(0);
    expect(s.get(key('hostwatch_filesystem_device_error', '/dev/vdb', '/data', 'xfs'))).toBe(0);
    // The escaped mount point is statfs'ed under its real name and labelled with it.
    expect(s.get(key('hostwatch_filesystem_readonly', '/dev/sdd1', '/media/My Disk', 'ext4'))).toBe(1);
    expect(s.get(key('hostwatch_filesystem_device_error', '/dev/sdd1', '/media/My Disk', 'ext4'))).toBe(0);
    // A mount point that cannot be statfs'ed: error 1, no size.
    expect(s.get(key('hostwatch_filesystem_device_error', '/dev/vdc', '/missing', 'ext4'))).toBe(1);
    expect(s.has(key('hostwatch_filesystem_size_bytes', '/dev/vdc', '/missing', 'ext4'))).toBe(false);
    // Bind mount of /dev/vdb and pseudo filesystems are left out.
    expect([...s.keys()].some((k) => k.includes('/data/bind') || k.includes('"/proc"') || k.includes('"/run"'))).toBe(false);
  });

  it('a hung statfs reports device_error after statfs_timeout, is not re-issued while stuck, and recovers', async () => {
    let hungCalls = 0;
    let release!: () => void;
    const fake: StatfsFn = (path) => {
      if (path === join(root, 'hung')) {
        hungCalls++;
        return new Promise((resolve, reject) => {
          release = () => reject(Object.assign(new Error('EIO'), { code: 'EIO' }));
        });
      }
      return statfs(path);
    };
    const ctx = makeCtx({ proc_path: proc, rootfs_path: root, filesystem: { statfs_timeout: '2s' } });
    const c = new FilesystemCollector(ctx, { statfs: fake });
    const hungError = key('hostwatch_filesystem_device_error', 'nas:/export', '/hung', 'nfs4');

    let done = false;
    const first = c.update().then(() => (done = true));
    // Let the real statfs calls answer; the hung one keeps update() waiting until the timeout.
    await until(() => hungCalls === 1);
    expect(done).toBe(false);
    ctx.clock.advance(2000);
    await first;
    expect(samples(await ctx.registry.metrics()).get(hungError)).toBe(1);
    expect(hungCalls).toBe(1);

    // Still stuck: the next scrape does not call statfs on it again and does not wait.
    await c.update();
    expect(hungCalls).toBe(1);
    expect(samples(await ctx.registry.metrics()).get(hungError)).toBe(1);

    // The stuck call ends (here with EIO): the mount is tried again on the next scrape.
    release();
    await new Promise((r) => setImmediate(r));
    const third = c.update();
    await until(() => hungCalls === 2);
    ctx.clock.advance(2000);
    await third;
    expect(hungCalls).toBe(2);
  });

  it('runs mount_points_exclude on RE2: a catastrophic-backtracking regex gives its answer at once', async () => {
    // On JavaScript's backtracking engine, ^/m/(a+)+$ against "/m/" + 60 "a" + "!" takes about 2^60
    // steps (the scrape never ends); RE2 answers in time linear in the mount point.
    const p3 = join(tmp, 'proc3');
    const mountPoint = `/m/${'a'.repeat(60)}!`;
    mkdirSync(join(p3, '1'), { recursive: true });
    writeFileSync(join(p3, '1/mounts'), `/dev/vdb /data xfs rw 0 0\n/dev/vde ${mountPoint} ext4 rw 0 0\n/dev/vdf /m/aaa ext4 rw 0 0\n`);
    const ctx = makeCtx({ proc_path: p3, rootfs_path: root, filesystem: { mount_points_exclude: '^/m/(a+)+$' } });
    await new FilesystemCollector(ctx).update();
    const s = samples(await ctx.registry.metrics());
    expect(s.get(key('hostwatch_filesystem_device_error', '/dev/vde', mountPoint, 'ext4'))).toBe(1);
    expect(s.has(key('hostwatch_filesystem_device_error', '/dev/vdf', '/m/aaa', 'ext4'))).toBe(false);
    expect(s.get(key('hostwatch_filesystem_device_error', '/dev/vdb', '/data', 'xfs'))).toBe(0);
  });

  it('falls back to /proc/mounts when /proc/1/mounts is unreadable', async () => {
    const p2 = join(tmp, 'proc2');
    mkdirSync(p2, { recursive: true });
    writeFileSync(join(p2, 'mounts'), '/dev/vdb /data xfs ro 0 0\n');
    const ctx = makeCtx({ proc_path: p2, rootfs_path: root });
    await new FilesystemCollector(ctx).update();
    expect(samples(await ctx.registry.metrics()).get(key('hostwatch_filesystem_readonly', '/dev/vdb', '/data', 'xfs'))).toBe(1);
  });
});
