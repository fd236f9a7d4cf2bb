// Timestamp and number parsing on index ranges of a line, hand-written so that the hot path neither
// allocates substrings nor goes through Date.parse. Every function returns NaN for bad input.

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The n-digit number at line[i], or -1 when a character is not a digit. */
function digits(line: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = line.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Month number (1-12) of the English abbreviation at line[i], or 0. */
function monthAbbrev(line: string, i: number): number {
  const a = line.charCodeAt(i) | 0x20;
  const b = line.charCodeAt(i + 1) | 0x20;
  const c = line.charCodeAt(i + 2) | 0x20;
  const k = (a << 16) | (b << 8) | c;
  switch (k) {
    case 0x6a616e: return 1; // jan
    case 0x666562: return 2; // feb
    case 0x6d6172: return 3; // mar
    case 0x617072: return 4; // apr
    case 0x6d6179: return 5; // may
    case 0x6a756e: return 6; // jun
    case 0x6a756c: return 7; // jul
    case 0x617567: return 8; // aug
    case 0x736570: return 9; // sep
    case 0x6f6374: return 10; // oct
    case 0x6e6f76: return 11; // nov
    case 0x646563: return 12; // dec
  }
  return 0;
}

export function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return NaN;
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000;
}

/** A "+hhmm" / "-hh:mm" / "Z" zone at line[i, e) in ms east of UTC; NaN when malformed. */
function zoneOffset(line: string, i: number, e: number): number {
  if (i >= e) return NaN;
  const c = line.charCodeAt(i);
  if ((c === 0x5a || c === 0x7a) && e - i === 1) return 0; // Z
  if (c !== 0x2b && c !== 0x2d) return NaN;
  const h = digits(line, i + 1, 2);
  const colon = line.charCodeAt(i + 3) === 0x3a ? 1 : 0;
  const m = digits(line, i + 3 + colon, 2);
  if (h < 0 || m < 0 || e - i !== 5 + colon) return NaN;
  const off = (h * 60 + m) * 60_000;
  return c === 0x2d ? -off : off;
}

/** nginx $time_local / Apache %t: "10/Oct/2000:13:55:36 -0700" in line[s, e). */
export function parseTimeLocal(line: string, s: number, e: number): number {
  if (e - s !== 26 || line.charCodeAt(s + 2) !== 0x2f || line.charCodeAt(s + 6) !== 0x2f || line.charCodeAt(s + 20) !== 0x20) return NaN;
  const t = utcMs(
    digits(line, s + 7, 4),
    monthAbbrev(line, s + 3),
    digits(line, s, 2),
    digits(line, s + 12, 2),
    digits(line, s + 15, 2),
    digits(line, s + 18, 2),
  );
  return t - zoneOffset(line, s + 21, e);
}

/**
 * ISO 8601 / RFC 3339 "2000-10-10T13:55:36[.123456789](Z|+07:00|+0700)" in line[s, e); a space is
 * accepted instead of the T, and a missing zone means UTC.
 */
export function parseIso8601(line: string, s: number, e: number): number {
  if (e - s < 19 || line.charCodeAt(s + 4) !== 0x2d || line.charCodeAt(s + 7) !== 0x2d || line.charCodeAt(s + 13) !== 0x3a) return NaN;
  const sep = line.charCodeAt(s + 10);
  if (sep !== 0x54 && sep !== 0x20 && sep !== 0x74) return NaN;
  let t = utcMs(
    digits(line, s, 4),
    digits(line, s + 5, 2),
    digits(line, s + 8, 2),
    digits(line, s + 11, 2),
    digits(line, s + 14, 2),
    digits(line, s + 17, 2),
  );
  let i = s + 19;
  if (i < e && (line.charCodeAt(i) === 0x2e || line.charCodeAt(i) === 0x2c)) {
    // Fraction: keep milliseconds, skip the rest of the digits.
    i++;
    let scale = 100;
    const start = i;
    while (i < e) {
      const d = line.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (scale >= 1) t += d * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return NaN;
  }
  if (i === e) return t;
  return t - zoneOffset(line, i, e);
}

/**
 * A non-negative decimal number ("0.123", "12", "1.5e-3" is not accepted) in line[s, e); NaN for
 * "-", empty or anything else.
 */
export function parseDecimal(line: string, s: number, e: number): number {
  if (s >= e) return NaN;
  let v = 0;
  let i = s;
  for (; i < e; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === s && !(i < e && line.charCodeAt(i) === 0x2e)) return NaN;
  if (i < e && line.charCodeAt(i) === 0x2e) {
    // The fraction as an integer divided once by a power of ten: "1.502" is exactly 1.502, where
    // adding 0.5 + 0.002 digit by digit accumulates rounding errors.
    i++;
    let frac = 0;
    let div = 1;
    const start = i;
    for (; i < e; i++) {
      const d = line.charCodeAt(i) - 48;
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

/** A non-negative integer in line[s, e); NaN when anything else. */
export function parseUint(line: string, s: number, e: number): number {
  if (s >= e) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * nginx $upstream_response_time: one value per upstream tried, "0.012, 0.004 : 0.001", "-" for
 * an upstream that gave no response. Returns the total time spent in upstreams, NaN when no value.
 */
export function parseUpstreamTimes(line: string, s: number, e: number): number {
  let total = 0;
  let any = false;
  let i = s;
  while (i < e) {
    let c = line.charCodeAt(i);
    while (i < e && (c === 0x20 || c === 0x2c || c === 0x3a)) c = line.charCodeAt(++i);
    if (i >= e) break;
    let j = i;
    while (j < e) {
      const d = line.charCodeAt(j);
      if (d === 0x20 || d === 0x2c || d === 0x3a) break;
      j++;
    }
    const v = parseDecimal(line, i, j);
    if (v === v) {
      total += v;
      any = true;
    } else if (!(j - i === 1 && line.charCodeAt(i) === 0x2d)) {
      return NaN;
    }
    i = j;
  }
  return any ? total : NaN;
}

/** Epoch seconds with optional fraction ("1700000000.123", nginx $msec) in line[s, e), as ms. */
export function parseEpochSeconds(line: string, s: number, e: number): number {
  const v = parseDecimal(line, s, e);
  return v === v ? Math.round(v * 1000) : NaN;
}

/** A timestamp of any of the forms above, for JSON fields: ISO 8601, time_local, or epoch seconds. */
export function parseAnyTime(text: string): number {
  const n = text.length;
  if (n === 26 && text.charCodeAt(2) === 0x2f) return parseTimeLocal(text, 0, n);
  if (n >= 19 && text.charCodeAt(4) === 0x2d) return parseIso8601(text, 0, n);
  return parseEpochSeconds(text, 0, n);
}
