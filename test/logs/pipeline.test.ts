// The log pipeline with a tiny test-only log type: checkpoint-then-publish, restart from the
// checkpoint (counts continue, nothing twice), corrupt checkpoints moved aside, failed checkpoint
// writes, and the generic metrics rendered by the logs collector.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { parseConfig } from '../../src/config/load.js';
import type { LogConfig } from '../../src/config/schema.js';
import type { LogType } from '../../src/logs/handler.js';
import { LogPipeline } from '../../src/logs/pipeline.js';
import { LogsCollector } from '../../src/collectors/logs/index.js';
import { defineMetric } from '../../src/core/metric.js';
import { noWatch } from '../../src/tail/watch.js';
import { tempDir } from '../tail/helpers.js';
import { testPipeline } from './helpers.js';

/** Counts words per first letter; lines starting with "#" are unparsed; "@<secs> ..." carries a timestamp. */
interface WordState {
  byLetter: Record<string, number>;
}
const wordType: LogType<LogConfig, WordState> = {
  parseFields: () => () => undefined,
  registerMetrics(registry, published) {
    defineMetric(registry, {
      name: 'test_words_total',
      help: 'words by first letter',
      type: 'counter',
      labelNames: ['log', 'letter'],
      samples: () =>
        [...published()].flatMap(([log, { state }]) =>
          Object.entries(state.byLetter).map(([letter, value]) => ({ labels: { log, letter }, value })),
        ),
    });
  },
  createHandler() {
    let state: WordState = { byLetter: {} };
    return {
      processLine(line) {
        if (line.startsWith('#')) return { parsed: false };
        if (line === 'throw') throw new Error('handler bug');
        const ts = /^@(\d+) /.exec(line);
        const k = line[ts ? ts[0].length : 0];
        state.byLetter[k] = (state.byLetter[k] ?? 0) + 1;
        return { parsed: true, timestamp: ts ? Number(ts[1]) * 1000 : undefined };
      },
      snapshot: () => ({ byLetter: { ...state.byLetter } }),
      restore(s) {
        if (typeof s?.byLetter !== 'object') throw new Error('bad state');
        state = { byLetter: { ...s.byLetter } };
      },
    };
  },
};

let dir: string;
let cleanup: () => void;
let stateDir: string;
let log: string;
const pipelines: LogPipeline[] = [];

function logConfig(extra: Record<string, unknown> = {}): LogConfig {
  return parseConfig({ logs: [{ name: 'web', type: 'access', path: log, start_position: 'beginning', ...extra }] }).logs[0];
}

function pipeline(
  opts: { clock?: ManualClock; logger?: ReturnType<typeof createLogger>; config?: LogConfig } = {},
): LogPipeline<WordState> {
  const p = testPipeline({ ...opts, config: opts.config ?? logConfig(), type: wordType, stateDir });
  pipelines.push(p as LogPipeline);
  return p;
}

async function started(p: LogPipeline<WordState>): Promise<LogPipeline<WordState>> {
  await p.start();
  await p.poll();
  return p;
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  stateDir = path.join(dir, 'state');
  log = path.join(dir, 'app.log');
});
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.stop().catch(() => {})));
  cleanup();
});

