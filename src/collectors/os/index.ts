// os: hostwatch_os_info{id,version_id,pretty_name,kernel,arch} 1, from os-release (under
// rootfs_path: /etc/os-release, else /usr/lib/os-release), /proc/sys/kernel/osrelease and the
// machine architecture. None of these change without a reboot (or an OS upgrade, which is followed
// by one), so they are read once, on the first scrape, and retried only if that failed.
import { machine } from 'node:os';
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import { hostPaths, readText, rootfsPath, type HostPaths } from '../hostfs.js';
import { clampLabel, parseOsRelease, unameArch } from './parse.js';

interface OsInfo {
  id: string;
  version_id: string;
  pretty_name: string;
  kernel: string;
  arch: string;
}

export class OsCollector implements Collector {
  private readonly paths: HostPaths;
  private info?: OsInfo;
  private loading?: Promise<OsInfo>;

  constructor(ctx: CollectorContext) {
    this.paths = hostPaths(ctx.config.host);
    defineMetric(ctx.registry, {
      name: 'hostwatch_os_info',
      help: 'Operating system and kernel of the host; the value is always 1.',
      type: 'gauge',
      labelNames: ['id', 'version_id', 'pretty_name', 'kernel', 'arch'],
      samples: () => (this.info ? [{ labels: { ...this.info }, value: 1 }] : []),
    });
  }

  private async load(): Promise<OsInfo> {
    const osRelease = readText(rootfsPath(this.paths, '/etc/os-release')).catch(() =>
      readText(rootfsPath(this.paths, '/usr/lib/os-release')),
    );
    const [release, kernel] = await Promise.all([osRelease, readText(join(this.paths.proc, 'sys', 'kernel', 'osrelease'))]);
    const r = parseOsRelease(release);
    let arch: string;
    try {
      arch = machine(); // uname's machine: the host kernel's, also inside a container
    } catch {
      arch = unameArch(process.arch);
    }
    return {
      id: clampLabel(r.ID ?? 'linux'),
      version_id: clampLabel(r.VERSION_ID ?? ''),
      pretty_name: clampLabel(r.PRETTY_NAME ?? r.NAME ?? 'Linux'),
      kernel: clampLabel(kernel.trim()),
      arch,
    };
  }

  async update(): Promise<void> {
    if (this.info) return;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    this.info = await this.loading;
  }
}

export const osCollector: CollectorDefinition = {
  name: 'os',
  help: 'OS release and kernel version (os-release, /proc/sys/kernel/osrelease)',
  defaultEnabled: true,
  create: (ctx) => new OsCollector(ctx),
};
