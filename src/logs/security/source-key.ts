// Source addresses as the detectors key them, so that a flood of distinct sources keeps nothing of
// the lines it came from. An IPv4 address in its canonical dotted form is kept as a number (its 32
// bits as a signed integer, a small integer for V8: no string object is held or promoted per
// source). An IPv6 address in one of the two forms the programs write (RFC 5952's, as inet_ntop and
// so sshd print it, and the kernel's `%pI6`, eight groups of four digits, in firewall logs) is kept
// as a 9-character string of its 128 bits: a source taken from a line is a slice of that line, and
// kept as a table key it would keep the whole line alive (measured: most of what a flood of IPv6
// sources promoted to the old generation). Anything else (a host name, another spelling) is kept as
// its text. sourceText() gives the exact text back, so what the metrics and the checkpoint show is
// what the log said.
import type { SlotKey } from './slots.js';

/** First character of a key of an IPv6 address written as RFC 5952 says, then of one in the kernel's full form. */
const V6_SHORT = 0;
const V6_FULL = 2;
/** First character of a text key whose text starts with one of these three (never an address: kept apart). */
const ESCAPED = 1;

/** The key of a source: see the top. */
export function sourceKey(s: string): SlotKey {
  const v4 = ipv4Value(s);
  if (v4 >= 0) return v4 | 0; // signed: a small integer for V8
  return s.length >= 2 && s.length <= 39 ? v6Key(s) : textKey(s);
}

/**
 * `a.b.c.d` with 0-255 parts without leading zeros (the canonical dotted quad) as its 32 bits,
 * unsigned; else -1. Also how the access log's top clients key an address given as text.
 */
export function ipv4Value(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // a leading zero: not canonical
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

export function sourceText(k: SlotKey): string {
  if (typeof k === 'number') return `${(k >>> 24) & 255}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
  const c = k.charCodeAt(0);
  if (c === ESCAPED) return k.slice(1);
  if ((c === V6_SHORT || c === V6_FULL) && k.length === 9) {
    for (let i = 0; i < 8; i++) groups[i] = k.charCodeAt(i + 1);
    return c === V6_SHORT ? shortForm(groups) : fullForm(groups);
  }
  return k;
}

function textKey(s: string): string {
  return s.length > 0 && s.charCodeAt(0) <= V6_FULL ? String.fromCharCode(ESCAPED) + s : s;
}

/** Scratch for the eight 16-bit groups of an address (one at a time: the hot path allocates nothing for them). */
const groups = new Uint16Array(8);

/** The key of an IPv6 address written in one of the two forms (see the top), else textKey(s). */
function v6Key(s: string): string {
  if (!parseV6(s)) return textKey(s);
  // The kernel's form is always 39 characters, RFC 5952's only when it is the same text.
  const marker = s.length === 39 ? (fullForm(groups) === s ? V6_FULL : -1) : shortForm(groups) === s ? V6_SHORT : -1;
  if (marker < 0) return textKey(s);
  const g = groups;
  return String.fromCharCode(marker, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
}

/** Hexadecimal groups of 1-4 digits separated by `:`, with at most one `::`, into `groups`; false when s is no such address. */
function parseV6(s: string): boolean {
  const n = s.length;
  let count = 0;
  let gap = -1; // index in groups where `::` stands
  let i = 0;
  if (s.charCodeAt(0) === 58 /* : */) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (i === n) return fillGap(0, gap);
  }
  for (;;) {
    let value = 0;
    let digits = 0;
    for (; i < n && digits < 5; i++, digits++) {
      const c = s.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      value = value * 16 + d;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = value;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return false; // a trailing single `:`
    }
  }
  return gap < 0 ? count === 8 : fillGap(count, gap);
}

/** Moves the groups written after `::` to the end and zeroes the gap; false when `::` stands for no group. */
function fillGap(count: number, gap: number): boolean {
  const missing = 8 - count;
  if (missing < 1) return false;
  for (let j = count - 1; j >= gap; j--) groups[j + missing] = groups[j];
  groups.fill(0, gap, gap + missing);
  return true;
}

/** RFC 5952: lowercase, no leading zeros, the first longest run of two or more zero groups as `::`. */
function shortForm(g: Uint16Array): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += g[i].toString(16);
  }
  return out;
}

/** The kernel's `%pI6`: eight groups of four lowercase digits. */
function fullForm(g: Uint16Array): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += (i > 0 ? ':' : '') + g[i].toString(16).padStart(4, '0');
  return out;
}
