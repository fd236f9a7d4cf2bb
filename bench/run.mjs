#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs each benchmark one after another, never in
// parallel (they measure the same 2 cores), shows their output as it comes, then a summary.
// A benchmark reports its key figures on lines starting with `summary:`; for one that prints none,
// its last lines are shown instead. Exits 1 when a benchmark that exists failed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const BENCHES = [
  {
    file: 'startup.mjs',
    what: 'start to first scrape and idle RSS of the shipped config, against node_exporter and a bare node:http server',
  },
  { file: 'scrape.mjs', what: 'scrape latency and RSS against node_exporter' },
  {
    file: 'scrape.mjs',
    args: ['--logs', '--scrapes=300'],
    what: 'scrape latency against node_exporter while a log is written (no scrape waits for a checkpoint)',
  },
  { file: 'ingest.mjs', what: 'log ingestion throughput' },
  { file: 'many-files.mjs', what: 'idle CPU of a glob matching 10,000 files' },
  {
    file: 'torture.mjs',
    what: 'rotation torture: 100 rotations of mixed kinds, 10 SIGKILLs, 2 stops across two rotations, every line exactly once',
  },
  { file: 'fim.mjs', what: 'file integrity scan' },
  { file: 'fim-memory.mjs', what: 'FIM memory of the exporter over 100,000 files: peak, after the scan, after idle, against aide --init' },
  { file: 'http-attack.mjs', what: 'a scraper under HTTP attack (TLS + basic auth), with and without the connection limits; 401 timing' },
  // TypeScript, run from source through tsx (a dev dependency, there after `npm ci`).
  { file: 'host-collectors.ts', what: 'per-collector cost against node_exporter', nodeArgs: ['--import', 'tsx'] },
  { file: 'series.mjs', what: 'series and bytes per scrape of the shipped config, remote_write bytes per sample (docs/scaling.md)' },
  { file: 'inventory.mjs', what: 'asset inventory import of 1,000,000-host exports (hosts/s, peak RSS)' },
  {
    file: 'probes.mjs',
    what: '200 probes at a 1 s interval: CPU and RSS against the same exporter without probes (and blackbox_exporter when installed)',
  },
  { file: 'access-parse.ts', what: 'access-log and pattern-rule parser throughput (without the tailer)', nodeArgs: ['--import', 'tsx'] },
  { file: 'floods.mjs', what: 'floods of 1,000,000 distinct values through the live exporter: series and peak RSS per log type' },
  { file: 'journal.ts', what: 'the journal as a log source, against the same lines from a file', nodeArgs: ['--import', 'tsx'] },
  {
    file: 'audit-lynis.ts',
    what: 'hostwatch audit against lynis audit system --quick: time and findings (Lynis takes minutes)',
    nodeArgs: ['--import', 'tsx'],
  },
];

function runOne(path, nodeArgs = [], args = []) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...nodeArgs, path, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: join(BENCH_DIR, '..') });
    const lines = [];
    let partial = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop();
      lines.push(...parts);
      // Keep memory bounded whatever a benchmark prints: summary lines and the tail are enough.
      if (lines.length > 2000) lines.splice(0, lines.length - 2000);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (code, signal) => {
      if (partial) lines.push(partial);
      resolve({ code, signal, seconds: (Date.now() - started) / 1000, lines });
    });
  });
}

const label = (b) => [b.file, ...(b.args ?? [])].join(' ');

const results = [];
for (const b of BENCHES) {
  const path = join(BENCH_DIR, b.file);
  if (!existsSync(path)) {
    results.push({ ...b, status: 'missing' });
    continue;
  }
  console.log(`\n=== bench/${label(b)}: ${b.what} ===`);
  const r = await runOne(path, b.nodeArgs, b.args);
  const summary = r.lines.filter((l) => l.startsWith('summary:')).map((l) => l.slice('summary:'.length).trim());
  const tail = r.lines.filter((l) => l.trim() !== '').slice(-5);
  results.push({
    ...b,
    status: r.code === 0 ? 'ok' : `FAILED (${r.signal ?? `exit ${r.code}`})`,
    seconds: r.seconds,
    figures: summary.length > 0 ? summary : tail,
  });
}

console.log('\n=== benchmark summary ===');
for (const r of results) {
  if (r.status === 'missing') {
    console.log(`bench/${r.file}: missing (not written yet): ${r.what} not measured`);
    continue;
  }
  console.log(`bench/${label(r)}: ${r.status} in ${r.seconds.toFixed(1)} s`);
  for (const f of r.figures) console.log(`  ${f}`);
}
process.exitCode = results.some((r) => r.status.startsWith('FAILED')) ? 1 : 0;
