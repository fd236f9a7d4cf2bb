// filesystem: size, free space and inodes of mounted filesystems (statfs of each mount point from
// /proc/1/mounts, under rootfs_path). A statfs that does not answer within statfs_timeout (a hung
// NFS server) reports device_error 1; while it is still pending no new statfs is issued on that
// mount, so stuck calls cannot pile up and exhaust libuv's small thread pool.
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import { userRegex } from '../../core/regex.js';
import { rateLimited, type Logger } from '../../core/log.js';
import type { Clock } from '../../core/clock.js';
import { hostPaths, MAX_SERIES_OBJECTS, readText, rootfsPath, type HostPaths } from '../hostfs.js';
import { parseMounts, selectMounts, type Mount } from './parse.js';

/** statfs, replaceable in tests: a hung NFS server cannot be had on a test machine. */
export type StatfsFn = (
  path: string,
) => Promise<{ bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }>;

interface FsStats {
  mount: Mount;
  /** Undefined when statfs failed or timed out. */
  stats?: { size: number; free: number; avail: number; files: number; filesFree: number };
}

export class FilesystemCollector implements Collector {
  private readonly paths: HostPaths;
  private readonly excludeMountPoints: RegExp;
  private readonly excludeFsTypes: RegExp;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly clock: Clock;
  /** statfs calls still running past their timeout, by mount point. */
  private readonly stuck = new Map<string, Promise<unknown>>();
  private last: FsStats[] = [];
  private readonly statfs: StatfsFn;

  constructor(ctx: CollectorContext, opts: { statfs?: StatfsFn } = {}) {
    this.statfs = opts.statfs ?? ((p) => statfs(p));
    const host = ctx.config.host;
    this.paths = hostPaths(host);
    this.excludeMountPoints = userRegex(host.filesystem.mount_points_exclude);
    this.excludeFsTypes = userRegex(host.filesystem.fs_types_exclude);
    this.timeoutMs = host.filesystem.statfs_timeout;
    // A hung mount times out at every scrape: said once per interval, with the count of repeats.
    this.logger = rateLimited(ctx.logger, { clock: ctx.clock });
    this.clock = ctx.clock;
    const labelNames = ['device', 'mountpoint', 'fstype'];
    const labels = (m: Mount) => ({ device: m.device, mountpoint: m.mountPoint, fstype: m.fsType });
    const metric = (name: string, help: string, pick: (s: NonNullable<FsStats['stats']>) => number) =>
      defineMetric(ctx.registry, {
        name,
        help,
        type: 'gauge',
        labelNames,
        samples: () => {
          const out: Sample[] = [];
          for (const f of this.last) if (f.stats) out.push({ labels: labels(f.mount), value: pick(f.stats) });
          return out;
        },
      });
    metric('hostwatch_filesystem_size_bytes', 'Filesystem size.', (s) => s.size);
    metric('hostwatch_filesystem_free_bytes', 'Free space, including the blocks reserved for root.', (s) => s.free);
    metric('hostwatch_filesystem_avail_bytes', 'Space available to unprivileged users.', (s) => s.avail);
    metric('hostwatch_filesystem_files', 'Inodes.', (s) => s.files);
    metric('hostwatch_filesystem_files_free', 'Free inodes.', (s) => s.filesFree);
    const all = (name: string, help: string, value: (f: FsStats) => number) =>
      defineMetric(ctx.registry, {
        name,
        help,
        type: 'gauge',
        labelNames,
        samples: () => this.last.map((f) => ({ labels: labels(f.mount), value: value(f) })),
      });
    all('hostwatch_filesystem_readonly', 'Whether the filesystem is mounted read-only.', (f) => (f.mount.readonly ? 1 : 0));
    all('hostwatch_filesystem_device_error', 'Whether statfs failed or timed out on this mount.', (f) => (f.stats ? 0 : 1));
  }

  private async mountsText(): Promise<string> {
    // PID 1's mount table is the host's even when the exporter runs in its own mount namespace
    // with the host's /proc mounted; /proc/mounts (our own) is the fallback when 1 is unreadable.
    try {
      return await readText(join(this.paths.proc, '1', 'mounts'));
    } catch {
      return readText(join(this.paths.proc, 'mounts'));
    }
  }

  private statOne(m: Mount): Promise<FsStats> {
    if (this.stuck.has(m.mountPoint)) return Promise.resolve({ mount: m });
    const call = this.statfs(rootfsPath(this.paths, m.mountPoint));
    let timer: unknown;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = this.clock.setTimeout(() => resolve('timeout'), this.timeoutMs);
    });
    return Promise.race([call, timeout]).then(
      (s): FsStats => {
        this.clock.clearTimeout(timer);
        if (s === 'timeout') {
          this.logger.warn('statfs timed out', { mountpoint: m.mountPoint, timeout_ms: this.timeoutMs });
          const settle = () => this.stuck.delete(m.mountPoint);
          this.stuck.set(m.mountPoint, call.then(settle, settle));
          return { mount: m };
        }
        return {
          mount: m,
          stats: { size: s.blocks * s.bsize, free: s.bfree * s.bsize, avail: s.bavail * s.bsize, files: s.files, filesFree: s.ffree },
        };
      },
      (err: NodeJS.ErrnoException): FsStats => {
        this.clock.clearTimeout(timer);
        this.logger.debug('statfs failed', { mountpoint: m.mountPoint, err: err.code ?? err.message });
        return { mount: m };
      },
    );
  }

  async update(): Promise<void> {
    const mounts = selectMounts(parseMounts(await this.mountsText()), this.excludeMountPoints, this.excludeFsTypes, MAX_SERIES_OBJECTS);
    this.last = await Promise.all(mounts.map((m) => this.statOne(m)));
  }
}

export const filesystemCollector: CollectorDefinition = {
  name: 'filesystem',
  help: 'filesystem size, free space and inodes (statfs of /proc/1/mounts entries)',
  defaultEnabled: true,
  create: (ctx) => new FilesystemCollector(ctx),
};
