#!/usr/bin/env node
// FIM benchmark: baseline throughput (MB/s, files/s) of hostwatch's scanner (dist/fim, worker pool,
// hash_concurrency 0 = one worker per core) on a generated tree of mixed file sizes and on /usr/lib,
// against `sha256sum` (find | xargs -P<cores>) and `aide --init` (Debian's aide, sha256 plus the same
// metadata, --workers=<cores>) on the same trees in the same run, with a warm page cache; plus the
// unchanged-rescan rate (stat only, no rehash) and, on the generated tree, the alternative design
// (asynchronous reads in libuv's threadpool, hashing on the main thread) to justify the worker pool.
// Goals: >= 1 GB/s baseline on 2 cores, >= 50,000 files/s unchanged rescan.
// Run alone with `node bench/fim.mjs` after `npm run build`, or via `npm run bench`.
// Env: BENCH_FIM_GB (generated tree size, default 2), BENCH_FIM_ROUNDS (best of, default 2),
//      BENCH_FIM_SKIP_USR=1 (skip /usr/lib), BENCH_FIM_SKIP_AIDE=1, BENCH_FIM_THREADS (hash_concurrency).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs, { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist', 'fim');
const GB = Number(process.env.BENCH_FIM_GB ?? 2);
const ROUNDS = Math.max(1, Number(process.env.BENCH_FIM_ROUNDS ?? 2));
const CORES = availableParallelism();
/** The roots' hash_concurrency (BENCH_FIM_THREADS; 0, the default: one worker per core). */
const THREADS = Number(process.env.BENCH_FIM_THREADS ?? 0);

function fail(msg) {
  process.stderr.write(`bench/fim: ${msg}\n`);
  process.exit(1);
}

if (!existsSync(path.join(DIST, 'scan.js'))) fail('dist/fim/scan.js not found: run `npm run build` first');
const { scanTree } = await import(pathToFileURL(path.join(DIST, 'scan.js')).href);
const { RecordSet } = await import(pathToFileURL(path.join(DIST, 'record-set.js')).href);
const { WorkerPool } = await import(pathToFileURL(path.join(DIST, 'pool.js')).href);
const { createPathFilter } = await import(pathToFileURL(path.join(DIST, 'glob.js')).href);
const { readPseudoMounts } = await import(pathToFileURL(path.join(DIST, 'pseudo-fs.js')).href);
const { RootMonitor } = await import(pathToFileURL(path.join(DIST, 'monitor.js')).href);
const { ChangeJournal } = await import(pathToFileURL(path.join(DIST, 'journal.js')).href);
const { silentLogger } = await import(pathToFileURL(path.join(ROOT, 'dist', 'core', 'log.js')).href);
const { systemClock } = await import(pathToFileURL(path.join(ROOT, 'dist', 'core', 'clock.js')).href);

const MB = 1e6;
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * A tree of about GB gigabytes: ~50% in 64 MiB files, ~40% in 256 KiB-1 MiB files, ~10% in
 * 1-16 KiB files (the many small files of /etc-like trees), spread over 2-level directories.
 * Generated once and kept in the temp dir between runs.
 */
function generatedTree() {
  const dir = path.join(tmpdir(), `hostwatch-bench-fim-${GB}g`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`generating a ${GB} GB tree in ${dir} ...\n`);
  const total = GB * 1024 ** 3;
  // Pseudo-random content from a keyed stream so that files differ (no dedup-friendly zeros).
  const block = Buffer.alloc(64 << 20);
  for (let o = 0; o < block.length; o += 32) createHash('sha256').update(String(o)).digest().copy(block, o);
  let seq = 0;
  const write = (size) => {
    const d = path.join(dir, `d${seq % 16}`, `e${Math.floor(seq / 16) % 16}`);
    mkdirSync(d, { recursive: true });
    const fd = openSync(path.join(d, `f${seq}`), 'w');
    let left = size;
    let off = (seq * 4099) % (block.length - 1);
    while (left > 0) {
      const n = Math.min(left, block.length - off);
      writeSync(fd, block, off, n);
      left -= n;
      off = 0;
    }
    closeSync(fd);
    seq++;
  };
  let large = 0;
  while (large < total * 0.5) {
    write(64 << 20);
    large += 64 << 20;
  }
  let medium = 0;
  while (medium < total * 0.4) {
    const s = (256 << 10) + ((seq * 7919) % (768 << 10));
    write(s);
    medium += s;
  }
  let small = 0;
  while (small < total * 0.1) {
    const s = 1024 + ((seq * 104729) % (15 << 10));
    write(s);
    small += s;
  }
  writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

function sh(cmd) {
  const started = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) fail(`${cmd} failed (${r.status}): ${r.stderr.slice(-500)}`);
  return seconds;
}

