// Loads and validates hostwatch.yml. All problems are collected and reported together.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { configSchema, type Config } from './schema.js';
import { ConfigError, validate } from './errors.js';
import { duplicateProblems } from './duplicates.js';

export interface ReadOptions {
  /**
   * Refuse a file with no YAML content (empty, blank or only comments). At start an empty file means
   * "every default"; on SIGHUP, when the running configuration came from a non-empty file, it is far
   * more likely a file caught half-written by an editor or a deployment tool, and accepting it would
   * drop every log and FIM root (or, for the web config, TLS and authentication). `{}` still asks
   * for the defaults explicitly.
   */
  refuseEmpty?: boolean;
}

/** A file read: its content, and whether it had none (an empty document: every default). */
export interface YamlFile {
  value: unknown;
  empty: boolean;
}

/** Validates an already parsed YAML/JSON value. */
export function parseConfig(raw: unknown, file = '<config>'): Config {
  const { data, problems } = validate(configSchema, raw ?? {});
  problems.push(...duplicateProblems(raw));
  if (problems.length > 0 || data === undefined) throw new ConfigError(file, problems);
  return data;
}

/** Parses YAML text; syntax errors are reported with line and column. */
export function parseYaml(text: string, file: string, opts: ReadOptions = {}): YamlFile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigError(
      file,
      doc.errors.map((e) => `(yaml): ${e.message.split('\n')[0]}`),
    );
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // An alias to an anchor that does not exist (`*a`), or aliases expanding beyond the yaml
    // library's limit (a billion laughs), is only found when the document is converted.
    throw new ConfigError(file, [`(yaml): ${(err as Error).message.split('\n')[0]}`]);
  }
  const empty = value === null || value === undefined;
  if (opts.refuseEmpty && empty) {
    throw new ConfigError(file, [
      '(file): the file is empty; refused on reload, the running configuration stays (write {} for every default)',
    ]);
  }
  return { value, empty };
}

/** Reads and parses a YAML file (hostwatch.yml or the web config); every problem is a ConfigError. */
export async function readYamlFile(file: string, opts: ReadOptions = {}): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`(file): cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseYaml(text, file, opts);
}

/** Parses the text of hostwatch.yml. */
export function parseConfigText(text: string, file = '<config>'): Config {
  return parseConfig(parseYaml(text, file).value, file);
}

/** Loads hostwatch.yml, telling whether the file was empty. */
export async function loadConfigFile(file: string, opts: ReadOptions = {}): Promise<{ config: Config; empty: boolean }> {
  const { value, empty } = await readYamlFile(file, opts);
  return { config: parseConfig(value, file), empty };
}

export async function loadConfig(file: string): Promise<Config> {
  return (await loadConfigFile(file)).config;
}
