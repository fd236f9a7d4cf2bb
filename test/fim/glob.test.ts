import { describe, expect, it } from 'vitest';
import { createPathFilter } from '../../src/fim/glob.js';
import { classifyChange, type FileRecord } from '../../src/fim/record.js';
import { parsePseudoMounts, onPseudoMount } from '../../src/fim/pseudo-fs.js';

/**
 * Whether a FIM include glob matches a relative path; also checks that the RegExp form given to the
 * walker threads (as an exclude) agrees with it.
 */
const m = (glob: string, p: string) => {
  const filter = createPathFilter([glob], [glob]);
  const inWorker = filter.excludeSources.some((src) => new RegExp(src).test(p));
  expect(inWorker, `worker RegExp of ${glob} on ${p}`).toBe(filter.excluded(p));
  return filter.included(p);
};

describe('FIM globs', () => {
  it('matches * and ? within one segment only', () => {
    expect(m('*.conf', 'sshd.conf')).toBe(true);
    expect(m('*.conf', 'ssh/sshd.conf')).toBe(false);
    expect(m('ssh?_config', 'sshd_config')).toBe(true);
    expect(m('ssh?_config', 'ssh/_config')).toBe(false);
  });

  it('matches ** across segments, including none', () => {
    expect(m('**', 'a/b/c')).toBe(true);
    expect(m('**/*.conf', 'x.conf')).toBe(true);
    expect(m('**/*.conf', 'a/b/x.conf')).toBe(true);
    expect(m('**/*.conf', 'a/b/x.confx')).toBe(false);
    expect(m('a/**/z', 'a/z')).toBe(true);
    expect(m('a/**/z', 'a/b/c/z')).toBe(true);
    expect(m('a/**/z', 'ab/z')).toBe(false);
  });

  it('dir/** matches the directory itself and everything below', () => {
    expect(m('cache/**', 'cache')).toBe(true);
    expect(m('cache/**', 'cache/x/y')).toBe(true);
    expect(m('cache/**', 'cachex')).toBe(false);
  });

  it('supports braces (nested, with globs) and character classes', () => {
    expect(m('*.{conf,cfg}', 'a.cfg')).toBe(true);
    expect(m('*.{conf,cfg}', 'a.txt')).toBe(false);
    expect(m('{bin,sbin/{a,b*}}', 'sbin/bz')).toBe(true);
    expect(m('{bin,sbin/{a,b*}}', 'sbin/c')).toBe(false);
    expect(m('log[0-9]', 'log7')).toBe(true);
    expect(m('log[!0-9]', 'log7')).toBe(false);
    expect(m('log[!0-9]', 'logx')).toBe(true);
    expect(m('a[!x]b', 'a/b')).toBe(false);
  });

  it('treats regex metacharacters literally', () => {
    expect(m('a+b(1).txt', 'a+b(1).txt')).toBe(true);
    expect(m('a(1)*.txt', 'a(1)x.txt')).toBe(true);
    expect(m('a(1)*.txt', 'a1x.txt')).toBe(false);
    expect(m('a|b', 'a')).toBe(false);
    expect(m('a.txt', 'abtxt')).toBe(false);
    expect(m('!a', 'b')).toBe(false);
    expect(m('+(a)', 'a')).toBe(false);
    expect(createPathFilter(['{unclosed'], []).included('{unclosed')).toBe(true);
  });

  it('matches hidden files and directories, and takes ./x and x/ as x', () => {
    expect(m('**', '.pwd.lock')).toBe(true);
    expect(m('**/*.swp', 'a/.b.swp')).toBe(true);
    expect(m('*', '.x')).toBe(true);
    expect(m('./ssh/', 'ssh')).toBe(true);
  });

  it('include/exclude filter', () => {
    const f = createPathFilter(['**/*.conf'], ['tmp/**']);
    expect(f.included('x/y.conf')).toBe(true);
    expect(f.included('x/y.txt')).toBe(false);
    expect(f.excluded('tmp')).toBe(true);
    expect(f.excluded('tmp/a.conf')).toBe(true);
  });
});

describe('classifyChange', () => {
  const base: FileRecord = { type: 'file', sha256: 'aa', size: 3, mode: 0o644, uid: 0, gid: 0, mtimeMs: 1, ctimeMs: 1, ino: 5 };
  it('reports each kind, several at once', () => {
    expect(classifyChange(undefined, base)).toEqual(['added']);
    expect(classifyChange(base, undefined)).toEqual(['removed']);
    expect(classifyChange(base, { ...base, sha256: 'bb', mode: 0o600, gid: 4 })).toEqual(['content', 'permissions', 'owner']);
  });
  it('does not report a rewrite with the same bytes (new inode and times)', () => {
    expect(classifyChange(base, { ...base, ino: 9, mtimeMs: 7, ctimeMs: 7 })).toEqual([]);
  });
  it('judges unhashed files by size and mtime, symlinks by target, type changes as content', () => {
    const big = { ...base, sha256: undefined };
    expect(classifyChange(big, { ...big, mtimeMs: 2 })).toEqual(['content']);
    const link: FileRecord = { ...base, type: 'symlink', sha256: undefined, target: 'a' };
    expect(classifyChange(link, { ...link, target: 'b' })).toEqual(['content']);
    expect(classifyChange(base, { ...base, type: 'dir' })).toEqual(['content']);
  });
});

describe('pseudo file systems', () => {
  it('parses mountinfo, with octal escapes', () => {
    const text = [
      '22 1 0:21 / /proc rw,nosuid - proc proc rw',
      '23 1 0:22 / /sys rw - sysfs sysfs rw',
      '24 1 8:1 / / rw - ext4 /dev/vda rw',
      '25 23 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
      '26 1 0:24 / /mnt/with\\040space rw - proc proc rw',
    ].join('\n');
    const set = parsePseudoMounts(text);
    expect([...set].sort()).toEqual(['/mnt/with space', '/proc', '/sys', '/sys/fs/cgroup']);
    expect(onPseudoMount('/proc/1/status', set)).toBe(true);
    expect(onPseudoMount('/procfs', set)).toBe(false);
  });
});
