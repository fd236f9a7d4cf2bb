// The header in front of a log message: time, host, program and pid, as every common writer lays it
// out (the stamps themselves are in syslog-time.ts):
//   RFC 3164            `Mar  3 10:00:00 host sshd[123]: msg` (rsyslog RSYSLOG_TraditionalFileFormat,
//                       syslog-ng, sysklogd), with an RFC 3339 stamp (RSYSLOG_FileFormat, Ubuntu >= 24.04),
//                       with or without the host, `<PRI>` first (RSYSLOG_*ForwardFormat), the tag as
//                       `prog[pid]:`, `prog:`, `prog[pid]`, `[prog]:` or `[prog]`
//   RFC 5424            `<38>1 2024-03-03T10:00:00Z host sshd 123 - [id k="v"] msg`, also without
//                       `<PRI>` and the version (sysklogd -5, collectors writing to files, socklog)
//   journalctl          -o short, short-precise, short-iso(-precise), short-full, short-unix,
//                       short-monotonic, short-delta, with-unit
//   BSD syslogd -v/-vv  `Mar  3 10:00:00 <4.6> host sshd[123]: msg`, `<auth.info>`
//   busybox / OpenWrt   `Mar  3 10:00:00 host authpriv.info sshd[123]: msg`,
//                       `Sun Mar  3 10:00:00 2024 authpriv.info dropbear[123]: msg` (logread)
//   Solaris / illumos   `... sshd[123]: [ID 800047 auth.info] msg`
//   macOS log show      `2024-03-03 10:00:00.123456-0800  localhost sshd[123]: (libpam.2.dylib) msg`
//   socklog + svlogd    `@400000006b0d0209318dd444 auth.info: Mar  3 10:00:00 sshd[123]: msg`,
//                       `2024-03-03_10:00:00.12345 auth.info: ...` (the inner header without a host)
//   old Red Hat PAM     `Mar  3 10:00:00 host pop(pam_unix)[4920]: authentication failure; ...`
//   vsftpd.log          `Thu Sep  8 00:39:49 2016 [pid 15019] [guest] FAIL LOGIN: Client "1.2.3.4"`
//   no stamp            `host sshd[123]: msg` (fail2ban's rendering of journal entries)
// Pure: "now" is a parameter.
import { readStamp, type Stamp } from './syslog-time.js';

export type SyslogFormat = 'rfc3164' | 'rfc5424' | 'macos' | 'socklog' | 'vsftpd' | 'unstamped';

export interface SyslogHead {
  /** Event time in ms since the epoch; undefined when the line carries none (short-monotonic, no stamp). */
  timestamp?: number;
  host?: string;
  /** The tag without pid: `sshd`, `sudo`, `kernel`, `sshd-session`. */
  program: string;
  pid?: string;
  /** The module of an old Red Hat PAM tag, `pop(pam_unix)[4920]:` -> `pam_unix`. */
  module?: string;
  /** Offset of the message (the text the program wrote, after the tag and a Solaris `[ID n facility.level]`). */
  messageOffset: number;
  format: SyslogFormat;
}

export interface SyslogHeader extends SyslogHead {
  message: string;
}

export { readStamp } from './syslog-time.js';

/** Kept for callers that only need the stamp: its value and the length it spans (with the spaces). */
export function parseSyslogTimestamp(line: string, now: number): { timestamp?: number; length: number } | undefined {
  const s = readStamp(line, now);
  return s && { timestamp: s.valid ? s.timestamp : undefined, length: s.length };
}

const FACILITY_LEVEL =
  /^(?:auth|authpriv|kern|user|daemon|syslog|cron|mail|news|uucp|ftp|lpr|local\d|security|ntp|audit|console|clock|mark)\.(?:emerg|alert|crit|err|error|warn|warning|notice|info|debug|panic)$/;
/** BSD syslogd -v `<4.6>` / -vv `<auth.info>`. */
const BSD_VERBOSE = /^<[0-9a-z]+\.[0-9a-z]+>$/;
const SOLARIS_ID = /^\[ID \d+ [a-z0-9]+\.[a-z]+\] /;
/** The image that logged a macOS unified-log entry, when it is not the process: `(libpam.2.dylib) `. */
const MACOS_SENDER = /^\([^()\s]+\) /;
const PID = /^\d+$/;
/** vsftpd's own log (vsf_log_line): a ctime stamp, then `[pid N] `. */
const VSFTPD_PID = /^\[pid (\d+)\] /;

interface Located {
  host?: string;
  program: string;
  pid?: string;
  module?: string;
  /** Offset just after the tag. */
  end: number;
}

/**
 * The syslog tag in line[start, end): `prog[pid]:`, `prog:`, `[prog]:`, `prog(module)[pid]:`, or
 * without the colon only the bracketed forms `prog[pid]` and `[prog]` (a bare word is a host
 * name). Read by offsets: this runs on every line.
 */
