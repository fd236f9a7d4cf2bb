// The HTTP routes: /metrics (or --web.telemetry-path), the landing page, and the health endpoints.
// No request input is used for anything but routing and content negotiation: it never reaches a
// file path or a shell. Each route answers GET and HEAD; any other method gets 405 with `Allow`.
import express, { type Express, type RequestHandler, type Response } from 'express';
import { VERSION, REVISION } from '../core/version.js';
import type { SharedScrapes } from '../exporter/scrape.js';
import { acceptsGzip, negotiateFormat } from './negotiate.js';

export type Scrapes = Pick<SharedScrapes, 'serve' | 'maxRequests'>;

export interface AppOptions {
  telemetryPath: string;
  /**
   * Serves scrapes in the negotiated format, gzipped or not; `serve` returns undefined when
   * `maxRequests` scrapes are in flight already (answered 503, as node_exporter's --web.max-requests).
   */
  scrapes: Scrapes;
  /** Whether the exporter has finished starting (collectors started, state loaded). */
  ready: () => boolean;
  /** Middleware applied before every route (auth, rate limit, headers), from the web config. */
  middleware?: RequestHandler[];
  /** Further routes (the JSON API), mounted after the middleware and before the landing page. */
  routers?: RequestHandler[];
  /** Counts scrapes in flight, so that shutdown can wait for them. */
  onScrapeStart?: () => void;
  onScrapeEnd?: () => void;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const ALLOWED_METHODS = 'GET, HEAD';

function methodNotAllowed(res: Response): void {
  res.status(405).set('Allow', ALLOWED_METHODS).type('text/plain').send('Method not allowed\n');
}

export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  for (const mw of opts.middleware ?? []) app.use(mw);

  // Matched as a literal path, not as an express route pattern: a telemetry path holding ":" or
  // "*" (from the flag) must not turn into a parameter or a wildcard.
  const isTelemetryPath = (path: string) => {
    try {
      return decodeURIComponent(path) === opts.telemetryPath;
    } catch {
      return false;
    }
  };
  app.use((req, res, next) => {
    if (!isTelemetryPath(req.path)) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
    const { format, contentType } = negotiateFormat(req.headers.accept);
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    res.vary('Accept').vary('Accept-Encoding');
    const pending = opts.scrapes.serve(format, gzip);
    if (!pending) {
      res
        .status(503)
        .set('Retry-After', '1')
        .type('text/plain')
        .send(`Limit of concurrent requests reached (${opts.scrapes.maxRequests}), try again later.\n`);
      return;
    }
    opts.onScrapeStart?.();
    pending
      .then(
        (body) => {
          res.set('Content-Type', contentType);
          if (gzip) res.set('Content-Encoding', 'gzip');
          res.send(body);
        },
        (err: Error) => {
          res.status(500).type('text/plain').send(`scrape failed: ${err.message}\n`);
        },
      )
      .finally(() => opts.onScrapeEnd?.());
  });

  for (const r of opts.routers ?? []) app.use(r);

  const page = (path: string, handler: RequestHandler) =>
    app
      .route(path)
      .get(handler)
      .all((_req, res) => methodNotAllowed(res));

  page('/-/healthy', (_req, res) => {
    res.type('text/plain').send('Healthy\n');
  });

  page('/-/ready', (_req, res) => {
    if (opts.ready()) res.type('text/plain').send('Ready\n');
    else res.status(503).type('text/plain').send('Not ready\n');
  });

  page('/', (_req, res) => {
    const path = escapeHtml(opts.telemetryPath);
    res.type('text/html').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>hostwatch</title></head>
<body>
<h1>hostwatch</h1>
<p>Host monitoring exporter for Prometheus, version ${escapeHtml(VERSION)} (revision ${escapeHtml(REVISION)}).</p>
<ul>
<li><a href="${path}">${path}</a>: metrics</li>
<li><a href="/-/healthy">/-/healthy</a>: liveness</li>
<li><a href="/-/ready">/-/ready</a>: readiness</li>
</ul>
</body></html>
`);
  });

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found\n');
  });
  return app;
}
