// Builders of config keys with a unit or a check, shared by the host, FIM and log type schemas.
// Each carries its description and default, from which the README's config reference is generated.
import { z } from 'zod';
import { userRegexProblem } from '../core/regex.js';
import { parseDuration, parseSize } from './units.js';

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

/** A regular expression given as a string, run on RE2 (src/core/regex.ts); checked to compile at load time. */
export const regex = (description: string, def: string) =>
  z
    .string()
    .superRefine((s, ctx) => {
      const refused = userRegexProblem(s);
      if (refused !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `not a valid regular expression for RE2 (${refused}); regexes run on RE2, in linear time: backreferences and lookarounds are not available`,
        });
      }
    })
    .default(def)
    .describe(`${description} (regular expression, RE2 syntax)`);

export const posInt = (description: string, def: number) => z.number().int().positive().default(def).describe(description);
export const bool = (description: string, def: boolean) => z.boolean().default(def).describe(description);
