// Restarting from a tailer snapshot (what the checkpoint stores), with the files changed meanwhile:
// appended, rotated by rename or copytruncate, rewritten in place (same inode, other content),
// deleted. Every line exactly once across the restart.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  appendFileSync,
  copyFileSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { atTurn, lineWriter, runOnce, startTailer, tailerTests } from './helpers.js';
import type { TailerState } from '../../src/tail/checkpoint.js';

const t = tailerTests();
const start = t.start;
let dir: string;
let log: string;
const lines = lineWriter(() => log);
const write = lines.write;
beforeEach(() => {
  ({ dir, log } = t);
  lines.reset();
});

describe('Tailer: restart from a snapshot', () => {
  it('resumes at the saved offset: no line twice, none lost, whatever start_position says', async () => {
    writeFileSync(log, 'a\nb\n');
    const first = await runOnce([log]);
    expect(first.lines).toEqual(['a', 'b']);
    appendFileSync(log, 'c\n');
    const h = await start([log], { restore: first.state, startPosition: 'end' });
    expect(h.lines).toEqual(['c']);
    expect(h.tailer.snapshot().bytes).toBe(6);
  });

  it('a partial line at the snapshot is read whole after the restart', async () => {
    writeFileSync(log, 'a\nhal');
    const first = await runOnce([log]);
    appendFileSync(log, 'f\n');
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(['half']);
  });

  it('rotated by rename while down: the rest of the old file (found by inode) and all of the new one', async () => {
    writeFileSync(log, 'old1\n');
    const first = await runOnce([log]);
    appendFileSync(log, 'old2\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'new1\n');
    const h = await start([log], { restore: first.state });
    expect(h.lines.sort()).toEqual(['new1', 'old2']);
    expect(h.tailer.snapshot().rotations).toBe(1);
    // The rotated file is kept under its configured path in the next snapshot, so a second restart
    // before it is released still finds it.
    const paths = h.tailer.snapshot().files.map((f) => f.path);
    expect(paths).toEqual([log, log]);
  });

  it('rotated by copytruncate while down: the unread end comes from the copy', async () => {
    writeFileSync(log, 'first line with enough bytes\n');
    const first = await runOnce([log]);
    appendFileSync(log, 'unread before copy\n');
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, 'after\n');
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(['unread before copy', 'after']);
  });

  it('same inode, other first bytes (rewritten or inode reused) past the saved offset: read from 0', async () => {
    writeFileSync(log, 'aaaa\n');
    const first = await runOnce([log]);
    const ino = statSync(log).ino;
    writeFileSync(log, 'bbbb\ncccc\n');
    expect(statSync(log).ino).toBe(ino);
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(['bbbb', 'cccc']);
  });

  it('an inode reused by another file at the path: the fingerprint tells them apart', async () => {
    writeFileSync(log, 'original content\n');
    const first = await runOnce([log]);
    // Forge the reuse: the new file gets the old identity in the snapshot (the file system decides
    // whether a real reuse happens; what matters is that (dev, ino) alone is not trusted).
    unlinkSync(log);
    writeFileSync(log, 'a brand new file here\n');
    const st = statSync(log, { bigint: true });
    const state: TailerState = { ...first.state, files: [{ ...first.state.files[0], dev: String(st.dev), ino: String(st.ino) }] };
    const h = await start([log], { restore: state });
    expect(h.lines).toEqual(['a brand new file here']);
  });

  it('a checkpointed file deleted while down: the new file at the path is read from its start', async () => {
    writeFileSync(log, 'x\n');
    const first = await runOnce([log]);
    unlinkSync(log);
    writeFileSync(path.join(dir, 'other'), 'keep the inode busy\n');
    writeFileSync(log, 'y\n');
    const h = await start([log], { restore: first.state, startPosition: 'end' });
    expect(h.lines).toEqual(['y']);
  });

  it('restarting inside an over-long line keeps skipping it (it was already counted as truncated)', async () => {
    writeFileSync(log, 'z'.repeat(3000));
    const first = await runOnce([log], { maxLineBytes: 1000 });
    expect(first.lines).toHaveLength(1);
    expect(first.state.files[0].skipping).toBe(true);
    appendFileSync(log, 'zzz\nnext\n');
    const h = await start([log], { restore: first.state, maxLineBytes: 1000 });
    expect(h.lines).toEqual(['next']);
  });

  it('an offset past the end of the file (same first bytes): read on from its end, never again from 0', async () => {
    writeFileSync(log, 'one\ntwo\n');
    const first = await runOnce([log]);
    const state: TailerState = { ...first.state, files: [{ ...first.state.files[0], offset: 5000 }] };
    const h = await start([log], { restore: state });
    expect(h.lines).toEqual([]);
    expect(h.tailer.snapshot().files[0].offset).toBe(8);
    appendFileSync(log, 'three\n');
    expect(await h.poll()).toEqual(['three']);
    expect(h.tailer.snapshot().rotations).toBe(0);
  });

  it('files of a path no longer configured are not followed after the restart', async () => {
    const other = path.join(dir, 'other.log');
    writeFileSync(other, 'o\n');
    const first = await runOnce([other]);
    appendFileSync(other, 'o2\n');
    writeFileSync(log, 'l\n');
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(['l']);
    expect(h.tailer.stats().files).toBe(1);
  });
});

