// An entry of `logs:`: the keys every log has (its name, and where and how its lines are read),
// then the keys of its type (src/logs/<type>/config.ts). A new source of lines, or a new option of
// every log, is one change here, whatever the number of log types.
import { z } from 'zod';
import { hasWildcard } from '../core/glob.js';
import { duration, size } from './fields.js';

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
    .describe('File path or glob (e.g. /var/log/nginx/*access.log), or a list of them; missing files are waited for'),
  start_position: z
    .enum(['end', 'beginning'])
    .default('end')
    .describe('Where to start in a file never seen before (a checkpointed file always resumes at its offset)'),
  max_line_bytes: size('Longer lines are cut and counted as truncated', '64KiB'),
  poll_interval: duration('Polling fallback interval when no file system event arrives', '1s'),
};

/** What the log pipeline reads of every log's config, whatever its type. */
export type LogSource = z.output<z.ZodObject<typeof SOURCE_OPTIONS>> & { type: string };

/** The schema of a `logs:` entry of one type: the source options, `type: <type>`, and the type's own keys. */
export function logEntrySchema<T extends string, K extends z.ZodRawShape>(type: T, keys: K) {
  return z.strictObject({ ...SOURCE_OPTIONS, type: z.literal(type), ...keys });
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
