// Exporter-wide state that operators alert on, exposed with the self-metrics: the outcome of the
// last configuration reload, as Prometheus and Alertmanager report theirs
// (prometheus_config_last_reload_successful, ..._success_timestamp_seconds), and what the HTTP
// server's limits refused (connections over --web.max-connections[-per-client], scrapes over
// --web.max-requests), so that a flood shows in Prometheus and not only in the scraper's errors.
import type { Registry } from 'prom-client';
import { defineMetric } from '../core/metric.js';
import type { RefusalReason } from '../server/connection-limit.js';

export class ExporterStatus {
  private reloadSuccessful = 1;
  private reloadSuccessAtMs = 0;
  private readonly connectionsRefused: Record<RefusalReason, number> = { limit: 0, client_limit: 0 };
  private scrapesRefused = 0;
  /** Connections the HTTP server holds now; installed by the exporter once it listens. */
  openConnections: () => number | undefined = () => undefined;

  constructor(registry: Registry) {
    defineMetric(registry, {
      name: 'hostwatch_config_last_reload_successful',
      help: 'Whether the last configuration reload (SIGHUP) applied both configuration files (1) or was refused (0); 1 after the start.',
      type: 'gauge',
      value: () => this.reloadSuccessful,
    });
    defineMetric(registry, {
      name: 'hostwatch_config_last_reload_success_timestamp_seconds',
      help: 'Time of the last successful configuration load (the start or a SIGHUP reload), in seconds since the epoch.',
      type: 'gauge',
      value: () => (this.reloadSuccessAtMs > 0 ? this.reloadSuccessAtMs / 1000 : undefined),
    });
    defineMetric(registry, {
      name: 'hostwatch_http_connections_open',
      help: 'TCP connections the HTTP server holds now.',
      type: 'gauge',
      value: () => this.openConnections(),
    });
    defineMetric(registry, {
      name: 'hostwatch_http_connections_refused_total',
      help: 'Connections closed as soon as accepted: over --web.max-connections (reason="limit") or over --web.max-connections-per-client for one client address (reason="client_limit").',
      type: 'counter',
      labelNames: ['reason'],
      samples: () => Object.entries(this.connectionsRefused).map(([reason, value]) => ({ labels: { reason }, value })),
    });
    defineMetric(registry, {
      name: 'hostwatch_http_scrapes_refused_total',
      help: 'Scrape requests answered 503 because --web.max-requests scrapes were in flight already.',
      type: 'counter',
      value: () => this.scrapesRefused,
    });
  }

  /** The configuration files were loaded and applied (at start, or by a reload). */
  configLoaded(nowMs: number): void {
    this.reloadSuccessful = 1;
    this.reloadSuccessAtMs = nowMs;
  }

  /** A reload was refused (or only partly applied): the files on disk are not what runs. */
  reloadFailed(): void {
    this.reloadSuccessful = 0;
  }

  connectionRefused(reason: RefusalReason): void {
    this.connectionsRefused[reason]++;
  }

  scrapeRefused(): void {
    this.scrapesRefused++;
  }
}
