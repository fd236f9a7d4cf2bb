// The HTTP routes: /metrics (or --web.telemetry-path), the landing page, and the health endpoints.
// No request input is used for anything but routing: it never reaches a file path or a shell.
import express, { type Express, type RequestHandler } from 'express';
import { VERSION, REVISION } from '../core/version.js';

/** One rendered scrape: the exposition text and its content type. */
export interface ScrapeResult {
  body: string;
  contentType: string;
}

export interface AppOptions {
  telemetryPath: string;
  scrape: () => Promise<ScrapeResult>;
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
  app.use(async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isTelemetryPath(req.path)) return next();
    opts.onScrapeStart?.();
    try {
      const result = await opts.scrape();
      res.set('Content-Type', result.contentType).send(result.body);
    } catch (err) {
      res.status(500).type('text/plain').send(`scrape failed: ${(err as Error).message}\n`);
    } finally {
      opts.onScrapeEnd?.();
    }
  });

  for (const r of opts.routers ?? []) app.use(r);

  app.get('/-/healthy', (_req, res) => {
    res.type('text/plain').send('Healthy\n');
  });

  app.get('/-/ready', (_req, res) => {
    if (opts.ready()) res.type('text/plain').send('Ready\n');
    else res.status(503).type('text/plain').send('Not ready\n');
  });

  app.get('/', (_req, res) => {
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
