// The pure readers of the audit's facts, on output captured from the real programs
// (test/fixtures/audit/commands/README.md says how), and against the real programs where they run
// here (diff -u, openssl).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { algorithmList, effectiveFromFiles, parseSshdConfig, parseSshdT } from '../../src/audit/facts/sshd.js';
import { dropsByDefault, parseNftInputChains, parseUfwStatus } from '../../src/audit/facts/firewall.js';
import { grantsNopasswdAll, includedirEntry, parseSudoers } from '../../src/audit/facts/sudoers.js';
import { parseMountinfo } from '../../src/audit/facts/filesystem.js';
import { parseProcNet } from '../../src/audit/facts/network.js';
import { compareVersions, parseDpkgStatus, usrMergeAliases } from '../../src/audit/facts/packages.js';
import { aptPeriodic, kernelVersions } from '../../src/audit/facts/updates.js';
import { journaldStorage } from '../../src/audit/facts/logging.js';
import { devString, diskMounts, parseSwaps } from '../../src/audit/facts/encryption.js';
import { parseAppArmorProfiles } from '../../src/audit/facts/kernel.js';
import { parseLoginDefs, parseShadow } from '../../src/audit/facts/accounts.js';
import { unifiedDiff } from '../../src/audit/fixes/diff.js';
import { certStrength, weakKey, weakSignature } from '../../src/collectors/tls/strength.js';
import { AUDIT_FIXTURES, COMMANDS, makeCerts, tempDir } from './helpers.js';

const read = (f: string) => readFileSync(join(COMMANDS, f), 'utf8');
const tmp = tempDir('audit-facts');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sshd configuration', () => {
  const AUDITED = [
    'port',
    'permitrootlogin',
    'passwordauthentication',
    'kbdinteractiveauthentication',
    'usepam',
    'permitemptypasswords',
    'maxauthtries',
    'x11forwarding',
    'ciphers',
    'macs',
    'kexalgorithms',
  ];

  it.each(['debian12-default', 'weak', 'hard', 'plusminus'])('the config files read as sshd -T reads them: %s', (name) => {
    const real = parseSshdT(read(`sshd-T-${name}.txt`));
    const directives = parseSshdConfig(read(`sshd-T-${name}.input.conf`)).map((d) => ({ ...d, file: 'x' }));
    const ours = effectiveFromFiles(directives).settings;
    for (const k of AUDITED) expect(`${k} ${ours[k]}`).toBe(`${k} ${real[k]}`);
  });

  it('parses sshd -T output, joining repeated keywords', () => {
    const s = parseSshdT(read('sshd-T-debian12-default.txt'));
    expect(s.listenaddress).toBe('[::]:22,0.0.0.0:22');
    expect(s.permitrootlogin).toBe('without-password');
  });

  it('first value wins; Match blocks and their ends; keyword=value; old spellings', () => {
    const d = parseSshdConfig(
      'X11Forwarding=no\nx11forwarding yes\nMatch User bob\n  PasswordAuthentication yes\nMatch all\nPasswordAuthentication no\nChallengeResponseAuthentication yes\n',
    );
    const { settings, origin } = effectiveFromFiles(d.map((x) => ({ ...x, file: '/etc/ssh/sshd_config' })));
    expect(settings.x11forwarding).toBe('no');
    expect(origin.x11forwarding.line).toBe(1);
    expect(settings.passwordauthentication).toBe('no');
    expect(origin.passwordauthentication.line).toBe(6);
    expect(settings.kbdinteractiveauthentication).toBe('yes');
  });

  it('algorithm lists: +, -, ^ and wildcards against the defaults', () => {
    expect(algorithmList('+b', 'a,c')).toBe('a,c,b');
    expect(algorithmList('^b', 'a,c')).toBe('b,a,c');
    expect(algorithmList('-a*', 'a1,a2,c')).toBe('c');
    expect(algorithmList('x,y', 'a,c')).toBe('x,y');
  });
});

