// Exactly-once at every instant: while the tailer works through a rotation, a snapshot is taken
// at every point where it yields (each await), as a checkpoint written at a scrape would be. Then,
// for each snapshot, a new tailer restarts from it against the files as they end up, like after a
// kill -9 at that instant: the lines handed over before the snapshot plus those after the restart
// must be exactly the lines written, each once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, renameSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { snapshotsOfPass, startTailer, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
let log: string;
let n = 0;
let written: string[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  log = path.join(dir, 'access.log');
  n = 0;
  written = [];
});
afterEach(() => cleanup());

/** Appends `count` distinct lines of about 100 bytes. */
function write(count: number): void {
  let s = '';
  for (let i = 0; i < count; i++) {
    const l = `line ${String(n++).padStart(6, '0')} ${'x'.repeat(88)}`;
    written.push(l);
    s += l + '\n';
  }
  appendFileSync(log, s);
}

const OPTS = { maxLineBytes: 1024, chunkBytes: 1024 }; // a 65 KiB buffer: many reads, many yields

/**
 * `lost`: lines that may legitimately be missing after a restart (a file deleted while hostwatch
 * was down cannot be read by anyone); never a line twice, whatever the instant.
 */
async function checkEveryInstant(paths: string[], rotate: () => void, lost: (line: string) => boolean = () => false): Promise<number> {
  write(300);
  const h = await startTailer(paths, OPTS);
  write(1500); // ~150 KB not read yet when the rotation happens
  rotate();
  write(700);
  const snaps = await snapshotsOfPass(h);
  expect([...h.lines].sort()).toEqual([...written].sort());

  for (const { state, seen } of snaps) {
    const r = await startTailer(paths, { ...OPTS, restore: state });
    await r.tailer.stop();
    const all = [...h.lines.slice(0, seen), ...r.lines].sort();
    const got = new Set(all);
    expect(got.size, `a line twice after a restart from a snapshot taken after ${seen} lines`).toBe(all.length);
    expect(
      written.filter((l) => !got.has(l) && !lost(l)),
      `lines lost after a restart from a snapshot taken after ${seen} lines`,
    ).toEqual([]);
    expect(all.every((l) => written.includes(l))).toBe(true);
  }
  return snaps.length;
}

describe('Tailer: a crash at any instant of a rotation loses and repeats nothing', () => {
  it('copytruncate (the end is read from the copy)', async () => {
    const points = await checkEveryInstant([log], () => {
      copyFileSync(log, `${log}.1`);
      truncateSync(log, 0);
    });
    expect(points).toBeGreaterThan(5);
  });

  it('copytruncate with a glob that matches the copy', async () => {
    await checkEveryInstant([path.join(dir, 'access.log*')], () => {
      copyFileSync(log, `${log}.1`);
      truncateSync(log, 0);
    });
  });

  it('rename + create', async () => {
    await checkEveryInstant([log], () => {
      renameSync(log, `${log}.1`);
      writeFileSync(log, '');
    });
  });

  it('delete + recreate (the deleted file is gone for a restart: only its lines may be missing)', async () => {
    let firstNew = 0;
    await checkEveryInstant(
      [log],
      () => {
        unlinkSync(log);
        writeFileSync(log, '');
        firstNew = n;
      },
      (l) => Number(l.slice(5, 11)) < firstNew,
    );
  });
});

// Found by reading the chain scan's code: two rotations in one pass (the second rotated file, C,
// never seen before it), then while stopped a third deletes the oldest (A, the checkpointed file)
// and the new file at the path (D) gets A's inode, as ext4 hands a freed inode to the next file.
// A's record went when D was followed on its identity, and with it the time A was last seen
// modified: with no file of ours left in the chain, C and B were taken for older than anything
// read and never read.
it('Tailer: two rotations in one pass and a third while stopped, at any instant: C is read once', async () => {
  const c = `${log}.c`;
  const writeTo = (file: string, count: number) => {
    const keep = log;
    log = file;
    write(count);
    log = keep;
  };
  write(300);
  utimesSync(log, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000)); // A: older than what follows
  const h = await startTailer([log], OPTS);
  writeTo(c, 200); // C, written after A
  renameSync(log, `${log}.2`); // A: .1 then .2 by the second rotation, as seen by the pass
  renameSync(c, `${log}.1`);
  write(300); // B, at the path
  const snaps = await snapshotsOfPass(h);
  expect([...h.lines].sort()).toEqual([...written].sort());
  const before = written.slice();
  // While stopped: rotate 2 deletes A, C goes to .2, B to .1, and D is created on A's inode (here
  // A itself, emptied and moved to the path: the same identity with other first bytes).
  const aside = path.join(dir, 'a.tmp');
  renameSync(`${log}.2`, aside);
  truncateSync(aside, 0);
  renameSync(`${log}.1`, `${log}.2`);
  renameSync(log, `${log}.1`);
  renameSync(aside, log);
  write(50);
  const aLines = new Set(before.slice(0, 300));
  for (const { state, seen } of snaps) {
    const r = await startTailer([log], { ...OPTS, restore: state });
    await r.tailer.poll();
    r.clock.advance(6000); // D, on A's inode, is read once no copy of A came for the rotation wait
    await r.tailer.poll();
    await r.tailer.stop();
    const all = [...h.lines.slice(0, seen), ...r.lines].sort();
    const got = new Set(all);
    expect(got.size, `a line twice after a restart from a snapshot taken after ${seen} lines`).toBe(all.length);
    expect(
      written.filter((l) => !got.has(l) && !aLines.has(l)),
      `lines lost after a restart from a snapshot taken after ${seen} lines`,
    ).toEqual([]);
  }
});
