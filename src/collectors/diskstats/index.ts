// diskstats: block device I/O (/proc/diskstats), whole devices only by default (partitions, loop,
// ram and zram devices are excluded by host.diskstats.device_exclude).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import { userRegex } from '../../core/regex.js';
import { hostPaths, MAX_SERIES_OBJECTS, readText } from '../hostfs.js';
import { parseDiskstats, type DiskStats } from './parse.js';

export class DiskstatsCollector implements Collector {
  private readonly file: string;
  private readonly exclude: RegExp;
  private last: DiskStats[] = [];

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'diskstats');
    this.exclude = userRegex(ctx.config.host.diskstats.device_exclude);
    const metric = (name: string, help: string, type: 'counter' | 'gauge', pick: (d: DiskStats) => number | undefined) =>
      defineMetric(ctx.registry, {
        name,
        help,
        type,
        labelNames: ['device'],
        samples: () => {
          const out: Sample[] = [];
          for (const d of this.last) {
            const v = pick(d);
            if (v !== undefined) out.push({ labels: { device: d.device }, value: v });
          }
          return out;
        },
      });
    metric('hostwatch_disk_reads_completed_total', 'Reads completed.', 'counter', (d) => d.readsCompleted);
    metric('hostwatch_disk_reads_merged_total', 'Adjacent reads merged into one.', 'counter', (d) => d.readsMerged);
    metric('hostwatch_disk_read_bytes_total', 'Bytes read.', 'counter', (d) => d.readBytes);
    metric('hostwatch_disk_read_time_seconds_total', 'Seconds spent by all reads.', 'counter', (d) => d.readSeconds);
    metric('hostwatch_disk_writes_completed_total', 'Writes completed.', 'counter', (d) => d.writesCompleted);
    metric('hostwatch_disk_writes_merged_total', 'Adjacent writes merged into one.', 'counter', (d) => d.writesMerged);
    metric('hostwatch_disk_written_bytes_total', 'Bytes written.', 'counter', (d) => d.writtenBytes);
    metric('hostwatch_disk_write_time_seconds_total', 'Seconds spent by all writes.', 'counter', (d) => d.writeSeconds);
    metric('hostwatch_disk_io_now', 'I/Os in progress.', 'gauge', (d) => d.ioNow);
    metric('hostwatch_disk_io_time_seconds_total', 'Seconds the device had I/O in progress (utilisation).', 'counter', (d) => d.ioSeconds);
    metric(
      'hostwatch_disk_io_time_weighted_seconds_total',
      'Seconds spent doing I/O weighted by the number of I/Os in progress (queue size).',
      'counter',
      (d) => d.ioWeightedSeconds,
    );
    metric('hostwatch_disk_discards_completed_total', 'Discards completed (Linux 4.18+).', 'counter', (d) => d.discards?.completed);
    metric('hostwatch_disk_discards_merged_total', 'Adjacent discards merged (Linux 4.18+).', 'counter', (d) => d.discards?.merged);
    metric('hostwatch_disk_discarded_bytes_total', 'Bytes discarded (Linux 4.18+).', 'counter', (d) => d.discards?.bytes);
    metric(
      'hostwatch_disk_discard_time_seconds_total',
      'Seconds spent by all discards (Linux 4.18+).',
      'counter',
      (d) => d.discards?.seconds,
    );
    metric('hostwatch_disk_flush_requests_total', 'Flush requests completed (Linux 5.5+).', 'counter', (d) => d.flushes?.completed);
    metric(
      'hostwatch_disk_flush_requests_time_seconds_total',
      'Seconds spent by all flush requests (Linux 5.5+).',
      'counter',
      (d) => d.flushes?.seconds,
    );
  }

  async update(): Promise<void> {
    const all = parseDiskstats(await readText(this.file));
    this.last = all.filter((d) => !this.exclude.test(d.device)).slice(0, MAX_SERIES_OBJECTS);
  }
}

export const diskstatsCollector: CollectorDefinition = {
  name: 'diskstats',
  help: 'block device I/O statistics (/proc/diskstats)',
  defaultEnabled: true,
  create: (ctx) => new DiskstatsCollector(ctx),
};
