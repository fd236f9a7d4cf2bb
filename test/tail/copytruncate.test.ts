// copytruncate corner cases found by an adversarial run: a file first seen under 256 bytes whose
// fingerprint must come from the bytes read, never from a later read of a file truncated meanwhile.
// And two found by the rotation torture's seeds: a second copytruncate while a restart reads the
// first copy, or after it and before the restart reads the file itself. And one found by the torture
// beside a busy machine: a copy not found by the look that saw the truncation. Files too short at
// the last look to tell their copy by: short-copies.test.ts; known copies (a glob matching them,
// their inodes reused): known-copies.test.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { atTurn, copytruncate, lineWriter, requestLine, restartReading, runOnce, startTailer, tailerTests } from './helpers.js';
import type { TailerState } from '../../src/tail/checkpoint.js';

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

describe('copytruncate', () => {
  it('a file first seen under 256 bytes, truncated while its fingerprint grows: the copy is still found', async () => {
    // The truncation is made at every point where a pass yields; each time, every line once.
    for (let at = 0; at < 24; at++) {
      const expected = write(1); // ~60 bytes: a short fingerprint
      const h = await startTailer([log], { chunkBytes: 1024, maxLineBytes: 1024 });
      expected.push(...write(1500));
      const step = () => {
        copytruncate(log);
        expected.push(...write(3));
      };
      const turn = atTurn(at, step);
      await h.tailer.poll();
      if (!turn.stop()) step();
      await h.tailer.poll();
      await h.tailer.poll();
      expect(h.lines, `truncated at turn ${at}`).toEqual(expected);
      await h.tailer.stop();
      rmSync(log);
      rmSync(`${log}.1`);
    }
  });

  it("a second copytruncate while a restart reads the first one's copy: the second copy is read too", async () => {
    const expected: string[] = [];
    write(20);
    const { state } = await runOnce([log]); // the checkpoint: the file read to its end
    expected.push(...write(20)); // after the checkpoint
    copytruncate(log); // while hostwatch is down
    expected.push(...write(20));
    let again = false;
    const lines = await restartReading([log], state, () => {
      if (again) return;
      // The restart is reading the lines not read yet from the first copy: logrotate again.
      again = true;
      renameSync(`${log}.1`, `${log}.2`);
      copytruncate(log);
      expected.push(...write(20));
    });
    expect(again).toBe(true);
    expect(lines).toEqual(expected);
  });

  it('a restart that found a copytruncate, then a second one before it read the file: the second copy is read too', async () => {
    const expected = write(20);
    const h = await startTailer([log]);
    renameSync(log, `${log}.1`); // a rotation by rename
    expected.push(...write(20));
    await h.poll();
    appendFileSync(`${log}.1`, 'late line 1\nlate line 2\n'); // the application's late writes to the renamed file
    expected.push('late line 1', 'late line 2');
    expected.push(...write(20)); // and to the new one, neither read before the kill
    const state = JSON.parse(JSON.stringify(h.tailer.snapshot())) as TailerState;
    await h.tailer.stop();
    // While hostwatch is down: logrotate copytruncate (shifting .1 to .2), then more lines.
    renameSync(`${log}.1`, `${log}.2`);
    copytruncate(log);
    expected.push(...write(20));
    let again = false;
    let more: string[] = [];
    const lines = await restartReading([log], state, (text) => {
      if (again || !text.startsWith('late')) return;
      // The restart has found the truncation and read the copy; it is now reading the renamed
      // file's late lines, before the file at the path: logrotate copytruncate again.
      again = true;
      renameSync(`${log}.2`, `${log}.3`);
      renameSync(`${log}.1`, `${log}.2`);
      copytruncate(log);
      more = write(20);
    });
    expect(again).toBe(true);
    // Every line once, over both runs (the order across files is the chain's, not the writes').
    expect([...h.lines, ...lines].sort()).toEqual([...expected, ...more].sort());
  });

  it('with `rotate 1`, the next copy on the inode of the copy before it (deleted, or rewritten in place): read from where the file was', async () => {
    // logrotate deletes the oldest rotated file before it copies; the copy then often gets the
    // freed inode. copyFileSync onto the existing .1 does the same deterministically (same inode,
    // new content): the record of the first copy, read and let go, must not hide the second.
    const expected = write(20);
    const h = await start([log]);
    expected.push(...write(10));
    copytruncate(log);
    expected.push(...write(5));
    await h.poll();
    h.clock.advance(6000); // the first copy, read to its end, is let go: only its record remains
    await h.poll();
    expected.push(...write(10));
    await h.poll();
    expected.push(...write(7)); // not read when the second copy is made
    copytruncate(log);
    expected.push(...write(3));
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    expect(h.lines).toEqual(expected);
  });
});

