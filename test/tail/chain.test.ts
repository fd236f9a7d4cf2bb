// The rotation chain: logrotate ran (once, twice, with dateext, with compress and delaycompress)
// while hostwatch was stopped, or several times between two looks; every line is read exactly
// once, the rotated files oldest first. Files are rotated here as logrotate does it: rename with
// shifting, create; compression is gzip of the file then removal of the original.
import { beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { atTurn, runOnce as runTailer, startTailer, tailerTests } from './helpers.js';
import type { TailerState } from '../../src/tail/checkpoint.js';

const t = tailerTests();
const start = t.start;
let log: string;
let n = 0;
beforeEach(() => {
  ({ log } = t);
  n = 0;
});

/** Appends `count` numbered lines (long enough for full 256-byte fingerprints); returns them. */
function write(count: number, file = log): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`line ${String(n++).padStart(6, '0')} ${'x'.repeat(60)}`);
  appendFileSync(file, out.map((l) => l + '\n').join(''));
  return out;
}

/** logrotate with `rotate 9`: shifts .N to .N+1 (compressed ones too), renames the log to .1, creates it empty. */
function rotate(opts: { compress?: boolean; delaycompress?: boolean } = {}): void {
  for (let i = 8; i >= 1; i--) {
    for (const ext of ['', '.gz']) {
      try {
        renameSync(`${log}.${i}${ext}`, `${log}.${i + 1}${ext}`);
      } catch {
        // not there
      }
    }
  }
  renameSync(log, `${log}.1`);
  writeFileSync(log, '');
  if (opts.compress) gzipFile(opts.delaycompress ? `${log}.2` : `${log}.1`);
}

function gzipFile(file: string): void {
  try {
    writeFileSync(`${file}.gz`, gzipSync(readFileSync(file)));
    unlinkSync(file);
  } catch {
    // nothing to compress yet
  }
}

const runOnce = (restore?: TailerState) => runTailer([log], { restore });

