// Lines written to a rotated file after hostwatch let it go (read to its end, then quiet for the
// rotation wait), or after the checkpoint of a file hostwatch then had to give up: they are in the
// file, found grown at the next look at its chain, or in its .gz once logrotate compresses it
// (`delaycompress` exists for programs that go on writing to the old file until they reopen their
// log). Such a file or .gz starts with the first bytes of a file hostwatch knows, and it holds more
// than was read of that file: it is read on from where the file had got to, once. One holding just
// what was read is left alone. The file given up after a restart: reused-inodes.test.ts ("a
// checkpointed file still pending when another one is found on its inode").
import { beforeEach, describe, expect, it } from 'vitest';
import { renameSync, writeFileSync } from 'node:fs';
import { compress, lineWriter, tailerTests } from './helpers.js';
import type { TailerState } from '../../src/tail/checkpoint.js';

const t = tailerTests();
let log: string;
const lines = lineWriter(() => log);
const write = lines.write;
beforeEach(() => {
  ({ log } = t);
  lines.reset();
});

const snapshot = (h: { tailer: { snapshot(): TailerState } }) => JSON.parse(JSON.stringify(h.tailer.snapshot())) as TailerState;

/** X written, rotated to .1 and read to its end and let go (a known file); Y followed at the path. */
async function letGo() {
  const x = write(20);
  const h = await t.start([log], { rotateWaitMs: 0 });
  renameSync(log, `${log}.1`);
  writeFileSync(log, '');
  const y = write(10);
  await h.poll();
  await h.poll();
  expect(snapshot(h).known).toHaveLength(1);
  return { h, xy: [...x, ...y] };
}

/** The next rotation: Y to .1 and a new log with 5 lines (returned), after `rotated` did X's part. */
function nextRotation(rotated: () => void): string[] {
  rotated();
  renameSync(log, `${log}.1`);
  writeFileSync(log, '');
  return write(5);
}

describe('late writes to a rotated file, found in its .gz', () => {
  it('a file let go after its wait, written to late and then compressed: the late lines are read from its .gz, once', async () => {
    const { h, xy } = await letGo();
    const late = write(6, `${log}.1`); // the program still had X open
    const z = nextRotation(() => compress(`${log}.1`, `${log}.2.gz`)); // delaycompress
    for (let i = 0; i < 3; i++) await h.poll();
    expect([...h.lines].sort()).toEqual([...xy, ...late, ...z].sort());
    // A restart reads nothing again.
    const state = snapshot(h);
    await h.tailer.stop();
    const r = await t.start([log], { restore: state, rotateWaitMs: 0 });
    await r.poll();
    await r.poll();
    expect(r.lines).toEqual([]);
  });

  it('a file let go, written to late, not compressed: the late lines are read at the next look at its chain', async () => {
    const { h, xy } = await letGo();
    const late = write(4, `${log}.1`);
    const z = nextRotation(() => renameSync(`${log}.1`, `${log}.2`));
    await h.poll();
    await h.poll();
    expect([...h.lines].sort()).toEqual([...xy, ...late, ...z].sort());
  });

  it('the same .gz without late lines is not read at all', async () => {
    const { h, xy } = await letGo();
    const z = nextRotation(() => compress(`${log}.1`, `${log}.2.gz`));
    await h.poll();
    await h.poll();
    expect([...h.lines].sort()).toEqual([...xy, ...z].sort());
  });
});
