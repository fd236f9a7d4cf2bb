// sshd's messages (OpenSSH 5.x to 10.x: sshd, sshd-session >= 9.8, sshd-auth >= 10.0; SunSSH; the
// macOS build), from the format strings of auth.c, auth2.c, auth-pam.c, kex.c, packet.c, sshd.c and
// sshd-session.c. Every grammar is anchored at the start of the message and reads the address from
// a fixed position (see sshd-fields.ts), never from a search through text the client chose.
//
// How each line counts is its scope (see event.ts): a `Failed` line is one attempt; per-connection
// verdicts (too many failures, not allowed, pre-auth disconnects naming a user, probes) count once
// per connection, and nothing after the connection's attempts were counted.
import type { AuthEvent } from './event.js';
import { methodOf } from './labels.js';
import { normalizeSource } from './source.js';
import { remoteId, remoteIdWithReason, userFromAddr } from './sshd-fields.js';

/** Completes an event literal (in place: this runs on most lines). */
function ev(e: Omit<AuthEvent, 'service' | 'count'>): AuthEvent {
  const a = e as AuthEvent;
  a.service = 'sshd';
  a.count = 1;
  return a;
}

const MAX_ATTEMPTS = 'maximum authentication attempts exceeded for ';
const INVALID_USER = /^(?:Invalid|Illegal) user (.*) from (\S+?)(?: port \d+)?$/;
const NOT_ALLOWED = /^User (\S*) from (\S+) not allowed because /;
const NOT_ALLOWED_NO_FROM = /^User (\S*) not allowed because /;
const ROOT_REFUSED = /^ROOT LOGIN REFUSED FROM (\S+?)(?: port \d+)?$/;
const NEGOTIATE = /^Unable to negotiate with (\S+?)(?: port \d+)?: no matching /;
const NO_IDENT = /^Did not receive identification string from (\S+?)(?: port \d+)?$/;
const BAD_VERSION = /^Bad protocol version identification '.*' from (\S+?)(?: port \d+)?$/;
const MAJOR_VERSIONS = /^Protocol major versions differ for (\S+?)(?: port \d+)?: /;
const BANNER = /^banner exchange: Connection from (.+): (?:invalid format|[a-z][\w ,()-]*)$/;
const PROBED = /^(?:probed|scanned) from (\S+?)(?: port \d+)? with .*\. {1,2}Don't panic\.$/;
const TIMEOUT_OWN = /^Timeout before authentication for (\S+?)(?: port \d+)?$/;
const TIMEOUT_LISTENER = /^Timeout before authentication for connection from (\S+) to \S+, pid = (\d+)/;
const RECEIVED_DISCONNECT = /^Received disconnect from (\S+) port \d+:(\d+): (.*)$/;
const RECEIVED_DISCONNECT_OLD = /^Received disconnect from (\S+): (\d+): (.*)$/;
/** A distribution patch's VERBOSE lines (`SSH: Server;Ltype: Version;Remote: 1.2.3.4-5555;...`). */
const LTYPE = /^SSH: Server;Ltype: \w+;Remote: (\S+?)-\d+;/;
const CONNECTION_FROM = /^Connection from (\S+) port \d+(?: on \S+ port \d+)?(?: rdomain "[^"]*")?$/;
const DROP = /^drop connection #\d+ from (\[[^\]]+\]):\d+ on \[[^\]]+\]:\d+ (.*)$/;
const PAM_ERROR =
  /^PAM: (?:[Aa]uthentication (?:failure|error)|User not known to the underlying authentication module) for (illegal user )?(.*) from (\S+?)(?: via \S+)?$/;
const TOO_MANY_OLD = /^(?:Disconnecting: )?Too many authentication failures(?: for (invalid user |illegal user )?(.*?))?$/;
const KEX_IDENT =
  /^kex_exchange_identification: (?:client sent invalid protocol identifier|Connection closed by remote host|read: Connection reset by peer)/;
