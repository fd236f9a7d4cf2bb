#!/usr/bin/env node
// What one host costs a Prometheus: series and bytes per scrape of the built exporter (dist/), measured,
// for docs/scaling.md. Two runs:
//   shipped  the shipped hostwatch.yml on this machine as it is (whatever logs it has);
//   busy     the same config pointed at synthetic logs (../shared/genlogs.py: access, auth, ufw) that
//            fill every bounded label (sections, top ports, sources, users) as a busy, attacked web host would;
// then a Prometheus agent (prometheus/agent/prometheus-agent.yml, 5 s scrapes) remote-writes the busy
// exporter's series to a receiver for a minute: bytes per sample on the wire.
// Prints figures only (`summary:` lines). Run after `npm run build`: node bench/series.mjs
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { GENLOGS_CANDIDATES } from './genlogs.mjs';
import { deployedNodeFlags } from './proc-memory.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// shared/ sits beside the checkout (CI, /work/main); a worktree under /work/wt is one level deeper.
const GENLOGS = GENLOGS_CANDIDATES.find((p) => existsSync(p));
const AGENT_SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 60);
const tmp = mkdtempSync(path.join(tmpdir(), 'hostwatch-series-'));
const children = [];

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(port, p, gzip = false) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), encoding: res.headers['content-encoding'] }));
      })
      .on('error', reject);
  });
}