describe('LogPipeline', () => {
  it('publishes only what is checkpointed, and the checkpoint file holds exactly that state', async () => {
    writeFileSync(log, 'apple\nant\n#comment\n');
    const p = await started(pipeline());
    // Lines processed, nothing published before a checkpoint.
    expect(p.state.counters.parsed).toBe(0);
    expect(p.state.handler.byLetter).toEqual({});
    await p.checkpoint();
    expect(p.state.counters).toMatchObject({ parsed: 2, unparsed: 1, truncated: 0 });
    expect(p.state.handler.byLetter).toEqual({ a: 2 });
    const cp = JSON.parse(readFileSync(path.join(stateDir, 'checkpoints', 'web.json'), 'utf8'));
    expect(cp.counters).toMatchObject({ parsed: 2, unparsed: 1 });
    expect(cp.handler).toEqual({ byLetter: { a: 2 } });
    expect(cp.tailer.files[0].offset).toBe(19);
    expect(cp.tailer.bytes).toBe(19);
  });

  it('restarts from the checkpoint: counts continue, no line counted twice', async () => {
    writeFileSync(log, 'apple\nbanana\n');
    const p1 = await started(pipeline());
    await p1.checkpoint();
    appendFileSync(log, 'avocado\n'); // read by p1 but never checkpointed: p1 "crashes" now
    await p1.poll();
    // No stop(): a crash leaves the last checkpoint only.
    const p2 = await started(pipeline());
    expect(p2.state.handler.byLetter).toEqual({ a: 1, b: 1 }); // published at start = restored
    await p2.checkpoint();
    expect(p2.state.handler.byLetter).toEqual({ a: 2, b: 1 });
    expect(p2.state.counters.parsed).toBe(3);
    await p2.stop();
    appendFileSync(log, 'blueberry\n');
    const p3 = await started(pipeline());
    await p3.checkpoint();
    expect(p3.state.handler.byLetter).toEqual({ a: 2, b: 2 });
    expect(p3.state.bytes).toBe(31);
  });

  it('a scrape or a stop during the start waits for the restore: no zeros published, no checkpoint lost', async () => {
    writeFileSync(log, 'apple\nbanana\n');
    const p1 = await started(pipeline());
    await p1.stop();
    const file = path.join(stateDir, 'checkpoints', 'web.json');
    const saved = () => JSON.parse(readFileSync(file, 'utf8')).counters.parsed;
    expect(saved()).toBe(2);

    const p2 = pipeline();
    const starting = p2.start();
    const scrape = p2.checkpoint(); // arrives while the checkpoint is being loaded
    await Promise.all([starting, scrape]);
    expect(p2.state.counters.parsed).toBe(2);
    expect(saved()).toBe(2);
    await p2.stop();

    const p3 = pipeline();
    void p3.start();
    await p3.stop(); // SIGTERM or SIGHUP right after the start
    expect(saved()).toBe(2);
    const p4 = pipeline();
    await p4.stop(); // never started: writes nothing
    expect(saved()).toBe(2);
  });

  it('counts truncated lines apart, takes the last line timestamp, survives a throwing handler', async () => {
    writeFileSync(log, `@1700000000 alpha\n${'x'.repeat(300)}\nthrow\n@1700000060 beta\nplain\n`);
    const p = await started(pipeline({ config: logConfig({ max_line_bytes: 100 }) }));
    await p.checkpoint();
    expect(p.state.counters).toEqual({ parsed: 3, unparsed: 1, truncated: 1, last_line_ts: 1_700_000_060_000 });
  });

  it('hands every line undecoded to a handler that reads bytes: not UTF-8, CRLF, cut lines', async () => {
    const got: Buffer[] = [];
    const byteType: LogType = {
      registerMetrics() {},
      parseFields: () => () => undefined,
      createHandler: () => ({
        processLine: () => {
          throw new Error('a handler with processBytes gets no decoded line');
        },
        processBytes(buf, start, end) {
          got.push(Buffer.from(buf.subarray(start, end))); // a copy: buf is reused by the next read
          return { parsed: buf[start] !== 0x23, timestamp: 1_700_000_000_000 };
        },
        snapshot: () => ({}),
        restore() {},
      }),
    };
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: not UTF-8
    writeFileSync(log, Buffer.concat([latin1, Buffer.from(`\nüber\r\n# comment\n\n${'x'.repeat(300)}\nlast`)]));
    const p = testPipeline({ config: logConfig({ max_line_bytes: 100 }), type: byteType, stateDir });
    pipelines.push(p);
    await p.start();
    await p.poll();
    await p.checkpoint();
    expect(got).toEqual([latin1, Buffer.from('über'), Buffer.from('# comment'), Buffer.from('x'.repeat(100))]);
    expect(p.state.counters).toEqual({ parsed: 2, unparsed: 1, truncated: 1, last_line_ts: 1_700_000_000_000 });
  });

  it('moves a corrupt checkpoint aside and starts afresh from start_position; the exporter still starts', async () => {
    mkdirSync(path.join(stateDir, 'checkpoints'), { recursive: true });
    writeFileSync(path.join(stateDir, 'checkpoints', 'web.json'), '{"version":1,"log":"web","tail');
    writeFileSync(log, 'old\n');
    const logged: string[] = [];
    const p = await started(
      pipeline({ config: logConfig({ start_position: 'end' }), logger: createLogger({ write: (l) => logged.push(l) }) }),
    );
    appendFileSync(log, 'new\n');
    await p.poll();
    await p.checkpoint();
    expect(p.state.handler.byLetter).toEqual({ n: 1 });
    const names = readdirSync(path.join(stateDir, 'checkpoints'));
    expect(names.filter((n) => n.startsWith('web.json.corrupt-'))).toHaveLength(1);
    expect(names).toContain('web.json');
    expect(logged.join('\n')).toMatch(/checkpoint unusable, moved aside.*not JSON/);
  });

  it('moves aside a checkpoint whose handler state is rejected, or written for another type', async () => {
    writeFileSync(log, 'a\n');
    const p1 = await started(pipeline());
    await p1.stop();
    const file = path.join(stateDir, 'checkpoints', 'web.json');
    const cp = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...cp, handler: 42 }));
    const p2 = await started(pipeline());
    await p2.checkpoint();
    expect(p2.state.handler.byLetter).toEqual({ a: 1 }); // re-read from the start, counted once
    await p2.stop();
    writeFileSync(file, JSON.stringify({ ...cp, type: 'auth' }));
    await started(pipeline());
    expect(readdirSync(path.join(stateDir, 'checkpoints')).filter((n) => n.includes('.corrupt-'))).toHaveLength(2);
  });

  it.each([
    ['negative', { parsed: -3, unparsed: 0, truncated: 0 }, /counters\.parsed: not a count/],
    ['absurd', { parsed: 1, unparsed: 1e300, truncated: 0 }, /counters\.unparsed: not a count/],
    ['missing', { parsed: 1, unparsed: 0 }, /counters\.truncated: not a count/],
    ['a bad timestamp', { parsed: 1, unparsed: 0, truncated: 0, last_line_ts: 'now' }, /counters\.last_line_ts: not a time/],
  ])('moves aside a checkpoint with %s generic counters and counts from start_position, once', async (_what, counters, reason) => {
    writeFileSync(log, 'a\n');
    const p1 = await started(pipeline());
    await p1.stop();
    const file = path.join(stateDir, 'checkpoints', 'web.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), counters }));
    const logged: string[] = [];
    const p2 = await started(pipeline({ logger: createLogger({ write: (l) => logged.push(l) }) }));
    await p2.checkpoint();
    expect(logged.join('\n')).toMatch(reason);
    expect(p2.state.counters.parsed).toBe(1);
    expect(p2.state.handler.byLetter).toEqual({ a: 1 });
  });

  it('a failed checkpoint write is counted and nothing new is published', async () => {
    writeFileSync(log, 'a\n');
    writeFileSync(stateDir, 'not a directory'); // mkdir of the checkpoint dir fails
    const p = await started(pipeline());
    await p.checkpoint();
    // The first one, at the start; the one after the pass that found the file (the first failed);
    // this one.
    expect(p.checkpointErrors).toBe(3);
    expect(p.lastCheckpointAt).toBeNull();
    expect(p.state.counters.parsed).toBe(0);
  });

  it('a first start has its files on disk when start() resolves: killed then, two rotations, the next start counts every line once', async () => {
    writeFileSync(log, 'a\nb\n');
    const first = pipeline();
    await first.start(); // before the exporter says it is listening; the first pass may still be reading
    const cp = JSON.parse(readFileSync(path.join(stateDir, 'checkpoints', 'web.json'), 'utf8'));
    expect(cp.tailer.files.map((f: { ino: string }) => f.ino)).toEqual([String(statSync(log).ino)]);
    // The kill: the state directory as it was at that instant is what the next run finds.
    const atKill = path.join(dir, 'state-at-kill');
    cpSync(stateDir, atKill, { recursive: true });
    await first.stop();
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'c\n');
    renameSync(`${log}.1`, `${log}.2`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'd\ne\n');
    stateDir = atKill;
    const second = await started(pipeline());
    await second.checkpoint();
    expect(second.state.counters.parsed).toBe(5);
  });

  it('checkpoints as soon as a new file is found, then every second while lines arrive, not when idle', async () => {
    const clock = new ManualClock();
    writeFileSync(log, 'a\n');
    const p = await started(pipeline({ clock }));
    const file = path.join(stateDir, 'checkpoints', 'web.json');
    const saved = () => JSON.parse(readFileSync(file, 'utf8')).counters.parsed;
    await p.checkpoint(); // waits for the write in flight: the new file triggered one
    expect(saved()).toBe(1);
    appendFileSync(log, 'b\n');
    await p.poll();
    await new Promise((r) => setTimeout(r, 20));
    expect(saved()).toBe(1); // a line is no reason to write at once
    expect(p.state.counters.parsed).toBe(1);
    clock.advance(1000);
    await p.checkpoint(); // waits for the background write
    expect(saved()).toBe(2);
    expect(p.state.counters.parsed).toBe(2);
    const written = statSync(file).mtimeMs;
    clock.advance(1000);
    await p.checkpoint();
    expect(statSync(file).mtimeMs).toBe(written); // idle: confirmed current, not rewritten
    expect(p.lastCheckpointAt).toBe(clock.now());
  });
});

