// One line of `journalctl --output=json` as an entry: its cursor, and the fields a syslog header
// would carry (time, host, identifier, pid) with the message. Pure.
//
// How journalctl writes a field's value (systemd's output_json): a string when it is printable
// UTF-8 (newlines allowed); an array of byte values otherwise (invalid UTF-8, a tab, an escape
// sequence); an array of those when the entry has the field more than once; null when it is over
// 4096 bytes and --all is not given (we always give it). The message is decoded as a file line is
// (invalid UTF-8 becomes U+FFFD) and cut at max_line_bytes.
import { isCursor } from './position.js';

/** An entry with a message, in the shape of a log record (see src/logs/record.ts). */
export interface JournalEntry {
  cursor: string;
  /** __REALTIME_TIMESTAMP, when journald received the entry, in ms since the epoch. */
  timestamp?: number;
  /** _HOSTNAME. */
  host?: string;
  /** SYSLOG_IDENTIFIER, else _COMM (as journalctl's short output shows it); '' when neither is set. */
  program: string;
  /** _PID, else SYSLOG_PID. */
  pid?: string;
  /** _TRANSPORT: kernel, syslog, journal, stdout, audit, driver. Set by journald, never by the client. */
  transport?: string;
  message: string;
  /** The message was longer than the maximum and was cut. */
  truncated: boolean;
  /** Bytes of the message (before a cut). */
  bytes: number;
}

/** A decoded line: its cursor, and the entry unless it has no MESSAGE (journalctl shows none either). */
export interface DecodedLine {
  cursor: string;
  entry?: JournalEntry;
}

/** Longest value kept of a header field (identifier, host, pid, transport). */
const MAX_FIELD_BYTES = 256;

interface Text {
  text: string;
  bytes: number;
  cut: boolean;
}

function isByteArray(v: unknown[]): boolean {
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return false;
  }
  return true;
}

/** A field value as text, at most `max` bytes of it; undefined when it is no value journalctl writes. */
export function fieldText(v: unknown, max: number): Text | undefined {
  if (typeof v === 'string') {
    // Cheap common case: a string of n UTF-16 units is at most 3n UTF-8 bytes.
    if (v.length * 3 <= max) return { text: v, bytes: Buffer.byteLength(v), cut: false };
    const buf = Buffer.from(v, 'utf8');
    if (buf.length <= max) return { text: v, bytes: buf.length, cut: false };
    return { text: buf.toString('utf8', 0, max), bytes: buf.length, cut: true };
  }
  if (!Array.isArray(v) || v.length === 0) return undefined;
  // A field given more than once: its first value.
  if (typeof v[0] !== 'number') return fieldText(v[0], max);
  if (!isByteArray(v)) return undefined;
  const cut = v.length > max;
  return { text: Buffer.from(cut ? v.slice(0, max) : v).toString('utf8'), bytes: v.length, cut };
}

function shortField(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length * 3 <= MAX_FIELD_BYTES) return v; // the common case, without counting bytes
  return v === undefined ? undefined : fieldText(v, MAX_FIELD_BYTES)?.text;
}

/** __REALTIME_TIMESTAMP (µs, a decimal string) in ms. */
function realtime(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{1,17}$/.test(v)) return undefined;
  return Number(v) / 1000;
}

/**
 * Decodes one output line; undefined when it is not an entry journalctl writes (not JSON, not an
 * object, no valid __CURSOR): such a line is counted as unparsed.
 */
export function decodeLine(line: string, maxMessageBytes: number): DecodedLine | undefined {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const f = o as Record<string, unknown>;
  const cursor = f.__CURSOR;
  if (!isCursor(cursor)) return undefined;
  const msg = f.MESSAGE === undefined || f.MESSAGE === null ? undefined : fieldText(f.MESSAGE, maxMessageBytes);
  if (msg === undefined) return { cursor };
  return {
    cursor,
    entry: {
      cursor,
      timestamp: realtime(f.__REALTIME_TIMESTAMP),
      host: shortField(f._HOSTNAME),
      program: shortField(f.SYSLOG_IDENTIFIER) ?? shortField(f._COMM) ?? '',
      pid: shortField(f._PID) ?? shortField(f.SYSLOG_PID),
      transport: shortField(f._TRANSPORT),
      message: msg.text,
      truncated: msg.cut,
      bytes: msg.bytes,
    },
  };
}
