// promtool tests of the alerts about hostwatch itself (down, failing collectors, refused reloads,
// skipped textfiles): in the host rule file, listed first.
import { AlertCatalog, T, type PromtoolGroup } from './dsl.js';

export function exporterTests(c: AlertCatalog): PromtoolGroup[] {
  const h = c.cfg.host;
  const reloadFailed =
    'The last configuration reload (SIGHUP) of hostwatch on host1:10023 was refused: it still runs the previous configuration, not the files on disk. The exporter log says why (`reload failed`); `hostwatch check-config` lists every problem.';
  const textfileError =
    'The textfile collector of hostwatch on host1:10023 skips a *.prom file (or cannot read its directory): the metrics of that script are missing. The exporter log names the file and the line (`textfile skipped`).';
  const down =
    'Prometheus cannot scrape hostwatch target "host1:10023" of job hostwatch (an empty target means the job has no target at all): no host, log or security metrics from there, and its other alerts are inhibited.';
  return [
    c.group(
      'HostwatchDown',
      'scrape fails',
      [[`up{${T}}`, '1 1 0x10']],
      [
        { at: '2m', alerts: [] },
        { at: '5m', alerts: [{ description: down }] },
      ],
    ),
    c.group(
      'HostwatchDown',
      'target missing from discovery',
      [['up{job="other",instance="x:1"}', '1x10']],
      [
        {
          at: '5m',
          alerts: [
            {
              noTarget: true,
              labels: { job: 'hostwatch' },
              description: down.replace('"host1:10023"', '""'),
            },
          ],
        },
      ],
    ),
    c.group('HostwatchDown', 'scrape succeeds', [[`up{${T}}`, '1x10']], [{ at: '5m', alerts: [] }]),
    c.group(
      'HostwatchCollectorFailing',
      'collector fails',
      [[`hostwatch_collector_success{${T},collector="cpu"}`, '0x30']],
      [
        { at: '5m', alerts: [] },
        {
          at: '15m',
          alerts: [
            {
              labels: { collector: 'cpu' },
              description: `Collector cpu on host1:10023 has failed every scrape for ${h.collectorFailing.for}: its metrics are missing.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostwatchCollectorFailing',
      'collector succeeds',
      [[`hostwatch_collector_success{${T},collector="cpu"}`, '1x30']],
      [{ at: '15m', alerts: [] }],
    ),
    c.group(
      'HostwatchConfigReloadFailed',
      'a reload is refused and not fixed',
      [[`hostwatch_config_last_reload_successful{${T}}`, '1 1 0x30']],
      [
        { at: '5m', alerts: [] },
        { at: '20m', alerts: [{ description: reloadFailed }] },
      ],
    ),
    c.group(
      'HostwatchConfigReloadFailed',
      'a refused reload fixed by the next one',
      [[`hostwatch_config_last_reload_successful{${T}}`, '1 0 0 1x30']],
      [
        { at: '2m', alerts: [] },
        { at: '20m', alerts: [] },
      ],
    ),
    c.group(
      'HostwatchConfigReloadFailed',
      'fires, then resolves once a reload succeeds',
      [[`hostwatch_config_last_reload_successful{${T}}`, '0x20 1x20']],
      [
        { at: '16m', alerts: [{ description: reloadFailed }] },
        { at: '30m', alerts: [] },
      ],
    ),
    c.group(
      'HostwatchTextfileScrapeError',
      'a bad file stays',
      [[`hostwatch_textfile_scrape_error{${T}}`, '0 0 1x30']],
      [
        { at: '5m', alerts: [] },
        { at: '15m', alerts: [{ description: textfileError }] },
      ],
    ),
    c.group(
      'HostwatchTextfileScrapeError',
      'a file caught half-written for one scrape',
      [[`hostwatch_textfile_scrape_error{${T}}`, '0 1 0x30']],
      [
        { at: '1m', alerts: [] },
        { at: '15m', alerts: [] },
      ],
    ),
  ];
}
