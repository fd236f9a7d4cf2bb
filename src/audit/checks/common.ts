// Helpers shared by the check modules.
import type { Evaluation } from '../types.js';

export const pass = (...details: string[]): Evaluation => ({ status: 'pass', details });
export const fail = (...details: string[]): Evaluation => ({ status: 'fail', details });
export const skip = (reason: string): Evaluation => ({ status: 'skip', details: [reason] });

/** fail with the items when there are any, else pass. */
export function failIfAny(items: string[], passDetail?: string): Evaluation {
  return items.length > 0 ? fail(...items) : pass(...(passDetail ? [passDetail] : []));
}

/** A list of findings cut to `max` entries with a count of the rest. */
export function capped(items: string[], max = 20): string[] {
  return items.length <= max ? items : [...items.slice(0, max), `... and ${items.length - max} more`];
}

/** 0o640 → "0640". */
export function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}
