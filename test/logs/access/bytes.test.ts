// The byte-level fast path (src/logs/access/bytes.ts) must never disagree with the string parser:
// on every line it accepts it gives the string parser's record, and it accepts the well-formed
// lines of the real-world fixtures. Checked on the golden fixtures and on many mutations of them
// (seeded, reproducible) where quotes, spaces, backslashes and digits land anywhere.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { AccessLogConfig } from '../../../src/logs/access/config.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { Fast } from '../../../src/logs/access/bytes.js';
import { AccessHandler } from '../../../src/logs/access/handler.js';
import { createAccessParser, newRecord } from '../../../src/logs/access/parse.js';

const DIR = join(import.meta.dirname, '../../fixtures/access');
const NGINX_MAIN =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
const APACHE_VHOST = '%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"';
const NGINX_TIMED =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time';
const APACHE_TIMED = '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D';
const APACHE_MS = '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %{ms}T';

const fixtureLines = ['nginx-combined.log', 'nginx-main.log', 'apache-common.log', 'apache-combined.log']
  .flatMap((f) => readFileSync(join(DIR, f), 'latin1').split('\n'))
  .filter((l) => l !== '' && /^[\x00-\x7f]*$/.test(l));
const asciiLines = (f: string) => readFileSync(join(DIR, f), 'latin1').split('\n').filter((l) => l !== '' && /^[\x00-\x7f]*$/.test(l));

/** Seeded mutations: replace, insert or delete one or two characters chosen to hit the parser's edges. */
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

/** Formats, what their lines have before the common log format part, and their lines. */
const FORMATS: [string, string, () => string[]][] = [
  ['combined', '', () => fixtureLines],
  ['common', '', () => fixtureLines],
  [NGINX_MAIN, '', () => fixtureLines],
  [APACHE_VHOST, 'www.example.com:443 ', () => fixtureLines],
  [NGINX_TIMED, '', () => [...asciiLines('nginx-timed.log'), ...fixtureLines.map((l, i) => `${l} ${i % 7}.${i % 1000} -`)]],
  [APACHE_TIMED, '', () => asciiLines('apache-timed.log')],
  [APACHE_MS, '', () => asciiLines('apache-timed.log')],
];

const extra = [
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET //a//b?x HTTP/1.1" 200 5 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /?q HTTP/1.1" 200 - "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a b HTTP/1.1" 200 5 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -07:0] "GET /a HTTP/1.1" 200 5 "-" "-"',
  '1.2.3.4 - - [10/Foo/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "get /a HTTP/1.1" 200 5 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "BREW /pot HTTP/1.1" 418 5 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 600 5 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 1234567890123456 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a\\" HTTP/1.1" 200 5 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "-" 400 0 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET http://h/x HTTP/1.1" 200 5 "-" "-"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a" 200 5 "-" "-"',
];

