// Golden tests of the host collectors' pure parse functions: real files captured from this machine
// (test/fixtures/proc, x86_64, kernel 6.18) and hand-kept copies of other kernels' and arches'
// formats (test/fixtures/proc-variants).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCpuTimes, USER_HZ } from '../../src/collectors/cpu/parse.js';
import { parseKernelStat } from '../../src/collectors/stat/parse.js';
import { memoryFigures, parseMeminfo, parseSwapActivity } from '../../src/collectors/meminfo/parse.js';
import { parseLoadavg } from '../../src/collectors/loadavg/parse.js';
import { parsePressure } from '../../src/collectors/pressure/parse.js';
import { parseDiskstats } from '../../src/collectors/diskstats/parse.js';
import { parseNetDev, isOperUp } from '../../src/collectors/netdev/parse.js';
import { parseMounts, selectMounts, unescapeMountField } from '../../src/collectors/filesystem/parse.js';
import { countPids } from '../../src/collectors/processes/parse.js';
import { parseUptime } from '../../src/collectors/time/parse.js';
import { parseFileNr } from '../../src/collectors/filefd/parse.js';
import { clampLabel, parseOsRelease, unameArch } from '../../src/collectors/os/parse.js';
import { parseAptSimulate, parseDnfCheckUpdate, parseDnfSecurity } from '../../src/collectors/updates/parse.js';
import { parseConfig } from '../../src/config/load.js';
import { FIXTURES, PROC, ROOTFS, VARIANTS } from './helpers.js';

const proc = (f: string) => readFileSync(`${PROC}/${f}`, 'utf8');
const variant = (f: string) => readFileSync(`${VARIANTS}/${f}`, 'utf8');
const host = parseConfig({}).host;

describe('cpu: /proc/stat per-CPU lines', () => {
  it('reads every mode of each CPU of this machine in seconds (ticks / USER_HZ) and skips the total line', () => {
    expect(USER_HZ).toBe(100);
    const cpus = parseCpuTimes(proc('stat'));
    expect(cpus.map((c) => c.cpu)).toEqual(['0', '1']);
    expect(cpus[0].seconds).toEqual({ user: 71.4, nice: 0, system: 29.79, idle: 479.81, iowait: 0.52, irq: 0, softirq: 0.11, steal: 0.08 });
    expect(cpus[1].seconds.steal).toBe(0.12);
    expect(cpus[1].guest).toEqual({ user: 0, nice: 0 });
  });

  it('reads an arm64 /proc/stat (4 CPUs)', () => {
    const cpus = parseCpuTimes(variant('stat-arm64'));
    expect(cpus.map((c) => c.cpu)).toEqual(['0', '1', '2', '3']);
    expect(cpus[3].seconds.idle).toBe(131995.7);
    expect(cpus[0].seconds.softirq).toBe(67.1);
  });

  it('leaves out the modes an old kernel does not print (2.6.18: no steal, no guest)', () => {
    const cpus = parseCpuTimes(variant('stat-2.6.18'));
    expect(cpus).toHaveLength(2);
    expect(cpus[0].seconds).toEqual({ user: 444.9, nice: 0.19, system: 210.45, idle: 10870.69, iowait: 2.2, irq: 0.01, softirq: 34.1 });
    expect(cpus[0].guest).toBeUndefined();
  });

  it('rejects a file without per-CPU lines', () => {
    expect(() => parseCpuTimes('cpu  1 2 3 4\nctxt 5\n')).toThrow(/no per-CPU line/);
    expect(() => parseCpuTimes('')).toThrow();
  });
});

describe('stat: kernel counters of /proc/stat', () => {
  it('reads this machine', () => {
    expect(parseKernelStat(proc('stat'))).toEqual({
      procsRunning: 3,
      procsBlocked: 0,
      forks: 30518,
      contextSwitches: 904988,
      interrupts: 340143,
      bootTime: 1795449215,
    });
  });
  it('reads arm64 and 2.6.18', () => {
    expect(parseKernelStat(variant('stat-arm64'))).toMatchObject({
      interrupts: 180843513,
      contextSwitches: 346581117,
      bootTime: 1699869183,
    });
    expect(parseKernelStat(variant('stat-2.6.18'))).toMatchObject({ forks: 2915, interrupts: 114930548 });
  });
  it('rejects garbage', () => {
    expect(() => parseKernelStat('hello world\n')).toThrow(/no known field/);
  });
});

