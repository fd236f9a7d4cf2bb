// Config errors are reported as `path.to.key: what is wrong`, one per problem, all at once, in the
// project's words: the schema library's defaults ("Invalid input: expected string, received array")
// are replaced by what the key must be and what the file gave ("must be a string (got a list)").
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
    if (iss.code === 'unrecognized_keys') {
      return iss.keys.map((k) => `${formatPath([...iss.path, k])}: unknown key (check the spelling)`).join('\n  ');
    }
    return `${formatPath(iss.path)}: ${iss.message}`;
  });
}

/** What a value of a zod type is, in YAML's words. */
const KIND: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  null: 'null',
};

/** What the file gave, briefly: `a list`, `"yes"`, `1.5`, `null`. */
function given(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const plural = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

/**
 * The messages of the issues the schemas leave to the library; an explicit message of a schema
 * (a regex's explanation, a custom check) is kept. Passed to every safeParse of a config file.
 */
export function configErrorMap(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required key is missing';
      return `must be ${KIND[iss.expected] ?? iss.expected} (got ${given(iss.input)})`;
    case 'invalid_union': {
      // "a string or a list" from the options' own type errors, when that is what they were.
      const kinds = iss.errors.map((option) =>
        option.length === 1 && option[0].code === 'invalid_type' ? KIND[option[0].expected] : undefined,
      );
      if (kinds.every((k) => k !== undefined)) return `must be ${[...new Set(kinds)].join(' or ')} (got ${given(iss.input)})`;
      return `invalid value ${given(iss.input)}`;
    }
    case 'invalid_value':
      if (iss.values.length === 1) return `must be ${JSON.stringify(iss.values[0])} (got ${given(iss.input)})`;
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')} (got ${given(iss.input)})`;
    case 'too_small':
      if (iss.origin === 'array') return `needs at least ${plural(iss.minimum, 'entry', 'entries')}`;
      if (iss.origin === 'string')
        return Number(iss.minimum) === 1 ? 'must not be empty' : `must be at least ${plural(iss.minimum, 'character', 'characters')} long`;
      return `must be ${iss.inclusive ? 'at least' : 'greater than'} ${iss.minimum} (got ${given(iss.input)})`;
    case 'too_big':
      if (iss.origin === 'array') return `takes at most ${plural(iss.maximum, 'entry', 'entries')}`;
      if (iss.origin === 'string') return `must be at most ${plural(iss.maximum, 'character', 'characters')} long`;
      return `must be ${iss.inclusive ? 'at most' : 'less than'} ${iss.maximum} (got ${given(iss.input)})`;
    case 'invalid_format':
      return iss.format === 'regex' && iss.pattern
        ? `must match ${iss.pattern} (got ${given(iss.input)})`
        : `must be a valid ${iss.format} (got ${given(iss.input)})`;
    case 'not_multiple_of':
      return `must be a multiple of ${iss.divisor} (got ${given(iss.input)})`;
    case 'invalid_key':
      return `invalid key ${given(iss.input)}`;
    default:
      return undefined;
  }
}

/** Validates `raw` against a config schema: the parsed value, or every problem in the project's words. */
export function validate<S extends z.ZodType>(
  schema: S,
  raw: unknown,
): { data: z.output<S>; problems: string[] } | { data?: undefined; problems: string[] } {
  const result = schema.safeParse(raw, { error: configErrorMap });
  return result.success ? { data: result.data, problems: [] } : { problems: formatIssues(result.error) };
}
