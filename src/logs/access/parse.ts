// The access-log line parser (pure): turns one line into an AccessRecord, for text formats
// (combined, common, nginx log_format, Apache LogFormat) and JSON. A parser is built once per log;
// parse() fills a caller-owned record in place and allocates at most the section string (plus the
// detail strings when asked for, which only `hostwatch parse` does).
import { compileFormat, Field, type CompiledFormat } from './format.js';
import { parseRequestLine, parseTarget, methodIndex, METHODS, type RequestParts } from './request.js';
import { parseDecimal, parseEpochSeconds, parseIso8601, parseTimeLocal, parseUint, parseUpstreamTimes } from './time.js';
import { createJsonParser, JSON_PRESETS, type JsonFieldNames } from './json.js';
import { FastTextParser } from './bytes.js';

export interface AccessRecord extends RequestParts {
  /** The numeric status code, 100-599. */
  status: number;
  /** Response body bytes ("-" counts as 0). */
  bytes: number;
  /** Request duration in seconds; NaN when the line has none. */
  duration: number;
  /** Event time in ms since the epoch; NaN when the line has none that parses. */
  timestamp: number;
  /** Detail fields, filled only when parse() is called with detail = true. */
  source: string;
  path: string;
  methodText: string;
}

export function newRecord(): AccessRecord {
  return {
    method: 0, section: '', targetStart: 0, targetEnd: 0, methodStart: 0, methodEnd: 0,
    status: 0, bytes: 0, duration: NaN, timestamp: NaN, source: '', path: '', methodText: '',
  };
}

export interface AccessParser {
  /** The format always carries a request duration (JSON logs: only known once lines carry one). */
  readonly timed: boolean;
  /** Fills `out` from the line; false when the line does not match the format. Never throws. */
  parse(line: string, out: AccessRecord, detail?: boolean): boolean;
  /** The byte-level fast path of the common case (bytes.ts), for formats that have one. */
  readonly fast?: FastTextParser;
}

/** Status class label of a status code: "1xx".."5xx". */
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** A status code must be three digits between 100 and 599; anything else makes the line unparsed. */
export function validStatus(s: number): boolean {
  return s >= 100 && s <= 599;
}

export function createAccessParser(format: string, jsonFields?: Partial<JsonFieldNames>): AccessParser {
  if (format === 'json') return createJsonParser(jsonFields ?? {});
  if (Object.hasOwn(JSON_PRESETS, format)) return createJsonParser(JSON_PRESETS[format]);
  return new TextParser(compileFormat(format));
}

/** Index after the end of `literal` when the quoted field starting at i ends right before it. */
function quotedEnd(line: string, i: number, literal: string): number {
  for (;;) {
    const j = line.indexOf('"', i);
    if (j < 0) return -1;
    // An odd number of backslashes before the quote escapes it (Apache writes \" and \\).
    let b = j - 1;
    while (b >= i && line.charCodeAt(b) === 0x5c) b--;
    if ((j - 1 - b) % 2 === 0 && line.startsWith(literal, j)) return j;
    i = j + 1;
  }
}

/** Duration fields in order of preference: the whole request first, upstream time last. */
const DURATION_ORDER = [Field.RequestTime, Field.DurationUs, Field.DurationMs, Field.DurationS, Field.UpstreamTime];

class TextParser implements AccessParser {
  readonly timed: boolean;
  readonly fast: FastTextParser | undefined;
  private readonly f: CompiledFormat;
  /** Start and end of each field in the current line; -1 when absent. */
  private readonly ranges: Int32Array;

  constructor(f: CompiledFormat) {
    this.f = f;
    this.timed = f.timed;
    this.fast = FastTextParser.for(f);
    this.ranges = new Int32Array(Field.Count * 2).fill(-1);
  }

