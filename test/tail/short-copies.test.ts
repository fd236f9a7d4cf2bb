// copytruncate of a file too short at the last look to recognise its copy by its first bytes (a
// file found empty, as every new file is at a rotation): its rotation chain is noted while it is that
// short, and a member that appeared since, starting with what was read of the file, is its copy
// (copytruncate.ts missedCopy). Most cases found by the rotation torture.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  appendFileSync,
  copyFileSync,
  linkSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  atTurn,
  copytruncate,
  lineWriter,
  requestLine,
  restartReading,
  runOnce,
  snapshotsOfPass,
  startTailer,
  tailerTests,
} from './helpers.js';
import type { TailerState } from '../../src/tail/checkpoint.js';

const t = tailerTests();
const start = t.start;
let log: string;
const requests = lineWriter(() => log, requestLine);
const write = requests.write;
beforeEach(() => {
  ({ log } = t);
  requests.reset();
});

const ago = (s: number) => new Date(Date.now() - s * 1000);

/**
 * The file found empty by a run that stops (its checkpoint: `state`), then, while stopped,
 * written, copied and truncated by logrotate, and written again: `expected`, the lines to count.
 */
async function copiedWhileStopped(): Promise<{ state: TailerState; expected: string[] }> {
  appendFileSync(log, '');
  utimesSync(log, ago(100), ago(100)); // found empty a while ago: a copy made since is newer
  const { state } = await runOnce([log]);
  const expected = write(20);
  copytruncate(log);
  expected.push(...write(5));
  return { state, expected };
}

