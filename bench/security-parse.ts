// Auth and firewall log types without the tailer: handler throughput on synthetic auth.log and
// ufw.log (../shared/genlogs.py), the cost of a snapshot at the max_sources cap (taken at every
// scrape), and fail2ban-regex with its sshd filter on the same auth file, when installed, as a ratio.
// Prints figures; asserts nothing (the machine may be busy).
//   node --import tsx bench/security-parse.ts [LINES]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { AuthLogConfig } from '../src/logs/auth/config.js';
import type { FirewallLogConfig } from '../src/logs/firewall/config.js';
import { systemClock } from '../src/core/clock.js';
import { AuthHandler } from '../src/logs/auth/handler.js';
import { FirewallHandler } from '../src/logs/firewall/handler.js';
import { genlogsPath } from './genlogs.mjs';

const N = Number(process.argv[2] ?? 500_000);
const dir = mkdtempSync(join(tmpdir(), 'hw-bench-security-'));

function generate(kind: 'auth' | 'ufw'): string {
  const file = join(dir, `${kind}.log`);
  execFileSync('python3', [genlogsPath(), kind, String(N), file]);
  return file;
}

function best(runs: number, fn: () => number): number {
  let b = 0;
  for (let i = 0; i < runs; i++) b = Math.max(b, fn());
  return b;
}

try {
  const cfg = parseConfig({
    logs: [
      { name: 'auth', type: 'auth', path: '/x' },
      { name: 'fw', type: 'firewall', path: '/y' },
    ],
  });
  const authCfg = cfg.logs[0] as AuthLogConfig;
  const fwCfg = cfg.logs[1] as FirewallLogConfig;

  const authFile = generate('auth');
  const authLines = readFileSync(authFile, 'utf8').split('\n');
  authLines.pop();
  const authRate = best(3, () => {
    const h = new AuthHandler({ config: authCfg, clock: systemClock });
    const t0 = performance.now();
    for (const l of authLines) h.processLine(l);
    return authLines.length / ((performance.now() - t0) / 1000);
  });
  console.log(
    `auth handler: ${Math.round(authRate).toLocaleString('en')} lines/s (${N.toLocaleString('en')} genlogs auth lines, best of 3)`,
  );

  const fwFile = generate('ufw');
  const fwLines = readFileSync(fwFile, 'utf8').split('\n');
  fwLines.pop();
  const fwRate = best(3, () => {
    const h = new FirewallHandler({ config: fwCfg, clock: systemClock });
    const t0 = performance.now();
    for (const l of fwLines) h.processLine(l);
    return fwLines.length / ((performance.now() - t0) / 1000);
  });
  console.log(
    `firewall handler: ${Math.round(fwRate).toLocaleString('en')} lines/s (${N.toLocaleString('en')} genlogs ufw lines, best of 3)`,
  );

  // Snapshot at the cap: max_sources (10,000) sources over the threshold with full windows.
  const full = new AuthHandler({ config: authCfg, clock: systemClock });
  for (let i = 0; i < authCfg.bruteforce.max_sources; i++) {
    for (let k = 0; k < authCfg.bruteforce.threshold; k++) {
      full.processLine(`2024-03-03T10:00:0${k}Z h sshd[${i}]: Failed password for root from 10.0.${i >> 8}.${i & 255} port 22 ssh2`);
    }
  }
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < 20; i++) bytes = JSON.stringify(full.snapshot()).length;
  const snapMs = (performance.now() - t0) / 20;
  console.log(
    `auth snapshot at the cap (${full.trackedSources} sources): ${snapMs.toFixed(1)} ms incl. JSON, ${(bytes / 1024).toFixed(0)} KiB`,
  );

  const f2b = spawnSync('fail2ban-regex', ['--version'], { encoding: 'utf8' });
  if (f2b.status === 0) {
    const t1 = performance.now();
    const r = spawnSync('fail2ban-regex', [authFile, '/etc/fail2ban/filter.d/sshd.conf'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const secs = (performance.now() - t1) / 1000;
    const f2bRate = authLines.length / secs;
    console.log(`fail2ban-regex (filter.d/sshd.conf, same file): ${Math.round(f2bRate).toLocaleString('en')} lines/s (exit ${r.status})`);
    console.log(
      `summary: auth ${Math.round(authRate).toLocaleString('en')} lines/s = ${(authRate / f2bRate).toFixed(1)}x fail2ban-regex; firewall ${Math.round(fwRate).toLocaleString('en')} lines/s; snapshot at cap ${snapMs.toFixed(1)} ms`,
    );
  } else {
    console.log('fail2ban-regex not installed (apt-get install fail2ban): comparison skipped');
    console.log(
      `summary: auth ${Math.round(authRate).toLocaleString('en')} lines/s; firewall ${Math.round(fwRate).toLocaleString('en')} lines/s; snapshot at cap ${snapMs.toFixed(1)} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
