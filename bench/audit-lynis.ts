// `hostwatch audit` against Lynis (Debian package lynis) on this host, in one run:
//  - time: `lynis audit system --quick` (one run: it takes minutes) and `hostwatch audit` of the
//    built exporter, cold (no cached package-manager result) then warm (hyperfine, 5 runs); wall
//    time and the CPU time of the processes and their children (hyperfine's rusage);
//  - findings: every Lynis warning must have a failing hostwatch check mapped to it, or be a
//    documented skip (src/audit/lynis.ts); the same for the KRNL-6000 kernel settings. Exits 1 when
//    one is missed or unmapped. A benchmark, not a test: the figures depend on the (shared) machine.
//
//   npx tsx bench/audit-lynis.ts [--lynis-report=FILE --lynis-log=FILE]  (reuse a Lynis run)
// Needs root (both tools read /etc/shadow and the like) and a built dist/ (npm run bench builds it).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compareWithLynis, parseLynisReport, parseLynisSysctlMismatches } from '../src/audit/lynis.js';

const REPO = resolve(import.meta.dirname, '..');
const MAIN = join(REPO, 'dist', 'main.js');
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

interface Timing {
  wall: number;
  user: number;
  system: number;
}

/** Times a command with hyperfine (no shell); returns the mean of the runs. */
function hyperfine(argv: string[], runs: number, warmup = 0, cwd = REPO): Timing {
  const dir = mkdtempSync(join(tmpdir(), 'hostwatch-bench-hf-'));
  try {
    const out = join(dir, 'out.json');
    // hyperfine splits the command line itself with --shell=none: arguments must not contain spaces.
    if (argv.some((a) => /\s/.test(a))) throw new Error(`argument with a space: ${argv.join(' ')}`);
    // -i: an audit with findings exits 1, which is not a failure of the command.
    execFileSync(
      'hyperfine',
      ['-N', '-i', '--runs', String(runs), '--warmup', String(warmup), '--export-json', out, '--style', 'none', argv.join(' ')],
      { cwd, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const r = JSON.parse(readFileSync(out, 'utf8')).results[0];
    return { wall: r.mean, user: r.user, system: r.system };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (t: Timing) =>
  `${t.wall.toFixed(2)} s wall, ${(t.user + t.system).toFixed(2)} s CPU (user ${t.user.toFixed(2)}, sys ${t.system.toFixed(2)})`;

if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: npm run build first');
if (process.getuid?.() !== 0) process.stderr.write("warning: not root: both tools see less (shadow, sudoers, other users' processes)\n");
const work = mkdtempSync(join(tmpdir(), 'hostwatch-bench-audit-'));

// hostwatch: cold (runs the package manager, caches its result in the state dir), then warm.
const state = join(work, 'state');
const hwArgs = [process.execPath, '--max-semi-space-size=1', MAIN, 'audit', '--json', `--state.dir=${state}`];
const t0 = process.hrtime.bigint();
const cold = spawnSync(hwArgs[0], hwArgs.slice(1), { cwd: work, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const coldWall = Number(process.hrtime.bigint() - t0) / 1e9;
if (cold.status !== 0 && cold.status !== 1) throw new Error(`hostwatch audit failed (${cold.status}): ${cold.stderr}`);
const report = JSON.parse(cold.stdout) as { checks: { id: string; status: string; severity: string }[]; score: number; durationMs: number };
const warm = hyperfine(hwArgs, 5, 1, work);
// Where the time goes: the audit without the two costly facts' checks, for the record.
const noUpdates = hyperfine([...hwArgs, '--category=ssh,accounts,firewall,network,kernel,encryption,logging,services'], 3, 1, work);

// Lynis: one run (or a given report).
let lynisReport = arg('lynis-report');
let lynisLog = arg('lynis-log');
let lynisTime: Timing | undefined;
if (!lynisReport || !lynisLog) {
  lynisReport = join(work, 'lynis-report.dat');
  lynisLog = join(work, 'lynis.log');
  lynisTime = hyperfine(
    ['lynis', 'audit', 'system', '--quick', '--no-colors', '--report-file', lynisReport, '--logfile', lynisLog],
    1,
    0,
    work,
  );
}
const lynis = parseLynisReport(readFileSync(lynisReport, 'utf8'));
const mismatches = parseLynisSysctlMismatches(readFileSync(lynisLog, 'utf8'));
const cmp = compareWithLynis(lynis, mismatches, report.checks);

const failing = report.checks.filter((c) => c.status === 'fail');
console.log(
  `hostwatch audit: score ${report.score}, ${failing.length} failing of ${report.checks.length} checks (${report.checks.filter((c) => c.status === 'error').length} could not be evaluated)`,
);
console.log(
  `Lynis: hardening index ${lynis.hardeningIndex}, ${lynis.warnings.length} warnings, ${lynis.suggestions.length} suggestions, ${mismatches.size} kernel settings off its profile`,
);
const section = (title: string, items: string[]) => {
  console.log(`\n${title} (${items.length})`);
  for (const i of items) console.log(`  ${i}`);
};
section('Lynis warnings and kernel settings hostwatch also fails on', cmp.matched);
section('MISSED: Lynis finds it, hostwatch passes', cmp.missed);
section('UNMAPPED: not in src/audit/lynis.ts', cmp.unmapped);
section('deliberately not checked by hostwatch', cmp.skipped);
section('kernel settings hostwatch deliberately accepts', cmp.differences);
section('Lynis suggestions with a failing hostwatch check', cmp.suggestionsMatched);
section('Lynis suggestions without one (other categories, or hostwatch passes)', cmp.suggestionsNotMatched);
console.log('');
console.log(
  `summary: hostwatch audit cold ${coldWall.toFixed(2)} s wall (in-process ${(report.durationMs / 1000).toFixed(2)} s; runs apt-get/dnf and caches it)`,
);
console.log(`summary: hostwatch audit warm ${fmt(warm)} (goal < 2 s)`);
console.log(`summary: hostwatch audit without the updates and filesystem categories (no package manager, no tree walk) ${fmt(noUpdates)}`);
if (lynisTime)
  console.log(
    `summary: lynis audit system --quick ${fmt(lynisTime)}; ratio ${(lynisTime.wall / warm.wall).toFixed(0)}x hostwatch's warm wall time`,
  );
console.log(
  `summary: Lynis warnings ${lynis.warnings.length}: ${cmp.matched.filter((m) => !m.startsWith('KRNL-6000')).length} matched by a failing check, ${cmp.skipped.filter((s) => !s.startsWith('KRNL-6000')).length} deliberately skipped, ${cmp.missed.length} missed, ${cmp.unmapped.length} unmapped`,
);
console.log(
  `summary: KRNL-6000 kernel settings ${mismatches.size}: ${cmp.matched.filter((m) => m.startsWith('KRNL-6000')).length} matched, ${cmp.differences.length} documented differences, ${cmp.skipped.filter((s) => s.startsWith('KRNL-6000')).length} skipped`,
);
console.log(`summary: Lynis suggestions ${lynis.suggestions.length}: ${cmp.suggestionsMatched.length} with a failing hostwatch check`);
console.log('(the machine is shared with other work: timings vary between runs; compare the ratio)');
rmSync(work, { recursive: true, force: true });
process.exitCode = cmp.missed.length + cmp.unmapped.length > 0 ? 1 : 0;
