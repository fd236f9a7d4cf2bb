// Syslog line headers as written by rsyslog/syslog-ng/journalctl into auth.log, secure, kern.log:
//   traditional      `Mar  3 10:00:00 host prog[pid]: msg`            (also `Mar 03 10:00:00.123456`, short-precise)
//   RFC 3339 / ISO   `2024-03-03T10:00:00.123456+01:00 host prog[pid]: msg` (rsyslog high precision)
//   journalctl       `2024-03-03T10:00:00+0100 host prog[pid]: msg`  (-o short-iso, older systemd: no colon)
//   busybox syslogd  `Mar  3 10:00:00 host authpriv.info sshd[123]: msg`
// with or without the host field, with an optional leading `<PRI>`. Pure: "now" is a parameter.

export interface SyslogHeader {
  /** Event time in ms since the epoch; undefined only if the date fields are out of range. */
  timestamp?: number;
  host?: string;
  /** The tag without pid: `sshd`, `sudo`, `kernel`, `sshd-session`. */
  program: string;
  pid?: string;
  /** Everything after `prog[pid]: `. */
  message: string;
  /** Offset of the message in the line (the firewall parser scans from there). */
  messageOffset: number;
}

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

const TRADITIONAL = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? /;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})? /;

const FACILITY_LEVEL = /^(?:auth|authpriv|kern|user|daemon|syslog|cron|local\d)\.(?:emerg|alert|crit|err|warn|warning|notice|info|debug)$/;

/** A line that is not this far in the future is this year; further, it was written last year. */
const FUTURE_SLACK_MS = 24 * 3600 * 1000;

// Building a Date is the costly part; consecutive lines share their timestamp text very often.
let cacheText = '';
let cacheNow = 0;
let cacheValue: number | undefined;

function fractionMs(frac: string | undefined): number {
  if (!frac) return 0;
  return Math.floor(Number((frac + '000').slice(0, 3)));
}

/**
 * A year-less timestamp is local time (the exporter's TZ must be the zone the log was written in)
 * in the current year, or the previous one if that would put it more than a day in the future
 * (a December line read in January).
 */
function traditionalTime(m: RegExpExecArray, now: number): number | undefined {
  const month = MONTHS[m[1]];
  if (month === undefined) return undefined;
  const day = Number(m[2]);
  const h = Number(m[3]);
  const min = Number(m[4]);
  const s = Number(m[5]);
  if (day < 1 || day > 31 || h > 23 || min > 59 || s > 60) return undefined;
  const ms = fractionMs(m[6]);
  const year = new Date(now).getFullYear();
  let t = new Date(year, month, day, h, min, s, ms).getTime();
  if (t > now + FUTURE_SLACK_MS) t = new Date(year - 1, month, day, h, min, s, ms).getTime();
  return t;
}

function isoTime(m: RegExpExecArray): number | undefined {
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  const d = Number(m[3]);
  const h = Number(m[4]);
  const min = Number(m[5]);
  const s = Number(m[6]);
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || min > 59 || s > 60) return undefined;
  const ms = fractionMs(m[7]);
  const zone = m[8];
  if (!zone) return new Date(y, mo, d, h, min, s, ms).getTime();
  let offsetMin = 0;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  return Date.UTC(y, mo, d, h, min, s, ms) - offsetMin * 60_000;
}

/** Parses the timestamp at the start of `line`; returns its value and the length it spans (with the space). */
export function parseSyslogTimestamp(line: string, now: number): { timestamp?: number; length: number } | undefined {
  const c = line.charCodeAt(0);
  const m = c >= 48 && c <= 57 ? ISO.exec(line) : TRADITIONAL.exec(line);
  if (!m) return undefined;
  const text = m[0];
  if (text !== cacheText || Math.abs(now - cacheNow) > 60_000) {
    cacheValue = c >= 48 && c <= 57 ? isoTime(m) : traditionalTime(m, now);
    cacheText = text;
    cacheNow = now;
  }
  return { timestamp: cacheValue, length: text.length };
}

/** `prog[pid]:` or `prog:` (the tag always ends with a colon). */
function parseTag(tok: string): { program: string; pid?: string } | undefined {
  if (tok.length < 2 || tok.charCodeAt(tok.length - 1) !== 58 /* : */) return undefined;
  const body = tok.slice(0, -1);
  const br = body.indexOf('[');
  if (br < 0) return { program: body };
  if (!body.endsWith(']') || br === 0) return undefined;
  return { program: body.slice(0, br), pid: body.slice(br + 1, -1) };
}

export function parseSyslog(line: string, now: number): SyslogHeader | undefined {
  let pos = 0;
  if (line.charCodeAt(0) === 60 /* < */) {
    const end = line.indexOf('>');
    if (end < 2 || end > 4) return undefined;
    pos = end + 1;
  }
  const rest = pos ? line.slice(pos) : line;
  const ts = parseSyslogTimestamp(rest, now);
  if (!ts || ts.timestamp === undefined) return undefined; // `Mar 99 25:99:99`: not a real header
  pos += ts.length;
  // First token: the tag when there is no host field, else the host.
  let sp = line.indexOf(' ', pos);
  if (sp < 0) return undefined;
  let tag = parseTag(line.slice(pos, sp));
  let host: string | undefined;
  if (!tag) {
    host = line.slice(pos, sp);
    if (host === '') return undefined;
    pos = sp + 1;
    sp = line.indexOf(' ', pos);
    let tok = sp < 0 ? line.slice(pos) : line.slice(pos, sp);
    // busybox syslogd (Alpine, OpenWrt) writes `facility.level` between host and tag.
    if (sp > 0 && FACILITY_LEVEL.test(tok)) {
      pos = sp + 1;
      sp = line.indexOf(' ', pos);
      tok = sp < 0 ? line.slice(pos) : line.slice(pos, sp);
    }
    tag = parseTag(tok);
    if (!tag) return undefined;
    if (sp < 0) sp = line.length;
  }
  const messageOffset = Math.min(sp + 1, line.length);
  return {
    timestamp: ts.timestamp,
    host,
    program: tag.program,
    pid: tag.pid,
    message: line.slice(messageOffset),
    messageOffset,
  };
}
