#!/usr/bin/env node
// FIM memory of the live exporter (after `npm run build`): a generated tree of BENCH_FIM_MEM_FILES
// small files (default 100,000, in 100 directories) is the one FIM root; the exporter is started
// with the deployed Node.js flags and sampled from /proc: RSS before the first scan, its peak
// during it, right after it and after BENCH_FIM_MEM_IDLE_S seconds idle (is the memory returned?),
// then the peak of a second, unchanged scan. The anchor, in the same run: `aide --init` on the
// same tree (Debian's aide, sha256), its peak RSS from GNU time. The machine may be shared: the
// ratio is the figure to read. Then `hostwatch fim accept`, the one-shot command that writes a
// baseline and exits, against the same anchor. BENCH_FIM_MEM_TREE=/usr measures an existing tree instead of the
// generated one. BENCH_FIM_MEM_THREADS sets the exporter's `fim.hash_concurrency` (default 0: one
// hashing thread per core; 1 trades scan speed for one isolate less). The audit collector's first run is moved out of the measured window (it reads
// directory trees too, ~40 s after start, and was read as FIM's memory in the idle figure).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { deployedNodeFlags, formatMemory, memory, peakSampler } from './proc-memory.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILES = Number(process.env.BENCH_FIM_MEM_FILES ?? 100_000);
const IDLE_S = Number(process.env.BENCH_FIM_MEM_IDLE_S ?? 45);
const GIVEN_TREE = process.env.BENCH_FIM_MEM_TREE;
const THREADS = Number(process.env.BENCH_FIM_MEM_THREADS ?? 0);
const MAIN = path.join(ROOT, 'dist', 'main.js');
const mb = (kb) => (kb / 1024).toFixed(1);

if (!existsSync(MAIN)) {
  console.error('fim-memory: dist/main.js is missing: run `npm run build` first');
  process.exit(1);
}

const work = mkdtempSync(path.join(tmpdir(), 'hw-bench-fimmem-'));
const tree = GIVEN_TREE ? path.resolve(GIVEN_TREE) : path.join(work, 'tree');
if (!GIVEN_TREE) {
  for (let i = 0; i < FILES; i++) {
    const d = path.join(tree, `d${i % 100}`);
    if (i < 100) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, `f${i}.conf`), `key${i} = ${'v'.repeat(i % 200)}\n`);
  }
}
const treeName = GIVEN_TREE ? tree : `one root of ${FILES.toLocaleString('en-US')} files`;
const port = await freePort();
writeFileSync(
  path.join(work, 'hostwatch.yml'),
  `state_dir: state\naudit:\n  first_run_delay: 1h\nfim:\n  enabled: true\n  hash_concurrency: ${THREADS}\n  scan_interval: 1h\n  roots:\n    - path: ${JSON.stringify(tree)}\n`,
);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function scrape() {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return '';
  }
}
const lastScan = (text) => /^hostwatch_fim_last_scan_timestamp_seconds\{[^}]*\} (\S+)/m.exec(text)?.[1];

