// Linux-PAM's failure lines, in any program's log, anchored at the start of the message:
//   pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root
//   PAM 2 more authentication failures; logname= ... rhost=1.2.3.4  user=root   (at pam_end, no module)
//   pam_unix(auth): / pam_unix: / (pam_unix) authentication failure; ...        (Linux-PAM < 0.99.2)
//   pop(pam_unix)[4920]: authentication failure; ...                             (the module in the tag)
//   unix_chkpwd[123]: password check failed for user (alice)                     (the setuid helper)
// (pam_vsyslog writes `<module>(<service>:<type>): ` before the module's text; pam_unix's
// support.c writes the key=value list.)
import type { AuthEvent } from './event.js';
import { serviceOf } from './labels.js';
import { normalizeSource } from './source.js';

const AUTH_FAILURE = /^(pam_[\w-]+)\((?:([^:()\s]+):)?auth\): authentication failure; /;
const OLD_AUTH_FAILURE = /^(?:\((pam_[\w-]+)\) |(pam_[\w-]+): )authentication failure; /;
const MORE = /^PAM (\d+) more authentication failures?; /;
const OLD_MORE = /^(\d+) more authentication failures?; /;
const CHKPWD = /^password check failed for user \((.*)\)$/;
const KV_HEAD = /^logname=\S* uid=\d+ euid=\d+ tty=\S* ruser=/;

/** The reason of a PAM failure, by service. */
function pamReason(service: string): string {
  if (service === 'sudo') return 'sudo_password';
  if (service === 'su') return 'su';
  if (service === 'login') return 'login';
  if (service === 'doas') return 'doas';
  return 'pam';
}

/**
 * `logname=L uid=U euid=E tty=T ruser=R rhost=H [ ]user=X`, where R and X can be client text
 * (vsftpd passes the name the client sent as both) and H is the address the service set. H is a
 * token followed by the end or by `user=`: of the ` rhost=` occurrences that fit, take the one
 * where R equals X (the services that set both to the client's name; at most one occurrence can),
 * else the first when R is empty (only X is client text), else the last (only R is).
 */
export function pamFields(kv: string): { source?: string; user?: string } {
  const head = KV_HEAD.exec(kv);
  const start = head ? head[0].length : 0;
  const fits: { at: number; value: string; user?: string }[] = [];
  for (let i = kv.indexOf('rhost=', start); i >= 0; i = kv.indexOf('rhost=', i + 6)) {
    if (i > start && kv.charCodeAt(i - 1) !== 32) continue;
    let end = kv.indexOf(' ', i + 6);
    if (end < 0) end = kv.length;
    const value = kv.slice(i + 6, end);
    let rest = end;
    while (kv.charCodeAt(rest) === 32) rest++;
    if (rest === kv.length) fits.push({ at: i, value });
    else if (rest > end && kv.startsWith('user=', rest)) fits.push({ at: i, value, user: kv.slice(rest + 5) });
  }
  if (fits.length === 0) return {};
  const ruserOf = (f: { at: number }) => kv.slice(start, Math.max(start, f.at - 1));
  let pick = fits.length === 1 ? fits[0] : fits.find((f) => f.user !== undefined && f.user === ruserOf(f));
  if (!pick) pick = ruserOf(fits[0]) === '' ? fits[0] : fits[fits.length - 1];
  const user = pick.user === '' ? undefined : pick.user;
  return { source: normalizeSource(pick.value), user };
}

function failure(service: string, kv: string, count: number, module?: string): AuthEvent {
  // sshd's pre-authentication child marks what it logs, PAM's lines included.
  if (service === 'sshd' && kv.endsWith(' [preauth]')) kv = kv.slice(0, -10);
  const { source, user } = pamFields(kv);
  // sshd logs every attempt itself (`Failed password ...`, with the method): its PAM lines repeat it.
  if (service === 'sshd') return { event: 'failure', service, user, source, reason: 'pam', count, scope: 'echo' };
  return { event: 'failure', service, user, source, reason: pamReason(service), count, scope: 'attempt', pamModule: module };
}

/** The PAM failure at the start of `msg` logged by `program` (`module` from an old `prog(pam_x)` tag). */
export function parsePam(program: string, msg: string, module?: string): AuthEvent | undefined {
  const c = msg.charCodeAt(0);
  let m: RegExpExecArray | null;
  if (c === 112 /* p */) {
    if ((m = AUTH_FAILURE.exec(msg))) return failure(serviceOf(m[2] ?? program), msg.slice(m[0].length), 1, m[1]);
    if ((m = OLD_AUTH_FAILURE.exec(msg))) return failure(serviceOf(program), msg.slice(m[0].length), 1, m[2]);
    if (program === 'unix_chkpwd' && (m = CHKPWD.exec(msg))) {
      // The helper pam_unix runs for callers that are not root: the caller's pam_unix line follows.
      return { event: 'failure', service: 'other', user: m[1], reason: 'pam', count: 1, scope: 'echo' };
    }
    return undefined;
  }
  if (c === 80 /* P */ && (m = MORE.exec(msg))) {
    const service = serviceOf(program);
    const e = failure(service, msg.slice(m[0].length), Number(m[1]));
    delete e.pamModule;
    return e;
  }
  if (c === 40 /* ( */ && (m = OLD_AUTH_FAILURE.exec(msg))) return failure(serviceOf(program), msg.slice(m[0].length), 1, m[1]);
  if (module !== undefined && module.startsWith('pam_')) {
    if (msg.startsWith('authentication failure; ')) return failure(serviceOf(program), msg.slice(24), 1, module);
    // `sshd(pam_unix)[19939]: 5 more authentication failures; ...` (Linux-PAM < 0.99.2)
    const more = OLD_MORE.exec(msg);
    if (more) {
      const e = failure(serviceOf(program), msg.slice(more[0].length), Number(more[1]));
      delete e.pamModule;
      return e;
    }
  }
  return undefined;
}
