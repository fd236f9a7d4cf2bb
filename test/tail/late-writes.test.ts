// Lines written to a rotated file after hostwatch let it go (read to its end, then quiet for the
// rotation wait), or after the checkpoint of a file hostwatch then had to give up: they are in the
// file, found grown at the next look at its chain, or in its .gz once logrotate compresses it
// (`delaycompress` exists for programs that go on writing to the old file until they reopen their
// log). Such a file or .gz starts with the first bytes of a file hostwatch knows, and it holds more
// than was read of that file: it is read on from where the file had got to, once. One holding just
// what was read is left alone. The file given up after a restart: reused-inodes.test.ts ("a
// checkpointed file still pending when another one is found on its inode").
import { beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { lineWriter, tailerTests } from './helpers.js';
import type { TailerState } from '../../src/tail/checkpoint.js';

const t = tailerTests();
let log: string;
const lines = lineWriter(() => log);
const write = lines.write;
beforeEach(() => {
  ({ log } = t);
  lines.reset();
});

/** gzip `from` into `to`, then removes `from` (gzip's order: the .gz is whole before the file goes). */
function compress(from: string, to: string): void {
  writeFileSync(to, gzipSync(readFileSync(from)));
  unlinkSync(from);
}

const snapshot = (h: { tailer: { snapshot(): TailerState } }) => JSON.parse(JSON.stringify(h.tailer.snapshot())) as TailerState;

describe('late writes to a rotated file, found in its .gz', () => {
  it('a file let go after its wait, written to late and then compressed: the late lines are read from its .gz, once', async () => {
    const x = write(20); // X
    const h = await t.start([log], { rotateWaitMs: 0 });
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    const y = write(10); // Y
    await h.poll(); // X read to its end and let go (known), Y followed
    await h.poll();
    expect(snapshot(h).known).toHaveLength(1);
    const late = write(6, `${log}.1`); // the program still had X open
    // The next rotation (delaycompress): X compressed to .2.gz, Y to .1, a new log.
    compress(`${log}.1`, `${log}.2.gz`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    const z = write(5);
    await h.poll();
    await h.poll();
    await h.poll();
    expect([...h.lines].sort()).toEqual([...x, ...y, ...late, ...z].sort());
    // A restart reads nothing again.
    const state = snapshot(h);
    await h.tailer.stop();
    const r = await t.start([log], { restore: state, rotateWaitMs: 0 });
    await r.poll();
    await r.poll();
    expect(r.lines).toEqual([]);
  });

  it('a file let go, written to late, not compressed: the late lines are read at the next look at its chain', async () => {
    const x = write(20);
    const h = await t.start([log], { rotateWaitMs: 0 });
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    const y = write(10);
    await h.poll();
    await h.poll();
    expect(snapshot(h).known).toHaveLength(1);
    const late = write(4, `${log}.1`);
    renameSync(`${log}.1`, `${log}.2`); // the next rotation, no compression
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    const z = write(5);
    await h.poll();
    await h.poll();
    expect([...h.lines].sort()).toEqual([...x, ...y, ...late, ...z].sort());
  });

  it('the same .gz without late lines is not read at all', async () => {
    write(20);
    const h = await t.start([log], { rotateWaitMs: 0 });
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    write(10);
    await h.poll();
    await h.poll();
    const before = h.lines.length;
    compress(`${log}.1`, `${log}.2.gz`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    const z = write(5);
    await h.poll();
    await h.poll();
    expect(h.lines.slice(before)).toEqual(z);
  });
});
