// Rotation modes on real files: rename+create (with writes to the renamed file afterwards),
// copytruncate, delete+recreate, a file rewritten in place with the same inode. Every line must come
// out exactly once. The clock is manual: "time passes" only where the test says so.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  appendFileSync,
  copyFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import { tailerTests } from './helpers.js';

const t = tailerTests();
const start = t.start;
let dir: string;
let log: string;
beforeEach(() => ({ dir, log } = t));

describe('Tailer: rotation', () => {
  it('rename + create: reads the rest of the old file, then the new one from its start', async () => {
    writeFileSync(log, 'a1\n');
    const h = await start([log]);
    appendFileSync(log, 'a2\n'); // written before the rotation, not read yet
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'b1\n');
    expect((await h.poll()).sort()).toEqual(['a2', 'b1']);
    expect(h.tailer.snapshot().rotations).toBe(1);
    expect(h.tailer.stats().files).toBe(2); // the rotated file is followed until it is quiet
  });

  it('rename + create: a writer still appending to the renamed file is read until it goes quiet', async () => {
    writeFileSync(log, 'a1\n');
    const h = await start([log], { rotateWaitMs: 5000 });
    const fd = openSync(log, 'a'); // the application's file descriptor survives the rename
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'b1\n');
    expect(await h.poll()).toEqual(['b1']);
    writeSync(fd, 'a2 after rename\n');
    h.clock.advance(4000);
    expect(await h.poll()).toEqual(['a2 after rename']);
    writeSync(fd, 'a3 unterminated');
    h.clock.advance(4000);
    expect(await h.poll()).toEqual([]); // partial line: still waiting, file still followed
    expect(h.tailer.stats().files).toBe(2);
    closeSync(fd);
    h.clock.advance(5000);
    // Quiet for rotateWaitMs: let go, and its last line without a newline is a line.
    expect(await h.poll()).toEqual(['a3 unterminated']);
    expect(h.tailer.stats().files).toBe(1);
    expect(h.tailer.snapshot().files.map((f) => f.path)).toEqual([log]);
  });

  it('copytruncate: restarts at 0, and the lines not read before the truncation come from the copy', async () => {
    writeFileSync(log, 'l1 some content to fingerprint\n');
    const h = await start([log]);
    appendFileSync(log, 'l2 unread at rotation\nl3 unread too\n');
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, 'n1\n');
    expect(await h.poll()).toEqual(['l2 unread at rotation', 'l3 unread too', 'n1']);
    expect(h.tailer.snapshot().rotations).toBe(1);
    expect(h.tailer.snapshot().files[0].offset).toBe(3);
    appendFileSync(log, 'n2\n');
    expect(await h.poll()).toEqual(['n2']);
  });

  it('copytruncate without a copy (plain truncation): restarts at 0', async () => {
    writeFileSync(log, 'first line\nsecond line\n');
    const h = await start([log]);
    truncateSync(log, 0);
    appendFileSync(log, 'x\n');
    expect(await h.poll()).toEqual(['x']);
  });

  it('truncated and rewritten past the old offset before we looked: detected by the first bytes', async () => {
    writeFileSync(log, 'old line 1\n');
    const h = await start([log]);
    const ino = statSync(log).ino;
    writeFileSync(log, 'new content, longer than before\nsecond\n'); // O_TRUNC: same inode
    expect(statSync(log).ino).toBe(ino);
    expect(await h.poll()).toEqual(['new content, longer than before', 'second']);
  });

  it('delete + recreate: the new file is read from its start', async () => {
    writeFileSync(log, 'a1\n');
    const h = await start([log]);
    appendFileSync(log, 'a2\n');
    unlinkSync(log);
    writeFileSync(log, 'b1\n');
    expect((await h.poll()).sort()).toEqual(['a2', 'b1']);
    h.clock.advance(6000);
    await h.poll();
    expect(h.tailer.stats().files).toBe(1);
  });

  it('a file let go that comes back under the followed name resumes where it was', async () => {
    writeFileSync(log, 'a1\n');
    const h = await start([log]);
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'b1\n');
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    expect(h.tailer.stats().files).toBe(1); // a1's file let go
    renameSync(log, `${log}.2`);
    renameSync(`${log}.1`, log); // and back it comes
    appendFileSync(log, 'a2\n');
    expect(await h.poll()).toEqual(['a2']);
    expect(h.lines).toEqual(['a1', 'b1', 'a2']);
  });

  it('several rotations in a row, lines written all along: each line exactly once', async () => {
    writeFileSync(log, '');
    const h = await start([log]);
    const expected: string[] = [];
    let n = 0;
    const write = (k: number) => {
      let s = '';
      for (let i = 0; i < k; i++) {
        const line = `line ${n++} ${'p'.repeat(n % 50)}`;
        expected.push(line);
        s += line + '\n';
      }
      appendFileSync(log, s);
    };
    for (let round = 0; round < 6; round++) {
      write(50);
      if (round % 2 === 0) await h.poll();
      write(20);
      if (round % 3 === 0) {
        copyFileSync(log, `${log}.${round}`);
        truncateSync(log, 0);
      } else {
        renameSync(log, `${log}.${round}`);
        writeFileSync(log, '');
      }
      write(10);
      await h.poll();
      h.clock.advance(6000);
    }
    await h.poll();
    expect(h.lines.sort()).toEqual(expected.sort());
  });

  describe('with a glob that also matches the rotated names (access.log*)', () => {
    const glob = () => [path.join(dir, 'access.log*')];
    const head = 'GET /first/line/of/the/file/long/enough/to/fingerprint 200\n';

    it('copytruncate: the copy is not followed (no line twice), the unread end still comes from it', async () => {
      writeFileSync(log, head);
      const h = await start(glob());
      appendFileSync(log, 'unread 1\nunread 2\n');
      copyFileSync(log, `${log}.1`);
      truncateSync(log, 0);
      appendFileSync(log, 'after\n');
      await h.poll();
      await h.poll();
      expect(h.lines).toEqual([head.trim(), 'unread 1', 'unread 2', 'after']);
      // The copy is read from where we were in the original, then let go once quiet, for good.
      h.clock.advance(6000);
      await h.poll();
      await h.poll();
      expect(h.tailer.stats().files).toBe(1);
      appendFileSync(log, 'later\n');
      expect(await h.poll()).toEqual(['later']);
    });

    it('copytruncate seen in two steps: the copy appears in one pass, the truncation in the next', async () => {
      writeFileSync(log, head);
      const h = await start(glob());
      appendFileSync(log, 'unread\n');
      copyFileSync(log, `${log}.1`);
      expect(await h.poll()).toEqual(['unread']); // read from the original; the copy is ignored
      truncateSync(log, 0);
      appendFileSync(log, 'after\n');
      expect(await h.poll()).toEqual(['after']);
      h.clock.advance(6000);
      await h.poll();
      expect(h.tailer.stats().files).toBe(1);
      expect(h.lines).toEqual([head.trim(), 'unread', 'after']);
    });

    it('rename + create: the renamed file is the same file under a new name, not a new one', async () => {
      writeFileSync(log, head);
      const h = await start(glob());
      appendFileSync(log, 'a2\n');
      renameSync(log, `${log}.1`);
      writeFileSync(log, 'b1\n');
      await h.poll();
      expect(h.lines.sort()).toEqual([head.trim(), 'a2', 'b1'].sort());
      expect(h.tailer.stats().files).toBe(2);
    });

    it('a copy of a file is told from the file: the one whose name extends the other is the copy', async () => {
      writeFileSync(`${log}.bak`, head + 'x\n');
      writeFileSync(log, head + 'x\n');
      const h = await start(glob());
      expect(h.lines).toEqual([head.trim(), 'x']);
      expect(h.tailer.snapshot().files.map((f) => f.path)).toEqual([log]);
      appendFileSync(log, 'more\n');
      expect(await h.poll()).toEqual(['more']);
    });
  });

  it('counts rotations by kind: rename, delete, copytruncate, truncate', async () => {
    writeFileSync(log, 'first line long enough to be a fingerprint\n');
    const h = await start([log]);
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'b with some more content for its fingerprint\n');
    await h.poll();
    unlinkSync(log);
    writeFileSync(log, 'c with some more content for its fingerprint\n');
    await h.poll();
    copyFileSync(log, `${log}.2`);
    truncateSync(log, 0);
    appendFileSync(log, 'd\n');
    await h.poll();
    truncateSync(log, 0);
    appendFileSync(log, 'e\n');
    await h.poll();
    const s = h.tailer.snapshot();
    expect(s.kinds).toEqual({ rename: 1, delete: 1, copytruncate: 1, truncate: 1 });
    expect(s.rotations).toBe(4);
  });
});
