// Pure parsing of auth.log / secure / journal lines into auth events (see event.ts). The syslog
// header gives the program; sshd has its own module, PAM, sudo, su and login are here.
//
// Counting policy for one attempt logged twice: PAM's pam_unix logs the FIRST failure of a PAM
// handle as `pam_unix(svc:auth): authentication failure` and the others at pam_end as
// `PAM <n> more authentication failures`, so PAM lines count each attempt exactly once. For sudo,
// su, login and every other PAM service they are therefore the authority, and the service's own
// summary (`3 incorrect password attempts`, `FAILED SU`, `FAILED LOGIN`) is informational (it
// repeats attempts PAM already logged). For sshd it is the other way round: sshd logs every
// attempt itself (`Failed password ...`, with the real source and the method), so its PAM lines
// are informational.
import { parseSyslog } from '../security/syslog.js';
import type { AuthEvent } from './event.js';
import { serviceOf } from './labels.js';
import { parseSshd } from './sshd.js';

export type { AuthEvent } from './event.js';

export interface ParsedAuthLine {
  timestamp?: number;
  host?: string;
  program: string;
  pid?: string;
  /** undefined: a syslog line that is not an authentication event (session opened, cron...). */
  event?: AuthEvent;
}

const PAM_AUTH_FAILURE = /(?:^|: )(pam_[\w-]+)\(([^:()\s]+):auth\): authentication failure; (.*)$/;
const PAM_MORE = /^PAM (\d+) more authentication failures?; (.*)$/;
const REPEATED = /^message repeated (\d+) times: \[ ?(.*)\]$/;
const SUDO = /^\s*(\S+) : (.*)$/;
const SUDO_INCORRECT = /^(\d+) incorrect password attempts?$/;
const SU_FAILED = /^FAILED SU \(to (\S+)\) (\S+) on /;
const SU_OK = /^\(to (\S+)\) (\S+) on /;
const SU_OK_SHADOW = /^Successful su for (\S+) by (\S+)$/;
const SU_FAILED_SHADOW = /^FAILED su for (\S+) by (\S+)$/;
// shadow-utils: `FAILED LOGIN (1) on '/dev/tty1' FOR 'root', Authentication failure`;
// util-linux: `FAILED LOGIN 1 FROM tty1 FOR root, Authentication failure`.
const LOGIN_FAILED = /^FAILED LOGIN \(?\d+\)? (?:on '[^']*'|FROM \S+) FOR '?(.*?)'?, /;
// shadow-utils `ROOT LOGIN  on '/dev/tty1'`; util-linux `ROOT LOGIN ON tty1`, `LOGIN ON tty1 BY alice`.
const LOGIN_OK = /^(?:ROOT LOGIN {1,2}(?:on|ON) |LOGIN ON \S+ BY (\S+))/;

/** The reason of a PAM failure, by service. */
function pamReason(service: string): string {
  if (service === 'sudo') return 'sudo_password';
  if (service === 'su') return 'su';
  if (service === 'login') return 'login';
  return 'pam';
}

/** `logname=x uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root`: rhost and user (user is last). */
function pamFields(kv: string): { source?: string; user?: string } {
  let source: string | undefined;
  let user: string | undefined;
  const r = kv.indexOf('rhost=');
  let from = 0;
  if (r >= 0) {
    const end = kv.indexOf(' ', r + 6);
    const v = end < 0 ? kv.slice(r + 6) : kv.slice(r + 6, end);
    if (v !== '') source = v;
    from = end < 0 ? kv.length : end;
  }
  const u = kv.indexOf(' user=', from);
  if (u >= 0) user = kv.slice(u + 6);
  return { source, user };
}

function parsePam(program: string, msg: string): AuthEvent | undefined {
  let m = PAM_AUTH_FAILURE.exec(msg);
  if (m) {
    const service = serviceOf(m[2]);
    const { source, user } = pamFields(m[3]);
    if (service === 'sshd') return { event: 'info', service, user, source, reason: 'pam', count: 1 };
    return { event: 'failure', service, user, source, reason: pamReason(service), count: 1, scope: 'attempt', pamModule: m[1] };
  }
  if ((m = PAM_MORE.exec(msg))) {
    const service = serviceOf(program);
    const { source, user } = pamFields(m[2]);
    const count = Number(m[1]);
    if (service === 'sshd') return { event: 'info', service, user, source, reason: 'pam', count };
    return { event: 'failure', service, user, source, reason: pamReason(service), count, scope: 'attempt' };
  }
  return undefined;
}

function parseSudo(msg: string): AuthEvent | undefined {
  const m = SUDO.exec(msg);
  if (!m) return undefined;
  const user = m[1];
  const fields = m[2].split(' ; ');
  const first = fields[0];
  const inc = SUDO_INCORRECT.exec(first);
  if (inc) return { event: 'info', service: 'sudo', user, reason: 'sudo_password', count: Number(inc[1]) };
  if (first === 'user NOT in sudoers' || first === 'user NOT authorized on host' || first === 'command not allowed') {
    return { event: 'failure', service: 'sudo', user, reason: 'not_in_sudoers', count: 1, scope: 'attempt' };
  }
  if (/^[A-Z]+=/.test(first) && fields.some((f) => f.startsWith('COMMAND='))) {
    return { event: 'success', service: 'sudo', user, method: 'sudo', count: 1 };
  }
  return undefined;
}

function parseSu(msg: string): AuthEvent | undefined {
  let m = SU_OK.exec(msg) ?? SU_OK_SHADOW.exec(msg);
  if (m) return { event: 'success', service: 'su', user: m[1], method: 'su', count: 1 };
  if ((m = SU_FAILED.exec(msg) ?? SU_FAILED_SHADOW.exec(msg))) return { event: 'info', service: 'su', user: m[1], reason: 'su', count: 1 };
  return undefined;
}

function parseLogin(msg: string): AuthEvent | undefined {
  let m = LOGIN_FAILED.exec(msg);
  if (m) return { event: 'info', service: 'login', user: m[1], reason: 'login', count: 1 };
  if ((m = LOGIN_OK.exec(msg))) return { event: 'success', service: 'login', user: m[1] ?? 'root', method: 'password', count: 1 };
  return undefined;
}

/** The auth event in a syslog message from `program`, or undefined. */
export function parseAuthMessage(program: string, msg: string): AuthEvent | undefined {
  // rsyslog's repeated-message reduction (on by default on Ubuntu) folds identical lines.
  const rep = msg.charCodeAt(0) === 109 /* m */ ? REPEATED.exec(msg) : null;
  if (rep) {
    const inner = parseAuthMessage(program, rep[2]);
    if (inner) inner.count *= Number(rep[1]);
    return inner;
  }
  if (msg.includes('pam_') || msg.startsWith('PAM ')) {
    const pam = parsePam(program, msg);
    if (pam) return pam;
  }
  const service = serviceOf(program);
  switch (service) {
    case 'sshd':
      return parseSshd(msg);
    case 'sudo':
      return parseSudo(msg);
    case 'su':
      return parseSu(msg);
    case 'login':
      return parseLogin(msg);
    default:
      return undefined;
  }
}

/** Parses a whole line; undefined when it has no syslog header (counted as unparsed). */
export function parseAuthLine(line: string, now: number): ParsedAuthLine | undefined {
  const h = parseSyslog(line, now);
  if (!h) return undefined;
  return { timestamp: h.timestamp, host: h.host, program: h.program, pid: h.pid, event: parseAuthMessage(h.program, h.message) };
}
