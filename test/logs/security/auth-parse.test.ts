// The auth parser on real-world lines (Debian/Ubuntu auth.log, RHEL/Fedora secure, journald
// short-iso, rsyslog high precision; OpenSSH 5.3 to 9.8), golden files plus targeted cases.
process.env.TZ = 'UTC';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authLineFields } from '../../../src/logs/auth/fields.js';
import { parseAuthLine } from '../../../src/logs/auth/parse.js';
import { parseSyslog } from '../../../src/logs/security/syslog.js';
import { goldenLines } from './golden.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const DIR = 'test/fixtures/auth';

describe('auth parser golden files', () => {
  for (const name of readdirSync(DIR).filter((f) => !f.endsWith('.json'))) {
    it(name, () => {
      const { actual, expected } = goldenLines(`${DIR}/${name}`, (l) => authLineFields(l, NOW));
      expect(actual).toEqual(expected);
    });
  }
});

const fixtureLines = (name: string) =>
  readFileSync(`${DIR}/${name}`, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('auth parser: what must not match', () => {
  it('never reports sessions, connections, post-auth disconnects or cron as failures', () => {
    const lines = fixtureLines('nomatch.log');
    const events = lines.map((l) => parseAuthLine(l, NOW)?.event);
    // The accepted login is a success; the rest is at most information (a connection's source).
    expect(events[0]).toMatchObject({ event: 'success', service: 'sshd', method: 'publickey', user: 'deploy' });
    expect(events.slice(1).filter((e) => e !== undefined && e.event !== 'info')).toEqual([]);
  });

  it('a garbage line and an impossible date have no syslog header (unparsed)', () => {
    const lines = fixtureLines('nomatch.log');
    expect(parseAuthLine(lines[lines.length - 2], NOW)).toBeUndefined();
    expect(parseAuthLine(lines[lines.length - 1], NOW)).toBeUndefined();
  });
});

describe('auth parser: attacker-controlled user names', () => {
  it('takes the source sshd logged last, never one injected through the user name or client text', () => {
    for (const line of fixtureLines('injection.log')) {
      const e = parseAuthLine(line, NOW)?.event;
      expect(e, line).toBeDefined();
      expect(e!.source, line).toMatch(/^5\.6\.7\.\d+$/);
    }
  });

  it('keeps the injected text as the user name', () => {
    const e = parseAuthLine(
      'Mar  3 14:00:00 h sshd[1]: Failed password for invalid user from 1.2.3.4 from 5.6.7.8 port 22 ssh2',
      NOW,
    )!.event!;
    expect(e).toMatchObject({ event: 'failure', user: 'from 1.2.3.4', source: '5.6.7.8', reason: 'invalid_user' });
  });

  it('an injected "Accepted" does not make a success', () => {
    const e = parseAuthLine(
      'Mar  3 14:00:00 h sshd[1]: Invalid user Accepted password for root from 6.6.6.6 port 22 ssh2 from 5.6.7.15 port 2228',
      NOW,
    )!.event!;
    expect(e.event).toBe('invalid_user');
  });
});

describe('auth parser: sources and services', () => {
  it.each([
    ['1.2.3.4', 'Failed password for root from 1.2.3.4 port 22 ssh2'],
    ['2001:db8::1', 'Failed password for root from 2001:db8::1 port 22 ssh2'],
    ['10.0.0.1', 'Failed password for root from ::ffff:10.0.0.1 port 22 ssh2'],
    ['bad.example.org', 'Failed password for root from bad.example.org port 22 ssh2'],
    ['2001:db8::2', 'Received disconnect from 2001:db8::2: 11: Bye Bye [preauth]'],
    ['2001:db8::3', 'Unable to negotiate with 2001:db8::3 port 22: no matching cipher found'],
    ['2001:db8::4', 'Did not receive identification string from 2001:db8::4'],
  ])('source %s of %s', (source, msg) => {
    expect(parseAuthLine(`Mar  3 10:00:00 h sshd[9]: ${msg}`, NOW)!.event!.source).toBe(source);
  });

  it('maps sshd-session (OpenSSH 9.8) to sshd and unknown PAM services to other', () => {
    expect(parseAuthLine('Mar  3 10:00:00 h sshd-session[9]: Failed password for x from 1.2.3.4 port 22 ssh2', NOW)!.event!.service).toBe(
      'sshd',
    );
    const e = parseAuthLine(
      'Mar  3 10:00:00 h myapp[9]: pam_unix(myapp:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=1.2.3.4  user=x',
      NOW,
    )!.event!;
    expect(e).toMatchObject({ event: 'failure', service: 'other', reason: 'pam', source: '1.2.3.4', user: 'x' });
  });

  it('counts folded repeats (rsyslog "message repeated N times")', () => {
    const e = parseAuthLine(
      'Mar  3 10:00:00 h sshd[9]: message repeated 4 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]',
      NOW,
    )!.event!;
    expect(e).toMatchObject({ event: 'failure', count: 4, source: '1.2.3.4' });
  });
});

describe('syslog header', () => {
  it('parses with and without the host field and with a <PRI>', () => {
    expect(parseSyslog('Mar  3 10:00:00 web sshd[12]: hello', NOW)).toMatchObject({
      host: 'web',
      program: 'sshd',
      pid: '12',
      message: 'hello',
    });
    expect(parseSyslog('Mar  3 10:00:00 sshd[12]: hello', NOW)).toMatchObject({
      host: undefined,
      program: 'sshd',
      pid: '12',
      message: 'hello',
    });
    expect(parseSyslog('<86>Mar  3 10:00:00 web sudo: hi', NOW)).toMatchObject({
      host: 'web',
      program: 'sudo',
      pid: undefined,
      message: 'hi',
    });
    expect(parseSyslog('Mar  3 10:00:00 web last message repeated 3 times', NOW)).toBeUndefined();
  });

  it('gives a year-less timestamp the current year, or the last one when it would be in the future', () => {
    const jan1 = Date.UTC(2025, 0, 1, 0, 5, 0);
    expect(parseSyslog('Dec 31 23:59:58 h sshd[1]: x', jan1)!.timestamp).toBe(Date.UTC(2024, 11, 31, 23, 59, 58));
    expect(parseSyslog('Jan  1 00:04:00 h sshd[1]: x', jan1)!.timestamp).toBe(Date.UTC(2025, 0, 1, 0, 4, 0));
    // A few hours ahead (clock skew, another zone) is still this year.
    expect(parseSyslog('Jan  1 06:00:00 h sshd[1]: x', jan1)!.timestamp).toBe(Date.UTC(2025, 0, 1, 6, 0, 0));
    expect(parseSyslog('Mar 03 10:00:00.250000 h sshd[1]: x', NOW)!.timestamp).toBe(Date.UTC(2024, 2, 3, 10, 0, 0, 250));
  });

  it('applies the offset of ISO timestamps, with or without a colon, and Z', () => {
    const t = Date.UTC(2024, 2, 3, 11, 0, 0);
    expect(parseSyslog('2024-03-03T12:00:00+0100 h sshd[1]: x', NOW)!.timestamp).toBe(t);
    expect(parseSyslog('2024-03-03T12:00:00.000000+01:00 h sshd[1]: x', NOW)!.timestamp).toBe(t);
    expect(parseSyslog('2024-03-03T11:00:00Z h sshd[1]: x', NOW)!.timestamp).toBe(t);
    expect(parseSyslog('2024-03-03T06:00:00-05:00 h sshd[1]: x', NOW)!.timestamp).toBe(t);
  });
});

describe('auth parser: login', () => {
  it.each([
    ["FAILED LOGIN (1) on '/dev/tty1' FOR 'root', Authentication failure", 'failure', 'root'],
    ['FAILED LOGIN 1 FROM tty1 FOR alice, Authentication failure', 'failure', 'alice'],
    ["ROOT LOGIN  on '/dev/tty1'", 'success', 'root'],
    ['ROOT LOGIN ON tty2', 'success', 'root'],
    ['LOGIN ON tty3 BY alice', 'success', 'alice'],
  ])('%s', (msg, event, user) => {
    expect(parseAuthLine(`Mar  3 10:00:00 h login[5]: ${msg}`, NOW)!.event).toMatchObject({ service: 'login', event, user });
  });
});

describe('syslog header: busybox', () => {
  it('skips the facility.level field busybox syslogd writes', () => {
    expect(parseSyslog('Mar  3 16:00:00 alpine authpriv.info sshd[2301]: hi', NOW)).toMatchObject({
      host: 'alpine',
      program: 'sshd',
      pid: '2301',
      message: 'hi',
    });
  });
});