describe('rotation chain after a restart', () => {
  it('two rotations while stopped (access.log -> .1 -> .2): the lines of every file, once, oldest first', async () => {
    const expected = write(50);
    const first = await runOnce();
    expect(first.lines).toEqual(expected);
    const missed = [...write(20)]; // written to A after the checkpoint
    rotate();
    missed.push(...write(30)); // B
    rotate();
    missed.push(...write(40)); // C
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(missed);
    expect(h.tailer.snapshot().rotations).toBe(2);
  });

  it('a second restart reads nothing again, and counts no rotation again', async () => {
    write(10);
    const first = await runOnce();
    write(5);
    rotate();
    write(5);
    rotate();
    write(5);
    const second = await runOnce(first.state);
    expect(second.lines).toHaveLength(15);
    const rotations = second.state.rotations;
    const third = await runOnce(second.state);
    expect(third.lines).toEqual([]);
    expect(third.state.rotations).toBe(rotations);
    const fourth = await runOnce(third.state);
    expect(fourth.lines).toEqual([]);
    expect(fourth.state.rotations).toBe(rotations);
  });

  it('files older than the checkpointed one are left alone (they were read before, or predate hostwatch)', async () => {
    writeFileSync(`${log}.2`, 'very old\n');
    writeFileSync(`${log}.1`, 'old\n');
    write(10);
    const first = await runOnce();
    expect(first.lines).toHaveLength(10);
    const missed = write(3);
    rotate();
    missed.push(...write(3));
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(missed);
  });

  it('dateext names (-YYYYMMDD, then -YYYYMMDD-N forms): ordered by date, not by modification time', async () => {
    write(10);
    const first = await runOnce();
    const missed = write(4);
    renameSync(log, `${log}-20250101`);
    missed.push(...write(4));
    renameSync(log, `${log}-20250102`);
    missed.push(...write(4));
    renameSync(log, `${log}-20250102-1735862400`);
    missed.push(...write(4));
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(missed);
  });

  /**
   * Stopped after a checkpoint, the log rotated twice, to `older` then `newer` (one of each naming
   * scheme), their times set by `times` (seconds); restarted: every line written since is read.
   */
  async function twoSchemesWhileStopped(times: (second: number) => [older: number, newer: number]): Promise<void> {
    // Both orders of schemes are tried (readdir decides a tie).
    for (const [older, newer] of [
      [`${log}.1`, `${log}-20250102`],
      [`${log}-20250101`, `${log}.1`],
    ]) {
      for (const f of [log, `${log}.1`, `${log}-20250101`, `${log}-20250102`]) rmSync(f, { force: true });
      write(10);
      const first = await runOnce();
      const missed = write(4); // after the checkpoint, to the checkpointed file
      renameSync(log, older);
      missed.push(...write(4)); // never seen before its rotation
      renameSync(log, newer);
      missed.push(...write(4));
      const [olderTime, newerTime] = times(Math.floor(Date.now() / 1000));
      utimesSync(older, olderTime, olderTime);
      utimesSync(newer, newerTime, newerTime);
      const h = await runOnce(first.state);
      expect(h.lines, `${older} then ${newer}`).toEqual(missed);
    }
  }

  it('a rename then a dateext rotation while stopped, both files modified in the same clock tick: the newer one is read', async () => {
    // File times advance by clock ticks (jiffies), so a writer at full speed leaves files of both
    // schemes with equal mtimes: merged by mtime alone, the newer one may come first and be taken
    // for older than the checkpointed one.
    await twoSchemesWhileStopped((second) => [second, second]);
  });

  it('the newer file of the other scheme with its time kept only to the second (bzip2, utime(2)): still read', async () => {
    // Both written in one clock tick, the newer one then compressed or copied by a tool that keeps
    // times to the second: its mtime comes out below the older one's, the merge puts it first, and
    // it was taken for older than the checkpointed file (a torture run lost 200 lines this way,
    // its .gz's time set from a Date, to the millisecond).
    await twoSchemesWhileStopped((second) => [second + 0.5, second]);
  });

  it('compress + delaycompress: the checkpointed file compressed meanwhile is read on from its offset through zlib', async () => {
    write(30);
    const first = await runOnce();
    const missed = write(10);
    rotate({ compress: true, delaycompress: true });
    missed.push(...write(10));
    rotate({ compress: true, delaycompress: true }); // A is now access.log.2.gz
    missed.push(...write(10));
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(missed);
  });

  it('delaycompress with the inode of the compressed file reused by a newer one in the chain: told apart by the fingerprint', async () => {
    write(30);
    const first = await runOnce();
    const missed = write(10);
    rotate({ compress: true, delaycompress: true });
    missed.push(...write(10));
    rotate({ compress: true, delaycompress: true }); // A is now access.log.2.gz, B access.log.1
    missed.push(...write(10));
    // logrotate compresses (and deletes) the old file before it creates the new one, so the file
    // system may give A's inode to a newer file of the chain: forged here by giving the checkpoint
    // B's identity. B is no part of A: A is read on from the .gz, B from 0, the renames counted as such.
    const st = statSync(`${log}.1`, { bigint: true });
    const state: TailerState = { ...first.state, files: [{ ...first.state.files[0], dev: String(st.dev), ino: String(st.ino) }] };
    const h = await start([log], { restore: state });
    expect(h.lines).toEqual(missed);
    expect(h.tailer.snapshot().kinds).toEqual({ rename: 2 });
  });

  it('compress without delaycompress: rotated files never read are read from the .gz, from 0', async () => {
    write(30);
    const first = await runOnce();
    const missed = write(10);
    rotate({ compress: true }); // A: access.log.1.gz
    missed.push(...write(10));
    rotate({ compress: true }); // A: .2.gz, B: .1.gz, never read
    missed.push(...write(10));
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(missed);
    expect(h.tailer.stats().files).toBe(1); // the .gz files are finished as soon as read
  });

  it('a restart in the middle of a .gz reads on from its content offset', async () => {
    write(10);
    const first = await runOnce();
    const big = write(20_000); // ~1.4 MB of content, many 64 KiB inflated chunks
    rotate({ compress: true });
    const after = write(5);
    const content = gunzipSync(readFileSync(`${log}.1.gz`));
    const half = content.indexOf(big[10_000]); // a line boundary in the middle
    const st = statSync(`${log}.1.gz`, { bigint: true });
    const state: TailerState = {
      ...first.state,
      files: [
        {
          path: log,
          dev: String(st.dev),
          ino: String(st.ino),
          fp: content.subarray(0, 256).toString('base64'),
          offset: half,
          skipping: false,
          rotated: true,
          gz: true,
        },
      ],
    };
    const h = await start([log], { restore: state });
    expect(h.lines).toEqual([...big.slice(10_000), ...after]);
  });

  it('a rotated file read to its end is remembered while it is in the chain: not read again after a restart', async () => {
    write(10);
    const h = await startTailer([log], { rotateWaitMs: 0 });
    write(5);
    rotate();
    write(5);
    await h.tailer.poll(); // reads the rest of .1 and lets it go (quiet), follows the new file
    await h.tailer.poll();
    expect(h.lines).toHaveLength(20);
    expect(h.tailer.stats().files).toBe(1);
    const state = JSON.parse(JSON.stringify(h.tailer.snapshot())) as TailerState;
    await h.tailer.stop();
    expect(state.known?.map((k) => k.path)).toEqual([log]);
    const again = await start([log], { restore: state });
    expect(again.lines).toEqual([]);
    // Once it has left the chain (missing from it for the wait) it is forgotten.
    unlinkSync(`${log}.1`);
    write(1);
    rotate();
    await again.tailer.poll();
    await again.tailer.poll();
    again.clock.advance(6000);
    write(1);
    rotate();
    await again.tailer.poll();
    // (Retired instead when a newer file got its inode meanwhile: then known by its first bytes only.)
    const live = again.tailer.snapshot().known?.filter((k) => !k.retired);
    expect(live?.map((k) => k.ino)).not.toContain(state.known![0].ino);
  });
});