describe('meminfo', () => {
  it('converts kB to bytes and computes used = total - available', () => {
    const m = memoryFigures(parseMeminfo(proc('meminfo')));
    expect(m.totalBytes).toBe(24684092 * 1024);
    expect(m.availableBytes).toBe(23961172 * 1024);
    expect(m.usedBytes).toBe((24684092 - 23961172) * 1024);
    expect(m.cachedBytes).toBe(446084 * 1024);
    expect(m.buffersBytes).toBe(10928 * 1024);
    expect(m.sharedBytes).toBe(8856 * 1024);
    expect(m.swapTotalBytes).toBe(0);
  });
  it('keeps unitless values as they are (HugePages_Total)', () => {
    expect(parseMeminfo(proc('meminfo')).get('HugePages_Total')).toBe(0);
    expect(parseMeminfo('HugePages_Total:      12\n').get('HugePages_Total')).toBe(12);
  });
  it('falls back to total - free - buffers - cached without MemAvailable (kernel 3.10)', () => {
    const m = memoryFigures(parseMeminfo(variant('meminfo-3.10-no-available')));
    expect(m.availableBytes).toBeUndefined();
    expect(m.sharedBytes).toBeUndefined();
    expect(m.usedBytes).toBe((3742148 - 225472 - 22040 - 2185312) * 1024);
    expect(m.swapFreeBytes).toBe(3984756 * 1024);
    expect(m.swapCachedBytes).toBe(33988 * 1024);
  });
  it('rejects a file without MemTotal', () => {
    expect(() => memoryFigures(parseMeminfo('Buffers: 1 kB\n'))).toThrow(/MemTotal/);
  });
  it('reads swap activity from /proc/vmstat, and nothing from a file without it', () => {
    expect(parseSwapActivity(proc('vmstat'))).toEqual({ inPages: 0, outPages: 0 });
    expect(parseSwapActivity('pgpgin 1\npswpin 17\npswpout 4242\n')).toEqual({ inPages: 17, outPages: 4242 });
    expect(parseSwapActivity('pgpgin 1\n')).toEqual({});
  });
});

describe('loadavg', () => {
  it('reads loads and the thread count', () => {
    expect(parseLoadavg(proc('loadavg'))).toEqual({ load1: 1.12, load5: 0.48, load15: 0.25, runnable: 3, threads: 149 });
  });
  it('rejects a truncated file', () => {
    expect(() => parseLoadavg('0.1 0.2\n')).toThrow(/unexpected/);
    expect(() => parseLoadavg('0.1 0.2 0.3 3\n')).toThrow(/unexpected/);
  });
});

describe('pressure', () => {
  it('reads some and full totals in seconds', () => {
    expect(parsePressure(proc('pressure/io'))).toEqual({ someSeconds: 3.567038, fullSeconds: 3.126472 });
    expect(parsePressure(proc('pressure/cpu'))).toEqual({ someSeconds: 31.789678, fullSeconds: 0 });
  });
  it('reads the cpu file of kernels before 5.13, which has no full line', () => {
    expect(parsePressure(variant('pressure-cpu-5.10'))).toEqual({ someSeconds: 14.036781 });
  });
  it('rejects a file without totals', () => {
    expect(() => parsePressure('some avg10=0.00\n')).toThrow();
  });
});

