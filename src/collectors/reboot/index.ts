// reboot: hostwatch_reboot_required 1 while host.reboot_required_file exists (Debian/Ubuntu's
// /var/run/reboot-required, written by package hooks). The path is used as configured, like
// tls.cert_files (in a container, configure it under the host's root mount, e.g.
// /host/root/var/run/reboot-required). A missing file is the normal case (0); any other stat error
// is a collector error.
import { stat } from 'node:fs/promises';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric } from '../../core/metric.js';

/** Whether the reboot-required flag file exists (the audit reads it too). */
export async function rebootRequiredFlag(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    return false;
  }
}

export class RebootCollector implements Collector {
  private readonly file: string;
  private required?: number;

  constructor(ctx: CollectorContext) {
    this.file = ctx.config.host.reboot_required_file;
    defineMetric(ctx.registry, {
      name: 'hostwatch_reboot_required',
      help: 'Whether the OS asks for a reboot (the reboot-required file exists).',
      type: 'gauge',
      value: () => this.required,
    });
  }

  async update(): Promise<void> {
    this.required = (await rebootRequiredFlag(this.file)) ? 1 : 0;
  }
}

export const rebootCollector: CollectorDefinition = {
  name: 'reboot',
  help: 'whether a reboot is required (/var/run/reboot-required)',
  defaultEnabled: true,
  create: (ctx) => new RebootCollector(ctx),
};
