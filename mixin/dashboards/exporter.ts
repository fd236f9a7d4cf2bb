// Exporter self-monitoring: collector success and duration, log lag, checkpoint health, process.
import type { MixinConfig } from '../config.js';
import { M, dashboardBase, finish, row, statPanel, tablePanel, thresholds, thresholdsFrom, ts } from './common.js';

export function exporterDashboard(cfg: MixinConfig) {
  const t = cfg.traffic;
  return finish(
    dashboardBase(cfg, 'hostwatch-exporter', 'hostwatch / Exporter self-monitoring', ['exporter'])
      .withRow(row('Collectors'))
      .withPanel(
        statPanel('Failing collectors', [{ expr: `count(hostwatch_collector_success{${M}} == 0) or vector(0)` }], {
          w: 6,
          thresholds: thresholds([1, 'red']),
        }),
      )
      .withPanel(statPanel('Scrape up', [{ expr: `min(up{${M}})` }], { w: 6, thresholds: thresholdsFrom('red', [1, 'green']) }))
      .withPanel(
        statPanel('Resident memory', [{ expr: `max(process_resident_memory_bytes{${M}})` }], {
          w: 6,
          unit: 'bytes',
          thresholds: thresholds([80 * 1048576, 'orange']),
        }),
      )
      .withPanel(statPanel('Version', [{ expr: `count by (version) (hostwatch_build_info{${M}})`, legend: '{{version}}' }], { w: 6 }))
      .withPanel(
        ts('Collector success', [{ expr: `hostwatch_collector_success{${M}}`, legend: '{{instance}} {{collector}}' }], {
          min: 0,
          max: 1,
          thresholds: thresholdsFrom('red', [1, 'green']),
        }),
      )
      .withPanel(
        ts('Collector duration', [{ expr: `hostwatch_collector_duration_seconds{${M}}`, legend: '{{instance}} {{collector}}' }], {
          unit: 's',
          min: 0,
        }),
      )
      .withPanel(
        ts('Scrape duration (Prometheus)', [{ expr: `scrape_duration_seconds{${M}}`, legend: '{{instance}}' }], { unit: 's', min: 0 }),
      )
      .withRow(row('Logs'))
      .withPanel(
        ts('Log lag (unread bytes)', [{ expr: `hostwatch_log_pending_bytes{${M}}`, legend: '{{instance}} {{log}}' }], {
          unit: 'bytes',
          min: 0,
          thresholds: thresholds([t.logLagging.bytes, 'red']),
        }),
      )
      .withPanel(
        ts(
          'Lines read',
          [
            {
              expr: `sum by (instance, log, result) (rate(hostwatch_log_lines_total{${M}}[$__rate_interval]))`,
              legend: '{{instance}} {{log}} {{result}}',
            },
          ],
          {
            unit: 'ops',
            min: 0,
          },
        ),
      )
      .withPanel(
        ts(
          'Bytes read',
          [
            {
              expr: `sum by (instance, log) (rate(hostwatch_log_bytes_read_total{${M}}[$__rate_interval]))`,
              legend: '{{instance}} {{log}}',
            },
          ],
          { unit: 'Bps', min: 0 },
        ),
      )
      .withPanel(
        ts('Time since last line', [{ expr: `time() - hostwatch_log_last_line_timestamp_seconds{${M}}`, legend: '{{instance}} {{log}}' }], {
          unit: 's',
          min: 0,
        }),
      )
      .withPanel(
        tablePanel(
          'Watched files and rotations',
          [{ expr: `hostwatch_log_files_watched{${M}}` }, { expr: `increase(hostwatch_log_rotations_total{${M}}[$__range])` }],
          { hide: ['job'], description: 'Files followed per log (A) and rotations seen in the time range, by kind (B).' },
        ),
      )
      .withPanel(
        ts('Files that cannot be followed', [{ expr: `hostwatch_log_file_errors{${M}} > 0`, legend: '{{instance}} {{log}} {{reason}}' }], {
          min: 0,
          thresholds: thresholds([1, 'red']),
          description:
            'Files or directories of a log that cannot be followed, by reason (permission denied, refused symlink...); the exporter log names the paths.',
        }),
      )
      .withRow(row('Checkpoints'))
      .withPanel(
        ts(
          'Checkpoint age',
          [{ expr: `time() - hostwatch_checkpoint_last_success_timestamp_seconds{${M}}`, legend: '{{instance}} {{log}}' }],
          {
            unit: 's',
            min: 0,
            description: 'Seconds since the last checkpoint written, or confirmed current (every second): grows only while writes fail.',
          },
        ),
      )
      .withPanel(
        ts(
          'Checkpoint errors',
          [
            {
              expr: `sum by (instance, log) (increase(hostwatch_checkpoint_errors_total{${M}}[$__rate_interval]))`,
              legend: '{{instance}} {{log}}',
            },
          ],
          {
            min: 0,
            thresholds: thresholds([1, 'red']),
          },
        ),
      )
      .withRow(row('Process'))
      .withPanel(
        ts('CPU', [{ expr: `rate(process_cpu_seconds_total{${M}}[$__rate_interval])`, legend: '{{instance}}' }], {
          unit: 'percentunit',
          w: 8,
          min: 0,
        }),
      )
      .withPanel(
        ts(
          'Memory',
          [
            { expr: `process_resident_memory_bytes{${M}}`, legend: '{{instance}} RSS' },
            { expr: `nodejs_heap_size_used_bytes{${M}}`, legend: '{{instance}} heap used' },
          ],
          { unit: 'bytes', w: 8, min: 0 },
        ),
      )
      .withPanel(
        ts('Event loop lag p99', [{ expr: `nodejs_eventloop_lag_p99_seconds{${M}}`, legend: '{{instance}}' }], {
          unit: 's',
          w: 8,
          min: 0,
          thresholds: thresholds([0.1, 'orange']),
        }),
      ),
  );
}
