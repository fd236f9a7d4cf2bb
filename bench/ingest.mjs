#!/usr/bin/env node
// Ingest benchmark: 2,000,000 combined access-log lines (../shared/genlogs.py) through
//   - hostwatch: the built exporter (dist/), real tailer, start_position beginning, from a cold start
//     (process spawn) until hostwatch_log_lines_total reaches N, scraping /metrics every 50 ms;
//   - mtail --one_shot with an equivalent program (requests by section, method, status class; bytes by section);
// and prints lines/s and peak RSS of both, and the ratio. Goals: >= 1,000,000 lines/s, >= 15x mtail,
// peak RSS <= 80 MB. Run alone with `node bench/ingest.mjs` (after `npm run build`), or via `npm run bench`.
// Options (env): BENCH_LINES (default 2000000), BENCH_SKIP_MTAIL=1, BENCH_CPU_PROF=dir (profile hostwatch).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { genlogsPath } from './genlogs.mjs';
import { deployedNodeFlags, formatMemory, peakSampler } from './proc-memory.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_LINES ?? 2_000_000);
const LATENCY_SAMPLES = 200;

// The same counters as hostwatch's access type: requests by section, method and status class, and
// response bytes by section ("-" counts as 0); both totals are printed side by side.
const MTAIL_PROGRAM = `counter http_requests_total by section, method, status
counter http_response_bytes_total by section

/^\\S+ \\S+ \\S+ \\[[^\\]]+\\] "(?P<method>[A-Z]+) \\/(?P<section>[^\\/ ?]*)\\S* [^"]*" (?P<status>\\d)\\d\\d (?:(?P<bytes>\\d+)|-) / {
  http_requests_total[$section][$method][$status + "xx"]++
  $bytes != "" {
    http_response_bytes_total[$section] += int($bytes)
  }
}
`;

function fail(msg) {
  process.stderr.write(`bench/ingest: ${msg}\n`);
  process.exit(1);
}

/** The log file, generated once per line count and kept in the temp dir between runs. */
function logFile() {
  const file = path.join(tmpdir(), `hostwatch-bench-access-${N}.log`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  let genlogs;
  try {
    genlogs = genlogsPath();
  } catch (err) {
    fail(err.message);
  }
  process.stdout.write(`generating ${N} lines with ${genlogs} ...\n`);
  const r = spawnSync('python3', [genlogs, 'access', String(N), `${file}.tmp`], { stdio: 'inherit' });
  if (r.status !== 0) fail('genlogs.py failed');
  spawnSync('mv', [`${file}.tmp`, file]);
  return file;
}

/**
 * CPU seconds (user + system) a live process has used, from /proc/<pid>/stat, with its children
 * that have exited (cutime + cstime: any short-lived process the exporter runs, e.g. apt for the updates collector).
 */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Peak resident set (VmHWM) of a live process, in bytes. */
function peakRss(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function collectorFlags() {
  const help = spawnSync(process.execPath, [path.join(ROOT, 'dist/main.js'), '--help'], { encoding: 'utf8' }).stdout;
  const names = [...help.matchAll(/--no-collector\.([a-z_]+)/g)].map((m) => m[1]);
  return names.filter((n) => n !== 'logs').map((n) => `--no-collector.${n}`);
}

async function runHostwatch(file, work) {
  const main = path.join(ROOT, 'dist/main.js');
  if (!existsSync(main)) fail('dist/main.js missing: run `npm run build` first');
  const config = path.join(work, 'hostwatch.yml');
  // A second log, written line by line after the ingest, measures line-written -> metric-updated.
  writeFileSync(path.join(work, 'live.log'), '');
  writeFileSync(
    config,
    `logs:\n  - name: bench\n    type: access\n    format: combined\n    path: ${JSON.stringify(file)}\n    start_position: beginning\n` +
      `  - name: live\n    type: access\n    format: combined\n    path: ${JSON.stringify(path.join(work, 'live.log'))}\n`,
  );
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    // The flags of `npm start` (what is deployed: a small young generation, see README "Memory").
    [
      ...deployedNodeFlags(),
      ...prof,
      main,
      `--config.file=${config}`,
      `--state.dir=${path.join(work, 'state')}`,
      '--web.listen-address=127.0.0.1:0',
      '--collector.logs',
      ...collectorFlags(),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  const port = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /hostwatch listening"? address=\S*:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`hostwatch exited ${code}:\n${stderr}`)));
  });
  const listening = process.hrtime.bigint();
  // The anon/file split at the highest RSS seen (VmHWM has the peak total only).
  const sampler = peakSampler(child.pid, 20);
  let lines = 0;
  let requests = 0;
  let bytes = 0;
  let scrapes = 0;
  let maxScrapeMs = 0;
  while (lines < N) {
    await new Promise((r) => setTimeout(r, 50));
    const t0 = process.hrtime.bigint();
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    maxScrapeMs = Math.max(maxScrapeMs, Number(process.hrtime.bigint() - t0) / 1e6);
    scrapes++;
    lines = 0;
    requests = 0;
    bytes = 0;
    for (const l of text.split('\n')) {
      if (l.startsWith('hostwatch_log_lines_total{')) lines += Number(l.slice(l.lastIndexOf(' ') + 1));
      if (l.startsWith('hostwatch_http_requests_total{')) requests += Number(l.slice(l.lastIndexOf(' ') + 1));
      if (l.startsWith('hostwatch_http_response_bytes_total{')) bytes += Number(l.slice(l.lastIndexOf(' ') + 1));
    }
    if (Number(process.hrtime.bigint() - started) > 300e9) fail(`hostwatch: only ${lines} lines after 300 s`);
  }
  const done = process.hrtime.bigint();
  const rss = peakRss(child.pid);
  const peakSplit = sampler.stop();
  const cpu = cpuSeconds(child.pid);
  const latency = await measureLatency(work, port, lines);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(prof.length ? 'SIGTERM' : 'SIGKILL');
  await exited;
  return {
    seconds: Number(done - started) / 1e9,
    startupSeconds: Number(listening - started) / 1e9,
    lines,
    requests,
    bytes,
    rss,
    peakSplit,
    cpu,
    scrapes,
    maxScrapeMs,
    latency,
  };
}

/**
 * Line written -> metric updated, as a scraper sees it: append one line to the `live` log (its own
 * small file, so the big one stays intact) and scrape until the line is counted; 200 samples.
 */
async function measureLatency(work, port, base) {
  const live = path.join(work, 'live.log');
  const samples = [];
  let count = base;
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t0 = process.hrtime.bigint();
    appendFileSync(live, `10.0.0.1 - - [23/Nov/2026:16:00:00 +0000] "GET /live/${i} HTTP/1.1" 200 5 "-" "bench"\n`);
    for (;;) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      let n = 0;
      for (const l of text.split('\n')) if (l.startsWith('hostwatch_log_lines_total{')) n += Number(l.slice(l.lastIndexOf(' ') + 1));
      if (n > count) {
        count = n;
        break;
      }
      if (Number(process.hrtime.bigint() - t0) > 5e9) fail('latency: a line was not counted within 5 s');
    }
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, 20));
  }
  samples.sort((a, b) => a - b);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { p50: q(0.5), p99: q(0.99), max: samples[samples.length - 1] };
}

