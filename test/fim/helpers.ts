// Shared helpers of the FIM tests: temp trees, a collector wired like the exporter does it, and
// reading sample values out of the Prometheus text format.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import { FimCollector } from '../../src/collectors/fim/index.js';
import type { ScanHooks } from '../../src/fim/scan.js';

export function tempDir(prefix = 'hw-fim-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes files given as {relative path: content}, creating directories. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

export interface FimHarness {
  collector: FimCollector;
  registry: Registry;
  clock: ManualClock;
  metrics: () => Promise<string>;
}

export function makeCollector(
  stateDir: string,
  fim: Record<string, unknown>,
  opts: { clock?: ManualClock; hooks?: ScanHooks; logger?: Logger } = {},
): FimHarness {
  // One worker unless a test asks for more: these tests are not about concurrency (scan.test.ts and
  // threads.test.ts are), and each worker started from the TypeScript sources loads tsx.
  const config = parseConfig({ fim: { enabled: true, hash_concurrency: 1, ...fim } });
  const registry = new Registry();
  const clock = opts.clock ?? new ManualClock();
  const collector = new FimCollector({ config, registry, stateDir, logger: opts.logger ?? silentLogger, clock }, opts.hooks);
  return { collector, registry, clock, metrics: () => registry.metrics() };
}

/** The value of one sample in Prometheus text output, or undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) got[lm[1]] = lm[2];
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}
