#!/usr/bin/env node
// Rotation torture: the real exporter tails an access log that this script writes at full speed
// (batches of lines through an O_APPEND descriptor, as an application does), while it rotates the
// log in every way (rename with shifting .1 -> .2 ... and `compress` + `delaycompress`: .2 becomes
// .2.gz, copytruncate, delete and recreate, dateext),
// SIGKILLs the exporter at random points and stops it across two rotations. Every scrape's count of
// lines must never go down, and at the end it must equal the lines written, exactly.
//
// The application writes a few more lines to a renamed file before it reopens its log (as after a
// late SIGHUP). A file is deleted only once its lines are counted (checkpointed): a log deleted
// before anyone read it is lost by nature; with the exporter down, a deletion becomes a rename. At
// a deletion the oldest rotated files beyond four are deleted too (logrotate's `rotate 4`), so
// that new files get the inodes of files hostwatch knew.
//
//   node bench/torture.mjs [--rotations=100] [--kills=10] [--stops=2] [--seed=1]   (after npm run build)
// To find why a run failed: torture({ seed, debugLog }) with TORTURE_KEEP=1 in the environment.
// test/logs/torture.test.ts runs a short one.
import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KINDS = ['rename', 'copytruncate', 'delete', 'dateext'];
/** Rotated files kept per naming scheme once the lines are counted (logrotate's `rotate 4`). */
const KEEP = 4;

/** A small deterministic generator (mulberry32): the same seed, the same run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pause = () => new Promise((r) => setImmediate(r));

/**
 * Runs the torture against the built exporter (dist/main.js). Returns the figures; throws when a
 * scrape saw the count go down. `debugLog`: a file for the exporter's debug log and the steps.
 */
