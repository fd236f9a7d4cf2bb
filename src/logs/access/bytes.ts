// The ingest fast path of text access formats: parses a line straight from the tailer's read
// buffer, without decoding it into a string first (the only string made is the section's).
//
// It is a strict subset of the string parser (parse.ts): it accepts only the well-formed shape
// that nearly every line of a real log has (a "METHOD /path HTTP/x" request, a 3-digit status, a
// numeric or "-" size, a valid $time_local) and then yields exactly the record the string parser
// would. Anything else (escaped quotes, absolute URIs, "-" requests, odd methods or statuses, a
// time that does not parse, non-ASCII bytes) answers "not sure", and the line is decoded and given
// to the string parser: one definition of what a line means, a faster road for the common case.
// Formats that read fields this path does not know (ISO or epoch times, $upstream_response_time
// as the only duration, $request_method + $request_uri) have no fast path at all.
import { Field, type CompiledFormat } from './format.js';
import { methodIndexBytes } from './request.js';
import { utcMs } from './time.js';

/** Result of a fast-path parse: the line is parsed (record filled), or the string parser must decide. */
export const enum Fast {
  Parsed = 1,
  Unsure = 0,
}

/** The record fields the ingest path needs (the handler's AccessRecord has them all). */
export interface FastRecord {
  method: number;
  section: string;
  status: number;
  bytes: number;
  duration: number;
  timestamp: number;
}

/** Fields the fast path can read; a format reading any other field gets no fast path. */
const KNOWN = new Set<Field>([Field.Skip, Field.RemoteAddr, Field.TimeLocal, Field.Request, Field.Status, Field.BodyBytes, Field.Bytes]);
/** Duration fields in the string parser's order of preference (parse.ts DURATION_ORDER): the first present is read. */
const DURATIONS = [Field.RequestTime, Field.DurationUs, Field.DurationMs, Field.DurationS, Field.UpstreamTime];

/** Section strings remembered by the fast path (see intern()), and the longest one remembered. */
const INTERN_SLOTS = 256;
const INTERN_MAX_LENGTH = 64;

interface ByteStep {
  field: Field;
  /** Index in ranges of the field's start, or -1 for a skipped field. */
  at: number;
  /** First byte of the literal (-1: none). */
  c0: number;
  /** The literal that ends the field, as bytes (empty: the field ends the format). */
  lit: Uint8Array;
  quoted: boolean;
  token: boolean;
  /** A $time_local whose literal can be looked for right after its 26 bytes (see split()). */
  time26: boolean;
}

export class FastTextParser {
  private readonly prefix: Uint8Array;
  private readonly steps: ByteStep[];
  private readonly ranges = new Int32Array(Field.Count * 2).fill(-1);
  private readonly bodyField: Field;
  private readonly hasTime: boolean;
  /** The duration field read (Field.Skip: none). */
  private readonly durationField: Field;
  /** The bytes of the last $time_local's minute (seconds as "00"), and its time in ms (NaN: none). */
  private readonly minuteKey = new Uint8Array(26);
  private minuteMs = NaN;
  private readonly internHashes = new Int32Array(INTERN_SLOTS);
  private readonly internNames: string[] = new Array<string>(INTERN_SLOTS).fill('');

  private constructor(f: CompiledFormat) {
    this.prefix = Buffer.from(f.prefix, 'latin1');
    this.steps = f.steps.map((s) => ({
      field: s.field,
      at: s.field === Field.Skip ? -1 : s.field * 2,
      c0: s.literal === '' ? -1 : s.literal.charCodeAt(0),
      lit: Buffer.from(s.literal, 'latin1'),
      quoted: s.quoted,
      token: s.token,
      time26: s.field === Field.TimeLocal && s.literal !== '' && !/[A-Za-z0-9/ +-]/.test(s.literal[0]),
    }));
    this.bodyField = f.has.has(Field.BodyBytes) ? Field.BodyBytes : Field.Bytes;
    this.hasTime = f.has.has(Field.TimeLocal);
    this.durationField = DURATIONS.find((d) => f.has.has(d)) ?? Field.Skip;
  }

  /** The fast path of a compiled text format, or undefined when the format needs the string parser. */
  static for(f: CompiledFormat): FastTextParser | undefined {
    if (!f.has.has(Field.Request)) return undefined;
    for (const field of f.has) if (!KNOWN.has(field) && !DURATIONS.includes(field)) return undefined;
    // The sum of upstream times is left to the string parser.
    if (DURATIONS.find((d) => f.has.has(d)) === Field.UpstreamTime) return undefined;
    // Literals must be ASCII for byte and character offsets to agree.
    const ascii = (s: string) => /^[\x00-\x7f]*$/.test(s);
    if (!ascii(f.prefix) || !f.steps.every((s) => ascii(s.literal))) return undefined;
    return new FastTextParser(f);
  }

