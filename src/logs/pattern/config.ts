// The `pattern` log type in the config: its rules, each checked at load time (RE2 must accept the
// regex, and every label must be a named group of it), and an example entry.
import { z } from 'zod';
import { posInt } from '../../config/fields.js';
import { logTypeConfig } from '../../config/log-entry.js';
import { patternRuleProblems } from './rules.js';

const ruleSchema = z
  .strictObject({
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
  })
  .superRefine((rule, ctx) => {
    for (const p of patternRuleProblems(rule)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

export const patternLog = logTypeConfig(
  'pattern',
  {
    rules: z
      .array(ruleSchema)
      .min(1)
      .superRefine((rules, ctx) => {
        rules.forEach((r, j) => {
          const first = rules.findIndex((o) => o.name === r.name);
          if (first !== j)
            ctx.addIssue({ code: 'custom', path: [j, 'name'], message: `duplicate rule name "${r.name}" (also rules[${first}])` });
        });
      })
      .describe('Pattern rules applied to every line of this log'),
  },
  {
    name: 'clamav',
    path: ['/var/log/clamav/clamav.log', '/var/log/clamav/clamd.log'],
    rules: [{ name: 'clamav', regex: ': (?<signature>[^\\s():]+) FOUND$', labels: ['signature'], max_label_values: 50 }],
  },
);

export type PatternLogConfig = z.output<typeof patternLog.schema>;
export type PatternRuleConfig = z.output<typeof ruleSchema>;
