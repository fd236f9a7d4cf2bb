// JSON access logs (nginx `escape=json`, Caddy, Traefik, ...): one object per line, fields found
// by configurable names; a dotted name ("request.method") walks nested objects, unless the object
// has a key with that exact dotted name.
import { validStatus, type AccessDetail, type AccessParser, type AccessRecord } from './record.js';
import { methodIndex, parseRequestLine, targetSection, writtenRequest } from './request.js';
import { parseAnyTime, parseDecimal } from './time.js';

export interface JsonFieldNames {
  method: string;
  path: string;
  request: string;
  status: string;
  bytes: string;
  duration: string;
  /** Unit of the duration field: s (nginx $request_time, Caddy), ms, us, or ns (Traefik Duration). */
  duration_unit: 's' | 'ms' | 'us' | 'ns';
  time: string;
  source: string;
  /** The X-Forwarded-For header: a string, or a list of strings (Caddy logs headers as lists). */
  forwarded_for: string;
}

export const DEFAULT_JSON_FIELDS: JsonFieldNames = {
  method: 'method',
  path: 'path',
  request: 'request',
  status: 'status',
  bytes: 'bytes',
  duration: 'request_time',
  duration_unit: 's',
  time: 'time',
  source: 'remote_addr',
  forwarded_for: 'http_x_forwarded_for',
};

/** `format: caddy` and `format: traefik`: JSON logs with these servers' own field names. */
export const JSON_PRESETS: Record<string, JsonFieldNames> = {
  caddy: {
    method: 'request.method',
    path: 'request.uri',
    request: 'request',
    status: 'status',
    bytes: 'size',
    duration: 'duration',
    duration_unit: 's',
    time: 'ts',
    source: 'request.remote_ip',
    forwarded_for: 'request.headers.X-Forwarded-For',
  },
  traefik: {
    method: 'RequestMethod',
    path: 'RequestPath',
    request: 'request',
    status: 'DownstreamStatus',
    bytes: 'DownstreamContentSize',
    duration: 'Duration',
    duration_unit: 'ns',
    time: 'StartUTC',
    source: 'ClientHost',
    // Logged when accessLog.fields.headers keeps the header (names: request_<Header>).
    forwarded_for: 'request_X-Forwarded-For',
  },
};

/** Divisors (not factors: 15001234567 / 1e9 is exactly 15.001234567, 15001234567 * 1e-9 is not). */
const UNIT_DIVISOR = { s: 1, ms: 1e3, us: 1e6, ns: 1e9 } as const;

type Getter = (obj: Record<string, unknown>) => unknown;

/** Compiles a field name into a getter, once. */
export function fieldGetter(name: string): Getter {
  const parts = name.split('.');
  if (parts.length === 1) return (o) => o[name];
  return (o) => {
    if (name in o) return o[name];
    let v: unknown = o;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

/** A field value as bytes, for the readers of request.ts and time.ts (which read lines as bytes). */
const utf8 = (text: string) => Buffer.from(text);

/** A number given as a JSON number or a numeric string; NaN otherwise. */
function num(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : NaN;
  if (typeof v === 'string') {
    const b = utf8(v);
    return parseDecimal(b, 0, b.length);
  }
  return NaN;
}

/** Epoch numbers above this are milliseconds, below are seconds (1e11 s is the year 5138). */
const EPOCH_MS_THRESHOLD = 1e11;

function timeOf(v: unknown): number | undefined {
  let t = NaN;
  if (typeof v === 'number' && Number.isFinite(v)) t = v > EPOCH_MS_THRESHOLD ? Math.round(v) : Math.round(v * 1000);
  if (typeof v === 'string') {
    const b = utf8(v);
    t = parseAnyTime(b, 0, b.length);
  }
  return Number.isNaN(t) ? undefined : t;
}

/** The request line field as bytes; nginx escape=json writes "" where the default escaping writes "-". */
function requestLine(request: unknown): Buffer | undefined {
  if (request === '') return utf8('-');
  return typeof request === 'string' ? utf8(request) : undefined;
}

/** The request of a record: from its method and path fields, or else from its request line. */
function requestOf(method: unknown, path: unknown, request: unknown): { method: number; section: string } | undefined {
  if (typeof method === 'string' && typeof path === 'string') {
    const m = utf8(method);
    const p = utf8(path);
    const index = methodIndex(m, 0, m.length);
    const section = targetSection(p, 0, p.length, index);
    return section === undefined ? undefined : { method: index, section };
  }
  const line = requestLine(request);
  return line && parseRequestLine(line, 0, line.length);
}

/** A header value logged as a string or as a list of strings (joined as the header would be). */
function headerValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v.join(', ');
  return undefined;
}

/**
 * The parser of JSON access logs; `decode`: what it gives beyond the metrics' fields, the client
 * address (parseDetail always does) and the X-Forwarded-For header.
 */
export function createJsonParser(names: Partial<JsonFieldNames>, decode: { source: boolean; forwarded: boolean }): AccessParser {
  const n = { ...DEFAULT_JSON_FIELDS, ...names };
  const get = {
    method: fieldGetter(n.method),
    path: fieldGetter(n.path),
    request: fieldGetter(n.request),
    status: fieldGetter(n.status),
    bytes: fieldGetter(n.bytes),
    duration: fieldGetter(n.duration),
    time: fieldGetter(n.time),
    source: fieldGetter(n.source),
    forwardedFor: fieldGetter(n.forwarded_for),
  };
  const unit = UNIT_DIVISOR[n.duration_unit];
  const absent = (v: unknown) => v === undefined || v === null || v === '-';

  function read(line: Buffer, start: number, end: number, detail: boolean): AccessRecord | AccessDetail | undefined {
    // Cheap rejection before decoding: an object starts with "{" (after optional blanks).
    let i = start;
    while (i < end && line[i] === 0x20) i++;
    if (i >= end || line[i] !== 0x7b) return undefined;
    let obj: unknown;
    try {
      obj = JSON.parse(line.toString('utf8', start, end));
    } catch {
      return undefined;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
    const o = obj as Record<string, unknown>;

    const method = get.method(o);
    const path = get.path(o);
    const request = get.request(o);
    const req = requestOf(method, path, request);
    if (req === undefined) return undefined;

    const status = num(get.status(o));
    if (!Number.isInteger(status) || !validStatus(status)) return undefined;

    const rawBytes = get.bytes(o);
    const bytes = absent(rawBytes) ? 0 : num(rawBytes);
    if (!Number.isInteger(bytes)) return undefined;

    const rawDuration = get.duration(o);
    const duration = absent(rawDuration) ? NaN : num(rawDuration) / unit;

    const src = detail || decode.source ? get.source(o) : undefined;
    const record: AccessRecord = {
      method: req.method,
      section: req.section,
      status,
      bytes,
      duration: Number.isNaN(duration) ? undefined : duration,
      timestamp: timeOf(get.time(o)),
      source: typeof src === 'string' ? src : undefined,
      sourceV4: undefined,
      forwardedFor: decode.forwarded ? headerValue(get.forwardedFor(o)) : undefined,
    };
    if (!detail) return record;
    if (typeof method === 'string' && typeof path === 'string') return { ...record, path, methodText: method };
    const requestBytes = requestLine(request)!; // parsed above
    return { ...record, ...writtenRequest(requestBytes, parseRequestLine(requestBytes, 0, requestBytes.length)!) };
  }

  return {
    timed: false,
    parse: (line, start, end) => read(line, start, end, false),
    parseDetail: (line, start, end) => read(line, start, end, true) as AccessDetail | undefined,
  };
}
