// `hostwatch parse --type T [--format F] FILE|-`: runs a log parser over a file and prints one JSON
// object per line, {"n": <line number>, "match": true|false, ...fields}, like fail2ban-regex.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** Turns one line into its fields, or undefined when the line does not match. */
export type LineParser = (line: string) => Record<string, unknown> | undefined;

export interface ParseOptions {
  type: string;
  format?: string;
  /** For --type pattern: the config file holding the rules, and the log whose rules to use. */
  configFile?: string;
  log?: string;
}

/** One factory per log type; each log-type module adds itself here. */
export const PARSER_FACTORIES: Record<string, (opts: ParseOptions) => LineParser | Promise<LineParser>> = {};

export async function runParse(
  file: string,
  opts: ParseOptions,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const factory = PARSER_FACTORIES[opts.type];
  if (!factory) {
    throw new Error(`--type: unknown log type "${opts.type}" (one of ${Object.keys(PARSER_FACTORIES).join(', ')})`);
  }
  const parse = await factory(opts);
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
