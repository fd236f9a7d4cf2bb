// Bad input never throws and never yields out-of-domain values: fixture lines mutated at random
// (deterministic seed) go through the parsers of every fixture format and the handlers.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { AccessLogConfig } from '../../../src/logs/access/config.js';
import { ManualClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/log.js';
import { accessLogType } from '../../../src/logs/access/index.js';
import { createAccessParser } from '../../../src/logs/access/parse.js';
import { METHODS } from '../../../src/logs/access/request.js';

const DIR = join(import.meta.dirname, '../../fixtures/access');
const FORMATS = [
  'combined',
  'common',
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time',
  '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D',
  'json',
];

/** A small deterministic PRNG (mulberry32), so that a failure is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ' "\\[]-/:?#{}0123456789aAzZ.\x00\uFFFD\u00e9\u{1F600}';

function mutate(line: string, rand: () => number): string {
  let s = line;
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rand() * (s.length + 1));
    const op = rand();
    if (op < 0.3) s = s.slice(0, i) + s.slice(i + 1 + Math.floor(rand() * 5));
    else if (op < 0.6) s = s.slice(0, i) + ALPHABET[Math.floor(rand() * ALPHABET.length)] + s.slice(i);
    else if (op < 0.8) s = s.slice(0, i);
    else s = s.slice(i);
  }
  return s;
}

describe('access parsing robustness', () => {
  const lines = readdirSync(DIR)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => readFileSync(join(DIR, f), 'utf8').split('\n'));

  it('mutated lines never throw and parsed records stay in their domain', () => {
    const rand = rng(42);
    let parsed = 0;
    for (const format of FORMATS) {
      const parser = createAccessParser(format);
      for (let round = 0; round < 300; round++) {
        for (const line of lines) {
          const m = Buffer.from(mutate(line, rand));
          // Every fifth line also gets a byte that is not UTF-8 (a log written in Latin-1, a cut read).
          if (round % 5 === 0 && m.length > 0) m[Math.floor(rand() * m.length)] = 0x80 + Math.floor(rand() * 0x80);
          const rec = parser.parseDetail(m, 0, m.length);
          if (!rec) continue;
          parsed++;
          expect(rec.status >= 100 && rec.status <= 599 && Number.isInteger(rec.status)).toBe(true);
          expect(Number.isInteger(rec.bytes) && rec.bytes >= 0).toBe(true);
          expect(rec.duration === undefined || rec.duration >= 0).toBe(true);
          expect(rec.timestamp === undefined || Number.isFinite(rec.timestamp)).toBe(true);
          expect(rec.section.length).toBeGreaterThan(0);
          expect(METHODS[rec.method]).toBeDefined();
        }
      }
    }
    // The mutations leave many lines intact enough to parse: the checks above did run.
    expect(parsed).toBeGreaterThan(1000);
  });

  it('the handler never throws on mutated lines and its snapshot stays valid JSON', () => {
    const rand = rng(7);
    for (const format of FORMATS) {
      const config = parseConfig({ logs: [{ name: 'web', type: 'access', path: '/x', format, max_sections: 5 }] })
        .logs[0] as AccessLogConfig;
      const h = accessLogType.createHandler({
        config,
        clock: new ManualClock(),
        logger: createLogger({ write: () => {} }),
        registry: new Registry(),
      });
      for (let round = 0; round < 50; round++) for (const line of lines) h.processLine(mutate(line, rand));
      const snap = JSON.parse(JSON.stringify(h.snapshot()));
      expect(snap.sections.length).toBeLessThanOrEqual(6);
      expect(snap.requests.every((v: number) => Number.isInteger(v) && v >= 0)).toBe(true);
    }
  });
});