describe('firewall', () => {
  it('finds the input base chains of nft list ruleset (iptables-nft and native)', () => {
    const ipt = parseNftInputChains(read('nft-iptables-drop.txt'));
    expect(ipt.map((c) => [c.table, c.chain, c.policy, c.rules.length])).toEqual([
      ['ip filter', 'INPUT', 'drop', 3],
      ['ip6 filter', 'INPUT', 'drop', 0],
    ]);
    const native = parseNftInputChains(read('nft-native-final-drop.txt'));
    expect(native).toHaveLength(1);
    expect(native[0].rules.at(-1)).toBe('counter packets 0 bytes 0 drop');
    expect(dropsByDefault(native[0])).toBe(true);
    const debian = parseNftInputChains(read('nft-debian-default.txt'));
    expect(debian).toEqual([{ table: 'inet filter', chain: 'input', policy: 'accept', rules: [] }]);
    expect(dropsByDefault(debian[0])).toBe(false);
    expect(parseNftInputChains(read('nft-nat-only.txt'))).toEqual([]);
  });

  it('reads ufw status verbose', () => {
    expect(parseUfwStatus(read('ufw-status-active.txt'))).toEqual({ active: true, defaultIncoming: 'deny' });
    expect(parseUfwStatus(read('ufw-status-inactive.txt'))).toEqual({ active: false, defaultIncoming: undefined });
  });
});

describe('sudoers', () => {
  const none = new Map<string, string[]>();
  it('NOPASSWD carries over the command list, PASSWD ends it, options and runas are skipped', () => {
    expect(grantsNopasswdAll(' (ALL:ALL) NOPASSWD: ALL', none)).toBe(true);
    expect(grantsNopasswdAll(' (ALL) ALL', none)).toBe(false);
    expect(grantsNopasswdAll(' NOPASSWD: /bin/ls, ALL', none)).toBe(true);
    expect(grantsNopasswdAll(' NOPASSWD: /bin/ls, PASSWD: ALL', none)).toBe(false);
    expect(grantsNopasswdAll(' (root) TIMEOUT=5m NOPASSWD: SETENV: ALL', none)).toBe(true);
    expect(grantsNopasswdAll(' NOPASSWD: ADMIN', new Map([['ADMIN', ['/bin/sh', 'ALL']]]))).toBe(true);
    expect(grantsNopasswdAll(' /bin/ls : SERVERS = NOPASSWD: ALL', none)).toBe(true);
  });

  it('classifies lines: includes (# and @ forms), aliases over continuation lines, Defaults dropped', () => {
    const lines = parseSudoers(
      'Defaults env_reset\n#includedir /etc/sudoers.d\n@include "extra file"\nUser_Alias A = a, \\\n  b : B = c\nalice, bob  ALL = ALL\n# a comment\n',
    );
    expect(lines).toEqual([
      { kind: 'include', path: '/etc/sudoers.d', dir: true, line: 2 },
      { kind: 'include', path: 'extra file', dir: false, line: 3 },
      { kind: 'alias', type: 'User_Alias', name: 'A', items: ['a', 'b'], line: 4 },
      { kind: 'alias', type: 'User_Alias', name: 'B', items: ['c'], line: 4 },
      { kind: 'spec', users: ['alice', 'bob'], right: ' ALL', line: 6, text: 'alice, bob  ALL = ALL' },
    ]);
    expect(['README', 'admins', 'old~', 'x.dpkg-old'].filter(includedirEntry)).toEqual(['README', 'admins']);
  });
});