describe('access fast path (bytes)', () => {
  for (const [format, before, source] of FORMATS) {
    it(`agrees with the string parser: ${format.slice(0, 40)}`, () => {
      const parser = createAccessParser(format);
      const fast = parser.fast!;
      expect(fast).toBeDefined();
      const base = source();
      const lines = [...base, ...extra, ...mutations(base, 20000)].map((l) => before + l);
      let accepted = 0;
      for (const line of lines) {
        const a = newRecord();
        const b = newRecord();
        const buf = Buffer.from(`xx${line}\nyy`, 'latin1'); // offsets inside a bigger buffer, like a read chunk
        if (fast.parse(buf, 2, 2 + line.length, b) !== Fast.Parsed) continue;
        accepted++;
        const ok = parser.parse(line, a);
        const got = { method: b.method, section: b.section, status: b.status, bytes: b.bytes, duration: b.duration, timestamp: b.timestamp };
        expect({ line, ok, method: a.method, section: a.section, status: a.status, bytes: a.bytes, duration: a.duration, timestamp: a.timestamp }).toEqual({ line, ok: true, ...got });
      }
      // It is a fast path only if it takes most lines: a good share of the mutated ones too.
      expect(accepted).toBeGreaterThan(lines.length / 4);
    });
  }

  it('takes every well-formed line of the fixtures of its formats', () => {
    const fast = createAccessParser('combined').fast!;
    const rec = newRecord();
    const lines = readFileSync(join(DIR, 'nginx-combined.log'), 'latin1').split('\n').filter((l) => l !== '');
    const parser = createAccessParser('combined');
    const wellFormed = lines.filter((l) => parser.parse(l, newRecord()) && /^[\x00-\x7f]*$/.test(l) && /"[A-Z]+ \/[^"]* HTTP\/[\d.]+"/.test(l));
    expect(wellFormed.length).toBeGreaterThan(3);
    for (const l of wellFormed) {
      const buf = Buffer.from(l, 'latin1');
      if (fast.parse(buf, 0, buf.length, rec) !== Fast.Parsed && /\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]/.test(l)) {
        throw new Error(`fast path refused a well-formed line: ${l}`);
      }
    }
  });

  it('times of consecutive lines (the remembered minute) equal the string parser\'s', () => {
    const parser = createAccessParser('common');
    const times = [
      '10/Oct/2000:13:55:36 -0700', '10/Oct/2000:13:55:37 -0700', '10/Oct/2000:13:55:59 -0700', '10/Oct/2000:13:55:60 -0700',
      '10/Oct/2000:13:55:61 -0700', '10/Oct/2000:13:55:3x -0700', '10/Oct/2000:13:55:38 +0200', '10/Oct/2000:13:56:00 +0200',
      '11/Oct/2000:13:56:00 +0200', '11/oct/2000:13:56:00 +0200', '11/Oct/2000:24:56:00 +0200', '11/Oct/2000:23:56:01 +0200',
      '31/Dec/1999:23:59:59 +0000', '01/Jan/2000:00:00:00 +0000', '01/Jan/2000:00:00:00 +0000',
    ];
    for (const t of times) {
      const line = `1.2.3.4 - - [${t}] "GET /a HTTP/1.1" 200 5`;
      const a = newRecord();
      const b = newRecord();
      parser.parse(line, a);
      const r = parser.fast!.parse(Buffer.from(line), 0, line.length, b);
      if (a.timestamp === a.timestamp) expect({ t, r, ts: b.timestamp }).toEqual({ t, r: Fast.Parsed, ts: a.timestamp });
      else expect({ t, r }).toEqual({ t, r: Fast.Unsure });
    }
  });

  it('finds the end of $time_local where the string parser does, even when its separators are odd', () => {
    // The literal after the time is a lone "]": a "]" in place of a ':' ends the time early for
    // the string parser (no timestamp, fields shifted), so the fast path must not jump over it.
    const format = '[$time_local]$status $body_bytes_sent "$request"';
    const parser = createAccessParser(format);
    const lines = [
      '[10/Oct/2000:13:55:36 -0700]200 5 "GET /a HTTP/1.1"',
      '[10/Oct/2000]13:55:36 -0700]200 5 "GET /a HTTP/1.1"',
      '[10/Oct/2000:13]55:36 -0700]200 5 "GET /a HTTP/1.1"',
      '[10/Oct/2000:13:55]36 -0700]200 5 "GET /a HTTP/1.1"',
      '[10/Oct/2000:13:55:36 -0700]]200 5 "GET /a HTTP/1.1"',
    ];
    const verdicts = lines.map((line) => {
      const a = newRecord();
      const b = newRecord();
      const ok = parser.parse(line, a);
      if (parser.fast!.parse(Buffer.from(line), 0, line.length, b) !== Fast.Parsed) return 'unsure';
      expect({ line, ok, status: b.status, section: b.section, ts: b.timestamp }).toEqual({ line, ok: true, status: a.status, section: a.section, ts: a.timestamp });
      return 'parsed';
    });
    expect(verdicts).toEqual(['parsed', 'unsure', 'unsure', 'unsure', 'unsure']);
  });

  it('is not offered for formats it cannot read (upstream time alone, ISO time, JSON)', () => {
    expect(createAccessParser('json').fast).toBeUndefined();
    expect(createAccessParser('$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time').fast).toBeDefined();
    expect(createAccessParser('$remote_addr [$time_local] "$request" $status $body_bytes_sent $upstream_response_time').fast).toBeUndefined();
    expect(createAccessParser('$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent').fast).toBeUndefined();
    expect(createAccessParser('$remote_addr "$request_method" "$request_uri" $status').fast).toBeUndefined();
  });

  // combined, and nginx with $request_time (the histogram too).
  for (const [format, , source] of [FORMATS[0], FORMATS[4]]) {
    it(`a handler counting through processBytes ends in the same state as through processLine: ${format.slice(0, 30)}`, () => {
      const config = parseConfig({ logs: [{ name: 'w', type: 'access', path: '/x', format, max_sections: 5 }] }).logs[0] as AccessLogConfig;
      const ctx = { config, clock: new ManualClock(), logger: silentLogger, registry: new Registry() };
      const viaBytes = new AccessHandler(ctx);
      const viaLines = new AccessHandler(ctx);
      const lines = [...source(), ...extra, ...mutations(source(), 5000)];
      let fastTaken = 0;
      for (const line of lines) {
        const buf = Buffer.from(line, 'latin1');
        const r = viaBytes.processBytes!(buf, 0, buf.length);
        const expected = viaLines.processLine(line);
        if (r === undefined) {
          viaBytes.processLine(line);
        } else {
          fastTaken++;
          expect({ line, ...r }).toEqual({ line, ...expected });
        }
      }
      expect(fastTaken).toBeGreaterThan(lines.length / 4);
      expect(viaBytes.snapshot()).toEqual(viaLines.snapshot());
    });
  }
});
