// Access-log parser and handler throughput, without the tailer: how much of the ingest budget
// (≥ 1,000,000 lines/s end to end) the access type itself uses. Lines come from
// ../shared/genlogs.py when it exists (the same generator as bench/ingest), else from a built-in
// generator of the same shape. Prints figures; asserts nothing (the machine may be busy).
//   node --import tsx bench/access-parse.ts [LINES]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parseConfig } from '../src/config/load.js';
import type { AccessLogConfig } from '../src/logs/access/config.js';
import { ManualClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/log.js';
import { accessLogType } from '../src/logs/access/index.js';
import { patternLogType } from '../src/logs/pattern/index.js';
import type { PatternLogConfig } from '../src/logs/pattern/config.js';
import { createAccessParser } from '../src/logs/access/parse.js';
import { GENLOGS_CANDIDATES } from './genlogs.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const GENLOGS = GENLOGS_CANDIDATES.find((p) => existsSync(p));

function combinedLines(): string[] {
  if (GENLOGS !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'hw-bench-access-'));
    try {
      execFileSync('python3', [GENLOGS, 'access', String(N), join(dir, 'a.log')]);
      const lines = readFileSync(join(dir, 'a.log'), 'utf8').split('\n');
      lines.pop();
      return lines;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const sections = ['api', 'static', 'users', 'report', 'login', 'admin', 'img', 'search', 'cart', 'health'];
  return Array.from(
    { length: N },
    (_, i) =>
      `10.${i % 256}.${(i >> 8) % 256}.${1 + (i % 253)} - - [14/Nov/2023:22:13:20 +0000] "GET /${sections[i % 10]}/a/${i % 1000} HTTP/1.1" ${i % 17 ? 200 : 404} ${100 + (i % 50000)} "-" "curl/8.4.0"`,
  );
}

/** Lines as the tailer hands them to a parser: ranges of one buffer of bytes. */
interface Lines {
  buf: Buffer;
  starts: number[];
  ends: number[];
}

function toLines(lines: string[]): Lines {
  const buf = Buffer.from(lines.join('\n') + '\n');
  const starts: number[] = [];
  const ends: number[] = [];
  for (let p = 0; p < buf.length;) {
    const nl = buf.indexOf(10, p);
    starts.push(p);
    ends.push(nl);
    p = nl + 1;
  }
  return { buf, starts, ends };
}

/**
 * Best of 5 rounds, by wall time and by CPU time of this process: on a busy shared machine the
 * CPU-time rate is the steadier figure (wall time includes waiting for a core).
 */
function measure(label: string, lines: Lines, fn: (buf: Buffer, start: number, end: number, i: number) => unknown): number {
  const { buf, starts, ends } = lines;
  let bestWall = 0;
  let bestCpu = 0;
  for (let round = 0; round < 5; round++) {
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < starts.length; i++) fn(buf, starts[i], ends[i], i);
    const wall = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    bestWall = Math.max(bestWall, starts.length / wall);
    bestCpu = Math.max(bestCpu, starts.length / ((cpu.user + cpu.system) / 1e6));
  }
  console.log(
    `${label}: ${(bestWall / 1e6).toFixed(2)} M lines/s wall, ${(bestCpu / 1e6).toFixed(2)} M lines/s per CPU-second (best of 5 rounds of ${starts.length} lines)`,
  );
  return bestCpu;
}

function handlerFor(log: Record<string, unknown>) {
  const config = parseConfig({ logs: [{ name: 'web', type: 'access', path: '/x', ...log }] }).logs[0] as AccessLogConfig;
  return accessLogType.createHandler({
    config,
    clock: new ManualClock(),
    logger: createLogger({ write: () => {} }),
    registry: new Registry(),
  });
}

const lines = combinedLines();
const parser = createAccessParser('combined');
const parseRate = measure('parse combined', toLines(lines), (b, s, e) => parser.parse(b, s, e));
const handler = handlerFor({});
const handlerRate = measure('handler combined (parse + count)', toLines(lines), (b, s, e) => handler.processBytes!(b, s, e));

