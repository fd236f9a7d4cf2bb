// Web configuration file in the Prometheus exporter-toolkit format (--web.config.file): TLS, basic
// auth, response headers, plus hostwatch's rate_limit, roles and bearer_tokens (roles.ts). Loaded at start and on SIGHUP; any problem
// (bad key, unreadable or mismatched certificate, invalid bcrypt hash) is a ConfigError listing
// every `path.to.key: what is wrong`, so a bad file fails the start and a bad reload keeps the old one.
import { dirname, resolve } from 'node:path';
import type https from 'node:https';
import type { RequestHandler } from 'express';
import { ConfigError, validate } from '../config/errors.js';
import { readYamlFile, type ReadOptions } from '../config/load.js';
import { systemClock, type Clock } from '../core/clock.js';
import { webConfigSchema, ALLOWED_HEADERS, type WebConfigFile } from './webconfig-schema.js';
import { buildTlsOptions, tlsFileProblems, type TlsOptions } from './tls-options.js';
import { clientCertCheck } from './client-cert.js';
import { BasicAuth } from './basic-auth.js';
import { Authenticator, readBearerTokens } from './roles.js';
import { RateLimiter } from './rate-limit.js';

export interface WebConfig {
  /** TLS options for an https server; undefined serves plain HTTP. */
  tls?: TlsOptions;
  /** Middleware for every request, in order: headers, rate limit, client certificate, basic auth. */
  middleware: RequestHandler[];
  /** No web config, or an empty file: plain HTTP, no authentication. */
  empty?: boolean;
}

export interface WebConfigOptions extends ReadOptions {
  /** Clock of the rate limiter (tests inject a ManualClock). */
  clock?: Clock;
}

/** Validates the parsed YAML of a web config; throws ConfigError. */
export function parseWebConfig(raw: unknown, file = '<web config>'): WebConfigFile {
  const { data, problems } = validate(webConfigSchema, raw ?? {});
  if (data === undefined) throw new ConfigError(file, problems);
  return data;
}

function headersMiddleware(headers: Record<string, string>): RequestHandler | undefined {
  const entries = Object.entries(headers).map(([name, value]) => {
    const canonical = Object.keys(ALLOWED_HEADERS).find((h) => h.toLowerCase() === name.toLowerCase()) ?? name;
    return [canonical, value] as const;
  });
  if (entries.length === 0) return undefined;
  return (_req, res, next) => {
    for (const [name, value] of entries) res.setHeader(name, value);
    next();
  };
}

/** Builds the running web config from a validated file; `baseDir` resolves relative paths. */
export async function buildWebConfig(cfg: WebConfigFile, baseDir: string, file: string, opts: WebConfigOptions = {}): Promise<WebConfig> {
  let tls: WebConfig['tls'];
  const middleware: RequestHandler[] = [];
  const headers = headersMiddleware(cfg.http_server_config.headers);
  // Headers first, so that 401 and 429 answers carry them too.
  if (headers) middleware.push(headers);
  // Rate limit before auth: failed logins each cost a bcrypt, the limit caps that work.
  if (cfg.rate_limit)
    middleware.push(new RateLimiter(cfg.rate_limit.interval, cfg.rate_limit.burst, opts.clock ?? systemClock).middleware());
  if (cfg.tls_server_config) {
    const { setup, problems } = await buildTlsOptions(cfg.tls_server_config, baseDir);
    if (!setup) throw new ConfigError(file, problems);
    tls = setup.options;
    const check = clientCertCheck(setup.clientAuthType, setup.clientAllowedSans);
    if (check) middleware.push(check);
  }
  const { tokens, problems } = await readBearerTokens(cfg.bearer_tokens, baseDir);
  if (problems.length > 0) throw new ConfigError(file, problems);
  const hasUsers = Object.keys(cfg.basic_auth_users).length > 0;
  if (hasUsers || tokens.length > 0) {
    middleware.push(new Authenticator(hasUsers ? new BasicAuth(cfg.basic_auth_users) : undefined, cfg.roles, tokens).middleware());
  }
  return { tls, middleware };
}

export async function loadWebConfig(file: string | undefined, opts: WebConfigOptions = {}): Promise<WebConfig> {
  if (!file) return { middleware: [], empty: true };
  const { value, empty } = await readYamlFile(file, opts);
  // As in the toolkit, relative certificate paths are relative to the web config file.
  const baseDir = dirname(resolve(file));
  const { data, problems } = validate(webConfigSchema, value ?? {});
  if (data === undefined) {
    // The files are checked too, so that one run reports a missing certificate with the rest.
    const tls = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).tls_server_config : undefined;
    throw new ConfigError(file, [...problems, ...(await tlsFileProblems(tls, baseDir))]);
  }
  return { ...(await buildWebConfig(data, baseDir, file, opts)), empty };
}

/**
 * Applies reloaded TLS options to a running https server: new connections get the new certificate,
 * CA and versions. setSecureContext() does not touch requestCert/rejectUnauthorized, which the
 * server reads for each new connection, so they are set here too.
 */
export function applyTls(server: https.Server, tls: TlsOptions): void {
  server.setSecureContext(tls);
  Object.assign(server, { requestCert: tls.requestCert, rejectUnauthorized: tls.rejectUnauthorized });
}
