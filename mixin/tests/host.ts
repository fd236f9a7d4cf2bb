// promtool tests of the host alerts.
import { pct } from '../rules/common.js';
import { AlertCatalog, T, type PromtoolGroup } from './dsl.js';
import { exporterTests } from './exporter.js';

export function hostTests(c: AlertCatalog): PromtoolGroup[] {
  const h = c.cfg.host;
  const fs = 'device="/dev/sda1",mountpoint="/",fstype="ext4"';
  const fsLabels = { device: '/dev/sda1', mountpoint: '/', fstype: 'ext4' };
  const cert = 'path="/etc/ssl/site.pem",subject="CN=example.org",issuer="CN=Example CA"';
  const certLabels = { path: '/etc/ssl/site.pem', subject: 'CN=example.org', issuer: 'CN=Example CA' };
  const fsFull = (value: string, severity: string, ratio: number) => ({
    labels: fsLabels,
    severity,
    description: `Filesystem / (/dev/sda1) on host1:10023 has only ${value} space available (${severity} below ${pct(ratio)}).`,
  });
  const certAlert = (left: string, severity: string, days: number) => ({
    labels: certLabels,
    severity,
    description: `Certificate CN=example.org in /etc/ssl/site.pem on host1:10023 expires in ${left} (${severity} below ${days} days).`,
  });
  return [
    ...exporterTests(c),
    c.group(
      'HostCPUHigh',
      '95% busy',
      [
        [`hostwatch_cpu_seconds_total{${T},cpu="0",mode="idle"}`, '0+3x30'],
        [`hostwatch_cpu_seconds_total{${T},cpu="0",mode="user"}`, '0+57x30'],
      ],
      [{ at: '20m', alerts: [{ description: `CPU on host1:10023 is 95% busy (threshold ${pct(h.cpuHigh.threshold)}).` }] }],
    ),
    c.group(
      'HostCPUHigh',
      '50% busy',
      [
        [`hostwatch_cpu_seconds_total{${T},cpu="0",mode="idle"}`, '0+30x30'],
        [`hostwatch_cpu_seconds_total{${T},cpu="0",mode="user"}`, '0+30x30'],
      ],
      [{ at: '20m', alerts: [] }],
    ),
    c.group(
      'HostMemoryHigh',
      '95% used',
      [
        [`hostwatch_memory_available_bytes{${T}}`, '5x30'],
        [`hostwatch_memory_total_bytes{${T}}`, '100x30'],
      ],
      [{ at: '20m', alerts: [{ description: `Memory on host1:10023 is 95% used (threshold ${pct(h.memoryHigh.threshold)}).` }] }],
    ),
    c.group(
      'HostMemoryHigh',
      '50% used',
      [
        [`hostwatch_memory_available_bytes{${T}}`, '50x30'],
        [`hostwatch_memory_total_bytes{${T}}`, '100x30'],
      ],
      [{ at: '20m', alerts: [] }],
    ),
    c.group(
      'HostSwapThrashing',
      '600 pages/s',
      [
        [`hostwatch_memory_swapped_in_pages_total{${T}}`, '0+36000x30'],
        [`hostwatch_memory_swapped_out_pages_total{${T}}`, '0x30'],
      ],
      [
        {
          at: '15m',
          alerts: [
            {
              description: `host1:10023 swaps 600 pages/s in and out (threshold ${h.swapThrashing.pagesPerSecond}): memory is overcommitted.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostSwapThrashing',
      '100 pages/s',
      [
        [`hostwatch_memory_swapped_in_pages_total{${T}}`, '0+3000x30'],
        [`hostwatch_memory_swapped_out_pages_total{${T}}`, '0+3000x30'],
      ],
      [{ at: '15m', alerts: [] }],
    ),
    c.group(
      'HostFilesystemAlmostFull',
      '8% available: warning',
      [
        [`hostwatch_filesystem_avail_bytes{${T},${fs}}`, '8x30'],
        [`hostwatch_filesystem_size_bytes{${T},${fs}}`, '100x30'],
        [`hostwatch_filesystem_readonly{${T},${fs}}`, '0x30'],
      ],
      [{ at: '20m', alerts: [fsFull('8%', 'warning', h.filesystemAlmostFull.warning)] }],
    ),
    c.group(
      'HostFilesystemAlmostFull',
      '3% available: warning and critical',
      [
        [`hostwatch_filesystem_avail_bytes{${T},${fs}}`, '3x30'],
        [`hostwatch_filesystem_size_bytes{${T},${fs}}`, '100x30'],
        [`hostwatch_filesystem_readonly{${T},${fs}}`, '0x30'],
      ],
      [
        {
          at: '20m',
          alerts: [fsFull('3%', 'warning', h.filesystemAlmostFull.warning), fsFull('3%', 'critical', h.filesystemAlmostFull.critical)],
        },
      ],
    ),
    c.group(
      'HostFilesystemAlmostFull',
      'read-only or roomy filesystems',
      [
        [`hostwatch_filesystem_avail_bytes{${T},${fs}}`, '3x30'],
        [`hostwatch_filesystem_size_bytes{${T},${fs}}`, '100x30'],
        [`hostwatch_filesystem_readonly{${T},${fs}}`, '1x30'],
        [`hostwatch_filesystem_avail_bytes{${T},device="/dev/sdb1",mountpoint="/data",fstype="xfs"}`, '50x30'],
        [`hostwatch_filesystem_size_bytes{${T},device="/dev/sdb1",mountpoint="/data",fstype="xfs"}`, '100x30'],
        [`hostwatch_filesystem_readonly{${T},device="/dev/sdb1",mountpoint="/data",fstype="xfs"}`, '0x30'],
      ],
      [{ at: '20m', alerts: [] }],
    ),
    c.group(
      'HostFilesystemFillingUp',
      'losing 1 byte a minute at 27%',
      [
        [`hostwatch_filesystem_avail_bytes{${T},${fs}}`, '390-1x200'],
        [`hostwatch_filesystem_size_bytes{${T},${fs}}`, '1000x200'],
        [`hostwatch_filesystem_readonly{${T},${fs}}`, '0x200'],
      ],
      [
        {
          at: '2h',
          alerts: [
            {
              labels: fsLabels,
              description: `Filesystem / on host1:10023 has 27% available and, at the rate of the last ${h.filesystemFillingUp.lookback}, fills up within ${h.filesystemFillingUp.horizon}.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostFilesystemFillingUp',
      'steady usage',
      [
        [`hostwatch_filesystem_avail_bytes{${T},${fs}}`, '270x200'],
        [`hostwatch_filesystem_size_bytes{${T},${fs}}`, '1000x200'],
        [`hostwatch_filesystem_readonly{${T},${fs}}`, '0x200'],
      ],
      [{ at: '2h', alerts: [] }],
    ),
    c.group(
      'HostDiskIOSaturated',
      'queue of 15',
      [[`hostwatch_disk_io_time_weighted_seconds_total{${T},device="sda"}`, '0+900x60']],
      [
        {
          at: '40m',
          alerts: [
            {
              labels: { device: 'sda' },
              description: `Device sda on host1:10023 has an average I/O queue of 15 (threshold ${h.diskIOSaturation.queueDepth}): I/O waits.`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostDiskIOSaturated',
      'queue of 1',
      [[`hostwatch_disk_io_time_weighted_seconds_total{${T},device="sda"}`, '0+60x60']],
      [{ at: '40m', alerts: [] }],
    ),
    c.group(
      'HostLoadHigh',
      'load 5 on 2 CPUs',
      [
        [`hostwatch_load15{${T}}`, '5x30'],
        [`hostwatch_cpu_seconds_total{${T},cpu="0",mode="idle"}`, '0+30x30'],
        [`hostwatch_cpu_seconds_total{${T},cpu="1",mode="idle"}`, '0+30x30'],
      ],
      [
        {
          at: '20m',
          alerts: [{ description: `15-minute load on host1:10023 is 2.5 per CPU (threshold ${h.loadPerCoreHigh.threshold}).` }],
        },
      ],
    ),
    c.group(
      'HostLoadHigh',
      'load 3 on 2 CPUs',
      [
        [`hostwatch_load15{${T}}`, '3x30'],
        [`hostwatch_cpu_seconds_total{${T},cpu="0",mode="idle"}`, '0+30x30'],
        [`hostwatch_cpu_seconds_total{${T},cpu="1",mode="idle"}`, '0+30x30'],
      ],
      [{ at: '20m', alerts: [] }],
    ),
    c.group(
      'HostNetworkErrors',
      '2 errors/s',
      [
        [`hostwatch_network_receive_errs_total{${T},device="eth0"}`, '0+120x30'],
        [`hostwatch_network_transmit_errs_total{${T},device="eth0"}`, '0x30'],
      ],
      [
        {
          at: '15m',
          alerts: [
            {
              labels: { device: 'eth0' },
              description: `Interface eth0 on host1:10023 has 2 receive+transmit errors/s (threshold ${h.networkErrors.errorsPerSecond}).`,
            },
          ],
        },
      ],
    ),
    c.group(
      'HostNetworkErrors',
      '0.5 errors/s',
      [
        [`hostwatch_network_receive_errs_total{${T},device="eth0"}`, '0+15x30'],
        [`hostwatch_network_transmit_errs_total{${T},device="eth0"}`, '0+15x30'],
      ],
      [{ at: '15m', alerts: [] }],
    ),
    c.group(
      'HostClockSkew',
      '5 s ahead',
      [[`hostwatch_time_seconds{${T}}`, '5+60x30']],
      [
        {
          at: '15m',
          alerts: [
            {
              description: `The clock of host1:10023 is 5s away from Prometheus' clock (threshold ${h.clockSkew.seconds}s): check NTP/chrony.`,
            },
          ],
        },
      ],
    ),
    c.group('HostClockSkew', 'in sync', [[`hostwatch_time_seconds{${T}}`, '0+60x30']], [{ at: '15m', alerts: [] }]),
    c.group(
      'HostFileDescriptorsExhausted',
      '95% used',
      [
        [`hostwatch_filefd_allocated{${T}}`, '950x30'],
        [`hostwatch_filefd_maximum{${T}}`, '1000x30'],
      ],
      [
        {
          at: '15m',
          alerts: [{ description: `host1:10023 uses 95% of its file handles (threshold ${pct(h.fileDescriptors.threshold)}).` }],
        },
      ],
    ),
    c.group(
      'HostFileDescriptorsExhausted',
      '10% used',
      [
        [`hostwatch_filefd_allocated{${T}}`, '100x30'],
        [`hostwatch_filefd_maximum{${T}}`, '1000x30'],
      ],
      [{ at: '15m', alerts: [] }],
    ),
    c.group(
      'HostRebootRequired',
      'flag set',
      [[`hostwatch_reboot_required{${T}}`, '1x100']],
      [
        { at: '30m', alerts: [] },
        {
          at: '90m',
          alerts: [
            {
              description: '{{ $labels.instance }} needs a reboot to finish installing updates (reboot-required flag set).'.replace(
                '{{ $labels.instance }}',
                'host1:10023',
              ),
            },
          ],
        },
      ],
    ),
    c.group('HostRebootRequired', 'flag clear', [[`hostwatch_reboot_required{${T}}`, '0x100']], [{ at: '90m', alerts: [] }]),
    c.group(
      'HostSecurityUpdatesPending',
      '4 pending',
      [[`hostwatch_os_updates_pending{${T},kind="security"}`, '4x500']],
      [{ at: '7h', alerts: [{ labels: { kind: 'security' }, description: 'host1:10023 has 4 pending security updates.' }] }],
    ),
    c.group(
      'HostSecurityUpdatesPending',
      'only non-security updates',
      [
        [`hostwatch_os_updates_pending{${T},kind="security"}`, '0x500'],
        [`hostwatch_os_updates_pending{${T},kind="all"}`, '12x500'],
      ],
      [{ at: '7h', alerts: [] }],
    ),
    c.group(
      'TLSCertificateExpiring',
      'expires in 10 days: warning',
      [[`hostwatch_tls_cert_not_after_seconds{${T},${cert}}`, '864000x30']],
      [{ at: '20m', alerts: [certAlert('9d 23h 40m 0s', 'warning', h.tlsExpiry.warningDays)] }],
    ),
    c.group(
      'TLSCertificateExpiring',
      'expires in 2 days: warning and critical',
      [[`hostwatch_tls_cert_not_after_seconds{${T},${cert}}`, '172800x30']],
      [
        {
          at: '20m',
          alerts: [
            certAlert('1d 23h 40m 0s', 'warning', h.tlsExpiry.warningDays),
            certAlert('1d 23h 40m 0s', 'critical', h.tlsExpiry.criticalDays),
          ],
        },
      ],
    ),
    c.group(
      'TLSCertificateExpiring',
      'expires in 30 days',
      [[`hostwatch_tls_cert_not_after_seconds{${T},${cert}}`, '2592000x30']],
      [{ at: '20m', alerts: [] }],
    ),
  ];
}