describe('Tailer: rotated files across restarts in a row', () => {
  /** `content` in the log, rotated by rename, read to its end: the snapshot taken within the wait. */
  async function rotatedWithinTheWait(content: string): Promise<{ lines: string[]; state: TailerState }> {
    writeFileSync(log, content);
    const h = await startTailer([log], { clock: new ManualClock(Date.now()) });
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'new1\n');
    await h.poll();
    const state = JSON.parse(JSON.stringify(h.tailer.snapshot())) as TailerState;
    await h.tailer.stop();
    return { lines: h.lines, state };
  }

  it('a rotated file read to its end and quiet for the wait since its last write is let go by the first pass after a restart', async () => {
    // Restarts closer together than the wait (crash loops, the torture's SIGKILLs) used to restart
    // the wait each time: rotated files piled up in the checkpoint (60 of them), each looked for again.
    const { lines, state } = await rotatedWithinTheWait('old1\nold2\n');
    expect(lines).toEqual(['old1', 'old2', 'new1']);
    expect(state.files.filter((f) => f.rotated)).toHaveLength(1); // within the wait: still followed

    const quiet = new Date(Date.now() - 10_000);
    utimesSync(`${log}.1`, quiet, quiet);
    const again = await start([log], { restore: state, clock: new ManualClock(Date.now()) });
    expect(again.lines).toEqual([]);
    const after = again.tailer.snapshot();
    expect(after.files.map((f) => f.path)).toEqual([log]);
    expect(after.files.some((f) => f.rotated)).toBe(false);
    // Remembered as read: a later restart reads nothing of it again.
    expect(after.known?.map((k) => k.ino)).toContain(String(statSync(`${log}.1`).ino));
    await again.tailer.stop();
    appendFileSync(log, 'new2\n');
    const third = await runOnce([log], { restore: JSON.parse(JSON.stringify(after)) as TailerState });
    expect(third.lines).toEqual(['new2']);
  });

  it('a rotated file written to within the wait stays followed after a restart', async () => {
    const { state } = await rotatedWithinTheWait('old1\n');
    appendFileSync(`${log}.1`, 'late\n'); // the application has not reopened its log yet
    const again = await start([log], { restore: state, clock: new ManualClock(Date.now()) });
    expect(again.lines).toEqual(['late']);
    expect(again.tailer.snapshot().files.filter((f) => f.rotated)).toHaveLength(1);
  });
});

