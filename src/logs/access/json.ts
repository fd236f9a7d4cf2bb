// JSON access logs (nginx `escape=json`, Caddy, Traefik, ...): one object per line, fields found
// by configurable names; a dotted name ("request.method") walks nested objects, unless the object
// has a key with that exact dotted name.
import type { AccessParser, AccessRecord } from './parse.js';
import { methodIndex, parseRequestLine, parseTarget, METHODS } from './request.js';
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
};

/** Divisors (not factors: 15001234567 / 1e9 is exactly 15.001234567, 15001234567 * 1e-9 is not). */
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
  },
};

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

/** A number given as a JSON number or a numeric string; NaN otherwise. */
function num(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : NaN;
  if (typeof v === 'string') return parseDecimal(v, 0, v.length);
  return NaN;
}

/** Epoch numbers above this are milliseconds, below are seconds (1e11 s is the year 5138). */
const EPOCH_MS_THRESHOLD = 1e11;

function timeOf(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? (v > EPOCH_MS_THRESHOLD ? Math.round(v) : Math.round(v * 1000)) : NaN;
  if (typeof v === 'string') return parseAnyTime(v);
  return NaN;
}

export function createJsonParser(names: Partial<JsonFieldNames>): AccessParser {
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
  };
  const unit = UNIT_DIVISOR[n.duration_unit];

  return {
    timed: false,
    parse(line: string, out: AccessRecord, detail = false): boolean {
      // Cheap rejection before JSON.parse: an object starts with "{" (after optional blanks).
      let i = 0;
      while (i < line.length && line.charCodeAt(i) === 0x20) i++;
      if (line.charCodeAt(i) !== 0x7b) return false;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        return false;
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return false;
      const o = obj as Record<string, unknown>;

      const method = get.method(o);
      const path = get.path(o);
      let req: unknown;
      if (typeof method === 'string' && typeof path === 'string') {
        out.method = methodIndex(method, 0, method.length);
        if (!parseTarget(path, 0, path.length, out.method, out)) return false;
      } else {
        req = get.request(o);
        // nginx escape=json writes an empty string where the default escaping writes "-".
        if (req === '') req = '-';
        if (typeof req !== 'string' || !parseRequestLine(req, 0, req.length, out)) return false;
      }

      const status = num(get.status(o));
      if (!Number.isInteger(status) || status < 100 || status > 599) return false;
      out.status = status;

      const rawBytes = get.bytes(o);
      const bytes = rawBytes === undefined || rawBytes === '-' || rawBytes === null ? 0 : num(rawBytes);
      if (!Number.isInteger(bytes)) return false;
      out.bytes = bytes;

      const rawDuration = get.duration(o);
      out.duration = rawDuration === undefined || rawDuration === '-' || rawDuration === null ? NaN : num(rawDuration) / unit;
      out.timestamp = timeOf(get.time(o));

      if (detail) {
        const src = get.source(o);
        out.source = typeof src === 'string' ? src : '';
        if (typeof req === 'string') {
          out.methodText = out.methodEnd > out.methodStart ? req.slice(out.methodStart, out.methodEnd) : METHODS[out.method];
          out.path = req.slice(out.targetStart, out.targetEnd);
        } else {
          out.methodText = method as string;
          out.path = path as string;
        }
      }
      return true;
    },
  };
}
