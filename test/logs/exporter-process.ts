// The real exporter as a child process (the built dist/main.js, only the logs collector), for the crash tests: started
// on an ephemeral port, scraped over HTTP, killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { COLLECTORS } from '../../src/collectors/index.js';
import { MAIN_JS, REPO_ROOT as ROOT } from '../support/main.js';

export class ExporterProcess {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
    readonly stderr: string[],
  ) {}

  /**
   * Starts the exporter with `--config.file` and `--state.dir`; resolves once it listens.
   * `permissionsApply`: as root, run it through setpriv without the capabilities that bypass file
   * permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): still uid 0, but a mode-000 file is
   * unreadable to it, as to any exporter that is not root.
   */
  static async start(configFile: string, stateDir: string, opts: { permissionsApply?: boolean } = {}): Promise<ExporterProcess> {
    const others = COLLECTORS.filter((c) => c.name !== 'logs').map((c) => `--no-collector.${c.name}`);
    let argv = [
      process.execPath,
      MAIN_JS,
      `--config.file=${configFile}`,
      `--state.dir=${stateDir}`,
      '--web.listen-address=127.0.0.1:0',
      '--collector.logs',
      ...others,
    ];
    if (opts.permissionsApply && process.getuid?.() === 0)
      argv = ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-all', ...argv];
    const proc = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr: string[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      proc.stderr!.on('data', (d: Buffer) => {
        buf += d.toString();
        stderr.push(d.toString());
        const m = /hostwatch listening"? address=\S*:(\d+)/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      proc.once('exit', (code) => reject(new Error(`exporter exited (${code}) before listening:\n${buf}`)));
    });
    return new ExporterProcess(proc, port, stderr);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** SIGKILL (or `signal`: SIGTERM stops it cleanly), and wait until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill(signal);
    await exited;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    if (res.status !== 200) throw new Error(`scrape: HTTP ${res.status}`);
    return res.text();
  }
}

/** The value of one series in an exposition text, e.g. `hostwatch_log_file_errors{log="web",reason="gone"}` (NaN when absent). */
export function valueOf(text: string, series: string): number {
  const at = text.indexOf(`\n${series} `);
  return at < 0 ? NaN : Number(text.slice(at + series.length + 2, text.indexOf('\n', at + 1)));
}

/** The sum of the samples of a metric family in an exposition text. */
export function sumOf(text: string, family: string): number {
  let sum = 0;
  for (const l of text.split('\n')) {
    if (l.startsWith(`${family}{`) || l.startsWith(`${family} `)) sum += Number(l.slice(l.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * Scrapes (with `scrape`, which checks what it must on each) until the count reaches `target`, and
 * checks it is exactly that: the exporter caught up, nothing lost or counted twice.
 */
export async function untilCaughtUp(scrape: () => Promise<number>, target: number): Promise<void> {
  const deadline = Date.now() + 45_000; // generous: a loaded machine is slow, not wrong
  let count = await scrape();
  while (count < target && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    count = await scrape();
  }
  if (count !== target) throw new Error(`counted ${count}, expected ${target}`);
}
