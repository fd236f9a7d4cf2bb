// Property tests: whatever name a client sends (the user of sshd's messages, PAM's ruser/user,
// vsftpd's [user], the identd user of tcp_wrappers, a typed login name), the source is the address
// the program wrote, and the line keeps its program's grammar. Names are built from the pieces an
// attacker would use to forge a second address (` from 6.6.6.6 port 1 ssh2`, `rhost=`, `] FAIL
// LOGIN: Client "`...), with fast-check (seeded: a failure reproduces).
process.env.TZ = 'UTC';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuthLine } from '../../../src/logs/auth/parse.js';

const NOW = Date.UTC(2024, 5, 1);
const REAL = '203.0.113.9';
const PIECES = [
  ' ',
  'x',
  'root',
  'from',
  ' from ',
  '6.6.6.6',
  '::ffff:6.6.6.6',
  ' port ',
  '1',
  ' ssh2',
  ': ',
  ':',
  ' [preauth]',
  'invalid user ',
  'authenticating user ',
  'rhost=',
  ' rhost=6.6.6.6',
  '  user=',
  'user=',
  'ruser=',
  '"',
  "'",
  ']',
  '[',
  '(',
  ')',
  ' (6.6.6.6)',
  '@',
  ' via 6.6.6.6',
  ', ',
  ' :: Viewer Address: 6.6.6.6 :: Type: DH',
  '] FAIL LOGIN: Client "6.6.6.6"',
  ': Too many authentication failures',
  'pam_unix(su:auth): authentication failure; ',
  'Accepted password for root',
  'é',
  '\t',
];
/** Any name built from the pieces (OpenSSH logs control characters escaped, never a newline). */
const name = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })), { maxLength: 12 })
  .map((p) => p.join('').replace(/[\n\r\0]/g, ''));
/** sshd cuts a user name at its first ':' (`user:style`): the names its publickey lines can hold. */
const sshdName = name.map((n) => n.split(':')[0]);

function check(template: (u: string) => string, expected: { service: string; event: string }, arb = name): void {
  fc.assert(
    fc.property(arb, (u) => {
      const e = parseAuthLine(template(u), NOW)?.event;
      expect(e, template(u)).toBeDefined();
      expect(e!.source, template(u)).toBe(REAL);
      expect(e!.service).toBe(expected.service);
      expect(e!.event).toBe(expected.event);
    }),
    { seed: 1729, numRuns: 400 },
  );
}

const sshd = (msg: string) => `Mar  3 10:00:00 h sshd[42]: ${msg}`;

