import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

describe('fim config', () => {
  it('has the documented defaults', () => {
    const c = parseConfigText('fim:\n  roots:\n    - path: /etc\n');
    expect(c.fim).toMatchObject({
      enabled: false,
      max_file_size: 100 * 1024 * 1024,
      follow_symlinks: false,
      scan_interval: 3_600_000,
      realtime: false,
      realtime_max_watches: 8192,
      hash_concurrency: 0,
    });
    expect(c.fim.roots[0]).toEqual({ path: '/etc', include: ['**'], exclude: [], critical: false });
  });

  it('rejects a negative or fractional watch budget by its key', () => {
    for (const v of ['-1', '1.5', 'lots']) {
      expect(() => parseConfigText(`fim:\n  realtime_max_watches: ${v}\n`)).toThrow(
        expect.objectContaining({ problems: [expect.stringMatching(/^fim\.realtime_max_watches: /)] }),
      );
    }
  });

  it('rejects the same root twice (one state file, duplicate series)', () => {
    expect(() => parseConfigText('fim:\n  roots:\n    - path: /etc\n    - path: /etc/\n')).toThrow(
      expect.objectContaining({ problems: ['fim.roots[1].path: duplicate root "/etc/" (also fim.roots[0])'] }),
    );
  });
});
