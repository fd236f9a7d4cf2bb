// sshd messages (OpenSSH 5.x to 9.x, sshd-session in >= 9.8), after fail2ban's filter.d/sshd.conf
// and Wazuh's sshd rules. Attacker-controlled text (the user name, the client's disconnect
// message) must not move the source: every pattern that has a user name before the address
// anchors on the END of the message, where sshd writes `from <addr> port <n> ssh2`, and a greedy
// `(.*)` for the user makes the LAST such occurrence win. Patterns whose attacker text comes after
// the address take the first token after a fixed sshd prefix.
import type { AuthEvent } from './event.js';
import { methodOf } from './labels.js';

const FAILED = /^Failed (\S+) for (invalid user )?(.*) from (\S+) port (\d+)(?: ssh\d?)?(?:: .*)?$/;
const ACCEPTED = /^Accepted (\S+) for (.*) from (\S+) port (\d+)(?: ssh\d?)?(?:: .*)?$/;
const INVALID_USER = /^(?:Invalid|Illegal) user (.*) from (\S+?)(?: port \d+)?$/;
const PREAUTH_USER = /^(?:Connection (?:closed|reset) by|Disconnected from) (?:invalid|authenticating) user (.*) (\S+) port \d+ \[preauth\]$/;
// OpenSSH < 5.9 had no [preauth] marker and no port: `Connection closed by 1.2.3.4`.
const PREAUTH_NO_USER = /^(?:Connection (?:closed|reset) by|Disconnected from) (\S+?)(?:(?: port \d+)? \[preauth\])?$/;
const RECEIVED_DISCONNECT = /^Received disconnect from (\S+) port \d+:(\d+): (.*)$/;
const RECEIVED_DISCONNECT_OLD = /^Received disconnect from (\S+): (\d+): (.*)$/;
const MAX_ATTEMPTS = /^maximum authentication attempts exceeded for (invalid user )?(.*) from (\S+) port \d+(?: ssh\d?)?(?: \[preauth\])?$/;
const TOO_MANY = /^Disconnecting (?:invalid|authenticating) user (.*) (\S+) port \d+: Too many authentication failures(?: \[preauth\])?$/;
const TOO_MANY_OLD = /^Disconnecting: Too many authentication failures(?: for (invalid user )?(.*?))?(?: \[preauth\])?$/;
const NOT_ALLOWED = /^User (.*) from (\S+) not allowed because .+$/;
const ROOT_REFUSED = /^ROOT LOGIN REFUSED FROM (\S+?)(?: port \d+)?(?: \[preauth\])?$/;
const NEGOTIATE = /^Unable to negotiate with (\S+?)(?: port \d+)?: no matching /;
const NO_IDENT = /^Did not receive identification string from (\S+?)(?: port \d+)?$/;
const BAD_VERSION = /^Bad protocol version identification .* from (\S+?)(?: port \d+)?$/;
const BANNER = /^banner exchange: Connection from (\S+) port \d+: /;
const TIMEOUT = /^Timeout before authentication for (\S+?)(?: port \d+)?$/;
const PAM_ERROR = /^PAM: (?:Authentication failure|User not known to the underlying authentication module) for (?:illegal user )?(.*) from (\S+)$/;

function ev(e: Omit<AuthEvent, 'service' | 'count'>): AuthEvent {
  return { service: 'sshd', count: 1, ...e };
}

