// The access-log line parser (pure): turns one line into an AccessRecord, for the text formats
// (combined, common, nginx log_format, Apache LogFormat) and JSON (json.ts). It reads the line as
// the bytes the tailer read (a range of its read buffer) and decodes only the strings it returns
// (the section), never the whole line: on combined lines a fifth less CPU than decoding each line
// and parsing the string (bench/ingest.mjs, in-process). `hostwatch parse`, which gets strings,
// encodes each line first: one parser defines what a line means, everywhere. A format is compiled
// once per log; each line is scanned.
import { compileFormat, Field, type CompiledFormat } from './format.js';
import { parseMethodAndTarget, parseRequestLine, writtenRequest, type RequestParts } from './request.js';
import { parseDecimal, parseEpochSeconds, parseIso8601, parseTimeLocal, parseUint, parseUpstreamTimes } from './time.js';
import { createJsonParser, JSON_PRESETS, type JsonFieldNames } from './json.js';
import { validStatus, type AccessDetail, type AccessParser, type AccessRecord } from './record.js';
import { indexOf, indexOfByte, isDash, startsWith } from './scan.js';
import { ipv4Number } from './client-key.js';

export interface AccessParserOptions {
  /** Field names of `format: json` logs (the presets caddy and traefik have their own). */
  jsonFields?: Partial<JsonFieldNames>;
  /**
   * Fill AccessRecord.source on every line, for per-client figures. Off, the address is not
   * decoded: that string alone costs about a fifth of the in-process ingest of a combined line.
   */
  source?: boolean;
  /**
   * With `source`: a canonical dotted-quad address is given as AccessRecord.sourceV4, a number read
   * from the bytes, instead of decoded (parseDetail always decodes it).
   */
  ipv4AsNumber?: boolean;
  /** Fill AccessRecord.forwardedFor (parse and parseDetail; only needed behind trusted proxies). */
  forwarded?: boolean;
}

