// Fleet: hosts by OS and version, kernels, long uptimes, pending security updates, newest/oldest boots.
import type { MixinConfig } from '../config.js';
import { M, barPanel, dashboardBase, finish, row, statPanel, tablePanel, thresholds } from './common.js';

export function fleetDashboard(cfg: MixinConfig) {
  const longUptime = cfg.dashboards.longUptimeDays * 86400;
  const uptime = `time() - hostwatch_boot_time_seconds{${M}}`;
  return finish(
    dashboardBase(cfg, 'hostwatch-fleet', 'hostwatch / Fleet', ['fleet'])
      .withRow(row('Fleet'))
      .withPanel(statPanel('Hosts up', [{ expr: `sum(up{${M}})` }], { w: 6 }))
      .withPanel(statPanel('Hosts down', [{ expr: `count(up{${M}} == 0) or vector(0)` }], { w: 6, thresholds: thresholds([1, 'red']) }))
      .withPanel(
        statPanel('Hosts with security updates', [{ expr: `count(hostwatch_os_updates_pending{${M},kind="security"} > 0) or vector(0)` }], {
          w: 6,
          thresholds: thresholds([1, 'orange']),
        }),
      )
      .withPanel(
        statPanel('Hosts needing a reboot', [{ expr: `count(hostwatch_reboot_required{${M}} == 1) or vector(0)` }], { w: 6, thresholds: thresholds([1, 'orange']) }),
      )
      .withRow(row('Operating systems'))
      .withPanel(barPanel('Hosts by OS', [{ expr: `count by (pretty_name) (hostwatch_os_info{${M}})`, legend: '{{pretty_name}}' }], { w: 8 }))
      .withPanel(barPanel('Hosts by kernel', [{ expr: `count by (kernel) (hostwatch_os_info{${M}})`, legend: '{{kernel}}' }], { w: 8 }))
      .withPanel(barPanel('Hosts by architecture', [{ expr: `count by (arch) (hostwatch_os_info{${M}})`, legend: '{{arch}}' }], { w: 8 }))
      .withPanel(
        tablePanel('Hosts', [{ expr: `hostwatch_os_info{${M}}` }], {
          w: 24,
          hide: ['Value'],
          description: 'One row per host: distribution, version, kernel and architecture.',
        }),
      )
      .withRow(row('Maintenance'))
      .withPanel(
        tablePanel(`Not rebooted for ${cfg.dashboards.longUptimeDays} days`, [{ expr: `sort_desc((${uptime}) > ${longUptime})` }], {
          unit: 'dtdurations',
          hide: ['job'],
        }),
      )
      .withPanel(
        tablePanel('Pending security updates', [{ expr: `sort_desc(hostwatch_os_updates_pending{${M},kind="security"} > 0)` }], {
          hide: ['job', 'kind'],
          thresholds: thresholds([1, 'orange'], [10, 'red']),
        }),
      )
      .withPanel(
        tablePanel('Newest hosts (most recently booted)', [{ expr: `bottomk(10, ${uptime})` }], { unit: 'dtdurations', hide: ['job'] }),
      )
      .withPanel(
        tablePanel('Oldest hosts (longest running)', [{ expr: `topk(10, ${uptime})` }], { unit: 'dtdurations', hide: ['job'] }),
      ),
  );
}