const child = spawn(
  process.execPath,
  [...deployedNodeFlags(), MAIN, `--config.file=${path.join(work, 'hostwatch.yml')}`, `--web.listen-address=127.0.0.1:${port}`],
  { stdio: ['ignore', 'ignore', 'inherit'], cwd: work },
);
try {
  const sampler = peakSampler(child.pid);
  let before;
  let first;
  let files;
  const started = Date.now();
  for (;;) {
    const text = await scrape();
    if ((first = lastScan(text))) {
      files = /^hostwatch_fim_files\{[^}]*\} (\S+)/m.exec(text)?.[1];
      break;
    }
    // Once it serves /metrics (started), before the scan has read much.
    if (text) before ??= memory(child.pid);
    if (Date.now() - started > 600_000) throw new Error('no scan completed in 10 minutes');
    await sleep(100);
  }
  const scanSeconds = (Date.now() - started) / 1000;
  const peak = sampler.stop();
  const after = memory(child.pid);
  await sleep(IDLE_S * 1000);
  const idle = memory(child.pid);

  // A second, unchanged scan (SIGHUP reloads the config: a new collector scans at once).
  const sampler2 = peakSampler(child.pid);
  child.kill('SIGHUP');
  while (lastScan(await scrape()) === first) await sleep(100);
  const peak2 = sampler2.stop();
  const after2 = memory(child.pid);

  console.log(`FIM memory, exporter with ${treeName} (${files} entries recorded; machine may be shared)`);
  console.log(`  serving, scan started: ${formatMemory(before)}`);
  console.log(`  peak of the first scan: ${formatMemory(peak)} (VmHWM ${mb(peak.hwm)} MB), ~${scanSeconds.toFixed(1)} s`);
  console.log(`  right after it:         ${formatMemory(after)}`);
  console.log(`  after ${IDLE_S} s idle:        ${formatMemory(idle)}`);
  console.log(`  second (unchanged) scan: peak ${formatMemory(peak2)}, after ${formatMemory(after2)}`);

  const time = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
  /** GNU time's last line, `-f TIME_FORMAT`: peak RSS (KiB), wall, user and system seconds. */
  const TIME_FORMAT = '%M %e %U %S';
  const timed = (r) => {
    const [kb, wall, user, sys] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    return { kb, text: `${wall.toFixed(2)} s wall, ${(user + sys).toFixed(2)} s CPU` };
  };
  if (existsSync('/usr/bin/aide') && time.status === 0) {
    const conf = path.join(work, 'aide.conf');
    // The attributes hostwatch records, as bench/fim.mjs configures aide.
    writeFileSync(
      conf,
      `database_out=file:${path.join(work, 'aide.db.new')}\ngzip_dbout=no\nreport_url=stdout\nH = p+i+n+u+g+s+m+c+sha256\n${tree} H\n`,
    );
    const workers = `--workers=${availableParallelism()}`;
    const a = spawnSync('/usr/bin/time', ['-f', TIME_FORMAT, 'aide', '--init', '-c', conf, workers], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const aide = timed(a);
    const aideKb = aide.kb;
    // The like-for-like of `aide --init`: the one-shot command that writes a baseline and exits
    // (the config and FIM, its file work on its own thread; no HTTP server, metrics or other collectors).
    const c = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        TIME_FORMAT,
        process.execPath,
        ...deployedNodeFlags(),
        MAIN,
        'fim',
        'accept',
        `--config.file=${path.join(work, 'hostwatch.yml')}`,
        `--state.dir=${path.join(work, 'state-cli')}`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], cwd: work },
    );
    const cli = timed(c);
    const cliKb = cli.kb;
    if (Number.isFinite(aideKb)) {
      console.log(`  aide --init, same tree: peak ${mb(aideKb)} MB, ${aide.text}`);
      if (Number.isFinite(cliKb)) {
        console.log(`  hostwatch fim accept (one-shot baseline, like aide --init): peak ${mb(cliKb)} MB, ${cli.text}`);
        console.log(
          `summary: FIM ${GIVEN_TREE ? tree : FILES + ' files'}: hostwatch fim accept peak ${mb(cliKb)} MB, ${(cliKb / aideKb).toFixed(2)}x aide --init`,
        );
      }
      console.log(
        `summary: FIM ${GIVEN_TREE ? tree : FILES + ' files'}: exporter peak ${mb(peak.rss)} MB (${(peak.rss / aideKb).toFixed(2)}x aide --init ${mb(aideKb)} MB), ` +
          `after the scan ${mb(after.rss)} MB, after ${IDLE_S} s idle ${mb(idle.rss)} MB (${mb(before.rss)} MB once serving, the scan and its threads started)`,
      );
    } else console.log(`  aide --init failed: ${a.stderr.slice(-300)}`);
  } else {
    console.log(
      `summary: FIM ${GIVEN_TREE ? tree : FILES + ' files'}: exporter peak ${mb(peak.rss)} MB, after ${IDLE_S} s idle ${mb(idle.rss)} MB; aide not measured`,
    );
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(work, { recursive: true, force: true });
}
