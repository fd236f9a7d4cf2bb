// The one access-line parser on edge lines: the golden records of parser-cases.expected.json (per
// format: real-world fixture lines, hand-written edge cases, and seeded mutations of them where
// quotes, spaces, backslashes and digits land anywhere), and the end state of a handler fed
// thousands of mutated lines. The expected values were produced by the string parser this byte
// parser replaced, and are kept as they were: the lines mean what they meant.
// After a deliberate change, regenerate with UPDATE_GOLDEN=1 and review the diff line by line.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { AccessLogConfig } from '../../../src/logs/access/config.js';
import { loadConfig } from '../../../src/config/load.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { accessParseFields } from '../../../src/logs/access/fields.js';
import { AccessHandler } from '../../../src/logs/access/handler.js';
import { createAccessParser } from '../../../src/logs/access/parse.js';

const DIR = join(import.meta.dirname, '../../fixtures/access');
const CASES_FILE = join(DIR, 'parser-cases.expected.json');
const STATES_FILE = join(DIR, 'handler-states.expected.json');

interface Case {
  name: string;
  format?: string;
  /** A log of fixtures/access/hostwatch.yml (for JSON field names). */
  log?: string;
  lines: [string, Record<string, unknown> | null][];
}

const cases: Case[] = JSON.parse(readFileSync(CASES_FILE, 'utf8'));
const lineParser = (c: Case) =>
  accessParseFields({
    format: c.log ? undefined : c.format,
    logName: c.log,
    configuredLog: async (name) => (await loadConfig(join(DIR, 'hostwatch.yml'))).logs.find((l) => l.name === name) as AccessLogConfig,
  });

describe('access parser: golden edge lines', () => {
  for (const c of cases) {
    it(`${c.name} (${c.lines.length} lines)`, async () => {
      const parse = await lineParser(c);
      const got = c.lines.map(([line]) => [line, parse(line) ?? null] as const);
      if (process.env.UPDATE_GOLDEN) {
        c.lines = got.map(([line, rec]) => [line, rec]);
        return;
      }
      expect(got).toEqual(c.lines);
      // The mutations leave a good share of the lines parseable: the fields are checked, not only refusals.
      expect(got.filter(([, rec]) => rec !== null).length).toBeGreaterThan(0);
    });
  }

  it.runIf(process.env.UPDATE_GOLDEN)('writes the updated golden file', () => {
    const body = cases.map(({ lines, ...head }) => {
      const h = JSON.stringify(head);
      return `  ${h.slice(0, -1)}, "lines": [\n${lines.map((l) => '      ' + JSON.stringify(l)).join(',\n')}\n  ]}`;
    });
    writeFileSync(CASES_FILE, '[\n' + body.join(',\n') + '\n]\n');
  });

  it('reads a line inside a bigger buffer (a read chunk) exactly as the line alone', () => {
    for (const c of cases.filter((k) => k.format !== undefined)) {
      const parser = createAccessParser(c.format!);
      for (const [line] of c.lines) {
        const alone = Buffer.from(line);
        // Bytes around the line that would change its meaning if they were read: a quote, digits.
        const chunk = Buffer.concat([Buffer.from('9" x\n'), alone, Buffer.from('" 200 "-\n1 ')]);
        expect({ line, rec: parser.parseDetail(chunk, 5, 5 + alone.length) }).toEqual({
          line,
          rec: parser.parseDetail(alone, 0, alone.length),
        });
      }
    }
  });

  it('gives the client address only when asked for, or in detail', () => {
    const line = Buffer.from('2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "-"');
    expect(createAccessParser('combined').parse(line, 0, line.length)?.source).toBeUndefined();
    expect(createAccessParser('combined', { source: true }).parse(line, 0, line.length)?.source).toBe('2001:db8::1');
    expect(createAccessParser('combined').parseDetail(line, 0, line.length)?.source).toBe('2001:db8::1');
    const json = Buffer.from('{"request":"GET /a HTTP/1.1","status":200,"remote_addr":"192.0.2.7"}');
    expect(createAccessParser('json').parse(json, 0, json.length)?.source).toBeUndefined();
    expect(createAccessParser('json', { source: true }).parse(json, 0, json.length)?.source).toBe('192.0.2.7');
    expect(
      createAccessParser('$status "$request"', { source: true }).parse(Buffer.from('200 "GET / HTTP/1.1"'), 0, 19)?.source,
    ).toBeUndefined();
  });

  it('decodes sections as UTF-8, bytes that are not UTF-8 as U+FFFD (as the file would be decoded)', () => {
    const parser = createAccessParser('combined');
    const line = Buffer.concat([
      Buffer.from('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /caf'),
      Buffer.from([0xe9]), // Latin-1 é: not UTF-8
      Buffer.from('/x HTTP/1.1" 200 5 "-" "-"'),
    ]);
    expect(parser.parse(line, 0, line.length)?.section).toBe('/caf\uFFFD');
    expect(parser.parse(line, 0, line.length)?.section).toBe(line.toString('utf8').match(/GET (\/[^/]*)/)![1]);
    const utf8 = Buffer.from('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /café/x HTTP/1.1" 200 5 "-" "-"');
    expect(parser.parse(utf8, 0, utf8.length)?.section).toBe('/café');
  });
});

