// The one list of log types (the `type:` of a logs entry), in the order of the docs. A log type is
// a folder src/logs/<type>/ with
//   config.ts  its keys of a `logs:` entry and an example entry (imported with the config), and
//   index.ts   its handler, metric families and `hostwatch parse` fields (imported by the logs
//              collector and `hostwatch parse` only, so that a config without logs does not load them).
// Adding a log type is that folder and one entry below (with its import). The config schema, the
// logs collector, `hostwatch parse --type`, the README reference and the metric catalogue read this list.
import type { z } from 'zod';
import type { LogSource, LogTypeConfig } from '../config/log-entry.js';
import type { LogType } from './handler.js';
import { accessLog } from './access/config.js';
import { authLog } from './auth/config.js';
import { firewallLog } from './firewall/config.js';
import { patternLog } from './pattern/config.js';

/** A registered log type: its config side, and `load()` importing its runtime (typed by its config). */
export type RegisteredLogType<T extends string = string, S extends z.ZodType<LogSource> = z.ZodType<LogSource>> = LogTypeConfig<T, S> & {
  load(): Promise<LogType<z.output<S>>>;
};

function logType<T extends string, S extends z.ZodType<LogSource>>(
  config: LogTypeConfig<T, S>,
  load: () => Promise<LogType<z.output<S>>>,
): RegisteredLogType<T, S> {
  return { ...config, load };
}

export const LOG_TYPES = [
  logType(accessLog, () => import('./access/index.js').then((m) => m.accessLogType)),
  logType(authLog, () => import('./auth/index.js').then((m) => m.authLogType)),
  logType(firewallLog, () => import('./firewall/index.js').then((m) => m.firewallLogType)),
  logType(patternLog, () => import('./pattern/index.js').then((m) => m.patternLogType)),
] as const;

export function findLogType(type: string): RegisteredLogType | undefined {
  return LOG_TYPES.find((t) => t.type === type);
}