async function runMtail(file, work) {
  const progs = path.join(work, 'progs');
  mkdirSync(progs);
  writeFileSync(path.join(progs, 'access.mtail'), MTAIL_PROGRAM);
  const started = process.hrtime.bigint();
  // /usr/bin/time reports the CPU time of mtail (all its threads) when it exits.
  const child = spawn(
    '/usr/bin/time',
    [
      '-f',
      'cpu %U %S',
      'mtail',
      '--one_shot',
      '--one_shot_format',
      'prometheus',
      '--progs',
      progs,
      '--logs',
      file,
      '--address',
      '127.0.0.1',
      '--port',
      '0',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  let rss = 0;
  // The child is /usr/bin/time; mtail is its child.
  const mtailPid = () => {
    try {
      return Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]) || child.pid;
    } catch {
      return child.pid;
    }
  };
  const sampler = setInterval(() => (rss = Math.max(rss, peakRss(mtailPid()) || 0)), 50);
  const code = await new Promise((r) => child.once('exit', r));
  clearInterval(sampler);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) fail(`mtail exited ${code}`);
  let requests = 0;
  let bytes = 0;
  for (const l of out.split('\n')) {
    if (l.startsWith('http_requests_total{')) requests += Number(l.slice(l.lastIndexOf(' ') + 1));
    if (l.startsWith('http_response_bytes_total{')) bytes += Number(l.slice(l.lastIndexOf(' ') + 1));
  }
  const m = /cpu ([\d.]+) ([\d.]+)/.exec(err);
  return { seconds, requests, bytes, rss, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

/**
 * Where the CPU goes, without HTTP or startup: the same file through the pipeline (tailer, line
 * splitting, checkpoint) with a handler that does nothing, then with the access handler; best of
 * 3 rounds each. In a child process with the node flags of `npm start`, like the exporter: the
 * cost of what a line allocates depends on them (a small young generation collects more often).
 */
function runInProcess(file, work) {
  const r = spawnSync(process.execPath, [...deployedNodeFlags(), fileURLToPath(import.meta.url), '--in-process', file, work], {
    encoding: 'utf8',
  });
  if (r.status !== 0) fail(`in-process run failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function inProcess(file, work) {
  const dist = (m) => import(path.join(ROOT, 'dist', m));
  const [{ LogPipeline }, { accessLogType }, { parseConfig }, { systemClock }, { silentLogger }, { noWatch }, { Registry }] =
    await Promise.all([
      dist('logs/pipeline.js'),
      dist('logs/access/index.js'),
      dist('config/load.js'),
      dist('core/clock.js'),
      dist('core/log.js'),
      dist('tail/watch.js'),
      import('prom-client'),
    ]);
  const result = { parsed: true };
  const noop = {
    registerMetrics() {},
    parseFields() {},
    createHandler: () => ({ processLine: () => result, snapshot: () => ({}), restore() {} }),
  };
  const out = {};
  let run = 0;
  for (const [name, type] of [
    ['tailer+pipeline, no-op handler', noop],
    ['tailer+pipeline+access handler', accessLogType],
  ]) {
    for (let round = 0; round < 3; round++) {
      const config = parseConfig({ logs: [{ name: 'inproc', type: 'access', path: file, start_position: 'beginning' }] }).logs[0];
      const stateDir = path.join(work, `inproc-${run++}`);
      const p = new LogPipeline({
        config,
        type,
        stateDir,
        clock: systemClock,
        logger: silentLogger,
        registry: new Registry(),
        watch: noWatch,
      });
      const c0 = process.cpuUsage();
      await p.start();
      await p.poll();
      await p.checkpoint();
      const c = process.cpuUsage(c0);
      if (p.state.counters.parsed !== N) fail(`in-process ${name}: ${p.state.counters.parsed} lines`);
      out[name] = Math.min(out[name] ?? Infinity, (c.user + c.system) / 1e6);
      await p.stop();
    }
  }
  return out;
}

if (process.argv[2] === '--in-process') {
  process.stdout.write(JSON.stringify(await inProcess(process.argv[3], process.argv[4])));
  process.exit(0);
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const rate = (n, s) => `${Math.round(n / s).toLocaleString('en-US')} lines/s`;

const file = logFile();
const work = mkdtempSync(path.join(tmpdir(), 'hostwatch-bench-'));
try {
  const size = statSync(file).size;
  process.stdout.write(`ingest: ${N.toLocaleString('en-US')} combined lines, ${mb(size)}\n`);
  const hw = await runHostwatch(file, work);
  process.stdout.write(
    `hostwatch: ${hw.seconds.toFixed(2)} s cold start to all lines counted (${hw.startupSeconds.toFixed(2)} s to listening), ` +
      `${rate(N, hw.seconds)} (${rate(N, hw.seconds - hw.startupSeconds)} after start), peak RSS ${mb(hw.rss)} (VmHWM; highest sampled: ${formatMemory(hw.peakSplit)}), ` +
      `requests counted ${hw.requests}, bytes ${hw.bytes}, ${hw.scrapes} scrapes (slowest ${hw.maxScrapeMs.toFixed(1)} ms)\n` +
      `hostwatch: CPU ${hw.cpu.toFixed(2)} s (user+sys, startup included): ${rate(N, hw.cpu).replace('/s', ' per CPU-second')}\n` +
      `hostwatch: line written -> counted in a scrape: p50 ${hw.latency.p50.toFixed(1)} ms, p99 ${hw.latency.p99.toFixed(1)} ms, max ${hw.latency.max.toFixed(1)} ms (${LATENCY_SAMPLES} lines, fs events)\n`,
  );
  if (process.env.BENCH_SKIP_MTAIL) {
    process.stdout.write('mtail: skipped\n');
  } else {
    const mt = await runMtail(file, work);
    process.stdout.write(
      `mtail --one_shot: ${mt.seconds.toFixed(2)} s, ${rate(N, mt.seconds)}, peak RSS ${mb(mt.rss)}, requests counted ${mt.requests}, bytes ${mt.bytes}, ` +
        `CPU ${mt.cpu.toFixed(2)} s: ${rate(N, mt.cpu).replace('/s', ' per CPU-second')}\n`,
    );
    process.stdout.write(
      `ratio: hostwatch is ${(mt.seconds / hw.seconds).toFixed(1)}x mtail in wall time (goal >= 15x), ${(mt.cpu / hw.cpu).toFixed(1)}x in CPU time ` +
        `(CPU time does not depend on what else runs on the machine)\n`,
    );
  }
  for (const [name, cpu] of Object.entries(runInProcess(file, work))) {
    process.stdout.write(
      `in-process ${name}: CPU ${cpu.toFixed(2)} s (best of 3, node ${deployedNodeFlags().join(' ')}), ${rate(N, cpu).replace('/s', ' per CPU-second')}\n`,
    );
  }
  const goals = [
    [`>= 1,000,000 lines/s`, N / hw.seconds >= 1e6],
    [`peak RSS <= 80 MB`, hw.rss <= 80 * 1024 * 1024],
    [`p99 latency < 100 ms`, hw.latency.p99 < 100],
  ];
  for (const [g, ok] of goals) process.stdout.write(`goal ${g}: ${ok ? 'met' : 'NOT met'}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
