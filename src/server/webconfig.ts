// Web configuration file in the Prometheus exporter-toolkit format (--web.config.file).
// PLACEHOLDER: TLS, basic auth, headers and rate limiting are implemented by the web security work.
import type { RequestHandler } from 'express';
import type { SecureContextOptions } from 'node:tls';

export interface WebConfig {
  /** TLS options for an https server; undefined serves plain HTTP. */
  tls?: SecureContextOptions & { requestCert?: boolean; rejectUnauthorized?: boolean };
  /** Middleware for every request: headers, rate limit, basic auth. */
  middleware: RequestHandler[];
}

export async function loadWebConfig(file: string | undefined): Promise<WebConfig> {
  if (!file) return { middleware: [] };
  throw new Error('web config: not implemented yet');
}
