// The tailer on real files in a temp dir: reading, splitting, over-long lines, encodings, globs,
// start_position. Rotation is in rotation.test.ts, restarts from a checkpoint in restore.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renameSync } from 'node:fs';
import { startTailer, tempDir, type Harness } from './helpers.js';
import { fsWatch } from '../../src/tail/watch.js';
import { MAX_FILES } from '../../src/tail/tailer.js';

let dir: string;
let cleanup: () => void;
const running: Harness[] = [];
const start = async (...args: Parameters<typeof startTailer>) => {
  const h = await startTailer(...args);
  running.push(h);
  return h;
};

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.tailer.stop()));
  cleanup();
});

describe('Tailer: reading', () => {
  it('reads the existing lines from the beginning, then the appended ones', async () => {
    const f = path.join(dir, 'app.log');
    writeFileSync(f, 'one\ntwo\n');
    const h = await start([f]);
    expect(h.lines).toEqual(['one', 'two']);
    appendFileSync(f, 'three\n');
    expect(await h.poll()).toEqual(['three']);
    expect(await h.poll()).toEqual([]);
    expect(h.tailer.stats()).toEqual({ files: 1, pendingBytes: 0 });
    expect(h.tailer.snapshot().bytes).toBe(14);
  });

  it('start_position end skips what is there, including a partial last line', async () => {
    const f = path.join(dir, 'app.log');
    writeFileSync(f, 'old1\nold2\nhalf');
    const h = await start([f], { startPosition: 'end' });
    expect(h.lines).toEqual([]);
    appendFileSync(f, ' of old\nnew\n');
    expect(await h.poll()).toEqual(['new']);
  });

  it('start_position end applies to files present at start only: a file created later is read whole', async () => {
    const a = path.join(dir, 'a.log');
    writeFileSync(a, 'old\n');
    const h = await start([path.join(dir, '*.log')], { startPosition: 'end' });
    writeFileSync(path.join(dir, 'b.log'), 'b1\nb2\n');
    expect(await h.poll()).toEqual(['b1', 'b2']);
  });

  it('keeps a partial last line until its newline arrives (a line split across two writes)', async () => {
    const f = path.join(dir, 'app.log');
    writeFileSync(f, 'first\nsec');
    const h = await start([f]);
    expect(h.lines).toEqual(['first']);
    expect(h.tailer.snapshot().files[0].offset).toBe(6); // the checkpoint never includes half a line
    expect(await h.poll()).toEqual([]);
    appendFileSync(f, 'ond\nthi');
    expect(await h.poll()).toEqual(['second']);
    appendFileSync(f, 'rd\n');
    expect(await h.poll()).toEqual(['third']);
  });

  it('cuts a 1 MiB line at max_line_bytes, skips its rest and goes on with the next line', async () => {
    const f = path.join(dir, 'app.log');
    const huge = 'x'.repeat(1024 * 1024);
    writeFileSync(f, `before\n${huge}\nafter\n`);
    // A chunk smaller than the line: the cut happens while the line is still arriving.
    const h = await start([f], { maxLineBytes: 1000, chunkBytes: 64 * 1024 });
    expect(h.lines.map((l) => l.length)).toEqual([6, 1000, 5]);
    expect(h.truncated).toHaveLength(1);
    expect(h.tailer.snapshot().bytes).toBe(7 + huge.length + 1 + 6);
  });

  it('cuts a long line that fits in one chunk, and a long line written in pieces', async () => {
    const f = path.join(dir, 'app.log');
    writeFileSync(f, `${'a'.repeat(3000)}\nok\n`);
    const h = await start([f], { maxLineBytes: 1000 });
    expect(h.lines.map((l) => l.length)).toEqual([1000, 2]);
    appendFileSync(f, 'b'.repeat(600));
    expect(await h.poll()).toEqual([]);
    appendFileSync(f, 'b'.repeat(600));
    expect((await h.poll()).map((l) => l.length)).toEqual([1000]);
    appendFileSync(f, 'b'.repeat(600) + '\nnext\n');
    expect(await h.poll()).toEqual(['next']);
    expect(h.truncated).toHaveLength(2);
  });

  it('decodes invalid UTF-8 with replacement characters and keeps valid multi-byte text', async () => {
    const f = path.join(dir, 'app.log');
    writeFileSync(
      f,
      Buffer.concat([Buffer.from('ok \xff\xfe end\n', 'latin1'), Buffer.from('héllo ✓ 😀\n'), Buffer.from([0xe2, 0x82, 0x0a])]),
    );
    const h = await start([f]);
    expect(h.lines).toEqual(['ok \ufffd\ufffd end', 'héllo ✓ 😀', '\ufffd']);
  });

  it('strips CR of CRLF lines and ignores blank lines', async () => {
    const f = path.join(dir, 'app.log');
    writeFileSync(f, 'a\r\n\n\r\nb\n');
    const h = await start([f]);
    expect(h.lines).toEqual(['a', 'b']);
  });

  it('waits for a file (and its directory) that does not exist at start', async () => {
    const sub = path.join(dir, 'later');
    const f = path.join(sub, 'app.log');
    const h = await start([f], { startPosition: 'end' });
    expect(h.tailer.stats().files).toBe(0);
    mkdirSync(sub);
    writeFileSync(f, 'hello\n');
    expect(await h.poll()).toEqual(['hello']);
    expect(h.tailer.stats().files).toBe(1);
  });

  it('follows every file of a glob, ignores compressed rotated files and non-matching names', async () => {
    writeFileSync(path.join(dir, 'a-access.log'), 'a\n');
    writeFileSync(path.join(dir, 'b-access.log'), 'b\n');
    writeFileSync(path.join(dir, 'c-access.log.gz'), 'gz\n');
    writeFileSync(path.join(dir, 'error.log'), 'err\n');
    const h = await start([path.join(dir, '*access.log*')]);
    expect(h.lines.sort()).toEqual(['a', 'b']);
    expect(h.tailer.stats().files).toBe(2);
  });

  it('reports the bytes not read yet as pending', async () => {
    const f = path.join(dir, 'app.log');
    writeFileSync(f, 'abc\n');
    const h = await start([f]);
    appendFileSync(f, 'defgh\n');
    // Not polled yet: the tailer has not looked. After a pass, nothing is pending.
    expect(h.tailer.stats().pendingBytes).toBe(0);
    await h.poll();
    appendFileSync(f, 'partial');
    await h.poll();
    expect(h.tailer.stats().pendingBytes).toBe(7);
  });

  it('wakes up on file system events alone: writes, a creation, a rename rotation (no polling)', async () => {
    const f = path.join(dir, 'app.log');
    writeFileSync(f, '');
    // The manual clock never fires the poll timer: only fs.watch events can make lines come out.
    const h = await start([f], { watch: fsWatch, pollInterval: 3_600_000 });
    const next = (count: number) =>
      new Promise<void>((resolve) => {
        const check = () => (h.lines.length >= count ? resolve() : setImmediate(check));
        check();
      });
    appendFileSync(f, 'written\n');
    await next(1);
    renameSync(f, `${f}.1`);
    writeFileSync(f, 'after rotation\n');
    await next(2);
    expect(h.lines).toEqual(['written', 'after rotation']);
  });

  it('two patterns in one directory share its watch: a file matching only the second is picked up at once', async () => {
    // The watch is set up for the first pattern; its events must be checked against both.
    const h = await start([path.join(dir, '*access.log'), path.join(dir, '*error.log')], { watch: fsWatch, pollInterval: 3_600_000 });
    writeFileSync(path.join(dir, 'site-error.log'), 'an error line\n');
    await new Promise<void>((resolve) => {
      const check = () => (h.lines.length >= 1 ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(h.lines).toEqual(['an error line']);
  });
});

describe('Tailer: a glob matching more files than it follows', () => {
  it('follows the 1024 most recently written, reports the others as too_many_files, picks up a new one when there is room', async () => {
    const old = Date.now() / 1000 - 86400;
    for (let i = 0; i < MAX_FILES + 76; i++) {
      const f = path.join(dir, `app${String(i).padStart(5, '0')}.log`);
      writeFileSync(f, `line of ${i}\n`);
      if (i < 76) utimesSync(f, old, old); // the 76 oldest: written a day ago
    }
    const h = await start([path.join(dir, '*.log')]);
    expect(h.tailer.stats().files).toBe(MAX_FILES);
    expect(h.tailer.fileProblems().too_many_files).toBe(76);
    expect(h.lines.some((l) => /^line of (\d|[1-6]\d|7[0-5])$/.test(l))).toBe(false);
    expect(h.lines).toHaveLength(MAX_FILES);
    // A followed file goes away (rotated, and its rotated name is no match): after it is let go,
    // the most recently written of the others takes its place.
    renameSync(path.join(dir, 'app01000.log'), path.join(dir, 'app01000.log.1'));
    utimesSync(path.join(dir, 'app00042.log'), old + 3600, old + 3600);
    await h.poll(); // rotation noticed
    h.clock.advance(10_000);
    await h.poll(); // quiet: let go
    await h.poll();
    expect(h.tailer.fileProblems().too_many_files).toBe(75);
    expect(h.lines).toContain('line of 42');
  });

  it('an idle glob directory is not listed again; its followed files are looked at in turns; any change of the directory is seen at once', async () => {
    for (let i = 0; i < 300; i++) writeFileSync(path.join(dir, `f${i}.log`), `first ${i}\n`);
    const hourAgo = Date.now() / 1000 - 3600;
    utimesSync(dir, hourAgo, hourAgo); // quiet for long: its listing is trusted while unchanged
    const h = await start([path.join(dir, '*.log')]);
    expect(h.lines).toHaveLength(300);
    appendFileSync(path.join(dir, 'f250.log'), 'appended, no fs event\n');
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(...(await h.poll())); // 128 files per poll: all within 3
    expect(seen).toEqual(['appended, no fs event']);
    writeFileSync(path.join(dir, 'new.log'), 'a new file\n');
    expect(await h.poll()).toEqual(['a new file']);
  });
});
