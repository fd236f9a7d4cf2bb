// logrotate's copies once known (copytruncate). With a glob that matches the copy (`access.log*`),
// the copy must never be followed as a new file (across a restart too: the known copies are in the
// checkpoint), and a copy set aside before its original's truncation is seen is still read from
// where the original was. And a known copy's inode reused by a new log must not hide that log.
// (The last two found by reading the code: lines lost, the new log never read.)
import { beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { atTurn, compress, copytruncate, lineWriter, requestLine, startTailer, tailerTests } from './helpers.js';
import type { TailerState } from '../../src/tail/checkpoint.js';
import { createLogger } from '../../src/core/log.js';

const t = tailerTests();
const start = t.start;
let dir: string;
let log: string;
const requests = lineWriter(() => log, requestLine);
const write = requests.write;
beforeEach(() => {
  ({ dir, log } = t);
  requests.reset();
});

describe('copytruncate with a glob matching the copy', () => {
  it('with a glob matching the copy, a restart after the truncation does not read the copy as a new file', async () => {
    const glob = path.join(dir, 'access.log*');
    const expected = write(100);
    const h = await startTailer([glob]);
    expected.push(...write(50));
    copytruncate(log);
    expected.push(...write(10));
    await h.tailer.poll();
    h.clock.advance(6000); // the copy, read to its end, is let go: only the memory of it remains
    await h.tailer.poll();
    expect(h.lines).toEqual(expected);
    const state = JSON.parse(JSON.stringify(h.tailer.snapshot())) as TailerState;
    await h.tailer.stop();
    expect(state.files.map((f) => f.path)).toEqual([log]);
    expect(state.known?.filter((k) => k.copy)).toHaveLength(1);
    const after = write(5);
    const again = await start([glob], { restore: state });
    await again.poll();
    expect(again.lines).toEqual(after);
  });

  it('a first start between the copy and the truncation: the copy set aside is read when the truncation is seen', async () => {
    // The first pass sets access.log.1 aside as a copy before it reads access.log; the truncation
    // comes right then (when the tailer says so in its log): the lines are only in the copy.
    const expected = write(30);
    copyFileSync(log, `${log}.1`);
    const logger = createLogger({
      level: 'debug',
      write: (line) => {
        if (!line.includes('not following a copy')) return;
        truncateSync(log, 0);
        expected.push(...write(5));
      },
    });
    const h = await startTailer([path.join(dir, 'access.log*')], { logger });
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    expect(h.lines).toEqual(expected);
  });

  it('with a glob matching the copy, set aside before the truncation is seen, at any point of the pass: the copy is read from where the file was', async () => {
    // The pass lists access.log.1 (logrotate's copy, holding lines not read yet) and sets it aside as
    // a copy; the truncation comes at turn `at`, before or after the file itself is read.
    const glob = path.join(dir, 'access.log*');
    for (let at = 0; at < 60; at++) {
      requests.reset();
      const expected = write(20);
      const h = await startTailer([glob]);
      expected.push(...write(10));
      copyFileSync(log, `${log}.1`);
      const turn = atTurn(at, () => {
        truncateSync(log, 0);
        expected.push(...write(5));
      });
      await h.poll();
      const ran = turn.stop();
      if (!ran) {
        truncateSync(log, 0);
        expected.push(...write(5));
      }
      await h.poll();
      h.clock.advance(6000);
      await h.poll();
      expect(h.lines, `truncated at turn ${at}`).toEqual(expected);
      await h.tailer.stop();
      rmSync(log);
      rmSync(`${log}.1`);
      if (!ran) break; // the pass ended first: every point was tried
    }
  });
});

describe("a known copy's inode reused", () => {
  it('by the log recreated at its path: the new log is followed', async () => {
    const expected = write(20);
    const h = await start([log]);
    expected.push(...write(10));
    copytruncate(log);
    // Made a while ago: the new log's writes are not in the copy's clock tick (a file modified in
    // the tick the copy was last seen modified in is taken for it unchanged: isKnownCopy).
    const past = new Date(Date.now() - 60_000);
    utimesSync(`${log}.1`, past, past);
    expected.push(...write(5));
    await h.poll();
    h.clock.advance(6000); // the copy, read to its end, is let go: only its record remains
    await h.poll();
    // The copy and the log deleted, the log created again on the copy's inode (here the copy
    // itself, emptied and moved to the path: the same identity with other first bytes).
    truncateSync(`${log}.1`, 0);
    unlinkSync(log);
    renameSync(`${log}.1`, log);
    expected.push(...write(8));
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    expect(h.lines).toEqual(expected);
  });

  it("by a log created on its inode within the copy's millisecond: the new log is followed", async () => {
    // A known copy found unchanged by its time is not read; the size tells a file created on its
    // inode in the same clock tick (seen once under load, in the test above before it aged the copy).
    const expected = write(20);
    const h = await start([log]);
    expected.push(...write(10));
    copytruncate(log);
    // The middle of the copy's millisecond, in seconds (a Date's ms as seconds can round below it).
    const copyTime = (Math.floor(statSync(`${log}.1`).mtimeMs) + 0.5) / 1000;
    expected.push(...write(5));
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    truncateSync(`${log}.1`, 0);
    unlinkSync(log);
    renameSync(`${log}.1`, log);
    expected.push(...write(8));
    utimesSync(log, copyTime, copyTime);
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    expect(h.lines).toEqual(expected);
  });
});

describe('a copy still being written when the chain is looked at', () => {
  it('is not taken for a rotated file never read: it is read from where the file was once the truncation is seen', async () => {
    // Found by the torture once it compressed (seeds 3 and 11, 600 and 400 lines twice): the chain
    // looked at while logrotate's copy was being written saw a file with the start of ours, took
    // it for a rotated file never read, and read it from 0.
    const expected = write(10); // R
    const h1 = await start([log]);
    renameSync(log, `${log}.1`);
    expected.push(...write(20)); // F
    await h1.poll();
    const state = JSON.parse(JSON.stringify(h1.tailer.snapshot())) as TailerState;
    await h1.tailer.stop();
    expect(h1.lines).toEqual(expected);
    const seen = h1.lines.length;
    expected.push(...write(10)); // F, not read before the stop
    renameSync(`${log}.1`, `${log}.2`);
    const whole = readFileSync(log);
    writeFileSync(`${log}.1`, whole.subarray(0, 100)); // logrotate's copy of F, 100 bytes written so far
    const h = await start([log], { restore: state });
    await h.poll(); // the restart looks at the chain: the copy being written is waited for
    writeFileSync(`${log}.1`, whole); // the copy done, then F truncated
    truncateSync(log, 0);
    expected.push(...write(5));
    for (let i = 0; i < 3; i++) {
      await h.poll();
      h.clock.advance(2000);
    }
    expect([...h1.lines.slice(0, seen), ...h.lines]).toEqual(expected);
  });
});

describe('a file truncated by copytruncate, then rotated and compressed before a pass saw the truncation', () => {
  it('its .gz (what it got after the truncation) is read once, through the file; its copy from where it was', async () => {
    // Found by the torture (seed 2, 1,400 lines twice): the look at the chain, which comes before
    // the rotated file is read, knew the file by its first bytes before the truncation, so its
    // compressed form looked like a rotated file never read and was read from 0, then the file too.
    const expected = write(20);
    const h = await start([log]);
    expected.push(...write(10)); // not read before the copy
    copytruncate(log); // C: access.log.1
    compress(`${log}.1`, `${log}.1.gz`); // compress (no delaycompress)
    expected.push(...write(15)); // the file after its truncation
    renameSync(`${log}.1.gz`, `${log}.2.gz`);
    renameSync(log, `${log}.1`);
    compress(`${log}.1`, `${log}.1.gz`); // the file compressed and deleted: only our descriptor holds it
    writeFileSync(log, '');
    expected.push(...write(5));
    for (let i = 0; i < 3; i++) {
      await h.poll();
      h.clock.advance(6000);
    }
    // The copy in a .gz is found by a later pass than the truncation: order aside, every line once.
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });
});