describe('rotation chain while running', () => {
  it('two rotations between two looks: the file in between is found in the chain and read', async () => {
    const expected = write(10);
    const h = await start([log]);
    expected.push(...write(5));
    rotate();
    expected.push(...write(5)); // B: rotated away before the tailer ever saw it
    rotate();
    expected.push(...write(5));
    await h.poll();
    expect(h.lines).toEqual(expected);
    expect(h.tailer.snapshot().rotations).toBe(2);
  });

  it('a known rotated file missing from one listing of the chain (shifted under it) is not read again when it is back', async () => {
    // The chain is listed, then its names looked at one by one while logrotate shifts them: a file
    // can be missed by one listing. Taken for gone and forgotten, it was read again from 0 by the
    // next look (the torture counted 200 lines twice).
    const expected = write(10);
    const h = await start([log]);
    const settle = async () => {
      await h.poll();
      h.clock.advance(6000);
      await h.poll(); // quiet for the wait: rotated files let go, known
    };
    rotate(); // A0 -> .1
    expected.push(...write(5));
    await settle();
    rotate(); // A0 -> .2, A -> .1
    expected.push(...write(5));
    await settle();
    rotate(); // A0 .3, A .2: both known and seen in the chain
    expected.push(...write(5));
    await h.poll();
    const aside = path.join(path.dirname(log), 'aside');
    renameSync(`${log}.2`, aside); // A missing from the next listing
    rotate();
    expected.push(...write(5));
    await h.poll();
    renameSync(aside, `${log}.3`); // back between A0 (.4) and the newer files
    rotate();
    expected.push(...write(5));
    await h.poll();
    expect(h.lines).toEqual(expected);
  });

  it('a delete then a dateext rotation at every point of a pass: the file rotated between the look and the open is found in the chain', async () => {
    // Found by the torture: the file seen at the path was renamed before it could be opened, and
    // never followed; the next new file at the path (and the failed open) now send the tailer to the chain.
    for (let at = 0; at < 30; at++) {
      n = 0;
      const expected = write(60);
      const h = await startTailer([log]);
      unlinkSync(log);
      writeFileSync(log, '');
      expected.push(...write(20));
      const step = () => {
        renameSync(log, `${log}-20250102`);
        writeFileSync(log, '');
        expected.push(...write(10, `${log}-20250102`)); // late writes
        expected.push(...write(50));
      };
      const turn = atTurn(at, step);
      await h.tailer.poll();
      if (!turn.stop()) step();
      await h.tailer.poll();
      await h.tailer.poll();
      expect(h.lines.sort(), `rotated at turn ${at}`).toEqual(expected.sort());
      await h.tailer.stop();
      for (const f of [log, `${log}-20250102`]) unlinkSync(f);
    }
  });

  it('a file that lived and was rotated between two looks, older than one just found and rotated in the same pass: it is read', async () => {
    // Found by the torture: the file just found at the path (nothing read of it yet) was rotated
    // before the pass looked at the chain, and was taken for the reference of what had been read;
    // the older file beside it, which the tailer never saw, was left unread.
    for (let at = 0; at < 40; at++) {
      n = 0;
      const expected = write(20);
      const h = await startTailer([log]);
      unlinkSync(log); // deleted once read (the tailer reads it to its end from its descriptor)
      writeFileSync(log, '');
      expected.push(...write(20)); // A: never seen by the tailer
      renameSync(log, `${log}-20250102`);
      writeFileSync(log, '');
      expected.push(...write(5, `${log}-20250102`)); // late writes
      expected.push(...write(20)); // B: found by the next pass
      const step = () => {
        renameSync(log, `${log}.1`);
        writeFileSync(log, '');
        expected.push(...write(5, `${log}.1`));
        expected.push(...write(20)); // C
      };
      const turn = atTurn(at, step);
      await h.tailer.poll();
      if (!turn.stop()) step();
      await h.tailer.poll();
      await h.tailer.poll();
      expect([...h.lines].sort(), `rotated at turn ${at}`).toEqual([...expected].sort());
      await h.tailer.stop();
      for (const f of [log, `${log}-20250102`, `${log}.1`]) unlinkSync(f);
    }
  });
});