export async function torture({ rotations = 100, kills = 10, stops = 2, seed = 1, batchLines = 200, say = () => {}, debugLog } = {}) {
  const rnd = random(seed);
  const pick = (n) => Math.floor(rnd() * n);
  const dir = mkdtempSync(join(tmpdir(), 'hostwatch-torture-'));
  const log = join(dir, 'access.log');
  const config = join(dir, 'hostwatch.yml');
  writeFileSync(log, '');
  writeFileSync(
    config,
    `logs:\n  - name: web\n    type: access\n    path: ${JSON.stringify(log)}\n    format: combined\n    start_position: beginning\n    poll_interval: 200ms\n`,
  );
  const { COLLECTORS } = await import(pathToFileURL(join(ROOT, 'dist/collectors/index.js')).href);
  const flags = COLLECTORS.map((c) => (c.name === 'logs' ? '--collector.logs' : `--no-collector.${c.name}`));
  const argv = [join(ROOT, 'dist/main.js')];

  let child;
  let port = 0;
  let written = 0;
  let maxSeen = 0;
  let fd = openSync(log, 'a');
  let dated = 0;
  const figures = {
    written: 0,
    counted: 0,
    kills: 0,
    stops: 0,
    rotations: Object.fromEntries(KINDS.map((k) => [k, 0])),
    seenRotations: 0,
    seconds: 0,
  };
  const started = Date.now();

  const line = (n) =>
    `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255} - - [23/Nov/2026:16:00:00 +0000] "GET /t${n % 5}/item/${n} HTTP/1.1" ${[200, 301, 404, 500][n % 4]} ${n % 9000} "-" "torture/1.0"`;
  const batch = (to = fd) => {
    let s = '';
    for (let i = 0; i < batchLines; i++) s += line(written++) + '\n';
    writeSync(to, s);
  };

  async function start() {
    const debug = debugLog ? ['--log.level=debug'] : [];
    const proc = spawn(
      process.execPath,
      [...argv, `--config.file=${config}`, `--state.dir=${join(dir, 'state')}`, '--web.listen-address=127.0.0.1:0', ...debug, ...flags],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child = proc;
    port = await new Promise((resolve, reject) => {
      let buf = '';
      proc.stderr.on('data', (d) => {
        if (debugLog) appendFileSync(debugLog, d);
        buf += d;
        const m = /hostwatch listening"? address=\S*:(\d+)/.exec(buf);
        if (m) resolve(Number(m[1]));
        if (buf.length > 65536) buf = buf.slice(-4096);
      });
      proc.once('exit', (code) => reject(new Error(`exporter exited (${code}) before listening:\n${buf}`)));
    });
  }
  async function end(signal) {
    if (debugLog) appendFileSync(debugLog, `--- torture: ${signal} at ${written} written\n`);
    const proc = child;
    child = undefined;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await exited;
  }
  /** The lines counted by the exporter (all results), checked never to go down. */
  async function counted() {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    let sum = 0;
    let rot = 0;
    for (const l of text.split('\n')) {
      if (l.startsWith('hostwatch_log_lines_total{log="web"')) sum += Number(l.slice(l.lastIndexOf(' ') + 1));
      if (l.startsWith('hostwatch_log_rotations_total{log="web"')) rot += Number(l.slice(l.lastIndexOf(' ') + 1));
    }
    if (sum < maxSeen) throw new Error(`a scrape saw the count go down: ${sum} after ${maxSeen}`);
    maxSeen = sum;
    figures.seenRotations = rot;
    return sum;
  }
  async function caughtUp(timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    let n = await counted();
    while (n < written && Date.now() < deadline) {
      await sleep(50);
      n = await counted();
    }
    return n;
  }
  const reopen = () => {
    closeSync(fd);
    fd = openSync(log, 'a');
  };
  /**
   * Shifts access.log.N (and .N.gz) to .N+1 (the highest first), as logrotate does; then, as
   * `compress` + `delaycompress` do, compresses the file that was .1 (now .2): gzip writes .2.gz and
   * removes .2, whose unread lines are then only in the .gz.
   */
  const shift = () => {
    const ns = readdirSync(dir)
      .map((n) => /^access\.log\.(\d+)(\.gz)?$/.exec(n))
      .filter(Boolean)
      .map((m) => [Number(m[1]), m[2] ?? ''])
      .sort((a, b) => b[0] - a[0]);
    for (const [n, gz] of ns) renameSync(`${log}.${n}${gz}`, `${log}.${n + 1}${gz}`);
    if (existsSync(`${log}.2`)) {
      writeFileSync(`${log}.2.gz`, gzipSync(readFileSync(`${log}.2`)));
      const st = statSync(`${log}.2`);
      utimesSync(`${log}.2.gz`, st.atime, st.mtime); // as gzip does: the .gz keeps the file's times
      unlinkSync(`${log}.2`);
    }
  };
  /**
   * logrotate's `rotate N`: the oldest rotated files beyond KEEP of each scheme are deleted (here
   * only when every line is counted, at a deletion). Their inodes go to the files created next
   * (the new log, the next copy), which hostwatch must not take for the files it knew.
   */
  const prune = () => {
    const names = readdirSync(dir);
    for (const n of names) if (Number(/^access\.log\.(\d+)(\.gz)?$/.exec(n)?.[1]) > KEEP) unlinkSync(join(dir, n));
    const dates = names.filter((n) => /^access\.log-\d{8}$/.test(n)).sort();
    for (const n of dates.slice(0, Math.max(0, dates.length - KEEP))) unlinkSync(join(dir, n));
  };
  async function rotate(kind) {
    if (kind === 'delete' && !child) kind = 'rename';
    figures.rotations[kind]++;
    if (debugLog) appendFileSync(debugLog, `--- torture: rotate ${kind} at ${written} written, exporter ${child ? 'up' : 'down'}\n`);
    if (kind === 'copytruncate') {
      shift();
      copyFileSync(log, `${log}.1`);
      truncateSync(log, 0); // the O_APPEND descriptor goes on at the new end
      return;
    }
    if (kind === 'delete') {
      const n = await caughtUp(); // its lines counted and checkpointed: deleting it loses nothing
      if (n !== written) {
        if (debugLog)
          appendFileSync(
            debugLog,
            `--- torture: stuck; checkpoint ${readFileSync(join(dir, 'state', 'checkpoints', 'web.json'), 'utf8')}\n--- ls ${execFileSync('ls', ['-li', dir])}\n`,
          );
        throw new Error(`not caught up before a deletion: ${n} of ${written}`);
      }
      prune();
      unlinkSync(log);
      writeFileSync(log, '');
      reopen();
      return;
    }
    if (kind === 'rename') {
      shift();
      renameSync(log, `${log}.1`);
    } else {
      dated++;
      const d = new Date(Date.UTC(2025, 0, 1) + dated * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
      renameSync(log, `${log}-${d}`);
    }
    writeFileSync(log, '');
    for (let i = pick(3); i > 0; i--) batch(); // late writes to the renamed file, then the reopen
    reopen();
  }

  // The plan: which rotations are followed by a SIGKILL, and which happen with the exporter stopped.
  const kinds = Array.from({ length: rotations }, (_, i) => KINDS[i % KINDS.length]).sort(() => rnd() - 0.5);
  const killAt = new Set();
  while (killAt.size < Math.min(kills, rotations)) killAt.add(pick(rotations));
  const stopAt = new Set();
  while (stopAt.size < Math.min(stops, Math.floor(rotations / 3))) {
    const i = pick(rotations - 2);
    if (!stopAt.has(i - 1) && !stopAt.has(i + 1)) stopAt.add(i);
  }

  try {
    await start();
    for (let i = 0; i < rotations; i++) {
      for (let b = 1 + pick(8); b > 0; b--) {
        batch();
        if (rnd() < 0.2) await counted();
        await pause();
      }
      if (stopAt.has(i) && child) {
        // Stopped across two rotations, lines written between every step.
        await end('SIGTERM');
        figures.stops++;
        batch();
        await rotate(kinds[i]);
        batch();
        i++;
        await rotate(kinds[i]);
        batch();
        await start();
        say(`rotation ${i + 1}/${rotations}: stopped across two rotations, restarted`);
        continue;
      }
      await rotate(kinds[i]);
      if (killAt.has(i)) {
        for (let b = pick(3); b > 0; b--) batch();
        await end('SIGKILL'); // at once, whatever it was doing
        figures.kills++;
        for (let b = pick(4); b > 0; b--) batch();
        if (rnd() < 0.5) await rotate(KINDS[pick(KINDS.length)]); // while down (a deletion becomes a rename)
        await start();
        say(`rotation ${i + 1}/${rotations}: SIGKILLed, restarted`);
      }
    }
    for (let b = 0; b < 5; b++) batch();
    closeSync(fd);
    figures.counted = await caughtUp();
    figures.written = written;
    if (debugLog && figures.counted !== written)
      appendFileSync(
        debugLog,
        `--- torture: short; checkpoint ${readFileSync(join(dir, 'state', 'checkpoints', 'web.json'), 'utf8')}\n--- ls ${execFileSync('ls', ['-li', dir])}\n`,
      );
    // Caught up: a restart reads nothing again.
    await end('SIGTERM');
    await start();
    await sleep(1500);
    figures.counted = await counted();
    figures.seconds = (Date.now() - started) / 1000;
    return figures;
  } finally {
    if (child) await end('SIGKILL');
    // TORTURE_KEEP=1 keeps the directory (its path is in the debug log) to reconstruct a failed run.
    if (!process.env.TORTURE_KEEP) rmSync(dir, { recursive: true, force: true });
    else if (debugLog) appendFileSync(debugLog, `--- torture: dir ${dir}\n`);
  }
}

const main = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (main) {
  const arg = (name, def) => Number(process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1] ?? def);
  if (!existsSync(join(ROOT, 'dist/main.js'))) {
    console.error('bench/torture: dist/main.js is missing: run `npm run build` first');
    process.exit(1);
  }
  const f = await torture({
    rotations: arg('rotations', 100),
    kills: arg('kills', 10),
    stops: arg('stops', 2),
    seed: arg('seed', 1),
    say: (s) => console.log(s),
  });
  const kinds = Object.entries(f.rotations)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(`\nrotation torture: ${f.seconds.toFixed(0)} s`);
  console.log(
    `  lines written ${f.written}, counted ${f.counted} (${f.counted === f.written ? 'exact' : `OFF BY ${f.counted - f.written}`})`,
  );
  console.log(`  rotations ${Object.values(f.rotations).reduce((a, b) => a + b, 0)} (${kinds}); seen by hostwatch: ${f.seenRotations}`);
  console.log(`  SIGKILLs ${f.kills}, stops across two rotations ${f.stops}`);
  console.log(
    `summary: torture: ${f.written} lines written, ${f.counted} counted, ${f.kills} SIGKILLs, ${f.stops} stops, ${Object.values(f.rotations).reduce((a, b) => a + b, 0)} rotations (${kinds})`,
  );
  if (f.counted !== f.written) process.exitCode = 1;
}