/** OpenSSH < 7.x: a broken packet before authentication (the address is on the connection's other lines). */
const BAD_PACKET = /^Bad packet length \d+\.$/;
const OLD_NO_MATCH = /^(?:Unable to negotiate a [\w ]+|no matching [\w ]+ found: )/;
/** ssherr.c messages that mean the client broke the protocol (dispatch errors before authentication). */
const PROTOCOL_ERROR =
  /: ((?:message authentication code incorrect|invalid format|incomplete message|Connection corrupted|invalid argument|string is too large|integer overflow|bignum is (?:negative|too large)|unexpected internal error|unknown or unsupported key type|invalid length|error in libcrypto|Bad packet length \d+|Corrupted MAC on input)\.?)$/;

/** `Failed`/`Accepted`/`Postponed` lines: `<method> for ...` after the verb. */
function authLog(verb: string, rest: string): AuthEvent | undefined {
  const sp = rest.indexOf(' ');
  if (sp <= 0 || !rest.startsWith(' for ', sp)) return undefined;
  const sshdMethod = rest.slice(0, sp);
  const method = methodOf(sshdMethod);
  const f = userFromAddr(rest.slice(sp + 5), sshdMethod);
  if (!f) return undefined;
  const { user, source } = f;
  if (verb === 'Accepted') return ev({ event: 'success', user, source, method });
  if (verb === 'Postponed') {
    // A probe naming an account that does not exist, before its first real attempt.
    return f.invalid ? ev({ event: 'failure', user, source, method, reason: 'invalid_user', scope: 'session' }) : undefined;
  }
  // A rejected key or the `none` probe is what any client with several keys does before its good
  // one: for an existing account it counts only if the connection ends without a login, and at
  // most once per connection.
  if (method === 'publickey' || method === 'none') {
    if (!f.invalid) return ev({ event: 'info', user, source, method, reason: method, scope: 'tentative' });
    return ev({ event: 'failure', user, source, method, reason: 'invalid_user', scope: 'session' });
  }
  return ev({ event: 'failure', user, source, method, reason: f.invalid ? 'invalid_user' : method, scope: 'attempt' });
}

/** `Connection closed by`, `Connection reset by`, `Disconnected from` + remote_id. */
function preauthClose(id: string): AuthEvent | undefined {
  const r = remoteId(id);
  if (!r) return undefined;
  if (r.preamble === 'invalid' || r.preamble === 'authenticating') {
    return ev({ event: 'failure', user: r.user, source: r.source, reason: 'preauth_disconnect', scope: 'session' });
  }
  // No user named yet (OpenSSH < 5.9 had no [preauth] marker): a scanner, or a client that gave up;
  // a failure only for a connection already marked invalid (see the handler). After login: nothing.
  if (r.preamble === undefined) return ev({ event: 'info', source: r.source, reason: 'preauth_disconnect', scope: 'end' });
  return undefined;
}

/** `Disconnecting <remote_id>: <reason>` (ssh_packet_disconnect). */
function disconnecting(rest: string): AuthEvent | undefined {
  let id = remoteIdWithReason(rest, 'Too many authentication failures', true);
  if (id) return ev({ event: 'failure', user: id.user, source: id.source, reason: 'max_attempts', scope: 'session' });
  id = remoteIdWithReason(rest, 'Change of username or service not allowed: (', false);
  if (id) return ev({ event: 'failure', user: id.user, source: id.source, reason: 'protocol', scope: 'session' });
  return undefined;
}

function receivedDisconnect(m: RegExpExecArray, preauth: boolean): AuthEvent | undefined {
  const source = normalizeSource(m[1]);
  const text = m[3];
  // Code 3 with "Auth fail": the client (e.g. JSch) tells it gave up after failing (old versions
  // log it without [preauth]); code 14: it had no method the server accepts (a password bot on a
  // key-only server).
  if (
    (m[2] === '3' && /: Auth fail$/.test(text)) ||
    (preauth && m[2] === '14' && /^No (?:supported |more user )?authentication methods available/.test(text))
  ) {
    return ev({ event: 'failure', source, reason: 'preauth_disconnect', scope: 'session' });
  }
  if (!preauth) return undefined; // a logged-in user leaving
  return ev({ event: 'info', source, reason: 'preauth_disconnect', scope: 'end' });
}

