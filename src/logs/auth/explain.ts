// `hostwatch parse --type auth` as a filter tester (fail2ban-regex is the model): the exporter's
// own handler runs over the lines in order, so what "counted" means is decided by the same
// connection correlation as in the exporter, and the summary is the counters it would export.
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { LineExplainer, LineVerdict, ExplainOptions } from '../handler.js';
import { topSources } from '../security/top-sources.js';
import type { AuthLogConfig } from './config.js';
import { AuthHandler, type AuthState, type Why } from './handler.js';

const WHY_TEXT: Record<Exclude<Why, 'counted' | 'connection_counted'>, string> = {
  echo: 'repeats an attempt that another line counts',
  same_attempt: "another PAM module's line of the same attempt counts it",
  pending: 'pending: counted when the connection ends without a login',
  connect: 'not a signal (names the source of the connection)',
  not_a_signal: 'not a signal',
};

/** Connections remembered for "counted on line N" (parse reads whole files: bounded anyway). */
const MAX_REMEMBERED = 100_000;

/** "a 3, b 2" from a record of counters (largest first), or "none". */
export function listed(rec: Record<string, number>, sep = ' '): string {
  const entries = Object.entries(rec).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return entries.map(([k, n]) => `${k.split('|').join(sep)} ${n}`).join(', ');
}

export async function authExplainLines(opts: ExplainOptions<AuthLogConfig>): Promise<LineExplainer> {
  const config = await opts.logSettings();
  // Year-less lines are dated relative to the start, as the fields printed beside them.
  const handler = new AuthHandler({ config, clock: new ManualClock(Date.now()), logger: silentLogger });
  const countedOn = new Map<string, number>();
  const lines = { parsed: 0, unparsed: 0 };
  return {
    line(text: string, n: number): LineVerdict {
      const r = handler.processLine(text);
      lines[r.parsed ? 'parsed' : 'unparsed']++;
      if (!r.parsed) return { recognised: false, counted: false };
      const o = handler.last;
      if (o.counted > 0 && o.connection !== undefined && !countedOn.has(o.connection)) {
        if (countedOn.size >= MAX_REMEMBERED) countedOn.clear();
        countedOn.set(o.connection, n);
      }
      if (o.why === 'counted') return { recognised: true, counted: true };
      if (o.why === 'connection_counted') {
        const at = o.connection === undefined ? undefined : countedOn.get(o.connection);
        return {
          recognised: true,
          counted: false,
          why: at === undefined ? 'its connection was counted on an earlier line' : `counted on line ${at}`,
        };
      }
      return { recognised: true, counted: false, why: WHY_TEXT[o.why] };
    },
    summary(): string[] {
      const s: AuthState = handler.snapshot();
      const top = topSources(s.top, config.top_sources);
      return [
        `hostwatch_log_lines_total: parsed ${lines.parsed}, unparsed ${lines.unparsed}`,
        `hostwatch_auth_failures_total: ${listed(s.failures)}`,
        `hostwatch_auth_successes_total: ${listed(s.successes)}`,
        `hostwatch_auth_invalid_users_total: ${listed(s.invalidUsers)}`,
        `hostwatch_auth_sudo_commands_total: ${listed(s.sudoCommands)}`,
        `hostwatch_auth_bruteforce_detections_total: ${listed(s.detections)}`,
        `hostwatch_auth_top_failure_sources: ${top.length === 0 ? 'none' : top.map(([src, k]) => `${src} ${k}`).join(', ')}`,
      ];
    },
  };
}
