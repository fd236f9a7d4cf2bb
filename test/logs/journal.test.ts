// Logs reading the journal through the real logs collector: real journal files (written by
// systemd-journal-remote), the real journalctl, real checkpoints. The handlers get the same records
// as from a file (the same events give the same metrics), firewall packets come only from the
// kernel, pattern rules see the line a syslog file would hold, the cursor is checkpointed with the
// handler state (a restart counts each entry once), and a log with both `path` and `journal` reads
// the files when one exists at start, else the journal.
process.env.TZ = 'UTC';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogsCollector } from '../../src/collectors/logs/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/log.js';
import { T0_US, kernelEntry, syslogEntry, until, writeJournal, type Fields } from '../journal/helpers.js';
import { tempDir } from '../tail/helpers.js';
import { startLogs, type RunningLogs } from './helpers.js';

let dir: string;
let cleanup: () => void;
const collectors: LogsCollector[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.stop().catch(() => {})));
  cleanup();
});

const T0 = T0_US / 1000;
const jdir = (name: string) => path.join(dir, name);
function journalIn(name: string, entries: Fields[]): string {
  mkdirSync(jdir(name), { recursive: true });
  writeJournal(path.join(jdir(name), 'system.journal'), entries);
  return jdir(name);
}

/** The same event as a journal entry and as the line rsyslog writes to auth.log for it. */
const EVENTS: [number, string, number, string][] = [
  ...[0, 1, 2, 3, 4].map((i): [number, string, number, string] => [
    i,
    'sshd',
    200 + i,
    `Failed password for root from 203.0.113.9 port ${4000 + i} ssh2`,
  ]),
  [5, 'sshd', 300, 'Invalid user admin from 198.51.100.20 port 5000'],
  [6, 'sshd', 300, 'Failed password for invalid user admin from 198.51.100.20 port 5000 ssh2'],
  [7, 'sshd', 301, 'Accepted publickey for bob from 198.51.100.7 port 5001 ssh2: ED25519 SHA256:abc'],
  [8, 'sudo', 400, '   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id'],
  [9, 'su', 401, 'pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 ruser=alice rhost=  user=root'],
];
const authEntries = (from = 0) => EVENTS.slice(from).map(([n, prog, pid, msg]) => syslogEntry(n, prog, pid, msg));
const authLine = ([n, prog, pid, msg]: (typeof EVENTS)[number]) =>
  `${new Date(T0 + n * 1000).toISOString()} web1 ${prog}[${pid}]: ${msg}\n`;

/** The samples of the families named `prefix*`, with the log label taken out. */
function samples(text: string, prefix: string, log: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix) && l.includes(`log="${log}"`))
    .map((l) => l.replace(`log="${log}"`, 'log=""'))
    .sort();
}

async function scrapeUntil(run: RunningLogs, want: string, ms = 15_000): Promise<string> {
  let text = '';
  await until(async () => (text = await run.scrape()).includes(want), ms, want);
  return text;
}

