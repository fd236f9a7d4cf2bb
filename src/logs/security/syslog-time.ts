// The timestamps that start a log line, as the programs that write log files print them:
//   RFC 3164          `Mar  3 10:00:00`, `Mar 03 10:00:00.123456` (journalctl short / short-precise)
//                     `Oct 27 2015 09:24:46` (a year after the day: macOS system.log exports, fail2ban)
//   RFC 3339 / ISO    `2024-03-03T10:00:00.123456+01:00` (rsyslog RSYSLOG_FileFormat, RFC 5424),
//                     `2024-03-03T10:00:00+0100` (journalctl short-iso), `2024-03-03 10:00:00` (space)
//   macOS log show    `2024-03-03 10:00:00.123456-0800` followed by two spaces (--style syslog)
//   journalctl        `Sun 2024-03-03 10:00:00 CET` (short-full), `1709460000.123456` (short-unix),
//                     `[60000.123456]` and `[60000.123456 <    0.000100 >]` (short-monotonic/-delta: no
//                     wall clock)
//   ctime             `Sun Mar  3 10:00:00 2024` (vsftpd.log, OpenWrt logread, dmesg -T)
//   svlogd            `2024-03-03_10:00:00.12345` (-tt, UTC), `2024-03-03T10:00:00.12345` (-ttt, UTC),
//                     `@400000006b0d0209318dd444` (-t, TAI64N)
// Pure: "now" is a parameter (a year-less stamp takes the year that puts it at most a day ahead).

export type StampKind = 'rfc3164' | 'iso' | 'journal-full' | 'unix' | 'monotonic' | 'ctime' | 'svlogd' | 'tai64n';

export interface Stamp {
  kind: StampKind;
  /** ms since the epoch; undefined when the format has no wall-clock time (short-monotonic). */
  timestamp?: number;
  /** Length of the stamp with the spaces after it. */
  length: number;
  /** False when the fields are out of range (`Mar 99 25:99:99`): the line has no valid header. */
  valid: boolean;
  /** ISO stamp with a zone or an explicit UTC format (not local time). */
  zoned: boolean;
}

/** Month abbreviations (C locale) to 0-11. */
export const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const TRADITIONAL = /^([A-Z][a-z]{2}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? +/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})([T _])(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)? +/;
const UNIX = /^(\d{9,11})\.(\d{1,9}) +/;
const JOURNAL_FULL = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (\S+) +/;
const CTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) +/;
const MONOTONIC = /^\[ *\d+\.\d+(?: +(?:<[ \d.]+>)?)?\] +/;
const TAI64N = /^@40000000([0-9a-f]{8})([0-9a-f]{8}) +/;
/** svlogd -ttt writes UTC without a zone, then socklog's `facility.level: ` banner. */
const BANNER_AHEAD = /^[a-z]+\.[a-z]+: /;

/** A line that is not this far in the future is this year; further, it was written last year. */
const FUTURE_SLACK_MS = 24 * 3600 * 1000;
/** daemontools' TAI64 labels are 2^62 + 10 + Unix seconds (TAI was 10 s ahead in 1970). */
const TAI_OFFSET_S = 10;

function fractionMs(frac: string | undefined): number {
  if (!frac) return 0;
  return Math.floor(Number((frac + '000').slice(0, 3)));
}

function inRange(mo: number, d: number, h: number, min: number, s: number): boolean {
  return mo >= 0 && mo <= 11 && d >= 1 && d <= 31 && h <= 23 && min <= 59 && s <= 60;
}

/**
 * Local time (the exporter's TZ must be the zone the log was written in). Without a year: the
 * current one, or the previous one if that would put the line more than a day in the future (a
 * December line read in January).
 */
function localTime(year: number | undefined, mo: number, d: number, h: number, min: number, s: number, ms: number, now: number): number {
  if (year !== undefined) return new Date(year, mo, d, h, min, s, ms).getTime();
  const y = new Date(now).getFullYear();
  const t = new Date(y, mo, d, h, min, s, ms).getTime();
  return t > now + FUTURE_SLACK_MS ? new Date(y - 1, mo, d, h, min, s, ms).getTime() : t;
}

/** `Z`, `+01:00`, `+0100`, `+03`, `UTC`, `GMT` as minutes east of UTC; undefined for a zone name. */
function zoneOffset(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'UTC' || zone === 'GMT') return 0;
  const c = zone.charCodeAt(0);
  if (c !== 43 && c !== 45) return undefined; // + -
  const digits = zone.slice(1).replace(':', '');
  if (!/^\d{2}(\d{2})?$/.test(digits)) return undefined;
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
  return c === 45 ? -minutes : minutes;
}

