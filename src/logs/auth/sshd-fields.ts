// The two shapes in which sshd (OpenSSH 5.x to 10.x) puts the client's address after text the
// client chose, read from fixed positions:
//
// auth_log():       `<verb> <method> for [invalid user ]<user> from <addr> port <n> ssh2[: <extra>]`
//   The user (up to 100 characters) comes before the address. Only some methods log an `extra`
//   after it, and it can hold client text too (hostbased `client user "..."`, a certificate's key
//   ID): for the others (password, keyboard-interactive, none) the address is the last
//   ` from <addr> port <n> ssh2` and it ends the message, whatever the user name holds. For
//   publickey, hostbased and gssapi the address is the first one followed by ': ' and an extra of
//   the method's shape (sshd cuts a user name at its first ':', a BSD auth style `user:style`, so
//   the name cannot hold that ': '), else the last one that ends the message. OpenSSH < 5.x and
//   fail2ban-era lines may lack `ssh2` or the port.
//
// remote_id:        `[invalid user <user> |authenticating user <user> |user <user> ]<addr> port <n>`
//   (sshpkt_fmt_connection_id) ends at a fixed terminator (the end of the message, ` [preauth]`, or
//   `: ` then a fixed reason); the address is the token before its final ` port <n>`.
import { normalizeSource } from './source.js';

export interface UserFromAddr {
  user: string;
  invalid: boolean;
  source?: string;
  /** Text after `ssh2: ` (key type and fingerprint, hostbased client), '' when none. */
  extra: string;
}

const PORT_SSH = /^ port \d+(?: ssh\d*)?/;
const PORT_ONLY = /^ port \d+$/;

interface Candidate {
  /** Index of ` from `. */
  at: number;
  addr: string;
  /** Index after `port <n> ssh2`. */
  end: number;
  port: boolean;
}

/** The address after ` from ` at `at`, and the index after the `port <n> ssh2` that follows it. */
function afterAddress(text: string, at: number): Candidate {
  let sp = text.indexOf(' ', at + 6);
  if (sp < 0) sp = text.length;
  const addr = text.slice(at + 6, sp);
  if (!text.startsWith(' port ', sp)) return { at, addr, end: sp, port: false };
  const m = PORT_SSH.exec(text.slice(sp, sp + 24));
  return { at, addr, end: m ? sp + m[0].length : sp, port: m !== null };
}

/** `TYPE FINGERPRINT`, or a certificate's `TYPE FP ID <key id> (serial N) CA TYPE FP`, then `, <info>`. */
const KEY_EXTRA = /^[\w@.-]+ \S+(?: ID .* \(serial \d+\) CA [\w@.-]+ \S+)?(?:, .*)?$/;

/** The `extra` each method can log; undefined: the method logs none. */
function extraShape(method: string): RegExp | undefined {
  if (method === 'publickey' || method === 'hostbased') return KEY_EXTRA;
  if (method.startsWith('gssapi')) return /^\S/;
  return undefined;
}

/**
 * Parses `[invalid user ]<user> from <addr>...` (the text after `for `), for the sshd method named
 * before it; undefined if no address.
 */
export function userFromAddr(text: string, method = 'password'): UserFromAddr | undefined {
  const shape = extraShape(method);
  let invalid = false;
  let start = 0;
  if (text.startsWith('invalid user ')) {
    invalid = true;
    start = 13;
  } else if (text.startsWith('illegal user ')) {
    invalid = true;
    start = 13;
  }
  // Candidates by whether they have a port (a version that logs the port logs it for the real
  // address, so portless ones are then text): the first followed by an extra of the method's
  // shape, the last that ends the text, the first followed by any extra.
  const keyed: (Candidate | undefined)[] = [undefined, undefined];
  const atEnd: (Candidate | undefined)[] = [undefined, undefined];
  const anyExtra: (Candidate | undefined)[] = [undefined, undefined];
  for (let i = text.indexOf(' from ', start - 1); i >= 0; i = text.indexOf(' from ', i + 1)) {
    const c = afterAddress(text, i);
    if (c.addr === '') continue;
    const k = c.port ? 1 : 0;
    if (c.end === text.length) atEnd[k] = c;
    else if (text.charCodeAt(c.end) === 58 && text.charCodeAt(c.end + 1) === 32) {
      if (!anyExtra[k]) anyExtra[k] = c;
      if (!keyed[k] && shape && shape.test(text.slice(c.end + 2))) keyed[k] = c;
    }
  }
  const k = atEnd[1] || keyed[1] || anyExtra[1] ? 1 : 0;
  const c = keyed[k] ?? atEnd[k] ?? anyExtra[k];
  if (!c) return undefined;
  return {
    user: text.slice(start, Math.max(start, c.at)),
    invalid,
    source: normalizeSource(c.addr),
    extra: c === atEnd[k] ? '' : text.slice(c.end + 2),
  };
}

export interface RemoteId {
  /** `invalid`, `authenticating`, `user` (logged in), or undefined when no user was named yet. */
  preamble?: 'invalid' | 'authenticating' | 'user';
  user?: string;
  source?: string;
}

/** Parses a whole remote_id (`[... user <u> ]<addr> port <n>`); undefined when it is not one. */
export function remoteId(text: string): RemoteId | undefined {
  const p = text.lastIndexOf(' port ');
  if (p <= 0 || !PORT_ONLY.test(text.slice(p))) {
    // OpenSSH < 5.9: the address alone, `Connection closed by 1.2.3.4`.
    return text !== '' && text.indexOf(' ') < 0 ? { source: normalizeSource(text) } : undefined;
  }
  const sp = text.lastIndexOf(' ', p - 1);
  const source = normalizeSource(text.slice(sp + 1, p));
  if (sp < 0) return { source };
  const pre = text.slice(0, sp);
  let preamble: RemoteId['preamble'];
  let userAt: number;
  if (pre.startsWith('invalid user ')) {
    preamble = 'invalid';
    userAt = 13;
  } else if (pre.startsWith('authenticating user ')) {
    preamble = 'authenticating';
    userAt = 20;
  } else if (pre.startsWith('user ')) {
    preamble = 'user';
    userAt = 5;
  } else if (pre === 'invalid user' || pre === 'authenticating user') {
    // An empty user name: `Connection closed by invalid user  192.0.2.68 port 34916`.
    return { preamble: pre === 'invalid user' ? 'invalid' : 'authenticating', user: '', source };
  } else {
    return undefined;
  }
  return { preamble, user: pre.slice(userAt), source };
}

/**
 * `<remote_id>: <reason>` where the reason starts with `reason`: a reason without client text
 * (`Too many authentication failures`) is anchored at the end, one that holds client text (the
 * service names of `Change of username or service not allowed: (a,b) -> (c,d)`) at its first
 * occurrence (sshd cuts user names at ':', so the remote_id cannot hold ': ' + the reason).
 */
export function remoteIdWithReason(text: string, reason: string, exact: boolean): RemoteId | undefined {
  const sep = `: ${reason}`;
  let c: number;
  if (exact) {
    if (!text.endsWith(sep)) return undefined;
    c = text.length - sep.length;
  } else {
    c = text.indexOf(sep);
    if (c < 0) return undefined;
  }
  return remoteId(text.slice(0, c));
}
