#!/usr/bin/env node
// Scrape benchmark: hostwatch (built, host collectors only, shipped default config) against Debian's
// prometheus-node-exporter (default collectors), started side by side on free loopback ports in the
// same run. Measures scrape latency p50/p99 at 1 and 4 concurrent keep-alive clients (after a
// warm-up) and RSS (idle and peak, from /proc/<pid>/status), and prints figures and ratios.
// Needs `npm run build` first. Only 127.0.0.1 is contacted; every loop is bounded.
// --logs: hostwatch also tails an access log that this script appends to all along (~2,000 lines/s),
// so that every scrape happens while lines arrive (a scrape must not wait for a checkpoint write).
//
//   node bench/scrape.mjs [--scrapes=500] [--warmup=50] [--logs] [--node-flags="--max-semi-space-size=1"]
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from './free-port.mjs';
import { deployedNodeFlags, formatMemory, memory } from './proc-memory.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const arg = (name, def) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const SCRAPES = arg('scrapes', 500);
const WARMUP = arg('warmup', 50);
const CONCURRENCY = [1, 4];
// Measurements are split in this many alternating blocks per target (see measure()).
const ROUNDS = 10;
const GOAL_IDLE_RSS_MB = 60;
const WITH_LOGS = process.argv.includes('--logs');

const children = [];
const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-bench-'));
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

function scrape(port, agent) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on('data', (d) => {
        bytes += d.length;
        chunks.push(d);
      });
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode} from :${port}`));
        else resolve({ ms, bytes, body: Buffer.concat(chunks).toString() });
      });
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('scrape timed out after 30 s')));
    req.on('error', reject);
  });
}

async function waitUp(port, child, name) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before serving`);
    try {
      await scrape(port, false);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name} did not serve /metrics within 30 s`);
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/** `clients` keep-alive clients, each scraping `n` times in a row; RSS sampled meanwhile. */
async function load(target, clients, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [];
  let peakRss = memory(target.pid).rss;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, memory(target.pid).rss);
    } catch {
      /* process gone: the scrape loop reports it */
    }
  }, 20);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < n; i++) latencies.push((await scrape(target.port, agent)).ms);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  agent.destroy();
  return { latencies, seconds, peakRss };
}

/**
 * Measures every target at `clients` concurrency in ROUNDS alternating blocks (A B, B A, ...), so
 * that both see the same background load on a shared machine; never both loaded at once.
 */
async function measure(targets, clients, n) {
  const acc = new Map(targets.map((t) => [t.name, { latencies: [], seconds: 0, peakRss: 0 }]));
  const perRound = Math.max(1, Math.ceil(n / ROUNDS));
  for (let round = 0, done = 0; done < n; round++, done += perRound) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const r = await load(t, clients, Math.min(perRound, n - done));
      const a = acc.get(t.name);
      a.latencies.push(...r.latencies);
      a.seconds += r.seconds;
      a.peakRss = Math.max(a.peakRss, r.peakRss);
    }
  }
  const out = {};
  for (const [name, a] of acc) {
    a.latencies.sort((x, y) => x - y);
    out[name] = {
      p50: quantile(a.latencies, 0.5),
      p99: quantile(a.latencies, 0.99),
      max: a.latencies[a.latencies.length - 1],
      rps: a.latencies.length / a.seconds,
      peakRss: a.peakRss,
    };
  }
  return out;
}

/** The flags of `npm start` (what is deployed); --node-flags="..." overrides them for experiments. */
function nodeFlags() {
  const override = process.argv.find((x) => x.startsWith('--node-flags='));
  if (override) return override.slice('--node-flags='.length).split(/\s+/).filter(Boolean);
  return deployedNodeFlags();
}

async function startHostwatch() {
  const main = join(ROOT, 'dist/main.js');
  if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` first (npm run bench does)');
  // Host collectors only: every registered collector that is not a host one is switched off.
  const { COLLECTORS } = await import(pathToFileURL(join(ROOT, 'dist/collectors/index.js')).href);
  const { HOST_COLLECTORS } = await import(pathToFileURL(join(ROOT, 'dist/collectors/host.js')).href);
  const host = new Set(HOST_COLLECTORS.map((c) => c.name));
  if (WITH_LOGS) host.add('logs');
  const flags = COLLECTORS.map((c) => (host.has(c.name) ? `--collector.${c.name}` : `--no-collector.${c.name}`));
  const port = await freePort();
  const config = WITH_LOGS ? logsConfig() : join(ROOT, 'hostwatch.yml');
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags(),
      main,
      `--config.file=${config}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--state.dir=${join(tmp, 'state')}`,
      '--log.level=warn',
      ...flags,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(child);
  await waitUp(port, child, 'hostwatch');
  return { name: 'hostwatch', port, pid: child.pid, child, collectors: [...host], flags: nodeFlags() };
}

