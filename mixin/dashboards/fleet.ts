// Fleet: hosts by OS and version, kernels, uptimes, pending security updates and reboots, end-of-life
// releases; and the asset inventory (Qualys, CrowdStrike) beside what the exporters report: hosts by
// OS, new this week, stale, in the inventory but not scraped, import status.
import type { MixinConfig } from '../config.js';
import { endOfLifeSelector } from '../rules/fleet.js';
import { M, barPanel, dashboardBase, finish, row, statPanel, tablePanel, thresholds } from './common.js';

export function fleetDashboard(cfg: MixinConfig) {
  const longUptime = cfg.dashboards.longUptimeDays * 86400;
  const uptime = `time() - hostwatch_boot_time_seconds{${M}}`;
  const inv = (metric: string, extra = 'source="all"') => `${metric}{${M},${extra}}`;
  const uptimeBucket = (legend: string, cond: string) => ({ expr: `count((${uptime}) ${cond}) or vector(0)`, legend });
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
        statPanel('Hosts needing a reboot', [{ expr: `count(hostwatch_reboot_required{${M}} == 1) or vector(0)` }], {
          w: 6,
          thresholds: thresholds([1, 'orange']),
        }),
      )
      .withRow(row('Operating systems'))
      .withPanel(
        barPanel('Hosts by OS', [{ expr: `count by (pretty_name) (hostwatch_os_info{${M}})`, legend: '{{pretty_name}}' }], { w: 8 }),
      )
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
      .withPanel(tablePanel('Oldest hosts (longest running)', [{ expr: `topk(10, ${uptime})` }], { unit: 'dtdurations', hide: ['job'] }))
      .withPanel(
        barPanel(
          'Hosts by uptime',
          [
            uptimeBucket('< 1 day', '< 86400'),
            uptimeBucket('1 to 7 days', '>= 86400 < 604800'),
            uptimeBucket('7 to 30 days', '>= 604800 < 2592000'),
            uptimeBucket(`30 to ${cfg.dashboards.longUptimeDays} days`, `>= 2592000 < ${longUptime}`),
            uptimeBucket(`over ${cfg.dashboards.longUptimeDays} days`, `>= ${longUptime}`),
          ],
          { w: 8 },
        ),
      )
      .withPanel(
        tablePanel('Reboot required', [{ expr: `hostwatch_reboot_required{${M}} == 1` }], {
          w: 8,
          hide: ['job', 'Value'],
          description: 'Hosts whose updates need a reboot (/var/run/reboot-required).',
        }),
      )
      .withPanel(
        tablePanel(
          'End-of-life OS releases',
          [
            {
              expr: `group by (instance, pretty_name, id, version_id) (${endOfLifeSelector(cfg, 'hostwatch_os_info', 'id', 'version_id', '', M)})`,
            },
          ],
          {
            w: 8,
            hide: ['Value'],
            description:
              'Scraped hosts running a release of the end-of-life list (fleet.endOfLife in mixin/config.ts): no security updates any more.',
          },
        ),
      )
      .withRow(row('Asset inventory'))
      .withPanel(
        statPanel('Hosts in the inventory', [{ expr: `sum(${inv('hostwatch_inventory_hosts')})` }], {
          description: 'De-duplicated over every imported source (Qualys, CrowdStrike Falcon).',
        }),
      )
      .withPanel(
        statPanel('In the inventory, not scraped', [{ expr: `sum(${inv('hostwatch_inventory_hosts_not_reporting')})` }], {
          thresholds: thresholds([1, 'orange']),
          description:
            'Inventory hosts matching no host Prometheus scrapes (joined on host name or IP; needs inventory.reconcile in hostwatch.yml).',
        }),
      )
      .withPanel(
        statPanel('New this week', [{ expr: `sum(${inv('hostwatch_inventory_hosts_by_age', 'source="all",bucket="<7d"')})` }], {
          description: 'First seen by an inventory in the last 7 days.',
        }),
      )
      .withPanel(
        statPanel('Stale', [{ expr: `sum(${inv('hostwatch_inventory_hosts_stale')})` }], {
          thresholds: thresholds([1, 'orange']),
          description: 'Not seen (scanned, checked in) for longer than inventory.stale_after, or never.',
        }),
      )
      .withPanel(
        statPanel(
          'End-of-life OS (inventory)',
          [{ expr: `sum(${endOfLifeSelector(cfg, 'hostwatch_inventory_hosts', 'os', 'os_version', 'source="all"', M)}) or vector(0)` }],
          {
            thresholds: thresholds([1, 'red']),
          },
        ),
      )
      .withPanel(
        statPanel('Reporting hosts', [{ expr: `count(hostwatch_os_info{${M}}) or vector(0)` }], {
          description: 'Hosts whose hostwatch is scraped (hostwatch_os_info).',
        }),
      )
      .withPanel(
        barPanel(
          'Inventory hosts by OS',
          [{ expr: `sort_desc(sum by (os, os_version) (${inv('hostwatch_inventory_hosts')}))`, legend: '{{os}} {{os_version}}' }],
          {
            w: 8,
            description: 'os-release style ids, comparable with the reporting hosts beside.',
          },
        ),
      )
      .withPanel(
        barPanel(
          'Reporting hosts by OS',
          [{ expr: `sort_desc(count by (id, version_id) (hostwatch_os_info{${M}}))`, legend: '{{id}} {{version_id}}' }],
          { w: 8 },
        ),
      )
      .withPanel(
        barPanel(
          'Inventory hosts by first seen',
          [{ expr: `sum by (bucket) (${inv('hostwatch_inventory_hosts_by_age')})`, legend: '{{bucket}}' }],
          { w: 8 },
        ),
      )
      .withPanel(
        barPanel('Inventory hosts by source', [{ expr: `sum by (source) (hostwatch_inventory_hosts{${M}})`, legend: '{{source}}' }], {
          w: 8,
          description: 'Each inventory on its own, and "all": the de-duplicated fleet.',
        }),
      )
      .withPanel(
        tablePanel('Inventory imports', [{ expr: `time() - hostwatch_inventory_last_import_timestamp_seconds{${M}}` }], {
          w: 16,
          unit: 'dtdurations',
          hide: ['job'],
          description: 'Time since the last successful import of each source; hostwatch inventory report prints the details.',
        }),
      ),
  );
}
