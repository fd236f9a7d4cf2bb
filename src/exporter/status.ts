// Exporter-wide state that operators alert on, exposed with the self-metrics: the outcome of the
// last configuration reload, as Prometheus and Alertmanager report theirs
// (prometheus_config_last_reload_successful, ..._success_timestamp_seconds).
import type { Registry } from 'prom-client';
import { defineMetric } from '../core/metric.js';

export class ExporterStatus {
  private reloadSuccessful = 1;
  private reloadSuccessAtMs = 0;

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
}
