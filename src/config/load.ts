// Loads and validates hostwatch.yml. All problems are collected and reported together.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { configSchema, type Config } from './schema.js';
import { ConfigError, formatIssues } from './errors.js';

/** Validates an already parsed YAML/JSON value. */
export function parseConfig(raw: unknown, file = '<config>'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(file, formatIssues(result.error));
  return result.data;
}

/** Parses YAML text; syntax errors are reported with line and column. */
export function parseConfigText(text: string, file = '<config>'): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `(yaml): ${e.message.split('\n')[0]}`),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // An alias to an anchor that does not exist (`*a`), or aliases expanding beyond the yaml
    // library's limit (a billion laughs), is only found when the document is converted.
    throw new ConfigError(file, [`(yaml): ${(err as Error).message.split('\n')[0]}`]);
  }
  return parseConfig(raw, file);
}

export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`(file): cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseConfigText(text, file);
}
