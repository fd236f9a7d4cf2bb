// `hostwatch parse --type access [--format F | --log NAME] FILE|-`: one JSON object per line with
// the fields the metrics use. The format comes from --format, else from the access log named by
// --log in --config.file (with its json_fields), else combined.
import { PARSER_FACTORIES, type ParseOptions, type LineParser } from '../../cli/parse.js';
import { loadConfig } from '../../config/load.js';
import type { AccessLogConfig } from '../../config/schema.js';
import { compileFormat, FormatError, JSON_FORMATS } from './format.js';
import { createAccessParser } from './parse.js';
import { STATUS_CLASSES } from './record.js';
import { METHODS } from './request.js';
import type { JsonFieldNames } from './json.js';

async function accessSettings(opts: ParseOptions): Promise<{ format: string; json?: Partial<JsonFieldNames> }> {
  if (opts.format !== undefined || opts.log === undefined) return { format: opts.format ?? 'combined' };
  const config = await loadConfig(opts.configFile ?? 'hostwatch.yml');
  const log = config.logs.find((l): l is AccessLogConfig => l.type === 'access' && l.name === opts.log);
  if (!log) throw new Error(`--log: no access log named "${opts.log}" in ${opts.configFile}`);
  return { format: log.format, json: log.json_fields };
}

export async function createAccessLineParser(opts: ParseOptions): Promise<LineParser> {
  const { format, json } = await accessSettings(opts);
  if (!JSON_FORMATS.has(format)) {
    try {
      compileFormat(format);
    } catch (err) {
      if (err instanceof FormatError) throw new Error(`--format: ${err.message}`);
      throw err;
    }
  }
  const parser = createAccessParser(format, { jsonFields: json });
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

PARSER_FACTORIES.access = createAccessLineParser;
