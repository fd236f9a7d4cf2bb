// Pure parsing of auth.log / secure / journal lines into auth events (see event.ts). The syslog
// header gives the program, and the program decides which grammar reads its message: sshd's
// (sshd.ts), the local programs' (local.ts), other daemons' (daemons.ts), and Linux-PAM's
// (pam.ts), which any program's messages can hold. Every grammar is anchored at the start of the
// message, so text a client wrote inside one program's message is never read by another's grammar.
//
// Counting policy for one attempt logged twice: PAM's pam_unix logs the FIRST failure of a PAM
// handle as `pam_unix(svc:auth): authentication failure` and the others at pam_end as
// `PAM <n> more authentication failures`, so PAM lines count each attempt exactly once. For sudo,
// su, login and every other PAM service they are therefore the authority, and the service's own
// summary (`3 incorrect password attempts`, `FAILED SU`, `FAILED LOGIN`) repeats them (scope
// echo). For sshd it is the other way round: sshd logs every attempt itself (`Failed password ...`,
// with the real source and the method), so its PAM lines are the echo.
import { parseSyslog } from '../security/syslog.js';
import { parseAuditMessage, parseAuditRecord } from './audit.js';
import { parseDropbear, parseLibwrap, parseScreensharing, parseVsftpd, parseXinetd } from './daemons.js';
import type { AuthEvent, ParsedAuthLine } from './event.js';
import { serviceOf } from './labels.js';
import { parseDoas, parseLogin, parseSu, parseSudo } from './local.js';
import { parsePam } from './pam.js';
import { parseSshd } from './sshd.js';

export type { AuthEvent, ParsedAuthLine } from './event.js';

const REPEATED = /^message repeated (\d+) times: \[ ?(.*)\]$/;
/** Dovecot writes its processes' messages after their name: `auth-worker(2001): `, `auth: `. */
const DOVECOT_PROCESS = /^[a-z][a-z-]*(?:\(\d+\))?: /;

/** The grammar of a program's own messages (after PAM's, which any program can log). */
function byProgram(program: string, msg: string): AuthEvent | undefined {
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
    case 'doas':
      return parseDoas(msg);
    case 'dropbear':
      return parseDropbear(msg);
    case 'vsftpd':
      return parseVsftpd(msg);
    case 'dovecot': {
      const p = DOVECOT_PROCESS.exec(msg);
      return p ? parsePam(program, msg.slice(p[0].length)) : undefined;
    }
    default:
      if (program === 'xinetd') return parseXinetd(msg);
      if (program === 'screensharingd') return parseScreensharing(msg);
      if (program === 'audit' || program === 'kernel') return parseAuditMessage(program, msg)?.event;
      return undefined;
  }
}

/** The auth event in a syslog message from `program`, or undefined. */
export function parseAuthMessage(program: string, msg: string, module?: string): AuthEvent | undefined {
  const c = msg.charCodeAt(0);
  // rsyslog's repeated-message reduction (on by default on Ubuntu) folds identical lines.
  if (c === 109 /* m */) {
    const rep = REPEATED.exec(msg);
    if (rep) {
      const inner = parseAuthMessage(program, rep[2], module);
      if (inner) inner.count *= Number(rep[1]);
      return inner;
    }
  }
  if (c === 112 /* p */ || c === 80 /* P */ || c === 40 /* ( */ || module !== undefined) {
    const pam = parsePam(program, msg, module);
    if (pam) return pam;
  }
  const own = byProgram(program, msg);
  if (own) return own;
  // tcp_wrappers' refusal, in the log of whichever daemon links libwrap.
  if (c === 114 /* r */) return parseLibwrap(serviceOf(program), msg);
  return undefined;
}

/** Parses a whole line (a log header, or an audit.log record); undefined when it has none (unparsed). */
export function parseAuthLine(line: string, now: number): ParsedAuthLine | undefined {
  if (line.startsWith('type=')) return parseAuditRecord(line);
  const h = parseSyslog(line, now);
  // Without a stamp, only `[host] prog[pid]:` (journal entries rendered by fail2ban) is a header:
  // `java.lang.Exception: boom` is not.
  if (!h || (h.format === 'unstamped' && h.pid === undefined)) return undefined;
  return { timestamp: h.timestamp, host: h.host, program: h.program, pid: h.pid, event: parseAuthMessage(h.program, h.message, h.module) };
}