describe('proc and sys tables', () => {
  it('mountinfo, with optional fields and escaped mount points', () => {
    const m = parseMountinfo('26 1 8:2 / /mnt/my\\040disk rw,nosuid shared:1 master:2 - ext4 /dev/sda2 rw\n');
    expect(m).toEqual([
      { device: '8:2', root: '/', mountpoint: '/mnt/my disk', options: ['rw', 'nosuid'], fstype: 'ext4', source: '/dev/sda2' },
    ]);
  });

  it('/proc/net tables captured in a namespace with real sockets', () => {
    const tcp = parseProcNet(readFileSync(join(AUDIT_FIXTURES, 'weak/proc/1/net/tcp'), 'utf8'), 'tcp', 4);
    expect(tcp.map((l) => `${l.address}:${l.port}`).sort()).toEqual(
      ['0.0.0.0:21', '0.0.0.0:22', '0.0.0.0:23', '0.0.0.0:6379', '0.0.0.0:80', '0.0.0.0:8080', '127.0.0.1:11211'].sort(),
    );
    expect(parseProcNet(readFileSync(join(AUDIT_FIXTURES, 'weak/proc/1/net/tcp6'), 'utf8'), 'tcp', 6)).toMatchObject([
      { address: '::', port: 3306, inode: 381050 },
    ]);
    expect(parseProcNet(readFileSync(join(AUDIT_FIXTURES, 'weak/proc/1/net/udp'), 'utf8'), 'udp', 4)).toMatchObject([
      { address: '0.0.0.0', port: 69 },
    ]);
    // Kernel hex of 2001:db8::1 and ::ffff:127.0.0.1 (32-bit words in host order).
    const line = (addr: string) =>
      `  sl local rem st\n   0: ${addr}:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0 100 0 0 10 0\n`;
    expect(parseProcNet(line('B80D0120000000000000000001000000'), 'tcp', 6)[0].address).toBe('2001:db8::1');
    expect(parseProcNet(line('0000000000000000FFFF00000100007F'), 'tcp', 6)[0].address).toBe('::ffff:127.0.0.1');
  });

  it('swaps, st_dev decoding, disk mounts without /boot, images and bind duplicates', () => {
    expect(parseSwaps('Filename Type Size Used Priority\n/swap\\040file file 1024 0 -2\n')).toEqual([{ name: '/swap file', type: 'file' }]);
    expect(devString(259 * 256 + 3)).toBe('259:3');
    expect(devString((8 << 8) | 1)).toBe('8:1');
    const mounts = parseMountinfo(readFileSync(join(AUDIT_FIXTURES, 'hardened/proc/1/mountinfo'), 'utf8'));
    expect(diskMounts(mounts).map((m) => m.mountpoint)).toEqual(['/', '/srv']);
  });

  it('AppArmor profiles by mode', () => {
    expect(parseAppArmorProfiles('/usr/bin/man (complain)\na (enforce)\nb//x (enforce)\n')).toEqual({ complain: 1, enforce: 2 });
  });
});

