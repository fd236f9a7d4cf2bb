// The host collectors, in scrape-output order: entries of the one list of collectors (index.ts),
// data only; each `load` imports the collector's code when the exporter runs it.
import type { CollectorEntry } from './collector.js';

export const HOST_COLLECTORS: CollectorEntry[] = [
  {
    name: 'cpu',
    help: 'CPU time by cpu and mode (/proc/stat)',
    defaultEnabled: true,
    load: async () => (await import('./cpu/index.js')).cpuCollector,
  },
  {
    name: 'stat',
    help: 'forks, context switches, interrupts, boot time, running and blocked tasks (/proc/stat)',
    defaultEnabled: true,
    load: async () => (await import('./stat/index.js')).statCollector,
  },
  {
    name: 'loadavg',
    help: 'load averages (/proc/loadavg)',
    defaultEnabled: true,
    load: async () => (await import('./loadavg/index.js')).loadavgCollector,
  },
  {
    name: 'pressure',
    help: 'pressure stall information when the kernel has it (/proc/pressure)',
    defaultEnabled: true,
    load: async () => (await import('./pressure/index.js')).pressureCollector,
  },
  {
    name: 'meminfo',
    help: 'memory and swap sizes and swap activity (/proc/meminfo, /proc/vmstat)',
    defaultEnabled: true,
    load: async () => (await import('./meminfo/index.js')).meminfoCollector,
  },
  {
    name: 'diskstats',
    help: 'block device I/O statistics (/proc/diskstats)',
    defaultEnabled: true,
    load: async () => (await import('./diskstats/index.js')).diskstatsCollector,
  },
  {
    name: 'filesystem',
    help: 'filesystem size, free space and inodes (statfs of /proc/1/mounts entries)',
    defaultEnabled: true,
    load: async () => (await import('./filesystem/index.js')).filesystemCollector,
  },
  {
    name: 'netdev',
    help: 'network interface statistics (/proc/net/dev, /sys/class/net)',
    defaultEnabled: true,
    load: async () => (await import('./netdev/index.js')).netdevCollector,
  },
  {
    name: 'processes',
    help: 'process and thread counts (/proc, /proc/loadavg)',
    defaultEnabled: true,
    load: async () => (await import('./processes/index.js')).processesCollector,
  },
  {
    name: 'filefd',
    help: 'allocated and maximum file handles (/proc/sys/fs/file-nr)',
    defaultEnabled: true,
    load: async () => (await import('./filefd/index.js')).filefdCollector,
  },
  {
    name: 'time',
    help: 'system time and uptime (/proc/uptime)',
    defaultEnabled: true,
    load: async () => (await import('./time/index.js')).timeCollector,
  },
  {
    name: 'os',
    help: 'OS release and kernel version (os-release, /proc/sys/kernel/osrelease)',
    defaultEnabled: true,
    load: async () => (await import('./os/index.js')).osCollector,
  },
  {
    name: 'updates',
    help: 'pending OS updates from a background apt/dnf check (host.updates)',
    defaultEnabled: true,
    load: async () => (await import('./updates/index.js')).updatesCollector,
  },
  {
    name: 'reboot',
    help: 'whether a reboot is required (/var/run/reboot-required)',
    defaultEnabled: true,
    load: async () => (await import('./reboot/index.js')).rebootCollector,
  },
  {
    name: 'tls',
    help: 'expiry of the PEM certificates listed in host.tls.cert_files',
    defaultEnabled: true,
    load: async () => (await import('./tls/index.js')).tlsCollector,
  },
];
