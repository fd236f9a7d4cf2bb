// The actions schema refuses what would let an alert pick code or reach a command unchecked, with
// `path.to.key: what is wrong`; named patterns accept exactly their values.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { PATTERNS, compilePattern, valueProblem } from '../../src/remediation/patterns.js';
import { parseMatcher } from '../../src/remediation/matchers.js';

const problems = (actions: unknown[]) => {
  try {
    parseConfig({ actions });
    return [];
  } catch (err) {
    return (err as { problems: string[] }).problems;
  }
};

describe('actions schema', () => {
  const base = { name: 'a', alertname: 'X', command: ['/bin/true'] };
  it('defaults: dry run, cooldown 10m, max_per_hour 10, timeout 30s', () => {
    expect(parseConfig({ actions: [base] }).actions[0]).toMatchObject({
      dry_run: true,
      cooldown: 600_000,
      max_per_hour: 10,
      timeout: 30_000,
      matchers: [],
      labels: {},
    });
  });
  it('refuses shell strings, programs from labels, undeclared placeholders, bad patterns and matchers', () => {
    expect(problems([{ ...base, command: '/usr/sbin/ufw deny $source' }])).toEqual([expect.stringMatching(/^actions\[0\]\.command: /)]);
    expect(problems([{ ...base, command: ['{{prog}}', 'x'], labels: { prog: 'word' } }])).toContain(
      'actions[0].command[0]: the program itself cannot come from a label',
    );
    expect(problems([{ ...base, command: ['/bin/echo', '{{source}}'] }])).toContain(
      'actions[0].command: placeholder {{source}} uses label "source", which is not declared under labels',
    );
    expect(problems([{ ...base, labels: { source: '(a' } }])[0]).toMatch(/^actions\[0\]\.labels\.source: neither a named pattern/);
    expect(problems([{ ...base, matchers: ['severity=="x'] }])[0]).toMatch(/^actions\[0\]\.matchers\[0\]: not a matcher/);
    expect(problems([base, base])).toContain('actions[1].name: duplicate action name "a" (also actions[0])');
    expect(problems([{ ...base, dryrun: false }])).toContain('actions[0].dryrun: unknown key (check the spelling)');
    // Built-in actions: a known name, its own keys, and not together with a command.
    const b = { name: 'b', alertname: 'X', builtin: { name: 'clean_directory', path: '/var/tmp/x' } };
    expect(parseConfig({ actions: [b] }).actions[0].builtin).toEqual({
      name: 'clean_directory',
      path: '/var/tmp/x',
      older_than: 7 * 86_400_000,
    });
    expect(problems([{ ...b, builtin: { name: 'format_disk' } }])[0]).toMatch(
      /^actions\[0\]\.builtin\.name: unknown built-in action \(known: clean_directory\)/,
    );
    expect(problems([{ ...b, builtin: { name: 'clean_directory', path: '/var/../etc' } }])[0]).toMatch(
      /^actions\[0\]\.builtin\.path: an absolute path/,
    );
    expect(problems([{ ...b, builtin: { name: 'clean_directory', path: '/' } }])[0]).toMatch(/^actions\[0\]\.builtin\.path: /);
    expect(problems([{ ...b, command: ['/bin/true'] }])).toContain('actions[0].command: give either command (an argv array) or builtin');
    expect(problems([{ name: 'c', alertname: 'X' }])).toContain('actions[0].command: give either command (an argv array) or builtin');
    expect(problems([{ ...b, run_as: 'nobody' }])).toContain(
      'actions[0].run_as: only with command (a built-in action runs inside hostwatch)',
    );
  });
});

describe('patterns', () => {
  const accepts = (name: string, v: string) => valueProblem(v) === undefined && PATTERNS[name].test(v);
  it('accept exactly their values', () => {
    expect(['192.0.2.1', '255.255.255.255'].every((v) => accepts('ipv4', v))).toBe(true);
    expect(['192.0.2.256', '1.2.3', '01.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4/32'].some((v) => accepts('ipv4', v))).toBe(false);
    expect(accepts('ipv6', '2001:db8::1') && accepts('ip', '::1') && accepts('ip', '10.0.0.1')).toBe(true);
    expect(accepts('unit_name', 'nginx.service') && accepts('unit_name', 'getty@tty1.service')).toBe(true);
    expect(['nginx', 'a b.service', '--now.service', 'x.service;id', '../x.service'].some((v) => accepts('unit_name', v))).toBe(false);
    expect(accepts('path', '/var/tmp/app')).toBe(true);
    expect(['var/tmp', '/var/../etc', '/var//x', '/var/./x', '/a\nb'].some((v) => accepts('path', v))).toBe(false);
  });
  it('user regexes are anchored and run on RE2', () => {
    const p = compilePattern('[a-z]+');
    expect([p.test('abc'), p.test('abc;id'), p.test('x\nabc')]).toEqual([true, false, false]);
    expect(() => compilePattern('(a)\\1')).toThrow();
  });
  it('matchers follow Alertmanager semantics', () => {
    expect(parseMatcher('severity="critical"').test({ severity: 'critical' })).toBe(true);
    expect(parseMatcher('instance=~"web-.*"').test({ instance: 'db-web-1' })).toBe(false);
    expect(parseMatcher('env!="prod"').test({})).toBe(true);
    expect(parseMatcher('env!~"prod|stage"').test({ env: 'stage' })).toBe(false);
  });
});