describe('LogsCollector', () => {
  it('renders the generic metrics from the checkpointed state, and files_watched 0 for a missing path', async () => {
    writeFileSync(log, 'apple\n#x\n');
    const config = parseConfig({
      logs: [
        { name: 'web', type: 'access', path: log, start_position: 'beginning' },
        { name: 'missing', type: 'access', path: path.join(dir, 'nope', '*.log') },
      ],
    });
    const registry = new Registry();
    const clock = new ManualClock();
    // The access type replaced by the word counter, as a log type the collector only knows by its runtime.
    const types = new Map([['access', wordType as LogType]]);
    const c = new LogsCollector({ config, registry, stateDir, logger: silentLogger, clock }, { watch: noWatch, types });
    pipelines.push(...c.pipelines);
    await c.start();
    await Promise.all(c.pipelines.map((p) => p.poll()));
    await Promise.all(c.pipelines.map((p) => p.checkpoint()));
    await c.update();
    const text = await registry.metrics();
    expect(text).toContain('hostwatch_log_lines_total{log="web",result="parsed"} 1');
    expect(text).toContain('hostwatch_log_lines_total{log="web",result="unparsed"} 1');
    expect(text).toContain('hostwatch_log_lines_total{log="web",result="truncated"} 0');
    expect(text).toContain('hostwatch_log_bytes_read_total{log="web"} 9');
    expect(text).toContain('hostwatch_log_files_watched{log="web"} 1');
    expect(text).toContain('hostwatch_log_files_watched{log="missing"} 0');
    expect(text).toContain('hostwatch_log_pending_bytes{log="web"} 0');
    expect(text).toContain('hostwatch_log_rotations_total{log="web",kind="rename"} 0');
    expect(text).toContain('hostwatch_log_rotations_total{log="web",kind="copytruncate"} 0');
    expect(text).toContain('hostwatch_log_file_errors{log="web",reason="permission_denied"} 0');
    expect(text).toContain(`hostwatch_checkpoint_last_success_timestamp_seconds{log="web"} ${clock.now() / 1000}`);
    expect(text).toContain('hostwatch_checkpoint_errors_total{log="web"} 0');
    expect(text).toContain('test_words_total{log="web",letter="a"} 1');
    expect(text).not.toContain('hostwatch_log_last_line_timestamp_seconds{');
    await c.stop();
  });

  it('a scrape never writes a checkpoint: it renders the last durable state, which the background brings up every second', async () => {
    writeFileSync(log, 'apple\n');
    const config = parseConfig({ logs: [{ name: 'web', type: 'access', path: log, start_position: 'beginning' }] });
    const registry = new Registry();
    const clock = new ManualClock();
    const c = new LogsCollector(
      { config, registry, stateDir, logger: silentLogger, clock },
      { watch: noWatch, types: new Map([['access', wordType as LogType]]) },
    );
    pipelines.push(...c.pipelines);
    await c.start();
    const [p] = c.pipelines;
    await p.poll();
    await p.checkpoint(); // the one taken when the file was found
    const file = path.join(stateDir, 'checkpoints', 'web.json');
    const written = statSync(file, { bigint: true }).mtimeNs;
    appendFileSync(log, 'avocado\nbanana\n');
    await p.poll();
    for (let i = 0; i < 3; i++) {
      await c.update();
      expect(await registry.metrics()).toContain('test_words_total{log="web",letter="a"} 1');
    }
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(written);
    clock.advance(1000); // the background checkpoint
    await p.checkpoint();
    await c.update();
    const text = await registry.metrics();
    expect(text).toContain('test_words_total{log="web",letter="a"} 2');
    expect(text).toContain('test_words_total{log="web",letter="b"} 1');
    await c.stop();
  });
});
