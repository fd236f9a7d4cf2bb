// Logging checks: a daemon records the system's events, and the records survive a reboot.
import { running } from '../facts/processes.js';
import { defineCheck, type Check } from '../types.js';
import { fail, pass } from './common.js';

const SYSLOG_DAEMONS = ['rsyslogd', 'syslog-ng', 'syslogd', 'metalog'];
const JOURNALD = 'systemd-journal';

export const LOGGING_CHECKS: Check[] = [
  defineCheck({
    id: 'LOG-DAEMON',
    category: 'logging',
    severity: 'medium',
    needs: ['processes'],
    title: 'System logging',
    found: "No logging daemon (systemd-journald, rsyslog, syslog-ng) is running: the system's events, logins included, are not recorded.",
    why: "Without logs nobody can tell who logged in, what failed or what an intruder did; hostwatch's own login and firewall metrics read these logs too.",
    fix: 'apt-get install rsyslog && systemctl enable --now rsyslog (or make sure systemd-journald runs)',
    evaluate: ({ processes }) => {
      const daemons = [JOURNALD, ...SYSLOG_DAEMONS].filter((d) => running(processes, d));
      return daemons.length > 0
        ? pass(`running: ${daemons.join(', ')}`)
        : fail(`none of ${[JOURNALD, ...SYSLOG_DAEMONS].join(', ')} is running`);
    },
  }),
  defineCheck({
    id: 'LOG-PERSISTENT',
    category: 'logging',
    severity: 'low',
    needs: ['processes', 'logging'],
    title: 'Logs kept across reboots',
    found: 'The system logs are kept in memory only and are lost at every reboot.',
    why: 'An intruder, or a crash, that ends in a reboot wipes the very records needed to understand what happened.',
    fix: 'mkdir -p /var/log/journal && systemctl restart systemd-journald (or Storage=persistent in /etc/systemd/journald.conf), or install rsyslog',
    evaluate: ({ processes, logging }) => {
      const syslog = SYSLOG_DAEMONS.filter((d) => running(processes, d));
      if (syslog.length > 0) return pass(`${syslog.join(', ')} writes log files`);
      if (!running(processes, JOURNALD)) return fail('no logging daemon running (see LOG-DAEMON)');
      const where = logging.journaldStorageFile ? ` (${logging.journaldStorageFile})` : ' (default)';
      const persistent = logging.journaldStorage === 'persistent' || (logging.journaldStorage === 'auto' && logging.varLogJournal);
      const desc = `journald Storage=${logging.journaldStorage}${where}, /var/log/journal ${logging.varLogJournal ? 'exists' : 'missing'}`;
      return persistent ? pass(desc) : fail(desc);
    },
  }),
];
