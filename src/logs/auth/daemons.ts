// Network daemons other than sshd, from their sources and binaries:
//   dropbear (2022.83 svr-auth*.c, svr-session.c; older releases wrote `from <addr>` in more lines)
//   vsftpd   `[user] FAIL LOGIN: Client "1.2.3.4"[, "reason"]` (vsf_log_line; in its own log or syslog)
//   xinetd   `FAIL: telnet address from=1.2.3.4`
//   libwrap  `refused connect from user@host (1.2.3.4)` in the log of any daemon built with tcp_wrappers
//   macOS screensharingd `Authentication: FAILED :: User Name: x :: Viewer Address: 1.2.3.4 :: Type: DH`
// Client text (a user name the daemon did not look up, a reason) is read from fixed positions: the
// address is at a fixed distance from the end, after text only the daemon writes.
import type { AuthEvent } from './event.js';
import { normalizeSource, withoutPort } from './source.js';

const DROPBEAR_BAD = /^(?:Bad|bad) (?:PAM )?password attempt for '([^']*)' from (\S+)$/;
const DROPBEAR_BAD_SIG = /^Pubkey auth bad signature for '([^']*)' with key \S+ from (\S+)$/;
const DROPBEAR_NONEXISTENT = /^(?:Login|login) attempt for nonexistent user(?: from (\S+))?$/;
// 2022.83 `Exit before auth from <1.2.3.4:5555>: (user 'root', 10 fails): Max auth tries reached - user 'root'`;
// before 2020 `Exit before auth (user 'root', 10 fails): Max auth tries reached - user 'root' from 1.2.3.4:5555`.
const DROPBEAR_EXIT = /^Exit before auth(?: from <([^>]+)>)?:? (?:\(user '([^']*)', (\d+) fails\): )?(.*)$/;
const DROPBEAR_OK =
  /^(?:PAM password|Password|Pubkey) auth succeeded for '([^']*)' (?:with \S+ key \S+ )?from (\S+?)(?:, extra auth required)?$/;
const DROPBEAR_CHILD = /^Child connection from (\S+)$/;
const DROPBEAR_REJECTED =
  /^(?:User '([^']*)' has invalid shell, rejected|User account '([^']*)' is locked|root login rejected|Login attempt with wrong user (\S+)|Logins are restricted to the group \S+ but user '([^']*)' is not a member)$/;
// The user is client text: the last `] FAIL LOGIN: Client "` before the end is vsftpd's.
const VSFTPD = /^\[(.*)\] (OK|FAIL) LOGIN: Client "([^"]+)"(?:, "[^"]*")?$/;
const XINETD = /^FAIL: \S+ (?:address|libwrap) from=(\S+)$/;
const LIBWRAP = /^refused connect from (.+?)(?: \(([^()\s]+)\))?$/;
const SCREENSHARING = /^Authentication: (FAILED|SUCCEEDED) :: User Name: (.*) :: Viewer Address: (\S+) :: Type: \S+$/;

function dropbear(e: Omit<AuthEvent, 'service' | 'count'>): AuthEvent {
  return { service: 'dropbear', count: 1, ...e };
}

function dropbearExit(m: RegExpExecArray): AuthEvent {
  const exitmsg = m[4];
  // Before 2020 the address came last: `... Max auth tries reached - user 'root' from 1.2.3.4:60588`.
  const old = / from (\S+)$/.exec(exitmsg);
  const source = m[1] !== undefined ? withoutPort(m[1]) : old ? withoutPort(old[1]) : undefined;
  const user = m[2];
  if (exitmsg.startsWith('Max auth tries reached'))
    return dropbear({ event: 'failure', user, source, reason: 'max_attempts', scope: 'session' });
  if (exitmsg.startsWith('Timeout before auth')) return dropbear({ event: 'failure', user, source, reason: 'timeout', scope: 'session' });
  if (exitmsg.startsWith('No matching algo')) return dropbear({ event: 'failure', source, reason: 'negotiation', scope: 'session' });
  // A user was named and not authenticated, like sshd's `Connection closed by authenticating user`.
  if (user !== undefined) return dropbear({ event: 'failure', user, source, reason: 'preauth_disconnect', scope: 'session' });
  return dropbear({ event: 'info', source, reason: 'preauth_disconnect', scope: 'end' });
}

export function parseDropbear(msg: string): AuthEvent | undefined {
  let m = DROPBEAR_BAD.exec(msg);
  if (m)
    return dropbear({ event: 'failure', user: m[1], source: withoutPort(m[2]), method: 'password', reason: 'password', scope: 'attempt' });
  if ((m = DROPBEAR_EXIT.exec(msg))) return dropbearExit(m);
  if ((m = DROPBEAR_NONEXISTENT.exec(msg))) {
    const source = m[1] === undefined ? undefined : withoutPort(m[1]);
    return dropbear({ event: 'failure', source, reason: 'invalid_user', scope: 'session' });
  }
  if ((m = DROPBEAR_CHILD.exec(msg))) return dropbear({ event: 'info', source: withoutPort(m[1]), scope: 'connect' });
  if ((m = DROPBEAR_OK.exec(msg))) {
    return dropbear({
      event: 'success',
      user: m[1],
      source: withoutPort(m[2]),
      method: msg.startsWith('Pubkey') ? 'publickey' : 'password',
    });
  }
  if ((m = DROPBEAR_BAD_SIG.exec(msg)))
    return dropbear({
      event: 'failure',
      user: m[1],
      source: withoutPort(m[2]),
      method: 'publickey',
      reason: 'publickey',
      scope: 'session',
    });
  if ((m = DROPBEAR_REJECTED.exec(msg))) {
    const user = m[1] ?? m[2] ?? m[3] ?? m[4] ?? (msg.startsWith('root') ? 'root' : undefined);
    return dropbear({ event: 'failure', user, reason: 'not_allowed', scope: 'session' });
  }
  return undefined;
}

export function parseVsftpd(msg: string): AuthEvent | undefined {
  const m = VSFTPD.exec(msg);
  if (!m) return undefined;
  const source = normalizeSource(m[3]);
  if (m[2] === 'OK') return { event: 'success', service: 'vsftpd', user: m[1], source, method: 'password', count: 1 };
  return { event: 'failure', service: 'vsftpd', user: m[1], source, reason: 'password', count: 1, scope: 'attempt' };
}

export function parseXinetd(msg: string): AuthEvent | undefined {
  const m = XINETD.exec(msg);
  return m ? { event: 'failure', service: 'other', source: normalizeSource(m[1]), reason: 'refused_connect', count: 1 } : undefined;
}

/** tcp_wrappers' refusal, logged by whichever daemon links libwrap (`service` is that daemon's). */
export function parseLibwrap(service: string, msg: string): AuthEvent | undefined {
  const m = LIBWRAP.exec(msg);
  if (!m) return undefined;
  // `user@host (addr)` (Debian's libwrap adds the address); else `[user@]host`, the user from identd.
  const raw = m[2] ?? m[1].slice(m[1].lastIndexOf('@') + 1);
  return { event: 'failure', service, source: normalizeSource(raw), reason: 'refused_connect', count: 1 };
}

export function parseScreensharing(msg: string): AuthEvent | undefined {
  const m = SCREENSHARING.exec(msg);
  if (!m) return undefined;
  const source = normalizeSource(m[3]);
  if (m[1] === 'SUCCEEDED') return { event: 'success', service: 'other', user: m[2], source, method: 'password', count: 1 };
  return { event: 'failure', service: 'other', user: m[2], source, reason: 'password', count: 1, scope: 'attempt' };
}
