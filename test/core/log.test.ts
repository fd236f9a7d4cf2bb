// Rate-limited warnings: a message that repeats while a condition lasts is logged once per interval
// with the count of repeats suppressed; and the place the issue names, a checkpoint write failing
// every 5 s, on a real log pipeline whose state directory cannot be written.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger, rateLimited } from '../../src/core/log.js';
import { parseConfig } from '../../src/config/load.js';
import { LogPipeline } from '../../src/logs/pipeline.js';
import { findLogType } from '../../src/logs/registry.js';
import type { LogType } from '../../src/logs/handler.js';
import { noWatch } from '../../src/tail/watch.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ format: 'json', level: 'debug', write: (l) => lines.push(JSON.parse(l)) }) };
}

describe('rateLimited', () => {
  it('logs the first occurrence, counts the repeats within the interval, and reports them with the next one', () => {
    const clock = new ManualClock();
    const { lines, logger } = capture();
    const log = rateLimited(logger, { intervalMs: 60_000, clock });
    for (let i = 0; i < 12; i++) {
      log.warn('checkpoint write failed', { log: 'web', err: 'ENOSPC' });
      clock.advance(5000);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'checkpoint write failed', log: 'web', err: 'ENOSPC' });
    expect(lines[0]).not.toHaveProperty('suppressed');
    log.warn('checkpoint write failed', { log: 'web', err: 'ENOSPC' }); // 60 s after the first
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ msg: 'checkpoint write failed', suppressed: 11 });
    // After a quiet interval, no count to report.
    clock.advance(120_000);
    log.warn('checkpoint write failed', { log: 'web', err: 'ENOSPC' });
    expect(lines[2]).not.toHaveProperty('suppressed');
  });

  it('another message, level or field value is news: logged at once', () => {
    const clock = new ManualClock();
    const { lines, logger } = capture();
    const log = rateLimited(logger, { intervalMs: 60_000, clock });
    log.warn('checkpoint write failed', { log: 'web', err: 'ENOSPC' });
    log.warn('checkpoint write failed', { log: 'web', err: 'EACCES' });
    log.warn('checkpoint write failed', { log: 'api', err: 'ENOSPC' });
    log.error('checkpoint write failed', { log: 'web', err: 'ENOSPC' });
    log.warn('collector failed', { log: 'web', err: 'ENOSPC' });
    log.warn('checkpoint write failed', { log: 'web', err: new Error('ENOSPC') }); // an Error logs as its message
    expect(lines.map((l) => `${l.level} ${l.msg} ${l.log} ${l.err}`)).toEqual([
      'warn checkpoint write failed web ENOSPC',
      'warn checkpoint write failed web EACCES',
      'warn checkpoint write failed api ENOSPC',
      'error checkpoint write failed web ENOSPC',
      'warn collector failed web ENOSPC',
    ]);
  });

  it('children share the memory of their parent, each with its own fields', () => {
    const clock = new ManualClock();
    const { lines, logger } = capture();
    const log = rateLimited(logger, { intervalMs: 60_000, clock });
    const a = log.child({ collector: 'a' });
    const b = log.child({ collector: 'b' });
    a.warn('failed');
    a.warn('failed');
    log.child({ collector: 'a' }).warn('failed');
    b.warn('failed');
    expect(lines.map((l) => l.collector)).toEqual(['a', 'b']);
  });

  it('remembers a bounded number of distinct messages', () => {
    const clock = new ManualClock();
    const { lines, logger } = capture();
    const log = rateLimited(logger, { intervalMs: 60_000, clock });
    for (let i = 0; i < 5000; i++) log.warn('unique', { i });
    expect(lines).toHaveLength(5000);
    // The oldest were forgotten: logging one again is not suppressed.
    log.warn('unique', { i: 0 });
    expect(lines).toHaveLength(5001);
    log.warn('unique', { i: 4999 });
    expect(lines).toHaveLength(5001);
  });
});

describe('a checkpoint write failing every 5 s', () => {
  let dir: string;
  let pipeline: LogPipeline | undefined;
  afterEach(async () => {
    await pipeline?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('is logged once per 5 minutes with the count of suppressed repeats, and counted every time', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostwatch-ratelimit-'));
    const log = join(dir, 'access.log');
    writeFileSync(log, '');
    const stateDir = join(dir, 'state');
    writeFileSync(stateDir, 'a file where the state directory should be'); // every write fails: ENOTDIR
    const clock = new ManualClock();
    const { lines, logger } = capture();
    const config = parseConfig({ logs: [{ name: 'web', type: 'access', path: log, start_position: 'beginning' }] }).logs[0];
    pipeline = new LogPipeline({
      config,
      type: (await findLogType('access')!.load()) as LogType,
      stateDir,
      clock,
      logger,
      registry: new Registry(),
      watch: noWatch,
    });
    await pipeline.start();
    // Ten minutes: a line arrives every 5 s and is scraped (a scrape checkpoints; the pipeline's own
    // timer does too when lines arrived): two failed writes per step.
    for (let t = 0; t < 120; t++) {
      appendFileSync(log, `127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /a HTTP/1.1" 200 1 "-" "x"\n`);
      await pipeline.poll();
      await pipeline.checkpoint();
      clock.advance(5000);
    }
    expect(pipeline.checkpointErrors).toBeGreaterThanOrEqual(120);
    const failures = lines.filter((l) => l.msg === 'checkpoint write failed');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ level: 'warn', log: 'web' });
    expect(String(failures[0].err)).toMatch(/ENOTDIR|EEXIST/);
    // Every failure in the first five minutes but the first, counted, not logged.
    expect(failures[1].suppressed).toBeGreaterThanOrEqual(59);
    expect(failures[1].suppressed).toBeLessThan(pipeline.checkpointErrors - 1);
  });
});
