// Timestamps and numbers of an access line, read from its bytes: b[s, e) is the field. Every
// function returns NaN for a field that does not hold what it reads (NaN is what arithmetic on a
// bad value gives anyway, so a caller checks once, at the end).
import { isDash } from './scan.js';

const SPACE = 0x20;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const COLON = 0x3a;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The n-digit number at b[i], or -1 when a byte is not a digit. */
function digits(b: Uint8Array, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = b[i + k] - 0x30;
    if (!(d >= 0 && d <= 9)) return -1; // b[i + k] is undefined past the end
    v = v * 10 + d;
  }
  return v;
}

/** The three lower-case letters of a month abbreviation as one number, to compare without a string. */
const threeLetters = (c0: number, c1: number, c2: number) => (c0 << 16) | (c1 << 8) | c2;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m) =>
  threeLetters(m.charCodeAt(0), m.charCodeAt(1), m.charCodeAt(2)),
);

/** Month number (1-12) of the English abbreviation at b[i], in any case; 0 when it is none. */
function monthAbbrev(b: Uint8Array, i: number): number {
  return MONTHS.indexOf(threeLetters(b[i] | 0x20, b[i + 1] | 0x20, b[i + 2] | 0x20)) + 1;
}

/** UTC time in ms of a date and time of day; NaN when a part is out of its range. */
export function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return NaN;
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000;
}

/** A "+hhmm" / "-hh:mm" / "Z" zone in b[i, e), in ms east of UTC; NaN when malformed. */
function zoneOffset(b: Uint8Array, i: number, e: number): number {
  if (i >= e) return NaN;
  const c = b[i];
  if ((c === 0x5a || c === 0x7a) && e - i === 1) return 0; // Z
  if (c !== PLUS && c !== MINUS) return NaN;
  const h = digits(b, i + 1, 2);
  const colon = b[i + 3] === COLON ? 1 : 0;
  const m = digits(b, i + 3 + colon, 2);
  if (h < 0 || m < 0 || e - i !== 5 + colon) return NaN;
  const off = (h * 60 + m) * 60_000;
  return c === MINUS ? -off : off;
}

/** nginx $time_local / Apache %t: "10/Oct/2000:13:55:36 -0700", as ms since the epoch. */
export function parseTimeLocal(b: Uint8Array, s: number, e: number): number {
  if (e - s !== 26 || b[s + 2] !== SLASH || b[s + 6] !== SLASH || b[s + 20] !== SPACE) return NaN;
  const t = utcMs(
    digits(b, s + 7, 4),
    monthAbbrev(b, s + 3),
    digits(b, s, 2),
    digits(b, s + 12, 2),
    digits(b, s + 15, 2),
    digits(b, s + 18, 2),
  );
  return t - zoneOffset(b, s + 21, e);
}

/**
 * ISO 8601 / RFC 3339 "2000-10-10T13:55:36[.123456789](Z|+07:00|+0700)"; a space is accepted
 * instead of the T, and a missing zone means UTC.
 */
export function parseIso8601(b: Uint8Array, s: number, e: number): number {
  if (e - s < 19 || b[s + 4] !== MINUS || b[s + 7] !== MINUS || b[s + 13] !== COLON) return NaN;
  const sep = b[s + 10];
  if (sep !== 0x54 && sep !== SPACE && sep !== 0x74) return NaN;
  let t = utcMs(
    digits(b, s, 4),
    digits(b, s + 5, 2),
    digits(b, s + 8, 2),
    digits(b, s + 11, 2),
    digits(b, s + 14, 2),
    digits(b, s + 17, 2),
  );
  let i = s + 19;
  if (i < e && (b[i] === DOT || b[i] === COMMA)) {
    // Fraction: keep milliseconds, skip the rest of the digits.
    i++;
    let scale = 100;
    const start = i;
    while (i < e) {
      const d = b[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (scale >= 1) t += d * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return NaN;
  }
  if (i === e) return t;
  return t - zoneOffset(b, i, e);
}

/** A non-negative decimal number ("0.123", "12", ".5"; not "1.5e-3"); NaN for "-", empty or anything else. */
export function parseDecimal(b: Uint8Array, s: number, e: number): number {
  if (s >= e) return NaN;
  let v = 0;
  let i = s;
  for (; i < e; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === s && !(i < e && b[i] === DOT)) return NaN;
  if (i < e && b[i] === DOT) {
    // The fraction as an integer divided once by a power of ten: "1.502" is exactly 1.502, where
    // adding 0.5 + 0.002 digit by digit accumulates rounding errors.
    i++;
    let frac = 0;
    let div = 1;
    const start = i;
    for (; i < e; i++) {
      const d = b[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (div < 1e15) {
        frac = frac * 10 + d;
        div *= 10;
      }
    }
    if (i === start && start - 1 === s) return NaN;
    v += frac / div;
  }
  return i === e ? v : NaN;
}

/** A non-negative integer; NaN when anything else. */
export function parseUint(b: Uint8Array, s: number, e: number): number {
  if (s >= e) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * nginx $upstream_response_time: one value per upstream tried, "0.012, 0.004 : 0.001", "-" for
 * an upstream that gave no response. Returns the total time spent in upstreams, NaN when no value.
 */
export function parseUpstreamTimes(b: Uint8Array, s: number, e: number): number {
  const separator = (c: number) => c === SPACE || c === COMMA || c === COLON;
  let total = 0;
  let any = false;
  let i = s;
  while (i < e) {
    while (i < e && separator(b[i])) i++;
    if (i >= e) break;
    let j = i;
    while (j < e && !separator(b[j])) j++;
    const v = parseDecimal(b, i, j);
    if (v === v) {
      total += v;
      any = true;
    } else if (!isDash(b, i, j)) {
      return NaN;
    }
    i = j;
  }
  return any ? total : NaN;
}

/** Epoch seconds with optional fraction ("1700000000.123", nginx $msec), as ms. */
export function parseEpochSeconds(b: Uint8Array, s: number, e: number): number {
  return Math.round(parseDecimal(b, s, e) * 1000);
}

/** A timestamp of any of the forms above (for JSON fields): time_local, ISO 8601, or epoch seconds. */
export function parseAnyTime(b: Uint8Array, s: number, e: number): number {
  if (e - s === 26 && b[s + 2] === SLASH) return parseTimeLocal(b, s, e);
  if (e - s >= 19 && b[s + 4] === MINUS) return parseIso8601(b, s, e);
  return parseEpochSeconds(b, s, e);
}