describe('diskstats', () => {
  it('reads the 20-field format of 5.5+ kernels (this machine) with discard and flush counters', () => {
    const vda = parseDiskstats(proc('diskstats')).find((d) => d.device === 'vda')!;
    expect(vda).toEqual({
      device: 'vda',
      readsCompleted: 37542,
      readsMerged: 9855,
      readBytes: 2484394 * 512,
      readSeconds: 12.592,
      writesCompleted: 21516,
      writesMerged: 18333,
      writtenBytes: 2696944 * 512,
      writeSeconds: 10.523,
      ioNow: 0,
      ioSeconds: 7.384,
      ioWeightedSeconds: 24.328,
      discards: { completed: 8486, merged: 61, bytes: 321144 * 512, seconds: 1.095 },
      flushes: { completed: 2758, seconds: 0.116 },
    });
  });
  it('reads the 14-field format of 4.x kernels and skips 2.6-style short partition lines', () => {
    const disks = parseDiskstats(variant('diskstats-4.14'));
    expect(disks.map((d) => d.device)).toEqual(['sda', 'sda1', 'sda2', 'sdb', 'sdb1', 'dm-0', 'loop0', 'mmcblk0', 'mmcblk0p1']);
    expect(disks[0]).toMatchObject({ readsCompleted: 25354637, writtenBytes: 505697032 * 512, ioWeightedSeconds: 82621.804 });
    expect(disks[0].discards).toBeUndefined();
    expect(disks[0].flushes).toBeUndefined();
  });
  it('reads the 18-field format of 4.18 to 5.4 (discards, no flushes)', () => {
    const d = parseDiskstats(variant('diskstats-4.18'))[0];
    expect(d.device).toBe('nvme0n1');
    expect(d.discards).toEqual({ completed: 21, merged: 0, bytes: 3 * 512, seconds: 0.007 });
    expect(d.flushes).toBeUndefined();
  });
  it('the default device_exclude keeps whole disks and drops partitions, loop, ram and zram', () => {
    const re = new RegExp(host.diskstats.device_exclude);
    const all = [
      ...parseDiskstats(variant('diskstats-4.14')),
      ...parseDiskstats(variant('diskstats-4.18')),
      ...parseDiskstats(proc('diskstats')),
    ];
    expect(all.filter((d) => !re.test(d.device)).map((d) => d.device)).toEqual(['sda', 'sdb', 'dm-0', 'mmcblk0', 'nvme0n1', 'dm-0', 'vda']);
  });
});

