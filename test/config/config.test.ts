import { describe, expect, it } from 'vitest';
import { parseConfigText, loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { parseDuration, parseSize } from '../../src/config/units.js';

function problems(yaml: string): string[] {
  try {
    parseConfigText(yaml, 'test.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.flatMap((p) => p.split('\n').map((s) => s.trim()));
  }
  throw new Error('expected the config to be rejected');
}

describe('units', () => {
  it('parses Prometheus durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(42)).toBe(42);
    expect(parseDuration('0')).toBe(0);
    for (const bad of ['', '5', 'm', '2q', '1h 30m', '-1s', '1s2']) expect(parseDuration(bad)).toBeUndefined();
  });
  it('parses byte sizes', () => {
    expect(parseSize('64KiB')).toBe(65536);
    expect(parseSize('10MB')).toBe(10_000_000);
    expect(parseSize('1 gib')).toBe(1024 ** 3);
    expect(parseSize(4096)).toBe(4096);
    for (const bad of ['', 'KiB', '-1', '1.5x', 1.5]) expect(parseSize(bad as string)).toBeUndefined();
  });
});

describe('config schema', () => {
  it('fills every default for an empty file', () => {
    const c = parseConfigText('', 'empty.yml');
    expect(c.host.proc_path).toBe('/proc');
    expect(c.host.updates.interval).toBe(3_600_000);
    expect(c.logs).toEqual([]);
    expect(c.fim.enabled).toBe(false);
    expect(c.fim.scan_interval).toBe(3_600_000);
  });

  it('applies per-type defaults and parses units inside logs', () => {
    const c = parseConfigText(
      'logs:\n  - {name: web, type: access, path: /x.log}\n  - {name: a, type: auth, path: [/a, /b], bruteforce: {window: 5m}}\n',
    );
    const [web, auth] = c.logs;
    expect(web).toMatchObject({
      type: 'access',
      path: ['/x.log'],
      start_position: 'end',
      max_line_bytes: 65536,
      format: 'combined',
      max_sections: 50,
    });
    expect(auth).toMatchObject({ type: 'auth', path: ['/a', '/b'], bruteforce: { threshold: 8, window: 300_000 } });
  });

  it('reports every problem as path.to.key: message, unknown keys included', () => {
    const p = problems(`
host:
  filesystem: {mount_points_excludee: x}
  updates: {interval: 2q}
logs:
  - {name: web, type: access, path: /x.log, max_sections: 0}
  - {name: b, type: bogus, path: /x}
fim:
  roots: [{path: /etc, crtical: true}]
`);
    expect(p).toContain('host.filesystem.mount_points_excludee: unknown key (check the spelling)');
    expect(p.find((s) => s.startsWith('host.updates.interval: invalid duration "2q"'))).toBeDefined();
    expect(p.find((s) => s.startsWith('logs[0].max_sections:'))).toBeDefined();
    expect(p).toContain('logs[1].type: type must be one of access, auth, firewall, pattern');
    expect(p).toContain('fim.roots[0].crtical: unknown key (check the spelling)');
  });

  it('rejects a key that belongs to another log type', () => {
    expect(problems('logs: [{name: w, type: access, path: /x, bruteforce: {threshold: 3}}]')).toContain(
      'logs[0].bruteforce: unknown key (check the spelling)',
    );
  });

  it('rejects duplicate log names and invalid regexes', () => {
    expect(problems('logs: [{name: w, type: access, path: /x}, {name: w, type: auth, path: /y}]')).toContain(
      'logs[1].name: duplicate log name "w" (also logs[0])',
    );
    expect(problems('host: {netdev: {device_exclude: "(unclosed"}}')).toEqual([
      expect.stringMatching(/^host\.netdev\.device_exclude: not a valid regular expression for RE2 \(.*missing \)/),
    ]);
  });

  it('reports a duplicate log name or FIM root together with the other problems of the file', () => {
    expect(
      problems(
        'logs: [{name: w, type: access, path: /x, format: bogus}, {name: w, type: acces, path: /y}]\nfim: {roots: [{path: /etc, bogus: 1}, {path: /etc/}]}',
      ),
    ).toEqual([
      'logs[0].format: invalid format: the format has no status ($status or %>s)',
      'logs[1].type: type must be one of access, auth, firewall, pattern',
      'fim.roots[0].bogus: unknown key (check the spelling)',
      'logs[1].name: duplicate log name "w" (also logs[0])',
      'fim.roots[1].path: duplicate root "/etc/" (also fim.roots[0])',
    ]);
  });

  it("words problems as the project does, not as the schema library's defaults", () => {
    expect(problems('host: {proc_path: [1], sys_path: null, textfile: {directory: {a: 1}}}')).toEqual([
      'host.proc_path: must be a string (got a list)',
      'host.sys_path: must be a string (got null)',
      'host.textfile.directory: must be a string (got a mapping)',
    ]);
    expect(problems('fim: {enabled: "yes", hash_concurrency: 1.5}')).toEqual([
      'fim.enabled: must be true or false (got "yes")',
      'fim.hash_concurrency: must be a whole number (got 1.5)',
    ]);
    expect(problems('fim: {hash_concurrency: -1}')).toEqual(['fim.hash_concurrency: must be at least 0 (got -1)']);
    expect(problems('logs: [{name: w, type: access, path: 5}]')).toEqual(['logs[0].path: must be a string or a list (got 5)']);
    expect(problems('logs: [{name: w, type: access, path: []}]')).toEqual(['logs[0].path: needs at least 1 entry']);
    expect(problems('logs: [{name: w, type: access, path: /x, start_position: middle}]')).toEqual([
      'logs[0].start_position: must be one of "end", "beginning" (got "middle")',
    ]);
    expect(problems('logs: [{type: access, path: /x}]')).toEqual(['logs[0].name: required key is missing']);
    expect(problems('logs: {a: 1}')).toEqual(['logs: must be a list (got a mapping)']);
    // A schema's own explanation is kept.
    expect(problems('logs: [{name: "9 lives", type: access, path: /x}]')).toEqual([
      'logs[0].name: must be a short identifier ([a-zA-Z_][a-zA-Z0-9_-]*), it becomes the log label',
    ]);
  });

  it('runs every host regex on RE2: a lookahead or backreference is refused at load, nested quantifiers are accepted', () => {
    const keys = ['filesystem.mount_points_exclude', 'filesystem.fs_types_exclude', 'diskstats.device_exclude', 'netdev.device_exclude'];
    for (const key of keys) {
      const [section, name] = key.split('.');
      for (const re of ['^(?!sd)', '(a)\\1']) {
        const p = problems(`host: {${section}: {${name}: '${re}'}}`);
        expect(p, `${key}: ${re}`).toHaveLength(1);
        expect(p[0]).toMatch(
          new RegExp(`^host\\.${key.replace('.', '\\.')}: not a valid regular expression for RE2 .*backreferences and lookarounds`),
        );
      }
      expect(() => parseConfigText(`host: {${section}: {${name}: '^/m/(a+)+$'}}`)).not.toThrow();
    }
  });

  it('reports YAML syntax errors and unreadable files', async () => {
    expect(problems('logs: [unclosed')[0]).toMatch(/^\(yaml\): /);
    await expect(loadConfig('/nonexistent/hostwatch.yml')).rejects.toThrow(/cannot read: ENOENT/);
  });

  it('accepts the shipped default configuration', async () => {
    const c = await loadConfig(new URL('../../hostwatch.yml', import.meta.url).pathname);
    expect(c.logs.map((l) => l.type).sort()).toEqual(['access', 'access', 'auth', 'firewall', 'pattern', 'pattern']);
    expect(c.fim.enabled).toBe(true);
  });
});
