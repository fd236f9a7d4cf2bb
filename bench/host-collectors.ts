// Per-collector cost of the host collectors: each collector's update() + render, measured in
// process on this machine's real /proc and /sys, against the time Debian's prometheus-node-exporter
// reports for its own collector of the same name (node_scrape_collector_duration_seconds, read from
// scrapes of a node_exporter started in the same run on a free loopback port). Prints figures and
// ratios; it is a benchmark, not a test. Only 127.0.0.1 is contacted; every loop is bounded.
//
//   npx tsx bench/host-collectors.ts [--iterations=300]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { HOST_COLLECTORS } from '../src/collectors/host.js';
import { loadCollectors } from '../src/collectors/index.js';
import { parseConfig } from '../src/config/load.js';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { createCollectors, Runner } from '../src/exporter/runner.js';
import { renderFamilies } from '../src/exporter/exposition.js';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const iterArg = process.argv.find((a) => a.startsWith('--iterations='));
const N = iterArg ? Number(iterArg.split('=')[1]) : 300;
const WARMUP = 30;

/** node_exporter's collector for each hostwatch collector (time and uptime: node's "time" + "stat"). */
const NODE_NAME: Record<string, string | undefined> = {
  cpu: 'cpu',
  stat: 'stat',
  loadavg: 'loadavg',
  pressure: 'pressure',
  meminfo: 'meminfo',
  diskstats: 'diskstats',
  filesystem: 'filesystem',
  netdev: 'netdev',
  processes: 'processes',
  filefd: 'filefd',
  time: 'time',
  os: 'os',
};

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));

async function hostwatchFigures(): Promise<{ perCollector: Map<string, number[]>; scrape: number[] }> {
  const config = parseConfig({ host: { updates: { enabled: false } } });
  const cs = createCollectors(await loadCollectors(HOST_COLLECTORS), {
    config,
    stateDir: tmpdir(),
    logger: silentLogger,
    clock: systemClock,
  });
  const perCollector = new Map<string, number[]>();
  for (const c of cs) {
    for (let i = 0; i < WARMUP; i++) {
      await c.collector.update();
      await c.registry.metrics();
    }
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await c.collector.update();
      await c.registry.metrics();
      times.push(performance.now() - t);
    }
    perCollector.set(
      c.name,
      times.sort((a, b) => a - b),
    );
  }
  const runner = new Runner(cs, silentLogger, 5000);
  for (let i = 0; i < WARMUP; i++) renderFamilies(await runner.collect(), 'text');
  const scrape: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    renderFamilies(await runner.collect(), 'text');
    scrape.push(performance.now() - t);
  }
  return { perCollector, scrape: scrape.sort((a, b) => a - b) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function nodeExporterFigures(): Promise<Map<string, number[]> | undefined> {
  if (!existsSync(NODE_EXPORTER)) return undefined;
  const port = await freePort();
  const names = [...new Set(Object.values(NODE_NAME).filter((n): n is string => Boolean(n)))];
  const child: ChildProcess = spawn(
    NODE_EXPORTER,
    [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', ...names.map((n) => `--collector.${n}`)],
    { stdio: 'ignore' },
  );
  try {
    const url = `http://127.0.0.1:${port}/metrics`;
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(url)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const out = new Map<string, number[]>();
    const line = /^node_scrape_collector_duration_seconds\{collector="([^"]+)"\} (\S+)$/gm;
    for (let i = 0; i < WARMUP + N; i++) {
      const text = await (await fetch(url)).text();
      if (i < WARMUP) continue;
      for (const m of text.matchAll(line)) {
        const list = out.get(m[1]) ?? [];
        list.push(Number(m[2]) * 1000);
        out.set(m[1], list);
      }
    }
    for (const l of out.values()) l.sort((a, b) => a - b);
    return out;
  } finally {
    child.kill('SIGTERM');
  }
}

const hw = await hostwatchFigures();
const ne = await nodeExporterFigures();
console.log(
  `host collectors, ${N} iterations each (ms; hostwatch: update + render in process; node_exporter: its own per-collector duration)`,
);
console.log(['collector', 'hw p50', 'hw p99', 'ne p50', 'ne p99', 'p99 ratio hw/ne'].map((h) => h.padStart(12)).join(''));
for (const [name, times] of hw.perCollector) {
  const n = NODE_NAME[name] ? ne?.get(NODE_NAME[name]!) : undefined;
  const ratio = n ? (pct(times, 99) / pct(n, 99)).toFixed(2) : '-';
  console.log(
    [name, ms(pct(times, 50)), ms(pct(times, 99)), ms(n && pct(n, 50)), ms(n && pct(n, 99)), ratio]
      .map((v) => String(v).padStart(12))
      .join(''),
  );
}
console.log(
  `whole hostwatch host scrape in process (all collectors concurrently, render included): p50 ${ms(pct(hw.scrape, 50))} ms, p99 ${ms(pct(hw.scrape, 99))} ms`,
);
if (!ne) console.log(`(${NODE_EXPORTER} not installed: no comparison; apt-get install prometheus-node-exporter)`);
