// Property-based bad input (fast-check, seeded: a failure prints the seed and the shrunk case): for
// every line parser the exporter runs (auth, firewall, pattern, access text and JSON, the syslog
// header) and for the config loader. Random text with NUL bytes, invalid UTF-8 (decoded as U+FFFD,
// as the tailer does), CR and CRLF, ANSI escapes, lines that almost match and very long lines:
// a handler never throws, says parsed or not, and the next valid line is counted exactly; the
// config loader never crashes and reports every problem as `path: message`.
process.env.TZ = 'UTC';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { parseConfig, parseConfigText } from '../../../src/config/load.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import type { LogHandler } from '../../../src/logs/handler.js';
import { findLogType } from '../../../src/logs/registry.js';
import { parseSyslog } from '../../../src/logs/security/syslog.js';

const NOW = Date.UTC(2024, 2, 3, 12, 0, 0);
const RUNS = { numRuns: 300, seed: 20241130 };

/** Pieces of real lines, so that random lines often almost match. */
const PIECES = [
  'Mar  3 10:00:00 h sshd[42]: ',
  '2024-03-03T10:00:00+00:00 h ',
  'kernel: ',
  '[UFW BLOCK] ',
  'Failed password for ',
  'invalid user ',
  'root',
  ' from ',
  '1.2.3.4',
  ' port ',
  '22',
  ' ssh2',
  ' [preauth]',
  'IN=eth0 ',
  'OUT= ',
  'SRC=6.6.6.6 ',
  'DPT=22 ',
  'PROTO=TCP ',
  'pam_unix(sshd:auth): ',
  'rhost=',
  'user=',
  '"GET / HTTP/1.1" ',
  '200 ',
  '[10/Oct/2024:13:55:36 +0000] ',
  '{"status":',
  '}',
  '"',
  '\\',
  '\u0000',
  '\r',
  '\r\n',
  '\u001b[31m',
  '\u001b[0m',
  '\ufffd',
  'é',
  '😀',
  '\t',
  'message repeated 3 times: [ ',
  ' ]',
  '%',
  '\u2028',
];
const line = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 24 })
  .map((p) => p.join('').replace(/\n/g, ''));
/** Random bytes as the tailer hands them over: decoded as UTF-8 (invalid sequences become U+FFFD). */
const bytesLine = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8').replace(/\n/g, ''));
const anyLine = fc.oneof(line, bytesLine);

async function handlerOf(type: string, entry: Record<string, unknown> = {}): Promise<LogHandler> {
  const config = parseConfig({ logs: [{ name: 'x', type, path: '/dev/null', ...entry }] }).logs[0];
  const runtime = await findLogType(type)!.load();
  return runtime.createHandler({
    config,
    clock: new ManualClock(NOW),
    logger: silentLogger,
    registry: new Registry(),
  } as never) as LogHandler;
}

