// The `access` log type in the config: its keys, checked at load time (a format that cannot be
// compiled is a config error), and an example entry.
import { z } from 'zod';
import { posInt } from '../../config/fields.js';
import { logTypeConfig } from '../../config/log-entry.js';
import { accessFormatProblem } from './format.js';

export const DEFAULT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const accessLog = logTypeConfig(
  'access',
  {
    format: z
      .string()
      .superRefine((v, ctx) => {
        const problem = accessFormatProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('combined')
      .describe(
        'combined, common, json (field names from json_fields), caddy or traefik (JSON access logs of these servers), or an nginx log_format string such as ' +
          '\'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time\', ' +
          'or an Apache LogFormat string such as \'%h %l %u %t "%r" %>s %b %D\'',
      ),
    json_fields: z
      .strictObject({
        method: z.string().default('method').describe('Field holding the HTTP method'),
        path: z.string().default('path').describe('Field holding the request path (or the full URI)'),
        request: z.string().default('request').describe('Field holding "METHOD /path HTTP/x" when method/path are absent'),
        status: z.string().default('status').describe('Field holding the status code'),
        bytes: z.string().default('bytes').describe('Field holding the response size in bytes'),
        duration: z.string().default('request_time').describe('Field holding the request duration'),
        duration_unit: z
          .enum(['s', 'ms', 'us', 'ns'])
          .default('s')
          .describe('Unit of the duration field: s (nginx $request_time, Caddy), ms, us, or ns (Traefik Duration)'),
        time: z.string().default('time').describe('Field holding the timestamp (ISO 8601 or epoch seconds)'),
        source: z.string().default('remote_addr').describe('Field holding the client address'),
      })
      .prefault({})
      .describe('Field names for format: json (dotted paths reach nested objects)'),
    max_sections: posInt('Distinct sections kept per log; the rest are counted as section="__other__"', 50),
    duration_buckets: z
      .array(z.number().positive())
      .default(DEFAULT_DURATION_BUCKETS)
      .describe('Histogram buckets of hostwatch_http_request_duration_seconds'),
  },
  { name: 'nginx', path: '/var/log/nginx/*access.log', format: 'combined' },
);

export type AccessLogConfig = z.output<typeof accessLog.schema>;
