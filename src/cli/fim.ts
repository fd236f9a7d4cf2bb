// `hostwatch fim status|accept`.
// status runs a fresh scan, like `aide --check`: an operator asking "what changed?" wants the
// answer for now, not as of the exporter's last hourly scan (`--cached` gives that one instead,
// without scanning). It never writes. Exit code like diff(1): 0 nothing changed, 1 changes, 2 trouble.
// accept scans too, then writes the baseline under the state lock; a running exporter notices the
// new baseline file at its next scrape (one stat per root) and its changed-files gauges drop.
import { loadConfig } from '../config/load.js';
import { resolveStateDir } from '../config/state-dir.js';
import { rootSettings } from '../collectors/fim/index.js';
import { changesOf, lastRecordedState, scanRootNow, type RootScan } from '../fim/offline.js';
import { acceptPaths, changeJson } from '../fim/accept.js';
import { describeRecord } from '../fim/record.js';
import { joinPath, type ScanProgress } from '../fim/scan.js';
import type { PathChange } from '../fim/diff.js';

/** The options of `fim status` and `fim accept`, as parsed by commander in main.ts. */
export interface FimOptions {
  'config.file': string;
  'state.dir'?: string;
  json?: boolean;
  cached?: boolean;
  /** Worker threads for the scan; 0: the command's own thread. */
  workers: number;
}

/** Progress of long scans on stderr: silent for the first second, then once a second. */
export function progressPrinter(
  out: { write: (s: string) => unknown; isTTY?: boolean } = process.stderr,
  now: () => number = Date.now,
): { onProgress: (root: string, p: ScanProgress) => void; done: () => void } {
  const tty = Boolean(out.isTTY);
  let last = now();
  let printed = false;
  return {
    onProgress: (root, p) => {
      const t = now();
      if (t - last < 1000) return;
      last = t;
      printed = true;
      const mb = p.hashedBytes / 1e6;
      const line = `fim: scanning ${root}: ${p.entries} entries, ${mb.toFixed(1)} MB hashed, ${(mb / Math.max(0.001, p.elapsedMs / 1000)).toFixed(1)} MB/s`;
      out.write(tty ? `\r${line}\x1b[K` : line + '\n');
    },
    done: () => {
      if (printed && tty) out.write('\n');
    },
  };
}

/** The roots of the config file and the state dir the exporter uses with it (src/config/state-dir.ts). */
async function loadRoots(opts: FimOptions) {
  const config = await loadConfig(opts['config.file']);
  const roots = rootSettings(config.fim);
  if (roots.length === 0) throw new Error(`${opts['config.file']}: no fim.roots configured`);
  const state = resolveStateDir(opts['state.dir'], config, opts['config.file']);
  if (state.note) process.stderr.write(`fim: ${state.note}\n`);
  return { roots, stateDir: state.dir };
}

function detail(c: PathChange): string {
  const o = describeRecord(c.old);
  const n = describeRecord(c.new);
  const parts: string[] = [];
  if (o && n) {
    if (c.kinds.includes('permissions')) parts.push(`mode ${o.mode} -> ${n.mode}`);
    if (c.kinds.includes('owner')) parts.push(`owner ${o.owner} -> ${n.owner}`);
    if (c.kinds.includes('content')) {
      if (o.type !== n.type) parts.push(`type ${o.type} -> ${n.type}`);
      else if (o.target !== undefined || n.target !== undefined) parts.push(`target ${o.target} -> ${n.target}`);
      else
        parts.push(
          `sha256 ${String(o.sha256 ?? '-').slice(0, 12)} -> ${String(n.sha256 ?? '-').slice(0, 12)}, size ${o.size} -> ${n.size}`,
        );
    }
  }
  return parts.join(', ');
}

/** `fim status`; returns the exit code. */
export async function fimStatus(opts: FimOptions): Promise<number> {
  const { roots, stateDir } = await loadRoots(opts);
  const progress = progressPrinter();
  const results: RootScan[] = [];
  for (const s of roots) {
    results.push(
      opts.cached
        ? await lastRecordedState(s, stateDir)
        : await scanRootNow(s, stateDir, { onProgress: progress.onProgress, workers: opts.workers }),
    );
  }
  progress.done();
  let total = 0;
  let missing = 0;
  const out = results.map((r) => {
    const changes = r.recorded === false ? [] : changesOf(r);
    total += changes.length;
    if (!r.baseline || r.recorded === false) missing++;
    return { r, changes };
  });
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        {
          source: opts.cached ? 'exporter-state' : 'scan',
          roots: out.map(({ r, changes }) => ({
            root: r.root,
            critical: r.settings.critical,
            baseline: r.baseline ? { createdAt: r.baseline.createdAt, acceptedAt: r.baseline.acceptedAt } : null,
            ...(r.recorded === false ? { exporterState: null } : {}),
            entries: r.current.size,
            errors: r.scan?.errors ?? null,
            unreadable: r.scan ? r.scan.unreadable.map((u) => ({ path: joinPath(r.root, u.rel), reason: u.reason })) : null,
            changes: changes.map((c) => changeJson(r, c)),
          })),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    for (const { r, changes } of out) {
      const head = `${r.root}${r.settings.critical ? ' (critical)' : ''}`;
      if (!r.baseline) {
        process.stdout.write(
          `${head}: no baseline yet in ${stateDir} (the exporter creates it on its first scan, or run \`hostwatch fim accept\`)\n`,
        );
        continue;
      }
      if (r.recorded === false) {
        process.stdout.write(`${head}: no scan recorded by the exporter yet (run without --cached to scan now)\n`);
        continue;
      }
      const errs = r.scan
        ? Object.entries(r.scan.errors)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${n} ${k}`)
        : [];
      process.stdout.write(
        `${head}: ${changes.length === 0 ? 'no changes' : `${changes.length} changed ${changes.length === 1 ? 'path' : 'paths'}`} since the baseline accepted ${r.baseline.acceptedAt} (${r.current.size} entries${errs.length ? `, errors: ${errs.join(', ')}` : ''})\n`,
      );
      for (const u of r.scan?.unreadable ?? [])
        process.stdout.write(`  ${`unreadable (${u.reason})`.padEnd(20)} ${joinPath(r.root, u.rel)}\n`);
      for (const c of changes) {
        const d = detail(c);
        process.stdout.write(`  ${c.kinds.join(',').padEnd(20)} ${joinPath(r.root, c.rel)}${d ? `  (${d})` : ''}\n`);
      }
    }
  }
  if (missing > 0) return 2;
  return total > 0 ? 1 : 0;
}

/** `fim accept [PATH...]`; returns the exit code. */
export async function fimAccept(paths: string[], opts: FimOptions): Promise<number> {
  const { roots, stateDir } = await loadRoots(opts);
  const progress = progressPrinter();
  const results = await acceptPaths(roots, paths, stateDir, { onProgress: progress.onProgress, workers: opts.workers });
  progress.done();
  for (const r of results) {
    if (opts.json) {
      process.stdout.write(JSON.stringify(r) + '\n');
    } else if (r.created) {
      process.stdout.write(`${r.root}: baseline created (${r.entries} entries)\n`);
    } else {
      process.stdout.write(`${r.root}: accepted ${r.accepted.length} changed ${r.accepted.length === 1 ? 'path' : 'paths'}\n`);
      for (const c of r.accepted) process.stdout.write(`  ${c.change.join(',').padEnd(20)} ${c.path}\n`);
    }
  }
  return 0;
}