  /** Parses the ASCII line b[s, e) into `out`; Unsure when the string parser must decide. */
  parse(b: Uint8Array, s: number, e: number, out: FastRecord): Fast {
    if (!this.split(b, s, e)) return Fast.Unsure;
    const r = this.ranges;
    if (!this.request(b, r[Field.Request * 2], r[Field.Request * 2 + 1], out)) return Fast.Unsure;

    const ss = r[Field.Status * 2];
    if (r[Field.Status * 2 + 1] - ss !== 3) return Fast.Unsure;
    const d0 = b[ss] - 48;
    const d1 = b[ss + 1] - 48;
    const d2 = b[ss + 2] - 48;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return Fast.Unsure;
    out.status = d0 * 100 + d1 * 10 + d2;

    const bs = r[this.bodyField * 2];
    if (bs >= 0) {
      const be = r[this.bodyField * 2 + 1];
      if (be - bs === 1 && b[bs] === 0x2d) out.bytes = 0;
      else {
        // At most 15 digits: the same value as the string parser's, exact in a double.
        if (be <= bs || be - bs > 15) return Fast.Unsure;
        let v = 0;
        for (let i = bs; i < be; i++) {
          const d = b[i] - 48;
          if (d < 0 || d > 9) return Fast.Unsure;
          v = v * 10 + d;
        }
        out.bytes = v;
      }
    } else {
      out.bytes = 0;
    }
    out.duration = NaN;
    const df = this.durationField;
    if (df !== Field.Skip) {
      const ds = r[df * 2];
      const de = r[df * 2 + 1];
      if (!(de - ds === 1 && b[ds] === 0x2d)) {
        // "-" is no duration; a value that is not a number is the string parser's call (unparsed).
        const v = df === Field.DurationUs ? uint(b, ds, de) / 1e6 : df === Field.DurationMs ? uint(b, ds, de) / 1e3 : decimal(b, ds, de);
        if (v !== v) return Fast.Unsure;
        out.duration = v;
      }
    }

    if (this.hasTime) {
      const ts = this.time(b, r[Field.TimeLocal * 2], r[Field.TimeLocal * 2 + 1]);
      if (ts !== ts) return Fast.Unsure;
      out.timestamp = ts;
    } else {
      out.timestamp = NaN;
    }
    return Fast.Parsed;
  }

  /**
   * timeLocal(), remembering the minute: consecutive lines nearly always share everything but the
   * seconds, and comparing those bytes costs less than parsing them. The seconds are linear in the
   * result (utcMs), so minute + seconds * 1000 is exactly what a full parse gives.
   */
  private time(b: Uint8Array, s: number, e: number): number {
    if (e - s !== 26) return NaN;
    const key = this.minuteKey;
    let i = 0;
    if (this.minuteMs === this.minuteMs) {
      while (i < 26 && (b[s + i] === key[i] || i === 18 || i === 19)) i++;
    }
    if (i < 26) {
      // Another minute: parse it with 00 seconds, and remember it when it is valid.
      for (let k = 0; k < 26; k++) key[k] = b[s + k];
      key[18] = 0x30;
      key[19] = 0x30;
      this.minuteMs = timeLocal(key, 0, 26);
      if (this.minuteMs !== this.minuteMs) return NaN;
    }
    const sec = digits(b, s + 18, 2);
    if (sec < 0 || sec > 60) return NaN;
    return this.minuteMs + sec * 1000;
  }

  /** Field ranges, as TextParser.split finds them (first occurrence of each literal). */
  private split(b: Uint8Array, s: number, e: number): boolean {
    const r = this.ranges;
    const pre = this.prefix;
    if (e - s < pre.length) return false;
    for (let i = 0; i < pre.length; i++) if (b[s + i] !== pre[i]) return false;
    let pos = s + pre.length;
    const steps = this.steps;
    for (let k = 0; k < steps.length; k++) {
      const st = steps[k];
      const lit = st.lit;
      let end: number;
      if (lit.length === 0) {
        end = e;
        if (st.token) {
          for (let i = pos; i < e; i++) {
            if (b[i] === 0x20) {
              end = i;
              break;
            }
          }
        }
      } else {
        // The first occurrence of the literal (not escaped, for a quoted field), scanned inline.
        const c0 = st.c0;
        const n = lit.length;
        let i = pos;
        if (st.time26 && pos + 26 + n <= e && b[pos + 11] !== c0 && b[pos + 14] !== c0 && b[pos + 17] !== c0) {
          // "10/Oct/2000:13:55:36 -0700" is 26 bytes, and this path only accepts a valid one (time()):
          // digits, month letters, '/', ' ', '+' or '-' everywhere but at 11, 14 and 17, none of which
          // can start the literal. So when the literal follows those 26 bytes, that is its first
          // occurrence, and the scan can start there; when the time turns out invalid the line is
          // left to the string parser anyway.
          i = pos + 26;
        }
        for (;;) {
          while (i < e && b[i] !== c0) i++;
          if (i + n > e) return false;
          let k = 1;
          while (k < n && b[i + k] === lit[k]) k++;
          if (k === n && !(st.quoted && b[i - 1] === 0x5c && escaped(b, pos, i))) break;
          i++;
        }
        end = i;
      }
      if (st.at >= 0) {
        r[st.at] = pos;
        r[st.at + 1] = end;
      }
      pos = end + lit.length;
    }
    return true;
  }