/** `ssh_dispatch_run_fatal: Connection from <remote_id>: <ssh error>` before authentication. */
function dispatchFatal(rest: string, preauth: boolean): AuthEvent | undefined {
  const m = PROTOCOL_ERROR.exec(rest);
  if (!m) return undefined;
  const id = remoteIdWithReason(rest, m[1], true);
  if (!id || id.preamble === 'user' || !(preauth || id.preamble !== undefined)) return undefined;
  return ev({ event: 'failure', user: id.user, source: id.source, reason: 'protocol', scope: 'session' });
}

function byFirstLetter(msg: string, preauth: boolean): AuthEvent | undefined {
  let m: RegExpExecArray | null;
  switch (msg.charCodeAt(0)) {
    case 70: // F
      return msg.startsWith('Failed ') ? authLog('Failed', msg.slice(7)) : undefined;
    case 65: // A
      return msg.startsWith('Accepted ') ? authLog('Accepted', msg.slice(9)) : undefined;
    case 80: // P
      if (msg.startsWith('Postponed ')) return authLog('Postponed', msg.slice(10));
      // The same attempt as sshd's own `Failed ...` line (UsePAM).
      if ((m = PAM_ERROR.exec(msg)))
        return ev({ event: 'failure', user: m[2], source: normalizeSource(m[3]), reason: 'pam', scope: 'echo' });
      if ((m = MAJOR_VERSIONS.exec(msg)))
        return ev({ event: 'failure', source: normalizeSource(m[1]), reason: 'no_identification', scope: 'session' });
      return undefined;
    case 73: // I
      if ((m = INVALID_USER.exec(msg)))
        return ev({ event: 'invalid_user', user: m[1], source: normalizeSource(m[2]), reason: 'invalid_user', scope: 'mark' });
      return undefined;
    case 67: // C
      if (preauth && msg === 'Corrupted MAC on input.') return ev({ event: 'failure', reason: 'protocol', scope: 'session' });
      if (msg.startsWith('Connection closed by ')) return preauthClose(msg.slice(21));
      if (msg.startsWith('Connection reset by ')) return preauthClose(msg.slice(20));
      if ((m = CONNECTION_FROM.exec(msg))) return ev({ event: 'info', source: normalizeSource(m[1]), scope: 'connect' });
      return undefined;
    case 68: // D
      if (msg.startsWith('Disconnected from ')) return preauthClose(msg.slice(18));
      if (msg.startsWith('Disconnecting: ') && (m = TOO_MANY_OLD.exec(msg))) {
        return ev({ event: 'failure', user: m[2], reason: 'max_attempts', scope: 'session' });
      }
      if (msg.startsWith('Disconnecting ')) return disconnecting(msg.slice(14));
      if ((m = NO_IDENT.exec(msg)))
        return ev({ event: 'failure', source: normalizeSource(m[1]), reason: 'no_identification', scope: 'session' });
      return undefined;
    case 82: // R
      if ((m = RECEIVED_DISCONNECT.exec(msg) ?? RECEIVED_DISCONNECT_OLD.exec(msg))) return receivedDisconnect(m, preauth);
      if ((m = ROOT_REFUSED.exec(msg)))
        return ev({ event: 'failure', user: 'root', source: normalizeSource(m[1]), reason: 'root_refused', scope: 'session' });
      // OpenSSH < 6.x: a client dropping the connection before authenticating.
      if (preauth && msg === 'Read from socket failed: Connection reset by peer')
        return ev({ event: 'info', reason: 'preauth_disconnect', scope: 'end' });
      return undefined;
    case 87: // W
      if (preauth && msg === 'Write failed: Connection reset by peer')
        return ev({ event: 'info', reason: 'preauth_disconnect', scope: 'end' });
      return undefined;
    case 85: // U
      if ((m = NOT_ALLOWED.exec(msg)))
        return ev({ event: 'failure', user: m[1], source: normalizeSource(m[2]), reason: 'not_allowed', scope: 'session' });
      if ((m = NOT_ALLOWED_NO_FROM.exec(msg))) return ev({ event: 'failure', user: m[1], reason: 'not_allowed', scope: 'session' });
      if ((m = NEGOTIATE.exec(msg)))
        return ev({ event: 'failure', source: normalizeSource(m[1]), reason: 'negotiation', scope: 'session' });
      if (OLD_NO_MATCH.test(msg)) return ev({ event: 'failure', reason: 'negotiation', scope: 'session' });
      return undefined;
    case 109: // m
      if (msg.startsWith(MAX_ATTEMPTS)) {
        const f = userFromAddr(msg.slice(MAX_ATTEMPTS.length));
        return f && ev({ event: 'failure', user: f.user, source: f.source, reason: 'max_attempts', scope: 'session' });
      }
      return undefined;
    case 84: // T
      if ((m = TIMEOUT_LISTENER.exec(msg))) {
        return ev({ event: 'failure', source: normalizeSource(m[1]), reason: 'timeout', scope: 'session', connection: m[2] });
      }
      if ((m = TIMEOUT_OWN.exec(msg))) return ev({ event: 'failure', source: normalizeSource(m[1]), reason: 'timeout', scope: 'session' });
      if ((m = TOO_MANY_OLD.exec(msg))) return ev({ event: 'failure', user: m[2], reason: 'max_attempts', scope: 'session' });
      return undefined;
    case 66: // B
      if ((m = BAD_VERSION.exec(msg)))
        return ev({ event: 'failure', source: normalizeSource(m[1]), reason: 'no_identification', scope: 'session' });
      if (preauth && BAD_PACKET.test(msg)) return ev({ event: 'failure', reason: 'protocol', scope: 'session' });
      return undefined;
    case 98: // b
      if ((m = BANNER.exec(msg))) {
        const id = remoteId(m[1]);
        return id && ev({ event: 'failure', source: id.source, reason: 'no_identification', scope: 'session' });
      }
      return undefined;
    case 107: // k
      // The line after it names the address (`banner exchange: Connection from`, `Connection closed by`).
      if (KEX_IDENT.test(msg)) return ev({ event: 'failure', reason: 'no_identification', scope: 'session' });
      return undefined;
    case 110: // n
      if (OLD_NO_MATCH.test(msg)) return ev({ event: 'failure', reason: 'negotiation', scope: 'session' });
      return undefined;
    case 112: // p
      if ((m = PROBED.exec(msg)))
        return ev({ event: 'failure', source: normalizeSource(m[1]), reason: 'no_identification', scope: 'session' });
      return undefined;
    case 83: // S
      if ((m = LTYPE.exec(msg))) return ev({ event: 'info', source: normalizeSource(m[1]), scope: 'connect' });
      return undefined;
    case 115: // s
      if (msg.startsWith('ssh_dispatch_run_fatal: Connection from ')) return dispatchFatal(msg.slice(40), preauth);
      if ((m = PROBED.exec(msg)))
        return ev({ event: 'failure', source: normalizeSource(m[1]), reason: 'no_identification', scope: 'session' });
      return undefined;
    case 100: // d
      if ((m = DROP.exec(msg))) {
        const source = normalizeSource(m[1]);
        // PerSourcePenalties (OpenSSH >= 9.8) refusing a source that failed before; MaxStartups
        // drops are load, not a signal about the source.
        if (m[2].startsWith('penalty: ')) return ev({ event: 'failure', source, reason: 'penalty' });
        return ev({ event: 'info', source });
      }
      return undefined;
    default:
      return undefined;
  }
}

export function parseSshd(msg: string): AuthEvent | undefined {
  // `error: ` / `fatal: ` prefixes vary by version for the same event; the privilege-separated
  // pre-authentication child appends ` [preauth]` to everything it logs.
  if (msg.startsWith('error: ') || msg.startsWith('fatal: ')) msg = msg.slice(7);
  if (msg.charCodeAt(msg.length - 1) === 32) msg = msg.trimEnd();
  const preauth = msg.endsWith(' [preauth]');
  if (preauth) msg = msg.slice(0, -10);
  return byFirstLetter(msg, preauth);
}
