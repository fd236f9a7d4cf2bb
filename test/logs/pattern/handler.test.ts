// Pattern rules: counting, label bounds, per-rule label sets in one family, snapshot/restore,
// and the config-time checks (RE2 syntax, labels that are named groups).
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/config/errors.js';
import type { PatternLogConfig } from '../../../src/logs/pattern/config.js';
import { ManualClock, systemClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/log.js';
import { patternLogType } from '../../../src/logs/pattern/index.js';
import { namedGroups } from '../../../src/logs/pattern/rules.js';
import type { PatternState } from '../../../src/logs/pattern/state.js';

function configOf(rules: unknown[]): PatternLogConfig {
  return parseConfig({ logs: [{ name: 'p', type: 'pattern', path: '/x', rules }] }).logs[0] as PatternLogConfig;
}

function setup(rules: unknown[]) {
  const config = configOf(rules);
  const registry = new Registry();
  const handler = patternLogType.createHandler({ config, clock: new ManualClock(), logger: createLogger({ write: () => {} }), registry });
  let published: PatternState = handler.snapshot();
  patternLogType.registerMetrics(registry, () => new Map([['p', { config, state: published }]]), systemClock);
  return {
    handler,
    publish: () => {
      published = JSON.parse(JSON.stringify(handler.snapshot()));
    },
    series: async () =>
      (await registry.metrics())
        .split('\n')
        .filter((l) => l.startsWith('hostwatch_pattern_matches_total{'))
        .sort(),
  };
}

const CLAMAV = {
  name: 'clamav',
  regex: ': (?<signature>[^\\s():]+)(?:\\([0-9a-f]{32,64}:\\d+\\))? FOUND$',
  labels: ['signature'],
  max_label_values: 3,
};
const BAN = { name: 'ban', regex: '\\[(?<jail>[^\\]]+)\\] (?<action>Ban|Unban) \\S+$', labels: ['jail', 'action'] };
const ANY_ERROR = { name: 'error', regex: '(?i)\\berror\\b' };

describe('pattern handler', () => {
  it('counts each matching rule with its own labels; every line is parsed, matched or not', async () => {
    const t = setup([CLAMAV, BAN, ANY_ERROR]);
    const h = t.handler;
    expect(h.processLine('/home/u/eicar.com: Eicar-Test-Signature FOUND').parsed).toBe(true);
    expect(h.processLine('/x.zip: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND').parsed).toBe(true);
    expect(h.processLine('NOTICE  [sshd] Ban 1.2.3.4').parsed).toBe(true);
    expect(h.processLine('NOTICE  [sshd] Unban 1.2.3.4').parsed).toBe(true);
    expect(h.processLine('NOTICE  [sshd] Ban 1.2.3.5').parsed).toBe(true);
    // Two rules match this line: both count it.
    expect(h.processLine('ERROR [sshd] Ban 1.2.3.6').parsed).toBe(true);
    expect(h.processLine('nothing to see').parsed).toBe(true);
    expect(h.processLine('')).toEqual({ parsed: true, timestamp: undefined });
    expect(await t.series()).toEqual([]);
    t.publish();
    expect(await t.series()).toEqual(
      [
        'hostwatch_pattern_matches_total{log="p",rule="clamav",signature="Eicar-Test-Signature"} 1',
        'hostwatch_pattern_matches_total{log="p",rule="clamav",signature="Win.Test.EICAR_HDB-1"} 1',
        'hostwatch_pattern_matches_total{log="p",rule="ban",jail="sshd",action="Ban"} 3',
        'hostwatch_pattern_matches_total{log="p",rule="ban",jail="sshd",action="Unban"} 1',
        'hostwatch_pattern_matches_total{log="p",rule="error"} 1',
      ].sort(),
    );
  });

  it('keeps at most max_label_values values per label, the rest as __other__, whatever arrives', async () => {
    const t = setup([CLAMAV]);
    for (let i = 0; i < 100_000; i++) t.handler.processLine(`/f${i}: Sig.${i % 5000} FOUND`);
    t.handler.processLine(`/f: ${'L'.repeat(300)} FOUND`); // an over-long value never takes a slot
    t.publish();
    const series = await t.series();
    expect(series).toHaveLength(4);
    expect(series).toContain('hostwatch_pattern_matches_total{log="p",rule="clamav",signature="__other__"} ' + (100_000 - 60 + 1));
    expect(series).toContain('hostwatch_pattern_matches_total{log="p",rule="clamav",signature="Sig.0"} 20');
    expect(JSON.stringify(t.handler.snapshot()).length).toBeLessThan(500);
  });

  it('bounds each label separately: the series of a 2-label rule stay within (max+1)^2', async () => {
    const t = setup([{ ...BAN, max_label_values: 2 }]);
    for (let i = 0; i < 1000; i++) t.handler.processLine(`[jail${i}] ${i % 2 ? 'Ban' : 'Unban'} 1.2.3.4`);
    t.publish();
    const series = await t.series();
    expect(series.length).toBeLessThanOrEqual(9);
    expect(series).toContain('hostwatch_pattern_matches_total{log="p",rule="ban",jail="__other__",action="Ban"} 499');
    expect(series).toContain('hostwatch_pattern_matches_total{log="p",rule="ban",jail="__other__",action="Unban"} 499');
  });

  it('a group that did not take part in the match gives an empty label value', async () => {
    const t = setup([{ name: 'opt', regex: 'x(?:=(?<v>\\d+))?$', labels: ['v'] }]);
    t.handler.processLine('x');
    t.handler.processLine('x=5');
    t.publish();
    expect(await t.series()).toEqual([
      'hostwatch_pattern_matches_total{log="p",rule="opt",v=""} 1',
      'hostwatch_pattern_matches_total{log="p",rule="opt",v="5"} 1',
    ]);
  });

  it('captures non-ASCII values exactly, on short and long lines (the line is matched as UTF-8 bytes)', async () => {
    const t = setup([CLAMAV, ANY_ERROR]);
    t.handler.processLine('/home/zoë/çà: Évil-€𝄞 FOUND');
    t.handler.processLine('é'.repeat(20_000) + ': Sig.Ω FOUND');
    t.publish();
    expect(await t.series()).toEqual([
      'hostwatch_pattern_matches_total{log="p",rule="clamav",signature="Sig.Ω"} 1',
      'hostwatch_pattern_matches_total{log="p",rule="clamav",signature="Évil-€𝄞"} 1',
    ]);
  });

  it('runs in linear time: a regex that backtracks catastrophically in JavaScript returns at once on a hostile line', async () => {
    // With a backtracking engine each of these would run for ages on these lines (2^n steps); the
    // test would then hang until its timeout. RE2 answers in one pass.
    const t = setup([
      { name: 'nested', regex: '^(a+)+$' },
      { name: 'alternation', regex: '^(a|a)*b$' },
      { name: 'polynomial', regex: '^(.*a){12}$' },
    ]);
    const hostile = 'a'.repeat(100_000) + '!';
    t.handler.processLine(hostile);
    t.handler.processLine('a'.repeat(50_000) + 'b');
    t.handler.processLine('a'.repeat(50_000));
    t.publish();
    expect(await t.series()).toEqual([
      'hostwatch_pattern_matches_total{log="p",rule="alternation"} 1',
      'hostwatch_pattern_matches_total{log="p",rule="nested"} 1',
      'hostwatch_pattern_matches_total{log="p",rule="polynomial"} 1',
    ]);
  });

  it('restores a snapshot exactly, keeps the label slots, and adapts to changed rules', () => {
    const a = setup([CLAMAV, BAN]).handler;
    for (let i = 0; i < 10; i++) a.processLine(`/f: Sig.${i} FOUND`);
    a.processLine('[sshd] Ban 1.2.3.4');
    const saved = JSON.parse(JSON.stringify(a.snapshot()));
    const b = setup([CLAMAV, BAN]).handler;
    b.restore(saved);
    expect(b.snapshot()).toEqual(a.snapshot());
    a.processLine('/f: Sig.99 FOUND');
    b.processLine('/f: Sig.99 FOUND');
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(b.snapshot().rules[0].counts.o).toBe(8); // Sig.3..9 and Sig.99 over the bound of 3

    // Rules changed: clamav gains a label (restarts from zero), ban is removed, a new rule appears.
    const c = setup([{ ...CLAMAV, regex: '(?<path>\\S+): (?<signature>\\S+) FOUND$', labels: ['signature', 'path'] }, ANY_ERROR]).handler;
    c.restore(saved);
    expect(c.snapshot().rules).toEqual([
      { name: 'clamav', labels: ['signature', 'path'], values: [[], []], counts: {} },
      { name: 'error', labels: [], values: [], counts: {} },
    ]);
  });

  it('rejects a state that is not a pattern state', () => {
    const h = setup([CLAMAV]).handler;
    for (const bad of [
      null,
      {},
      { v: 1, rules: [{ name: 'clamav', labels: ['signature'], values: [], counts: {} }] },
      { v: 1, rules: [{ name: 'clamav', labels: ['signature'], values: [['a']], counts: { '1': 1 } }] },
      { v: 1, rules: [{ name: 'clamav', labels: ['signature'], values: [['a']], counts: { '0': -1 } }] },
    ]) {
      expect(() => h.restore(bad as never)).toThrow(/pattern state/);
    }
  });
});

describe('pattern rule config checks', () => {
  const problems = (rules: unknown[]): string[] => {
    try {
      configOf(rules);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('accepts RE2 syntax, including (?P<name>) and inline flags', () => {
    expect(
      problems([
        CLAMAV,
        BAN,
        ANY_ERROR,
        { name: 'py', regex: '(?P<who>\\w+) logged in', labels: ['who'] },
        { name: 'nested', regex: '(a+)+$' },
      ]),
    ).toEqual([]);
  });

  it('rejects what RE2 cannot run (backreferences, lookarounds) with the path of the regex', () => {
    expect(
      problems([
        { name: 'a', regex: '(\\w)\\1' },
        { name: 'b', regex: 'foo(?=bar)' },
        { name: 'c', regex: '(?<!x)y' },
        { name: 'd', regex: '[' },
      ]),
    ).toEqual([
      expect.stringMatching(
        /^logs\[0\]\.rules\[0\]\.regex: not accepted by RE2 \(invalid escape sequence: \\1\); .*backreferences and lookarounds/,
      ),
      expect.stringMatching(/^logs\[0\]\.rules\[1\]\.regex: not accepted by RE2 \(invalid perl operator: \(\?=\)/),
      expect.stringMatching(/^logs\[0\]\.rules\[2\]\.regex: not accepted by RE2/),
      expect.stringMatching(/^logs\[0\]\.rules\[3\]\.regex: not accepted by RE2 \(missing \]/),
    ]);
  });

  it('requires labels to be named groups, not reserved, listed once; rule names unique', () => {
    expect(
      problems([
        { name: 'a', regex: '(?<x>\\d+)', labels: ['y'] },
        { name: 'b', regex: '(?<log>\\d+)(?<__x>\\d)', labels: ['log', '__x'] },
        { name: 'c', regex: '(?<x>\\d+)', labels: ['x', 'x'] },
        { name: 'a', regex: 'z' },
      ]),
    ).toEqual([
      'logs[0].rules[0].labels[0]: the regex has no named group (?<y>...)',
      'logs[0].rules[1].labels[0]: "log" is a label of hostwatch_pattern_matches_total already',
      'logs[0].rules[1].labels[1]: label names starting with __ are reserved by Prometheus',
      'logs[0].rules[2].labels: a label is listed twice',
      'logs[0].rules[3].name: duplicate rule name "a" (also rules[0])',
    ]);
  });

  it('finds named groups outside escapes and character classes', () => {
    expect(namedGroups('(?<a>x)\\(?<b>y)[(?<c>]z(?P<d>w)(?:e)(?<=f)(?<g_1>h)')).toEqual(['a', 'd', 'g_1']);
  });
});
