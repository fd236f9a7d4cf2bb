#!/usr/bin/env node
// HTTP under attack, with basic auth (bcrypt cost 10) and TLS on: the built exporter (host collectors,
// default connection and scrape limits) is scraped by a legitimate client from 127.0.0.2 first alone
// (the anchor), then while bench/http-attack-client.mjs attacks it from 127.0.0.1 in another process
// (5,000-connection flood, slowloris, absurd requests, traversal, unknown-user logins), then the same
// attack against an exporter started with every limit off (--web.max-connections=0
// --web.max-connections-per-client=0 --web.max-requests=0), to show what the limits buy. Prints the
// scraper's p50/p99 and failures in each phase and their ratio, the exporter's peak RSS, what its
// limits refused, and the 401 latency for an existing user with a wrong password against an unknown
// user (the same bcrypt work, so a ratio near 1). Needs `npm run build` first. Only 127.0.0.0/8 is
// contacted; every phase is bounded in time.
//
//   node bench/http-attack.mjs [--scrapes=200] [--logins=30]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import bcrypt from 'bcryptjs';
import { freePort } from './free-port.mjs';
import { deployedNodeFlags, peakSampler } from './proc-memory.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const SCRAPES = arg('scrapes', 200);
const LOGINS = arg('logins', 30);
const RAMP_MS = 3000;
const PHASE_LIMIT_MS = 60_000;

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-attack-'));
const children = [];
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

/** A CA and a server certificate for localhost / 127.0.0.1 (EC P-256), with the openssl CLI. */
function makeCerts() {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: tmp, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=bench CA');
  writeFileSync(join(tmp, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );
  return readFileSync(join(tmp, 'ca.crt'), 'utf8');
}

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function get(port, { agent, auth, path = '/metrics', from = '127.0.0.2', ca }) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = https.get(
      { host: '127.0.0.1', port, path, agent, ca, localAddress: from, servername: 'localhost', headers: { Authorization: auth } },
      (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', reject);
  });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/**
 * The legitimate scraper: SCRAPES scrapes in a row, each on a new connection with its TLS handshake,
 * as Prometheus's are in practice (it scrapes every 15 s, and Node closes an idle keep-alive
 * connection after 5 s).
 */
async function legitimate(port, ca, auth) {
  const agent = false;
  const latencies = [];
  const failures = [];
  const deadline = Date.now() + PHASE_LIMIT_MS;
  for (let i = 0; i < SCRAPES && Date.now() < deadline; i++) {
    try {
      const r = await get(port, { agent, auth, ca });
      if (r.status === 200) latencies.push(r.ms);
      else failures.push(`HTTP ${r.status}`);
    } catch (err) {
      failures.push(err.code ?? err.message);
    }
  }
  latencies.sort((a, b) => a - b);
  return { n: latencies.length, failures, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) };
}

async function startHostwatch(ca, extraFlags = []) {
  const main = join(ROOT, 'dist/main.js');
  if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` first (npm run bench does)');
  const { COLLECTORS } = await import(pathToFileURL(join(ROOT, 'dist/collectors/index.js')).href);
  const { HOST_COLLECTORS } = await import(pathToFileURL(join(ROOT, 'dist/collectors/host.js')).href);
  const host = new Set(HOST_COLLECTORS.map((c) => c.name));
  const flags = COLLECTORS.map((c) => (host.has(c.name) ? `--collector.${c.name}` : `--no-collector.${c.name}`));
  writeFileSync(join(tmp, 'hostwatch.yml'), 'host:\n  updates:\n    enabled: false\n');
  writeFileSync(
    join(tmp, 'web.yml'),
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: "${bcrypt.hashSync('scrape-secret', 10)}"\n`,
  );
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...deployedNodeFlags(),
      main,
      `--config.file=${join(tmp, 'hostwatch.yml')}`,
      `--web.config.file=${join(tmp, 'web.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--state.dir=${join(tmp, 'state')}`,
      '--log.level=warn',
      ...flags,
      ...extraFlags,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(child);
  const auth = basic('prometheus', 'scrape-secret');
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`hostwatch exited with ${child.exitCode}`);
    const r = await get(port, { agent: false, auth, ca }).catch(() => undefined);
    if (r?.status === 200) break;
    if (i > 300) throw new Error('hostwatch did not serve within 30 s');
    await new Promise((res) => setTimeout(res, 100));
  }
  return { port, child, auth };
}

/** 401 latency: an existing user with a wrong password and an unknown user, alternated. */
async function loginTiming(port, ca) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
  const times = { existing: [], unknown: [] };
  for (let i = 0; i < LOGINS; i++) {
    for (const [kind, auth] of [
      ['existing', basic('prometheus', `wrong-${i}`)],
      ['unknown', basic(`nobody-${i}`, `wrong-${i}`)],
    ]) {
      const r = await get(port, { agent, auth, ca, from: '127.0.0.3' });
      if (r.status !== 401) throw new Error(`expected 401 for the ${kind} user, got ${r.status}`);
      times[kind].push(r.ms);
    }
  }
  agent.destroy();
  for (const k of Object.keys(times)) times[k].sort((a, b) => a - b);
  return times;
}

const selfMetric = (body, series) =>
  Number(
    body
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.slice(series.length + 1),
  );

