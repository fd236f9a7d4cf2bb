// Request-line pieces of an access log: method normalisation, request-target classification and
// the "section" (first path segment). Everything works on index ranges of the line so that the hot
// path allocates at most the section string.

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

/** Index in METHODS of the method in line[s, e); METHOD_OTHER when not one of the fixed set. */
export function methodIndex(line: string, s: number, e: number): number {
  switch (e - s) {
    case 3:
      if (line.startsWith('GET', s)) return 0;
      if (line.startsWith('PUT', s)) return 3;
      break;
    case 4:
      if (line.startsWith('POST', s)) return 2;
      if (line.startsWith('HEAD', s)) return 1;
      break;
    case 5:
      if (line.startsWith('PATCH', s)) return 5;
      if (line.startsWith('TRACE', s)) return 8;
      break;
    case 6:
      if (line.startsWith('DELETE', s)) return 4;
      break;
    case 7:
      if (line.startsWith('OPTIONS', s)) return 6;
      if (line.startsWith('CONNECT', s)) return 7;
      break;
  }
  return METHOD_OTHER;
}

/** methodIndex() on the bytes b[s, e) of an ASCII line (the ingest fast path, bytes.ts). */
export function methodIndexBytes(b: Uint8Array, s: number, e: number): number {
  for (let m = 0; m < METHOD_OTHER; m++) {
    const name = METHODS[m];
    if (name.length !== e - s) continue;
    let k = 0;
    while (k < name.length && b[s + k] === name.charCodeAt(k)) k++;
    if (k === name.length) return m;
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
    c === 0x2d || c === 0x5f || c === 0x2e || c === 0x21 || c === 0x23 || c === 0x24 || c === 0x25 ||
    c === 0x26 || c === 0x27 || c === 0x2a || c === 0x2b || c === 0x5e || c === 0x60 || c === 0x7c || c === 0x7e
  );
}

/** Longest section kept as a label value; longer first segments are counted as __other__ by the handler. */
export const MAX_SECTION_LENGTH = 128;

/**
 * Section of the path starting at line[p] (which is '/'), ending at e: "/" + first segment, with
 * query and fragment stripped; "/" for the root. Repeated leading slashes are skipped, as nginx's
 * merge_slashes does when it routes the request.
 */
export function sectionOf(line: string, p: number, e: number): string {
  let s = p;
  while (s < e && line.charCodeAt(s) === 0x2f) s++;
  let i = s;
  while (i < e) {
    const c = line.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
    i++;
  }
  if (i === s) return '/';
  return line.substring(s - 1, i);
}

/** Where the path starts in an absolute-form target (`http://host/x` → index of "/x"), or -1 when it has none. */
function absolutePathStart(line: string, t: number, e: number): number {
  // t is at "http://" or "https://" (checked by the caller); skip the authority.
  let i = line.indexOf('//', t) + 2;
  while (i < e) {
    const c = line.charCodeAt(i);
    if (c === 0x2f) return i;
    if (c === 0x3f || c === 0x23) return -1;
    i++;
  }
  return -1;
}

function startsWithHttpScheme(line: string, t: number, e: number): boolean {
  const c = line.charCodeAt(t) | 0x20;
  if (c !== 0x68) return false; // 'h'
  const lower = line.slice(t, Math.min(e, t + 8)).toLowerCase();
  return lower.startsWith('http://') || lower.startsWith('https://');
}

/** The parts of a request the metrics need; filled in place by parseRequestLine and parseTarget. */
export interface RequestParts {
  method: number;
  section: string;
  /** Index range of the request target (path) in the line; set by parseRequestLine only. */
  targetStart: number;
  targetEnd: number;
  /** Index range of the raw method token in the line. */
  methodStart: number;
  methodEnd: number;
}

/**
 * Classifies the request target line[t, e) for the given method and sets out.section. Returns
 * false for a target that is neither a path, an absolute URI, `*` nor (for CONNECT) host:port.
 */
export function parseTarget(line: string, t: number, e: number, method: number, out: RequestParts): boolean {
  if (t >= e) return false;
  const c = line.charCodeAt(t);
  if (c === 0x2f) {
    out.section = sectionOf(line, t, e);
    return true;
  }
  if (c === 0x2a && e - t === 1) {
    out.section = SECTION_ASTERISK;
    return true;
  }
  if (startsWithHttpScheme(line, t, e)) {
    const p = absolutePathStart(line, t, e);
    out.section = p < 0 ? '/' : sectionOf(line, p, e);
    return true;
  }
  if (method === METHOD_CONNECT) {
    // authority-form: host:port, no slash and no space.
    for (let i = t; i < e; i++) {
      const d = line.charCodeAt(i);
      if (d === 0x2f || d === 0x20) return false;
    }
    out.section = SECTION_CONNECT;
    return true;
  }
  return false;
}

/**
 * Parses a request line "METHOD target[ HTTP/x.y]" in line[s, e). A lone "-" is the request nginx
 * logs for a connection closed before any request: method OTHER, section __none__. Anything else
 * that does not look like a request (TLS handshakes sent to a plain HTTP port, binary junk) returns
 * false, so the line is counted as unparsed.
 */
export function parseRequestLine(line: string, s: number, e: number, out: RequestParts): boolean {
  if (e - s === 1 && line.charCodeAt(s) === 0x2d) {
    out.method = METHOD_OTHER;
    out.section = SECTION_NONE;
    out.methodStart = out.methodEnd = out.targetStart = out.targetEnd = s;
    return true;
  }
  let i = s;
  while (i < e && isTokenChar(line.charCodeAt(i))) i++;
  if (i === s || i >= e || line.charCodeAt(i) !== 0x20) return false;
  const method = methodIndex(line, s, i);
  const t = i + 1;
  // The protocol is the last space-separated word when it starts with HTTP/; without one the
  // request is HTTP/0.9-style "GET /path". A raw space inside the target is tolerated only when
  // a protocol closes the line.
  let te = e;
  const lastSpace = line.lastIndexOf(' ', e - 1);
  if (lastSpace >= t) {
    if (!line.startsWith('HTTP/', lastSpace + 1)) return false;
    te = lastSpace;
  }
  out.method = method;
  out.methodStart = s;
  out.methodEnd = i;
  out.targetStart = t;
  out.targetEnd = te;
  return parseTarget(line, t, te, method, out);
}
