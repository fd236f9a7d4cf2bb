// Each host collector pointed at the fixture tree (proc_path/sys_path/rootfs_path), rendered through
// its own registry as a scrape would; and the same collectors on an empty tree, where update()
// must reject (a collector error for the runner), never crash.
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_COLLECTORS } from '../../src/collectors/host.js';
import { COLLECTORS, loadCollectors } from '../../src/collectors/index.js';
import type { CollectorDefinition } from '../../src/collectors/collector.js';
import { makeCtx, samples, seriesOf } from './helpers.js';

const HOST_DEFINITIONS = await loadCollectors(HOST_COLLECTORS);
const def = (name: string): CollectorDefinition => HOST_DEFINITIONS.find((c) => c.name === name)!;

async function scrape(name: string, host: Record<string, unknown> = {}): Promise<string> {
  const ctx = makeCtx(host);
  const c = def(name).create(ctx);
  await c.update();
  return ctx.registry.metrics();
}

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-host-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('registration', () => {
  // The list is data (main.ts builds the --collector.<name> flags from it without loading any
  // collector): each entry must say what the definition its loader imports says.
  it('each entry of the list of collectors has the name, help and default of the collector its loader imports', async () => {
    const loaded = await loadCollectors(COLLECTORS);
    expect(loaded.map((d) => ({ name: d.name, help: d.help, defaultEnabled: d.defaultEnabled }))).toEqual(
      COLLECTORS.map((e) => ({ name: e.name, help: e.help, defaultEnabled: e.defaultEnabled })),
    );
    expect(new Set(loaded).size).toBe(loaded.length);
  });

  it('lists every collector folder of src/collectors, once', () => {
    const dir = fileURLToPath(new URL('../../src/collectors/', import.meta.url));
    const folders = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect([...COLLECTORS.map((c) => c.name)].sort()).toEqual(folders.sort());
  });

  it('registers every host collector once, under names usable as --collector.<name> flags', () => {
    const names = HOST_COLLECTORS.map((c) => c.name);
    for (const n of names) {
      expect(n).toMatch(/^[a-z0-9]+$/);
      expect(COLLECTORS.filter((c) => c.name === n)).toHaveLength(1);
    }
    expect(names).toEqual(
      expect.arrayContaining([
        'cpu',
        'stat',
        'loadavg',
        'pressure',
        'meminfo',
        'diskstats',
        'filesystem',
        'netdev',
        'processes',
        'filefd',
        'time',
        'os',
        'updates',
        'reboot',
        'tls',
      ]),
    );
  });
});

