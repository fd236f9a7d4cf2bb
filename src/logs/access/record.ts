// What a line of an access log means, whatever its format (text formats: parse.ts; JSON: json.ts).

/** What the metrics need of a line, and the client address (for per-client figures). */
export interface AccessRecord {
  /** Index in METHODS. */
  method: number;
  /** "/" + first path segment, or one of the special sections (request.ts). */
  section: string;
  /** The status code, 100-599. */
  status: number;
  /** Response body bytes ("-" counts as 0). */
  bytes: number;
  /** Request duration in seconds; undefined when the line has none. */
  duration: number | undefined;
  /** Event time in ms since the epoch; undefined when the line has none that parses. */
  timestamp: number | undefined;
  /**
   * The client address ($remote_addr, %h, %a, the JSON source field); undefined when the format
   * has none, or when the parser was not asked for it (AccessParserOptions.source).
   */
  source: string | undefined;
  /**
   * The client address as a number (client-key.ts) when it is a canonical dotted quad and the
   * parser was asked for that (AccessParserOptions.ipv4AsNumber): `source` is then not decoded.
   */
  sourceV4: number | undefined;
  /**
   * The X-Forwarded-For header as logged ($http_x_forwarded_for, %{X-Forwarded-For}i, the JSON
   * forwarded_for field); undefined when absent ("-"), when the format has none, or when the
   * parser was not asked for it (AccessParserOptions.forwarded).
   */
  forwardedFor: string | undefined;
}

/** A record with the request as written, for `hostwatch parse` (the metrics never need it). */
export interface AccessDetail extends AccessRecord {
  /** The request target. */
  path: string;
  /** The method as written (it may be outside METHODS). */
  methodText: string;
}

export interface AccessParser {
  /** The format always carries a request duration (JSON logs: only known once lines carry one). */
  readonly timed: boolean;
  /** The record of the line line[start, end); undefined when the line does not match the format. Never throws. */
  parse(line: Buffer, start: number, end: number): AccessRecord | undefined;
  /** parse() with the request as written. */
  parseDetail(line: Buffer, start: number, end: number): AccessDetail | undefined;
}

/** Status class label of a status code: "1xx".."5xx". */
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** A status code must be three digits between 100 and 599; anything else makes the line unparsed. */
export function validStatus(s: number): boolean {
  return s >= 100 && s <= 599;
}
