// Shared plumbing of the host collectors: where the host's /proc, /sys and root are (they differ
// in a container with host mounts) and non-blocking file reads. Metrics are declared with
// defineMetric (src/core/metric.ts), reading the collector's last parsed state: the runner renders a
// collector's registry only after a successful update(), so samples never mix two scrapes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostConfig } from '../config/schema.js';

export interface HostPaths {
  proc: string;
  sys: string;
  rootfs: string;
}

export function hostPaths(host: HostConfig): HostPaths {
  return { proc: host.proc_path, sys: host.sys_path, rootfs: host.rootfs_path };
}

/** A path of the host's filesystem (e.g. /etc/os-release) as seen through rootfs_path. */
export function rootfsPath(paths: HostPaths, hostPath: string): string {
  return paths.rootfs === '/' ? hostPath : join(paths.rootfs, hostPath);
}

/** Reads a whole (small) /proc or /sys file without blocking the event loop. */
export function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/**
 * Hard cap of devices/mounts/interfaces a collector exports: the kernel is the input here, but a
 * host with thousands of veth interfaces or mounts must not blow up the scrape or the TSDB.
 */
export const MAX_SERIES_OBJECTS = 1000;

/** Splits file text into non-empty lines. */
export function lines(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) if (l.trim() !== '') out.push(l);
  return out;
}

/** Splits a line on runs of whitespace, without empty fields. */
export function fields(line: string): string[] {
  return line.trim().split(/\s+/);
}