export function parseSshd(msg: string): AuthEvent | undefined {
  // `error: ` / `fatal: ` prefixes vary by version for the same event.
  if (msg.startsWith('error: ')) msg = msg.slice(7);
  else if (msg.startsWith('fatal: ')) msg = msg.slice(7);
  let m: RegExpExecArray | null;
  switch (msg.charCodeAt(0)) {
    case 70: // F
      if ((m = FAILED.exec(msg))) {
        const method = methodOf(m[1]);
        const invalid = m[2] !== undefined;
        // A rejected key or the `none` probe is what any client with several keys does before its
        // good one: it counts at most once per connection.
        const perConnection = method === 'publickey' || method === 'none';
        return ev({
          event: 'failure',
          user: m[3],
          source: m[4],
          method,
          reason: invalid ? 'invalid_user' : method,
          scope: perConnection ? 'session' : 'attempt',
        });
      }
      return undefined;
    case 65: // A
      if ((m = ACCEPTED.exec(msg))) return ev({ event: 'success', user: m[2], source: m[3], method: methodOf(m[1]) });
      return undefined;
    case 73: // I
      if ((m = INVALID_USER.exec(msg))) return ev({ event: 'invalid_user', user: m[1], source: m[2], reason: 'invalid_user', scope: 'mark' });
      return undefined;
    case 67: // C
    case 68: // D
      if ((m = PREAUTH_USER.exec(msg))) return ev({ event: 'failure', user: m[1], source: m[2], reason: 'preauth_disconnect', scope: 'session' });
      if ((m = PREAUTH_NO_USER.exec(msg))) return ev({ event: 'info', source: m[1], reason: 'preauth_disconnect', scope: 'end' });
      if ((m = TOO_MANY.exec(msg))) return ev({ event: 'failure', user: m[1], source: m[2], reason: 'max_attempts', scope: 'session' });
      if ((m = TOO_MANY_OLD.exec(msg))) return ev({ event: 'failure', user: m[2], reason: 'max_attempts', scope: 'session' });
      if ((m = NO_IDENT.exec(msg))) return ev({ event: 'failure', source: m[1], reason: 'no_identification' });
      return undefined;
    case 82: // R
      if ((m = RECEIVED_DISCONNECT.exec(msg) ?? RECEIVED_DISCONNECT_OLD.exec(msg))) {
        const text = m[3];
        if (!text.endsWith('[preauth]')) return undefined; // a logged-in user leaving
        // Code 3 with "Auth fail": the client (e.g. JSch) tells it gave up after failing.
        if (m[2] === '3' && text.includes('Auth fail')) {
          return ev({ event: 'failure', source: m[1], reason: 'preauth_disconnect', scope: 'session' });
        }
        return ev({ event: 'info', source: m[1], reason: 'preauth_disconnect', scope: 'end' });
      }
      if ((m = ROOT_REFUSED.exec(msg))) return ev({ event: 'failure', user: 'root', source: m[1], reason: 'root_refused', scope: 'session' });
      return undefined;
    case 109: // m
      if ((m = MAX_ATTEMPTS.exec(msg))) return ev({ event: 'failure', user: m[2], source: m[3], reason: 'max_attempts', scope: 'session' });
      return undefined;
    case 85: // U
      if ((m = NOT_ALLOWED.exec(msg))) return ev({ event: 'failure', user: m[1], source: m[2], reason: 'not_allowed', scope: 'session' });
      if ((m = NEGOTIATE.exec(msg))) return ev({ event: 'failure', source: m[1], reason: 'negotiation' });
      return undefined;
    case 66: // B
      if ((m = BAD_VERSION.exec(msg))) return ev({ event: 'failure', source: m[1], reason: 'no_identification' });
      return undefined;
    case 98: // b
      if ((m = BANNER.exec(msg))) return ev({ event: 'failure', source: m[1], reason: 'no_identification' });
      return undefined;
    case 84: // T
      if ((m = TIMEOUT.exec(msg))) return ev({ event: 'info', source: m[1], reason: 'preauth_disconnect', scope: 'end' });
      return undefined;
    case 80: // P
      // The same attempt as sshd's own `Failed keyboard-interactive/pam` line: informational.
      if ((m = PAM_ERROR.exec(msg))) return ev({ event: 'info', user: m[1], source: m[2], reason: 'pam' });
      return undefined;
    default:
      return undefined;
  }
}
