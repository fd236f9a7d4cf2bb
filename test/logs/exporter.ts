// The real exporter as a child process (from the sources, through tsx), logs collector only, for
// the tests that need a process to kill, restart, or run without root's file access.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLLECTORS } from '../../src/collectors/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Exporter {
  port: number;
  /** Everything it wrote to stderr (its log). */
  stderr: () => string;
  /** GET /metrics, as text. */
  metrics: () => Promise<string>;
  /** The value of one series, e.g. `hostwatch_log_file_errors{log="web",reason="gone"}` (NaN when absent). */
  value: (series: string) => Promise<number>;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

/**
 * Starts the exporter with `config` and its state in `stateDir`. `permissionsApply`: as root, run it
 * through setpriv without the capabilities that bypass file permissions (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH), so that a mode-000 file is really unreadable to it.
 */
export async function startExporter(config: string, stateDir: string, opts: { permissionsApply?: boolean } = {}): Promise<Exporter> {
  const others = COLLECTORS.filter((c) => c.name !== 'logs').map((c) => `--no-collector.${c.name}`);
  let argv = [process.execPath, '--import', 'tsx', 'src/main.ts', `--config.file=${config}`, `--state.dir=${stateDir}`, '--web.listen-address=127.0.0.1:0', '--collector.logs', ...others];
  if (opts.permissionsApply && process.getuid?.() === 0) argv = ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-all', ...argv];
  const proc: ChildProcess = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /hostwatch listening"? address=\S*:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`exporter exited (${code}) before listening:\n${log}`)));
  });
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    port,
    stderr: () => log,
    metrics,
    value: async (series) => {
      const text = await metrics();
      const at = text.indexOf(`\n${series} `);
      return at < 0 ? NaN : Number(text.slice(at + series.length + 2, text.indexOf('\n', at + 1)));
    },
    kill: async (signal = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await exited;
    },
  };
}

/** Polls `check` until it is true (a loaded machine is slow, not wrong); false after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