  /** Splits the line into field ranges; false when the literals do not line up. */
  private split(line: string): boolean {
    // No reset needed: a successful split writes the range of every field the format has, and
    // the ranges of the fields it does not have stay -1 from the constructor.
    const r = this.ranges;
    const { prefix, steps } = this.f;
    if (prefix !== '' && !line.startsWith(prefix)) return false;
    let pos = prefix.length;
    const n = line.length;
    for (let k = 0; k < steps.length; k++) {
      const st = steps[k];
      let end: number;
      if (st.literal === '') {
        if (st.token) {
          end = line.indexOf(' ', pos);
          if (end < 0) end = n;
        } else {
          end = n;
        }
      } else if (st.quoted) {
        end = quotedEnd(line, pos, st.literal);
      } else {
        end = line.indexOf(st.literal, pos);
      }
      if (end < 0) return false;
      if (st.field !== Field.Skip) {
        r[st.field * 2] = pos;
        r[st.field * 2 + 1] = end;
      }
      pos = end + st.literal.length;
    }
    return true;
  }

  parse(line: string, out: AccessRecord, detail = false): boolean {
    if (!this.split(line)) return false;
    const r = this.ranges;

    // Request: "$request", or $request_method + $request_uri.
    if (r[Field.Request * 2] >= 0) {
      if (!parseRequestLine(line, r[Field.Request * 2], r[Field.Request * 2 + 1], out)) return false;
    } else {
      const ms = r[Field.Method * 2];
      const me = r[Field.Method * 2 + 1];
      if (ms >= me) return false;
      out.method = methodIndex(line, ms, me);
      out.methodStart = ms;
      out.methodEnd = me;
      out.targetStart = r[Field.Uri * 2];
      out.targetEnd = r[Field.Uri * 2 + 1];
      if (!parseTarget(line, out.targetStart, out.targetEnd, out.method, out)) return false;
    }

    const status = parseUint(line, r[Field.Status * 2], r[Field.Status * 2 + 1]);
    if (r[Field.Status * 2 + 1] - r[Field.Status * 2] !== 3 || !validStatus(status)) return false;
    out.status = status;

    const bf = r[Field.BodyBytes * 2] >= 0 ? Field.BodyBytes : Field.Bytes;
    const bs = r[bf * 2];
    if (bs >= 0) {
      const be = r[bf * 2 + 1];
      if (be - bs === 1 && line.charCodeAt(bs) === 0x2d) out.bytes = 0;
      else {
        const b = parseUint(line, bs, be);
        if (b !== b) return false;
        out.bytes = b;
      }
    } else {
      out.bytes = 0;
    }

    out.duration = NaN;
    if (this.timed) {
      const d = this.duration(line);
      if (d === -1) return false;
      out.duration = d;
    }

    let ts = NaN;
    if (r[Field.TimeLocal * 2] >= 0) ts = parseTimeLocal(line, r[Field.TimeLocal * 2], r[Field.TimeLocal * 2 + 1]);
    else if (r[Field.TimeIso * 2] >= 0) ts = parseIso8601(line, r[Field.TimeIso * 2], r[Field.TimeIso * 2 + 1]);
    else if (r[Field.Msec * 2] >= 0) ts = parseEpochSeconds(line, r[Field.Msec * 2], r[Field.Msec * 2 + 1]);
    out.timestamp = ts;

    if (detail) {
      out.source = r[Field.RemoteAddr * 2] >= 0 ? line.slice(r[Field.RemoteAddr * 2], r[Field.RemoteAddr * 2 + 1]) : '';
      out.path = line.slice(out.targetStart, out.targetEnd);
      out.methodText = out.methodEnd > out.methodStart ? line.slice(out.methodStart, out.methodEnd) : METHODS[out.method];
    }
    return true;
  }

  /**
   * The request duration in seconds, from the first duration field present in order of precision;
   * NaN for "-" (no value), -1 when the field holds something that is not a duration.
   */
  private duration(line: string): number {
    const r = this.ranges;
    for (let k = 0; k < DURATION_ORDER.length; k++) {
      const f = DURATION_ORDER[k];
      const s = r[f * 2];
      if (s < 0) continue;
      const e = r[f * 2 + 1];
      if (e - s === 1 && line.charCodeAt(s) === 0x2d) return NaN;
      let v: number;
      switch (f) {
        case Field.UpstreamTime:
          // "-" for every upstream tried, or an odd value: no duration rather than an unparsed line.
          return parseUpstreamTimes(line, s, e);
        case Field.DurationUs:
          v = parseUint(line, s, e) / 1e6;
          break;
        case Field.DurationMs:
          v = parseUint(line, s, e) / 1e3;
          break;
        default:
          v = parseDecimal(line, s, e);
      }
      return v === v ? v : -1;
    }
    return NaN;
  }
}