/** Runs the attacker against `hw` and the legitimate scraper meanwhile. */
async function underAttack(hw, ca, caFile) {
  const attacker = spawn(process.execPath, [join(ROOT, 'bench/http-attack-client.mjs'), String(hw.port), caFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(attacker);
  let out = '';
  attacker.stdout.on('data', (d) => (out += d));
  const mem = peakSampler(hw.child.pid);
  await new Promise((r) => setTimeout(r, RAMP_MS));
  const scraper = await legitimate(hw.port, ca, hw.auth);
  const during = await get(hw.port, { agent: false, auth: hw.auth, ca }).catch(() => undefined);
  attacker.kill('SIGTERM');
  await new Promise((r) => attacker.once('close', r));
  return { scraper, peak: mem.stop(), attacker: out ? JSON.parse(out) : {}, during };
}

async function main() {
  const ca = makeCerts();
  const caFile = join(tmp, 'ca.crt');
  const hw = await startHostwatch(ca);
  for (let i = 0; i < 20; i++) await get(hw.port, { agent: false, auth: hw.auth, ca }); // warm-up

  const idleMem = peakSampler(hw.child.pid);
  const idle = await legitimate(hw.port, ca, hw.auth);
  const idlePeak = idleMem.stop();

  const attack = await underAttack(hw, ca, caFile);
  const after = await get(hw.port, { agent: false, auth: hw.auth, ca });
  const alive = hw.child.exitCode === null && after.status === 200;
  const logins = await loginTiming(hw.port, ca);
  hw.child.kill('SIGTERM');
  await new Promise((r) => hw.child.once('close', r));

  // The anchor of the attack: the same exporter and attack, every limit off.
  const open = await startHostwatch(ca, ['--web.max-connections=0', '--web.max-connections-per-client=0', '--web.max-requests=0']);
  for (let i = 0; i < 20; i++) await get(open.port, { agent: false, auth: open.auth, ca });
  const unlimited = await underAttack(open, ca, caFile);

  const ms = (v) => (v === undefined ? 'n/a' : v.toFixed(1));
  const mb = (kb) => (kb / 1024).toFixed(1);
  console.log(
    `\nHTTP attack benchmark: TLS + basic auth (bcrypt cost 10), default limits (512 connections, 32 per client, 40 scrapes in flight)`,
  );
  console.log(
    `load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${os.cpus().length} CPUs, the attacker on the same machine; figures are noisy when other work runs)`,
  );
  console.log(`attacker (limits on): ${JSON.stringify(attack.attacker)}`);
  console.log(`attacker (limits off): ${JSON.stringify(unlimited.attacker)}`);
  if (attack.during) {
    const b = attack.during.body;
    console.log(
      `exporter during the attack: ${selfMetric(b, 'hostwatch_http_connections_open')} connections open, refused ${selfMetric(b, 'hostwatch_http_connections_refused_total{reason="client_limit"}')} over the per-client cap and ${selfMetric(b, 'hostwatch_http_connections_refused_total{reason="limit"}')} over the total`,
    );
  }
  console.log(
    `\n${'phase'.padEnd(18)}${'scrapes'.padEnd(9)}${'failed'.padEnd(8)}${'p50 ms'.padEnd(9)}${'p99 ms'.padEnd(9)}${'max ms'.padEnd(9)}exporter peak RSS MB`,
  );
  const attacked = attack.scraper;
  for (const [name, r, peak] of [
    ['alone', idle, idlePeak],
    ['under attack', attacked, attack.peak],
    ['attack, no limits', unlimited.scraper, unlimited.peak],
  ]) {
    console.log(
      `${name.padEnd(18)}${String(r.n).padEnd(9)}${String(r.failures.length).padEnd(8)}${ms(r.p50).padEnd(9)}${ms(r.p99).padEnd(9)}${ms(r.max).padEnd(9)}${mb(peak.rss)}`,
    );
  }
  if (attacked.failures.length) console.log(`failures under attack: ${[...new Set(attacked.failures)].join(', ')}`);
  const e50 = quantile(logins.existing, 0.5);
  const u50 = quantile(logins.unknown, 0.5);
  console.log(
    `\n401 latency over ${LOGINS} logins each: existing user, wrong password p50 ${ms(e50)} ms p90 ${ms(quantile(logins.existing, 0.9))} ms; unknown user p50 ${ms(u50)} ms p90 ${ms(quantile(logins.unknown, 0.9))} ms`,
  );
  console.log(`exporter alive and serving after the attack: ${alive ? 'yes' : 'NO'}`);

  const u = unlimited.scraper;
  console.log(
    `summary: legitimate scraper p99 alone ${ms(idle.p99)} ms, under attack ${ms(attacked.p99)} ms (ratio ${(attacked.p99 / idle.p99).toFixed(1)}), ${attacked.failures.length}/${attacked.n + attacked.failures.length} failed; exporter peak RSS under attack ${mb(attack.peak.rss)} MB (alone ${mb(idlePeak.rss)}); alive after: ${alive ? 'yes' : 'NO'}`,
  );
  console.log(
    `summary: same attack with every limit off: p99 ${ms(u.p99)} ms, ${u.failures.length}/${u.n + u.failures.length} failed, peak RSS ${mb(unlimited.peak.rss)} MB`,
  );
  console.log(`summary: 401 p50 existing user ${ms(e50)} ms vs unknown user ${ms(u50)} ms (ratio ${(u50 / e50).toFixed(2)})`);
  if (!alive) process.exitCode = 1;
}

try {
  await main();
} finally {
  cleanup();
}