describe('Tailer: a restart while logrotate shifts the chain', () => {
  it('a checkpointed file missed by a listing caught mid-rotation is not given up: its unread lines are read', async () => {
    // Found by the torture: the checkpointed file, rotated while down, was looked for among the
    // rotated names while logrotate shifted them (.1 -> .2); the listing missed it, it was taken
    // for deleted, and the lines written to it after the checkpoint were never read.
    for (let at = 0; at < 30; at++) {
      lines.reset();
      const expected = write(20);
      const first = await runOnce([log]);
      expected.push(...write(10)); // after the checkpoint
      renameSync(log, `${log}.1`); // rotated while down
      writeFileSync(log, '');
      expected.push(...write(10));
      const turn = atTurn(at, () => {
        renameSync(`${log}.1`, `${log}.2`); // logrotate again, while the restart looks
        renameSync(log, `${log}.1`);
        writeFileSync(log, '');
        expected.push(...write(10));
      });
      const h = await start([log], { restore: first.state });
      const rotated = turn.stop();
      await h.poll();
      await h.poll();
      expect([...first.lines, ...h.lines].sort(), `rotated at turn ${at}`).toEqual([...expected].sort());
      await h.tailer.stop();
      for (const f of [log, `${log}.1`, `${log}.2`]) rmSync(f, { force: true });
      if (!rotated) break; // the restart was over first: every point was tried
    }
  });

  it("a checkpointed file's inode taken by a newer rotated file while down: the older files beside it are read", async () => {
    // Found by the torture: the checkpointed file was deleted, and its inode went to a file created
    // later and rotated; found again by identity, that file was taken for the newest one read, and
    // the older rotated files that hostwatch never saw were left unread.
    write(20);
    const first = await runOnce([log]); // the file, read to its end
    const expected: string[] = [];
    // While down. The inode taken by a newer file is played by the same file emptied and rewritten.
    const hold = path.join(dir, 'hold');
    renameSync(log, hold);
    writeFileSync(log, '');
    expected.push(...write(20)); // A: never seen
    renameSync(log, `${log}.1`);
    truncateSync(hold, 0);
    expected.push(...write(20, hold)); // B, on the checkpointed file's inode
    renameSync(`${log}.1`, `${log}.2`);
    renameSync(hold, `${log}.1`);
    writeFileSync(log, '');
    expected.push(...write(20)); // C
    const h = await start([log], { restore: first.state });
    await h.poll();
    h.clock.advance(5000); // B, found with other first bytes, is read from 0 once no copy of it turned up
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('a checkpointed file found in the chain with other first bytes: the older file before it is read, then it from 0', async () => {
    // Found by the torture (seed 17): the checkpointed file's inode went to logrotate's copy of a
    // newer file. Its modification time, taken from the file now, hid the never-read file before
    // it; and let go as quiet while its copy was looked for, its new content was never read.
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms);
    let i = 0;
    const write = (file: string) => {
      const out = Array.from({ length: 20 }, () => `line ${String(i++).padStart(4, '0')} ${'z'.repeat(60)}`);
      appendFileSync(file, out.map((l) => l + '\n').join(''));
      return out;
    };
    write(log); // A, read, checkpointed a while ago
    utimesSync(log, at(-60_000), at(-60_000));
    const first = await runOnce([log], { clock: new ManualClock(t0) });
    const hold = path.join(dir, 'hold');
    renameSync(log, hold);
    writeFileSync(log, '');
    const expected = write(log); // B, never read
    utimesSync(log, at(-10_000), at(-10_000));
    renameSync(log, `${log}.2`);
    truncateSync(hold, 0);
    expected.push(...write(hold)); // C, on A's inode
    utimesSync(hold, at(-3_000), at(-3_000));
    renameSync(hold, `${log}.1`);
    writeFileSync(log, '');
    const h = await start([log], { restore: first.state, clock: new ManualClock(t0) });
    for (const step of [0, 2_500, 2_600, 6_000]) {
      h.clock.advance(step);
      await h.poll();
    }
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('a rotated file whose inode went to the new file at the path while down: the new file is read at once, from 0', async () => {
    // Seen in the torture: a file deleted while being read to its end, its inode taken by the file
    // created at the path (played by the same file, renamed back and rewritten). It is not looked
    // for as a truncated file (whose copy a look may miss for a while): it is another file.
    appendFileSync(log, 'old line one of the first file, long enough\nold line two\n');
    const h1 = await start([log]);
    renameSync(log, `${log}.1`);
    await h1.poll(); // rotated away, read to its end: checkpointed as rotated
    const state = JSON.parse(JSON.stringify(h1.tailer.snapshot())) as TailerState;
    expect(state.files.find((f) => f.ino === String(statSync(`${log}.1`).ino))?.rotated).toBe(true);
    await h1.tailer.stop();
    renameSync(`${log}.1`, log);
    writeFileSync(log, 'a new file on the same inode, first line\nsecond line\n');
    const h = await start([log], { restore: state });
    await h.poll();
    expect(h.lines).toEqual(['a new file on the same inode, first line', 'second line']);
  });

  it("a rotated checkpointed file's inode taken by logrotate's copy of the file at the path while down: the copy is read from where that file was", async () => {
    // Found by the torture (seed 6, 1,400 lines counted twice): the rotated file was deleted and
    // the copy of a copytruncate got its inode. Taken for the rotated file truncated in place, the
    // copy was followed as that file (so the truncated file's copy was not found) and read from 0.
    write(20); // R
    const h1 = await start([log]);
    renameSync(log, `${log}.1`);
    const seen = write(30); // F, at the path, read
    await h1.poll(); // R rotated away and read to its end; not let go yet: checkpointed as rotated
    const state = JSON.parse(JSON.stringify(h1.tailer.snapshot())) as TailerState;
    expect(state.files.filter((f) => f.rotated)).toHaveLength(1);
    await h1.tailer.stop();
    // While down: R deleted (logrotate's rotate 1), then copytruncate of F whose copy gets R's inode
    // (copyFileSync onto R keeps its inode: the same identity with other first bytes).
    const expected = write(10); // F's lines not read before the stop
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    expected.push(...write(5));
    const h = await start([log], { restore: state });
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    expect([...h1.lines.filter((l) => seen.includes(l)), ...h.lines].sort()).toEqual([...seen, ...expected].sort());
  });

  it('a file found new whose chain was not looked at whole before the checkpoint is no reference after the restart', async () => {
    // The checkpoint lists A (rotated, read) and B, found new at the path, read, while the look at
    // its chain had not settled (a listing caught mid-rotation): C, rotated between A and B, was
    // never seen. While stopped, A is deleted and B rotated: B must not hide C.
    const t0 = Date.now();
    write(20); // A
    utimesSync(log, new Date(t0 - 60_000), new Date(t0 - 60_000));
    const first = await runOnce([log]);
    renameSync(log, `${log}.2`);
    const c = write(20, `${log}.1`); // C, never seen
    const b = write(20); // B, at the path, read before the checkpoint
    const st = statSync(log);
    const state: TailerState = {
      ...first.state,
      files: [
        { ...first.state.files[0], rotated: true },
        {
          path: log,
          dev: String(st.dev),
          ino: String(st.ino),
          fp: readFileSync(log).subarray(0, 256).toString('base64'),
          offset: st.size,
          skipping: false,
          mtime: st.mtimeMs,
          newlyFound: true,
        },
      ],
    };
    // While stopped: A deleted, C to .2, B to .1, D at the path.
    unlinkSync(`${log}.2`);
    renameSync(`${log}.1`, `${log}.2`);
    renameSync(log, `${log}.1`);
    const d = write(10);
    const h = await start([log], { restore: state });
    await h.poll();
    expect([...h.lines].sort()).toEqual([...c, ...d].sort());
    expect(h.lines).not.toContain(b[0]);
  });
});
