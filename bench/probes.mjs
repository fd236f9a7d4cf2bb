#!/usr/bin/env node
// Probe benchmark: what 200 probes at a 1 s interval cost the exporter, in CPU and memory. Local
// servers in this process (HTTP, a TCP banner server, a DNS server over UDP) are the targets: 90 http,
// 50 tcp (connect + expect the banner), 50 dns and 10 icmp (the system ping) probes of 127.0.0.1.
// Measured over the same window, side by side:
//   - hostwatch with the 200 probes (built dist/main.js, the deployed Node flags);
//   - the anchor: the same hostwatch without probes (what the probes add is the difference);
//   - when installed (Debian prometheus-blackbox-exporter), blackbox_exporter doing the same 200
//     probes per second, driven by this process as Prometheus would (one /probe request per target
//     and second, keep-alive).
// CPU is utime+stime of each process from /proc/<pid>/stat; memory is RSS from /proc/<pid>/status.
// The servers' and the driver's CPU is this process's and is not counted. Only 127.0.0.1 is used.
//
//   node bench/probes.mjs [--seconds=20] [--warmup=5]
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import { freePort } from './free-port.mjs';
import { deployedNodeFlags, formatMemory, memory, peakSampler } from './proc-memory.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const arg = (name, def) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const SECONDS = arg('seconds', 20);
const WARMUP = arg('warmup', 5);
const MIX = { http: 90, tcp: 50, dns: 50, icmp: 10 };
const CLK_TCK = 100; // USER_HZ on Linux

const children = [];
const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-bench-probes-'));
const closers = [];
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGTERM');
    // An exporter that does not stop within its 5 s shutdown deadline is killed: a benchmark
    // never leaves a process behind.
    setTimeout(() => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'), 6000).unref();
  }
  for (const close of closers) {
    try {
      close();
    } catch {
      // already closed
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}
let cleaned = false;
process.on('exit', () => {
  cleanup();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.on(signal, () => {
    cleanup();
    process.exit(code);
  });
}

// ---- targets ---------------------------------------------------------------------------------

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

async function startTargets() {
  const web = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n'));
  const banner = net.createServer((s) => {
    s.on('error', () => {});
    s.end('220 ready\r\n');
  });
  const dns = dgram.createSocket('udp4');
  dns.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const res = {
      type: 'response',
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: q.questions,
      answers: [{ type: 'A', name: q.questions[0].name, ttl: 300, class: 'IN', data: '192.0.2.10' }],
    };
    dns.send(dnsPacket.encode(res), rinfo.port, rinfo.address);
  });
  const [httpPort, tcpPort] = await Promise.all([listen(web), listen(banner)]);
  const dnsPort = await new Promise((resolve) => dns.bind(0, '127.0.0.1', () => resolve(dns.address().port)));
  closers.push(
    () => web.close(),
    () => banner.close(),
    () => dns.close(),
  );
  return { httpPort, tcpPort, dnsPort };
}

/** The 200 probes: [type, target] pairs. */
function probeList(t) {
  const out = [];
  for (let i = 0; i < MIX.http; i++) out.push(['http', `http://127.0.0.1:${t.httpPort}/health/${i}`]);
  for (let i = 0; i < MIX.tcp; i++) out.push(['tcp', `127.0.0.1:${t.tcpPort}`]);
  for (let i = 0; i < MIX.dns; i++) out.push(['dns', `127.0.0.1:${t.dnsPort}`]);
  for (let i = 0; i < MIX.icmp; i++) out.push(['icmp', '127.0.0.1']);
  return out;
}

// ---- processes -------------------------------------------------------------------------------

function hostwatchConfig(probes) {
  const targets = probes.map(([type, target], i) => {
    const p = { name: `p${i}`, type, target, interval: '1s' };
    if (type === 'tcp') p.tcp = { query_response: [{ expect: '^220' }] };
    if (type === 'dns') p.dns = { query_name: 'www.example.test' };
    return p;
  });
  // No log, no FIM, no inventory: the exporter's idle work and the probes only.
  return JSON.stringify({ host: { updates: { enabled: false } }, logs: [], probes: { targets } });
}