/** Date fields to a time: UTC shifted by `offsetMin`, or local time without one; undefined when out of range. */
function fieldsTime(
  y: number,
  mo: number,
  d: number,
  h: number,
  min: number,
  s: number,
  ms: number,
  offsetMin: number | undefined,
): number | undefined {
  if (!inRange(mo, d, h, min, s)) return undefined;
  if (offsetMin === undefined) return new Date(y, mo, d, h, min, s, ms).getTime();
  return Date.UTC(y, mo, d, h, min, s, ms) - offsetMin * 60_000;
}

// Building a Date is the costly part; consecutive lines share their timestamp text very often.
let cacheText = '';
let cacheNow = 0;
let cacheStamp: Stamp | undefined;

function traditional(m: RegExpExecArray, now: number): Stamp {
  const mo = MONTHS[m[1]] ?? -1;
  const d = Number(m[2]);
  const h = Number(m[4]);
  const min = Number(m[5]);
  const s = Number(m[6]);
  const valid = inRange(mo, d, h, min, s);
  const year = m[3] === undefined ? undefined : Number(m[3]);
  const timestamp = valid ? localTime(year, mo, d, h, min, s, fractionMs(m[7]), now) : undefined;
  return { kind: 'rfc3164', timestamp, length: m[0].length, valid, zoned: false };
}

function iso(m: RegExpExecArray, rest: string): Stamp {
  const svlogd = m[4] === '_';
  // svlogd stamps are UTC: `_` (-tt), or `T` without a zone before socklog's banner (-ttt).
  const utc = svlogd || (m[9] === undefined && m[4] === 'T' && BANNER_AHEAD.test(rest.slice(m[0].length)));
  const offset = m[9] !== undefined ? zoneOffset(m[9]) : utc ? 0 : undefined;
  const timestamp = fieldsTime(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[5]),
    Number(m[6]),
    Number(m[7]),
    fractionMs(m[8]),
    offset,
  );
  return { kind: utc ? 'svlogd' : 'iso', timestamp, length: m[0].length, valid: timestamp !== undefined, zoned: offset !== undefined };
}

function journalFull(m: RegExpExecArray): Stamp {
  // A zone abbreviation (CET, EST) is the writer's local zone: without a table of abbreviations,
  // read it as local time; UTC/GMT and numeric zones (`+03`) are exact.
  const offset = zoneOffset(m[8]);
  const timestamp = fieldsTime(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    fractionMs(m[7]),
    offset,
  );
  return { kind: 'journal-full', timestamp, length: m[0].length, valid: timestamp !== undefined, zoned: offset !== undefined };
}

function ctime(m: RegExpExecArray): Stamp {
  const timestamp = fieldsTime(Number(m[6]), MONTHS[m[1]] ?? -1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0, undefined);
  return { kind: 'ctime', timestamp, length: m[0].length, valid: timestamp !== undefined, zoned: false };
}

function parseUncached(text: string, now: number): Stamp | undefined {
  const c = text.charCodeAt(0);
  let m: RegExpExecArray | null;
  if (c >= 48 && c <= 57) {
    if ((m = ISO.exec(text))) return iso(m, text);
    if ((m = UNIX.exec(text))) {
      const timestamp = Number(m[1]) * 1000 + fractionMs(m[2]);
      return { kind: 'unix', timestamp, length: m[0].length, valid: true, zoned: true };
    }
    return undefined;
  }
  if (c >= 65 && c <= 90) {
    if ((m = TRADITIONAL.exec(text))) return traditional(m, now);
    if ((m = JOURNAL_FULL.exec(text))) return journalFull(m);
    if ((m = CTIME.exec(text))) return ctime(m);
    return undefined;
  }
  if (c === 91 /* [ */ && (m = MONOTONIC.exec(text))) return { kind: 'monotonic', length: m[0].length, valid: true, zoned: false };
  if (c === 64 /* @ */ && (m = TAI64N.exec(text))) {
    const timestamp = (parseInt(m[1], 16) - TAI_OFFSET_S) * 1000 + Math.floor(parseInt(m[2], 16) / 1e6);
    return { kind: 'tai64n', timestamp, length: m[0].length, valid: true, zoned: true };
  }
  return undefined;
}

/** The stamp at the start of `text`, or undefined when the text does not start with one. */
export function readStamp(text: string, now: number): Stamp | undefined {
  // Consecutive lines very often share their stamp: reuse the last one when the text repeats it.
  if (cacheStamp !== undefined && text.startsWith(cacheText) && Math.abs(now - cacheNow) <= 60_000) return cacheStamp;
  const stamp = parseUncached(text, now);
  // Only stamps whose value does not depend on what follows them (svlogd -ttt does).
  if (stamp && (stamp.kind === 'rfc3164' || (stamp.kind === 'iso' && stamp.zoned))) {
    cacheText = text.slice(0, stamp.length);
    cacheStamp = stamp;
    cacheNow = now;
  }
  return stamp;
}