describe('netdev', () => {
  it('reads this machine', () => {
    const devs = parseNetDev(proc('net/dev'));
    expect(devs.map((d) => d.device)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(devs[3]).toEqual({
      device: 'eth0',
      receiveBytes: 288574944,
      receivePackets: 8152,
      receiveErrs: 0,
      receiveDrop: 0,
      transmitBytes: 632739,
      transmitPackets: 5427,
      transmitErrs: 0,
      transmitDrop: 0,
    });
  });
  it('reads lines without a space after the colon and long veth names', () => {
    const devs = parseNetDev(variant('net-dev-docker'));
    expect(devs.map((d) => d.device)).toEqual(['vethf345468', 'lo', 'docker0', 'eth0', 'wlan0']);
    expect(devs[1].receiveBytes).toBe(1664039048);
    expect(devs[3]).toMatchObject({ receiveBytes: 874354587, transmitBytes: 563352563 });
    expect(devs[4]).toMatchObject({ receiveBytes: 10437182923, receiveDrop: 3, transmitErrs: 5, transmitDrop: 12 });
  });
  it('operstate', () => {
    expect(isOperUp('up\n')).toBe(true);
    expect(isOperUp('unknown\n')).toBe(false);
    expect(isOperUp('down')).toBe(false);
  });
});

describe('filesystem: mount table', () => {
  const exMp = new RegExp(host.filesystem.mount_points_exclude);
  const exFs = new RegExp(host.filesystem.fs_types_exclude);

  it('unescapes octal escapes', () => {
    expect(unescapeMountField('/media/My\\040Disk')).toBe('/media/My Disk');
    expect(unescapeMountField('/a\\011b\\134c')).toBe('/a\tb\\c');
  });

  it('keeps only the real filesystem of this machine', () => {
    const mounts = selectMounts(parseMounts(proc('1/mounts')), exMp, exFs, 1000);
    expect(mounts).toEqual([{ device: '/dev/vda', mountPoint: '/', fsType: 'ext4', readonly: false }]);
  });

  it('drops pseudo filesystems, keeps the last mount on a path and the first mount of a device', () => {
    const mounts = selectMounts(parseMounts(variant('mounts-binds')), exMp, exFs, 1000);
    expect(mounts.map((m) => [m.device, m.mountPoint, m.fsType, m.readonly])).toEqual([
      ['/dev/mapper/vg0-root', '/', 'ext4', false],
      ['/dev/nvme0n1p1', '/boot/efi', 'vfat', false],
      // /var/lib/kubelet/pods is a bind mount of vg0-root: dropped; /var/lib/docker/* excluded.
      ['/dev/sdc1', '/srv/data', 'xfs', true], // mounted over /dev/sdb1: the visible one
      ['/dev/sdd1', '/media/My Disk', 'ext4', true],
      ['nas:/export/backup', '/mnt/backup', 'nfs4', false],
    ]);
  });

  it('caps the number of mounts', () => {
    const text = Array.from({ length: 50 }, (_, i) => `/dev/sd${i} /m${i} ext4 rw 0 0`).join('\n');
    expect(selectMounts(parseMounts(text), exMp, exFs, 10)).toHaveLength(10);
  });
});

describe('processes, uptime, file-nr', () => {
  it('counts numeric /proc entries only', () => {
    expect(countPids(['1', '2', '42', 'self', 'net', 'sys', '1337', 'thread-self', '12a'])).toBe(4);
  });
  it('uptime', () => {
    expect(parseUptime(proc('uptime'))).toBe(585.17);
    expect(() => parseUptime('')).toThrow();
    expect(() => parseUptime('abc 1')).toThrow();
  });
  it('file-nr', () => {
    expect(parseFileNr(proc('sys/fs/file-nr'))).toEqual({ allocated: 829, maximum: 2466177 });
    expect(() => parseFileNr('12\n')).toThrow();
  });
});

describe('os-release', () => {
  it('reads this machine (Debian 12)', () => {
    const r = parseOsRelease(readFileSync(`${ROOTFS}/etc/os-release`, 'utf8'));
    expect([r.ID, r.VERSION_ID, r.PRETTY_NAME]).toEqual(['debian', '12', 'Debian GNU/Linux 12 (bookworm)']);
  });
  it('reads RHEL, Ubuntu and Alpine quoting styles', () => {
    const rhel = parseOsRelease(variant('os-release-rhel9'));
    expect([rhel.ID, rhel.VERSION_ID, rhel.PRETTY_NAME, rhel.REDHAT_BUGZILLA_PRODUCT_VERSION]).toEqual([
      'rhel',
      '9.3',
      'Red Hat Enterprise Linux 9.3 (Plow)',
      '9.3',
    ]);
    const ubuntu = parseOsRelease(variant('os-release-ubuntu2204'));
    expect([ubuntu.ID, ubuntu.VERSION_ID, ubuntu.UBUNTU_CODENAME]).toEqual(['ubuntu', '22.04', 'jammy']);
    const alpine = parseOsRelease(variant('os-release-alpine'));
    expect([alpine.ID, alpine.VERSION_ID, alpine.PRETTY_NAME]).toEqual(['alpine', '3.19.1', 'Alpine Linux v3.19']);
  });
  it('handles escapes, single quotes and comments', () => {
    expect(parseOsRelease('# c\nA="say \\"hi\\" \\$x"\nB=\'raw\\n\'\nbroken line\n')).toEqual({ A: 'say "hi" $x', B: 'raw\\n' });
  });
  it('maps Node arch names and bounds label lengths', () => {
    expect(unameArch('x64')).toBe('x86_64');
    expect(unameArch('arm64')).toBe('aarch64');
    expect(unameArch('riscv64')).toBe('riscv64');
    expect(clampLabel('x'.repeat(500))).toHaveLength(128);
  });
});

describe('pending updates output', () => {
  const upd = (f: string) => readFileSync(`${FIXTURES}updates/${f}`, 'utf8');
  it('apt on Debian 12 (captured on this machine): 136 upgrades, 81 from Debian-Security', () => {
    expect(parseAptSimulate(upd('apt-dist-upgrade-debian12.txt'))).toEqual({ all: 136, security: 81 });
  });
  it('apt on Ubuntu: a package is security when one of its origins is -security; Conf lines ignored', () => {
    expect(parseAptSimulate(upd('apt-dist-upgrade-ubuntu2204.txt'))).toEqual({ all: 6, security: 4 });
  });
  it('apt with nothing to upgrade', () => {
    expect(parseAptSimulate(upd('apt-dist-upgrade-none.txt'))).toEqual({ all: 0, security: 0 });
  });
  it('dnf check-update: wrapped lines count once, the Obsoleting section is not counted', () => {
    expect(parseDnfCheckUpdate(upd('dnf-check-update-rhel9.txt'))).toBe(7);
    expect(parseDnfCheckUpdate('')).toBe(0);
  });
  it('dnf updateinfo --security: distinct packages', () => {
    expect(parseDnfSecurity(upd('dnf-updateinfo-security-rhel9.txt'))).toBe(3);
    expect(parseDnfSecurity('\n')).toBe(0);
  });
});