describe('packages, updates, accounts, logging', () => {
  it('dpkg status keeps installed packages only', () => {
    const p = parseDpkgStatus(readFileSync(join(AUDIT_FIXTURES, 'hardened/var/lib/dpkg/status'), 'utf8'));
    expect(p.get('openssh-server')).toBe('1:9.2p1-2+deb12u3');
    expect(p.has('telnetd')).toBe(false); // deinstall ok config-files
  });

  it('versions and usrmerge aliases', () => {
    expect(compareVersions('6.1.0-21-amd64', '6.1.0-9-amd64')).toBeGreaterThan(0);
    expect(compareVersions('7.2p2', '7.4')).toBeLessThan(0);
    expect(kernelVersions(['vmlinuz-6.1.0-18-amd64', 'initrd.img-6.1.0-18-amd64', 'config-6.1.0-18-amd64'])).toEqual(['6.1.0-18-amd64']);
    expect(usrMergeAliases('/usr/bin/su')).toEqual(['/usr/bin/su', '/bin/su']);
    expect(usrMergeAliases('/sbin/x')).toEqual(['/sbin/x', '/usr/sbin/x']);
    expect(usrMergeAliases('/opt/x')).toEqual(['/opt/x']);
  });

  it('APT::Periodic: the last file wins, comments do not count', () => {
    const p = aptPeriodic([
      { name: '10periodic', text: 'APT::Periodic::Unattended-Upgrade "1";\n' },
      {
        name: '20auto-upgrades',
        text: '// APT::Periodic::Unattended-Upgrade "7";\n/* APT::Periodic::Enable "0"; */\nAPT::Periodic::Unattended-Upgrade "0";\n',
      },
    ]);
    expect(p['Unattended-Upgrade']).toEqual({ value: '0', file: '20auto-upgrades' });
    expect(p.Enable).toBeUndefined();
  });

  it('shadow aging and login.defs', () => {
    expect(parseShadow('a:$6$x:19000:0::7:::\nb:!:19000:0:90:7:::\n')).toEqual([
      { name: 'a', hash: '$6$x', maxDays: undefined },
      { name: 'b', hash: '!', maxDays: 90 },
    ]);
    expect(parseLoginDefs('# PASS_MAX_DAYS 1\nPASS_MAX_DAYS\t90\n')).toEqual({ PASS_MAX_DAYS: '90' });
  });

  it('journald Storage=: drop-ins after the main file, [Journal] section only', () => {
    expect(
      journaldStorage([
        { name: 'a', text: '[Journal]\nStorage=volatile\n' },
        { name: 'b', text: '[Other]\nStorage=none\n[Journal]\nStorage=persistent\n' },
      ]),
    ).toEqual({ value: 'persistent', file: 'b' });
    expect(journaldStorage([])).toEqual({ value: 'auto' });
  });
});

describe('certificate strength (openssl-made certificates)', () => {
  it('key type and size, signature algorithm from the DER, trust anchors recognised', async () => {
    const certs = await makeCerts(tmp);
    const blocks = (f: string) => readFileSync(f, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
    const [strong, ca] = blocks(certs.strong).map(certStrength);
    expect(strong).toEqual({ keyType: 'ec', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256', selfSigned: false });
    expect(ca.selfSigned).toBe(true);
    const [weak] = blocks(certs.weak).map(certStrength);
    expect(weak).toEqual({ keyType: 'rsa', keyBits: 1024, signatureAlgorithm: 'ecdsa-with-SHA1', selfSigned: false });
    expect(weakKey(weak) && weakSignature(weak.signatureAlgorithm)).toBe(true);
    expect(weakKey(strong) || weakSignature(strong.signatureAlgorithm)).toBe(false);
    // An RSA CA signing with SHA-256, as openssl names it.
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'r.key', '-out', 'r.crt', '-days', '2', '-subj', '/CN=r', '-sha256'],
      { cwd: tmp, stdio: 'ignore' },
    );
    expect(certStrength(readFileSync(join(tmp, 'r.crt'), 'utf8'))).toMatchObject({
      keyType: 'rsa',
      keyBits: 2048,
      signatureAlgorithm: 'sha256WithRSAEncryption',
    });
  });
});

describe('unified diff of a fix', () => {
  it('is what diff -u prints', () => {
    const a = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const cases = [
      a.replace('line 3\n', 'LINE 3\n').replace('line 20\n', '').replace('line 39\n', 'line 39\nnew\n'),
      `# header\n${a}`,
      a.replace('line 10\n', 'line 10\nx\ny\n').replace('line 14\n', 'z\n'),
    ];
    for (const b of cases) {
      writeFileSync(join(tmp, 'a'), a);
      writeFileSync(join(tmp, 'b'), b);
      let real = '';
      try {
        execFileSync('diff', ['-u', '--label', 'f', '--label', 'f', join(tmp, 'a'), join(tmp, 'b')]);
      } catch (err) {
        real = (err as { stdout: Buffer }).stdout.toString();
      }
      expect(unifiedDiff('f', a, b, 3)).toBe(real);
    }
    expect(unifiedDiff('/etc/new.conf', null, 'a\n')).toBe('--- /dev/null\n+++ /etc/new.conf\n@@ -0,0 +1,1 @@\n+a\n');
  });
});