/** --logs: a config with one access log in the temp dir, and a writer appending to it every 10 ms. */
function logsConfig() {
  const log = join(tmp, 'access.log');
  writeFileSync(log, '');
  const file = join(tmp, 'hostwatch-logs.yml');
  writeFileSync(file, `logs:\n  - name: web\n    type: access\n    path: ${JSON.stringify(log)}\n    format: combined\n`);
  let n = 0;
  const writer = setInterval(() => {
    let s = '';
    for (let i = 0; i < 20; i++, n++) {
      s += `10.0.${(n >> 8) & 255}.${n & 255} - - [23/Nov/2026:16:00:00 +0000] "GET /s${n % 7}/item/${n} HTTP/1.1" ${[200, 404, 500][n % 3]} ${n % 5000} "-" "bench/1.0"\n`;
    }
    appendFileSync(log, s);
  }, 10);
  writer.unref();
  return file;
}

async function startNodeExporter() {
  if (!existsSync(NODE_EXPORTER)) return undefined;
  const port = await freePort();
  const child = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(child);
  await waitUp(port, child, 'node_exporter');
  return { name: 'node_exporter', port, pid: child.pid, child };
}

/** An idle `node` with hostwatch's flags and no code: the floor under any Node.js exporter. */
async function bareNodeMemory(flags) {
  const child = spawn(process.execPath, [...flags, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => setTimeout(r, 1000));
  const m = memory(child.pid);
  child.kill('SIGTERM');
  return m;
}

const mb = (kb) => (kb / 1024).toFixed(1);
const pad = (s, n) => String(s).padEnd(n);
const ratio = (a, b) => (b ? (a / b).toFixed(2) : 'n/a');

/** Mean per-collector duration over a few scrapes, from hostwatch_collector_duration_seconds. */
async function collectorDurations(target) {
  const sums = new Map();
  const rounds = 20;
  for (let i = 0; i < rounds; i++) {
    const { body } = await scrape(target.port, false);
    for (const m of body.matchAll(/^hostwatch_collector_duration_seconds\{collector="([^"]+)"\} (\S+)$/gm)) {
      sums.set(m[1], (sums.get(m[1]) ?? 0) + Number(m[2]) / rounds);
    }
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
}

async function main() {
  const targets = [await startHostwatch()];
  const ne = await startNodeExporter();
  if (ne) targets.push(ne);
  else console.log(`note: ${NODE_EXPORTER} is not installed (apt-get install prometheus-node-exporter): hostwatch figures only`);

  const results = {};
  for (const t of targets) {
    const first = await scrape(t.port, false);
    t.bytes = first.bytes;
    t.samples = first.body.split('\n').filter((l) => l && !l.startsWith('#')).length;
    for (let i = 0; i < WARMUP; i++) await scrape(t.port, false);
    // Idle: after start-up and warm-up, nothing in flight.
    await new Promise((r) => setTimeout(r, 1000));
    t.idle = memory(t.pid);
    t.idleRss = t.idle.rss;
  }
  for (const c of CONCURRENCY) {
    const r = await measure(targets, c, SCRAPES);
    for (const t of targets) results[`${t.name}/${c}`] = r[t.name];
  }
  for (const t of targets) {
    t.end = memory(t.pid);
    t.hwm = t.end.hwm;
  }
  const durations = await collectorDurations(targets[0]);
  const floor = await bareNodeMemory(nodeFlags());

  console.log(
    `\nscrape benchmark: ${SCRAPES} scrapes per client after ${WARMUP} warm-up scrapes, keep-alive, 127.0.0.1, ${ROUNDS} alternating blocks`,
  );
  console.log(
    `load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${os.cpus().length} CPUs; figures are noisy when other work runs)`,
  );
  console.log(
    `hostwatch collectors: ${targets[0].collectors.join(',')}${WITH_LOGS ? ' (an access log written at ~2,000 lines/s all along)' : ''}`,
  );
  console.log(`hostwatch node flags: ${targets[0].flags.join(' ') || '(none)'}`);
  for (const t of targets) console.log(`${pad(t.name, 14)} payload ${(t.bytes / 1024).toFixed(1)} KiB, ${t.samples} samples`);
  console.log(
    `\n${pad('exporter', 14)}${pad('clients', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('scrapes/s', 11)}peak RSS MB`,
  );
  for (const c of CONCURRENCY) {
    for (const t of targets) {
      const r = results[`${t.name}/${c}`];
      console.log(
        `${pad(t.name, 14)}${pad(c, 9)}${pad(r.p50.toFixed(2), 9)}${pad(r.p99.toFixed(2), 9)}${pad(r.max.toFixed(2), 9)}${pad(r.rps.toFixed(0), 11)}${mb(r.peakRss)}`,
      );
    }
  }
  // RssAnon is private memory, RssFile mostly the executable's own pages (shared, reclaimable).
  console.log(`\n${pad('exporter', 14)}${pad('idle VmRSS MB', 15)}${pad('RssAnon', 9)}${pad('RssFile', 9)}peak RSS MB (VmHWM)`);
  for (const t of targets)
    console.log(`${pad(t.name, 14)}${pad(mb(t.idleRss), 15)}${pad(mb(t.idle.anon), 9)}${pad(mb(t.idle.file), 9)}${mb(t.hwm)}`);
  console.log(
    `${pad('bare node', 14)}${pad(mb(floor.rss), 15)}${pad(mb(floor.anon), 9)}${pad(mb(floor.file), 9)}(floor: an idle \`node\` with the same flags and no code)`,
  );

  console.log('\nhostwatch mean collector time per scrape (ms):');
  console.log('  ' + durations.map(([n, s]) => `${n} ${(s * 1000).toFixed(2)}`).join(', '));

  const hw = targets[0];
  const summary = [];
  if (ne) {
    console.log('\nratios hostwatch / node_exporter (below 1: hostwatch is faster or smaller):');
    for (const c of CONCURRENCY) {
      const a = results[`hostwatch/${c}`];
      const b = results[`node_exporter/${c}`];
      const line = `${c} client(s): p50 ${ratio(a.p50, b.p50)}, p99 ${ratio(a.p99, b.p99)} -> goal p99 no worse: ${a.p99 <= b.p99 ? 'met' : 'MISSED'}`;
      console.log(`  ${line}`);
      summary.push(
        `scrape p99 @${c}${WITH_LOGS ? ' with a log written' : ''}: hostwatch ${a.p99.toFixed(2)} ms vs node_exporter ${b.p99.toFixed(2)} ms (ratio ${ratio(a.p99, b.p99)})`,
      );
    }
    console.log(`  idle RSS ${ratio(hw.idleRss, ne.idleRss)}, peak RSS ${ratio(hw.hwm, ne.hwm)}`);
  } else {
    for (const c of CONCURRENCY)
      summary.push(`scrape p99 @${c}: hostwatch ${results[`hostwatch/${c}`].p99.toFixed(2)} ms (no node_exporter to compare)`);
  }
  const rssOk = hw.idleRss / 1024 <= GOAL_IDLE_RSS_MB;
  console.log(`  goal idle RSS <= ${GOAL_IDLE_RSS_MB} MB: ${rssOk ? 'met' : 'MISSED'} (${mb(hw.idleRss)} MB)`);
  summary.push(
    `idle RSS: hostwatch ${formatMemory(hw.idle)}${ne ? ` vs node_exporter ${formatMemory(ne.idle)}` : ''} (goal <= ${GOAL_IDLE_RSS_MB} MB: ${rssOk ? 'met' : 'MISSED'})`,
  );
  // Lines for bench/run.mjs's summary.
  for (const s of summary) console.log(`summary: ${s}`);
}

main()
  .catch((err) => {
    console.error(`bench/scrape: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(cleanup);
