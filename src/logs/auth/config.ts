// The `auth` log type in the config: brute-force detection and label bounds, and an example entry.
import { z } from 'zod';
import { duration, posInt } from '../../config/fields.js';
import { logTypeConfig } from '../../config/log-entry.js';

export const authLog = logTypeConfig(
  'auth',
  {
    bruteforce: z
      .strictObject({
        threshold: posInt('Failures from one source within the window that make it a brute-force source', 8),
        window: duration('Sliding window for counting failures per source', '2m'),
        max_sources: posInt('Hard cap of sources tracked at once (least recently seen are evicted)', 10_000),
      })
      .prefault({})
      .describe('Brute-force detection per source address'),
    top_sources: z
      .number()
      .int()
      .min(0)
      .default(10)
      .describe('Sources exported in hostwatch_auth_top_failure_sources (top-K by failures, 0 disables)'),
    max_sudo_users: posInt('Distinct users in hostwatch_auth_sudo_commands_total; the rest are user="__other__"', 20),
  },
  // Debian and Ubuntu write auth.log, RHEL and Fedora secure; a host without rsyslog has only the
  // journal: its auth and authpriv facilities are what rsyslog writes to those files.
  { name: 'auth', path: ['/var/log/auth.log', '/var/log/secure'], journal: { match: ['SYSLOG_FACILITY=4', 'SYSLOG_FACILITY=10'] } },
);

export type AuthLogConfig = z.output<typeof authLog.schema>;
