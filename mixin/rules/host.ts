// Host alerts: the exporter itself, CPU, memory, disks, network, clock, updates, certificates.
import type { MixinConfig } from '../config.js';
import { alert, pct, seconds, sel, type AlertingRule, type RuleGroup } from './common.js';
import { recorded } from './recording.js';

export function hostAlerts(cfg: MixinConfig): RuleGroup {
  const h = cfg.host;
  const r = recorded(cfg);
  const fsReadWrite = `${sel(cfg, 'hostwatch_filesystem_readonly')} == 0`;
  const availRatio = `${sel(cfg, 'hostwatch_filesystem_avail_bytes')} / ${sel(cfg, 'hostwatch_filesystem_size_bytes')}`;
  const fsFull = (severity: 'warning' | 'critical', ratio: number): AlertingRule =>
    alert(
      cfg,
      'HostFilesystemAlmostFull',
      { for: h.filesystemAlmostFull.for, severity },
      `(${availRatio} < ${ratio}) and on (job, instance, device, mountpoint) (${fsReadWrite})`,
      'Filesystem almost full.',
      `Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only {{ $value | humanizePercentage }} space available (${severity} below ${pct(ratio)}).`,
    );
  const certDays = (days: number) => `(${sel(cfg, 'hostwatch_tls_cert_not_after_seconds')} - time()) < ${days * 86400}`;
  const cert = (severity: 'warning' | 'critical', days: number): AlertingRule =>
    alert(
      cfg,
      'TLSCertificateExpiring',
      { for: h.tlsExpiry.for, severity },
      certDays(days),
      'TLS certificate expires soon.',
      `Certificate {{ $labels.subject }} in {{ $labels.path }} on {{ $labels.instance }} expires in {{ $value | humanizeDuration }} (${severity} below ${days} days).`,
    );

  return {
    name: 'hostwatch-host.alerts',
    rules: [
      alert(
        cfg,
        'HostwatchDown',
        h.down,
        // `up == 0`: the scrape fails; absent(): the target vanished from discovery altogether.
        `${sel(cfg, 'up')} == 0 or absent(${sel(cfg, 'up')})`,
        'hostwatch exporter is down.',
        'Prometheus cannot scrape hostwatch target "{{ $labels.instance }}" of job {{ $labels.job }} (an empty target means the job has no target at all): no host, log or security metrics from there, and its other alerts are inhibited.',
      ),
      alert(
        cfg,
        'HostwatchCollectorFailing',
        h.collectorFailing,
        `${sel(cfg, 'hostwatch_collector_success')} == 0`,
        'A hostwatch collector keeps failing.',
        'Collector {{ $labels.collector }} on {{ $labels.instance }} has failed every scrape for ' +
          h.collectorFailing.for +
          ': its metrics are missing.',
      ),
      alert(
        cfg,
        'HostwatchConfigReloadFailed',
        h.configReloadFailed,
        // max_over_time, as the Prometheus and Alertmanager mixins do: a failed reload followed within
        // the window by a good one is the normal edit-and-retry cycle, not an incident.
        `max_over_time(${sel(cfg, 'hostwatch_config_last_reload_successful')}[5m]) == 0`,
        'hostwatch configuration reload failed.',
        'The last configuration reload (SIGHUP) of hostwatch on {{ $labels.instance }} was refused: it still runs the previous configuration, not the files on disk. The exporter log says why (`reload failed`); `hostwatch check-config` lists every problem.',
      ),
      alert(
        cfg,
        'HostwatchTextfileScrapeError',
        h.textfileScrapeError,
        `${sel(cfg, 'hostwatch_textfile_scrape_error')} == 1`,
        'A textfile of hostwatch could not be read.',
        'The textfile collector of hostwatch on {{ $labels.instance }} skips a *.prom file (or cannot read its directory): the metrics of that script are missing. The exporter log names the file and the line (`textfile skipped`).',
      ),
      alert(
        cfg,
        'HostCPUHigh',
        h.cpuHigh,
        `${r.cpuUtilisation}{${cfg.selector}} > ${h.cpuHigh.threshold}`,
        'CPU utilisation is high.',
        `CPU on {{ $labels.instance }} is {{ $value | humanizePercentage }} busy (threshold ${pct(h.cpuHigh.threshold)}).`,
      ),
      alert(
        cfg,
        'HostMemoryHigh',
        h.memoryHigh,
        `${r.memoryUtilisation}{${cfg.selector}} > ${h.memoryHigh.threshold}`,
        'Memory utilisation is high.',
        `Memory on {{ $labels.instance }} is {{ $value | humanizePercentage }} used (threshold ${pct(h.memoryHigh.threshold)}).`,
      ),
      alert(
        cfg,
        'HostSwapThrashing',
        h.swapThrashing,
        `rate(${sel(cfg, 'hostwatch_memory_swapped_in_pages_total')}[5m]) + rate(${sel(cfg, 'hostwatch_memory_swapped_out_pages_total')}[5m]) > ${h.swapThrashing.pagesPerSecond}`,
        'The host is swapping heavily.',
        `{{ $labels.instance }} swaps {{ $value | humanize }} pages/s in and out (threshold ${h.swapThrashing.pagesPerSecond}): memory is overcommitted.`,
      ),
      fsFull('warning', h.filesystemAlmostFull.warning),
      fsFull('critical', h.filesystemAlmostFull.critical),
      alert(
        cfg,
        'HostFilesystemFillingUp',
        h.filesystemFillingUp,
        `(${availRatio} < ${h.filesystemFillingUp.onlyBelow}) and on (job, instance, device, mountpoint) ` +
          `(predict_linear(${sel(cfg, 'hostwatch_filesystem_avail_bytes')}[${h.filesystemFillingUp.lookback}], ${seconds(h.filesystemFillingUp.horizon)}) < 0) ` +
          `and on (job, instance, device, mountpoint) (${fsReadWrite})`,
        'Filesystem predicted to fill up.',
        `Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} available and, at the rate of the last ${h.filesystemFillingUp.lookback}, fills up within ${h.filesystemFillingUp.horizon}.`,
      ),
      alert(
        cfg,
        'HostDiskIOSaturated',
        h.diskIOSaturation,
        `rate(${sel(cfg, 'hostwatch_disk_io_time_weighted_seconds_total')}[5m]) > ${h.diskIOSaturation.queueDepth}`,
        'Disk I/O is saturated.',
        `Device {{ $labels.device }} on {{ $labels.instance }} has an average I/O queue of {{ $value | humanize }} (threshold ${h.diskIOSaturation.queueDepth}): I/O waits.`,
      ),
      alert(
        cfg,
        'HostLoadHigh',
        h.loadPerCoreHigh,
        `${r.loadPerCpu}{${cfg.selector}} > ${h.loadPerCoreHigh.threshold}`,
        'Load per CPU is high.',
        `15-minute load on {{ $labels.instance }} is {{ $value | humanize }} per CPU (threshold ${h.loadPerCoreHigh.threshold}).`,
      ),
      alert(
        cfg,
        'HostNetworkErrors',
        h.networkErrors,
        `rate(${sel(cfg, 'hostwatch_network_receive_errs_total')}[5m]) + rate(${sel(cfg, 'hostwatch_network_transmit_errs_total')}[5m]) > ${h.networkErrors.errorsPerSecond}`,
        'Network interface errors.',
        `Interface {{ $labels.device }} on {{ $labels.instance }} has {{ $value | humanize }} receive+transmit errors/s (threshold ${h.networkErrors.errorsPerSecond}).`,
      ),
      alert(
        cfg,
        'HostClockSkew',
        h.clockSkew,
        // hostwatch_time_seconds is the host's clock when scraped, timestamp() Prometheus' clock.
        `abs(${sel(cfg, 'hostwatch_time_seconds')} - timestamp(${sel(cfg, 'hostwatch_time_seconds')})) > ${h.clockSkew.seconds}`,
        'Host clock is skewed.',
        `The clock of {{ $labels.instance }} is {{ $value | humanize }}s away from Prometheus' clock (threshold ${h.clockSkew.seconds}s): check NTP/chrony.`,
      ),
      alert(
        cfg,
        'HostFileDescriptorsExhausted',
        h.fileDescriptors,
        `${sel(cfg, 'hostwatch_filefd_allocated')} / ${sel(cfg, 'hostwatch_filefd_maximum')} > ${h.fileDescriptors.threshold}`,
        'File descriptors near the limit.',
        `{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its file handles (threshold ${pct(h.fileDescriptors.threshold)}).`,
      ),
      alert(
        cfg,
        'HostRebootRequired',
        h.rebootRequired,
        `${sel(cfg, 'hostwatch_reboot_required')} == 1`,
        'Host needs a reboot.',
        '{{ $labels.instance }} needs a reboot to finish installing updates (reboot-required flag set).',
      ),
      alert(
        cfg,
        'HostSecurityUpdatesPending',
        h.securityUpdates,
        `${sel(cfg, 'hostwatch_os_updates_pending', 'kind="security"')} >= ${h.securityUpdates.minimum}`,
        'Security updates are pending.',
        '{{ $labels.instance }} has {{ $value }} pending security updates.',
      ),
      cert('warning', h.tlsExpiry.warningDays),
      cert('critical', h.tlsExpiry.criticalDays),
    ],
  };
}
