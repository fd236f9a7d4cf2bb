// SSH server checks, over its effective configuration (facts/sshd.ts).
import type { SshdFacts } from '../facts/types.js';
import { compareVersions } from '../facts/packages.js';
import { defineCheck, type Check, type Evaluation } from '../types.js';
import { fail, pass, skip } from './common.js';

const NO_SSHD = 'no OpenSSH server is installed';

/** "PermitRootLogin yes (/etc/ssh/sshd_config line 32)", naming where the value comes from. */
export function describeSetting(s: SshdFacts, keyword: string, shown = s.settings[keyword.toLowerCase()]): string {
  const o = s.origin[keyword.toLowerCase()];
  const where = o ? `${o.file} line ${o.line}` : s.source === 'sshd -T' ? 'sshd -T, not set in the config files' : 'OpenSSH default';
  return `${keyword} ${shown} (${where})`;
}

/** A check of one yes/no-like setting of sshd. */
function sshSetting(
  id: string,
  severity: Check['severity'],
  keyword: string,
  bad: (value: string, s: SshdFacts) => boolean,
  texts: Pick<Check, 'title' | 'found' | 'why' | 'fix'>,
  autofix?: { value: string },
): Check {
  return defineCheck({
    id,
    category: 'ssh',
    severity,
    needs: ['sshd'],
    ...texts,
    evaluate: ({ sshd }): Evaluation => {
      if (!sshd) return skip(NO_SSHD);
      const value = sshd.settings[keyword.toLowerCase()] ?? '';
      return bad(value, sshd) ? fail(describeSetting(sshd, keyword)) : pass(describeSetting(sshd, keyword));
    },
    autofix: autofix && { kind: 'sshd', keyword, value: autofix.value },
  });
}

/** Ciphers broken or weakened by known attacks: CBC modes (plaintext recovery), RC4, 3DES, Blowfish, CAST. */
export const WEAK_CIPHERS = /-cbc$|^arcfour|^3des|^blowfish|^cast128|^rijndael-cbc/;
/** MACs with a broken hash or a tag too short to resist forgery (CIS). */
export const WEAK_MACS = /md5|ripemd160|sha1-96|^umac-64/;
/** Key exchanges with SHA-1 or a 1024-bit group. */
export const WEAK_KEX = /sha1$|sha1@|group1-|gss-.*-sha1-/;

export const STRONG_CIPHERS =
  'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr';
export const STRONG_MACS =
  'hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256,umac-128@openssh.com';
export const STRONG_KEX =
  'sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256';

function algorithmCheck(
  id: string,
  severity: Check['severity'],
  keyword: string,
  weak: RegExp,
  strong: string,
  texts: Pick<Check, 'title' | 'found' | 'why'>,
): Check {
  return defineCheck({
    id,
    category: 'ssh',
    severity,
    needs: ['sshd'],
    ...texts,
    fix: `${keyword} ${strong}`,
    evaluate: ({ sshd }) => {
      if (!sshd) return skip(NO_SSHD);
      const list = (sshd.settings[keyword.toLowerCase()] ?? '').split(',').filter(Boolean);
      const bad = list.filter((a) => weak.test(a));
      return bad.length > 0 ? fail(describeSetting(sshd, keyword, bad.join(','))) : pass(describeSetting(sshd, keyword));
    },
    autofix: { kind: 'sshd', keyword, value: strong },
  });
}