export function createAccessParser(format: string, options: AccessParserOptions = {}): AccessParser {
  const decode = { source: options.source ?? false, forwarded: options.forwarded ?? false };
  if (format === 'json') return createJsonParser(options.jsonFields ?? {}, decode);
  if (Object.hasOwn(JSON_PRESETS, format)) return createJsonParser(JSON_PRESETS[format], decode);
  const ipv4AsNumber = decode.source && (options.ipv4AsNumber ?? false);
  return new TextParser(compileFormat(format, { forwardedFor: decode.forwarded }), { ...decode, ipv4AsNumber });
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;

/**
 * The end of a quoted field starting at b[from]: the first quote that is not escaped and that
 * starts `literal` (the text after the field, which begins with the closing quote); -1 when none.
 */
function quotedEnd(b: Uint8Array, from: number, end: number, literal: Uint8Array): number {
  for (let i = from; ;) {
    const q = indexOfByte(b, QUOTE, i, end);
    if (q < 0) return -1;
    // An odd number of backslashes before the quote escapes it (Apache writes \" and \\).
    let k = q - 1;
    while (k >= i && b[k] === BACKSLASH) k--;
    const escaped = (q - 1 - k) % 2 === 1;
    if (!escaped && startsWith(b, q, end, literal)) return q;
    i = q + 1;
  }
}

/** Duration fields in order of preference: the whole request first, upstream time last. */
const DURATION_ORDER = [Field.RequestTime, Field.DurationUs, Field.DurationMs, Field.DurationS, Field.UpstreamTime];
type TimeParser = (b: Uint8Array, s: number, e: number) => number;
/** Time fields in order of preference, with the parser of each. */
const TIME_FIELDS: { field: Field; parse: TimeParser }[] = [
  { field: Field.TimeLocal, parse: parseTimeLocal },
  { field: Field.TimeIso, parse: parseIso8601 },
  { field: Field.Msec, parse: parseEpochSeconds },
];

interface ByteStep {
  field: Field;
  /** The text that ends the field, as bytes (empty: the field ends the format). */
  literal: Buffer;
  quoted: boolean;
  token: boolean;
  optional: boolean;
}

class TextParser implements AccessParser {
  readonly timed: boolean;
  private readonly prefix: Buffer;
  private readonly steps: ByteStep[];
  /** Whether the request is one field ($request, %r), or a method and a target ($request_method $request_uri, %m %U). */
  private readonly requestLine: boolean;
  /** Whether the format has the client address ($remote_addr, %h, %a). */
  private readonly sourceField: boolean;
  /** Whether parse() decodes it (AccessParserOptions.source; parseDetail always does). */
  private readonly decodeSource: boolean;
  /** Whether parse() reads a dotted quad as a number instead (AccessParserOptions.ipv4AsNumber). */
  private readonly ipv4AsNumber: boolean;
  /** Whether X-Forwarded-For is read: the format has it and the parser was asked for it (AccessParserOptions.forwarded). */
  private readonly forwardedField: boolean;
  /** The duration field read (the first of DURATION_ORDER in the format), if any. */
  private readonly durationField: Field | undefined;
  /** The field of the response size: $body_bytes_sent (%b) over $bytes_sent (%O); undefined: none. */
  private readonly bytesField: Field | undefined;
  /** The time field read (the first of TIME_FIELDS in the format), if any. */
  private readonly time: { field: Field; parse: TimeParser } | undefined;
  /**
   * Start and end of each field in the line being parsed, at [2 * field] and [2 * field + 1];
   * -1 for the fields the format does not have (a successful split sets all the others).
   */
  private readonly at: number[] = new Array<number>(Field.Count * 2).fill(-1);

  constructor(f: CompiledFormat, decode: { source: boolean; forwarded: boolean; ipv4AsNumber: boolean }) {
    // Literals are matched as UTF-8 bytes: the encoding of the lines.
    this.prefix = Buffer.from(f.prefix);
    this.steps = f.steps.map((s) => ({
      field: s.field,
      literal: Buffer.from(s.literal),
      quoted: s.quoted,
      token: s.token,
      optional: s.optional,
    }));
    this.requestLine = f.has.has(Field.Request);
    this.sourceField = f.has.has(Field.RemoteAddr);
    this.decodeSource = decode.source;
    this.ipv4AsNumber = decode.ipv4AsNumber;
    this.forwardedField = f.has.has(Field.ForwardedFor);
    this.timed = f.timed;
    this.durationField = DURATION_ORDER.find((d) => f.has.has(d));
    this.bytesField = [Field.BodyBytes, Field.Bytes].find((d) => f.has.has(d));
    this.time = TIME_FIELDS.find((t) => f.has.has(t.field));
  }

  /** Finds the range of every field; false when the literals do not line up. */
  private split(b: Buffer, start: number, end: number): boolean {
    if (!startsWith(b, start, end, this.prefix)) return false;
    let pos = start + this.prefix.length;
    // The header may be missing from this line (an optional step): not the previous line's range.
    if (this.forwardedField) this.at[Field.ForwardedFor * 2] = -1;
    for (const st of this.steps) {
      let fieldEnd: number;
      if (st.literal.length === 0) {
        fieldEnd = st.token ? indexOfByte(b, SPACE, pos, end) : end;
        if (fieldEnd < 0) fieldEnd = end;
      } else if (st.quoted) {
        fieldEnd = quotedEnd(b, pos, end, st.literal);
      } else {
        fieldEnd = indexOf(b, st.literal, pos, end);
      }
      if (fieldEnd < 0) return st.optional;
      if (st.field !== Field.Skip) {
        this.at[st.field * 2] = pos;
        this.at[st.field * 2 + 1] = fieldEnd;
      }
      pos = fieldEnd + st.literal.length;
    }
    return true;
  }

  parse(b: Buffer, start: number, end: number): AccessRecord | undefined {
    return this.read(b, start, end, false);
  }

  parseDetail(b: Buffer, start: number, end: number): AccessDetail | undefined {
    return this.read(b, start, end, true) as AccessDetail | undefined;
  }

  /** Start of the field in the line last split. */
  private start(f: Field): number {
    return this.at[f * 2];
  }

  /** End of the field in the line last split. */
  private end(f: Field): number {
    return this.at[f * 2 + 1];
  }

  private read(b: Buffer, start: number, end: number, detail: boolean): AccessRecord | AccessDetail | undefined {
    if (!this.split(b, start, end)) return undefined;

    const req: RequestParts | undefined = this.requestLine
      ? parseRequestLine(b, this.start(Field.Request), this.end(Field.Request))
      : parseMethodAndTarget(b, this.start(Field.Method), this.end(Field.Method), this.start(Field.Uri), this.end(Field.Uri));
    if (req === undefined) return undefined;

    if (this.end(Field.Status) - this.start(Field.Status) !== 3) return undefined;
    const status = parseUint(b, this.start(Field.Status), this.end(Field.Status));
    if (!validStatus(status)) return undefined;

    let bytes = 0;
    const bf = this.bytesField;
    if (bf !== undefined && !isDash(b, this.start(bf), this.end(bf))) {
      bytes = parseUint(b, this.start(bf), this.end(bf));
      if (Number.isNaN(bytes)) return undefined;
    }

    let duration: number | undefined;
    const df = this.durationField;
    if (df !== undefined) {
      duration = this.duration(b, df, this.start(df), this.end(df));
      if (Number.isNaN(duration)) return undefined;
    }

    let timestamp: number | undefined;
    const time = this.time;
    if (time !== undefined) {
      timestamp = time.parse(b, this.start(time.field), this.end(time.field));
      if (Number.isNaN(timestamp)) timestamp = undefined; // the line still counts, without a time
    }

    let source: string | undefined;
    let sourceV4: number | undefined;
    if (this.sourceField && (detail || this.decodeSource)) {
      const s = this.start(Field.RemoteAddr);
      const e = this.end(Field.RemoteAddr);
      const n = this.ipv4AsNumber && !detail ? ipv4Number(b, s, e) : -1;
      if (n >= 0) sourceV4 = n;
      else source = b.toString('utf8', s, e);
    }
    let forwardedFor: string | undefined;
    if (this.forwardedField && this.start(Field.ForwardedFor) >= 0) {
      const s = this.start(Field.ForwardedFor);
      const e = this.end(Field.ForwardedFor);
      if (e > s && !isDash(b, s, e)) forwardedFor = b.toString('utf8', s, e);
    }
    const record: AccessRecord = {
      method: req.method,
      section: req.section,
      status,
      bytes,
      duration,
      timestamp,
      source,
      sourceV4,
      forwardedFor,
    };
    return detail ? { ...record, ...writtenRequest(b, req) } : record;
  }

  /**
   * The request duration in seconds held by b[s, e), a field of the given kind: undefined for "-"
   * (no value), NaN when the field holds something that is not a duration (the line is unparsed).
   */
  private duration(b: Buffer, field: Field, s: number, e: number): number | undefined {
    if (isDash(b, s, e)) return undefined;
    switch (field) {
      case Field.UpstreamTime: {
        // "-" for every upstream tried, or an odd value: no duration rather than an unparsed line.
        const total = parseUpstreamTimes(b, s, e);
        return Number.isNaN(total) ? undefined : total;
      }
      case Field.DurationUs:
        return parseUint(b, s, e) / 1e6;
      case Field.DurationMs:
        return parseUint(b, s, e) / 1e3;
      default:
        return parseDecimal(b, s, e);
    }
  }
}
