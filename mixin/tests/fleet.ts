// promtool tests of the fleet alerts.
import { AlertCatalog, T, type PromtoolGroup } from './dsl.js';

export function fleetTests(c: AlertCatalog): PromtoolGroup[] {
  const f = c.cfg.fleet;
  const osInfo = (id: string, version: string, pretty: string) =>
    `hostwatch_os_info{${T},id="${id}",version_id="${version}",pretty_name="${pretty}",kernel="5.4.0-150-generic",arch="x86_64"}`;
  const eolHost = (id: string, version: string, pretty: string) => ({
    labels: { id, version_id: version, pretty_name: pretty, kernel: '5.4.0-150-generic', arch: 'x86_64' },
    description: `host1:10023 runs ${pretty} (${id} ${version}), past its end of life: it gets no security updates any more.`,
  });
  const inventory = (os: string, version: string) => `hostwatch_inventory_hosts{${T},source="all",os="${os}",os_version="${version}"}`;
  return [
    c.group(
      'HostOSEndOfLife',
      'Ubuntu 18.04',
      [[osInfo('ubuntu', '18.04', 'Ubuntu 18.04.6 LTS'), '1x120']],
      [
        { at: '30m', alerts: [] },
        { at: '90m', alerts: [eolHost('ubuntu', '18.04', 'Ubuntu 18.04.6 LTS')] },
      ],
    ),
    c.group(
      'HostOSEndOfLife',
      'RHEL 7.9: a point release of an end-of-life major',
      [[osInfo('rhel', '7.9', 'Red Hat Enterprise Linux Server 7.9 (Maipo)'), '1x120']],
      [{ at: '90m', alerts: [eolHost('rhel', '7.9', 'Red Hat Enterprise Linux Server 7.9 (Maipo)')] }],
    ),
    c.group(
      'HostOSEndOfLife',
      'supported releases (and 18 is not 8)',
      [
        [osInfo('ubuntu', '24.04', 'Ubuntu 24.04.1 LTS'), '1x120'],
        [osInfo('debian', '12', 'Debian GNU/Linux 12 (bookworm)'), '1x120'],
        [osInfo('rhel', '9.4', 'Red Hat Enterprise Linux 9.4 (Plow)'), '1x120'],
        [osInfo('fedora', '8', 'Fedora 8'), '1x120'],
        [osInfo('debian', '110', 'Debian 110'), '1x120'],
      ],
      [{ at: '90m', alerts: [] }],
    ),
    c.group(
      'InventoryOSEndOfLife',
      'CentOS 7 hosts in the inventory',
      [
        [inventory('centos', '7'), '3x120'],
        [inventory('ubuntu', '22.04'), '40x120'],
        [`hostwatch_inventory_hosts{${T},source="qualys",os="centos",os_version="7"}`, '2x120'],
      ],
      [
        {
          at: '90m',
          alerts: [
            {
              labels: { os: 'centos', os_version: '7' },
              description: '3 hosts of the asset inventory (imported by host1:10023) run centos 7, past its end of life.',
            },
          ],
        },
      ],
    ),
    c.group(
      'InventoryOSEndOfLife',
      'no end-of-life host left',
      [
        [inventory('centos', '7'), '0x120'],
        [inventory('windows', '11'), '12x120'],
        [inventory('windows_server', '2022'), '5x120'],
      ],
      [{ at: '90m', alerts: [] }],
    ),
    c.group(
      'InventoryHostsNotReporting',
      'five hosts not scraped',
      [
        [`hostwatch_inventory_hosts_not_reporting{${T},source="all"}`, `${f.notReporting.minimum + 5}x120`],
        [`hostwatch_inventory_hosts_not_reporting{${T},source="qualys"}`, '40x120'],
      ],
      [
        { at: '30m', alerts: [] },
        {
          at: '90m',
          alerts: [
            {
              labels: { source: 'all' },
              description: `${f.notReporting.minimum + 5} hosts of the asset inventory (imported by host1:10023) match no host Prometheus scrapes: hostwatch is not installed there, or their target is down or missing from service discovery.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'InventoryHostsNotReporting',
      'every host scraped',
      [[`hostwatch_inventory_hosts_not_reporting{${T},source="all"}`, `${f.notReporting.minimum}x120`]],
      [{ at: '90m', alerts: [] }],
    ),
    c.group(
      'InventoryImportStale',
      'exports no longer imported',
      // Last imported 46 h before the test's epoch (a negative timestamp), so that the two sides of the
      // 2-day threshold are reached after 1 h and 4 h, not after 2,000 evaluations of every rule.
      [[`hostwatch_inventory_last_import_timestamp_seconds{${T},source="crowdstrike"}`, '-165600x5']],
      [
        { at: '1h', alerts: [] },
        {
          at: '4h',
          alerts: [
            {
              labels: { source: 'crowdstrike' },
              description: `The crowdstrike exports on host1:10023 were last imported 2d 2h 0m 0s ago (threshold ${f.importStale.after}): the export job stopped, or its files fail to parse.`,
            },
          ],
        },
      ],
      '1h',
    ),
    c.group(
      'InventoryImportStale',
      'imported every hour',
      [[`hostwatch_inventory_last_import_timestamp_seconds{${T},source="crowdstrike"}`, '0+3600x5']],
      [{ at: '4h', alerts: [] }],
      '1h',
    ),
  ];
}
