// Helpers of the host collector tests: a collector context on a fixture tree, and a tiny reader of
// the text exposition format to look samples up.
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import type { CollectorContext } from '../../src/collectors/collector.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/log.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const PROC = `${FIXTURES}proc`;
export const SYS = `${FIXTURES}sys`;
export const ROOTFS = `${FIXTURES}rootfs`;
export const VARIANTS = `${FIXTURES}proc-variants`;

export function makeCtx(
  host: Record<string, unknown> = {},
  extra: { clock?: ManualClock; logger?: Logger } = {},
): CollectorContext & { clock: ManualClock } {
  const config = parseConfig({ host: { proc_path: PROC, sys_path: SYS, rootfs_path: ROOTFS, ...host } });
  return {
    config,
    registry: new Registry(),
    stateDir: '/nonexistent',
    logger: extra.logger ?? silentLogger,
    clock: extra.clock ?? new ManualClock(),
  };
}

/** Parses exposition text into "name{a="x",b="y"}" → value (labels in rendered order). */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** Names of the sample series present for a metric. */
export function seriesOf(text: string, name: string): string[] {
  return [...samples(text).keys()].filter((k) => k === name || k.startsWith(`${name}{`));
}
