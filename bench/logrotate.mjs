#!/usr/bin/env node
// Exactly once through real logrotate (Debian's logrotate must be installed; it is not in run.mjs
// for that reason): the built exporter (dist/main.js) follows an access log that this script
// writes and rotates with logrotate -f, in each scheme, the exporter stopped by SIGTERM or SIGKILL
// in the middle of reading a burst, the log rotated while it is down with lines written between
// every step, then started again. After each phase the lines counted must equal the lines written
// and stay so (nothing counted twice later); the rotations are reported by kind.
//
//   node bench/logrotate.mjs [scheme ...] [--signal=SIGKILL|SIGTERM] [--rotations-down=3]
//   schemes: numeric_delaycompress numeric_compress dateext_delaycompress dateext_plain copytruncate_dateext
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// dateext names carry %s: two rotations within one day need distinct names (siblings.ts reads them).
const SCHEMES = {
  numeric_delaycompress: 'compress\n  delaycompress',
  numeric_compress: 'compress',
  dateext_delaycompress: 'dateext\n  dateformat -%Y%m%d-%s\n  compress\n  delaycompress',
  dateext_plain: 'dateext\n  dateformat -%Y%m%d-%s',
  copytruncate_dateext: 'copytruncate\n  dateext\n  dateformat -%Y%m%d-%s\n  compress\n  delaycompress',
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const opt = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;

async function run(scheme, signal, rotationsDown) {
  const dir = mkdtempSync(join(tmpdir(), 'hostwatch-logrotate-'));
  const log = join(dir, 'access.log');
  const config = join(dir, 'hostwatch.yml');
  writeFileSync(log, '');
  writeFileSync(
    config,
    `logs:\n  - name: web\n    type: access\n    path: ${JSON.stringify(log)}\n    format: combined\n    start_position: beginning\n    poll_interval: 200ms\n`,
  );
  const create = scheme.startsWith('copytruncate') ? '' : '\n  create 0644 root root';
  writeFileSync(join(dir, 'lr.conf'), `${log} {\n  rotate 20\n  missingok\n  ${SCHEMES[scheme]}${create}\n}\n`);
  const { COLLECTORS } = await import(pathToFileURL(join(ROOT, 'dist/collectors/index.js')).href);
  const flags = COLLECTORS.map((c) => (c.name === 'logs' ? '--collector.logs' : `--no-collector.${c.name}`));
  let proc;
  let port;
  let written = 0;
  let ok = true;
  let lastRotation = 0;

  async function rotate() {
    await sleep(lastRotation + 1100 - Date.now()); // a new %s
    execFileSync('logrotate', ['-f', '-s', join(dir, 'lr.state'), join(dir, 'lr.conf')]);
    lastRotation = Date.now();
  }
  function write(n) {
    let s = '';
    for (let i = 0; i < n; i++, written++) {
      s += `10.0.${(written >> 8) & 255}.${written & 255} - - [30/Nov/2026:08:00:00 +0000] "GET /app/item/${written} HTTP/1.1" 200 ${written % 5000} "-" "logrotate-check"\n`;
    }
    appendFileSync(log, s); // opened by name with O_APPEND, as a daemon that reopened its log after the rotation
  }
  async function start() {
    proc = spawn(
      process.execPath,
      [
        join(ROOT, 'dist/main.js'),
        `--config.file=${config}`,
        `--state.dir=${join(dir, 'state')}`,
        '--web.listen-address=127.0.0.1:0',
        ...flags,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    port = await new Promise((resolve, reject) => {
      proc.stderr.on('data', (d) => {
        err += d;
        const m = /hostwatch listening"? address=\S*:(\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      proc.once('exit', (code) => reject(new Error(`exporter exited (${code}): ${err}`)));
    });
  }
  async function stop(sig) {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(sig);
    await exited;
  }
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (text, family) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${family}{`))
      .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const counted = async () => sum(await metrics(), 'hostwatch_log_lines_total');
  async function check(phase) {
    const deadline = Date.now() + 60_000;
    let n = await counted();
    for (let last = n; n < written && Date.now() < deadline; last = n) {
      await sleep(100);
      n = await counted();
      if (n < last) throw new Error(`${phase}: the count went down`);
    }
    await sleep(1500);
    const later = await counted();
    const exact = n === written && later === written;
    ok &&= exact;
    console.log(`  ${phase}: written ${written}, counted ${later} (${exact ? 'exact' : 'MISMATCH'})`);
  }

  console.log(`${scheme}, stopped by ${signal}, ${rotationsDown} rotations while down`);
  try {
    await start();
    write(1000);
    await rotate();
    write(1000);
    await check('running, one rotation');
    write(150_000); // a burst: stopped in the middle of reading it
    let mid = await counted();
    for (const t0 = Date.now(); mid <= 2000 && Date.now() - t0 < 20_000;) mid = (await sleep(20), await counted());
    await stop(signal);
    console.log(`  stopped with ${mid} of ${written} counted at the last scrape`);
    write(700);
    for (let i = 0; i < rotationsDown; i++) {
      await rotate();
      write(800);
    }
    await start();
    await check(`started again after ${rotationsDown} rotations`);
    const kinds = (await metrics()).split('\n').filter((l) => l.startsWith('hostwatch_log_rotations_total{') && !l.endsWith(' 0'));
    console.log(`  rotations: ${kinds.map((l) => l.replace(/^.*kind="([^"]+)"\} /, '$1 ')).join(', ')}`);
    write(500);
    await rotate();
    write(500);
    await rotate();
    write(500);
    await check('running, two more rotations');
    await stop('SIGTERM');
    await start();
    await check('after a clean restart');
  } finally {
    await stop('SIGTERM');
    if (ok) rmSync(dir, { recursive: true, force: true });
    else console.log(`  kept ${dir}`);
  }
  return ok;
}

if (!existsSync(join(ROOT, 'dist/main.js'))) {
  console.error('bench/logrotate: dist/main.js is missing: run `npm run build` first');
  process.exit(1);
}
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const signals = opt('signal') ? [opt('signal')] : ['SIGTERM', 'SIGKILL'];
const rotationsDown = Number(opt('rotations-down', '3'));
let all = 0;
let exact = 0;
for (const scheme of chosen.length > 0 ? chosen : Object.keys(SCHEMES)) {
  for (const signal of signals) {
    all++;
    if (await run(scheme, signal, rotationsDown)) exact++;
  }
}
console.log(`summary: logrotate: ${exact} of ${all} runs exact (every line counted once)`);
if (exact !== all) process.exitCode = 1;
