// Compiles an access-log format (nginx log_format, Apache LogFormat, or the names combined/common)
// ONCE into a list of (field, literal-that-follows) steps. The line parser then walks the line with
// startsWith/indexOf and character scans: no regular expression, no per-line compilation.

/** The fields hostwatch reads; every other variable is skipped. */
export enum Field {
  Skip = 0,
  RemoteAddr,
  TimeLocal,
  TimeIso,
  Msec,
  Request,
  Method,
  Uri,
  Status,
  BodyBytes,
  Bytes,
  RequestTime,
  UpstreamTime,
  DurationUs,
  DurationMs,
  DurationS,
  /** The X-Forwarded-For request header: the client behind a trusted proxy (clients.ts). */
  ForwardedFor,
  Count,
}

export interface Step {
  field: Field;
  /** Text that follows the field in the line ('' when the field ends the format). */
  literal: string;
  /** The field is enclosed in double quotes: its end is found with an escape-aware scan. */
  quoted: boolean;
  /** A field ending the format that never contains a space stops at the first space. */
  token: boolean;
  /**
   * The step comes after the last field the metrics need (only X-Forwarded-For, read behind
   * trusted proxies, and the fields before it): a line where it cannot be found still parses,
   * without the header, exactly as it did when these trailing fields were not read at all.
   */
  optional: boolean;
}

export interface CompiledFormat {
  /** Text before the first field. */
  prefix: string;
  steps: Step[];
  /** Fields present in the format. */
  has: ReadonlySet<Field>;
  /** The format carries a request duration (the histogram is exported for this log). */
  timed: boolean;
}

export const BUILTIN_FORMATS: Record<string, string> = {
  // Apache's %l (identd) is a variable, not a literal "-", so that a real ident value still parses.
  combined: '$remote_addr $remote_ident $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
  common: '$remote_addr $remote_ident $remote_user [$time_local] "$request" $status $body_bytes_sent',
};

const NGINX_VARS: Record<string, Field> = {
  remote_addr: Field.RemoteAddr,
  time_local: Field.TimeLocal,
  time_iso8601: Field.TimeIso,
  msec: Field.Msec,
  request: Field.Request,
  request_method: Field.Method,
  request_uri: Field.Uri,
  uri: Field.Uri,
  document_uri: Field.Uri,
  status: Field.Status,
  body_bytes_sent: Field.BodyBytes,
  bytes_sent: Field.Bytes,
  request_time: Field.RequestTime,
  upstream_response_time: Field.UpstreamTime,
  http_x_forwarded_for: Field.ForwardedFor,
  // The header nginx passes upstream: the received X-Forwarded-For with $remote_addr appended.
  proxy_add_x_forwarded_for: Field.ForwardedFor,
};

/** Fields whose values never contain a space. */
const TOKEN_FIELDS = new Set<Field>([
  Field.RemoteAddr,
  Field.Msec,
  Field.Status,
  Field.BodyBytes,
  Field.Bytes,
  Field.RequestTime,
  Field.DurationUs,
  Field.DurationMs,
  Field.DurationS,
  Field.Method,
  Field.Uri,
  Field.TimeIso,
]);

export class FormatError extends Error {}

/** Format names parsed as JSON (src/logs/access/json.ts): json with json_fields, and presets. */
export const JSON_FORMATS: ReadonlySet<string> = new Set(['json', 'caddy', 'traefik']);

type Piece = { lit: string } | { field: Field; name: string };

/** Splits an nginx log_format string into literals and variables ($name or ${name}). */
function lexNginx(format: string): Piece[] {
  const out: Piece[] = [];
  let lit = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== '$') {
      lit += c;
      i++;
      continue;
    }
    let name: string;
    if (format[i + 1] === '{') {
      const close = format.indexOf('}', i + 2);
      if (close < 0) throw new FormatError(`unclosed \${ at offset ${i}`);
      name = format.slice(i + 2, close);
      i = close + 1;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(format.slice(i + 1));
      if (!m) {
        lit += c;
        i++;
        continue;
      }
      name = m[0];
      i += 1 + name.length;
    }
    out.push({ lit });
    lit = '';
    out.push({ field: NGINX_VARS[name] ?? Field.Skip, name: `$${name}` });
  }
  out.push({ lit });
  return out;
}

/** Apache mod_log_config directives (%h, %>s, %{Referer}i ...) mapped to fields. */
function apacheField(letter: string, arg: string | undefined): Field {
  switch (letter) {
    case 'h':
    case 'a':
      return arg === undefined ? Field.RemoteAddr : Field.Skip;
    case 'r':
      return Field.Request;
    case 's':
      return Field.Status;
    case 'b':
    case 'B':
      return Field.BodyBytes;
    case 'O':
      return Field.Bytes;
    case 'D':
      return Field.DurationUs;
    case 'T':
      if (arg === 'ms') return Field.DurationMs;
      if (arg === 'us') return Field.DurationUs;
      return Field.DurationS;
    case 'm':
      return Field.Method;
    case 'U':
      return Field.Uri;
    case 'i':
      // %{X-Forwarded-For}i: a request header (names are case-insensitive).
      return arg?.toLowerCase() === 'x-forwarded-for' ? Field.ForwardedFor : Field.Skip;
    default:
      return Field.Skip;
  }
}