async function startHostwatch(name, probes) {
  const port = await freePort();
  const file = join(tmp, `${name}.yml`);
  writeFileSync(file, hostwatchConfig(probes));
  const main = join(ROOT, 'dist/main.js');
  if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` first (npm run bench does)');
  const child = spawn(
    process.execPath,
    [
      ...deployedNodeFlags(),
      main,
      `--config.file=${file}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--state.dir=${join(tmp, name)}`,
      '--log.level=error',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(child);
  await waitReady(`http://127.0.0.1:${port}/-/ready`);
  return { name, pid: child.pid, port };
}

async function startBlackbox(t) {
  if (!existsSync(BLACKBOX)) return undefined;
  const port = await freePort();
  const file = join(tmp, 'blackbox.yml');
  writeFileSync(
    file,
    JSON.stringify({
      modules: {
        http: { prober: 'http', timeout: '1s', http: { preferred_ip_protocol: 'ip4' } },
        tcp: { prober: 'tcp', timeout: '1s', tcp: { preferred_ip_protocol: 'ip4', query_response: [{ expect: '^220' }] } },
        dns: {
          prober: 'dns',
          timeout: '1s',
          dns: { preferred_ip_protocol: 'ip4', query_name: 'www.example.test', transport_protocol: 'udp' },
        },
        icmp: { prober: 'icmp', timeout: '1s', icmp: { preferred_ip_protocol: 'ip4' } },
      },
    }),
  );
  const child = spawn(BLACKBOX, [`--config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  await waitReady(`http://127.0.0.1:${port}/-/healthy`);
  return { name: 'blackbox_exporter', pid: child.pid, port, targets: t };
}

async function waitReady(url) {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((resolve) =>
      http.get(url, (res) => resolve(res.statusCode === 200) & res.resume()).on('error', () => resolve(false)),
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after 30 s`);
}

/** Drives blackbox_exporter as Prometheus would: each target's /probe once a second, staggered. */
function driveBlackbox(bb, probes) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const stats = { done: 0, ok: 0 };
  const timers = probes.map(([type, target], i) =>
    setTimeout(
      () => {
        const tick = () => {
          const path = `/probe?module=${type}&target=${encodeURIComponent(target)}`;
          http
            .get({ host: '127.0.0.1', port: bb.port, path, agent }, (res) => {
              let body = '';
              res.on('data', (d) => (body += d));
              res.on('end', () => {
                stats.done++;
                if (/^probe_success 1$/m.test(body)) stats.ok++;
              });
            })
            .on('error', () => stats.done++);
        };
        tick();
        timers[i] = setInterval(tick, 1000);
      },
      Math.floor((1000 * i) / probes.length),
    ),
  );
  return { stats, stop: () => (timers.forEach((t) => clearInterval(t) || clearTimeout(t)), agent.destroy()) };
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the command).
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** hostwatch's successful probe runs and current successes, from its /metrics. */
function probeCounts(port) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          let runs = 0;
          let up = 0;
          for (const m of body.matchAll(/^hostwatch_probe_total_duration_seconds_count\{[^}]*\} (\d+)$/gm)) runs += Number(m[1]);
          for (const m of body.matchAll(/^hostwatch_probe_success\{[^}]*\} (\d)$/gm)) up += Number(m[1]);
          resolve({ runs, up });
        });
      })
      .on('error', reject)
      .setTimeout(30_000, function () {
        this.destroy(new Error('/metrics took more than 30 s'));
      });
  });
}

// ---- run -------------------------------------------------------------------------------------

/** CPU share (of one core) of each process over `seconds`, with RSS at the end and its peak. */
async function measure(procs, seconds, counted) {
  const samplers = procs.map((p) => peakSampler(p.pid, 100));
  const cpu0 = procs.map((p) => cpuSeconds(p.pid));
  const counts0 = counted ? await probeCounts(counted.port) : undefined;
  const wall0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
  const cpu1 = procs.map((p) => cpuSeconds(p.pid));
  const counts1 = counted ? await probeCounts(counted.port) : undefined;
  return {
    wall,
    share: procs.map((_, i) => (cpu1[i] - cpu0[i]) / wall),
    peaks: samplers.map((s) => s.stop()),
    now: procs.map((p) => memory(p.pid)),
    runs: counted ? (counts1.runs - counts0.runs) / wall : 0,
    up: counts1?.up,
  };
}

const stopChild = (p) => children.find((c) => c.pid === p.pid)?.kill('SIGTERM');

const targets = await startTargets();
const probes = probeList(targets);
console.log(
  `${probes.length} probes at 1 s (${Object.entries(MIX)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ')}); warm-up ${WARMUP} s, measured ${SECONDS} s; machine shared: compare ratios, not absolutes`,
);

// 1. The mix, against the same exporter without probes and against blackbox_exporter.
const withProbes = await startHostwatch('hostwatch-200-probes', probes);
const anchor = await startHostwatch('hostwatch-no-probes', []);
const bb = await startBlackbox(targets);
const driver = bb ? driveBlackbox(bb, probes) : undefined;
const procs = [withProbes, anchor, ...(bb ? [bb] : [])];
await new Promise((r) => setTimeout(r, WARMUP * 1000));
const bb0 = driver ? { ...driver.stats } : undefined;
const m = await measure(procs, SECONDS, withProbes);
const bb1 = driver ? { ...driver.stats } : undefined;
driver?.stop();
procs.forEach(stopChild);

for (const [i, p] of procs.entries()) {
  console.log(
    `${p.name}: CPU ${(m.share[i] * 100).toFixed(1)}% of one core, RSS ${formatMemory(m.now[i])}, peak ${formatMemory(m.peaks[i])}`,
  );
}
console.log(
  `hostwatch: ${m.runs.toFixed(1)} successful probe runs/s (configured: ${probes.length}/s; below that, the process did not get the CPU), ${m.up}/${probes.length} probes up at the end`,
);
const added = m.share[0] - m.share[1];
const addedMb = (m.now[0].rss - m.now[1].rss) / 1024;
console.log(
  `summary: 200 probes at 1 s: +${(added * 100).toFixed(1)}% of one core (${((added * 1000) / m.runs).toFixed(2)} ms CPU per probe run), ` +
    `+${addedMb.toFixed(1)} MB RSS over the same exporter without probes (anchor: ${(m.share[1] * 100).toFixed(1)}% CPU, ${(m.now[1].rss / 1024).toFixed(1)} MB)`,
);
if (bb) {
  const bbRuns = (bb1.done - bb0.done) / m.wall;
  console.log(`blackbox_exporter: ${bbRuns.toFixed(1)} probes/s driven, ${bb1.ok - bb0.ok} successful in the window`);
  console.log(
    `summary: blackbox_exporter, same probes: ${(m.share[2] * 100).toFixed(1)}% of one core for ${bbRuns.toFixed(0)} probes/s (${((m.share[2] * 1000) / bbRuns).toFixed(2)} ms per probe), ${(m.now[2].rss / 1024).toFixed(1)} MB RSS`,
  );
} else {
  console.log(`summary: blackbox_exporter not installed (${BLACKBOX}): apt-get install prometheus-blackbox-exporter for the comparison`);
}

// 2. Each type alone (50 probes at 1 s): CPU per run, since types differ (icmp starts a process per run).
const perType = [];
for (const type of Object.keys(MIX)) {
  const only = probeList(targets).filter(([t]) => t === type);
  const list = Array.from({ length: 50 }, (_, i) => only[i % only.length]);
  const hw = await startHostwatch(`hostwatch-50-${type}`, list);
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  const t = await measure([hw], Math.max(5, SECONDS / 2), hw);
  stopChild(hw);
  perType.push(`${type} ${((Math.max(0, t.share[0] - m.share[1]) * 1000) / t.runs).toFixed(2)} ms (${t.runs.toFixed(0)} runs/s)`);
}
console.log(`summary: CPU per probe run by type (50 probes at 1 s, the anchor's idle CPU taken off): ${perType.join(', ')}`);
cleanup();
// Keep-alive sockets and samplers would keep the loop alive: wait for the exporters to stop, then exit.
await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
process.exit(0);
