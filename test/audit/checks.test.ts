// Every check on fixture trees, for both outcomes: test/fixtures/audit/hardened (a Debian 12 host
// done right: LUKS under LVM, AppArmor, ufw, unattended-upgrades, ...) passes every check, and
// test/fixtures/audit/weak (an old Ubuntu left alone) fails every check. The few outcomes one of the
// two trees cannot show are made by overlaying files on a copy. Never the test machine's own /etc.
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditReport } from '../../src/audit/run.js';
import { CHECKS } from '../../src/audit/checks/index.js';
import { auditOptions, fakeApt, fixtureRoot, makeCerts, script, tempDir, COMMANDS, UPDATE_FIXTURES, type TestCerts } from './helpers.js';

const tmp = tempDir('audit-checks');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let certs: TestCerts;
beforeAll(async () => {
  certs = await makeCerts(tmp);
});

const byId = (r: AuditReport) => Object.fromEntries(r.results.map((x) => [x.check.id, x]));
const DAY = 86_400_000;

async function audit(
  name: string,
  opts: {
    overrides?: Record<string, string | null>;
    certFiles?: string[];
    apt?: string;
    now?: number;
    commands?: Record<string, string>;
  } = {},
) {
  const root = fixtureRoot(name, tmp, opts.overrides);
  const tools = { commands: opts.commands ?? {}, updates: fakeApt(tmp, opts.apt ?? 'apt-dist-upgrade-none.txt') };
  return runAudit(auditOptions(root, tempDir('audit-state', tmp), { certFiles: opts.certFiles, tools, now: opts.now }));
}