/** Runs garbage then a valid line through a handler (text, or bytes when the handler reads bytes). */
function feed(h: LogHandler, l: string) {
  if (h.processBytes) {
    const b = Buffer.from(l, 'utf8');
    return h.processBytes(b, 0, b.length);
  }
  return h.processLine(l);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** Lines counted by a pattern log's rules. */
const patternCount = (s: unknown) =>
  sum((s as { rules: { counts: Record<string, number> }[] }).rules.flatMap((r) => Object.values(r.counts)));
/** Requests counted by an access log (every status class and section). */
const requestsOf = (s: unknown) => sum((s as { requests: number[] }).requests);

const TYPES: { type: string; entry?: Record<string, unknown>; valid: (i: number) => string; count: (s: unknown) => number }[] = [
  {
    type: 'auth',
    valid: (i) => `Mar  3 11:00:00 h sshd[${900000 + i}]: Failed password for root from 198.51.100.${i % 250} port 22 ssh2`,
    count: (s) => (s as { failures: Record<string, number> }).failures['sshd|password'] ?? 0,
  },
  {
    type: 'firewall',
    valid: () =>
      'Mar  3 11:00:00 h kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.9 DST=192.0.2.1 LEN=40 PROTO=TCP SPT=4000 DPT=22 WINDOW=1 RES=0x00 SYN URGP=0',
    count: (s) => (s as { packets: number[] }).packets.reduce((a, b) => a + b, 0),
  },
  {
    type: 'pattern',
    entry: { rules: [{ name: 'hit', regex: 'HIT user=(?P<user>\\w+)', labels: ['user'] }] },
    valid: () => '2024-03-03T11:00:00Z h app: HIT user=alice',
    count: patternCount,
  },
  {
    type: 'access',
    entry: { format: 'combined' },
    valid: () => '192.0.2.1 - - [03/Mar/2024:11:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua"',
    count: (s) => requestsOf(s),
  },
  {
    type: 'access',
    entry: { format: 'json' },
    valid: () => '{"time":"2024-03-03T11:00:00Z","remote_addr":"192.0.2.1","request":"GET /x HTTP/1.1","status":200,"body_bytes_sent":5}',
    count: (s) => requestsOf(s),
  },
];

describe('handlers under random input', () => {
  for (const t of TYPES) {
    const name = `${t.type}${t.entry?.format ? ` (${String(t.entry.format)})` : ''}`;
    it(`${name}: never throws, and the next valid line is counted exactly`, async () => {
      const h = await handlerOf(t.type, t.entry);
      let i = 0;
      fc.assert(
        fc.property(fc.array(anyLine, { maxLength: 5 }), (garbage) => {
          for (const g of garbage) expect(typeof feed(h, g).parsed).toBe('boolean');
          const before = h.snapshot();
          const r = feed(h, t.valid(i++));
          expect(r.parsed).toBe(true);
          expect(t.count(h.snapshot()) - t.count(before)).toBe(1);
        }),
        RUNS,
      );
    });
  }

  it('very long lines (1 MB, no newline inside) are handled in bounded time, whatever they hold', async () => {
    for (const t of TYPES) {
      const h = await handlerOf(t.type, t.entry);
      for (const fill of ['a', ' ', 'é', '\u0000', '1.2.3.4 ', 'IN=eth0 ', '[', '{"a":']) {
        const long = t.valid(0).slice(0, 40) + fill.repeat(Math.ceil((1 << 20) / fill.length));
        const started = Date.now();
        expect(typeof feed(h, long).parsed).toBe('boolean');
        // Generous: a linear scan of 1 MB takes milliseconds; a quadratic one would take minutes.
        expect(Date.now() - started).toBeLessThan(20_000);
      }
    }
  });
});

describe('the syslog header under random input', () => {
  it('never throws, and gives a header or nothing', () => {
    fc.assert(
      fc.property(anyLine, (l) => {
        const h = parseSyslog(l, NOW);
        if (h !== undefined) expect(typeof h).toBe('object');
      }),
      RUNS,
    );
  });
});

describe('the config loader under random input', () => {
  const problemShape = /^(\(yaml\)|[A-Za-z_][\w.\-[\]]*|\(root\)|config)?:? ?.+/;
  const check = (load: () => unknown) => {
    try {
      load();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) {
        expect(p).toMatch(problemShape);
        expect(p).toContain(':');
      }
    }
  };

  it('random YAML text never crashes and every problem says where', () => {
    const yamlish = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'logs:\n',
            '  - ',
            'name: ',
            'type: auth\n',
            'path: ',
            'bruteforce:\n',
            '    window: ',
            '2m',
            '-1',
            '\n',
            ':',
            '[',
            '{',
            '"',
            "'",
            '&a ',
            '*a',
            '!!binary ',
            'web:\n',
            '  listen_address: ',
            '0',
          ),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 30 },
      )
      .map((p) => p.join(''));
    fc.assert(
      fc.property(yamlish, (text) => check(() => parseConfigText(text))),
      RUNS,
    );
  });

  it('random values at every known key never crash and every problem names its key', () => {
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 1e308, NaN, '', '2m', 'x'.repeat(5000), null));
    const entry = fc.record(
      {
        name: value,
        type: fc.oneof(fc.constantFrom('auth', 'firewall', 'access', 'pattern'), value),
        path: value,
        format: value,
        bruteforce: fc.oneof(value, fc.record({ threshold: value, window: value, max_sources: value }, { requiredKeys: [] })),
        portscan: value,
        rules: value,
        top_sources: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          value,
          fc.record({ logs: fc.oneof(value, fc.array(entry, { maxLength: 3 })), web: value, host: value }, { requiredKeys: [] }),
        ),
        (raw) => check(() => parseConfig(raw)),
      ),
      RUNS,
    );
  });
});