const q = (p) => `'${p.replace(/'/g, `'\\''`)}'`;

async function hostwatchScan(dir) {
  const pool = new WorkerPool(THREADS);
  const started = process.hrtime.bigint();
  try {
    const r = await scanTree({
      root: dir,
      filter: createPathFilter(['**'], []),
      follow: false,
      maxFileSize: 1024 ** 4,
      previous: new RecordSet(),
      pool,
      pseudoMounts: await readPseudoMounts(),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      seconds,
      entries: r.records,
      files: [...r.records.entries()].filter(([, e]) => e.type === 'file').length,
      bytes: r.hashedBytes,
      errors: r.errors,
    };
  } finally {
    await pool.close();
  }
}

/**
 * The alternative that keeps the event loop free without threads: asynchronous reads in libuv's
 * threadpool (open, fstat, reads into a buffer reused per file in flight, close), SHA-256 on the
 * main thread, 2 x cores files at once.
 */
async function asyncScan(files) {
  const CHUNK = 1 << 19;
  const call = (fn, ...args) => new Promise((resolve, reject) => fn(...args, (err, v) => (err ? reject(err) : resolve(v))));
  const started = process.hrtime.bigint();
  let next = 0;
  let bytes = 0;
  const lane = async () => {
    const buf = Buffer.allocUnsafe(CHUNK);
    while (next < files.length) {
      const fd = await call(fs.open, files[next++], fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        await call(fs.fstat, fd);
        const h = createHash('sha256');
        for (;;) {
          const r = await new Promise((resolve, reject) => fs.read(fd, buf, 0, CHUNK, null, (err, n) => (err ? reject(err) : resolve(n))));
          if (r === 0) break;
          h.update(r === CHUNK ? buf : buf.subarray(0, r));
          bytes += r;
        }
        h.digest();
      } finally {
        await call(fs.close, fd);
      }
    }
  };
  await Promise.all(Array.from({ length: CORES * 2 }, lane));
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes };
}

function aideInit(dir, work) {
  const conf = path.join(work, 'aide.conf');
  const db = path.join(work, 'aide.db.new');
  rmSync(db, { force: true });
  // The same attributes hostwatch records: permissions, inode, links, owner, group, size, mtime, ctime, sha256.
  writeFileSync(conf, `database_out=file:${db}\ngzip_dbout=no\nreport_url=stdout\nH = p+i+n+u+g+s+m+c+sha256\n${dir} H\n`);
  return sh(`aide --init -c ${q(conf)} --workers=${CORES} > /dev/null`);
}

const best = (xs) => Math.min(...xs);

async function benchTree(label, dir, work, { alternative }) {
  process.stdout.write(`\n== ${label}: ${dir}\n`);
  // Warm the page cache (and check the tree is readable).
  sh(`find ${q(dir)} -type f -print0 | xargs -0 -r cat > /dev/null 2>&1 || true`);
  const hw = [];
  let last;
  for (let i = 0; i < ROUNDS; i++) {
    last = await hostwatchScan(dir);
    hw.push(last.seconds);
  }
  const size = last.bytes;
  const files = last.files;
  const hwS = best(hw);
  process.stdout.write(
    `hostwatch baseline: ${fmt(files)} files (${fmt(last.entries.size)} entries), ${fmt(size / MB)} MB in ${hwS.toFixed(2)} s: ` +
      `${fmt(size / MB / hwS)} MB/s, ${fmt(files / hwS)} files/s (workers: ${THREADS || CORES}, errors: ${JSON.stringify(last.errors)})\n`,
  );
  // The unchanged rescan as the exporter runs it: a full scan by the root monitor, including the
  // comparison with the last state and the atomic write of the state file.
  const stateDir = path.join(work, 'state');
  rmSync(stateDir, { recursive: true, force: true });
  const monitor = new RootMonitor(
    { path: dir, include: ['**'], exclude: [], critical: false, maxFileSize: 1024 ** 4, followSymlinks: false, hashConcurrency: THREADS },
    {
      stateDir,
      logger: silentLogger,
      clock: systemClock,
      journal: new ChangeJournal(path.join(stateDir, 'changes.jsonl')),
      pseudoMounts: readPseudoMounts,
    },
  );
  await monitor.load();
  await monitor.fullScan(); // the baseline
  const re = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    await monitor.fullScan();
    re.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (monitor.lastHashedFiles !== 0) fail(`unchanged rescan rehashed ${monitor.lastHashedFiles} files`);
  }
  await monitor.stop();
  const reS = best(re);
  const n = monitor.current.size;
  process.stdout.write(
    `hostwatch unchanged rescan (exporter's full scan: stat, compare, write state): ${fmt(n)} entries in ${reS.toFixed(3)} s: ${fmt(n / reS)} entries/s, 0 files rehashed\n`,
  );
  const result = { label, files, mb: size / MB, hwMBs: size / MB / hwS, hwFilesS: files / hwS, rescanS: n / reS };

  if (alternative) {
    const list = [...last.entries.entries()].filter(([, e]) => e.type === 'file').map(([rel]) => path.join(dir, rel));
    const st = [];
    for (let i = 0; i < ROUNDS; i++) st.push((await asyncScan(list)).seconds);
    const stS = best(st);
    result.alternativeMBs = size / MB / stS;
    process.stdout.write(
      `alternative, async reads in libuv's threadpool + main-thread hashing: ${stS.toFixed(2)} s, ${fmt(size / MB / stS)} MB/s (worker pool is ${(stS / hwS).toFixed(2)}x faster)\n`,
    );
  }

  const ss = [];
  for (let i = 0; i < ROUNDS; i++) ss.push(sh(`find ${q(dir)} -type f -print0 | xargs -0 -r -P${CORES} -n 200 sha256sum > /dev/null`));
  const ssS = best(ss);
  result.sha256sumRatio = ssS / hwS;
  process.stdout.write(
    `sha256sum (xargs -P${CORES}): ${ssS.toFixed(2)} s, ${fmt(size / MB / ssS)} MB/s -> hostwatch is ${(ssS / hwS).toFixed(2)}x\n`,
  );

  if (process.env.BENCH_FIM_SKIP_AIDE !== '1' && existsSync('/usr/bin/aide')) {
    const ai = [];
    for (let i = 0; i < ROUNDS; i++) ai.push(aideInit(dir, work));
    const aiS = best(ai);
    result.aideRatio = aiS / hwS;
    process.stdout.write(
      `aide --init (--workers=${CORES}): ${aiS.toFixed(2)} s, ${fmt(size / MB / aiS)} MB/s -> hostwatch is ${(aiS / hwS).toFixed(2)}x\n`,
    );
  } else {
    process.stdout.write('aide: skipped\n');
  }
  return result;
}