describe('audit on fixture trees', () => {
  it('hardened: every check passes', async () => {
    const r = await audit('hardened', { certFiles: [certs.strong] });
    const notPassing = r.results
      .filter((x) => x.status !== 'pass')
      .map((x) => `${x.check.id}: ${x.status} ${x.error ?? x.details.join('; ')}`);
    expect(notPassing).toEqual([]);
    expect(r.results).toHaveLength(CHECKS.length);
    expect(r.score).toBe(100);
    expect(r.worst).toBeUndefined();
  });

  it('weak: every check fails, with the findings named', async () => {
    // After the certificates' 30 days: they have expired.
    const r = await audit('weak', { certFiles: [certs.weak], apt: 'apt-dist-upgrade-debian12.txt', now: Date.now() + 31 * DAY });
    const notFailing = r.results
      .filter((x) => x.status !== 'fail')
      .map((x) => `${x.check.id}: ${x.status} ${x.error ?? x.details.join('; ')}`);
    // FW-DEFAULT-DENY judges an active firewall only: its failure is shown below with ufw enabled.
    expect(notFailing).toEqual(['FW-DEFAULT-DENY: skip no active firewall (see FW-ACTIVE)']);
    expect(r.score).toBe(0);
    expect(r.worst).toBe('critical');
    const d = (id: string) => byId(r)[id].details.join('\n');
    expect(d('SSH-ROOT-LOGIN')).toBe('PermitRootLogin yes (/etc/ssh/sshd_config line 4)');
    expect(d('SSH-PASSWORD-AUTH')).toBe('PasswordAuthentication yes (/etc/ssh/sshd_config.d/50-cloud-init.conf line 1)');
    expect(d('SSH-PROTOCOL-1')).toBe('Protocol 2,1 (/etc/ssh/sshd_config line 1)');
    expect(d('SSH-WEAK-CIPHERS')).toBe('Ciphers aes128-cbc,3des-cbc (/etc/ssh/sshd_config.d/50-cloud-init.conf line 4)');
    expect(d('SSH-WEAK-MACS')).toContain('MACs hmac-md5 ');
    expect(d('SSH-WEAK-KEX')).toContain('KexAlgorithms diffie-hellman-group1-sha1 ');
    expect(d('ACCT-UID0')).toBe('toor (uid 0, /etc/passwd line 3)');
    expect(d('ACCT-DUPLICATE-UID')).toBe('uid 1000: bob, bob2');
    expect(d('ACCT-EMPTY-PASSWORD')).toBe('guest: empty password field in /etc/shadow');
    expect(d('ACCT-PASSWORD-AGING')).toContain('bob: maximum password age 99999');
    expect(d('ACCT-PASSWORD-AGING')).not.toContain('guest'); // no password at all: ACCT-EMPTY-PASSWORD's
    expect(byId(r)['ACCT-SUDO-NOPASSWD'].details).toEqual([
      '/etc/sudoers.d/90-devs line 3: DEVS ALL = (ALL) NOPASSWD: ALL',
      '/etc/sudoers.d/90-devs line 7: deploy ALL=(ALL) NOPASSWD: /usr/bin/systemctl restart app, ALL',
    ]);
    expect(d('UPD-SECURITY-PENDING')).toMatch(/^\d+ security updates pending/);
    expect(d('UPD-REBOOT-REQUIRED')).toContain('kernel 4.15.0-213-generic is installed, 4.15.0-20-generic is running');
    expect(byId(r)['FS-WORLD-WRITABLE'].details).toEqual(['/etc/cron.d/job', '/usr/local/bin/tool']);
    expect(byId(r)['FS-SUID-UNOWNED'].details).toEqual(['/usr/local/bin/backdoor (mode 06755, owner uid 0)']);
    expect(d('FS-TMP-OPTIONS')).toBe('/tmp (ext4) mounted rw,relatime: missing noexec,nosuid');
    expect(d('FS-SHADOW-PERMISSIONS')).toContain('/etc/shadow: mode 0644');
    expect(byId(r)['FS-SSH-HOST-KEYS'].details).toHaveLength(1); // the RSA key, not the 0600 Ed25519 one
    expect(byId(r)['NET-EXPOSED-LOCAL-SERVICES'].details).toEqual([
      'Redis: 0.0.0.0:6379/tcp redis-server (pid 610)',
      'MySQL/MariaDB: [::]:3306/tcp mysqld (pid 630)',
    ]);
    expect(byId(r)['ENC-PLAINTEXT-SERVICES'].details).toEqual([
      'ftp: 0.0.0.0:21/tcp vsftpd (pid 640)',
      'telnet: 0.0.0.0:23/tcp inetd (pid 620)',
      'http: 0.0.0.0:80/tcp nginx (pid 650)',
      'tftp: 0.0.0.0:69/udp in.tftpd (pid 660)',
    ]);
    expect(d('ENC-FILESYSTEMS')).toBe('/ (ext4 on sda2): not encrypted\n/tmp (ext4 on sda4): not encrypted');
    expect(d('ENC-SWAP')).toBe('/dev/sda3 (partition): not encrypted');
    expect(d('ENC-TLS-WEAK')).toContain('rsa key of 1024 bits, signed with ecdsa-with-SHA1');
    expect(d('ENC-TLS-EXPIRED')).toContain('weak.example expired');
    expect(d('SVC-INSECURE-SERVERS')).toBe('telnetd (telnet server)\nrsh-server (rsh/rlogin server)');
    expect(d('KRNL-MAC')).toBe('AppArmor disabled');
  });

  it('the hardened tree shows what it passes on', async () => {
    const r = await audit('hardened', { certFiles: [certs.strong] });
    const d = (id: string) => byId(r)[id].details.join('\n');
    // The drop-in, read first, wins over the main file's later PasswordAuthentication yes; the Match block is not global.
    expect(d('SSH-PASSWORD-AUTH')).toBe('PasswordAuthentication no (/etc/ssh/sshd_config.d/10-hardening.conf line 1)');
    expect(d('SSH-ROOT-LOGIN')).toBe('PermitRootLogin no (/etc/ssh/sshd_config line 6)');
    expect(d('ENC-FILESYSTEMS')).toBe('/ (ext4 on dm-1): encrypted\n/srv (xfs on dm-3): encrypted');
    expect(d('ENC-SWAP')).toBe('/dev/dm-2 (partition): encrypted');
    expect(d('FS-SUID-UNOWNED')).toBe('2 SUID/SGID programs, all from dpkg packages'); // /usr/bin/su listed as /bin/su
    expect(d('KRNL-MAC')).toBe('AppArmor enabled, 5 profiles enforced');
    expect(d('FW-DEFAULT-DENY')).toBe('ufw DEFAULT_INPUT_POLICY="DROP"');
    expect(d('LOG-PERSISTENT')).toBe('rsyslogd writes log files');
  });

  it('FW-DEFAULT-DENY fails on an active firewall that accepts by default, and reads the kernel ruleset when nft can run', async () => {
    const ufwAccept = await audit('hardened', { overrides: { 'etc/default/ufw': 'DEFAULT_INPUT_POLICY="ACCEPT"\n' } });
    expect(byId(ufwAccept)['FW-DEFAULT-DENY'].status).toBe('fail');
    expect(byId(ufwAccept)['FW-DEFAULT-DENY'].details).toEqual(['ufw DEFAULT_INPUT_POLICY="ACCEPT" (/etc/default/ufw)']);
    const nft = (capture: string) => script(tmp, `nft-${capture}`, `cat '${COMMANDS}/${capture}'`).path;
    const noUfw = { 'etc/ufw': null };
    const finalDrop = await audit('weak', { overrides: noUfw, commands: { nft: nft('nft-native-final-drop.txt') } });
    expect(byId(finalDrop)['FW-ACTIVE'].status).toBe('pass');
    expect(byId(finalDrop)['FW-DEFAULT-DENY'].details).toEqual(['nftables chain inet filter input drops by default']);
    const debianDefault = await audit('weak', { overrides: noUfw, commands: { nft: nft('nft-debian-default.txt') } });
    expect(byId(debianDefault)['FW-ACTIVE'].status).toBe('fail');
    const natOnly = await audit('weak', { overrides: noUfw, commands: { nft: nft('nft-nat-only.txt') } });
    expect(byId(natOnly)['FW-ACTIVE'].status).toBe('fail');
  });

  it('LOG-PERSISTENT: journald alone keeps logs in memory unless told otherwise', async () => {
    const journaldOnly = { 'proc/500': null, 'proc/310/comm': 'systemd-journal\n' };
    const volatile = await audit('hardened', {
      overrides: { ...journaldOnly, 'etc/systemd/journald.conf': '[Journal]\nStorage=volatile\n' },
    });
    expect(byId(volatile)['LOG-PERSISTENT'].status).toBe('fail');
    expect(byId(volatile)['LOG-DAEMON'].status).toBe('pass');
    const auto = await audit('hardened', { overrides: { ...journaldOnly, 'etc/systemd/journald.conf': '[Journal]\n#Storage=auto\n' } });
    expect(byId(auto)['LOG-PERSISTENT'].details).toEqual(['journald Storage=auto (default), /var/log/journal exists']);
    const autoNoDir = await audit('hardened', { overrides: { ...journaldOnly, 'etc/systemd/journald.conf': '', 'var/log/journal': null } });
    expect(byId(autoNoDir)['LOG-PERSISTENT'].status).toBe('fail');
  });

  it('with sshd -T available, the effective settings come from it, the lines to fix from the files', async () => {
    const sshd = script(tmp, 'sshd-weak', `cat '${COMMANDS}/sshd-T-weak.txt'`);
    const r = await audit('hardened', { commands: { sshd: sshd.path } });
    expect(sshd.calls()).toEqual(['-T']);
    expect(byId(r)['SSH-ROOT-LOGIN'].status).toBe('fail');
    expect(byId(r)['SSH-ROOT-LOGIN'].details).toEqual(['PermitRootLogin yes (/etc/ssh/sshd_config line 6)']);
    expect(byId(r)['SSH-WEAK-CIPHERS'].details).toEqual(['Ciphers aes128-cbc,3des-cbc (/etc/ssh/sshd_config.d/10-hardening.conf line 4)']);
    // A failing sshd -T: the files are read instead.
    const broken = script(tmp, 'sshd-broken', 'echo "sshd: no hostkeys available -- exiting." >&2; exit 1');
    const fallback = await audit('hardened', { commands: { sshd: broken.path } });
    expect(byId(fallback)['SSH-ROOT-LOGIN'].status).toBe('pass');
  });

  it('a fact that cannot be read makes its checks report an error, not a pass', async () => {
    const r = await audit('hardened', { overrides: { 'etc/shadow': null } });
    expect(byId(r)['ACCT-EMPTY-PASSWORD'].status).toBe('error');
    expect(byId(r)['ACCT-EMPTY-PASSWORD'].error).toBe('cannot read shadow: /etc/shadow does not exist');
    expect(byId(r)['ACCT-UID0'].status).toBe('pass');
    expect(r.score).toBe(100); // errors count for neither side
  });

  it('the costly facts are reused from the state directory for audit.cache_max_age, unless refreshed', async () => {
    const root = fixtureRoot('weak', tmp);
    const state = tempDir('audit-state', tmp);
    const apt = script(tmp, 'apt-counting', `cat '${join(UPDATE_FIXTURES, 'apt-dist-upgrade-debian12.txt')}'`);
    const opts = (now: number, refresh = false) => ({
      ...auditOptions(root, state, { tools: { commands: {}, updates: { name: 'apt' as const, path: apt.path } }, now }),
      refresh,
    });
    const t = Date.now();
    const first = byId(await runAudit(opts(t)));
    expect(first['FS-WORLD-WRITABLE'].details).toEqual(['/etc/cron.d/job', '/usr/local/bin/tool']);
    // A change the search would see, ten minutes later: the result of the first run is shown, and says so.
    chmodSync(join(root, 'etc/cron.d/job'), 0o644);
    const second = byId(await runAudit(opts(t + 10 * 60_000)));
    expect(second['FS-WORLD-WRITABLE'].details).toEqual([
      '/etc/cron.d/job',
      '/usr/local/bin/tool',
      'result of 10 min ago, kept in the state directory (hostwatch audit --refresh to redo it now)',
    ]);
    expect(second['UPD-SECURITY-PENDING'].details[1]).toBe(
      'result of 10 min ago, kept in the state directory (hostwatch audit --refresh to redo it now)',
    );
    expect(apt.calls()).toHaveLength(1);
    const refreshed = byId(await runAudit(opts(t + 11 * 60_000, true)));
    expect(refreshed['FS-WORLD-WRITABLE'].details).toEqual(['/usr/local/bin/tool']);
    expect(apt.calls()).toHaveLength(2);
    // Older than audit.cache_max_age (1h): done again.
    chmodSync(join(root, 'usr/local/bin/tool'), 0o755);
    expect(byId(await runAudit(opts(t + 72 * 60_000)))['FS-WORLD-WRITABLE'].status).toBe('pass');
  });

  it('checks listed in audit.skip are not run', async () => {
    const root = fixtureRoot('weak', tmp);
    const r = await runAudit(auditOptions(root, tempDir('audit-state', tmp), { audit: { skip: ['ACCT-UID0'] } }));
    expect(byId(r)['ACCT-UID0']).toMatchObject({ status: 'skip', details: ['skipped by audit.skip'] });
  });
});