// The seeded mutations of the first version of these tests: replace, insert or delete one or two
// characters chosen to hit the parser's edges.
function mutations(lines: string[], count: number): string[] {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const chars = [' ', '"', '\\', '/', '?', '#', '-', '[', ']', ':', '+', 'a', 'Z', '0', '9', '6', 'H', 'T', 'P', '\t', '%'];
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let l = lines[rnd(lines.length)];
    for (let m = 1 + rnd(2); m > 0; m--) {
      const i = rnd(l.length + 1);
      const c = chars[rnd(chars.length)];
      const op = rnd(3);
      l = op === 0 ? l.slice(0, i) + c + l.slice(i + 1) : op === 1 ? l.slice(0, i) + c + l.slice(i) : l.slice(0, i) + l.slice(i + 1);
    }
    out.push(l);
  }
  return out;
}

describe('access handler: golden end state', () => {
  const readLines = (f: string) =>
    readFileSync(join(DIR, f), 'latin1')
      .split('\n')
      .filter((l) => l !== '');
  const fixtureLines = ['nginx-combined.log', 'nginx-main.log', 'apache-common.log', 'apache-combined.log'].flatMap(readLines);
  const combined = cases.find((c) => c.name === 'combined')!;
  const timed = cases.find((c) => c.name === 'nginx timed')!;
  // The hand-written edge lines of the combined case (they follow its fixture lines).
  const extra = combined.lines.slice(fixtureLines.length, fixtureLines.length + 19).map(([l]) => l);
  const timedBase = [...readLines('nginx-timed.log'), ...fixtureLines.map((l, i) => `${l} ${i % 7}.${i % 1000} -`)];
  const expected = JSON.parse(readFileSync(STATES_FILE, 'utf8'));

  for (const [format, base] of [
    [combined.format!, fixtureLines],
    [timed.format!, timedBase],
  ] as const) {
    it(`counts 5,000 mutated lines into the same state: ${format.slice(0, 40)}`, () => {
      const lines = [...base, ...extra, ...mutations(base, 5000)];
      // Without client counting (the golden state predates it), then with it and trusted proxies:
      // decoding the address and the header must not change what a line means.
      for (const clients of [{ top_clients: 0 }, { top_clients: 20, trusted_proxies: ['0.0.0.0/0', '::/0'] }]) {
        const config = parseConfig({ logs: [{ name: 'w', type: 'access', path: '/x', format, max_sections: 5, ...clients }] })
          .logs[0] as AccessLogConfig;
        const handler = new AccessHandler({ config, clock: new ManualClock(), logger: silentLogger, registry: new Registry() });
        let parsed = 0;
        for (const line of lines) {
          const b = Buffer.from(line);
          if (handler.processBytes(b, 0, b.length).parsed) parsed++;
        }
        const { clients: counted, ...state } = handler.snapshot();
        expect({ lines: lines.length, parsed, state }).toEqual(expected[format]);
        if (clients.top_clients === 0) expect(counted).toBeUndefined();
        else expect(Object.values(counted!.top).reduce((a, b) => a + b, counted!.other)).toBe(parsed);
      }
    });
  }
});
