// The `access` log type in the config: its keys, checked at load time (a format that cannot be
// compiled is a config error), and an example entry.
import { z } from 'zod';
import { posInt } from '../../config/fields.js';
import { logTypeConfig } from '../../config/log-entry.js';
import { trustedProxyProblem } from './clients.js';
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
        forwarded_for: z
          .string()
          .default('http_x_forwarded_for')
          .describe('Field holding the X-Forwarded-For header (a string, or a list of strings), read only for lines from trusted_proxies'),
      })
      .prefault({})
      .describe('Field names for format: json (dotted paths reach nested objects)'),
    max_sections: posInt('Distinct sections kept per log; the rest are counted as section="__other__"', 50),
    duration_buckets: z
      .array(z.number().positive())
      .default(DEFAULT_DURATION_BUCKETS)
      .describe('Histogram buckets of hostwatch_http_request_duration_seconds'),
    top_clients: z
      .number()
      .int()
      .nonnegative()
      .default(20)
      .describe(
        'Client addresses with a series of their own in hostwatch_http_client_requests_total: the first to show up as frequent (a Misra-Gries summary), ' +
          'kept for good so that counters stay monotonic; the other requests count as client="__other__". 0 turns the metric off',
      ),
    trusted_proxies: z
      .array(
        z.string().superRefine((v, ctx) => {
          const problem = trustedProxyProblem(v);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .default([])
      .describe(
        'Addresses or CIDR ranges of the reverse proxies / load balancers in front of the server: for a request from one of them the client is read from ' +
          'the X-Forwarded-For header the format logs ($http_x_forwarded_for, %{X-Forwarded-For}i, json_fields.forwarded_for), from the right, skipping trusted proxies',
      ),
  },
  { name: 'nginx', path: '/var/log/nginx/*access.log', format: 'combined' },
);

export type AccessLogConfig = z.output<typeof accessLog.schema>;
