// Checkpointed files that cannot be found again at start: kept pending with their offsets, read on
// from there when they are back, never dropped and read again from 0 (which counted their lines
// twice). Only a file missing from a directory that can be listed is gone; it is remembered, and
// resumes where it was should it come back.
import { beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runOnce, tailerTests } from './helpers.js';

const t = tailerTests();
const start = t.start;
let dir: string;
let logDir: string;
let log: string;
beforeEach(() => {
  dir = t.dir;
  logDir = path.join(dir, 'app');
  mkdirSync(logDir);
  log = path.join(logDir, 'app.log');
});

const firstRun = async (paths: string[]) => (await runOnce(paths)).state;

describe('checkpointed files not found at start', () => {
  it('log directory unavailable at start and back later: read on from the checkpoint, nothing twice', async () => {
    writeFileSync(log, 'a1\na2\n');
    const state = await firstRun([log]);
    appendFileSync(log, 'a3\n');
    renameSync(logDir, `${logDir}.away`); // unmounted, renamed away...
    const h = await start([log], { restore: state });
    expect(h.lines).toEqual([]);
    expect(h.tailer.fileProblems().gone).toBe(1);
    // Still in the checkpoint, with its offset: a restart now would still find it.
    expect(h.tailer.snapshot().files).toEqual(state.files);
    await h.poll();
    appendFileSync(path.join(`${logDir}.away`, 'app.log'), 'a4\n');
    renameSync(`${logDir}.away`, logDir);
    expect(await h.poll()).toEqual(['a3', 'a4']);
    expect(h.tailer.fileProblems().gone).toBe(0);
    appendFileSync(log, 'a5\n');
    expect(await h.poll()).toEqual(['a5']);
  });

  it('a glob whose directory is unavailable at start: the same', async () => {
    writeFileSync(log, 'a1\n');
    const state = await firstRun([path.join(logDir, '*.log')]);
    appendFileSync(log, 'a2\n');
    renameSync(logDir, `${logDir}.away`);
    const h = await start([path.join(logDir, '*.log')], { restore: state });
    expect(h.lines).toEqual([]);
    renameSync(`${logDir}.away`, logDir);
    expect(await h.poll()).toEqual(['a2']);
  });

  it('the directory comes back without the file (removed and recreated): the file is gone, the new one read whole', async () => {
    writeFileSync(log, 'old\n');
    const state = await firstRun([log]);
    rmSync(logDir, { recursive: true });
    const h = await start([log], { restore: state });
    expect(h.tailer.fileProblems().gone).toBe(1);
    mkdirSync(logDir);
    writeFileSync(log, 'new1\nnew2\n');
    expect(await h.poll()).toEqual(['new1', 'new2']);
    expect(h.tailer.fileProblems().gone).toBe(0);
    expect(h.tailer.snapshot().rotations).toBe(1); // the old file went: one rotation (delete)
  });

  it('a file moved away while stopped and moved back later resumes where it was', async () => {
    writeFileSync(log, 'a1\n');
    const state = await firstRun([log]);
    appendFileSync(log, 'a2\n');
    renameSync(log, path.join(dir, 'elsewhere'));
    const h = await start([log], { restore: state });
    expect(h.lines).toEqual([]);
    renameSync(path.join(dir, 'elsewhere'), log);
    expect(await h.poll()).toEqual(['a2']);
  });
});