  /** "METHOD /path HTTP/x.y" in b[s, e) with an upper-case method; false (unsure) for anything else. */
  private request(b: Uint8Array, s: number, e: number, out: FastRecord): boolean {
    let i = s;
    while (i < e && b[i] >= 0x41 && b[i] <= 0x5a) i++;
    if (i === s || i >= e || b[i] !== 0x20) return false;
    const t = i + 1;
    if (t >= e || b[t] !== 0x2f) return false;
    // The last space must be followed by the protocol, and be the only space after the method.
    let sp = e - 1;
    while (sp > t && b[sp] !== 0x20) sp--;
    if (sp <= t || e - sp < 6 || b[sp + 1] !== 0x48 || b[sp + 2] !== 0x54 || b[sp + 3] !== 0x54 || b[sp + 4] !== 0x50 || b[sp + 5] !== 0x2f) return false;
    out.method = methodIndexBytes(b, s, i);
    // sectionOf(): leading slashes skipped, up to the next '/', '?' or '#'.
    let p = t;
    while (p < sp && b[p] === 0x2f) p++;
    let q = p;
    let h = 0;
    while (q < sp) {
      const c = b[q];
      if (c === 0x2f || c === 0x3f || c === 0x23) break;
      h = (Math.imul(h, 31) + c) | 0;
      q++;
    }
    out.section = q === p ? '/' : this.intern(b, p - 1, q, h);
    return true;
  }

  /**
   * The section b[s, e) as a string, the same string object as last time when it was seen recently:
   * no new string per line, and the handler's Map lookup finds its hash already computed. A small
   * direct-mapped table (bounded memory whatever the paths); a collision just makes a new string.
   */
  private intern(b: Uint8Array, s: number, e: number, h: number): string {
    const len = e - s;
    if (len > INTERN_MAX_LENGTH) return (b as unknown as Latin1Slice).latin1Slice(s, e);
    const k = (h ^ (h >>> 9) ^ len) & (INTERN_SLOTS - 1);
    const known = this.internNames[k];
    if (this.internHashes[k] === h && known.length === len) {
      let i = 0;
      while (i < len && known.charCodeAt(i) === b[s + i]) i++;
      if (i === len) return known;
    }
    const name = (b as unknown as Latin1Slice).latin1Slice(s, e);
    this.internNames[k] = name;
    this.internHashes[k] = h;
    return name;
  }
}

/** Buffer's fast latin1 decoder: not in @types/node, present in every Node version. */
interface Latin1Slice {
  latin1Slice(start: number, end: number): string;
}

/**
 * Whether the quote at b[j] is escaped, as quotedEnd() of parse.ts decides: by an odd run of
 * backslashes before it, counted back to the character after the previous quote (or `from`).
 */
function escaped(b: Uint8Array, from: number, j: number): boolean {
  let start = from;
  for (let q = j - 1; q >= from; q--) {
    if (b[q] === 0x22) {
      start = q + 1;
      break;
    }
  }
  let k = j - 1;
  while (k >= start && b[k] === 0x5c) k--;
  return (j - 1 - k) % 2 === 1;
}

/** parseUint() of time.ts on bytes: a non-negative integer in b[s, e), NaN when anything else. */
function uint(b: Uint8Array, s: number, e: number): number {
  if (s >= e) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** parseDecimal() of time.ts on bytes, the same operations in the same order (the same double). */
function decimal(b: Uint8Array, s: number, e: number): number {
  if (s >= e) return NaN;
  let v = 0;
  let i = s;
  for (; i < e; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === s && !(i < e && b[i] === 0x2e)) return NaN;
  if (i < e && b[i] === 0x2e) {
    i++;
    let frac = 0;
    let div = 1;
    const start = i;
    for (; i < e; i++) {
      const d = b[i] - 48;
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

/** n digits at b[i], or -1. */
function digits(b: Uint8Array, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = b[i + k] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map(
  (m) => (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2),
);

/** parseTimeLocal() of time.ts on bytes: "10/Oct/2000:13:55:36 -0700"; NaN when it does not parse. */
function timeLocal(b: Uint8Array, s: number, e: number): number {
  if (e - s !== 26 || b[s + 2] !== 0x2f || b[s + 6] !== 0x2f || b[s + 20] !== 0x20) return NaN;
  const key = ((b[s + 3] | 0x20) << 16) | ((b[s + 4] | 0x20) << 8) | (b[s + 5] | 0x20);
  const month = MONTHS.indexOf(key) + 1;
  const t = utcMs(digits(b, s + 7, 4), month, digits(b, s, 2), digits(b, s + 12, 2), digits(b, s + 15, 2), digits(b, s + 18, 2));
  // Zone "+hhmm" / "-hhmm" (a 26-character time has no room for the "+hh:mm" form).
  const z = b[s + 21];
  if (z !== 0x2b && z !== 0x2d) return NaN;
  const zh = digits(b, s + 22, 2);
  const zm = digits(b, s + 24, 2);
  if (zh < 0 || zm < 0) return NaN;
  const off = (zh * 60 + zm) * 60_000;
  return t - (z === 0x2d ? -off : off);
}
