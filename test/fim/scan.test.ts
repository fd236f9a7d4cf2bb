// scanTree on real temp trees: what is recorded, when hashes are reused, and entries that go wrong
// mid-scan. Every test runs twice: in the exporter's worker pool (real threads) and on the calling
// thread, as the one-shot commands scan (pool.ts): both must record the same.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { scanTree, type ScanOptions } from '../../src/fim/scan.js';
import { RecordSet } from '../../src/fim/record-set.js';
import { InThreadPool, WorkerPool, type ScanPool } from '../../src/fim/pool.js';
import { createPathFilter } from '../../src/fim/glob.js';
import { tempDir, writeTree } from './helpers.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

const POOLS = [
  ['worker threads', () => new WorkerPool(2)],
  ['the calling thread', () => new InThreadPool()],
] as const;

describe.each(POOLS)('in %s', (_, newPool) => {
  let pool: ScanPool;
  beforeAll(() => {
    pool = newPool();
  });
  afterAll(() => pool.close());

  let t: ReturnType<typeof tempDir>;
  let root: string;
  beforeEach(() => {
    t = tempDir();
    root = path.join(t.dir, 'root');
    mkdirSync(root);
  });
  afterEach(() => t.cleanup());

  function scan(over: Partial<ScanOptions> = {}) {
    return scanTree({
      root,
      filter: createPathFilter(['**'], []),
      follow: false,
      maxFileSize: 1 << 30,
      previous: new RecordSet(),
      pool,
      pseudoMounts: new Set(),
      ...over,
    });
  }

  describe('scanTree', () => {
    it('records files with their sha256 and metadata, directories, and nothing for the root itself', async () => {
      writeTree(root, { 'a.txt': 'hello', 'etc/ssh/sshd_config': 'Port 22\n' });
      chmodSync(path.join(root, 'a.txt'), 0o640);
      const r = await scan();
      expect([...r.records.paths()].sort()).toEqual(['a.txt', 'etc', 'etc/ssh', 'etc/ssh/sshd_config']);
      const a = r.records.get('a.txt')!;
      expect(a).toMatchObject({ type: 'file', sha256: sha('hello'), size: 5, mode: 0o640, uid: process.getuid!(), gid: process.getgid!() });
      expect(a.ino).toBeGreaterThan(0);
      expect(r.records.get('etc')!.type).toBe('dir');
      expect(r.records.get('etc')!.sha256).toBeUndefined();
      expect(r.hashedFiles).toBe(2);
      expect(r.hashedBytes).toBe(5 + 8);
    });

    it('hashes a large file (several read chunks) correctly', async () => {
      const big = Buffer.alloc(5 * (1 << 20) + 123);
      for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
      writeTree(root, { big: big });
      const r = await scan();
      expect(r.records.get('big')!.sha256).toBe(sha(big));
    });

    it('does not rehash files whose size, mtime, ctime and inode are unchanged (counted)', async () => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 300; i++) files[`d${i % 7}/f${i}`] = `content ${i}`;
      writeTree(root, files);
      const first = await scan();
      expect(first.hashedFiles).toBe(300);
      const second = await scan({ previous: first.records });
      expect(second.hashedFiles).toBe(0);
      expect(second.records.get('d3/f3')!.sha256).toBe(sha('content 3'));
      writeFileSync(path.join(root, 'd3/f3'), 'changed');
      const third = await scan({ previous: second.records });
      expect(third.hashedFiles).toBe(1);
      expect(third.records.get('d3/f3')!.sha256).toBe(sha('changed'));
    });

    it('rehashes when only the ctime moved (same size and mtime restored by touch -r)', async () => {
      writeTree(root, { f: 'aaaa' });
      const first = await scan();
      const ref = path.join(t.dir, 'ref');
      writeFileSync(ref, '');
      execFileSync('touch', ['-r', path.join(root, 'f'), ref]);
      writeFileSync(path.join(root, 'f'), 'bbbb');
      execFileSync('touch', ['-r', ref, path.join(root, 'f')]);
      const second = await scan({ previous: first.records });
      expect(second.records.get('f')!.mtimeMs).toBe(first.records.get('f')!.mtimeMs);
      expect(second.hashedFiles).toBe(1);
      expect(second.records.get('f')!.sha256).toBe(sha('bbbb'));
    });

    it('walks a tree larger than one worker message (pending directories spread over the pool), pruning excluded ones', async () => {
      const files: Record<string, string> = {};
      for (let a = 0; a < 12; a++) for (let b = 0; b < 25; b++) for (let c = 0; c < 10; c++) files[`a${a}/b${b}/f${c}`] = `${a}.${b}.${c}`;
      writeTree(root, files);
      const r = await scan({ filter: createPathFilter(['**'], ['a3/b7', 'a5/**']) });
      const fileKeys = [...r.records.paths()].filter((k) => k.includes('/f'));
      expect(fileKeys.length).toBe(3000 - 10 - 250);
      expect(r.records.has('a3/b7')).toBe(false);
      expect(r.records.has('a3/b7/f1')).toBe(false);
      expect(r.records.has('a5')).toBe(false);
      expect(r.records.get('a11/b24/f9')!.sha256).toBe(sha('11.24.9'));
      expect(r.records.size).toBe(3000 - 10 - 250 + 11 + 11 * 25 - 1);
    });

    it('records files over max_file_size by metadata only', async () => {
      writeTree(root, { small: 'x'.repeat(10), large: 'y'.repeat(11) });
      const r = await scan({ maxFileSize: 10 });
      expect(r.records.get('small')!.sha256).toBe(sha('x'.repeat(10)));
      expect(r.records.get('large')!.sha256).toBeUndefined();
      expect(r.records.get('large')!.size).toBe(11);
      expect(r.hashedFiles).toBe(1);
    });

    it('applies include and exclude globs relative to the root; exclude prunes directories', async () => {
      writeTree(root, { 'a.conf': '1', 'b.txt': '2', 'sub/c.conf': '3', 'cache/d.conf': '4', 'sub/e.conf.bak': '5' });
      const r = await scan({ filter: createPathFilter(['**/*.conf'], ['cache/**', '**/*.bak']) });
      expect([...r.records.paths()].sort()).toEqual(['a.conf', 'sub/c.conf']);
    });

    it('records a symlink as its target string when not following', async () => {
      writeTree(root, { 'real/x': 'data' });
      symlinkSync('real/x', path.join(root, 'link'));
      symlinkSync('/nonexistent/target', path.join(root, 'dangling'));
      symlinkSync('real', path.join(root, 'dirlink'));
      const r = await scan();
      expect(r.records.get('link')).toMatchObject({ type: 'symlink', target: 'real/x' });
      expect(r.records.get('link')!.sha256).toBeUndefined();
      expect(r.records.get('dangling')).toMatchObject({ type: 'symlink', target: '/nonexistent/target' });
      // Not followed: nothing recorded below the directory link.
      expect(r.records.has('dirlink/x')).toBe(false);
    });

    it('follows symlinks when asked: records the target content, enters linked directories once, keeps dangling links', async () => {
      writeTree(root, { 'real/x': 'data' });
      symlinkSync('real/x', path.join(root, 'link'));
      symlinkSync('/nonexistent/target', path.join(root, 'dangling'));
      symlinkSync('..', path.join(root, 'real/loop'));
      const outside = path.join(t.dir, 'outside');
      writeTree(outside, { y: 'outside data' });
      symlinkSync(outside, path.join(root, 'out'));
      const r = await scan({ follow: true });
      expect(r.records.get('link')).toMatchObject({ type: 'file', sha256: sha('data') });
      expect(r.records.get('out/y')).toMatchObject({ type: 'file', sha256: sha('outside data') });
      expect(r.records.get('dangling')).toMatchObject({ type: 'symlink', target: '/nonexistent/target' });
      // real/loop points back at the root: visited once, no endless recursion.
      expect([...r.records.paths()].filter((k) => k.startsWith('real/loop/')).length).toBe(0);
    });

    it('records FIFOs and sockets by type only, without blocking on them', async () => {
      execFileSync('mkfifo', [path.join(root, 'fifo')]);
      const r = await scan();
      expect(r.records.get('fifo')).toMatchObject({ type: 'fifo' });
      expect(r.records.get('fifo')!.sha256).toBeUndefined();
      expect(r.hashedFiles).toBe(0);
    });

    it('a file that vanishes between listing and hashing is counted as vanished, not recorded, and does not fail the scan', async () => {
      writeTree(root, { keep: 'k', gone: 'g' });
      const r = await scan({
        hooks: {
          beforeHash: (files) => {
            const victim = files.find((f) => f.endsWith('/gone'));
            if (victim) unlinkSync(victim);
          },
        },
      });
      expect(r.errors.vanished).toBe(1);
      expect(r.records.has('gone')).toBe(false);
      expect(r.records.get('keep')!.sha256).toBe(sha('k'));
    });

    it('a file replaced by a FIFO between listing and hashing is not read (O_NONBLOCK) and counted as vanished', async () => {
      writeTree(root, { f: 'x' });
      const r = await scan({
        hooks: {
          beforeHash: (files) => {
            unlinkSync(files[0]);
            execFileSync('mkfifo', [files[0]]);
          },
        },
      });
      expect(r.errors.vanished).toBe(1);
      expect(r.records.has('f')).toBe(false);
    });

    it('a missing root is counted as root_missing and yields no entries', async () => {
      rmSync(root, { recursive: true });
      const r = await scan();
      expect(r.errors.root_missing).toBe(1);
      expect(r.records.size).toBe(0);
    });

    it('a root that is a single file is recorded under the empty relative path', async () => {
      const file = path.join(t.dir, 'single');
      writeFileSync(file, 'one');
      const r = await scan({ root: file });
      expect(r.records.get('')).toMatchObject({ type: 'file', sha256: sha('one') });
    });

    it('rescans only a subtree when asked', async () => {
      writeTree(root, { 'a/x': '1', 'b/y': '2' });
      const r = await scan({ subtree: 'a' });
      expect([...r.records.paths()].sort()).toEqual(['a', 'a/x']);
    });

    it('a subtree rescan of an excluded or not included path records nothing', async () => {
      writeTree(root, { 'cache/x/y': '1', 'notes.txt': '2', 'a.conf': '3' });
      const filter = createPathFilter(['**/*.conf'], ['cache']);
      expect((await scan({ filter, subtree: 'cache/x/y' })).records.size).toBe(0);
      expect((await scan({ filter, subtree: 'notes.txt' })).records.size).toBe(0);
      expect([...(await scan({ filter, subtree: 'a.conf' })).records.paths()]).toEqual(['a.conf']);
    });

    it('keeps the previous block of a directory where nothing changed (baseline and current share memory)', async () => {
      writeTree(root, { 'd/a': '1', 'e/b': '2', 'e/c': '3' });
      const first = await scan();
      writeFileSync(path.join(root, 'e/b'), '22');
      const second = await scan({ previous: first.records });
      expect(second.records.blocks.get('d')).toBe(first.records.blocks.get('d'));
      expect(second.records.blocks.get('e')).not.toBe(first.records.blocks.get('e'));
      expect(second.records.get('e/b')!.sha256).toBe(sha('22'));
      expect(second.records.get('e/c')).toEqual(first.records.get('e/c'));
      const third = await scan({ previous: second.records });
      expect(third.records.sameBlocks(second.records)).toBe(true);
    });

    it('does not enter pseudo file-system mount points', async () => {
      writeTree(root, { 'proc/x': '1', y: '2' });
      const r = await scan({ pseudoMounts: new Set([path.join(root, 'proc')]) });
      expect([...r.records.paths()].sort()).toEqual(['y']);
    });

    it('reads the file content, not a cached idea of it', async () => {
      writeTree(root, { f: 'v1' });
      const first = await scan();
      writeFileSync(path.join(root, 'f'), 'v2-longer');
      const second = await scan({ previous: first.records });
      expect(second.records.get('f')!.sha256).toBe(sha(readFileSync(path.join(root, 'f'))));
    });
  });

  describe('unreadable directories', () => {
    // As root, mode 000 does not stop reading: the scans then run in a child process through
    // util-linux's setpriv without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (still uid 0, so able to
    // read the checkout), where permission bits apply; as another user they apply anyway.
    it('a directory that cannot be listed counts a permission error, names it, and keeps what was known below it', () => {
      writeTree(root, { 'locked/x': '1', 'open/y': '2' });
      const argv = [process.execPath, '--import', 'tsx', path.join(import.meta.dirname, 'support/scan-locked.ts'), root];
      if (process.getuid!() === 0) argv.unshift('setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-all');
      const out = JSON.parse(execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000 }));
      expect(out.errors.permission).toBe(1);
      expect(out.unreadable).toEqual([{ rel: 'locked', reason: 'permission' }]);
      expect(out.keptBelow).toBe(true);
    });
  });
});
