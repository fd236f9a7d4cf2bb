// Config errors are reported as `path.to.key: what is wrong`, one per problem, all at once.
import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Formats a zod path as `logs[0].bruteforce.window`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((iss) => {
    let msg = iss.message;
    if (iss.code === 'unrecognized_keys') {
      return iss.keys.map((k) => `${formatPath([...iss.path, k])}: unknown key (check the spelling)`).join('\n  ');
    }
    if (iss.code === 'invalid_type' && msg.includes('received undefined')) msg = 'required key is missing';
    return `${formatPath(iss.path)}: ${msg}`;
  });
}
