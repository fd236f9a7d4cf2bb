// File-name globs of log paths, matched against directory entries.
import { describe, expect, it } from 'vitest';
import { compilePattern, isCompressed } from '../../src/tail/glob.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';

describe('compilePattern', () => {
  it('matches *, ? and [...] in the file name', () => {
    const p = compilePattern('/var/log/nginx/*access.log');
    expect(p.dir).toBe('/var/log/nginx');
    expect(['access.log', 'site-access.log', 'access.log.1', 'error.log', 'access.log.gz'].filter(p.matches)).toEqual([
      'access.log',
      'site-access.log',
    ]);
    const q = compilePattern('/logs/app-?.log');
    expect(['app-1.log', 'app-12.log', 'app-.log'].filter(q.matches)).toEqual(['app-1.log']);
    const r = compilePattern('/logs/[ab]*.log');
    expect(['a.log', 'b1.log', 'c.log'].filter(r.matches)).toEqual(['a.log', 'b1.log']);
    const n = compilePattern('/logs/[!a]*.log');
    expect(['a.log', 'b.log'].filter(n.matches)).toEqual(['b.log']);
  });

  it('treats regex metacharacters of the name literally', () => {
    const p = compilePattern('/logs/app(1)+.log');
    expect(p.matches('app(1)+.log')).toBe(true);
    expect(p.matches('app1.log')).toBe(false);
    expect(p.literal).toBe('app(1)+.log');
    const g = compilePattern('/logs/a.b*');
    expect(g.matches('axb')).toBe(false);
  });

  it('does not match hidden files with a leading wildcard, nor compressed rotations', () => {
    const p = compilePattern('/logs/*');
    expect(['.hidden', 'x.log', 'x.log.1', 'x.log.2.gz', 'x.zst', 'x.bz2', 'x.xz'].filter(p.matches)).toEqual(['x.log', 'x.log.1']);
    expect(isCompressed('access.log.3.gz')).toBe(true);
    expect(isCompressed('access.log.3')).toBe(false);
  });

  it('rejects wildcards in directories with a clear message', () => {
    expect(() => compilePattern('/var/log/*/access.log')).toThrow(/wildcards are supported in the file name only/);
  });

  it('a directory wildcard is a config error at load time, reported on the key', () => {
    let err: unknown;
    try {
      parseConfig({ logs: [{ name: 'web', type: 'access', path: ['/var/log/a.log', '/var/log/*/access.log'] }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'logs[0].path: wildcards (*, ?, [...]) are supported in the file name only, not in directories',
    ]);
    expect(parseConfig({ logs: [{ name: 'web', type: 'access', path: '/var/log/nginx/*access.log' }] }).logs[0].path).toEqual([
      '/var/log/nginx/*access.log',
    ]);
  });
});
