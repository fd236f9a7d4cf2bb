// What a log pipeline keeps while a checkpoint waits for the disk. Under a flood a checkpoint is
// written every second and the disk can take its time: a full snapshot (a detector's 10,000 sources)
// kept across the write's awaits was promoted to V8's old generation at every checkpoint, garbage
// that let the heap grow before the next full collection. A FIFO in place of the temp file holds
// the write at its open(). And a snapshot that cannot be serialised fails its write like a full disk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseConfig } from '../../src/config/load.js';
import type { LogConfig } from '../../src/config/schema.js';
import type { LogType } from '../../src/logs/handler.js';
import type { LogPipeline } from '../../src/logs/pipeline.js';
import { tempDir } from '../tail/helpers.js';
import { testPipeline } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Keeps every line; its metrics view is the last line only, and every snapshot it takes is watched. */
function linesType(snapshots: WeakRef<object>[]): LogType<LogConfig, { lines: string[] }> {
  return {
    registerMetrics() {},
    parseFields: () => () => undefined,
    createHandler() {
      const lines: string[] = [];
      return {
        processLine(line) {
          lines.push(line);
          return { parsed: true };
        },
        snapshot() {
          const s = { lines: [...lines] };
          snapshots.push(new WeakRef(s));
          return s;
        },
        metricsView: (s) => ({ lines: s.lines.slice(-1) }),
        restore() {},
      };
    },
  };
}

let dir: string;
let cleanup: () => void;
let p: LogPipeline | undefined;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await p?.stop().catch(() => {});
  cleanup();
});

describe('LogPipeline checkpoint write', () => {
  it('holds only the metrics view, not the whole snapshot, while a checkpoint waits for the disk', async () => {
    const log = path.join(dir, 'app.log');
    const stateDir = path.join(dir, 'state');
    const snapshots: WeakRef<object>[] = [];
    writeFileSync(log, 'a\n');
    p = testPipeline({
      config: parseConfig({ logs: [{ name: 'web', type: 'access', path: log, start_position: 'beginning' }] }).logs[0],
      type: linesType(snapshots),
      stateDir,
    }) as LogPipeline;
    await p.start();
    await p.poll();
    await p.checkpoint();
    const tmp = path.join(stateDir, 'checkpoints', 'web.json.tmp');
    execFileSync('mkfifo', [tmp]);
    appendFileSync(log, 'b\nc\n');
    await p.poll();
    const before = snapshots.length;
    const saving = p.checkpoint();
    // Taken, then the write started at once: from here it waits for a reader of the FIFO.
    while (snapshots.length === before) await new Promise((r) => setTimeout(r, 5));
    const taken = snapshots.at(-1)!;
    gc();
    expect(taken.deref()).toBeUndefined();
    // The bytes it holds are the whole checkpoint: read them (the FIFO cannot be fsynced, so this
    // write fails and is counted; the next one, to a plain temp file, succeeds).
    const written = JSON.parse(await readFile(tmp, 'utf8'));
    await saving;
    expect(written.handler.lines).toEqual(['a', 'b', 'c']);
    expect(p.checkpointErrors).toBe(1);
    expect(p.state.handler).toEqual({ lines: ['a'] });
    appendFileSync(log, 'd\n');
    await p.poll();
    await p.checkpoint();
    expect(p.state.handler).toEqual({ lines: ['d'] });
  });

  it('a snapshot that cannot be serialised is a failed write, counted, not a rejected checkpoint', async () => {
    const log = path.join(dir, 'app.log');
    writeFileSync(log, 'a\n');
    const bigType: LogType<LogConfig, { n: bigint }> = {
      registerMetrics() {},
      parseFields: () => () => undefined,
      createHandler: () => ({ processLine: () => ({ parsed: true }), snapshot: () => ({ n: 1n }), restore() {} }),
    };
    p = testPipeline({
      config: parseConfig({ logs: [{ name: 'web', type: 'access', path: log, start_position: 'beginning' }] }).logs[0],
      type: bigType,
      stateDir: path.join(dir, 'state'),
    }) as LogPipeline;
    await p.start();
    await p.poll();
    await expect(p.checkpoint()).resolves.toBeUndefined();
    expect(p.checkpointErrors).toBeGreaterThan(0);
    expect(p.lastCheckpointAt).toBeNull();
  });
});
