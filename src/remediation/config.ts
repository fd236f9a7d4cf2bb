// Schema of the `actions:` section of hostwatch.yml: what runs when an alert arrives from
// Alertmanager. Safety lives in the schema: a command is an argv array (no shell ever parses it),
// a label reaches it only through a `{{label}}` placeholder declared under `labels:` with the
// pattern its value must match, and every action is a dry run until `dry_run: false`.
import { z } from 'zod';
import { bool, duration } from '../config/fields.js';
import { compilePattern, PATTERNS } from './patterns.js';
import { parseMatcher } from './matchers.js';
import { BUILTIN_ACTIONS, findBuiltin } from './builtins/index.js';

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The label names a command's placeholders use. */
export function placeholders(argv: readonly string[]): string[] {
  const out = new Set<string>();
  for (const arg of argv) for (const m of arg.matchAll(PLACEHOLDER_RE)) out.add(m[1]);
  return [...out];
}

/** Replaces the placeholders of argv with validated values (one argv element stays one element). */
export function renderArgv(argv: readonly string[], values: Record<string, string>): string[] {
  return argv.map((arg) => arg.replace(PLACEHOLDER_RE, (_m, name: string) => values[name]));
}

const argvSchema = (what: string) =>
  z
    .array(z.string())
    .min(1, 'needs at least the program')
    .superRefine((argv, ctx) => {
      if (argv.length > 0 && placeholders([argv[0]]).length > 0) {
        ctx.addIssue({ code: 'custom', path: [0], message: 'the program itself cannot come from a label' });
      }
      if (argv[0] === '') ctx.addIssue({ code: 'custom', path: [0], message: 'empty program name' });
    })
    .describe(`${what}: an argv array, run without a shell; {{label}} inserts a validated label value`);

const builtinSchema = z
  .looseObject({
    name: z.string().describe('Which built-in action; its other keys are its parameters (clean_directory: path, older_than)'),
  })
  .transform((v, ctx) => {
    const b = findBuiltin(v.name);
    if (!b) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `unknown built-in action (known: ${BUILTIN_ACTIONS.map((x) => x.name).join(', ')})`,
      });
      return z.NEVER;
    }
    const r = b.schema.safeParse(v);
    if (!r.success) {
      for (const iss of r.error.issues)
        ctx.addIssue({
          ...iss,
          code: 'custom',
          message: iss.code === 'unrecognized_keys' ? `unknown key ${iss.keys.join(', ')} (check the spelling)` : iss.message,
        });
      return z.NEVER;
    }
    return r.data;
  })
  .describe(
    `Instead of command: an action done inside hostwatch, with its parameters (never from labels): ${BUILTIN_ACTIONS.map((b) => b.name).join(', ')}`,
  );

export const actionSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." and "-" only (it is a metric label)')
      .describe('Name of the action (the action label of hostwatch_remediation_runs_total)'),
    alertname: z.string().min(1).describe('The alert this action answers (its alertname label)'),
    matchers: z
      .array(z.string())
      .default([])
      .superRefine((list, ctx) =>
        list.forEach((m, i) => {
          try {
            parseMatcher(m);
          } catch (err) {
            ctx.addIssue({ code: 'custom', path: [i], message: (err as Error).message });
          }
        }),
      )
      .describe('Further label matchers in Alertmanager syntax, all of which must hold (e.g. severity="critical", instance=~"web-.*")'),
    command: argvSchema('Command run when a matching alert fires').optional(),
    builtin: builtinSchema.optional(),
    on_resolve: argvSchema('Command run when the alert resolves (optional)').optional(),
    labels: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a label name'), z.string().min(1))
      .default({})
      .superRefine((labels, ctx) => {
        for (const [name, spec] of Object.entries(labels)) {
          try {
            compilePattern(spec);
          } catch (err) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: `neither a named pattern (${Object.keys(PATTERNS).join(', ')}) nor a valid RE2 regex: ${(err as Error).message}`,
            });
          }
        }
      })
      .describe(
        `Labels the commands may use, each with the pattern its whole value must match: one of ${Object.keys(PATTERNS).join(', ')}, or an RE2 regex (anchored)`,
      ),
    cooldown: duration('After a run, the same command (same arguments) is skipped for this long', '10m'),
    max_per_hour: z
      .number()
      .int()
      .min(0)
      .default(10)
      .describe('Runs of this action allowed in any 60 minutes, all arguments together; 0 = no limit (default 10)'),
    timeout: duration('A command still running after this is killed (its whole process group)', '30s'),
    run_as: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/, 'user or user:group (names or numeric ids)')
      .optional()
      .describe('Run the commands as this user (user or user:group) when hostwatch runs as root'),
    dry_run: bool('Only record what would run, run nothing (default true: set false to act)', true),
  })
  .superRefine((a, ctx) => {
    if ((a.command === undefined) === (a.builtin === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'give either command (an argv array) or builtin' });
    }
    if (a.builtin !== undefined) {
      if (a.on_resolve) ctx.addIssue({ code: 'custom', path: ['on_resolve'], message: 'only with command' });
      if (a.run_as)
        ctx.addIssue({ code: 'custom', path: ['run_as'], message: 'only with command (a built-in action runs inside hostwatch)' });
    }
    for (const key of ['command', 'on_resolve'] as const) {
      const argv = a[key];
      if (!argv) continue;
      for (const p of placeholders(argv)) {
        if (!(p in a.labels)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `placeholder {{${p}}} uses label "${p}", which is not declared under labels`,
          });
        }
      }
    }
  });

export const actionsSchema = z
  .array(actionSchema)
  .default([])
  .superRefine((actions, ctx) => {
    const seen = new Map<string, number>();
    actions.forEach((a, i) => {
      const prev = seen.get(a.name);
      if (prev !== undefined)
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate action name "${a.name}" (also actions[${prev}])` });
      seen.set(a.name, i);
    });
  })
  .describe('Remediation actions run on alerts posted by Alertmanager to /api/v1/alertmanager');

export type ActionConfig = z.output<typeof actionSchema>;
