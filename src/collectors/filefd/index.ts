// filefd: file handles allocated and the system-wide maximum (/proc/sys/fs/file-nr).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';
import { hostPaths, readText } from '../hostfs.js';
import { parseFileNr, type FileFd } from './parse.js';

export class FilefdCollector implements Collector {
  private readonly file: string;
  private last?: FileFd;

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'sys', 'fs', 'file-nr');
    defineMetric(ctx.registry, {
      name: 'hostwatch_filefd_allocated',
      help: 'File handles allocated.',
      type: 'gauge',
      value: () => this.last?.allocated,
    });
    defineMetric(ctx.registry, {
      name: 'hostwatch_filefd_maximum',
      help: 'Maximum number of file handles (fs.file-max).',
      type: 'gauge',
      value: () => this.last?.maximum,
    });
  }

  async update(): Promise<void> {
    this.last = parseFileNr(await readText(this.file));
  }
}

export const filefdCollector: CollectorDefinition = {
  name: 'filefd',
  help: 'allocated and maximum file handles (/proc/sys/fs/file-nr)',
  defaultEnabled: true,
  create: (ctx) => new FilefdCollector(ctx),
};
