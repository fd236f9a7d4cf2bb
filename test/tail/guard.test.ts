// Which files a log may read (guard.ts), on real files as root: a symlinked log is followed only
// when its target lies under the log's directories or the link is owned by root or hostwatch's
// user; a refusal is said in the log and counted in the file problems; a path that is not a regular
// file (a directory, a FIFO) is reported and never opened for reading (a FIFO would hang the open).
// Also the start-up line of each path: which files it follows, or that it waits for them.
import { beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, lchownSync, mkdirSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '../../src/core/log.js';
import { runOnce, tailerTests } from './helpers.js';

const t = tailerTests();
const start = t.start;
let dir: string;
let log: string;
let secret: string;
let logged: string[];
const logger = () => createLogger({ write: (l) => logged.push(l) });
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

beforeEach(() => {
  ({ dir, log } = t);
  logged = [];
  // Outside the log directory: what an application user must not be able to make us read.
  mkdirSync(path.join(dir, 'etc'));
  secret = path.join(dir, 'etc', 'shadow');
  writeFileSync(secret, 'root:$6$secret-hash:19000:0:99999:7:::\n');
  mkdirSync(path.join(dir, 'log'));
  log = path.join(dir, 'log', 'access.log');
});

/** A symlink at `at` to `target`, owned by `uid` (lchown: the link itself). */
function link(target: string, at: string, uid: number): void {
  symlinkSync(target, at);
  lchownSync(at, uid, uid);
}

describe.skipIf(!asRoot)('symlinked logs, as root', () => {
  it('a link to a file outside the log directories, made by another user: refused, said, counted', async () => {
    link(secret, log, NOBODY);
    const h = await start([log], { logger: logger() });
    expect(h.lines).toEqual([]);
    expect(h.tailer.fileProblems().symlink_refused).toBe(1);
    expect(logged.join('\n')).toMatch(/level=warn msg="refusing a symlinked log.*path=\S*access\.log/);
    await h.poll();
    expect(logged.filter((l) => l.includes('refusing')).length).toBe(1); // said once, not at every pass
  });

  it('the same link made by root (an administrator) is followed', async () => {
    link(secret, log, 0);
    const h = await start([log]);
    expect(h.lines).toEqual(['root:$6$secret-hash:19000:0:99999:7:::']);
  });

  it('a link made by another user into the log directory is followed', async () => {
    const real = path.join(dir, 'log', 'real.log');
    writeFileSync(real, 'a real log line\n');
    link(real, log, NOBODY);
    const h = await start([log]);
    expect(h.lines).toEqual(['a real log line']);
    expect(h.tailer.fileProblems().symlink_refused).toBe(0);
  });

  it('a followed log replaced by such a link: the old file is read to its end, the link is not', async () => {
    writeFileSync(log, 'line 1\n');
    const h = await start([log]);
    appendFileSync(log, 'line 2\n');
    unlinkSync(log);
    link(secret, log, NOBODY);
    expect(await h.poll()).toEqual(['line 2']);
    expect(await h.poll()).toEqual([]);
    expect(h.tailer.fileProblems().symlink_refused).toBe(1);
  });

  it('a link in the rotation chain (access.log.1 -> the secret) is not read after a restart', async () => {
    writeFileSync(log, `${'a'.repeat(60)}\n`);
    const first = await runOnce([log]);
    renameSync(log, `${log}.2`); // rotated twice while down: .2 is ours, .1 would be newer
    link(secret, `${log}.1`, NOBODY);
    writeFileSync(log, 'current\n');
    const h = await start([log], { restore: first.state });
    expect(h.lines).toEqual(['current']);
  });
});

describe('paths that are not regular files', () => {
  it('a directory at a configured path is reported, not followed', async () => {
    mkdirSync(log);
    const h = await start([log], { logger: logger() });
    expect(h.tailer.fileProblems().not_regular_file).toBe(1);
    expect(logged.join('\n')).toMatch(/log path is not a regular file/);
  });

  it('a FIFO at a configured path is reported and does not hang the tailer', async () => {
    execFileSync('mkfifo', [log]);
    const other = path.join(dir, 'log', 'other.log');
    writeFileSync(other, 'still read\n');
    const h = await start([log, other]);
    expect(h.lines).toEqual(['still read']);
    expect(h.tailer.fileProblems().not_regular_file).toBe(1);
  });
});

describe('the start-up line of each path', () => {
  it('says which files it follows, or that it waits for them', async () => {
    writeFileSync(log, 'x\n');
    writeFileSync(path.join(dir, 'log', 'a-error.log'), 'e\n');
    const missing = path.join(dir, 'nginx', '*access.log');
    await start([log, path.join(dir, 'log', '*error.log'), missing], { logger: logger() });
    const text = logged.join('\n');
    expect(text).toContain(`msg="following ${log}"`);
    expect(text).toMatch(new RegExp(`msg="following ${dir}/log/\\*error.log" files=1 first=${dir}/log/a-error.log`));
    expect(text).toContain(`msg="waiting for ${missing}"`);
  });
});