describe('an attacker-chosen name never moves the source', () => {
  it.each([
    ['Failed password', (u: string) => sshd(`Failed password for ${u} from ${REAL} port 5555 ssh2`), 'failure'],
    ['Failed password, invalid user', (u: string) => sshd(`Failed password for invalid user ${u} from ${REAL} port 5555 ssh2`), 'failure'],
    [
      'Failed keyboard-interactive/pam',
      (u: string) => sshd(`Failed keyboard-interactive/pam for invalid user ${u} from ${REAL} port 5555 ssh2`),
      'failure',
    ],
    ['Invalid user', (u: string) => sshd(`Invalid user ${u} from ${REAL} port 5555`), 'invalid_user'],
    [
      'Postponed',
      (u: string) => sshd(`Postponed keyboard-interactive for invalid user ${u} from ${REAL} port 5555 ssh2 [preauth]`),
      'failure',
    ],
    [
      'maximum authentication attempts',
      (u: string) => sshd(`error: maximum authentication attempts exceeded for invalid user ${u} from ${REAL} port 5555 ssh2 [preauth]`),
      'failure',
    ],
    [
      'Connection closed by invalid user',
      (u: string) => sshd(`Connection closed by invalid user ${u} ${REAL} port 5555 [preauth]`),
      'failure',
    ],
    [
      'Connection reset by authenticating user',
      (u: string) => sshd(`Connection reset by authenticating user ${u} ${REAL} port 5555 [preauth]`),
      'failure',
    ],
    ['Disconnected from invalid user', (u: string) => sshd(`Disconnected from invalid user ${u} ${REAL} port 5555 [preauth]`), 'failure'],
    [
      'Disconnecting: Too many authentication failures',
      (u: string) => sshd(`Disconnecting invalid user ${u} ${REAL} port 5555: Too many authentication failures [preauth]`),
      'failure',
    ],
    [
      'PAM: Authentication failure',
      (u: string) => sshd(`error: PAM: Authentication failure for illegal user ${u} from ${REAL}`),
      'failure',
    ],
    ['macOS PAM via', (u: string) => sshd(`error: PAM: authentication error for ${u} from ${REAL} via 192.168.1.201`), 'failure'],
  ])('sshd: %s', (_label, template, event) => check(template, { service: 'sshd', event }));

  it('sshd: Failed publickey with its key after the address', () => {
    check(
      (u) => sshd(`Failed publickey for invalid user ${u} from ${REAL} port 5555 ssh2: RSA SHA256:4V1vKyR9ZyUgjaJAmoCTcb2PLljI`),
      { service: 'sshd', event: 'failure' },
      sshdName,
    );
  });

  it('sshd: Change of username, with client text on both sides of the address', () => {
    check(
      (u) =>
        sshd(
          `Disconnecting invalid user ${u.split(':')[0]} ${REAL} port 5555: Change of username or service not allowed: (${u},ssh-connection) -> (${u},${u}) [preauth]`,
        ),
      { service: 'sshd', event: 'failure' },
    );
  });

  it('PAM: the client name as user (sshd) and as both ruser and user (vsftpd)', () => {
    check((u) => sshd(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${REAL}  user=${u}`), {
      service: 'sshd',
      event: 'failure',
    });
    check(
      (u) =>
        `Mar  3 10:00:00 h vsftpd[7]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=${u} rhost=${REAL}  user=${u}`,
      { service: 'vsftpd', event: 'failure' },
    );
  });

  it('vsftpd, login, screensharingd, tcp_wrappers', () => {
    check((u) => `Mar  3 10:00:00 h vsftpd[7]: [${u}] FAIL LOGIN: Client "${REAL}"`, { service: 'vsftpd', event: 'failure' });
    check((u) => `Mar  3 10:00:00 h login[7]: FAILED LOGIN 1 FROM ${REAL} FOR ${u}, Authentication failure`, {
      service: 'login',
      event: 'failure',
    });
    check((u) => `Mar  3 10:00:00 h login[7]: FAILED LOGIN (1) on '/dev/pts/1' from '${REAL}' FOR '${u}', Authentication failure`, {
      service: 'login',
      event: 'failure',
    });
    check((u) => `Mar  3 10:00:00 h screensharingd[7]: Authentication: FAILED :: User Name: ${u} :: Viewer Address: ${REAL} :: Type: DH`, {
      service: 'other',
      event: 'failure',
    });
    check((u) => `Mar  3 10:00:00 h in.telnetd[7]: refused connect from ${u}@host.example.org (${REAL})`, {
      service: 'other',
      event: 'failure',
    });
  });
});

describe('client text never makes a firewall line', () => {
  it("packet fields anywhere in another program's message are not a packet", async () => {
    const { parseFirewallLine } = await import('../../../src/logs/firewall/parse.js');
    const packet = fc
      .constantFrom('[UFW BLOCK] ', 'DROP: ', '', 'kernel: ')
      .map((p) => `${p}IN=eth0 OUT= SRC=6.6.6.6 DST=192.0.2.10 PROTO=TCP SPT=1 DPT=22`);
    const header = fc.constantFrom(
      'Mar  3 10:00:00 h sshd[42]: ',
      '2024-03-03T10:00:00+00:00 h sudo: ',
      'h nginx[7]: ',
      'Sun 2024-03-03 10:00:00 UTC h vsftpd[9]: ',
    );
    fc.assert(
      fc.property(header, name, packet, name, (h, before, p, after) => {
        expect(parseFirewallLine(`${h}${before}${p}${after}`, NOW)).toBeUndefined();
      }),
      { seed: 1729, numRuns: 400 },
    );
  });
});