/** Splits an Apache LogFormat string; `\"` (as written in httpd.conf) is a plain quote. */
function lexApache(format: string): Piece[] {
  const src = format.replace(/\\"/g, '"');
  const out: Piece[] = [];
  let lit = '';
  let i = 0;
  while (i < src.length) {
    if (src[i] !== '%') {
      lit += src[i++];
      continue;
    }
    if (src[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const m = /^%([<>]?)(!?[0-9,]*)(?:\{([^}]*)\})?([<>]?)([a-zA-Z])/.exec(src.slice(i));
    if (!m) throw new FormatError(`unknown directive at offset ${i}: ${src.slice(i, i + 8)}`);
    i += m[0].length;
    const letter = m[5];
    if (letter === 't' && m[3] === undefined) {
      // %t is "[10/Oct/2000:13:55:36 -0700]" with the brackets.
      out.push({ lit: lit + '[' });
      out.push({ field: Field.TimeLocal, name: '%t' });
      lit = ']';
      continue;
    }
    out.push({ lit });
    lit = '';
    out.push({ field: apacheField(letter, m[3]), name: m[0] });
  }
  out.push({ lit });
  return out;
}

const DURATION_FIELDS = [Field.RequestTime, Field.UpstreamTime, Field.DurationUs, Field.DurationMs, Field.DurationS];

/**
 * Compiles a format name or string; throws FormatError with a message meant for the user.
 * `forwardedFor`: read the X-Forwarded-For field (otherwise it is skipped like any other).
 */
export function compileFormat(format: string, options: { forwardedFor?: boolean } = {}): CompiledFormat {
  const text = BUILTIN_FORMATS[format] ?? format;
  const pieces = text.includes('$') || !text.includes('%') ? lexNginx(text) : lexApache(text);
  if (!options.forwardedFor) {
    for (const p of pieces) if ('field' in p && p.field === Field.ForwardedFor) p.field = Field.Skip;
  }
  // pieces alternate: lit, field, lit, field, ..., lit
  const prefix = (pieces[0] as { lit: string }).lit;
  const steps: Step[] = [];
  const has = new Set<Field>();
  for (let k = 1; k < pieces.length; k += 2) {
    const f = pieces[k] as { field: Field; name: string };
    const before = (pieces[k - 1] as { lit: string }).lit;
    const after = (pieces[k + 1] as { lit: string }).lit;
    const last = k + 2 >= pieces.length;
    if (after === '' && !last) {
      const next = pieces[k + 2] as { name: string };
      throw new FormatError(`${f.name} and ${next.name} must be separated by some text, otherwise the line cannot be split`);
    }
    if (f.field !== Field.Skip && has.has(f.field)) {
      // A second occurrence of the same field (e.g. $status twice) is read but ignored.
      steps.push({ field: Field.Skip, literal: after, quoted: false, token: false, optional: false });
      continue;
    }
    if (f.field !== Field.Skip) has.add(f.field);
    steps.push({
      field: f.field,
      literal: after,
      quoted: before.endsWith('"') && after.startsWith('"'),
      token: last && TOKEN_FIELDS.has(f.field),
      optional: false,
    });
  }
  // Fields after the last one hostwatch reads (referer, user agent...) are not scanned: the literal
  // that follows the last read field is still required, and whatever comes after it is ignored.
  while (steps.length > 1 && steps[steps.length - 1].field === Field.Skip) steps.pop();
  // Steps after the last field the metrics need are optional (see Step.optional).
  let required = steps.length - 1;
  while (required > 0 && (steps[required].field === Field.Skip || steps[required].field === Field.ForwardedFor)) required--;
  for (let i = required + 1; i < steps.length; i++) steps[i].optional = true;
  if (!has.has(Field.Status)) throw new FormatError('the format has no status ($status or %>s)');
  if (!has.has(Field.Request) && !(has.has(Field.Method) && has.has(Field.Uri))) {
    throw new FormatError('the format has no request ($request, or $request_method and $request_uri; %r in Apache formats)');
  }
  return { prefix, steps, has, timed: DURATION_FIELDS.some((d) => has.has(d)) };
}

/** For the config schema: why a `format` value cannot be used, or undefined when it can. */
export function accessFormatProblem(format: string): string | undefined {
  if (JSON_FORMATS.has(format)) return undefined;
  try {
    compileFormat(format);
    return undefined;
  } catch (err) {
    if (err instanceof FormatError) return `invalid format: ${err.message}`;
    throw err;
  }
}
