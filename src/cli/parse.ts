// `hostwatch parse --type T [--format F] FILE|-`: runs a log parser over a file and prints one JSON
// object per line, {"n": <line number>, "match": true|false, ...fields}, like fail2ban-regex. The
// fields come from the log type (src/logs/registry.ts); the settings of a configured log (--log, or
// the rules of a pattern log) are read from --config.file only when the type asks for them.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfig } from '../config/load.js';
import type { LogSource } from '../config/log-entry.js';
import { findLogType, LOG_TYPES } from '../logs/registry.js';

export interface ParseOptions {
  type: string;
  format?: string;
  /** The config file holding the settings of --log (and the rules of a pattern log). */
  configFile?: string;
  log?: string;
}

/** The log of type `type` named `name` in the config file (the first of that type when name is undefined). */
async function configuredLog(file: string, type: string, name: string | undefined): Promise<LogSource> {
  const config = await loadConfig(file);
  const logs = config.logs.filter((l) => l.type === type);
  const log = name === undefined ? logs[0] : logs.find((l) => l.name === name);
  if (log) return log;
  if (name === undefined) throw new Error(`${file}: no log of type ${type} (its settings come from the config file, see --config.file)`);
  throw new Error(`--log: no ${type} log named "${name}" in ${file} (${type} logs: ${logs.map((l) => l.name).join(', ') || 'none'})`);
}

export async function runParse(
  file: string,
  opts: ParseOptions,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const logType = findLogType(opts.type);
  if (!logType) {
    throw new Error(`--type: unknown log type "${opts.type}" (one of ${LOG_TYPES.map((t) => t.type).join(', ')})`);
  }
  const runtime = await logType.load();
  const parse = await runtime.parseFields({
    format: opts.format,
    logName: opts.log,
    configuredLog: (name) => configuredLog(opts.configFile ?? 'hostwatch.yml', opts.type, name),
  });
  const input = file === '-' ? process.stdin : createReadStream(file);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let matched = 0;
  for await (const line of rl) {
    n++;
    const fields = parse(line);
    if (fields) matched++;
    const ok = out.write(JSON.stringify(fields ? { n, match: true, ...fields } : { n, match: false }) + '\n');
    if (!ok) await new Promise((r) => out.once('drain', r));
  }
  err.write(`lines: ${n}, matched: ${matched}, unmatched: ${n - matched}\n`);
  return 0;
}