// Found by the rotation torture beside a busy machine: the listing that looked for the copy was
// taken while logrotate shifted the chain and missed it; the file restarted at 0 with new first
// bytes, and the chain scan of a later rotation took the copy for a file never read: what had been
// read of the file was counted twice. The file is now left as it was while its copy is looked for.
describe('a copy not found by the look that saw the truncation', () => {
  function copyAside(): string {
    const aside = path.join(dir, 'copy.tmp'); // outside the chain: the listing cannot see it
    copyFileSync(log, aside);
    truncateSync(log, 0);
    return aside;
  }

  it('is found at a later pass and read from where the file was; nothing is read twice', async () => {
    const expected = write(5);
    const h = await start([log]);
    renameSync(log, `${log}.1`); // an earlier rotation, read: the chain's reference
    expected.push(...write(20));
    await h.poll();
    expected.push(...write(10)); // not read when the copy is made
    const aside = copyAside();
    expected.push(...write(5));
    await h.poll();
    expect(h.lines).toEqual(expected.slice(0, 25)); // left as it was: its new lines wait for the copy
    // The copy lands in the chain (.2), and a rotation by rename follows: the chain scan it
    // triggers must not take the copy for a file written after the reference and never read.
    renameSync(`${log}.1`, `${log}.3`);
    renameSync(aside, `${log}.2`);
    renameSync(log, `${log}.1`);
    expected.push(...write(4)); // the new file
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
  });

  it('compressed at once (copytruncate and compress without delaycompress): read from the .gz, once', async () => {
    const expected = write(20);
    const h = await start([log]);
    expected.push(...write(10));
    writeFileSync(`${log}.1.gz`, gzipSync(readFileSync(log)));
    truncateSync(log, 0);
    expected.push(...write(5));
    await h.poll();
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
    renameSync(log, `${log}.1`); // and a rotation: its chain scan reads nothing again
    expected.push(...write(3));
    await h.poll();
    h.clock.advance(6000);
    await h.poll();
    expect([...h.lines].sort()).toEqual([...expected].sort());
    expect(h.tailer.snapshot().kinds?.copytruncate).toBe(1);
  });

  it('stopped meanwhile: the restart finds the copy, every line once', async () => {
    const expected = write(20);
    const h = await start([log]);
    expected.push(...write(10));
    const aside = copyAside();
    expected.push(...write(5));
    await h.poll();
    const state = JSON.parse(JSON.stringify(h.tailer.snapshot())) as TailerState;
    await h.tailer.stop();
    renameSync(aside, `${log}.1`);
    const again = await start([log], { restore: state });
    await again.poll();
    again.clock.advance(6000);
    await again.poll();
    expect([...h.lines, ...again.lines].sort()).toEqual([...expected].sort());
  });

  it('with no copy at all (truncate -s 0): the file is read from 0 after the wait', async () => {
    const expected = write(20);
    const h = await start([log]);
    truncateSync(log, 0);
    expected.push(...write(3));
    await h.poll();
    expect(h.lines).toEqual(expected.slice(0, 20));
    h.clock.advance(5000);
    await h.poll();
    expect(h.lines).toEqual(expected);
    expect(h.tailer.snapshot().kinds?.truncate).toBe(1);
  });
});
