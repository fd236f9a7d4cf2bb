// `hostwatch parse --type access [--format F | --log NAME] FILE|-`: one JSON object per line with
// the fields the metrics use. The format comes from --format, else from the access log named by
// --log in --config.file (with its json_fields), else combined.
import type { ParseFieldsOptions, LineParser } from '../handler.js';
import type { AccessLogConfig } from './config.js';
import { compileFormat, FormatError, JSON_FORMATS } from './format.js';
import { createAccessParser } from './parse.js';
import { STATUS_CLASSES } from './record.js';
import { METHODS } from './request.js';

export async function accessParseFields(opts: ParseFieldsOptions<AccessLogConfig>): Promise<LineParser> {
  const log = opts.format === undefined && opts.logName !== undefined ? await opts.configuredLog(opts.logName) : undefined;
  const format = opts.format ?? log?.format ?? 'combined';
  if (!JSON_FORMATS.has(format)) {
    try {
      compileFormat(format);
    } catch (err) {
      if (err instanceof FormatError) throw new Error(`--format: ${err.message}`, { cause: err });
      throw err;
    }
  }
  const parser = createAccessParser(format, { jsonFields: log?.json_fields });
  return (line) => {
    // The parser reads lines as the tailer gives them, as bytes (UTF-8, like the file).
    const bytes = Buffer.from(line);
    const rec = parser.parseDetail(bytes, 0, bytes.length);
    if (!rec) return undefined;
    const method = METHODS[rec.method];
    return {
      section: rec.section,
      method,
      // The method as written, when it is not one of the fixed set (counted as OTHER).
      ...(method === 'OTHER' && rec.methodText !== method ? { method_raw: rec.methodText } : {}),
      status: rec.status,
      status_class: STATUS_CLASSES[Math.floor(rec.status / 100) - 1],
      bytes: rec.bytes,
      duration_seconds: rec.duration ?? null,
      source: rec.source || null,
      path: rec.path,
      timestamp: rec.timestamp === undefined ? null : new Date(rec.timestamp).toISOString(),
    };
  };
}