describe('logs reading the journal', () => {
  it('auth: the same events give the same metrics from the journal as from auth.log', async () => {
    const journal = journalIn('j', authEntries());
    writeFileSync(path.join(dir, 'auth.log'), EVENTS.map(authLine).join(''));
    const bf = { threshold: 4, window: '2m' };
    const run = await startLogs(
      [
        { name: 'from_journal', type: 'auth', journal: { directory: journal }, start_position: 'beginning', bruteforce: bf },
        { name: 'from_file', type: 'auth', path: path.join(dir, 'auth.log'), start_position: 'beginning', bruteforce: bf },
      ],
      dir,
      new ManualClock(T0 + 60_000),
      collectors,
    );
    const text = await scrapeUntil(run, `hostwatch_log_lines_total{log="from_journal",result="parsed"} ${EVENTS.length}`);
    expect(text).toContain('hostwatch_auth_failures_total{log="from_journal",service="sshd",reason="password"} 5');
    expect(text).toContain('hostwatch_auth_bruteforce_detections_total{log="from_journal",service="sshd"} 1');
    expect(text).toContain('hostwatch_auth_top_failure_sources{log="from_journal",source="203.0.113.9"} 5');
    expect(text).toContain('hostwatch_auth_sudo_commands_total{log="from_journal",user="alice"} 1');
    expect(samples(text, 'hostwatch_auth_', 'from_journal')).toEqual(samples(text, 'hostwatch_auth_', 'from_file'));
    expect(samples(text, 'hostwatch_auth_', 'from_journal').length).toBeGreaterThan(8);
    // The entries' own time: the last one is at T0 + 9 s.
    expect(text).toContain(`hostwatch_log_last_line_timestamp_seconds{log="from_journal"} ${(T0 + 9000) / 1000}`);
    expect(text).toContain('hostwatch_log_source_up{log="from_journal"} 1');
    expect(text).toContain('hostwatch_log_files_watched{log="from_journal"} 0');
  });

  it('firewall: packets only from the kernel (not a program logging as "kernel"); other kernel messages are no error', async () => {
    const blocks = [1, 2, 3, 4, 5, 6].map((p) =>
      kernelEntry(
        p,
        `[UFW BLOCK] IN=eth0 OUT= MAC=00:00 SRC=198.51.100.4 DST=192.0.2.1 LEN=40 TOS=0x00 TTL=50 ID=1 PROTO=TCP SPT=40000 DPT=${p} WINDOW=1024 RES=0x00 SYN URGP=0 `,
      ),
    );
    const spoof = syslogEntry(7, 'kernel', 999, '[UFW BLOCK] IN=eth0 OUT= SRC=6.6.6.6 DST=192.0.2.1 PROTO=TCP SPT=1 DPT=22 SYN', {
      _COMM: 'logger',
    });
    const sshdText = syslogEntry(
      8,
      'sshd',
      998,
      'Invalid user [UFW BLOCK] IN=eth0 OUT= SRC=6.6.6.7 DST=192.0.2.1 PROTO=TCP SPT=1 DPT=23 from 1.2.3.4 port 22',
    );
    const usb = kernelEntry(9, 'usb 1-1: new high-speed USB device number 2 using xhci_hcd');
    // No match: every entry reaches the handler, and the grammar decides by program and transport.
    const journal = journalIn('j', [...blocks, spoof, sshdText, usb]);
    const run = await startLogs(
      [
        {
          name: 'fw',
          type: 'firewall',
          journal: { directory: journal },
          start_position: 'beginning',
          portscan: { distinct_ports: 5, window: '60s' },
        },
      ],
      dir,
      new ManualClock(T0 + 30_000),
      collectors,
    );
    const text = await scrapeUntil(run, 'hostwatch_log_lines_total{log="fw",result="parsed"} 9');
    expect(text).toContain('hostwatch_firewall_packets_total{log="fw",action="block",protocol="tcp",direction="in"} 6');
    expect(text).toContain('hostwatch_portscan_detections_total{log="fw"} 1');
    expect(text).toContain('hostwatch_log_lines_total{log="fw",result="unparsed"} 0');
    expect(text).not.toContain('port="23"');
  });

  it('pattern rules see the line a syslog file holds; access logs read the message', async () => {
    const journal = journalIn('j', authEntries());
    const web = journalIn('web', [
      syslogEntry(0, 'nginx', 50, '192.0.2.9 - - [03/Mar/2024:10:00:00 +0000] "GET /shop/cart HTTP/1.1" 200 512 "-" "curl/8"'),
      syslogEntry(1, 'nginx', 50, '192.0.2.9 - - [03/Mar/2024:10:00:01 +0000] "GET /shop/item HTTP/1.1" 404 12 "-" "curl/8"'),
    ]);
    const run = await startLogs(
      [
        {
          name: 'rules',
          type: 'pattern',
          journal: { directory: journal, match: ['SYSLOG_IDENTIFIER=sshd'] },
          start_position: 'beginning',
          rules: [
            { name: 'failed', regex: '^\\S+ web1 sshd\\[\\d+\\]: Failed password for (?<user>\\S+) from', labels: ['user'] },
            { name: 'stamp', regex: '^2024-03-03T10:00:07\\.000000\\+00:00 ' },
          ],
        },
        { name: 'web', type: 'access', journal: { directory: web }, start_position: 'beginning', format: 'combined' },
      ],
      dir,
      new ManualClock(T0 + 60_000),
      collectors,
    );
    const text = await scrapeUntil(run, 'hostwatch_log_lines_total{log="web",result="parsed"} 2');
    await scrapeUntil(run, 'hostwatch_log_lines_total{log="rules",result="parsed"} 8');
    const t2 = await run.scrape();
    expect(t2).toContain('hostwatch_pattern_matches_total{log="rules",rule="failed",user="root"} 5');
    expect(t2).toContain('hostwatch_pattern_matches_total{log="rules",rule="stamp"} 1');
    expect(text).toMatch(/hostwatch_http_requests_total\{log="web",[^}]*status="2xx"[^}]*\} 1/);
    expect(text).toMatch(/hostwatch_http_requests_total\{log="web",[^}]*status="4xx"[^}]*\} 1/);
  });

  it('the cursor is checkpointed with the handler state: a restart counts every entry once', async () => {
    const journal = journalIn('j', authEntries().slice(0, 3));
    const logs = [
      {
        name: 'auth',
        type: 'auth',
        journal: { directory: journal },
        start_position: 'beginning',
        bruteforce: { threshold: 4, window: '2m' },
      },
    ];
    const clock = new ManualClock(T0 + 60_000);
    const first = await startLogs(logs, dir, clock, collectors);
    await scrapeUntil(first, 'hostwatch_auth_failures_total{log="auth",service="sshd",reason="password"} 3');
    await first.c.stop();
    const cp = JSON.parse(readFileSync(path.join(dir, 'state', 'checkpoints', 'auth.json'), 'utf8'));
    expect(cp.journal.cursor).toMatch(/^s=[0-9a-f]{32};i=3;/);
    expect(cp.tailer).toEqual({ files: [], bytes: expect.any(Number), rotations: 0 });

    writeJournal(path.join(journal, 'system.journal'), authEntries(3));
    const second = await startLogs(logs, dir, clock, collectors);
    await scrapeUntil(second, `hostwatch_log_lines_total{log="auth",result="parsed"} ${EVENTS.length}`);
    await new Promise((r) => setTimeout(r, 300));
    const text = await second.scrape();
    expect(text).toContain(`hostwatch_log_lines_total{log="auth",result="parsed"} ${EVENTS.length}`);
    expect(text).toContain('hostwatch_auth_failures_total{log="auth",service="sshd",reason="password"} 5');
    expect(text).toContain('hostwatch_auth_failures_total{log="auth",service="sshd",reason="invalid_user"} 1');
    expect(text).toContain('hostwatch_auth_failures_total{log="auth",service="su",reason="su"} 1');
    // The brute force split across the restart (3 failures before, 2 after) is still detected:
    // the detector window was checkpointed with the cursor.
    expect(text).toContain('hostwatch_auth_bruteforce_detections_total{log="auth",service="sshd"} 1');
  });

  it('path and journal: the files when one exists at start, else the journal; said in the log', async () => {
    const journal = journalIn('j', authEntries());
    const present = path.join(dir, 'secure');
    writeFileSync(present, authLine(EVENTS[7]));
    const logs: { msg: string; log?: string }[] = [];
    const logger = createLogger({ level: 'info', format: 'json', write: (l) => logs.push(JSON.parse(l)) });
    const run = await startLogs(
      [
        {
          name: 'a',
          type: 'auth',
          path: [path.join(dir, 'auth.log'), present],
          journal: { directory: journal },
          start_position: 'beginning',
        },
        { name: 'b', type: 'auth', path: path.join(dir, 'auth.log'), journal: { directory: journal }, start_position: 'beginning' },
        { name: 'c', type: 'auth', journal: { directory: path.join(dir, 'no-such-dir') } },
      ],
      dir,
      new ManualClock(T0 + 60_000),
      collectors,
      logger,
    );
    const text = await scrapeUntil(run, `hostwatch_log_lines_total{log="b",result="parsed"} ${EVENTS.length}`);
    expect(text).toContain('hostwatch_log_lines_total{log="a",result="parsed"} 1');
    expect(text).toContain('hostwatch_log_files_watched{log="a"} 1');
    expect(logs).toContainEqual(expect.objectContaining({ log: 'a', msg: `following ${present}` }));
    expect(logs).toContainEqual(expect.objectContaining({ log: 'b', msg: `following the journal (no ${path.join(dir, 'auth.log')})` }));
    expect(logs).toContainEqual(expect.objectContaining({ log: 'c', msg: 'following the journal' }));
    await until(async () => (await run.scrape()).includes('hostwatch_log_source_up{log="c"} 0'), 10_000, 'c down');
    const t2 = await run.scrape();
    expect(t2).toContain('hostwatch_log_source_up{log="a"} 1');
    expect(t2).toContain('hostwatch_log_source_up{log="b"} 1');
  });

  it('a log that read the journal and finds its file at the next start reads the file from its end, counters going on', async () => {
    const journal = journalIn('j', authEntries().slice(0, 3));
    const file = path.join(dir, 'auth.log');
    const logs = [{ name: 'auth', type: 'auth', path: file, journal: { directory: journal }, start_position: 'beginning' }];
    const clock = new ManualClock(T0 + 60_000);
    const first = await startLogs(logs, dir, clock, collectors);
    const before = await scrapeUntil(first, 'hostwatch_log_lines_total{log="auth",result="parsed"} 3');
    const bytes = Number(/hostwatch_log_bytes_read_total\{log="auth"\} (\d+)/.exec(before)![1]);
    expect(bytes).toBeGreaterThan(0);
    await first.c.stop();

    // rsyslog installed meanwhile: it wrote what the journal had too.
    writeFileSync(file, EVENTS.slice(0, 3).map(authLine).join(''));
    const second = await startLogs(logs, dir, clock, collectors);
    await second.scrape();
    appendFileSync(file, authLine(EVENTS[3]));
    const text = await second.scrape();
    expect(text).toContain('hostwatch_log_lines_total{log="auth",result="parsed"} 4');
    expect(text).toContain('hostwatch_auth_failures_total{log="auth",service="sshd",reason="password"} 4');
    const after = Number(/hostwatch_log_bytes_read_total\{log="auth"\} (\d+)/.exec(text)![1]);
    expect(after).toBe(bytes + authLine(EVENTS[3]).length);
  });

  it('the shipped hostwatch.yml: auth and firewall read the journal where the files do not exist, the files where they do', async () => {
    const shipped = parse(readFileSync(fileURLToPath(new URL('../../hostwatch.yml', import.meta.url)), 'utf8')) as {
      logs: ({ name: string; path: string | string[]; journal?: object } & Record<string, unknown>)[];
    };
    const journal = journalIn('j', [
      ...authEntries().slice(0, 3), // facility auth (4)
      syslogEntry(10, 'sudo', 400, '   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id', { SYSLOG_FACILITY: '10' }),
      syslogEntry(11, 'CRON', 401, 'pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)', { SYSLOG_FACILITY: '9' }),
      kernelEntry(12, '[UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.4 DST=192.0.2.1 LEN=40 PROTO=TCP SPT=1 DPT=22 SYN URGP=0'),
    ]);
    // The same entries, with the host's paths under the temp dir and the test journal for the system's.
    const under = (p: string) => path.join(dir, p);
    const logs = shipped.logs
      .filter((l) => l.name === 'auth' || l.name === 'firewall')
      .map((l) => {
        const paths = ([] as string[]).concat(l.path).map(under);
        return { ...l, path: paths, journal: { ...l.journal, directory: journal }, start_position: 'beginning' };
      });
    expect(logs.map((l) => [l.name, l.journal])).toEqual([
      ['auth', { match: ['SYSLOG_FACILITY=4', 'SYSLOG_FACILITY=10'], directory: journal }],
      ['firewall', { match: ['_TRANSPORT=kernel'], directory: journal }],
    ]);
    const clock = new ManualClock(T0 + 60_000);
    const first = await startLogs(logs, dir, clock, collectors);
    const text = await scrapeUntil(first, 'hostwatch_log_lines_total{log="auth",result="parsed"} 4');
    await scrapeUntil(first, 'hostwatch_firewall_packets_total{log="firewall",action="block",protocol="tcp",direction="in"} 1');
    expect(text).toContain('hostwatch_auth_sudo_commands_total{log="auth",user="alice"} 1');
    await first.c.stop();

    // rsyslog installed: auth.log exists at the next start, and is what the log reads.
    mkdirSync(under('var/log'), { recursive: true });
    writeFileSync(under('var/log/auth.log'), '');
    const second = await startLogs(logs, dir, clock, collectors);
    await second.scrape(); // the first pass has seen the file at its end
    appendFileSync(under('var/log/auth.log'), authLine(EVENTS[3]));
    writeJournal(path.join(journal, 'system.journal'), authEntries(4));
    const t2 = await scrapeUntil(second, 'hostwatch_log_lines_total{log="auth",result="parsed"} 5');
    expect(t2).toContain('hostwatch_log_files_watched{log="auth"} 1');
    expect(t2).toContain('hostwatch_log_source_up{log="firewall"} 1');
  });
});
