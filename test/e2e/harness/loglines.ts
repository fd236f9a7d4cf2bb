// Log lines as real systems write them, stamped with the current time (detection windows count from
// the line timestamps), and a writer that appends them the way a daemon does: one write per line.
import { appendFile } from 'node:fs/promises';

/** rsyslog's high-precision timestamp (RFC 3339 with offset): no time-zone guessing by the parser. */
export function rfc3339(d = new Date()): string {
  return d.toISOString().replace('Z', '+00:00');
}

/** nginx $time_local, in UTC. */
export function timeLocal(d = new Date()): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** OpenSSH's line for a failed password (Debian auth.log via rsyslog). */
export function sshdFailedPassword(source: string, user: string, port: number, d = new Date()): string {
  return `${rfc3339(d)} e2e-host sshd[${2000 + (port % 1000)}]: Failed password for ${user} from ${source} port ${port} ssh2`;
}

/** OpenSSH's line for an unknown account, written before that connection's failures. */
export function sshdInvalidUser(source: string, user: string, port: number, d = new Date()): string {
  return `${rfc3339(d)} e2e-host sshd[${2000 + (port % 1000)}]: Invalid user ${user} from ${source} port ${port}`;
}

/** OpenSSH's failure line for an unknown account (same connection as its `Invalid user` line). */
export function sshdFailedPasswordInvalidUser(source: string, user: string, port: number, d = new Date()): string {
  return `${rfc3339(d)} e2e-host sshd[${2000 + (port % 1000)}]: Failed password for invalid user ${user} from ${source} port ${port} ssh2`;
}

/** sudo's line for a command run (a success). */
export function sudoCommand(user: string, command: string, d = new Date()): string {
  return `${rfc3339(d)} e2e-host sudo:   ${user} : TTY=pts/0 ; PWD=/home/${user} ; USER=root ; COMMAND=${command}`;
}

/** PAM's line for a failed sudo password (Debian auth.log). */
export function sudoPamFailure(user: string, pid: number, d = new Date()): string {
  return `${rfc3339(d)} e2e-host sudo[${pid}]: pam_unix(sudo:auth): authentication failure; logname=${user} uid=1000 euid=0 tty=/dev/pts/1 ruser=${user} rhost=  user=${user}`;
}

/** An accepted login, a line the brute-force detection must not count. */
export function sshdAccepted(source: string, user: string, port: number, d = new Date()): string {
  return `${rfc3339(d)} e2e-host sshd[${3000 + (port % 1000)}]: Accepted publickey for ${user} from ${source} port ${port} ssh2: ED25519 SHA256:Jp8pOc3fXc4Qy1rCq0e0Zt1d6x6mZbq1nqYw0vC0e0A`;
}

/** UFW's kernel line for a blocked inbound TCP SYN (kern.log via rsyslog). */
export function ufwBlock(source: string, dport: number, d = new Date()): string {
  return (
    `${rfc3339(d)} e2e-host kernel: [ 8123.456789] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 ` +
    `SRC=${source} DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=49 ID=54321 PROTO=TCP SPT=${40000 + (dport % 20000)} DPT=${dport} ` +
    `WINDOW=1024 RES=0x00 SYN URGP=0`
  );
}

/** nginx access line in ACCESS_FORMAT (combined + $request_time). */
export function accessLine(
  opts: { path: string; status: number; method?: string; bytes?: number; seconds?: number; source?: string },
  d = new Date(),
): string {
  const { path, status, method = 'GET', bytes = 512, seconds = 0.042, source = '198.51.100.23' } = opts;
  return `${source} - - [${timeLocal(d)}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "-" "Mozilla/5.0 (X11; Linux x86_64) e2e" ${seconds.toFixed(3)}`;
}

/** A clamd.log line: ctime-style date, " -> ", message. */
export function clamdLog(message: string, d = new Date()): string {
  const [wd, , mon] = d.toUTCString().split(' ');
  const p = (n: number) => String(n).padStart(2, '0');
  return `${wd.replace(',', '')} ${mon} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()} -> ${message}`;
}

/** clamd's detection line. */
export function clamavFound(file: string, signature: string, d = new Date()): string {
  return clamdLog(`${file}: ${signature} FOUND`, d);
}

/** Appends lines one write each (as syslog daemons do), so the tailer sees them arrive over time. */
export async function appendLines(file: string, lines: string[]): Promise<void> {
  for (const l of lines) await appendFile(file, `${l}\n`);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Appends `perSecond` lines per second (in 4 batches a second) until `stop` says so. Used for the
 * traffic scenario: the rate is what the alert is about, so it is paced by wall time on purpose.
 */
export async function appendAtRate(file: string, perSecond: number, makeLine: (i: number) => string, stop: () => boolean): Promise<number> {
  let i = 0;
  const start = Date.now();
  while (!stop()) {
    const due = Math.floor(((Date.now() - start) / 1000) * perSecond) + Math.ceil(perSecond / 4);
    const batch: string[] = [];
    while (i < due) batch.push(makeLine(i++));
    if (batch.length) await appendFile(file, `${batch.join('\n')}\n`);
    await delay(250);
  }
  return i;
}
