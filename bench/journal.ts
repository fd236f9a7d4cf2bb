// The journal as a log source: N auth lines (../shared/genlogs.py) as journal entries (their syslog
// header fields as the entry's fields, written by systemd-journal-remote), read by an auth log
// through the real pipeline (a journalctl --follow --output=json child) from the beginning, until
// every entry is counted; the anchor is the same N lines from a file through the tailer, in the same
// run; and journalctl alone writing the JSON to /dev/null, the floor of what the source can do.
// The figures are CPU time (this process and its reaped children: journalctl's share counts), robust
// on a shared machine where wall time mostly measures the wait for a core; wall time is shown too.
// Prints figures and ratios; asserts nothing (the machine may be busy).
//   node --import tsx bench/journal.ts [LINES]      (BENCH_GENLOGS=path/to/genlogs.py if not ../shared)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { LogsCollector } from '../src/collectors/logs/index.js';
import { parseConfig } from '../src/config/load.js';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { OUTPUT_FIELDS } from '../src/journal/argv.js';
import { parseSyslog } from '../src/logs/security/syslog.js';
import { noWatch } from '../src/tail/watch.js';
import { BOOT_ID, writeJournal, type Fields } from '../test/journal/helpers.js';

const N = Number(process.argv[2] ?? 200_000);
/** ../shared/genlogs.py beside the checkout (BENCH_GENLOGS elsewhere, e.g. from a git worktree). */
const GENLOGS = process.env.BENCH_GENLOGS ?? join(import.meta.dirname, '../../shared/genlogs.py');
const dir = mkdtempSync(join(tmpdir(), 'hw-bench-journal-'));

/** The auth file, and the same entries in a journal file. */
function inputs(): { file: string; journal: string } {
  if (!existsSync(GENLOGS)) throw new Error(`${GENLOGS} not found`);
  const file = join(dir, 'auth.log');
  execFileSync('python3', [GENLOGS, 'auth', String(N), file]);
  const now = Date.now();
  const entries: Fields[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const h = line === '' ? undefined : parseSyslog(line, now);
    if (!h) continue;
    entries.push({
      __REALTIME_TIMESTAMP: String((h.timestamp ?? now) * 1000),
      __MONOTONIC_TIMESTAMP: String(1_000_000 + entries.length),
      _BOOT_ID: BOOT_ID,
      _HOSTNAME: h.host ?? 'localhost',
      _TRANSPORT: 'syslog',
      SYSLOG_IDENTIFIER: h.program,
      ...(h.pid === undefined ? {} : { _PID: h.pid }),
      MESSAGE: h.message,
    });
  }
  const journal = join(dir, 'auth.journal');
  for (let i = 0; i < entries.length; i += 50_000) writeJournal(journal, entries.slice(i, i + 50_000));
  return { file, journal };
}

/** CPU seconds used by this process and its children that have exited (utime, stime, cutime, cstime). */
function cpuSeconds(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // USER_HZ
}

interface Cost {
  cpu: number;
  wall: number;
}

async function measure(fn: () => Promise<void> | void): Promise<Cost> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await fn();
  return { cpu: cpuSeconds() - c0, wall: (performance.now() - t0) / 1000 };
}

/** An auth log (source given by `keys`) from a cold start until it has counted `lines` lines, and stopped. */
async function pipeline(keys: Record<string, unknown>, lines: number, name: string): Promise<void> {
  const config = parseConfig({ logs: [{ name, type: 'auth', start_position: 'beginning', ...keys }] });
  const c = new LogsCollector(
    { config, registry: new Registry(), stateDir: join(dir, `state-${name}`), logger: silentLogger, clock: systemClock },
    { watch: noWatch },
  );
  await c.start();
  const p = c.pipelines[0];
  for (;;) {
    await p.poll();
    await c.update();
    const k = p.state.counters;
    if (k.parsed + k.unparsed + k.truncated >= lines) break;
    // A checkpoint (a scrape) every 200 ms: more often would measure checkpoints, not the source.
    await new Promise((r) => setTimeout(r, 200));
  }
  await c.stop(); // journalctl reaped: its CPU time is in ours
}

const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en')}/s`;
const show = (n: number, c: Cost) => `${rate(n, c.cpu)} per CPU second (${rate(n, c.wall)} wall)`;

try {
  const { file, journal } = inputs();
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '').length;
  const floor = await measure(() => {
    const r = spawnSync('journalctl', [`--file=${journal}`, '--output=json', '--all', `--output-fields=${OUTPUT_FIELDS.join(',')}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (r.status !== 0) throw new Error(`journalctl: ${r.stderr}`);
  });
  const fromFile = await measure(() => pipeline({ path: file }, lines, 'file'));
  const fromJournal = await measure(() => pipeline({ journal: { file: journal } }, lines, 'journal'));
  console.log(`${lines.toLocaleString('en')} genlogs auth lines, as journal entries and as a file`);
  console.log(`journalctl --output=json alone:  ${show(lines, floor)}`);
  console.log(`auth log from the journal:       ${show(lines, fromJournal)}`);
  console.log(`auth log from the file (anchor): ${show(lines, fromFile)}`);
  console.log(
    `summary: journal source ${rate(lines, fromJournal.cpu)} per CPU s, journalctl included: ${(fromJournal.cpu / fromFile.cpu).toFixed(1)}x the CPU of ` +
      `the file source for the same lines (${((floor.cpu / fromJournal.cpu) * 100).toFixed(0)}% of it is journalctl's JSON); machine shared, one run`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
