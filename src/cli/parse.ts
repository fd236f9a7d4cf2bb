// `hostwatch parse --type T [--format F] FILE|-`: runs a log parser over a file and prints one JSON
// object per line, {"n": <line number>, "match": true|false, ...fields}, like fail2ban-regex. The
// fields come from the log type (src/logs/registry.ts); the settings of a configured log (--log, or
// the rules of a pattern log) are read from --config.file only when the type asks for them.
//
// A filter tester (fail2ban-regex's summary is the model): for the types that explain their lines
// (auth, firewall), the exporter's own handler runs over the lines in order, and each object says
// whether the line counted ("counted": true|false, and "why" not); a line the exporter would count
// as unparsed carries its "text". "match" keeps its meaning (the type's grammars found an event or
// fields in the line); the summary on stderr then separates, like hostwatch_log_lines_total, the
// lines recognised and counted, recognised but not counted (sessions, cron: no signal; repeats of
// an attempt counted on another line) and unparsed, and gives the counters the exporter would
// export. Blank lines are no log entries (the tailer skips them). --print-missed prints only the
// lines that are not recognised (unmatched, for the types without a handler's verdict), as they are.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfig, parseConfig } from '../config/load.js';
import type { LogSource } from '../config/log-entry.js';
import type { LineVerdict } from '../logs/handler.js';
import { findLogType, LOG_TYPES } from '../logs/registry.js';

export interface ParseOptions {
  type: string;
  format?: string;
  /** The config file holding the settings of --log (and the rules of a pattern log). */
  configFile?: string;
  log?: string;
  /** Print the unmatched lines as they are instead of JSON. */
  printMissed?: boolean;
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
  const fieldsOpts = {
    format: opts.format,
    logName: opts.log,
    configuredLog: (name?: string) => configuredLog(opts.configFile ?? 'hostwatch.yml', opts.type, name),
    logSettings: async (): Promise<LogSource> =>
      opts.log !== undefined
        ? configuredLog(opts.configFile ?? 'hostwatch.yml', opts.type, opts.log)
        : parseConfig({ logs: [{ name: opts.type, type: opts.type, path: '/dev/stdin' }] }).logs[0],
  };
  const parse = await runtime.parseFields(fieldsOpts);
  const explainer = await runtime.explainLines?.(fieldsOpts);
  const input = file === '-' ? process.stdin : createReadStream(file);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let matched = 0;
  const tally = { counted: 0, ignored: 0, unparsed: 0, blank: 0 };
  for await (const line of rl) {
    n++;
    const fields = parse(line);
    if (fields) matched++;
    let verdict: (LineVerdict & { text?: string }) | undefined;
    if (explainer && line === '') {
      verdict = { recognised: false, counted: false, why: 'blank line: not a log entry' };
      tally.blank++;
    } else if (explainer) {
      verdict = explainer.line(line, n);
      tally[verdict.counted ? 'counted' : verdict.recognised ? 'ignored' : 'unparsed']++;
      if (!verdict.recognised) verdict.text = line;
    }
    const missed = verdict ? !verdict.recognised && line !== '' : !fields;
    let text: string | undefined;
    if (opts.printMissed) text = missed ? line + '\n' : undefined;
    else if (verdict) {
      const { recognised: _r, ...shown } = verdict;
      text = JSON.stringify(fields ? { n, match: true, ...fields, ...shown } : { n, match: false, ...shown }) + '\n';
    } else text = JSON.stringify(fields ? { n, match: true, ...fields } : { n, match: false }) + '\n';
    if (text !== undefined && !out.write(text)) await new Promise((r) => out.once('drain', r));
  }
  err.write(`lines: ${n}, matched: ${matched}, unmatched: ${n - matched}\n`);
  if (explainer) {
    err.write(
      `recognised and counted: ${tally.counted}, recognised but not counted: ${tally.ignored}, unparsed: ${tally.unparsed}, blank: ${tally.blank}\n`,
    );
    for (const l of explainer.summary()) err.write(l + '\n');
  }
  return 0;
}
