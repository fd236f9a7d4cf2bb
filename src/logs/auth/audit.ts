// Linux audit user-space records of logins (what PAM and sshd send to auditd), as auditd writes
// them to audit.log, as journald shows them, and as the kernel echoes them:
//   type=USER_AUTH msg=audit(1373129280.000:9): pid=1277 uid=0 auid=4294967295 ses=4294967295 subj=... msg='op=PAM:authentication grantors=? acct="root" exe="/usr/sbin/sshd" hostname=1.2.3.4 addr=1.2.3.4 terminal=ssh res=failed'
//   audit[1277]: USER_AUTH pid=1277 uid=0 ... msg='op=password acct="dan" exe="/usr/sbin/sshd" hostname=? addr=192.168.3.100 terminal=ssh res=failed'
//   kernel: audit: type=1100 audit(1373129280.000:9): pid=1277 ... msg='...'
// The kernel and libaudit write a value a client chose (acct, hostname) in hex when it holds a
// space, a quote or a control character (audit_log_untrustedstring), so the fields are read by name.
//   USER_AUTH res=failed   an authentication attempt failed (op=PAM:authentication, password, pubkey)
//   USER_ERR res=failed    PAM could not even identify the user (op=PAM:bad_ident): per connection
//   USER_LOGIN res=failed  the end of a failed login, after its attempts: repeats them
import type { AuthEvent, ParsedAuthLine } from './event.js';
import { serviceOf } from './labels.js';
import { normalizeSource } from './source.js';

const RECORD = /^type=(USER_AUTH|USER_ERR|USER_LOGIN|1100|1109|1112) (?:msg=)?audit\((\d+)\.(\d{3}):\d+\): (.*)$/;
const JOURNAL = /^(USER_AUTH|USER_ERR|USER_LOGIN) (.*)$/;
const FIELD = /(?:^|[ '])(pid|op|acct|exe|hostname|addr|res)=("[^"]*"|[^\s']+)/g;
const TYPES: Record<string, string> = { '1100': 'USER_AUTH', '1109': 'USER_ERR', '1112': 'USER_LOGIN' };

function value(raw: string): string {
  if (raw.charCodeAt(0) === 34 /* " */) return raw.slice(1, -1);
  // Unquoted: `?`, a number, an address, or the hex of a string holding a special character.
  if (raw.length % 2 === 0 && /^[0-9A-F]{2,}$/.test(raw)) return Buffer.from(raw, 'hex').toString('utf8');
  return raw;
}

function fields(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of body.matchAll(FIELD)) out[m[1]] ??= value(m[2]);
  return out;
}

/** The event of a USER_AUTH/USER_ERR/USER_LOGIN record body (`pid=... msg='...'`). */
export function auditEvent(type: string, body: string): { event?: AuthEvent; pid?: string } {
  const f = fields(body);
  if (f.res !== 'failed' && f.res !== 'failure') return { pid: f.pid };
  const exe = f.exe ?? '';
  const service = serviceOf(exe.slice(exe.lastIndexOf('/') + 1));
  // sshd's placeholders for a name it will not log: `(invalid user)`, `(unknown user)`.
  const user = f.acct === undefined || f.acct === '?' || /^\(.*\)$/.test(f.acct) ? undefined : f.acct;
  const host = f.addr !== undefined && f.addr !== '?' ? f.addr : f.hostname !== undefined && f.hostname !== '?' ? f.hostname : undefined;
  const source = host === undefined ? undefined : normalizeSource(host);
  const reason = f.op === 'pubkey' ? 'publickey' : f.op === 'password' ? 'password' : 'pam';
  const event: AuthEvent = { event: 'failure', service, user, source, reason, count: 1 };
  if (type === 'USER_AUTH') event.scope = f.op === 'pubkey' ? 'session' : 'attempt';
  else if (type === 'USER_ERR') event.scope = 'session';
  else event.scope = 'echo';
  return { event, pid: f.pid };
}

/** An audit.log record line, or undefined when the line is not one of the records above. */
export function parseAuditRecord(line: string): ParsedAuthLine | undefined {
  const m = RECORD.exec(line);
  if (!m) return undefined;
  const type = TYPES[m[1]] ?? m[1];
  const { event, pid } = auditEvent(type, m[4]);
  return { timestamp: Number(m[2]) * 1000 + Number(m[3]), program: 'audit', pid, event };
}

/** A record inside a syslog message: journald's `USER_AUTH pid=...`, the kernel's `audit: type=1100 ...`. */
export function parseAuditMessage(program: string, msg: string): { event?: AuthEvent; pid?: string } | undefined {
  if (program === 'audit') {
    const j = JOURNAL.exec(msg);
    return j ? auditEvent(j[1], j[2]) : undefined;
  }
  if (program === 'kernel' && msg.startsWith('audit: ')) {
    const r = RECORD.exec(msg.slice(7));
    return r ? auditEvent(TYPES[r[1]] ?? r[1], r[4]) : undefined;
  }
  return undefined;
}
