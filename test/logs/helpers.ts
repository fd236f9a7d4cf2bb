// A real logs collector on real files, for the end-to-end-in-process tests of each log type:
// fs events are off (noWatch) so that a "scrape" polls the tailers, checkpoints them (what the
// background checkpoint does every second), then runs the collector's update and renders its
// registry, as a real scrape does.
import path from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { LogsCollector } from '../../src/collectors/logs/index.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import { noWatch } from '../../src/tail/watch.js';
import { LogPipeline } from '../../src/logs/pipeline.js';
import type { LogConfig } from '../../src/config/schema.js';
import type { LogType } from '../../src/logs/handler.js';
import { runParse, type ParseOptions } from '../../src/cli/parse.js';

export interface RunningLogs {
  c: LogsCollector;
  scrape: () => Promise<string>;
  /** The registry rendered as it is, without a pass or an update. */
  metrics: () => Promise<string>;
}

/** Starts a logs collector for `logs` with its state in `<dir>/state`; `started` collects it for afterEach. */
export async function startLogs(
  logs: unknown[],
  dir: string,
  clock: ManualClock,
  started: LogsCollector[],
  logger: Logger = silentLogger,
): Promise<RunningLogs> {
  const config = parseConfig({ logs });
  const registry = new Registry();
  const c = new LogsCollector({ config, registry, stateDir: path.join(dir, 'state'), logger, clock }, { watch: noWatch });
  started.push(c);
  await c.start();
  const scrape = async () => {
    await Promise.all(c.pipelines.map((p) => p.poll()));
    // What the background checkpoint of each log does within a second, done now.
    await Promise.all(c.pipelines.map((p) => p.checkpoint()));
    await c.update();
    return registry.metrics();
  };
  return { c, scrape, metrics: () => registry.metrics() };
}

/** `hostwatch parse` of a file, in process: the JSON records it prints, one per line (the summary is dropped). */
export async function parseRecords(file: string, opts: ParseOptions): Promise<unknown[]> {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const summary = new Writable({ write: (_c, _e, cb) => cb() });
  await runParse(file, opts, out, summary);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
}

/**
 * One log pipeline on real files, without fs events (noWatch: the test polls), its own registry, a
 * manual clock and a silent logger unless given.
 */
export function testPipeline<S>(opts: {
  config: LogConfig;
  type: LogType<LogConfig, S>;
  stateDir: string;
  clock?: ManualClock;
  logger?: Logger;
}): LogPipeline<S> {
  return new LogPipeline<S>({
    config: opts.config,
    type: opts.type as LogType,
    stateDir: opts.stateDir,
    clock: opts.clock ?? new ManualClock(),
    logger: opts.logger ?? silentLogger,
    registry: new Registry(),
    watch: noWatch,
  });
}