const work = mkdtempSync(path.join(tmpdir(), 'hostwatch-bench-fim-work-'));
try {
  process.stdout.write(`fim bench: ${CORES} cores, best of ${ROUNDS} rounds, warm page cache\n`);
  const results = [await benchTree(`generated tree (${GB} GB, mixed sizes)`, generatedTree(), work, { alternative: true })];
  if (process.env.BENCH_FIM_SKIP_USR !== '1' && existsSync('/usr/lib'))
    results.push(await benchTree('/usr/lib', '/usr/lib', work, { alternative: false }));

  process.stdout.write('\n');
  const gen = results[0];
  const goals = [
    [`baseline >= 1000 MB/s on the generated tree (${fmt(gen.hwMBs)} MB/s)`, gen.hwMBs >= 1000],
    [
      `unchanged rescan >= 50,000 files/s (${results.map((r) => `${r.label}: ${fmt(r.rescanS)}`).join('; ')})`,
      results.every((r) => r.rescanS >= 50_000),
    ],
  ];
  for (const r of results) {
    console.log(
      `summary: fim ${r.label}: baseline ${fmt(r.hwMBs)} MB/s, ${fmt(r.hwFilesS)} files/s; ` +
        `${r.sha256sumRatio.toFixed(2)}x sha256sum${r.aideRatio ? `, ${r.aideRatio.toFixed(2)}x aide --init` : ''}; unchanged rescan ${fmt(r.rescanS)} files/s`,
    );
  }
  for (const [g, ok] of goals) console.log(`summary: fim goal ${g}: ${ok ? 'met' : 'NOT met'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
