// Request-line pieces of an access log, read from the line's bytes: method normalisation,
// request-target classification and the "section" (first path segment).
import { startsWith } from './scan.js';

/** Methods kept as label values; anything else is counted as OTHER (index METHOD_OTHER). */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE', 'OTHER'] as const;
export const METHOD_OTHER = 9;
export const METHOD_CONNECT = 7;

/** Section of a `-` request line (nginx logs one for a connection closed without a request, e.g. port scanners). */
export const SECTION_NONE = '__none__';
/** Section of a CONNECT host:port (authority-form) request. */
export const SECTION_CONNECT = '__connect__';
/** Section of the asterisk-form request (`OPTIONS * HTTP/1.1`). */
export const SECTION_ASTERISK = '*';

/** Longest section kept as a label value; longer first segments are counted as __other__ by the handler. */
export const MAX_SECTION_LENGTH = 128;

const SPACE = 0x20;
const HASH = 0x23;
const SLASH = 0x2f;
const QUESTION = 0x3f;

const METHOD_BYTES = METHODS.slice(0, METHOD_OTHER).map((m) => Buffer.from(m, 'latin1'));

/** Index in METHODS of the method in b[s, e) (exact case); METHOD_OTHER when not one of the fixed set. */
export function methodIndex(b: Uint8Array, s: number, e: number): number {
  for (let m = 0; m < METHOD_BYTES.length; m++) {
    if (METHOD_BYTES[m].length === e - s && startsWith(b, s, e, METHOD_BYTES[m])) return m;
  }
  return METHOD_OTHER;
}

/** RFC 9110 token characters (a method must be made of them). */
function isTokenChar(c: number): boolean {
  // ALPHA / DIGIT / "!" "#" "$" "%" "&" "'" "*" "+" "-" "." "^" "_" "`" "|" "~"
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x21 ||
    c === 0x23 ||
    c === 0x24 ||
    c === 0x25 ||
    c === 0x26 ||
    c === 0x27 ||
    c === 0x2a ||
    c === 0x2b ||
    c === 0x5e ||
    c === 0x60 ||
    c === 0x7c ||
    c === 0x7e
  );
}

/**
 * Section of the path starting at b[p] (which is '/'), ending at e: "/" + first segment, with
 * query and fragment stripped; "/" for the root. Repeated leading slashes are skipped, as nginx's
 * merge_slashes does when it routes the request. A line is UTF-8 (invalid bytes become U+FFFD).
 */
export function sectionOf(b: Buffer, p: number, e: number): string {
  let s = p;
  while (s < e && b[s] === SLASH) s++;
  let i = s;
  while (i < e && b[i] !== SLASH && b[i] !== QUESTION && b[i] !== HASH) i++;
  if (i === s) return '/';
  return b.toString('utf8', s - 1, i);
}

const HTTP = Buffer.from('http://');
const HTTPS = Buffer.from('https://');
const PROTOCOL = Buffer.from('HTTP/');

/** An ASCII letter in lower case; any other byte as it is. */
const lower = (c: number) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/** The length of the "http://" or "https://" (in any case) that b[t, e) starts with, or 0. */
function httpSchemeLength(b: Uint8Array, t: number, e: number): number {
  const scheme = lower(b[t + 4]) === 0x73 ? HTTPS : HTTP; // "https" or not
  if (e - t < scheme.length) return 0;
  for (let k = 0; k < scheme.length; k++) if (lower(b[t + k]) !== scheme[k]) return 0;
  return scheme.length;
}

/** Where the path starts in an absolute-form target (`http://host/x` → index of "/x"), or -1 when it has none. */
function absolutePathStart(b: Uint8Array, t: number, e: number, schemeLength: number): number {
  for (let i = t + schemeLength; i < e; i++) {
    const c = b[i];
    if (c === SLASH) return i;
    if (c === QUESTION || c === HASH) return -1;
  }
  return -1;
}

/** The parts of a request the metrics need. */
export interface RequestParts {
  /** Index in METHODS. */
  method: number;
  section: string;
  /** Byte range of the method and of the request target (path) in the line. */
  methodStart: number;
  methodEnd: number;
  targetStart: number;
  targetEnd: number;
}

/**
 * The section of the request target b[t, e) for the given method; undefined for a target that
 * is neither a path, an absolute URI, `*` nor (for CONNECT) host:port.
 */
export function targetSection(b: Buffer, t: number, e: number, method: number): string | undefined {
  if (t >= e) return undefined;
  const c = b[t];
  if (c === SLASH) return sectionOf(b, t, e);
  if (c === 0x2a && e - t === 1) return SECTION_ASTERISK;
  const scheme = httpSchemeLength(b, t, e);
  if (scheme > 0) {
    const p = absolutePathStart(b, t, e, scheme);
    return p < 0 ? '/' : sectionOf(b, p, e);
  }
  if (method === METHOD_CONNECT) {
    // authority-form: host:port, no slash and no space.
    for (let i = t; i < e; i++) if (b[i] === SLASH || b[i] === SPACE) return undefined;
    return SECTION_CONNECT;
  }
  return undefined;
}

/**
 * Parses a request line "METHOD target[ HTTP/x.y]" in b[s, e). A lone "-" is the request nginx
 * logs for a connection closed before any request: method OTHER, section __none__. Anything else
 * that does not look like a request (TLS handshakes sent to a plain HTTP port, binary junk) gives
 * undefined, so the line is counted as unparsed.
 */
export function parseRequestLine(b: Buffer, s: number, e: number): RequestParts | undefined {
  if (e - s === 1 && b[s] === 0x2d) {
    return { method: METHOD_OTHER, section: SECTION_NONE, methodStart: s, methodEnd: s, targetStart: s, targetEnd: s };
  }
  let i = s;
  while (i < e && isTokenChar(b[i])) i++;
  if (i === s || i >= e || b[i] !== SPACE) return undefined;
  const method = methodIndex(b, s, i);
  const t = i + 1;
  // The protocol is the last space-separated word when it starts with HTTP/; without one the
  // request is HTTP/0.9-style "GET /path". A raw space inside the target is tolerated only when
  // a protocol closes the line.
  let te = e;
  let lastSpace = e - 1;
  while (lastSpace >= t && b[lastSpace] !== SPACE) lastSpace--;
  if (lastSpace >= t) {
    if (!startsWith(b, lastSpace + 1, e, PROTOCOL)) return undefined;
    te = lastSpace;
  }
  const section = targetSection(b, t, te, method);
  if (section === undefined) return undefined;
  return { method, section, methodStart: s, methodEnd: i, targetStart: t, targetEnd: te };
}

/** The request of formats that log the method and the target apart ($request_method + $request_uri, %m + %U). */
export function parseMethodAndTarget(b: Buffer, ms: number, me: number, ts: number, te: number): RequestParts | undefined {
  if (ms >= me) return undefined;
  const method = methodIndex(b, ms, me);
  const section = targetSection(b, ts, te, method);
  if (section === undefined) return undefined;
  return { method, section, methodStart: ms, methodEnd: me, targetStart: ts, targetEnd: te };
}

/** The target and the method of a request as written in b, for `hostwatch parse`. */
export function writtenRequest(b: Buffer, req: RequestParts): { path: string; methodText: string } {
  return {
    path: b.toString('utf8', req.targetStart, req.targetEnd),
    methodText: req.methodEnd > req.methodStart ? b.toString('utf8', req.methodStart, req.methodEnd) : METHODS[req.method],
  };
}
