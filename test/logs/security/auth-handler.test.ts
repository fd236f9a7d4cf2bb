// The auth handler: per-connection counting (one attempt logged on several lines counts once),
// brute-force detection with a controllable clock, the memory cap, snapshot/restore, metrics.
process.env.TZ = 'UTC';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { AuthLogConfig } from '../../../src/logs/auth/config.js';
import { ManualClock } from '../../../src/core/clock.js';
import { AuthHandler, type AuthState } from '../../../src/logs/auth/handler.js';
import { authLogType } from '../../../src/logs/auth/index.js';
import { topSources } from '../../../src/logs/security/top-sources.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

function authConfig(extra: Record<string, unknown> = {}): AuthLogConfig {
  const cfg = parseConfig({ logs: [{ name: 'auth', type: 'auth', path: '/var/log/auth.log', ...extra }] });
  return cfg.logs[0] as AuthLogConfig;
}

function handler(extra: Record<string, unknown> = {}, clock = new ManualClock(NOW)) {
  return new AuthHandler({ config: authConfig(extra), clock });
}

const fixture = (name: string) =>
  readFileSync(`test/fixtures/auth/${name}`, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('auth handler counting', () => {
  it('counts every attempt once on the Debian fixture (PAM + sshd lines, disconnect lines, repeats)', () => {
    const h = handler();
    for (const l of fixture('debian-auth.log')) h.processLine(l);
    const s = h.snapshot();
    expect(s.failures).toEqual({
      'sshd|invalid_user': 5, // 1 password try + 1 enumeration probe + 2 (none then 2 passwords) + 1 keyboard-interactive
      'sshd|password': 7, // 1 + "repeated 5 times" + scanner.example.net (max attempts / PAM lines not added)
      'sshd|preauth_disconnect': 3, // key-only bot, reset by ubuntu, JSch "Auth fail"
      'sshd|no_identification': 3, // did not identify, banner exchange, kex_exchange_identification
      'sshd|negotiation': 2,
      'sshd|not_allowed': 7, // bob: verdict + his 2nd password (his 1st is the verdict), 5 others
      // deploy's rejected RSA key is not a failure: the same connection logged in with its next key
      'sudo|sudo_password': 3, // pam_unix first failure + "PAM 2 more"; "3 incorrect password attempts" repeats them
      'sudo|not_in_sudoers': 1,
      'su|su': 1, // pam_unix(su:auth); FAILED SU repeats it
      'login|login': 1,
      'dovecot|pam': 1,
      'vsftpd|pam': 1,
      'cockpit|pam': 1,
    });
    expect(s.successes).toEqual({ 'sshd|publickey': 2, 'sshd|password': 1, 'sudo|sudo': 1, 'su|su': 1, 'login|password': 1 });
    expect(s.invalidUsers).toEqual({ sshd: 2 });
    expect(s.sudoCommands).toEqual({ deploy: 1 });
  });

  it('counts old OpenSSH (no port, no [preauth]) and root-refused connections on the RHEL fixture', () => {
    const h = handler();
    for (const l of fixture('rhel-secure')) h.processLine(l);
    expect(h.snapshot().failures).toEqual({
      'sshd|invalid_user': 4, // test (1 password), guest and nagios (probes closed pre-auth), admin (1 password)
      'sshd|password': 1,
      'sshd|root_refused': 2,
      'sshd|no_identification': 2,
      'sshd|negotiation': 1,
      'sshd|timeout': 1, // a connection idle past LoginGraceTime
      'sudo|sudo_password': 1,
      'su|su': 1,
      'gdm|pam': 1,
    });
    expect(h.snapshot().invalidUsers).toEqual({ sshd: 4 });
  });

  it('an enumeration probe (Invalid user, then disconnect) is one failure, whatever the disconnect lines', () => {
    const h = handler();
    h.processLine('Mar  3 10:00:00 h sshd[7]: Invalid user admin from 1.2.3.4 port 5');
    h.processLine('Mar  3 10:00:01 h sshd[7]: Received disconnect from 1.2.3.4 port 5:11: Bye Bye [preauth]');
    h.processLine('Mar  3 10:00:01 h sshd[7]: Disconnected from invalid user admin 1.2.3.4 port 5 [preauth]');
    expect(h.snapshot().failures).toEqual({ 'sshd|invalid_user': 1 });
    // A scanner that never names a user is not an authentication failure.
    h.processLine('Mar  3 10:00:02 h sshd[8]: Connection closed by 1.2.3.4 port 6 [preauth]');
    expect(h.snapshot().failures).toEqual({ 'sshd|invalid_user': 1 });
  });

  it('one attempt logged by two PAM modules (pam_unix then pam_sss) counts once', () => {
    const h = handler();
    const unix =
      'Mar  3 10:00:00 h sudo: pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/0 ruser=bob rhost=  user=bob';
    const sss =
      'Mar  3 10:00:00 h sudo: pam_sss(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/0 ruser=bob rhost= user=bob';
    h.processLine(unix);
    h.processLine(sss);
    expect(h.snapshot().failures).toEqual({ 'sudo|sudo_password': 1 });
    // The same module twice in a second is two attempts (two sudo invocations).
    h.processLine(unix);
    h.processLine(unix);
    expect(h.snapshot().failures).toEqual({ 'sudo|sudo_password': 3 });
    // Across a restart too.
    const r = handler();
    r.restore(JSON.parse(JSON.stringify(h.snapshot())));
    r.processLine(sss);
    expect(r.snapshot().failures).toEqual({ 'sudo|sudo_password': 3 });
  });

  it('lines of different hosts with the same pid are different connections', () => {
    const h = handler();
    h.processLine('Mar  3 10:00:00 a sshd[7]: Connection closed by authenticating user root 1.2.3.4 port 5 [preauth]');
    h.processLine('Mar  3 10:00:00 b sshd[7]: Connection closed by authenticating user root 1.2.3.4 port 5 [preauth]');
    expect(h.snapshot().failures).toEqual({ 'sshd|preauth_disconnect': 2 });
  });

  it('reports unparsed lines and line timestamps, and never throws', () => {
    const h = handler();
    expect(h.processLine('garbage')).toEqual({ parsed: false });
    expect(h.processLine('')).toEqual({ parsed: false });
    expect(h.processLine('Mar  3 10:00:00 h CRON[1]: pam_unix(cron:session): session opened for user root')).toEqual({
      parsed: true,
      timestamp: Date.UTC(2024, 2, 3, 10, 0, 0),
    });
    expect(() => h.processLine('\u0000\uffff'.repeat(10000))).not.toThrow();
  });

  it('bounds sudo users to max_sudo_users, the rest under __other__', () => {
    const h = handler({ max_sudo_users: 2 });
    for (const u of ['a', 'b', 'c', 'd', 'a', 'c']) {
      h.processLine(`Mar  3 10:00:00 h sudo:   ${u} : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/true`);
    }
    expect(h.snapshot().sudoCommands).toEqual({ a: 2, b: 1, __other__: 3 });
  });
});

describe('attacker-written text never moves the source (regressions)', () => {
  const inject = (i: number, fake: string) =>
    `Mar  3 10:00:${String(i).padStart(2, '0')} h sshd[${9000 + i}]: Failed password for invalid user x: pam_unix(su:auth): authentication failure; rhost=${fake} from 1.2.3.4 port ${5000 + i} ssh2`;

  it('a PAM line in the user name is an sshd failure from the real address: 20 attempts detect 1.2.3.4, never the fake', () => {
    for (const fake of [() => '6.6.6.6', (i: number) => `6.6.6.${i}`]) {
      const h = handler({ bruteforce: { threshold: 10, window: '5m' } });
      for (let i = 0; i < 20; i++) h.processLine(inject(i, fake(i)));
      const s = h.snapshot();
      expect(s.failures).toEqual({ 'sshd|invalid_user': 20 });
      expect(s.detections).toEqual({ sshd: 1 });
      expect(s.bruteforce.sources).toEqual(['1.2.3.4']);
    }
  });

  it('an injected rhost= before the real one is not the source', () => {
    const h = handler();
    h.processLine(
      'Mar  3 10:00:00 h vsftpd[7]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=x rhost=6.6.6.6 rhost=1.2.3.4',
    );
    expect(h.last).toEqual({ counted: 1, source: '1.2.3.4', why: 'counted' });
    expect(h.snapshot().bruteforce.sources).toEqual(['1.2.3.4']);
  });
});

describe('auth handler: one failure per connection, whatever the lines', () => {
  const run = (lines: string[], extra: Record<string, unknown> = {}) => {
    const h = handler(extra);
    for (const l of lines) h.processLine(l);
    return h;
  };

  it('a rejected key counts only when the connection ends without a login', () => {
    const ok = run([
      'Mar  3 10:00:00 h sshd[7]: Failed publickey for deploy from 1.2.3.4 port 5 ssh2: RSA SHA256:abc',
      'Mar  3 10:00:00 h sshd[7]: Failed publickey for deploy from 1.2.3.4 port 5 ssh2: ECDSA SHA256:def',
      'Mar  3 10:00:01 h sshd[7]: Accepted publickey for deploy from 1.2.3.4 port 5 ssh2: ED25519 SHA256:ghi',
    ]);
    expect(ok.snapshot().failures).toEqual({});
    const rejected = run([
      'Mar  3 10:00:00 h sshd[8]: Failed publickey for deploy from 1.2.3.4 port 6 ssh2: RSA SHA256:abc',
      'Mar  3 10:00:00 h sshd[8]: Failed publickey for deploy from 1.2.3.4 port 6 ssh2: ECDSA SHA256:def',
      'Mar  3 10:00:01 h sshd[8]: Connection closed by authenticating user deploy 1.2.3.4 port 6 [preauth]',
    ]);
    expect(rejected.snapshot().failures).toEqual({ 'sshd|publickey': 1 });
    // Without a user in the end line (OpenSSH < 7.x): the end still counts the rejected keys once.
    const old = run([
      'Mar  3 10:00:00 h sshd[9]: Failed publickey for deploy from 1.2.3.4 port 7 ssh2: RSA SHA256:abc',
      'Mar  3 10:00:01 h sshd[9]: Connection closed by 1.2.3.4 port 7 [preauth]',
    ]);
    expect(old.snapshot().failures).toEqual({ 'sshd|publickey': 1 });
  });

  it('echo lines (PAM for sshd, sudo/su/login summaries) are recognised and never counted', () => {
    const h = run([
      'Mar  3 10:00:00 h sshd[7]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root',
      'Mar  3 10:00:02 h sshd[7]: Failed password for root from 1.2.3.4 port 5 ssh2',
      'Mar  3 10:00:05 h sudo[8]:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id',
      'Mar  3 10:00:06 h su[9]: FAILED SU (to root) alice on pts/0',
    ]);
    expect(h.snapshot().failures).toEqual({ 'sshd|password': 1 });
    expect(h.last).toEqual({ counted: 0, source: undefined, why: 'echo' });
  });

  it("a line without an address gets its connection's, for the detector too", () => {
    const h = run(
      [
        'Mar  3 10:00:00 h sshd[7]: Connection from 1.2.3.4 port 5 on 10.0.0.1 port 22',
        'Mar  3 10:00:01 h sshd[7]: Disconnecting: Too many authentication failures for root [preauth]',
        'Mar  3 10:00:02 h sshd[8]: User root not allowed because account is locked',
        'Mar  3 10:00:03 h sshd[8]: Received disconnect from 1.2.3.4 port 6:11: Bye Bye [preauth]',
      ],
      { bruteforce: { threshold: 2, window: '60s' } },
    );
    expect(h.snapshot().failures).toEqual({ 'sshd|max_attempts': 1, 'sshd|not_allowed': 1 });
    // The second failure's address came on its connection's next line: it still crossed the threshold.
    expect(h.snapshot().detections).toEqual({ sshd: 1 });
    expect(h.last.source).toBe('1.2.3.4');
  });

  it('sshd >= 9.8 logs the login-grace timeout from the listener, about the connection named by its pid', () => {
    const h = run([
      'Mar  3 10:00:00 h sshd-session[4242]: Failed password for root from 1.2.3.4 port 5 ssh2',
      'Mar  3 10:02:00 h sshd[1000]: Timeout before authentication for connection from 1.2.3.4 to 10.0.0.1, pid = 4242',
      'Mar  3 10:03:00 h sshd[1000]: Timeout before authentication for connection from 5.6.7.8 to 10.0.0.1, pid = 4243',
    ]);
    // The first connection already counted its attempt; the second is a probe that never tried.
    expect(h.snapshot().failures).toEqual({ 'sshd|password': 1, 'sshd|timeout': 1 });
  });

  it('a dropbear connection counts its attempts once, with the address of its Child connection line', () => {
    const h = run([
      'Mar  3 10:00:00 gw dropbear[9]: Child connection from 1.2.3.4:5555',
      'Mar  3 10:00:01 gw dropbear[9]: Login attempt for nonexistent user',
      "Mar  3 10:00:09 gw dropbear[9]: Exit before auth from <1.2.3.4:5555>: Max auth tries reached - user 'is invalid'",
    ]);
    expect(h.snapshot().failures).toEqual({ 'dropbear|invalid_user': 1 });
    expect(h.snapshot().bruteforce.sources).toEqual(['1.2.3.4']);
  });

  it("doas: its own line after PAM's line of the same attempt (past the failure delay) counts once", () => {
    const h = run([
      'Mar  3 10:00:00 h doas[9]: pam_unix(doas:auth): authentication failure; logname=carol uid=1001 euid=0 tty=/dev/pts/3 ruser=carol rhost=  user=carol',
      'Mar  3 10:00:02 h doas[9]: failed auth for carol',
      'Mar  3 10:00:30 h doas[10]: failed auth for carol',
    ]);
    expect(h.snapshot().failures).toEqual({ 'doas|doas': 2 });
  });
});

const fail = (sec: number, src: string, pid = 100 + sec) =>
  `2024-03-03T10:${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}Z h sshd[${pid}]: Failed password for root from ${src} port 22 ssh2`;

describe('brute-force detection', () => {
  it('detects a source reaching the threshold within the window, once per crossing', () => {
    const h = handler({ bruteforce: { threshold: 3, window: '60s' } });
    h.processLine(fail(0, '1.1.1.1'));
    h.processLine(fail(10, '1.1.1.1'));
    expect(h.snapshot().detections).toEqual({ sshd: 0 });
    h.processLine(fail(20, '1.1.1.1'));
    expect(h.snapshot().detections).toEqual({ sshd: 1 });
    // Still over the threshold: further failures are the same crossing.
    for (let s = 21; s < 40; s++) h.processLine(fail(s, '1.1.1.1'));
    expect(h.snapshot().detections).toEqual({ sshd: 1 });
    // Quiet for longer than the window, then a new burst: a new crossing.
    h.processLine(fail(200, '1.1.1.1'));
    h.processLine(fail(201, '1.1.1.1'));
    expect(h.snapshot().detections).toEqual({ sshd: 1 });
    h.processLine(fail(202, '1.1.1.1'));
    expect(h.snapshot().detections).toEqual({ sshd: 2 });
  });

  it('failures spread wider than the window never cross', () => {
    const h = handler({ bruteforce: { threshold: 3, window: '60s' } });
    for (let s = 0; s < 600; s += 31) h.processLine(fail(s, '2.2.2.2'));
    expect(h.snapshot().detections).toEqual({ sshd: 0 });
  });

  it('uses the line timestamps, not the arrival time (a replayed log detects what happened then)', () => {
    const clock = new ManualClock(NOW);
    const h = handler({ bruteforce: { threshold: 3, window: '60s' } }, clock);
    // Lines an hour apart arriving within a millisecond: no brute force.
    for (let i = 0; i < 5; i++) h.processLine(`2024-03-03T1${i}:00:00Z h sshd[${i}]: Failed password for root from 3.3.3.3 port 22 ssh2`);
    expect(h.snapshot().detections).toEqual({ sshd: 0 });
  });

  it('does not count connection-level failures (no identification, negotiation) as brute force', () => {
    const h = handler({ bruteforce: { threshold: 2, window: '60s' } });
    for (let i = 0; i < 5; i++)
      h.processLine(`2024-03-03T10:00:0${i}Z h sshd[${i}]: Did not receive identification string from 4.4.4.4 port 22`);
    expect(h.snapshot().detections).toEqual({ sshd: 0 });
    expect(h.snapshot().failures).toEqual({ 'sshd|no_identification': 5 });
  });

  it('keeps at most max_sources sources under a flood of distinct ones', () => {
    const h = handler({ bruteforce: { threshold: 3, window: '2m', max_sources: 500 } });
    for (let i = 0; i < 50_000; i++) {
      h.processLine(
        `2024-03-03T10:00:00Z h sshd[${i}]: Failed password for root from 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} port 22 ssh2`,
      );
    }
    expect(h.trackedSources).toBe(500);
    expect(h.snapshot().bruteforce.sources.length).toBe(500);
    expect(h.snapshot().sessions.keys.length).toBeLessThanOrEqual(4096);
    expect(JSON.stringify(h.snapshot()).length).toBeLessThan(500_000);
  });
});

describe('auth snapshot / restore', () => {
  it('a restored handler continues exactly like one that never stopped (counters, sessions, windows)', () => {
    const lines = [...fixture('debian-auth.log'), ...fixture('rhel-secure'), ...fixture('journal-short-iso.log')];
    const extra = { bruteforce: { threshold: 3, window: '10m' } };
    const whole = handler(extra);
    for (const l of lines) whole.processLine(l);
    for (let cut = 1; cut < lines.length; cut += 7) {
      const first = handler(extra);
      for (const l of lines.slice(0, cut)) first.processLine(l);
      const saved = JSON.parse(JSON.stringify(first.snapshot())) as AuthState;
      const second = handler(extra);
      second.restore(saved);
      for (const l of lines.slice(cut)) second.processLine(l);
      expect(second.snapshot(), `cut at line ${cut}`).toEqual(whole.snapshot());
    }
    expect(Object.values(whole.snapshot().detections).reduce((a, b) => a + b)).toBeGreaterThan(0);
  });

  it('the snapshot is a copy: later lines do not change it', () => {
    const h = handler();
    h.processLine(fail(0, '5.5.5.5'));
    const s = h.snapshot();
    const before = JSON.stringify(s);
    h.processLine(fail(1, '5.5.5.5'));
    h.processLine('Mar  3 10:00:00 h sudo:   x : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/true');
    expect(JSON.stringify(s)).toBe(before);
  });
});

describe('auth metrics', () => {
  it('render the published state; the sources gauge is evaluated at the clock now', async () => {
    const type = authLogType;
    const clock = new ManualClock(Date.UTC(2024, 2, 3, 10, 0, 30));
    const config = authConfig({ bruteforce: { threshold: 3, window: '60s' }, top_sources: 2 });
    const h = type.createHandler({ config, clock, logger: undefined as never, registry: new Registry() });
    const published = new Map<string, { config: AuthLogConfig; state: AuthState }>();
    const registry = new Registry();
    type.registerMetrics(registry, () => published, clock);

    for (let s = 0; s < 5; s++) h.processLine(fail(s, '6.6.6.6'));
    for (let s = 0; s < 3; s++) h.processLine(fail(s, '7.7.7.7'));
    h.processLine(fail(3, '8.8.8.8'));
    h.processLine('2024-03-03T10:00:04Z h sshd[999]: Accepted password for ok from 9.9.9.9 port 22 ssh2');
    // Nothing published yet: live state never shows.
    expect(await registry.metrics()).not.toContain('hostwatch_auth_failures_total{');
    published.set('auth', { config, state: h.snapshot() });
    const text = await registry.metrics();
    expect(text).toContain('hostwatch_auth_failures_total{log="auth",service="sshd",reason="password"} 9');
    expect(text).toContain('hostwatch_auth_successes_total{log="auth",service="sshd",method="password"} 1');
    expect(text).toContain('hostwatch_auth_bruteforce_detections_total{log="auth",service="sshd"} 2');
    expect(text).toContain('hostwatch_auth_bruteforce_sources{log="auth"} 2');
    expect(text).toContain('hostwatch_auth_top_failure_sources{log="auth",source="6.6.6.6"} 5');
    expect(text).toContain('hostwatch_auth_top_failure_sources{log="auth",source="7.7.7.7"} 3');
    expect(text).not.toContain('source="8.8.8.8"');
    // A minute later the window has passed: no source is over the threshold any more.
    clock.advance(60_000);
    expect(await registry.metrics()).toContain('hostwatch_auth_bruteforce_sources{log="auth"} 0');
  });
});

describe('auth memory bounds on hostile lines', () => {
  it('caps the source length kept by the detector', () => {
    const h = handler();
    const host = 'a'.repeat(10_000);
    h.processLine(
      `2024-03-03T10:00:00Z h sudo: pam_unix(sudo:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=${host} user=x`,
    );
    const [src] = h.snapshot().bruteforce.sources;
    expect(src.length).toBe(255);
  });
});

describe('detector source keys', () => {
  it('an IPv4-mapped IPv6 address is the same source as the IPv4 address', () => {
    const h = handler({ bruteforce: { threshold: 2, window: '60s' } });
    h.processLine('2024-03-03T10:00:00Z h sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2');
    h.processLine(
      '2024-03-03T10:00:01Z h vsftpd: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=x rhost=::ffff:1.2.3.4',
    );
    expect(h.snapshot().bruteforce.sources).toEqual(['1.2.3.4']);
    expect(topSources(h.snapshot().top, 5)).toEqual([['1.2.3.4', 2]]);
    expect(h.snapshot().detections).toEqual({ sshd: 0, vsftpd: 1 });
  });
});
