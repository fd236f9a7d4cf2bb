// The one list of built-in actions (`builtin:` of an action in hostwatch.yml). A built-in action is
// a folder src/remediation/builtins/<name>/ exporting a BuiltinAction (types.ts): its strict config
// schema with `name` as a literal, and run(). Adding one is that folder and one entry below; the
// config schema and the engine read this list.
import type { z } from 'zod';
import type { BuiltinAction, BuiltinContext, BuiltinResult } from './types.js';
import { cleanDirectory } from './clean-directory/index.js';

/** A built-in action with its parameter type erased, as the list holds them. */
export interface RegisteredBuiltin {
  name: string;
  schema: z.ZodType<{ name: string }>;
  run(params: { name: string }, ctx: BuiltinContext): Promise<BuiltinResult>;
}

function builtin<P extends { name: string }>(b: BuiltinAction<P>): RegisteredBuiltin {
  // The engine passes only parameters parsed by this action's own schema (looked up by name).
  return { name: b.name, schema: b.schema, run: (params, ctx) => b.run(params as P, ctx) };
}

export const BUILTIN_ACTIONS: RegisteredBuiltin[] = [builtin(cleanDirectory)];

export function findBuiltin(name: string): RegisteredBuiltin | undefined {
  return BUILTIN_ACTIONS.find((b) => b.name === name);
}
