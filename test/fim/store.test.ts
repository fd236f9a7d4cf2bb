// The FIM state files: atomic writes, the lock between the exporter and `fim accept`, journal rotation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { acquireLock, atomicWrite, fimDir, rootId, withLock } from '../../src/fim/store.js';
import { ChangeJournal } from '../../src/fim/journal.js';
import { tempDir } from './helpers.js';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

describe('FIM store', () => {
  it('atomicWrite replaces the file whole and leaves no temp file', async () => {
    const f = path.join(t.dir, 'a/b/state.json');
    await atomicWrite(f, 'one');
    await atomicWrite(f, 'two');
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(path.dirname(f))).toEqual(['state.json']);
    expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('root ids are file-name safe and distinct for distinct roots', () => {
    expect(rootId('/etc')).toMatch(/^etc-[0-9a-f]{12}$/);
    expect(rootId('/a/b')).not.toBe(rootId('/a_b'));
    expect(rootId('/')).toMatch(/^root-/);
  });

  it('the lock excludes a second holder until released', async () => {
    const order: string[] = [];
    const release = await acquireLock(t.dir);
    const second = withLock(t.dir, async () => {
      order.push('second');
    });
    await new Promise((r) => setTimeout(r, 120));
    order.push('first released');
    await release();
    await second;
    expect(order).toEqual(['first released', 'second']);
    expect(existsSync(path.join(fimDir(t.dir), 'lock'))).toBe(false);
  });

  it('a lock left by a dead process is broken', async () => {
    // A real pid that is certainly dead: a child that has exited.
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    mkdirSync(fimDir(t.dir), { recursive: true });
    writeFileSync(path.join(fimDir(t.dir), 'lock'), String(child.pid));
    const release = await acquireLock(t.dir, 1000);
    expect(readFileSync(path.join(fimDir(t.dir), 'lock'), 'utf8')).toBe(String(process.pid));
    await release();
  });

  it('a lock held by a live process times out with a clear error', async () => {
    mkdirSync(fimDir(t.dir), { recursive: true });
    writeFileSync(path.join(fimDir(t.dir), 'lock'), '1'); // init is alive
    await expect(acquireLock(t.dir, 100)).rejects.toThrow(/locked by process 1/);
  });
});

describe('change journal', () => {
  it('appends JSON lines in order and rotates at the size bound, keeping one old file', async () => {
    const file = path.join(t.dir, 'fim/changes.jsonl');
    const j = new ChangeJournal(file, 1000);
    const entry = (i: number) => ({ ts: '2026-01-01T00:00:00.000Z', root: '/etc', path: `/etc/file-${i}`, change: 'content' });
    for (let i = 0; i < 30; i++) await j.append([entry(i)]);
    const cur = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const old = readFileSync(file + '.1', 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(statSync(file).size).toBeLessThanOrEqual(1000);
    expect(statSync(file + '.1').size).toBeLessThanOrEqual(1000);
    expect(cur[cur.length - 1].path).toBe('/etc/file-29');
    // Consecutive: the old file ends right before the current one starts.
    expect(Number(old[old.length - 1].path.split('-')[1]) + 1).toBe(Number(cur[0].path.split('-')[1]));
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['changes.jsonl', 'changes.jsonl.1']);
  });
});
