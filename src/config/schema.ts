// The one schema of hostwatch.yml. Every key has a description and a default; unknown keys are
// errors (strict objects everywhere) so that a typo never goes unnoticed. The README's config
// reference is generated from the descriptions here (see scripts/config-reference.ts).
import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';
import { accessFormatProblem } from '../logs/access/format.js';
import { patternRuleProblems } from '../logs/pattern/rules.js';
import { auditSchema } from '../audit/config.js';

/** A duration such as "250ms", "2m", "1h"; parsed into milliseconds. */
export const duration = (description: string, def: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(v)} (use e.g. 250ms, 30s, 2m, 1h)` });
        return z.NEVER;
      }
      return ms;
    })
    .prefault(def)
    .describe(`${description} (duration, default ${def})`);

/** A byte size such as 65536, "64KiB", "10MB"; parsed into bytes. */
export const size = (description: string, def: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      const b = parseSize(v);
      if (b === undefined) {
        ctx.addIssue({ code: 'custom', message: `invalid size ${JSON.stringify(v)} (use e.g. 65536, 64KiB, 10MB)` });
        return z.NEVER;
      }
      return b;
    })
    .prefault(def)
    .describe(`${description} (bytes, default ${def})`);

/** A regular expression given as a string; checked to compile at load time. */
export const regex = (description: string, def: string) =>
  z
    .string()
    .refine(
      (s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a valid regular expression' },
    )
    .default(def)
    .describe(`${description} (regular expression)`);

const posInt = (description: string, def: number) => z.number().int().positive().default(def).describe(description);
const bool = (description: string, def: boolean) => z.boolean().default(def).describe(description);

// ---------------------------------------------------------------------------------------------
// host: options of the host collectors
// ---------------------------------------------------------------------------------------------

export const hostSchema = z
  .strictObject({
    proc_path: z.string().default('/proc').describe('Mount point of the proc filesystem (set to /host/proc in a container)'),
    sys_path: z.string().default('/sys').describe('Mount point of the sys filesystem (set to /host/sys in a container)'),
    rootfs_path: z
      .string()
      .default('/')
      .describe('Root of the host filesystem, prefixed to mount points for statfs (set to /host/root in a container)'),
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
          'Block devices to ignore: partitions, loop, ram and zram devices by default (node_exporter\'s default)',
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

const logName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_-]*$/, 'must be a short identifier ([a-zA-Z_][a-zA-Z0-9_-]*), it becomes the log label')
  .describe('Name of the log, used as the `log` label');

/** Keys shared by every log type: where the lines come from and how they are read. */
const tailOptions = {
  name: logName,
  path: z
    .union([z.string(), z.array(z.string()).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .refine((paths) => paths.every((p) => !/[*?[]/.test(p.slice(0, Math.max(0, p.lastIndexOf('/'))))), {
      message: 'wildcards (*, ?, [...]) are supported in the file name only, not in directories',
    })
    .describe('File path or glob (e.g. /var/log/nginx/*access.log), or a list of them; missing files are waited for'),
  start_position: z
    .enum(['end', 'beginning'])
    .default('end')
    .describe('Where to start in a file never seen before (a checkpointed file always resumes at its offset)'),
  max_line_bytes: size('Longer lines are cut and counted as truncated', '64KiB'),
  poll_interval: duration('Polling fallback interval when no file system event arrives', '1s'),
};

export const DEFAULT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const accessLogSchema = z.strictObject({
  ...tailOptions,
  type: z.literal('access'),
  format: z
    .string()
    .superRefine((v, ctx) => {
      const problem = accessFormatProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('combined')
    .describe(
      'combined, common, json (field names from json_fields), caddy or traefik (JSON access logs of these servers), or an nginx log_format string such as ' +
        '\'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time\', ' +
        'or an Apache LogFormat string such as \'%h %l %u %t "%r" %>s %b %D\'',
    ),
  json_fields: z
    .strictObject({
      method: z.string().default('method').describe('Field holding the HTTP method'),
      path: z.string().default('path').describe('Field holding the request path (or the full URI)'),
      request: z.string().default('request').describe('Field holding "METHOD /path HTTP/x" when method/path are absent'),
      status: z.string().default('status').describe('Field holding the status code'),
      bytes: z.string().default('bytes').describe('Field holding the response size in bytes'),
      duration: z.string().default('request_time').describe('Field holding the request duration'),
      duration_unit: z
        .enum(['s', 'ms', 'us', 'ns'])
        .default('s')
        .describe('Unit of the duration field: s (nginx $request_time, Caddy), ms, us, or ns (Traefik Duration)'),
      time: z.string().default('time').describe('Field holding the timestamp (ISO 8601 or epoch seconds)'),
      source: z.string().default('remote_addr').describe('Field holding the client address'),
    })
    .prefault({})
    .describe('Field names for format: json (dotted paths reach nested objects)'),
  max_sections: posInt('Distinct sections kept per log; the rest are counted as section="__other__"', 50),
  duration_buckets: z
    .array(z.number().positive())
    .default(DEFAULT_DURATION_BUCKETS)
    .describe('Histogram buckets of hostwatch_http_request_duration_seconds'),
});

const authLogSchema = z.strictObject({
  ...tailOptions,
  type: z.literal('auth'),
  bruteforce: z
    .strictObject({
      threshold: posInt('Failures from one source within the window that make it a brute-force source', 8),
      window: duration('Sliding window for counting failures per source', '2m'),
      max_sources: posInt('Hard cap of sources tracked at once (least recently seen are evicted)', 10_000),
    })
    .prefault({})
    .describe('Brute-force detection per source address'),
  top_sources: z
    .number()
    .int()
    .min(0)
    .default(10)
    .describe('Sources exported in hostwatch_auth_top_failure_sources (top-K by failures, 0 disables)'),
  max_sudo_users: posInt('Distinct users in hostwatch_auth_sudo_commands_total; the rest are user="__other__"', 20),
});

const firewallLogSchema = z.strictObject({
  ...tailOptions,
  type: z.literal('firewall'),
  portscan: z
    .strictObject({
      distinct_ports: posInt('Distinct destination ports from one source within the window that make a port scan', 15),
      window: duration('Sliding window for counting distinct ports per source', '60s'),
      max_sources: posInt('Hard cap of sources tracked at once (least recently seen are evicted)', 10_000),
    })
    .prefault({})
    .describe('Port-scan detection per source address (in the spirit of psad)'),
  top_ports: posInt('Destination ports exported in hostwatch_firewall_blocked_ports_total; the rest are port="__other__"', 20),
});

export const patternRuleSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be an identifier, it becomes the rule label')
    .describe('Rule name, used as the `rule` label'),
  regex: z
    .string()
    .describe(
      'Regular expression with named groups, e.g. "(?<signature>\\S+) FOUND$"; RE2 syntax (linear time: no backreferences or lookarounds)',
    ),
  labels: z
    .array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a valid label name'))
    .default([])
    .describe('Named groups exported as labels'),
  max_label_values: posInt('Distinct values per label; the rest are counted as "__other__"', 100),
}).superRefine((rule, ctx) => {
  for (const p of patternRuleProblems(rule)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});

const patternLogSchema = z.strictObject({
  ...tailOptions,
  type: z.literal('pattern'),
  rules: z
    .array(patternRuleSchema)
    .min(1)
    .superRefine((rules, ctx) => {
      rules.forEach((r, j) => {
        const first = rules.findIndex((o) => o.name === r.name);
        if (first !== j) ctx.addIssue({ code: 'custom', path: [j, 'name'], message: `duplicate rule name "${r.name}" (also rules[${first}])` });
      });
    })
    .describe('Pattern rules applied to every line of this log'),
});

export const logSchema = z.discriminatedUnion('type', [accessLogSchema, authLogSchema, firewallLogSchema, patternLogSchema], {
  error: (iss) =>
    iss.code === 'invalid_union' ? 'type must be one of access, auth, firewall, pattern' : undefined,
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
    hash_concurrency: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Files hashed in parallel (0 = one per core)'),
  })
  .superRefine((fim, ctx) => {
    // Two roots with one path would share one state file and export duplicate series.
    const seen = new Map<string, number>();
    fim.roots.forEach((r, i) => {
      const key = r.path.replace(/\/+$/, '') || '/';
      const prev = seen.get(key);
      if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['roots', i, 'path'], message: `duplicate root "${r.path}" (also roots[${prev}])` });
      seen.set(key, i);
    });
  })
  .prefault({})
  .describe('File integrity monitoring');

// ---------------------------------------------------------------------------------------------
// the whole file
// ---------------------------------------------------------------------------------------------

export const configSchema = z
  .strictObject({
    host: hostSchema,
    logs: z.array(logSchema).default([]).describe('Log sources to tail: access, auth, firewall and pattern logs'),
    fim: fimSchema,
    audit: auditSchema,
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.logs.forEach((log, i) => {
      const prev = seen.get(log.name);
      if (prev !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['logs', i, 'name'], message: `duplicate log name "${log.name}" (also logs[${prev}])` });
      }
      seen.set(log.name, i);
    });
  });

export type Config = z.output<typeof configSchema>;
export type HostConfig = Config['host'];
export type LogConfig = Config['logs'][number];
export type AccessLogConfig = Extract<LogConfig, { type: 'access' }>;
export type AuthLogConfig = Extract<LogConfig, { type: 'auth' }>;
export type FirewallLogConfig = Extract<LogConfig, { type: 'firewall' }>;
export type PatternLogConfig = Extract<LogConfig, { type: 'pattern' }>;
export type PatternRuleConfig = z.output<typeof patternRuleSchema>;
export type FimConfig = Config['fim'];
export type FimRootConfig = z.output<typeof fimRootSchema>;
