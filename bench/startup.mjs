#!/usr/bin/env node
// Start-up benchmark: time from spawning the process to its first successful scrape (HTTP 200 on
// /metrics), for the built hostwatch with the shipped hostwatch.yml (every default collector: host,
// logs and FIM) against Debian's prometheus-node-exporter and a bare `node:http` server (the floor
// of any Node.js exporter), measured in alternating rounds in the same run. Then the idle RSS of
// hostwatch with the shipped config (after its first FIM baseline of /etc is done), split into
// RssAnon (private) and RssFile (file-backed, mostly the node binary's pages).
// Needs `npm run build` first. Only 127.0.0.1 is contacted; every loop is bounded.
// --baseline=<other checkout>/dist/main.js adds an older build as one more target (before/after).
//
//   node bench/startup.mjs [--runs=9] [--entry=dist/main.js] [--baseline=path/to/dist/main.js]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { deployedNodeFlags, formatMemory, memory } from './proc-memory.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const option = (name, def) => process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const RUNS = Number(option('runs', 9));
const ENTRY = resolve(ROOT, option('entry', 'dist/main.js'));
const BASELINE = option('baseline') && resolve(ROOT, option('baseline'));
const GOAL_START_MS = 300;
const GOAL_IDLE_RSS_MB = 60;

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-bench-startup-'));
const live = new Set();
function cleanup() {
  for (const c of live) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

/** One GET of /metrics: the body on 200, undefined on any error or other status. */
function get(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString() : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

const BARE_SERVER = `require('node:http').createServer((q, s) => s.end('up 1\\n')).listen(Number(process.argv[1]), '127.0.0.1')`;

const hostwatch = (name, entry) => ({
  name,
  available: () => existsSync(entry),
  argv: (port, run) => [
    process.execPath,
    ...deployedNodeFlags(),
    entry,
    `--config.file=${join(ROOT, 'hostwatch.yml')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--state.dir=${join(tmp, `${name}-state-${run}`)}`,
    '--log.level=warn',
  ],
});

const TARGETS = [
  hostwatch('hostwatch', ENTRY),
  ...(BASELINE ? [hostwatch('baseline', BASELINE)] : []),
  {
    name: 'node_exporter',
    available: () => existsSync(NODE_EXPORTER),
    argv: (port) => [NODE_EXPORTER, `--web.listen-address=127.0.0.1:${port}`],
  },
  { name: 'node:http', available: () => true, argv: (port) => [process.execPath, '-e', BARE_SERVER, String(port)] },
];

/**
 * CPU time (user + system, all threads) a live process has used, in ms, from /proc/<pid>/stat: less
 * sensitive than wall time to other work on a shared machine. The kernel counts it in ticks of 10 ms.
 */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Spawns a target and polls /metrics every 2 ms until the first 200; returns the wall and CPU ms it took, and the child. */
async function startOnce(target, run) {
  const port = await freePort();
  const [cmd, ...args] = target.argv(port, run);
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${target.name} exited with ${child.exitCode} before serving: ${stderr}`);
    const body = await get(port);
    if (body !== undefined) return { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpu: cpuMs(child.pid), child, port };
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`${target.name} did not serve /metrics within 30 s: ${stderr}`);
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
  live.delete(child);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (kb) => (kb / 1024).toFixed(1);
const pad = (s, n) => String(s).padEnd(n);

/** Idle memory of hostwatch with the shipped config: after the first FIM baseline and a few scrapes. */
async function idleMemory(target) {
  const { child, port } = await startOnce(target, 'idle');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const body = (await get(port)) ?? '';
    if (/^hostwatch_fim_last_scan_timestamp_seconds\{[^}]*\} [1-9]/m.test(body)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  for (let i = 0; i < 20; i++) await get(port);
  await new Promise((r) => setTimeout(r, 2000));
  const m = memory(child.pid);
  await stop(child);
  return m;
}

async function main() {
  const targets = TARGETS.filter((t) => t.available());
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first (npm run bench does)`);
  const times = new Map(targets.map((t) => [t.name, []]));
  const cpu = new Map(targets.map((t) => [t.name, []]));
  for (let run = 0; run < RUNS; run++) {
    // Alternate the order so that every target sees the same background load on a shared machine.
    for (const t of run % 2 === 0 ? targets : [...targets].reverse()) {
      const r = await startOnce(t, run);
      times.get(t.name).push(r.ms);
      cpu.get(t.name).push(r.cpu);
      await stop(r.child);
    }
  }
  const idle = await idleMemory(TARGETS[0]);
  const baselineIdle = BASELINE ? await idleMemory(TARGETS[1]) : undefined;

  console.log(`start-up benchmark: spawn to first HTTP 200 on /metrics, ${RUNS} runs per target, alternating, 127.0.0.1`);
  console.log(
    `hostwatch: ${relative(ROOT, ENTRY)} ${deployedNodeFlags().join(' ')} with the shipped hostwatch.yml${BASELINE ? `; baseline: ${BASELINE}` : ''}`,
  );
  console.log(
    `load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${os.cpus().length} CPUs; figures are noisy when other work runs)`,
  );
  console.log(`\n${pad('process', 15)}${pad('median ms', 11)}${pad('min ms', 9)}${pad('max ms', 9)}CPU ms (median, user + system)`);
  for (const [name, xs] of times) {
    console.log(
      `${pad(name, 15)}${pad(median(xs).toFixed(0), 11)}${pad(Math.min(...xs).toFixed(0), 9)}${pad(Math.max(...xs).toFixed(0), 9)}${median(cpu.get(name)).toFixed(0)}`,
    );
  }
  const hw = median(times.get('hostwatch'));
  const summary = [
    `start to first scrape: hostwatch ${hw.toFixed(0)} ms, ${median(cpu.get('hostwatch')).toFixed(0)} ms CPU (goal <= ${GOAL_START_MS} ms: ${hw <= GOAL_START_MS ? 'met' : 'MISSED'})`,
  ];
  for (const anchor of ['baseline', 'node_exporter', 'node:http']) {
    if (times.has(anchor))
      summary[0] += `, ${anchor} ${median(times.get(anchor)).toFixed(0)} ms (ratio ${(hw / median(times.get(anchor))).toFixed(1)})`;
  }
  console.log(
    `\nidle, shipped config, after the first FIM baseline: VmRSS ${mb(idle.rss)} MB, RssAnon ${mb(idle.anon)}, RssFile ${mb(idle.file)}`,
  );
  if (baselineIdle)
    console.log(
      `baseline, the same:                                 VmRSS ${mb(baselineIdle.rss)} MB, RssAnon ${mb(baselineIdle.anon)}, RssFile ${mb(baselineIdle.file)}`,
    );
  summary.push(
    `idle RSS, shipped config: ${formatMemory(idle)} (goal <= ${GOAL_IDLE_RSS_MB} MB: ${idle.rss / 1024 <= GOAL_IDLE_RSS_MB ? 'met' : 'MISSED'})${baselineIdle ? `, baseline ${formatMemory(baselineIdle)}` : ''}`,
  );
  for (const s of summary) console.log(`summary: ${s}`);
}

main()
  .catch((err) => {
    console.error(`bench/startup: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(cleanup);
