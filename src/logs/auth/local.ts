// The messages of the programs that authenticate local users (the account names are local, not
// client text), from their sources: sudo (plugins/sudoers/logging.c, lib/eventlog: `%8s : %s`),
// util-linux su/runuser and login (login-utils), shadow's su and login (src/su.c, src/login.c,
// libmisc/sulog.c), OpenBSD doas (opendoas doas.c, pam.c, shadow.c), BSD and Solaris su.
//
// With PAM the module's line (pam_unix...) is the attempt, and these summaries repeat it (scope
// echo); the lines these programs write only without PAM (`Authentication failed for`, `BAD SU`,
// Solaris `'su root' failed`) are attempts. doas writes `failed auth for` in both builds: it is an
// attempt that the handler folds into the PAM line of the same attempt (see samePamAttempt).
import type { AuthEvent } from './event.js';

const SUDO = /^\s*(\S+) : (.*)$/;
const SUDO_INCORRECT = /^(\d+) incorrect password attempts?$/;
// util-linux: `FAILED SU (to root) alice on pts/0`, `(to root) alice on pts/0`; runuser likewise.
const SU_UTIL_LINUX = /^(FAILED (?:SU|RUNUSER) )?\(to (\S+)\) (\S*) on /;
// shadow: `FAILED su for root by alice`, `Successful su for root by alice` (sulog; the
// `- pts/0 alice:root` / `+ pts/0 alice:root` lines it logs right after repeat them).
const SU_SHADOW = /^(FAILED|Successful) su for (\S+) by (\S+)$/;
const SU_NO_PAM = /^Authentication failed for (\S+)$/;
// FreeBSD/OpenBSD su `BAD SU alice to root on /dev/ttyp0`, Solaris `'su root' failed for alice on /dev/pts/1`.
const SU_BSD = /^BAD SU (\S+) to (\S+)(?: on \S+)?$/;
const SU_SOLARIS = /^'su (\S+)' failed for (\S+) on \S+$/;
// shadow `FAILED LOGIN (1) on '/dev/tty1' from 'host' FOR 'root', Authentication failure`;
// util-linux `FAILED LOGIN 1 FROM tty1 FOR root, Authentication failure`,
// `FAILED LOGIN SESSION FROM host FOR root, ...`, both `TOO MANY LOGIN TRIES (3) ...`.
const LOGIN_FAILED_SHADOW = /^(?:FAILED LOGIN|TOO MANY LOGIN TRIES) \(\d+\) on '[^']*'(?: from '([^']*)')? FOR '(.*)'/;
const LOGIN_FAILED_UTIL_LINUX = /^(?:FAILED LOGIN \d+|FAILED LOGIN SESSION|TOO MANY LOGIN TRIES \(\d+\)) FROM (\S+) FOR (.*?), [^,]*$/;
// shadow without PAM: `invalid password for 'root'  on '/dev/tty3'` (the name typed, then fromhost).
const LOGIN_NO_PAM = /^invalid password for '(.*)' {1,2}on '[^']*'(?: from '([^']*)')?$/;
// shadow `ROOT LOGIN  on '/dev/tty1'`, `'alice' logged in  on ...`; util-linux `ROOT LOGIN ON tty1`,
// `LOGIN ON tty3 BY alice [FROM host]`.
const LOGIN_OK = /^(?:ROOT LOGIN {1,2}(?:on|ON) |LOGIN ON \S+ BY (\S+)|'([^']+)' logged in )/;
/** util-linux login names the tty when the login is local: not a source. */
const TTY = /^(?:\/dev\/)?(?:tty|pts\/|console|hvc|xvc|vc\/|ttyS|ttyUSB|ttyAMA|:\d)|^<unknown>$/;
const DOAS_FAILED = /^failed auth for (\S+)$/;
const DOAS_DENIED = /^command not permitted for (\S+): /;
const DOAS_RAN = /^(\S+) ran command .* as \S+ from /;