describe('collectors on the fixture tree', () => {
  it('cpu', async () => {
    const s = samples(await scrape('cpu'));
    expect(s.get('hostwatch_cpu_seconds_total{cpu="0",mode="user"}')).toBe(71.4);
    expect(s.get('hostwatch_cpu_seconds_total{cpu="1",mode="iowait"}')).toBe(3.37);
    expect(s.get('hostwatch_cpu_seconds_total{cpu="1",mode="steal"}')).toBe(0.12);
    expect([...s.keys()].filter((k) => k.startsWith('hostwatch_cpu_seconds_total'))).toHaveLength(16);
    expect(s.get('hostwatch_cpu_guest_seconds_total{cpu="0",mode="user"}')).toBe(0);
  });

  it('stat', async () => {
    const s = samples(await scrape('stat'));
    expect(s.get('hostwatch_procs_running')).toBe(3);
    expect(s.get('hostwatch_procs_blocked')).toBe(0);
    expect(s.get('hostwatch_forks_total')).toBe(30518);
    expect(s.get('hostwatch_context_switches_total')).toBe(904988);
    expect(s.get('hostwatch_intr_total')).toBe(340143);
    expect(s.get('hostwatch_boot_time_seconds')).toBe(1795449215);
  });

  it('loadavg', async () => {
    const s = samples(await scrape('loadavg'));
    expect([s.get('hostwatch_load1'), s.get('hostwatch_load5'), s.get('hostwatch_load15')]).toEqual([1.12, 0.48, 0.25]);
  });

  it('pressure', async () => {
    const s = samples(await scrape('pressure'));
    expect(s.get('hostwatch_pressure_cpu_waiting_seconds_total')).toBe(31.789678);
    expect(s.get('hostwatch_pressure_io_waiting_seconds_total')).toBe(3.567038);
    expect(s.get('hostwatch_pressure_io_stalled_seconds_total')).toBe(3.126472);
    expect(s.get('hostwatch_pressure_memory_waiting_seconds_total')).toBe(0);
    expect(s.get('hostwatch_pressure_memory_stalled_seconds_total')).toBe(0);
    // No irq file on this kernel's capture: absent, not an error.
    expect(s.has('hostwatch_pressure_irq_stalled_seconds_total')).toBe(false);
  });

  it('pressure on a kernel without PSI exports nothing and does not fail', async () => {
    const proc = join(tmp, 'nopsi');
    mkdirSync(proc, { recursive: true });
    const s = samples(await scrape('pressure', { proc_path: proc }));
    expect(s.size).toBe(0);
  });

  it('meminfo', async () => {
    const s = samples(await scrape('meminfo'));
    expect(s.get('hostwatch_memory_total_bytes')).toBe(24684092 * 1024);
    expect(s.get('hostwatch_memory_available_bytes')).toBe(23961172 * 1024);
    expect(s.get('hostwatch_memory_used_bytes')).toBe((24684092 - 23961172) * 1024);
    expect(s.get('hostwatch_memory_free_bytes')).toBe(23678184 * 1024);
    expect(s.get('hostwatch_memory_cached_bytes')).toBe(446084 * 1024);
    expect(s.get('hostwatch_memory_buffers_bytes')).toBe(10928 * 1024);
    expect(s.get('hostwatch_memory_swap_total_bytes')).toBe(0);
    expect(s.get('hostwatch_memory_swap_free_bytes')).toBe(0);
    expect(s.get('hostwatch_memory_swapped_in_pages_total')).toBe(0);
    expect(s.get('hostwatch_memory_swapped_out_pages_total')).toBe(0);
  });

  it('diskstats: whole disks only by default, every metric per device', async () => {
    const text = await scrape('diskstats');
    const s = samples(text);
    // loop0-7 and zram0 are excluded by the default device_exclude.
    expect(seriesOf(text, 'hostwatch_disk_reads_completed_total')).toEqual(['hostwatch_disk_reads_completed_total{device="vda"}']);
    expect(s.get('hostwatch_disk_read_bytes_total{device="vda"}')).toBe(2484394 * 512);
    expect(s.get('hostwatch_disk_written_bytes_total{device="vda"}')).toBe(2696944 * 512);
    expect(s.get('hostwatch_disk_read_time_seconds_total{device="vda"}')).toBe(12.592);
    expect(s.get('hostwatch_disk_write_time_seconds_total{device="vda"}')).toBe(10.523);
    expect(s.get('hostwatch_disk_io_time_seconds_total{device="vda"}')).toBe(7.384);
    expect(s.get('hostwatch_disk_io_time_weighted_seconds_total{device="vda"}')).toBe(24.328);
    expect(s.get('hostwatch_disk_io_now{device="vda"}')).toBe(0);
    expect(s.get('hostwatch_disk_writes_completed_total{device="vda"}')).toBe(21516);
    expect(s.get('hostwatch_disk_flush_requests_total{device="vda"}')).toBe(2758);
  });

  it('diskstats: device_exclude is configurable', async () => {
    const text = await scrape('diskstats', { diskstats: { device_exclude: '^vda$' } });
    expect(seriesOf(text, 'hostwatch_disk_io_now').sort()).toEqual(
      ['zram0', ...Array.from({ length: 8 }, (_, i) => `loop${i}`)].map((d) => `hostwatch_disk_io_now{device="${d}"}`).sort(),
    );
  });

  it('netdev: lo skipped by default, up from operstate', async () => {
    const text = await scrape('netdev');
    const s = samples(text);
    expect(seriesOf(text, 'hostwatch_network_receive_bytes_total')).toHaveLength(3);
    expect(s.has('hostwatch_network_receive_bytes_total{device="lo"}')).toBe(false);
    expect(s.get('hostwatch_network_receive_bytes_total{device="eth0"}')).toBe(288574944);
    expect(s.get('hostwatch_network_transmit_bytes_total{device="eth0"}')).toBe(632739);
    expect(s.get('hostwatch_network_receive_packets_total{device="eth0"}')).toBe(8152);
    expect(s.get('hostwatch_network_transmit_packets_total{device="eth0"}')).toBe(5427);
    expect(s.get('hostwatch_network_receive_errs_total{device="eth0"}')).toBe(0);
    expect(s.get('hostwatch_network_transmit_drop_total{device="eth0"}')).toBe(0);
    expect(s.get('hostwatch_network_up{device="eth0"}')).toBe(1);
    expect(s.get('hostwatch_network_up{device="ifb0"}')).toBe(0);
  });

  it('netdev: keeps lo with device_exclude "^$"; no up sample without /sys', async () => {
    const s = samples(await scrape('netdev', { netdev: { device_exclude: '^$' }, sys_path: join(tmp, 'nosys') }));
    expect(s.get('hostwatch_network_receive_bytes_total{device="lo"}')).toBe(12557);
    expect([...s.keys()].some((k) => k.startsWith('hostwatch_network_up'))).toBe(false);
  });

  it('processes: numeric /proc entries and threads from loadavg', async () => {
    const s = samples(await scrape('processes'));
    expect(s.get('hostwatch_processes')).toBe(4); // 1, 2, 42, 1337 in the fixture tree
    expect(s.get('hostwatch_threads')).toBe(149);
  });

  it('filefd', async () => {
    const s = samples(await scrape('filefd'));
    expect(s.get('hostwatch_filefd_allocated')).toBe(829);
    expect(s.get('hostwatch_filefd_maximum')).toBe(2466177);
  });

  it('time: clock time and uptime', async () => {
    const ctx = makeCtx();
    const c = def('time').create(ctx);
    ctx.clock.advance(1500);
    await c.update();
    const s = samples(await ctx.registry.metrics());
    expect(s.get('hostwatch_time_seconds')).toBe((1_700_000_000_000 + 1500) / 1000);
    expect(s.get('hostwatch_uptime_seconds')).toBe(585.17);
  });

  it('os: os-release under rootfs_path, kernel from proc, arch of the machine', async () => {
    const text = await scrape('os');
    const line = text.split('\n').find((l) => l.startsWith('hostwatch_os_info{'))!;
    expect(line).toMatch(
      /^hostwatch_os_info\{id="debian",version_id="12",pretty_name="Debian GNU\/Linux 12 \(bookworm\)",kernel="6\.18\.44-fc-v657",arch="[a-z0-9_]+"\} 1$/,
    );
  });

  it('os: falls back to /usr/lib/os-release', async () => {
    const root = join(tmp, 'root-usrlib');
    mkdirSync(join(root, 'usr/lib'), { recursive: true });
    writeFileSync(join(root, 'usr/lib/os-release'), 'ID="rhel"\nVERSION_ID="9.3"\nPRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"\n');
    const text = await scrape('os', { rootfs_path: root });
    expect(text).toContain(
      'hostwatch_os_info{id="rhel",version_id="9.3",pretty_name="Red Hat Enterprise Linux 9.3 (Plow)",kernel="6.18.44-fc-v657"',
    );
  });

  it('os: reads the files once, not on every scrape', async () => {
    const root = join(tmp, 'root-once');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/os-release'), 'ID=first\n');
    const ctx = makeCtx({ rootfs_path: root });
    const c = def('os').create(ctx);
    await c.update();
    writeFileSync(join(root, 'etc/os-release'), 'ID=second\n');
    await c.update();
    expect(await ctx.registry.metrics()).toContain('id="first"');
  });

  it('reboot: 0 without the file, 1 with it (the configured path as written)', async () => {
    const root = join(tmp, 'root-reboot');
    mkdirSync(join(root, 'var/run'), { recursive: true });
    const ctx = makeCtx({ reboot_required_file: join(root, 'var/run/reboot-required') });
    const c = def('reboot').create(ctx);
    await c.update();
    expect(samples(await ctx.registry.metrics()).get('hostwatch_reboot_required')).toBe(0);
    writeFileSync(join(root, 'var/run/reboot-required'), '*** System restart required ***\n');
    await c.update();
    expect(samples(await ctx.registry.metrics()).get('hostwatch_reboot_required')).toBe(1);
  });
});

describe('a missing file is a collector error, not a crash', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(empty, { recursive: true });
  for (const name of ['cpu', 'stat', 'loadavg', 'meminfo', 'diskstats', 'filesystem', 'netdev', 'processes', 'filefd', 'time', 'os']) {
    it(name, async () => {
      const ctx = makeCtx({ proc_path: join(empty, 'proc'), sys_path: join(empty, 'sys'), rootfs_path: join(empty, 'root') });
      const c = def(name).create(ctx);
      await expect(c.update()).rejects.toThrow();
    });
  }

  it('a malformed file rejects too', async () => {
    const proc = join(tmp, 'badproc');
    mkdirSync(proc, { recursive: true });
    writeFileSync(join(proc, 'loadavg'), 'garbage\n');
    writeFileSync(join(proc, 'meminfo'), 'nothing: here\n');
    writeFileSync(join(proc, 'vmstat'), '');
    for (const name of ['loadavg', 'meminfo']) {
      const c = def(name).create(makeCtx({ proc_path: proc }));
      await expect(c.update()).rejects.toThrow(/unexpected|MemTotal/);
    }
  });
});
