// Source addresses as the detectors key them: an IPv4 address in its canonical dotted form is kept
// as a number (its 32 bits as a signed integer, a small integer for V8: no string object is held
// or promoted per source), anything else (IPv6, a host name) as its string. sourceText() gives the
// exact text back, so what the metrics and the checkpoint show is what the log said.
import type { SlotKey } from './slots.js';

/** `a.b.c.d` with 0-255 parts without leading zeros, as a 32-bit signed integer; else the string. */
export function sourceKey(s: string): SlotKey {
  const n = s.length;
  if (n < 7 || n > 15) return s;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return s;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return s; // a leading zero: not canonical
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return s;
    } else {
      return s;
    }
  }
  if (dots !== 3 || digits === 0) return s;
  return (value * 256 + part) | 0;
}

export function sourceText(k: SlotKey): string {
  if (typeof k === 'string') return k;
  return `${(k >>> 24) & 255}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
}