export function parseSudo(msg: string): AuthEvent | undefined {
  const m = SUDO.exec(msg);
  if (!m) return undefined;
  const user = m[1];
  const fields = m[2].split(' ; ');
  const first = fields[0];
  const inc = SUDO_INCORRECT.exec(first);
  if (inc) return { event: 'failure', service: 'sudo', user, reason: 'sudo_password', count: Number(inc[1]), scope: 'echo' };
  if (first === 'user NOT in sudoers' || first === 'user NOT authorized on host' || first === 'command not allowed') {
    return { event: 'failure', service: 'sudo', user, reason: 'not_in_sudoers', count: 1, scope: 'attempt' };
  }
  if (/^[A-Z]+=/.test(first) && fields.some((f) => f.startsWith('COMMAND='))) {
    return { event: 'success', service: 'sudo', user, method: 'sudo', count: 1 };
  }
  return undefined;
}

function su(event: AuthEvent['event'], user: string | undefined, scope?: AuthEvent['scope']): AuthEvent {
  if (event === 'success') return { event, service: 'su', user, method: 'su', count: 1 };
  return { event, service: 'su', user, reason: 'su', count: 1, scope };
}

export function parseSu(msg: string): AuthEvent | undefined {
  let m = SU_UTIL_LINUX.exec(msg);
  if (m) return m[1] ? su('failure', m[2], 'echo') : su('success', m[2]);
  if ((m = SU_SHADOW.exec(msg))) return m[1] === 'FAILED' ? su('failure', m[2], 'echo') : su('success', m[2]);
  if ((m = SU_NO_PAM.exec(msg))) return su('failure', m[1], 'attempt');
  if ((m = SU_BSD.exec(msg))) return su('failure', m[2], 'attempt');
  if ((m = SU_SOLARIS.exec(msg))) return su('failure', m[1], 'attempt');
  if (msg.startsWith('pam_authenticate: ')) return su('failure', undefined, 'echo');
  return undefined;
}

function loginSource(from: string | undefined): string | undefined {
  return from === undefined || from === '' || TTY.test(from) ? undefined : from;
}

/** The name login logs when it does not show an unknown one (LOG_UNKFAIL_ENAB off). */
function loginUser(name: string): string | undefined {
  return name === '(unknown)' || name === 'UNKNOWN' ? undefined : name;
}

export function parseLogin(msg: string): AuthEvent | undefined {
  // Both forms capture the source, then the user.
  let m = LOGIN_FAILED_SHADOW.exec(msg) ?? LOGIN_FAILED_UTIL_LINUX.exec(msg);
  if (m)
    return {
      event: 'failure',
      service: 'login',
      user: loginUser(m[2]),
      source: loginSource(m[1]),
      reason: 'login',
      count: 1,
      scope: 'echo',
    };
  if ((m = LOGIN_NO_PAM.exec(msg)))
    return { event: 'failure', service: 'login', user: m[1], source: loginSource(m[2]), reason: 'login', count: 1, scope: 'attempt' };
  if ((m = LOGIN_OK.exec(msg))) return { event: 'success', service: 'login', user: m[1] ?? m[2] ?? 'root', method: 'password', count: 1 };
  return undefined;
}

export function parseDoas(msg: string): AuthEvent | undefined {
  let m = DOAS_FAILED.exec(msg);
  if (m) return { event: 'failure', service: 'doas', user: m[1], reason: 'doas', count: 1, scope: 'attempt', pamModule: 'doas' };
  if ((m = DOAS_DENIED.exec(msg)))
    return { event: 'failure', service: 'doas', user: m[1], reason: 'not_in_sudoers', count: 1, scope: 'attempt' };
  if ((m = DOAS_RAN.exec(msg))) return { event: 'success', service: 'doas', user: m[1], method: 'doas', count: 1 };
  return undefined;
}
