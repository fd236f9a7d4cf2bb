// Every header family in front of a log message (test/fixtures/syslog, one file per family, lines
// written by the programs themselves where they run here: rsyslog's templates, journalctl's output
// modes, socklog + svlogd): time, host, program, pid and where the message starts.
process.env.TZ = 'UTC';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/logs/security/syslog.js';
import { goldenLines } from './golden.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const DIR = 'test/fixtures/syslog';

function headerFields(line: string): Record<string, unknown> | undefined {
  const h = parseSyslog(line, NOW);
  if (!h) return undefined;
  return {
    format: h.format,
    timestamp: h.timestamp === undefined ? null : new Date(h.timestamp).toISOString(),
    host: h.host ?? null,
    program: h.program,
    pid: h.pid ?? null,
    ...(h.module !== undefined ? { module: h.module } : {}),
    message: h.message,
  };
}

describe('syslog header golden files', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.log'))) {
    it(name, () => {
      const { actual, expected } = goldenLines(`${DIR}/${name}`, headerFields);
      expect(actual).toEqual(expected);
    });
  }
});
