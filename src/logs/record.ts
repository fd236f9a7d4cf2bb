// A log record: an entry whose header fields a source gives apart from the message (the journal),
// the same fields a syslog header holds in a file line. Handlers that read syslog take it as is
// (processRecord); the others get the line a syslog daemon would have written to a file for it.

export interface LogRecord {
  /** Event time in ms since the epoch. */
  timestamp?: number;
  host?: string;
  /** The identifier (the syslog tag without pid): `sshd`, `sudo`, `kernel`. */
  program: string;
  pid?: string;
  /** How the entry reached the journal (journald's _TRANSPORT: kernel, syslog, journal, stdout...). */
  transport?: string;
  message: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * The record as rsyslog's RSYSLOG_FileFormat writes it (the default of Ubuntu 24.04 and later):
 * `2024-03-03T10:00:00.123456+01:00 host prog[pid]: message`, the time in the local zone.
 */
export function syslogLine(rec: LogRecord): string {
  const tag = rec.pid === undefined ? rec.program : `${rec.program}[${rec.pid}]`;
  const head = `${rec.host ?? 'localhost'} ${tag}: ${rec.message}`;
  if (rec.timestamp === undefined || !Number.isFinite(rec.timestamp)) return head;
  const ms = Math.floor(rec.timestamp);
  const d = new Date(ms);
  const micros = (ms % 1000) * 1000 + Math.min(999, Math.round((rec.timestamp - ms) * 1000));
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`;
  return `${date}T${time}${zone} ${head}`;
}
