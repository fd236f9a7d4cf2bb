// The one schema of hostwatch.yml. Every key has a description and a default; unknown keys are
// errors (strict objects everywhere) so that a typo never goes unnoticed. The README's config
// reference is generated from the descriptions here (see scripts/readme-reference.ts). The keys of
// each log type live with the type (src/logs/<type>/config.ts), listed in src/logs/registry.ts.
import { z } from 'zod';
import { LOG_TYPES } from '../logs/registry.js';
import { bool, duration, regex, size } from './fields.js';
import { inventorySchema } from '../inventory/config.js';
import { probesSchema } from '../probes/config.js';
import { auditSchema } from '../audit/config.js';
import { actionsSchema } from '../remediation/config.js';

// ---------------------------------------------------------------------------------------------
// host: options of the host collectors
// ---------------------------------------------------------------------------------------------

export const hostSchema = z
  .strictObject({
    proc_path: z
      .string()
      .default('/proc')
      .describe('Mount point of the proc filesystem (set to /host/proc in a container); also --path.procfs'),
    sys_path: z.string().default('/sys').describe('Mount point of the sys filesystem (set to /host/sys in a container); also --path.sysfs'),
    rootfs_path: z
      .string()
      .default('/')
      .describe('Root of the host filesystem, prefixed to mount points for statfs (set to /host/root in a container); also --path.rootfs'),
    collector_timeout: duration('Time a collector may take during a scrape before it is reported failed', '5s'),
    filesystem: z
      .strictObject({
        mount_points_exclude: regex(
          'Mount points to ignore',
          '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)',
        ),
        fs_types_exclude: regex(
          'Filesystem types to ignore (pseudo filesystems)',
          '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs|tmpfs|ramfs|fuse\\.lxcfs|fuse\\.portal|nfsd|shm)$',
        ),
        statfs_timeout: duration('Time one statfs may take (a hung NFS mount must not stall the scrape)', '2s'),
      })
      .prefault({})
      .describe('Filesystem collector options'),
    diskstats: z
      .strictObject({
        device_exclude: regex(
          "Block devices to ignore: partitions, loop, ram and zram devices by default (node_exporter's default)",
          '^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p|mmcblk\\d+p)\\d+$',
        ),
      })
      .prefault({})
      .describe('Disk I/O collector options'),
    netdev: z
      .strictObject({
        device_exclude: regex('Network interfaces to ignore (set to "^$" to keep lo)', '^lo$'),
      })
      .prefault({})
      .describe('Network collector options'),
    updates: z
      .strictObject({
        enabled: bool('Check for pending OS updates (apt or dnf) in the background', true),
        interval: duration('How often the background update check runs', '1h'),
        timeout: duration('Time the package manager may take before the check is abandoned', '2m'),
      })
      .prefault({})
      .describe('Pending OS updates check (never runs on the scrape path)'),
    reboot_required_file: z
      .string()
      .default('/var/run/reboot-required')
      .describe('File whose presence means a reboot is required (Debian/Ubuntu convention)'),
    textfile: z
      .strictObject({
        directory: z
          .string()
          .default('')
          .describe(
            "Directory whose *.prom files (Prometheus text format, as node_exporter's textfile collector reads them) are exported; empty: none. Also --collector.textfile.directory",
          ),
      })
      .prefault({})
      .describe('Textfile collector options'),
    tls: z
      .strictObject({
        cert_files: z
          .array(z.string())
          .default([])
          .describe('PEM certificate files or globs to watch for expiry; bundles report every certificate'),
      })
      .prefault({})
      .describe('TLS certificate expiry collector options'),
  })
  .prefault({})
  .describe('Host collectors');

// ---------------------------------------------------------------------------------------------
// logs: one entry per log source, typed by `type`
// ---------------------------------------------------------------------------------------------

const TYPE_NAMES = LOG_TYPES.map((t) => t.type);

/** The entry schemas of the registered log types, as the tuple zod's discriminated union needs. */
type SchemasOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never };

export const logSchema = z.discriminatedUnion('type', LOG_TYPES.map((t) => t.schema) as SchemasOf<typeof LOG_TYPES>, {
  error: (iss) => (iss.code === 'invalid_union' ? `type must be one of ${TYPE_NAMES.join(', ')}` : undefined),
});

// ---------------------------------------------------------------------------------------------
// fim: file integrity monitoring
// ---------------------------------------------------------------------------------------------

export const fimRootSchema = z.strictObject({
  path: z.string().describe('Directory (or file) to watch'),
  include: z.array(z.string()).default(['**']).describe('Globs, relative to the root, of files to watch'),
  exclude: z.array(z.string()).default([]).describe('Globs, relative to the root, of files to skip'),
  critical: bool('Changes under this root are critical (the alert pages)', false),
});

export const fimSchema = z
  .strictObject({
    enabled: bool('Run file integrity monitoring', false),
    roots: z.array(fimRootSchema).default([]).describe('Watched roots'),
    max_file_size: size('Larger files are recorded by metadata only, not hashed', '100MiB'),
    follow_symlinks: bool('Follow symbolic links (otherwise the link target string is recorded)', false),
    scan_interval: duration('Time between full scans', '1h'),
    realtime: bool('Watch the roots for changes and rehash only what changed between full scans', false),
    realtime_max_watches: z
      .number()
      .int()
      .min(0)
      .default(8192)
      .describe(
        'Inotify watches realtime may take, all roots together (one per file and directory watched). Roots are counted in order; one whose tree does not fit in what is left is not watched at all and relies on its scheduled scans (hostwatch_fim_realtime_watching 0). The kernel limit (fs.inotify.max_user_watches, 8192 on older kernels) is shared by every process of the user: the default leaves it to them',
      ),
    hash_concurrency: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        "Worker threads hashing files in the exporter's scans (0 = one per core); each is a V8 isolate of ~15 MB while a scan runs (on 2 cores, 1 thread: ~35% slower first scans, ~15 MB lower peak); the one-shot `hostwatch fim` commands take `--workers` instead (default: their own thread)",
      ),
  })
  .prefault({})
  .describe('File integrity monitoring');

// ---------------------------------------------------------------------------------------------
// the whole file
// ---------------------------------------------------------------------------------------------

// Duplicate log names and FIM roots are checked by duplicates.ts, next to this schema.
export const configSchema = z.strictObject({
  state_dir: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Directory for log checkpoints and the FIM state, relative to this file (--state.dir overrides it; default /var/lib/hostwatch when it exists, else data/ beside this file). Read by the exporter and every hostwatch command alike',
    ),
  host: hostSchema,
  logs: z
    .array(logSchema)
    .default([])
    .describe(`Log sources to tail: ${TYPE_NAMES.slice(0, -1).join(', ')} and ${TYPE_NAMES.at(-1)} logs`),
  fim: fimSchema,
  inventory: inventorySchema,
  probes: probesSchema,
  audit: auditSchema,
  actions: actionsSchema,
});

export type Config = z.output<typeof configSchema>;
export type HostConfig = Config['host'];
export type LogConfig = Config['logs'][number];
export type FimConfig = Config['fim'];
export type FimRootConfig = z.output<typeof fimRootSchema>;
