// The interface of a built-in action: work done inside hostwatch, with parameters fixed in the
// config (never taken from alert labels), for fixes that need no external program.
import type { z } from 'zod';

export interface BuiltinContext {
  /** Aborted when the action's timeout expires: the action stops at its next check. */
  signal: AbortSignal;
  now(): number;
}

export interface BuiltinResult {
  ok: boolean;
  /** One-line summary for the audit log. */
  summary: string;
}

export interface BuiltinAction<P extends { name: string } = { name: string }> {
  /** The `builtin.name` of the config. */
  name: string;
  /** Its config keys, `name` included as a literal (a strict zod object, every key described). */
  schema: z.ZodType<P>;
  run(params: P, ctx: BuiltinContext): Promise<BuiltinResult>;
}
