// The shared glob semantics (README: log paths, TLS cert files, FIM include/exclude).
import { describe, expect, it } from 'vitest';
import { globMatcher, globRegExp, hasWildcard } from '../../src/core/glob.js';

describe('globMatcher', () => {
  it('takes [!...] as a negated class, as the shell does', () => {
    expect(globMatcher('log[!0-9]')('log7')).toBe(false);
    expect(globMatcher('log[!0-9]')('logx')).toBe(true);
    expect(globMatcher('log[^0-9]')('logx')).toBe(true);
    expect(globMatcher('x[[:digit:]]')('x1')).toBe(true);
  });

  it('does not match hidden names unless the pattern starts with a dot or dot is set', () => {
    expect(globMatcher('*')('.x')).toBe(false);
    expect(globMatcher('?x')('.x')).toBe(false);
    expect(globMatcher('[!a]x')('.x')).toBe(false);
    expect(globMatcher('.*')('.x')).toBe(true);
    expect(globMatcher('*', { dot: true })('.x')).toBe(true);
  });

  it('gives the same answers as its RegExp form', () => {
    const cases: [string, string][] = [
      ['*.log', 'a.log'],
      ['a(1)*', 'a(1)b'],
      ['a(1)*', 'a1b'],
      ['{a,b}/**', 'b/c/d'],
      ['[!a]*', 'b'],
      ['[!a]*', 'a'],
    ];
    for (const [g, p] of cases) expect(globRegExp(g).test(p), `${g} ${p}`).toBe(globMatcher(g)(p));
  });

  it('hasWildcard: *, ? and [ make a glob; braces alone do not', () => {
    expect(['a*', 'a?', 'a[b]', 'a{b,c}', 'a.log'].map(hasWildcard)).toEqual([true, true, true, false, false]);
  });
});
