#!/usr/bin/env node
// Idle cost of a glob matching many files: the built exporter (logs collector only) follows
// /tmp/.../*.log, which matches 10 files (the anchor) then 10,000 (1,024 followed, the others
// reported as too_many_files); nothing is written; CPU time over 20 s is read from /proc/<pid>/stat.
// Needs `npm run build` first.
//
//   node bench/many-files.mjs [--files=10000] [--seconds=20]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => Number(process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const FILES = arg('files', 10_000);
const SECONDS = arg('seconds', 20);
const TICKS = 100; // USER_HZ on Linux

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-many-'));
const children = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function idleCpu(files) {
  const dir = join(tmp, `logs-${files}`);
  mkdirSync(dir);
  const line = '10.0.0.1 - - [23/Nov/2026:16:00:00 +0000] "GET /x HTTP/1.1" 200 10 "-" "bench"\n';
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `app${String(i).padStart(5, '0')}.log`), line);
  const config = join(tmp, `hostwatch-${files}.yml`);
  writeFileSync(config, `logs:\n  - name: many\n    type: access\n    path: ${JSON.stringify(join(dir, '*.log'))}\n    format: combined\n`);
  const { COLLECTORS } = await import(pathToFileURL(join(ROOT, 'dist/collectors/index.js')).href);
  const flags = COLLECTORS.map((c) => (c.name === 'logs' ? '--collector.logs' : `--no-collector.${c.name}`));
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'dist/main.js'),
      `--config.file=${config}`,
      `--state.dir=${join(tmp, `state-${files}`)}`,
      '--web.listen-address=127.0.0.1:0',
      '--log.level=info',
      ...flags,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  // Idle from the end of the first pass over every file, which the start-up line "following" marks.
  const t0ms = Date.now();
  await new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      if (/msg="following /.test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`hostwatch exited (${code}): ${err}`)));
  });
  const firstPass = (Date.now() - t0ms) / 1000;
  await sleep(2000);
  const t0 = cpuTicks(child.pid);
  await sleep(SECONDS * 1000);
  const used = (cpuTicks(child.pid) - t0) / TICKS;
  child.kill('SIGTERM');
  return { cpu: (100 * used) / SECONDS, firstPass };
}

if (!existsSync(join(ROOT, 'dist/main.js'))) {
  console.error('bench/many-files: dist/main.js is missing: run `npm run build` first');
  process.exit(1);
}
const anchor = await idleCpu(10);
const many = await idleCpu(FILES);
console.log(`\nidle CPU of the logs collector following a glob, ${SECONDS} s, nothing written (% of one core)`);
console.log(
  `load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${os.cpus().length} CPUs; noisy when other work runs)`,
);
console.log(`  10 files:        ${anchor.cpu.toFixed(1)} % (start-up to the end of the first pass: ${anchor.firstPass.toFixed(1)} s)`);
console.log(
  `  ${FILES} files:  ${many.cpu.toFixed(1)} % (1,024 followed, the others reported as too_many_files; first pass ${many.firstPass.toFixed(1)} s)`,
);
console.log(
  `summary: idle CPU with a glob of ${FILES} files: ${many.cpu.toFixed(1)} % of a core vs ${anchor.cpu.toFixed(1)} % with 10 files (ratio ${(many.cpu / Math.max(anchor.cpu, 0.1)).toFixed(1)})`,
);
