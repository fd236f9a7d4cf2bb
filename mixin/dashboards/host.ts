// Host overview: CPU, memory and swap, disk I/O and space, network, load, processes, uptime, updates,
// and the dependencies the host probes.
import type { MixinConfig } from '../config.js';
import { recorded } from '../rules/recording.js';
import { M, barPanel, dashboardBase, finish, row, statPanel, thresholds, ts } from './common.js';
import { withDependencies } from './dependencies.js';

export function hostDashboard(cfg: MixinConfig) {
  const r = recorded(cfg);
  const h = cfg.host;
  const rate = (metric: string, extra = '') => `rate(${metric}{${M}${extra}}[$__rate_interval])`;
  const fsSel = `${M},fstype!~"tmpfs|ramfs"`;
  const d = withDependencies(
    cfg,
    dashboardBase(cfg, 'hostwatch-host', 'hostwatch / Host overview', ['host'])
      .withRow(row('Summary'))
      .withPanel(statPanel('Uptime', [{ expr: `hostwatch_uptime_seconds{${M}}`, legend: '{{instance}}' }], { unit: 'dtdurations' }))
      .withPanel(statPanel('CPUs', [{ expr: `${r.cpuCount}{${M}}`, legend: '{{instance}}' }]))
      .withPanel(
        statPanel('CPU busy', [{ expr: `${r.cpuUtilisation}{${M}}`, legend: '{{instance}}' }], {
          unit: 'percentunit',
          thresholds: thresholds([0.7, 'orange'], [h.cpuHigh.threshold, 'red']),
        }),
      )
      .withPanel(
        statPanel('Memory used', [{ expr: `${r.memoryUtilisation}{${M}}`, legend: '{{instance}}' }], {
          unit: 'percentunit',
          thresholds: thresholds([0.75, 'orange'], [h.memoryHigh.threshold, 'red']),
        }),
      )
      .withPanel(
        statPanel('Pending updates (security)', [{ expr: `hostwatch_os_updates_pending{${M},kind="security"}`, legend: '{{instance}}' }], {
          thresholds: thresholds([h.securityUpdates.minimum, 'red']),
        }),
      )
      .withPanel(
        statPanel('Reboot required', [{ expr: `hostwatch_reboot_required{${M}}`, legend: '{{instance}}' }], {
          thresholds: thresholds([1, 'orange']),
          description: '1 when /var/run/reboot-required exists.',
        }),
      )
      .withRow(row('CPU and load'))
      .withPanel(
        ts(
          'CPU usage by mode',
          [
            {
              expr: `sum by (instance, mode) (${rate('hostwatch_cpu_seconds_total', ',mode!="idle"')}) / on (instance) group_left () sum by (instance) (${r.cpuCount}{${M}})`,
              legend: '{{instance}} {{mode}}',
            },
          ],
          {
            unit: 'percentunit',
            stack: true,
            min: 0,
          },
        ),
      )
      .withPanel(
        ts(
          'Load average per CPU',
          [
            { expr: `hostwatch_load1{${M}} / on (job, instance) ${r.cpuCount}`, legend: '{{instance}} 1m' },
            { expr: `hostwatch_load5{${M}} / on (job, instance) ${r.cpuCount}`, legend: '{{instance}} 5m' },
            { expr: `hostwatch_load15{${M}} / on (job, instance) ${r.cpuCount}`, legend: '{{instance}} 15m' },
          ],
          { thresholds: thresholds([1, 'orange'], [h.loadPerCoreHigh.threshold, 'red']), min: 0 },
        ),
      )
      .withPanel(
        ts(
          'Pressure stall (waiting share of time)',
          [
            { expr: rate('hostwatch_pressure_cpu_waiting_seconds_total'), legend: '{{instance}} cpu' },
            { expr: rate('hostwatch_pressure_memory_waiting_seconds_total'), legend: '{{instance}} memory' },
            { expr: rate('hostwatch_pressure_io_waiting_seconds_total'), legend: '{{instance}} io' },
          ],
          { unit: 'percentunit', min: 0, w: 24, h: 6, description: 'From /proc/pressure (PSI) when the kernel has it.' },
        ),
      )
      .withRow(row('Memory and swap'))
      .withPanel(
        ts(
          'Memory',
          [
            { expr: `hostwatch_memory_total_bytes{${M}} - hostwatch_memory_available_bytes{${M}}`, legend: '{{instance}} used' },
            { expr: `hostwatch_memory_cached_bytes{${M}}`, legend: '{{instance}} cached' },
            { expr: `hostwatch_memory_buffers_bytes{${M}}`, legend: '{{instance}} buffers' },
            { expr: `hostwatch_memory_total_bytes{${M}}`, legend: '{{instance}} total' },
          ],
          { unit: 'bytes', min: 0 },
        ),
      )
      .withPanel(
        ts(
          'Swap',
          [
            { expr: `hostwatch_memory_swap_total_bytes{${M}} - hostwatch_memory_swap_free_bytes{${M}}`, legend: '{{instance}} swap used' },
            { expr: rate('hostwatch_memory_swapped_in_pages_total'), legend: '{{instance}} pages/s in' },
            { expr: rate('hostwatch_memory_swapped_out_pages_total'), legend: '{{instance}} pages/s out' },
          ],
          { unit: 'short', min: 0, description: 'Swap in use (bytes) and pages swapped per second: sustained swapping is thrashing.' },
        ),
      )
      .withRow(row('Disks'))
      .withPanel(
        ts(
          'Disk throughput',
          [
            { expr: rate('hostwatch_disk_read_bytes_total'), legend: '{{instance}} {{device}} read' },
            { expr: `-${rate('hostwatch_disk_written_bytes_total')}`, legend: '{{instance}} {{device}} write' },
          ],
          { unit: 'Bps', w: 8 },
        ),
      )
      .withPanel(
        ts('Disk busy (I/O time)', [{ expr: rate('hostwatch_disk_io_time_seconds_total'), legend: '{{instance}} {{device}}' }], {
          unit: 'percentunit',
          w: 8,
          min: 0,
          thresholds: thresholds([0.8, 'orange'], [0.95, 'red']),
        }),
      )
      .withPanel(
        ts(
          'Disk queue (weighted I/O time)',
          [{ expr: rate('hostwatch_disk_io_time_weighted_seconds_total'), legend: '{{instance}} {{device}}' }],
          {
            w: 8,
            min: 0,
            thresholds: thresholds([h.diskIOSaturation.queueDepth, 'red']),
          },
        ),
      )
      .withPanel(
        barPanel(
          'Filesystem space used',
          [
            {
              expr: `1 - hostwatch_filesystem_avail_bytes{${fsSel}} / hostwatch_filesystem_size_bytes{${fsSel}}`,
              legend: '{{instance}} {{mountpoint}}',
            },
          ],
          {
            unit: 'percentunit',
            min: 0,
            max: 1,
            w: 12,
            thresholds: thresholds([1 - h.filesystemAlmostFull.warning, 'orange'], [1 - h.filesystemAlmostFull.critical, 'red']),
          },
        ),
      )
      .withPanel(
        ts('Filesystem available', [{ expr: `hostwatch_filesystem_avail_bytes{${fsSel}}`, legend: '{{instance}} {{mountpoint}}' }], {
          unit: 'bytes',
          min: 0,
        }),
      )
      .withRow(row('Network'))
      .withPanel(
        ts(
          'Network traffic',
          [
            { expr: rate('hostwatch_network_receive_bytes_total'), legend: '{{instance}} {{device}} in' },
            { expr: `-${rate('hostwatch_network_transmit_bytes_total')}`, legend: '{{instance}} {{device}} out' },
          ],
          { unit: 'Bps' },
        ),
      )
      .withPanel(
        ts(
          'Network errors and drops',
          [
            { expr: rate('hostwatch_network_receive_errs_total'), legend: '{{instance}} {{device}} rx errors' },
            { expr: rate('hostwatch_network_transmit_errs_total'), legend: '{{instance}} {{device}} tx errors' },
            { expr: rate('hostwatch_network_receive_drop_total'), legend: '{{instance}} {{device}} rx drops' },
            { expr: rate('hostwatch_network_transmit_drop_total'), legend: '{{instance}} {{device}} tx drops' },
          ],
          { unit: 'pps', min: 0 },
        ),
      )
      .withRow(row('Processes'))
      .withPanel(
        ts(
          'Processes',
          [
            { expr: `hostwatch_procs_running{${M}}`, legend: '{{instance}} running' },
            { expr: `hostwatch_procs_blocked{${M}}`, legend: '{{instance}} blocked' },
            { expr: `hostwatch_processes{${M}}`, legend: '{{instance}} total' },
            { expr: `hostwatch_threads{${M}}`, legend: '{{instance}} threads' },
          ],
          { w: 8, min: 0 },
        ),
      )
      .withPanel(ts('Forks', [{ expr: rate('hostwatch_forks_total'), legend: '{{instance}}' }], { unit: 'ops', w: 8, min: 0 }))
      .withPanel(
        ts('File handles used', [{ expr: `hostwatch_filefd_allocated{${M}} / hostwatch_filefd_maximum{${M}}`, legend: '{{instance}}' }], {
          unit: 'percentunit',
          w: 8,
          min: 0,
          thresholds: thresholds([h.fileDescriptors.threshold, 'red']),
        }),
      ),
  );
  return finish(d);
}