export const SSH_CHECKS: Check[] = [
  sshSetting(
    'SSH-ROOT-LOGIN',
    'high',
    'PermitRootLogin',
    (v) => v === 'yes',
    {
      title: 'SSH root login with a password',
      found: 'Anyone on the network can try to log in over SSH as root, the all-powerful account, with a password.',
      why: 'Every server on the internet receives thousands of password guesses for "root" a day. One right guess gives complete control of the machine, with no ordinary account in between to slow the intruder down.',
      fix: 'PermitRootLogin prohibit-password (in /etc/ssh/sshd_config, then: systemctl reload ssh); log in as yourself and use sudo',
    },
    { value: 'prohibit-password' },
  ),
  sshSetting(
    'SSH-PASSWORD-AUTH',
    'medium',
    'PasswordAuthentication',
    (v, s) => v === 'yes' || (s.settings.kbdinteractiveauthentication === 'yes' && s.settings.usepam === 'yes'),
    {
      title: 'SSH password logins',
      found: 'The SSH server accepts passwords (not only keys) to log in.',
      why: "Passwords can be guessed, reused from another site's leak or phished; SSH keys cannot. Automated attacks try passwords around the clock.",
      fix: 'Give every user an SSH key first (ssh-copy-id), then set PasswordAuthentication no and KbdInteractiveAuthentication no in /etc/ssh/sshd_config and run: systemctl reload ssh',
    },
  ),
  sshSetting(
    'SSH-EMPTY-PASSWORDS',
    'critical',
    'PermitEmptyPasswords',
    (v) => v === 'yes',
    {
      title: 'SSH logins without a password',
      found: 'The SSH server lets accounts with an empty password log in.',
      why: 'An account without a password is an open door: anyone who knows the user name gets in.',
      fix: 'PermitEmptyPasswords no (in /etc/ssh/sshd_config, then: systemctl reload ssh)',
    },
    { value: 'no' },
  ),
  sshSetting(
    'SSH-MAX-AUTH-TRIES',
    'low',
    'MaxAuthTries',
    (v) => !(Number(v) <= 4),
    {
      title: 'SSH login attempts per connection',
      found: 'The SSH server allows more than 4 login attempts per connection.',
      why: 'Each extra attempt per connection makes password guessing cheaper and harder to spot in the logs.',
      fix: 'MaxAuthTries 4 (in /etc/ssh/sshd_config, then: systemctl reload ssh)',
    },
    { value: '4' },
  ),
  sshSetting(
    'SSH-X11-FORWARDING',
    'low',
    'X11Forwarding',
    (v) => v === 'yes',
    {
      title: 'SSH X11 forwarding',
      found: 'The SSH server forwards graphical (X11) sessions.',
      why: 'A server rarely needs to display windows on your desktop; when it is compromised, X11 forwarding lets the intruder watch your keystrokes and screen.',
      fix: 'X11Forwarding no (in /etc/ssh/sshd_config, then: systemctl reload ssh)',
    },
    { value: 'no' },
  ),
  defineCheck({
    id: 'SSH-PROTOCOL-1',
    category: 'ssh',
    severity: 'critical',
    needs: ['sshd'],
    title: 'SSH protocol version 1',
    found: 'The SSH server is configured to speak the obsolete SSH protocol version 1.',
    why: 'SSH version 1 has design flaws that let an eavesdropper decrypt or hijack sessions.',
    fix: 'Remove the Protocol line from /etc/ssh/sshd_config (OpenSSH 7.4 and later speak only version 2) and upgrade OpenSSH',
    evaluate: ({ sshd }) => {
      if (!sshd) return skip(NO_SSHD);
      const set = sshd.origin.protocol;
      if (!set || !/1/.test(sshd.settings.protocol ?? '')) return pass('protocol 2 only');
      if (sshd.version && compareVersions(sshd.version, '7.4') >= 0)
        return pass(`${describeSetting(sshd, 'Protocol')}: ignored by OpenSSH ${sshd.version}`);
      return fail(describeSetting(sshd, 'Protocol'));
    },
  }),
  algorithmCheck('SSH-WEAK-CIPHERS', 'high', 'Ciphers', WEAK_CIPHERS, STRONG_CIPHERS, {
    title: 'SSH weak ciphers',
    found: 'The SSH server offers encryption methods that are known to be breakable.',
    why: 'With an old cipher (CBC modes, RC4, 3DES) someone able to watch the network may recover parts of a session, such as typed passwords.',
  }),
  algorithmCheck('SSH-WEAK-MACS', 'medium', 'MACs', WEAK_MACS, STRONG_MACS, {
    title: 'SSH weak integrity checks (MACs)',
    found: 'The SSH server offers message integrity checks based on broken or too short hashes.',
    why: 'Integrity checks stop an attacker on the network from altering a session in flight; weak ones (MD5, short tags) no longer guarantee that.',
  }),
  algorithmCheck('SSH-WEAK-KEX', 'medium', 'KexAlgorithms', WEAK_KEX, STRONG_KEX, {
    title: 'SSH weak key exchange',
    found: 'The SSH server offers key exchange methods based on SHA-1 or small groups.',
    why: 'The key exchange sets up the secret that protects the whole session; weak methods can be broken by well-funded attackers, who can then read recorded sessions.',
  }),
];