async function waitFor(fn, seconds, what) {
  for (let i = 0; i < seconds * 10; i++) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${seconds} s`);
}

/** Starts the exporter with a config; resolves to its port once it serves /metrics. */
async function exporter(name, configText) {
  const port = await freePort();
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'hostwatch.yml'), configText);
  const child = spawn(
    process.execPath,
    [
      ...deployedNodeFlags(),
      path.join(ROOT, 'dist/main.js'),
      `--config.file=${path.join(dir, 'hostwatch.yml')}`,
      `--state.dir=${path.join(dir, 'state')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=error',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(child);
  await waitFor(async () => (await get(port, '/-/ready')).status === 200, 60, `${name} exporter ready`);
  return port;
}

/** Series, families and bytes of one scrape; series per metric-name prefix for the breakdown. */
async function measure(port) {
  const plain = await get(port, '/metrics');
  const text = plain.body.toString();
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const byGroup = new Map();
  for (const l of lines) {
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)[0];
    const group = name.startsWith('hostwatch_') ? name.split('_').slice(0, 2).join('_') : name.split('_')[0];
    byGroup.set(group, (byGroup.get(group) ?? 0) + 1);
  }
  const gz = await get(port, '/metrics', true);
  const gzBytes = gz.encoding === 'gzip' ? gz.body.length : gzipSync(plain.body).length;
  return {
    series: lines.length,
    families: (text.match(/^# TYPE /gm) ?? []).length,
    bytes: plain.body.length,
    gzBytes,
    served: gz.encoding ?? 'identity',
    groups: [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, 8),
    text,
  };
}

const sample = (text, series) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.slice(series.length + 1) ?? NaN,
  );

function print(name, m) {
  console.log(
    `${name}: ${m.series} series in ${m.families} families; ${m.bytes} bytes per scrape (${m.gzBytes} gzip${m.served === 'gzip' ? '' : ', computed: the exporter served identity'})`,
  );
  console.log(`  largest groups: ${m.groups.map(([g, n]) => `${g} ${n}`).join(', ')}`);
  console.log(
    `summary: ${name}: ${m.series} series/host, ${(m.bytes / 1024).toFixed(1)} KiB per scrape (${(m.gzBytes / 1024).toFixed(1)} KiB gzip)`,
  );
}

async function main() {
  const shippedText = readFileSync(path.join(ROOT, 'hostwatch.yml'), 'utf8');
  const shippedPort = await exporter('shipped', shippedText);
  await new Promise((r) => setTimeout(r, 3000)); // first scans and checks
  await measure(shippedPort);
  print('shipped config on this machine', await measure(shippedPort));

  // Busy host: the shipped config, its logs replaced by synthetic ones read from the start.
  if (!GENLOGS) throw new Error(`genlogs.py not found (looked at ${GENLOGS_CANDIDATES.join(', ')})`);
  const logs = path.join(tmp, 'logs');
  mkdirSync(logs);
  const volumes = { access: 300_000, auth: 100_000, ufw: 100_000 };
  for (const [kind, n] of Object.entries(volumes)) {
    const r = spawnSync('python3', [GENLOGS, kind, String(n), path.join(logs, `${kind}.log`)], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`genlogs.py ${kind} failed`);
  }
  const config = parse(shippedText);
  const paths = { access: 'access.log', auth: 'auth.log', firewall: 'ufw.log' };
  config.logs = config.logs
    .filter((l) => paths[l.type] && (l.type !== 'access' || l.name === 'nginx'))
    .map((l) => ({ ...l, path: path.join(logs, paths[l.type]), start_position: 'beginning' }));
  const busyPort = await exporter('busy', stringify(config));
  const total = volumes.access + volumes.auth + volumes.ufw;
  await waitFor(
    async () => {
      const text = (await get(busyPort, '/metrics')).body.toString();
      const read = ['nginx', 'auth', 'firewall']
        .flatMap((log) =>
          ['parsed', 'unparsed', 'truncated'].map(
            (result) => sample(text, `hostwatch_log_lines_total{log="${log}",result="${result}"}`) || 0,
          ),
        )
        .reduce((a, b) => a + b, 0);
      return read >= total;
    },
    300,
    'busy exporter reading the synthetic logs',
  );
  const busy = await measure(busyPort);
  print('busy web host (synthetic logs: every bounded label filled)', busy);

  // Remote write: the agent config as shipped, pointed at the busy exporter and a local receiver.
  const [receiverPort, agentPort] = [await freePort(), await freePort()];
  writeFileSync(path.join(tmp, 'receiver.yml'), 'global: {}\n');
  children.push(
    spawn(
      'prometheus',
      [
        `--config.file=${path.join(tmp, 'receiver.yml')}`,
        `--storage.tsdb.path=${path.join(tmp, 'receiver')}`,
        `--web.listen-address=127.0.0.1:${receiverPort}`,
        '--web.enable-remote-write-receiver',
      ],
      { stdio: 'ignore' },
    ),
  );
  const agent = parse(readFileSync(path.join(ROOT, 'prometheus/agent/prometheus-agent.yml'), 'utf8'));
  agent.global.scrape_interval = '5s';
  agent.global.scrape_timeout = '5s';
  agent.scrape_configs = agent.scrape_configs.filter((j) => j.job_name === 'hostwatch');
  delete agent.scrape_configs[0].scrape_interval;
  agent.scrape_configs[0].file_sd_configs[0].files = [path.join(tmp, 'targets.yml')];
  writeFileSync(path.join(tmp, 'targets.yml'), stringify([{ targets: [`localhost:${busyPort}`] }]));
  agent.remote_write[0].url = `http://127.0.0.1:${receiverPort}/api/v1/write`;
  delete agent.remote_write[0].basic_auth;
  writeFileSync(path.join(tmp, 'agent.yml'), stringify(agent));
  children.push(
    spawn(
      'prometheus',
      [
        '--enable-feature=agent',
        `--config.file=${path.join(tmp, 'agent.yml')}`,
        `--storage.agent.path=${path.join(tmp, 'wal')}`,
        `--web.listen-address=127.0.0.1:${agentPort}`,
      ],
      { stdio: 'ignore' },
    ),
  );
  await waitFor(async () => (await get(agentPort, '/-/ready')).status === 200, 60, 'agent ready');
  const agentMetrics = async () => (await get(agentPort, '/metrics')).body.toString();
  const counter = (text, name) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  await new Promise((r) => setTimeout(r, 10_000)); // the first batches carry the series' metadata
  const before = await agentMetrics();
  await new Promise((r) => setTimeout(r, AGENT_SECONDS * 1000));
  const after = await agentMetrics();
  const bytes = counter(after, 'prometheus_remote_storage_bytes_total') - counter(before, 'prometheus_remote_storage_bytes_total');
  const samples = counter(after, 'prometheus_remote_storage_samples_total') - counter(before, 'prometheus_remote_storage_samples_total');
  console.log(`remote_write over ${AGENT_SECONDS} s at 5 s scrapes: ${samples} samples, ${bytes} bytes (snappy-compressed protobuf)`);
  console.log(`summary: remote_write: ${(bytes / samples).toFixed(2)} bytes/sample on the wire (busy host, 5 s scrapes)`);
}

try {
  await main();
} finally {
  for (const c of children.reverse()) {
    if (c.exitCode === null) {
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}
