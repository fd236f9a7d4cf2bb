#!/usr/bin/env node
// Floods through the live exporter: logs where every line carries a value never seen before
// (1,000,000 distinct paths, methods, status codes and user names in an access log; distinct
// source addresses, user names and sshd connections in an auth log; distinct sources and every
// destination port in a firewall log; distinct values of a pattern rule's label). The built
// exporter (dist/, the flags of `npm start`) reads each log from the beginning; the benchmark
// scrapes until every line is counted, then prints, per log type, the series of the scrape, the
// peak RSS (VmHWM, with the anon/file split at the highest sample), the lines per second and the
// checkpoint size.
// The anchor, in the same run: the same exporter on the same config with empty logs (idle RSS).
// Goals: series bounded (top-K plus __other__, whatever the number of distinct values), peak RSS
// <= 80 MB. Prints figures; asserts nothing (the machine may be busy).
//   node bench/floods.mjs            (after `npm run build`; BENCH_FLOOD_LINES, BENCH_FLOOD_TYPES=auth,firewall)
// Where the memory goes: BENCH_FLOOD_NODE_FLAGS='--trace-gc' (or --trace-gc-nvp, --trace-gc-verbose)
// with BENCH_FLOOD_OUTPUT=<file> for the exporter's output; docs/benchmarks.md has the method.
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployedNodeFlags, formatMemory, peakSampler, tryMemory } from './proc-memory.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'dist/main.js');
const N = Number(process.env.BENCH_FLOOD_LINES ?? 1_000_000);
const GOAL_RSS_MB = 80;
/** For finding where memory goes: extra node flags (e.g. --trace-gc) and a file that gets each exporter's stdout and stderr. */
const EXTRA_NODE_FLAGS = (process.env.BENCH_FLOOD_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
const OUTPUT_FILE = process.env.BENCH_FLOOD_OUTPUT;

/** Distinct IPv4 for i < 2^24, and an IPv6 address for one line in eight. */
const addr = (i) =>
  i % 8 === 7
    ? `2001:db8:${(i >>> 16).toString(16)}::${(i & 0xffff).toString(16)}`
    : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
const BASE = Date.now() - 6 * 3600_000;
/** A second of event time per 1,000 lines (so windows see bursts of about 1,000 sources/s). */
const iso = (i) => new Date(BASE + Math.floor(i / 1000) * 1000).toISOString();

const FLOODS = {
  access: {
    entry: (file) => ({ type: 'access', format: 'combined', path: file }),
    line: (i) =>
      `${addr(i)} - user${i} [${clf(i)}] "${i % 3 === 0 ? `M${i}` : 'GET'} /p${i}/x${i}?q=${i} HTTP/1.1" ${100 + (i % 900)} ${i} "-" "agent ${i}"`,
  },
  auth: {
    entry: (file) => ({ type: 'auth', path: file }),
    line: (i) => {
      const pid = 1000 + (i % 4_000_000);
      const head = `${iso(i)} host sshd[${pid}]: `;
      switch (i % 5) {
        case 0:
          return `${head}Failed password for user${i} from ${addr(i)} port ${1024 + (i % 60000)} ssh2`;
        case 1:
          return `${head}Invalid user u${i} from ${addr(i)} port ${1024 + (i % 60000)}`;
        case 2:
          return `${head}Failed password for invalid user u${i} from ${addr(i)} port ${1024 + (i % 60000)} ssh2`;
        case 3:
          return `${iso(i)} host sudo:    user${i} : TTY=pts/0 ; PWD=/home ; USER=root ; COMMAND=/usr/bin/id ${i}`;
        default:
          return `${head}Connection closed by invalid user u${i} ${addr(i)} port ${1024 + (i % 60000)} [preauth]`;
      }
    },
  },
  firewall: {
    entry: (file) => ({ type: 'firewall', path: file }),
    line: (i) =>
      `${iso(i)} host kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=${addr(i)} DST=192.0.2.10 LEN=60 ` +
      `TOS=0x00 PREC=0x00 TTL=52 ID=${i & 0xffff} DF PROTO=${i % 4 === 3 ? 'UDP' : 'TCP'} SPT=${1024 + (i % 60000)} DPT=${1 + (i % 65535)} WINDOW=64240 RES=0x00 SYN URGP=0`,
  },
  pattern: {
    entry: (file) => ({
      type: 'pattern',
      path: file,
      rules: [{ name: 'login_failed', regex: 'login failed user=(?P<user>\\S+) from=(?P<source>\\S+)', labels: ['user', 'source'] }],
    }),
    line: (i) => `${iso(i)} host app[1]: login failed user=u${i} from=${addr(i)}`,
  },
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function clf(i) {
  const d = new Date(BASE + Math.floor(i / 1000) * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

async function writeLog(file, line) {
  const out = createWriteStream(file);
  let buf = '';
  for (let i = 0; i < N; i++) {
    buf += line(i) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise((r) => out.once('finish', r));
}

function collectorFlags() {
  const help = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' }).stdout;
  return [...help.matchAll(/--no-collector\.([a-z_]+)/g)]
    .map((m) => m[1])
    .filter((n) => n !== 'logs')
    .map((n) => `--no-collector.${n}`);
}

function writeConfig(file, logs) {
  // JSON is YAML.
  writeFileSync(file, JSON.stringify({ logs: logs.map((l) => ({ start_position: 'beginning', ...l })) }, null, 1));
}

async function startExporter(config, stateDir) {
  const child = spawn(
    process.execPath,
    [
      ...deployedNodeFlags(),
      ...EXTRA_NODE_FLAGS,
      MAIN,
      `--config.file=${config}`,
      `--state.dir=${stateDir}`,
      '--web.listen-address=127.0.0.1:0',
      '--collector.logs',
      ...collectorFlags(),
    ],
    { stdio: ['ignore', OUTPUT_FILE ? 'pipe' : 'ignore', 'pipe'] },
  );
  child.stdout?.on('data', (d) => appendFileSync(OUTPUT_FILE, d));
  let stderr = '';
  const port = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      if (OUTPUT_FILE) appendFileSync(OUTPUT_FILE, d);
      stderr += d;
      if (stderr.length > 1 << 16) stderr = stderr.slice(-(1 << 15));
      const m = /hostwatch listening"? address=\S*:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`hostwatch exited ${code}:\n${stderr}`)));
  });
  const stop = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { child, port, stop };
}

async function scrape(port) {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** Series per family in a scrape (families of the logs collector only). */
function seriesOf(text) {
  const families = new Map();
  let lines = 0;
  for (const l of text.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const name = l.slice(0, l.search(/[{ ]/));
    if (name.startsWith('hostwatch_log_lines_total')) lines += Number(l.slice(l.lastIndexOf(' ') + 1));
    if (!/^hostwatch_(log_|checkpoint_|http_|auth_|firewall_|portscan_|pattern_)/.test(name)) continue;
    families.set(name, (families.get(name) ?? 0) + 1);
  }
  return { families, lines };
}

const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
/** Lines per second from the moment the exporter listened to the scrape that showed every line (start-up excluded). */
const rate = (r) => Math.round(N / r.ingestSeconds).toLocaleString('en-US');

async function runFlood(work, type) {
  const file = path.join(work, `${type}.log`);
  const t0 = Date.now();
  await writeLog(file, FLOODS[type].line);
  const genSeconds = (Date.now() - t0) / 1000;
  const config = path.join(work, `${type}.yml`);
  writeConfig(config, [{ name: type, ...FLOODS[type].entry(file) }]);
  const stateDir = path.join(work, `state-${type}`);
  const started = Date.now();
  const ex = await startExporter(config, stateDir);
  const listening = Date.now();
  const sampler = peakSampler(ex.child.pid, 20);
  let last;
  let peak;
  let hwm;
  let ingestSeconds;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      last = seriesOf(await scrape(ex.port));
      if (last.lines >= N) {
        ingestSeconds = (Date.now() - listening) / 1000;
        break;
      }
      if (Date.now() - started > 900_000) throw new Error(`${type}: only ${last.lines} of ${N} lines after 900 s`);
    }
  } finally {
    peak = sampler.stop();
    hwm = tryMemory(ex.child.pid)?.hwm ?? NaN;
    await ex.stop();
  }
  const cpDir = path.join(stateDir, 'checkpoints');
  const cpBytes = existsSync(cpDir)
    ? readdirSync(cpDir)
        .filter((f) => f.endsWith('.json'))
        .reduce((s, f) => s + statSync(path.join(cpDir, f)).size, 0)
    : 0;
  rmSync(file, { force: true });
  const series = [...last.families.values()].reduce((a, b) => a + b, 0);
  return { type, seconds: (Date.now() - started) / 1000, genSeconds, ingestSeconds, series, families: last.families, hwm, peak, cpBytes };
}

async function idleAnchor(work) {
  const logs = Object.entries(FLOODS).map(([type, f]) => {
    const file = path.join(work, `idle-${type}.log`);
    writeFileSync(file, '');
    return { name: type, ...f.entry(file) };
  });
  const config = path.join(work, 'idle.yml');
  writeConfig(config, logs);
  const ex = await startExporter(config, path.join(work, 'state-idle'));
  try {
    await scrape(ex.port);
    await new Promise((r) => setTimeout(r, 1000));
    await scrape(ex.port);
    return tryMemory(ex.child.pid);
  } finally {
    await ex.stop();
  }
}

if (!existsSync(MAIN)) {
  process.stderr.write('bench/floods: dist/main.js missing: run `npm run build` first\n');
  process.exit(1);
}
const types = (process.env.BENCH_FLOOD_TYPES ?? Object.keys(FLOODS).join(',')).split(',').filter((t) => FLOODS[t]);
const work = mkdtempSync(path.join(tmpdir(), 'hostwatch-bench-floods-'));
mkdirSync(work, { recursive: true });
try {
  const idle = await idleAnchor(work);
  console.log(`anchor: the same exporter with the four logs empty: RSS ${formatMemory(idle)}`);
  const results = [];
  for (const type of types) {
    const r = await runFlood(work, type);
    results.push(r);
    const fam = [...r.families].map(([n, k]) => `${n.replace(/^hostwatch_/, '')} ${k}`).join(', ');
    console.log(
      `${type}: ${N.toLocaleString('en-US')} lines of distinct values in ${r.seconds.toFixed(1)} s (log written in ${r.genSeconds.toFixed(1)} s), ` +
        `${rate(r)} lines/s once listening; series ${r.series} (${fam}); peak RSS ${mb(r.hwm)} (VmHWM; highest sampled ${formatMemory(r.peak)}), ` +
        `${(r.hwm / idle.rss).toFixed(2)}x the idle anchor, anon +${mb(r.peak.anon - idle.anon)} over it; checkpoint ${(r.cpBytes / 1024).toFixed(1)} KiB`,
    );
  }
  const worst = results.reduce((a, b) => (b.hwm > a.hwm ? b : a), results[0]);
  console.log(
    `summary: floods of ${N.toLocaleString('en-US')} distinct values: ` +
      results
        .map(
          (r) =>
            `${r.type} ${r.series} series, peak ${mb(r.hwm)} (anon ${mb(r.peak.anon)} + file ${mb(r.peak.file)}), ${rate(r)} lines/s, ` +
            `checkpoint ${(r.cpBytes / 1024).toFixed(0)} KiB`,
        )
        .join('; ') +
      `; idle anchor ${mb(idle.rss)}; goal peak RSS <= ${GOAL_RSS_MB} MB: ${worst.hwm <= GOAL_RSS_MB * 1024 ? 'met' : `NOT met (${worst.type})`}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
