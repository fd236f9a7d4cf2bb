// Shared by the tailer tests: a temp dir, and a tailer driven by hand (no fs events, manual clock).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { TailerState } from '../../src/tail/checkpoint.js';
import { Tailer, type TailerOptions } from '../../src/tail/tailer.js';
import { noWatch } from '../../src/tail/watch.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostwatch-tail-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Harness {
  tailer: Tailer;
  clock: ManualClock;
  lines: string[];
  truncated: string[];
  /** Runs one pass and returns the lines it produced. */
  poll(): Promise<string[]>;
}

export async function startTailer(
  paths: string[],
  opts: Partial<Omit<TailerOptions, 'paths' | 'sink' | 'clock' | 'logger'>> & { restore?: TailerState; clock?: ManualClock } = {},
): Promise<Harness> {
  const clock = opts.clock ?? new ManualClock();
  const lines: string[] = [];
  const truncated: string[] = [];
  const tailer = new Tailer({
    paths,
    startPosition: opts.startPosition ?? 'beginning',
    maxLineBytes: opts.maxLineBytes ?? 64 * 1024,
    pollInterval: opts.pollInterval ?? 1000,
    rotateWaitMs: opts.rotateWaitMs ?? 5000,
    chunkBytes: opts.chunkBytes,
    clock,
    logger: silentLogger,
    watch: opts.watch ?? noWatch,
    sink: {
      line: (text, cut) => {
        lines.push(text);
        if (cut) truncated.push(text);
      },
    },
  });
  if (opts.restore) tailer.restore(opts.restore);
  await tailer.start();
  const h: Harness = {
    tailer,
    clock,
    lines,
    truncated,
    poll: async () => {
      const before = lines.length;
      await tailer.poll();
      return lines.slice(before);
    },
  };
  await tailer.poll();
  return h;
}
