// An entry of `logs:`: the keys every log has (its name, and where and how its lines are read: the
// files of `path`, the journal, or both), then the keys of its type (src/logs/<type>/config.ts). A
// new source of lines, or a new option of every log, is one change here, whatever the number of
// log types.
import { z } from 'zod';
import { hasWildcard } from '../core/glob.js';
import { duration, size } from './fields.js';

/** A journalctl match: FIELD=value, FIELD a journal field name; or "+", which ORs the groups on each side. */
const journalMatch = z
  .string()
  .regex(/^(?:\+|[A-Z_][A-Z0-9_]{0,63}=[^\0]*)$/, 'must be FIELD=value with a journal field name in upper case (e.g. _COMM=sshd), or "+"');

const journalSource = z
  .strictObject({
    match: z
      .array(journalMatch)
      .default([])
      .superRefine((m, ctx) => {
        if (m[0] === '+' || m.at(-1) === '+' || m.some((v, i) => v === '+' && m[i + 1] === '+')) {
          ctx.addIssue({ code: 'custom', message: '"+" goes between two groups of matches' });
        }
      })
      .describe(
        'journalctl matches: an entry is read when, for every field listed, it has one of the values listed for that field; ' +
          '"+" between two groups reads the entries of either. E.g. ["SYSLOG_FACILITY=4", "SYSLOG_FACILITY=10"] (auth and authpriv, ' +
          'what rsyslog writes to auth.log), ["_COMM=sshd"], ["_TRANSPORT=kernel"] (kernel messages: firewall logs). Empty: every entry',
      ),
    directory: z
      .string()
      .optional()
      .describe(
        'Journal directory to read (journalctl --directory), followed across rotations, e.g. /host/var/log/journal in a container; default: the system journal',
      ),
    file: z
      .union([z.string(), z.array(z.string()).min(1)])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .optional()
      .describe('Journal files or globs to read instead (journalctl --file): a fixed set, new files are not picked up'),
  })
  .refine((j) => j.directory === undefined || j.file === undefined, {
    message: 'give directory or file, not both (journalctl reads one or the other)',
    path: ['file'],
  })
  .optional()
  .describe(
    'Read the systemd journal instead of files (a `journalctl --follow` child; the exporter needs to read the journal: ' +
      "group systemd-journal or adm). Entries keep the journal's time, host and identifier",
  );

const logName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_-]*$/, 'must be a short identifier ([a-zA-Z_][a-zA-Z0-9_-]*), it becomes the log label')
  .describe('Name of the log, used as the `log` label');

/** Keys shared by every log type: its name, where the lines come from and how they are read. */
export const SOURCE_OPTIONS = {
  name: logName,
  path: z
    .union([z.string(), z.array(z.string()).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .refine((paths) => paths.every((p) => !hasWildcard(p.slice(0, Math.max(0, p.lastIndexOf('/'))))), {
      message: 'wildcards (*, ?, [...]) are supported in the file name only, not in directories',
    })
    .optional()
    .describe(
      'File path or glob (e.g. /var/log/nginx/*access.log), or a list of them; missing files are waited for. ' +
        'With `journal` too: the files when one of them exists at start, else the journal',
    ),
  journal: journalSource,
  start_position: z
    .enum(['end', 'beginning'])
    .default('end')
    .describe(
      'Where to start in a file never seen before, or in the journal without a checkpointed cursor (a checkpointed file ' +
        'always resumes at its offset, the journal after its cursor)',
    ),
  max_line_bytes: size('Longer lines (journal messages) are cut and counted as truncated', '64KiB'),
  poll_interval: duration('Polling fallback interval when no file system event arrives', '1s'),
};

/** What the log pipeline reads of every log's config, whatever its type. */
export type LogSource = z.output<z.ZodObject<typeof SOURCE_OPTIONS>> & { type: string };

/** The schema of a `logs:` entry of one type: the source options, `type: <type>`, and the type's own keys. */
export function logEntrySchema<T extends string, K extends z.ZodRawShape>(type: T, keys: K) {
  return z.strictObject({ ...SOURCE_OPTIONS, type: z.literal(type), ...keys }).superRefine((entry, ctx) => {
    const e = entry as { path?: unknown; journal?: unknown };
    if (e.path === undefined && e.journal === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message: 'a log reads files (path), the journal (journal), or both: give at least one',
      });
    }
  });
}

/** The config side of a log type: its `type:` name, the schema of its entries, and an example entry. */
export interface LogTypeConfig<T extends string = string, S extends z.ZodType = z.ZodType> {
  type: T;
  schema: S;
  /** A typical entry (without `type`), for the README and for the metric catalogue; must validate. */
  example: Record<string, unknown>;
}

export function logTypeConfig<T extends string, K extends z.ZodRawShape>(
  type: T,
  keys: K,
  example: Record<string, unknown>,
): LogTypeConfig<T, ReturnType<typeof logEntrySchema<T, K>>> {
  return { type, schema: logEntrySchema(type, keys), example };
}