describe('a file too short at the last look to recognise its copy', () => {
  it('written, copied and truncated between two looks: the copy is read, then the file from 0', async () => {
    appendFileSync(log, '');
    const h = await startTailer([log]); // an empty file: no fingerprint
    const expected = write(20);
    copytruncate(log); // all before the next look: the file only seems to have grown
    expected.push(...write(20));
    await h.poll();
    await h.poll();
    expect(h.lines).toEqual(expected);
    // And the next copytruncate of the same file, now empty again at a look, too.
    expected.push(...write(5));
    await h.poll();
    renameSync(`${log}.1`, `${log}.2`);
    truncateSync(log, 0); // no copy: read from 0 once its copy was looked for for the wait
    await h.poll();
    h.clock.advance(5000);
    await h.poll(); // empty at this look
    expected.push(...write(7));
    copytruncate(log);
    expected.push(...write(3));
    await h.poll();
    expect(h.lines).toEqual(expected);
  });

  it('stopped while it was empty, then written, copied and truncated: the restart reads the copy', async () => {
    // Found by the torture: the checkpoint listed the file empty; its chain noted then was lost
    // with the process, so the copy made while down was taken for an older file, never read.
    write(3);
    renameSync(log, `${log}.2`); // an older rotated file in the chain: not a copy
    appendFileSync(log, '');
    const first = await runOnce([log]);
    expect(first.state.files[0].chain).toHaveLength(1);
    const expected = write(20);
    copytruncate(log);
    expected.push(...write(5));
    const h = await start([log], { restore: first.state });
    await h.poll();
    expect(h.lines).toEqual(expected);
  });

  it('stopped while it was empty, then copied and truncated, then rotated by rename: the restart reads the copy', async () => {
    // Found by the torture (seed 27): found rotated after the restart, the file was not looked at
    // for a missed copy, which was older than it in the chain and so never read.
    const { state, expected } = await copiedWhileStopped();
    renameSync(`${log}.1`, `${log}.2`);
    renameSync(log, `${log}.1`);
    expected.push(...write(3)); // the new file at the path
    const h = await start([log], { restore: state });
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('found empty while every listing looks caught mid-rotation: its chain is noted all the same, and its copy found', async () => {
    // Found by the torture (seed 15, 1,600 lines lost): with no chain noted when the file was
    // found (the listing torn), its copy was never looked for.
    appendFileSync(`${log}.2`, 'old line\n');
    linkSync(`${log}.2`, `${log}.3`); // one file under two names: every listing looks torn
    appendFileSync(log, '');
    const h = await start([log]);
    const expected = write(20);
    copytruncate(log);
    expected.push(...write(5));
    for (let i = 0; i < 3; i++) {
      await h.poll();
      h.clock.advance(3000);
    }
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('two copytruncates between two looks: both copies are read, the older one first', async () => {
    appendFileSync(log, '');
    const h = await startTailer([log]);
    const expected = write(20);
    copytruncate(log);
    expected.push(...write(20));
    renameSync(`${log}.1`, `${log}.2`);
    copytruncate(log);
    expected.push(...write(20));
    await h.poll();
    await h.poll();
    // Every line once; the newer copy is found by the chain, after the file's new lines.
    expect([...h.lines].sort()).toEqual([...expected].sort());
    expect(h.lines.slice(0, 20)).toEqual(expected.slice(0, 20));
  });

  it('found empty, then written, copied and truncated while the same pass reads another file: the copy is read', async () => {
    const expected = write(20);
    const { state } = await runOnce([log]);
    renameSync(log, `${log}.1`); // rotated by rename while down, with late lines
    appendFileSync(`${log}.1`, 'late line 1\nlate line 2\n');
    expected.push('late line 1', 'late line 2');
    appendFileSync(log, ''); // the new file, empty
    let done = false;
    const lines = await restartReading([log], state, () => {
      if (done) return;
      // The restart found the new file empty and is reading the late lines: before it reads
      // the new file, that file gets lines and logrotate copytruncates it.
      done = true;
      renameSync(`${log}.1`, `${log}.2`);
      expected.push(...write(20));
      copytruncate(log);
      expected.push(...write(20));
    });
    expect(done).toBe(true);
    expect(lines).toEqual(expected.slice(20));
  });

  it('looked at between the copy and the truncation, at any point of the pass: every line once', async () => {
    for (let at = 0; at < 40; at++) {
      appendFileSync(log, '');
      const h = await startTailer([log]);
      const expected = write(20);
      copyFileSync(log, `${log}.1`); // logrotate has copied it; the truncation comes at turn `at`
      const turn = atTurn(at, () => {
        truncateSync(log, 0);
        expected.push(...write(20));
      });
      await h.poll();
      if (!turn.stop()) {
        await h.tailer.stop();
        break; // the pass ended first: every point was tried
      }
      await h.poll();
      await h.poll();
      expect(h.lines, `truncated at turn ${at}`).toEqual(expected);
      await h.tailer.stop();
      rmSync(log);
      rmSync(`${log}.1`);
    }
  });

  it('copied without a truncation (logrotate `copy`): the copy is not read', async () => {
    appendFileSync(log, '');
    const h = await startTailer([log]);
    const expected = write(20);
    copyFileSync(log, `${log}.1`);
    expected.push(...write(20));
    await h.poll();
    expect(h.lines).toEqual(expected);
  });

  it('a rotated file that was there at the last look, written to since, is not taken for a copy', async () => {
    appendFileSync(`${log}.1`, 'old line 1\n');
    appendFileSync(log, '');
    const h = await startTailer([log]);
    appendFileSync(`${log}.1`, 'old line 2\n'); // a late write to an earlier rotation
    const expected = write(20);
    await h.poll();
    expect(h.lines).toEqual(expected);
  });
});

describe("a short file's copy compressed before the next look (copytruncate, then compress)", () => {
  /** logrotate's compress: `from` gzipped into `to`, keeping its times as gzip does, then removed. */
  function gzip(from: string, to: string): void {
    const st = statSync(from);
    writeFileSync(to, gzipSync(readFileSync(from)));
    utimesSync(to, st.atime, st.mtime);
    unlinkSync(from);
  }
  it('stopped while the file was empty; copied, truncated, rotated, the copy compressed: the restart reads the .gz copy', async () => {
    // Found by the torture (seed 18: 600 lines lost): .gz members were never taken for a missed
    // copy, and the file was found rotated after the copy in the chain, which was left unread.
    const { state, expected } = await copiedWhileStopped();
    renameSync(`${log}.1`, `${log}.2`);
    gzip(`${log}.2`, `${log}.2.gz`); // delaycompress
    renameSync(log, `${log}.1`);
    expected.push(...write(3)); // the new file at the path
    const h = await start([log], { restore: state });
    h.clock.advance(6000);
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
    // Let go, the copy is known by its own first bytes: the next looks at the chain do not read it
    // again (torture seed 37: 1,200 lines twice, the copy known by the empty file's).
    for (let i = 0; i < 2; i++) {
      h.clock.advance(6000);
      await h.poll();
      renameSync(`${log}.1`, `${log}.2`);
      renameSync(log, `${log}.1`);
      expected.push(...write(4));
    }
    h.clock.advance(6000);
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('killed in the pass that sees the copy, the copy compressed while stopped: the restart reads it', async () => {
    // Found by the torture (seed 18 again): a checkpoint taken in that pass after the file's
    // time was read, but before its first bytes were, paired the time of the copy's era with no
    // first bytes, and the compressed copy, older than that time, was not taken for the copy.
    appendFileSync(log, '');
    utimesSync(log, ago(100), ago(100));
    const h1 = await startTailer([log]);
    const expected = write(20);
    copytruncate(log);
    utimesSync(`${log}.1`, ago(60), ago(60)); // the copy, made before the file's next lines
    expected.push(...write(5));
    utimesSync(log, ago(50), ago(50));
    const snap = (await snapshotsOfPass(h1)).findLast(({ state }) => state.files.some((f) => f.fp === ''));
    expect(snap?.seen).toBe(0);
    renameSync(`${log}.1`, `${log}.2`);
    gzip(`${log}.2`, `${log}.2.gz`);
    renameSync(log, `${log}.1`);
    expected.push(...write(3));
    const h = await start([log], { restore: snap!.state });
    h.clock.advance(6000);
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('stopped while the file was empty; the restart lists the chain while logrotate shifts it: the copy is read, at any point', async () => {
    // Found by the torture (seed 18 a third time): the copy, renamed between the listing and its
    // look, was missing from the chain, and the file, taken for one without a copy, got its first
    // bytes: the copy was never looked for again.
    for (let at = 0; at < 40; at++) {
      requests.reset();
      const { state, expected } = await copiedWhileStopped();
      const turn = atTurn(at, () => renameSync(`${log}.1`, `${log}.2`)); // logrotate shifting the names
      const h = await startTailer([log], { restore: state });
      const ran = turn.stop();
      h.clock.advance(6000);
      await h.poll();
      await h.tailer.stop();
      expect([...h.lines].sort(), `renamed at turn ${at}`).toEqual([...expected].sort());
      for (const name of [log, `${log}.1`, `${log}.2`]) rmSync(name, { force: true });
      if (!ran) break; // the restart's first pass ended first: every point was tried
    }
  });

  it('its copy being compressed when the restart looks, then the file itself compressed: every line once', async () => {
    // Found by the torture (seed 18, 2,200 lines twice): the file, found again with no first bytes
    // and its copy not decided yet (gzip still writing it), was compressed and deleted before the
    // next look; its .gz, unknown by first bytes, was read from 0, and the file too.
    const { state, expected } = await copiedWhileStopped();
    renameSync(`${log}.1`, `${log}.2`);
    const copyGz = gzipSync(readFileSync(`${log}.2`));
    writeFileSync(`${log}.2.gz`, copyGz.subarray(0, 10)); // gzip still writing it
    unlinkSync(`${log}.2`);
    const h = await start([log], { restore: state }); // the file found again, its copy undecided
    writeFileSync(`${log}.2.gz`, copyGz);
    renameSync(`${log}.2.gz`, `${log}.3.gz`); // the next rotation: the file compressed and deleted
    renameSync(log, `${log}.2`);
    gzip(`${log}.2`, `${log}.2.gz`);
    expected.push(...write(3));
    for (let i = 0; i < 2; i++) {
      h.clock.advance(6000);
      await h.poll();
    }
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('a rotated file of the chain then, never read, compressed since: not taken for the copy', async () => {
    appendFileSync(`${log}.1`, 'old line 1\nold line 2 from before hostwatch started\n');
    utimesSync(`${log}.1`, ago(120), ago(120));
    appendFileSync(log, '');
    utimesSync(log, ago(60), ago(60));
    const first = await runOnce([log]);
    const expected = write(20);
    renameSync(`${log}.1`, `${log}.2`);
    gzip(`${log}.2`, `${log}.2.gz`); // a new inode, with the old file's time
    renameSync(log, `${log}.1`);
    expected.push(...write(3));
    const h = await start([log], { restore: first.state });
    h.clock.advance(6000);
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('a file read, written to late and compressed since: not taken for the copy (its lines are known)', async () => {
    const expected = write(20); // P
    const h1 = await startTailer([log]);
    renameSync(log, `${log}.1`);
    appendFileSync(log, ''); // F, empty
    utimesSync(log, ago(60), ago(60));
    await h1.poll(); // P rotated, F found empty: its chain (P) noted
    appendFileSync(`${log}.1`, 'late line\n'); // P written to late: newer than F
    expected.push('late line');
    await h1.poll();
    h1.clock.advance(6000);
    await h1.poll(); // P let go: known by its first bytes only
    const state = JSON.parse(JSON.stringify(h1.tailer.snapshot())) as TailerState;
    expect(state.known).toHaveLength(1);
    await h1.tailer.stop();
    expect([...h1.lines].sort()).toEqual([...expected].sort());
    const seen = h1.lines.length;
    expected.push(...write(20)); // F, while stopped
    renameSync(`${log}.1`, `${log}.2`);
    gzip(`${log}.2`, `${log}.2.gz`);
    renameSync(log, `${log}.1`);
    expected.push(...write(3));
    const h = await start([log], { restore: state });
    h.clock.advance(6000);
    await h.poll();
    expect([...h1.lines.slice(0, seen), ...h.lines].sort()).toEqual([...expected].sort());
  });
});