function tagAt(line: string, start: number, end: number, host: string | undefined): Located | undefined {
  const colon = line.charCodeAt(end - 1) === 58; /* : */
  const bodyEnd = colon ? end - 1 : end;
  if (bodyEnd <= start) return undefined;
  const closes = line.charCodeAt(bodyEnd - 1) === 93; /* ] */
  if (line.charCodeAt(start) === 91 /* [ */) {
    // `[sshd]` (the program in brackets, no pid)
    const inner = line.indexOf('[', start + 1);
    if (bodyEnd - start < 3 || !closes || (inner >= 0 && inner < bodyEnd)) return undefined;
    return { host, program: line.slice(start + 1, bodyEnd - 1), end };
  }
  let br = line.indexOf('[', start);
  if (br >= bodyEnd) br = -1;
  let nameEnd = bodyEnd;
  let pid: string | undefined;
  if (br >= 0) {
    if (!closes) return undefined;
    pid = line.slice(br + 1, bodyEnd - 1);
    nameEnd = br;
    if (!colon && !PID.test(pid)) return undefined;
  } else if (!colon) {
    return undefined;
  }
  if (line.charCodeAt(nameEnd - 1) === 41 /* ) */) {
    const paren = line.indexOf('(', start);
    if (paren > start && paren < nameEnd) {
      return { host, program: line.slice(start, paren), pid, module: line.slice(paren + 1, nameEnd - 1), end };
    }
  }
  return { host, program: line.slice(start, nameEnd), pid, end };
}

/** The next space-delimited token at `pos`: [start, end). */
function tokenEnd(line: string, pos: number): number {
  const sp = line.indexOf(' ', pos);
  return sp < 0 ? line.length : sp;
}

/** `facility.level` (busybox, OpenWrt) in line[start, end). */
function isFacilityLevel(line: string, start: number, end: number): boolean {
  const c = line.charCodeAt(start);
  if (c < 97 || c > 122) return false; // a-z
  const dot = line.indexOf('.', start);
  return dot > start && dot < end && FACILITY_LEVEL.test(line.slice(start, end));
}

/**
 * `[<4.6>] [host] [facility.level] tag` from `pos`: the first token is the tag when it is one
 * (no host field), else the host.
 */
function locateTag(line: string, pos: number): Located | undefined {
  let end = tokenEnd(line, pos);
  if (end === pos) return undefined;
  if (line.charCodeAt(pos) === 60 /* < */ && BSD_VERBOSE.test(line.slice(pos, end))) {
    pos = end + 1;
    end = tokenEnd(line, pos);
  }
  const first = tagAt(line, pos, end, undefined);
  if (first) return first;
  let host: string | undefined;
  if (!isFacilityLevel(line, pos, end)) {
    if (end >= line.length) return undefined;
    host = line.slice(pos, end);
    pos = end + 1;
    end = tokenEnd(line, pos);
  }
  // busybox syslogd writes `facility.level` between the host and the tag, OpenWrt logread without a host.
  if (end < line.length && isFacilityLevel(line, pos, end)) {
    pos = end + 1;
    end = tokenEnd(line, pos);
  }
  return tagAt(line, pos, end, host);
}

/** Skips RFC 5424 structured data (`-` or `[id k="v"]...`, `\]` and `\"` escaped in values); -1 if malformed. */
function skipStructuredData(line: string, pos: number): number {
  if (line.charCodeAt(pos) === 45 /* - */) return pos + 1;
  let i = pos;
  while (line.charCodeAt(i) === 91 /* [ */) {
    let quoted = false;
    for (i++; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (quoted && c === 92 /* \ */) i++;
      else if (c === 34 /* " */) quoted = !quoted;
      else if (c === 93 /* ] */ && !quoted) break;
    }
    if (i >= line.length) return -1;
    i++;
  }
  return i === pos ? -1 : i;
}

/** `HOST APP-NAME PROCID MSGID SD [MSG]` from `pos` (after the stamp). */
function rfc5424Fields(line: string, pos: number): Located | undefined {
  const fields: string[] = [];
  for (let k = 0; k < 4; k++) {
    const end = tokenEnd(line, pos);
    if (end === pos || end >= line.length) return undefined;
    fields.push(line.slice(pos, end));
    pos = end + 1;
  }
  const sd = skipStructuredData(line, pos);
  if (sd < 0 || (sd < line.length && line.charCodeAt(sd) !== 32)) return undefined;
  const [host, app, procid] = fields;
  return { host: host === '-' ? undefined : host, program: app === '-' ? '' : app, pid: procid === '-' ? undefined : procid, end: sd };
}

