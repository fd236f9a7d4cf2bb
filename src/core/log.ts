// The exporter's own structured log: logfmt (default, like node_exporter) or JSON, to stderr.
import { systemClock, type Clock } from './clock.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function logfmtValue(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s;
}

export function createLogger(
  opts: { level?: LogLevel; format?: LogFormat; write?: (line: string) => void } = {},
  base: Record<string, unknown> = {},
): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < min) return;
    const rec: Record<string, unknown> = { ts: new Date().toISOString(), level, msg, ...base, ...fields };
    if (opts.format === 'json') {
      write(JSON.stringify(rec, (_k, v) => (v instanceof Error ? v.message : v)));
    } else {
      write(
        Object.entries(rec)
          .map(([k, v]) => `${k}=${logfmtValue(v)}`)
          .join(' '),
      );
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  };
}

/** A logger that drops everything: for tests and the CLI subcommands. */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} });

export interface RateLimitOptions {
  /** A message is logged at most once per interval; default 5 minutes. */
  intervalMs?: number;
  clock?: Clock;
}

/** Distinct messages remembered at once; past it the least recently logged is forgotten. */
const MAX_REMEMBERED = 1000;

/**
 * A logger for messages that repeat for as long as a condition lasts (a checkpoint write failing
 * every 5 s, a collector failing at every scrape): the first occurrence is logged, identical ones
 * (same level, message and fields) within `intervalMs` are counted instead, and the next one logged
 * after the interval carries `suppressed=<count>`. A different message, or the same one with other
 * fields (another error), is logged at once. Children share the memory of the parent.
 */
export function rateLimited(logger: Logger, opts: RateLimitOptions = {}): Logger {
  const intervalMs = opts.intervalMs ?? 5 * 60_000;
  const clock = opts.clock ?? systemClock;
  const seen = new Map<string, { at: number; suppressed: number }>();
  const wrap = (target: Logger, scope: string): Logger => {
    const emit =
      (level: LogLevel) =>
      (msg: string, fields: Record<string, unknown> = {}) => {
        const key = `${scope}\0${level}\0${msg}\0${JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.message : v))}`;
        const now = clock.now();
        const last = seen.get(key);
        if (last && now - last.at < intervalMs) {
          last.suppressed++;
          return;
        }
        seen.delete(key); // re-inserted last: Map order is then least recently logged first
        if (seen.size >= MAX_REMEMBERED) seen.delete(seen.keys().next().value!);
        seen.set(key, { at: now, suppressed: 0 });
        target[level](msg, last?.suppressed ? { ...fields, suppressed: last.suppressed } : fields);
      };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (fields) => wrap(target.child(fields), `${scope}${JSON.stringify(fields)}`),
    };
  };
  return wrap(logger, '');
}
