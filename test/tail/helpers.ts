// Shared by the tailer tests: a temp dir, and a tailer driven by hand (no fs events, manual clock).
import { afterEach, beforeEach } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { TailerState } from '../../src/tail/checkpoint.js';
import { Tailer, type TailerOptions } from '../../src/tail/tailer.js';
import { noWatch } from '../../src/tail/watch.js';

/**
 * Numbered lines appended to a test's log (or to `to`): write(count) appends `count` lines made by
 * `text` from the running number and returns them; reset() starts the numbering again (each test).
 */
export function lineWriter(
  file: () => string,
  text: (i: number) => string = numberedLine,
): { write(count: number, to?: string): string[]; reset(): void } {
  let n = 0;
  return {
    write(count, to = file()) {
      const out = Array.from({ length: count }, () => text(n++));
      appendFileSync(to, out.map((l) => l + '\n').join(''));
      return out;
    },
    reset() {
      n = 0;
    },
  };
}

/**
 * gzip `from` into `to` (written in place when `to` exists: its inode is kept), then removes `from`:
 * gzip's order, the .gz whole before the file goes.
 */
export function compress(from: string, to: string): void {
  writeFileSync(to, gzipSync(readFileSync(from)));
  unlinkSync(from);
}

/** A line numbered `i`, ~73 bytes: the default of lineWriter. */
export const numberedLine = (i: number): string => `line ${String(i).padStart(6, '0')} ${'x'.repeat(60)}`;

/** A request line numbered `i`, ~57 bytes: the copytruncate tests' lines. */
export const requestLine = (i: number): string => `${String(i).padStart(7, '0')} GET /item/${i + 1} ${'y'.repeat(40)}`;

/** logrotate's copytruncate of `log`: copied to `log`.1, then truncated in place. */
export function copytruncate(log: string): void {
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
}

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
  opts: Partial<Omit<TailerOptions, 'paths' | 'sink' | 'clock'>> & { restore?: TailerState; clock?: ManualClock } = {},
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
    logger: opts.logger ?? silentLogger,
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

export interface TailerTests {
  /** This test's temp dir, and `<dir>/access.log` in it. */
  dir: string;
  log: string;
  /** startTailer(), the tailer stopped after the test. */
  start: typeof startTailer;
}

/** Per test of the calling file: a fresh temp dir, and every tailer started stopped afterwards. */
export function tailerTests(): TailerTests {
  const running: Harness[] = [];
  let cleanup = () => {};
  const t: TailerTests = {
    dir: '',
    log: '',
    start: async (...args) => {
      const h = await startTailer(...args);
      running.push(h);
      return h;
    },
  };
  beforeEach(() => {
    ({ dir: t.dir, cleanup } = tempDir());
    t.log = path.join(t.dir, 'access.log');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((h) => h.tailer.stop()));
    cleanup();
  });
  return t;
}

/** Runs a tailer over what is there and stops it: its lines, and its snapshot as written to disk and read back. */
export async function runOnce(
  paths: string[],
  opts: Parameters<typeof startTailer>[1] = {},
): Promise<{ lines: string[]; state: TailerState }> {
  const h = await startTailer(paths, opts);
  const state = JSON.parse(JSON.stringify(h.tailer.snapshot())) as TailerState;
  await h.tailer.stop();
  return { lines: h.lines, state };
}

/**
 * Runs `step` at the `at`-th turn of the event loop from now (counted by setImmediate), to act at a
 * chosen point of a pass that awaits; stop() ends the count and says whether `step` ran.
 */
export function atTurn(at: number, step: () => void): { stop(): boolean } {
  let turns = 0;
  let done = false;
  let ran = false;
  const tick = () => {
    if (done) return;
    if (turns++ === at) {
      step();
      ran = true;
    } else setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      done = true;
      return ran;
    },
  };
}

/**
 * A restart from `state` whose sink also calls `onLine` with each line (and the tailer), to act at
 * an exact point of the reading; two passes, then stopped. The lines it read.
 */
export async function restartReading(
  paths: string[],
  state: TailerState,
  onLine: (text: string, tailer: Tailer) => void,
): Promise<string[]> {
  const lines: string[] = [];
  const tailer: Tailer = new Tailer({
    paths,
    startPosition: 'beginning',
    maxLineBytes: 65536,
    pollInterval: 1000,
    clock: new ManualClock(),
    logger: silentLogger,
    watch: noWatch,
    sink: {
      line: (text) => {
        lines.push(text);
        onLine(text, tailer);
      },
    },
  });
  tailer.restore(state);
  await tailer.start();
  await tailer.poll();
  await tailer.poll();
  await tailer.stop();
  return lines;
}

/**
 * Runs one pass of `h` and takes a snapshot at every yield of it (every turn of the event loop),
 * as a checkpoint written at a scrape would be; then stops the tailer. Each distinct snapshot with
 * the number of lines handed over when it was taken.
 */
export async function snapshotsOfPass(h: Harness): Promise<{ state: TailerState; seen: number }[]> {
  const snaps: { state: TailerState; seen: number }[] = [];
  let last = '';
  const take = () => {
    const json = JSON.stringify(h.tailer.snapshot());
    if (json !== last) snaps.push({ state: JSON.parse(json) as TailerState, seen: h.lines.length });
    last = json;
  };
  let polling = true;
  const loop = () => {
    take();
    if (polling) setImmediate(loop);
  };
  loop();
  await h.poll();
  polling = false;
  take();
  await h.tailer.stop();
  return snaps;
}