const timedFormat =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';
const timedLines = lines.map((l, i) => `${l} 0.${String(i % 1000).padStart(3, '0')}`);
const timed = handlerFor({ format: timedFormat });
const timedRate = measure('handler nginx with $request_time (parse + count + histogram)', toLines(timedLines), (b, s, e) =>
  timed.processBytes!(b, s, e),
);

const jsonLines = lines.slice(0, Math.min(lines.length, 300_000)).map((l, i) =>
  JSON.stringify({
    time: '2023-11-14T22:13:20+00:00',
    remote_addr: '10.0.0.1',
    request: /"([^"]*)"/.exec(l)![1],
    status: 200 + (i % 4) * 100,
    bytes: i,
    request_time: 0.012,
  }),
);
const json = handlerFor({ format: 'json' });
const jsonRate = measure('handler json (JSON.parse + count)', toLines(jsonLines), (b, s, e) => json.processBytes!(b, s, e));

const distinct = Array.from(
  { length: Math.min(N, 500_000) },
  (_, i) => `10.0.0.1 - - [05/Mar/2024:14:20:01 +0100] "GET /p${i}/x HTTP/1.1" 200 1 "-" "-"`,
);
const bounded = handlerFor({});
const distinctRate = measure('handler, every line a new section (bounded to __other__)', toLines(distinct), (b, s, e) =>
  bounded.processBytes!(b, s, e),
);

// Pattern rules (RE2): the three ClamAV rules of examples/patterns.yml on a log where 1 line in 20
// is a detection, the rest daemon chatter that no rule matches.
const patternConfig = parseConfig({
  logs: [
    {
      name: 'av',
      type: 'pattern',
      path: '/x',
      rules: [
        { name: 'clamav', regex: ': (?<signature>[^\\s():]+)(?:\\([0-9a-f]{32,64}:\\d+\\))? FOUND$', labels: ['signature'] },
        { name: 'clamav_db_update', regex: '(?<database>[a-z0-9_-]+)\\.c[lv]d updated \\(version: \\d+', labels: ['database'] },
        { name: 'clamav_error', regex: '(?:-> |: )(?:!|ERROR: )|: .+ ERROR$' },
      ],
    },
  ],
}).logs[0] as PatternLogConfig;
const pattern = patternLogType.createHandler({
  config: patternConfig,
  clock: new ManualClock(),
  logger: createLogger({ write: () => {} }),
  registry: new Registry(),
});
const clamLines = Array.from({ length: Math.min(N, 300_000) }, (_, i) =>
  i % 20 === 0
    ? `Mon Mar  4 10:12:01 2024 -> /home/u/file${i}.bin: Win.Test.Sig-${i % 30} FOUND`
    : `Mon Mar  4 10:12:01 2024 -> SelfCheck: Database status OK. Scanned /srv/share/some/directory/file${i}.txt in 0.002 s`,
);
const patternRate = measure('pattern, 3 RE2 rules (1 line in 20 matches)', toLines(clamLines), (_b, _s, _e, i) =>
  pattern.processLine(clamLines[i]),
);

const t = performance.now();
let snaps = 0;
while (performance.now() - t < 500) {
  handler.snapshot();
  snaps++;
}
console.log(`snapshot: ${(((performance.now() - t) * 1000) / snaps).toFixed(1)} µs each (${handler.snapshot().sections.length} sections)`);
console.log(
  `summary: per CPU-second: access parse ${(parseRate / 1e6).toFixed(2)} M lines/s, handler ${(handlerRate / 1e6).toFixed(2)} M/s, ` +
    `timed ${(timedRate / 1e6).toFixed(2)} M/s, json ${(jsonRate / 1e6).toFixed(2)} M/s, distinct paths ${(distinctRate / 1e6).toFixed(2)} M/s, pattern ${(patternRate / 1e6).toFixed(2)} M/s`,
);
