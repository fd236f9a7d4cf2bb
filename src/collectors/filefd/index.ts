// filefd: file handles allocated and the system-wide maximum (/proc/sys/fs/file-nr).
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../../core/collector.js';
import { hostPaths, readText, single } from '../hostfs.js';
import { parseFileNr, type FileFd } from './parse.js';

export class FilefdCollector implements Collector {
  private readonly file: string;
  private last?: FileFd;

  constructor(ctx: CollectorContext) {
    this.file = join(hostPaths(ctx.config.host).proc, 'sys', 'fs', 'file-nr');
    single(ctx.registry, 'hostwatch_filefd_allocated', 'File handles allocated.', 'gauge', () => this.last?.allocated);
    single(ctx.registry, 'hostwatch_filefd_maximum', 'Maximum number of file handles (fs.file-max).', 'gauge', () => this.last?.maximum);
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