function header(line: string, loc: Located, stamp: Stamp | undefined, format: SyslogFormat): SyslogHead {
  let start = loc.end;
  while (line.charCodeAt(start) === 32) start++;
  if (line.charCodeAt(start) === 0xfeff) start++; // RFC 5424 BOM before a UTF-8 message
  if (line.charCodeAt(start) === 91 /* [ */) {
    const id = SOLARIS_ID.exec(line.slice(start, start + 48));
    if (id) start += id[0].length;
  } else if (format === 'macos' && line.charCodeAt(start) === 40 /* ( */) {
    const sender = MACOS_SENDER.exec(line.slice(start, start + 128));
    if (sender) start += sender[0].length;
  }
  return {
    timestamp: stamp?.timestamp,
    host: loc.host,
    program: loc.program,
    pid: loc.pid,
    module: loc.module,
    messageOffset: start,
    format,
  };
}

/** After `[<PRI>][1 ]stamp`: RFC 5424 fields when versioned, else a tag, else RFC 5424 without version. */
function afterStamp(line: string, pos: number, stamp: Stamp | undefined, versioned: boolean, format: SyslogFormat): SyslogHead | undefined {
  if (versioned) {
    const loc = rfc5424Fields(line, pos);
    return loc && header(line, loc, stamp, 'rfc5424');
  }
  const loc = locateTag(line, pos);
  if (loc) return header(line, loc, stamp, format);
  if (stamp?.kind === 'iso' || stamp?.kind === 'svlogd') {
    const loc5424 = rfc5424Fields(line, pos);
    if (loc5424) return header(line, loc5424, stamp, 'rfc5424');
  }
  return undefined;
}

/** `[<PRI>][1 ]` at `pos`: the offset after them and whether the RFC 5424 version was there. */
function priAndVersion(line: string, pos: number): { pos: number; versioned: boolean } | undefined {
  if (line.charCodeAt(pos) === 60 /* < */) {
    const end = line.indexOf('>', pos);
    if (end < pos + 2 || end > pos + 4 || !PID.test(line.slice(pos + 1, end))) return undefined;
    pos = end + 1;
  }
  const versioned = line.charCodeAt(pos) === 49 /* 1 */ && line.charCodeAt(pos + 1) === 32;
  return { pos: versioned ? pos + 2 : pos, versioned };
}

/** socklog's `facility.level: ` banner then the header the sender wrote (the outer stamp wins). */
function socklog(line: string, pos: number, outer: Stamp | undefined, now: number): SyslogHead | undefined {
  const colon = line.indexOf(': ', pos);
  if (colon < 0 || !FACILITY_LEVEL.test(line.slice(pos, colon))) return undefined;
  const pv = priAndVersion(line, colon + 2);
  if (!pv) return undefined;
  pos = pv.pos;
  const inner = readStamp(line.slice(pos), now);
  if (inner && !inner.valid) return undefined;
  if (inner) pos += inner.length;
  return afterStamp(line, pos, outer ?? inner, pv.versioned, 'socklog');
}

/** The header of `line` without slicing out the message (for callers that only need its offset). */
export function locateSyslog(line: string, now: number): SyslogHead | undefined {
  const pv = priAndVersion(line, 0);
  if (!pv) return undefined;
  const rest = pv.pos ? line.slice(pv.pos) : line;
  const stamp = readStamp(rest, now);
  if (!stamp) {
    if (pv.pos > 0) return undefined;
    // socklog without svlogd, or a header without a stamp.
    return socklog(line, 0, undefined, now) ?? afterStamp(line, 0, undefined, false, 'unstamped');
  }
  if (!stamp.valid) return undefined; // `Mar 99 25:99:99`: not a real header
  const pos = pv.pos + stamp.length;
  if (stamp.kind === 'ctime' && !pv.versioned) {
    const v = VSFTPD_PID.exec(line.slice(pos, pos + 24));
    if (v) return header(line, { program: 'vsftpd', pid: v[1], end: pos + v[0].length }, stamp, 'vsftpd');
  }
  if (!pv.versioned && (stamp.kind === 'svlogd' || stamp.kind === 'tai64n')) {
    const s = socklog(line, pos, stamp, now);
    if (s) return s;
  }
  // macOS `log show --style syslog`: a space-separated ISO stamp with a zone, then two spaces.
  const macos = stamp.kind === 'iso' && stamp.zoned && line.charCodeAt(pv.pos + 10) === 32 && line.charCodeAt(pos - 2) === 32;
  return afterStamp(line, pos, stamp, pv.versioned, macos ? 'macos' : 'rfc3164');
}

export function parseSyslog(line: string, now: number): SyslogHeader | undefined {
  const h = locateSyslog(line, now) as SyslogHeader | undefined;
  if (h) h.message = line.slice(h.messageOffset);
  return h;
}
