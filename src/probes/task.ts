// One configured probe, ready to run: its prober prepared once (TLS files read, regexps compiled) and
// each run bounded by the probe's timeout. A probe whose preparation fails (an unreadable ca_file)
// fails every run with that reason, and is prepared again at its next run (the file may appear).
import type { ProbeConfig } from './config.js';
import { prepareDns } from './dns.js';
import { prepareHttp } from './http.js';
import { findPing, prepareIcmp, type PingCommand } from './icmp.js';
import { ProbeError, ProbeRun, type ProbeResult } from './result.js';
import { prepareTcp } from './tcp.js';

export type Prober = (run: ProbeRun) => Promise<void>;

export interface TaskOptions {
  /** How ping is run; default: the first of the standard paths (looked up once per task list). */
  ping?: PingCommand | null;
  now?: () => number;
}

export class ProbeTask {
  private prober?: Prober;

  constructor(
    readonly config: ProbeConfig,
    private readonly ping: PingCommand | undefined,
    private readonly now: () => number,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get interval(): number {
    return this.config.interval;
  }

  private prepare(): Promise<Prober> {
    const c = this.config;
    switch (c.type) {
      case 'http':
        return prepareHttp(c);
      case 'tcp':
        return prepareTcp(c);
      case 'dns':
        return prepareDns(c);
      case 'icmp':
        return Promise.resolve(prepareIcmp(c, this.ping));
    }
  }

  /** Runs the probe once; never rejects. `stop` aborts it (shutdown, reload). */
  async run(stop?: AbortSignal): Promise<ProbeResult> {
    // One controller and a timer cleared at the end: AbortSignal.timeout's timer cannot be cleared
    // (it lives until it fires) and AbortSignal.any costs ~50 µs per run, at hundreds of runs a second.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error('probe timeout')), this.config.timeout);
    const onStop = () => ac.abort(stop!.reason);
    stop?.addEventListener('abort', onStop, { once: true });
    const run = new ProbeRun(ac.signal);
    try {
      this.prober ??= await this.prepare().catch((err: Error) => {
        throw new ProbeError('error', err.message);
      });
      // Awaited to the end, not raced against the timeout: every prober stops on the abort, and the
      // slot stays taken until its sockets are closed and its ping process reaped (racing let
      // hundreds of killed pings pile up, unreaped, when the exporter was short of CPU).
      await this.prober(run);
      return run.succeeded(this.now());
    } catch (err) {
      return run.failed(err, this.now());
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    }
  }
}

/** Builds the tasks of the configured probes; finds ping once when an icmp probe needs it. */
export async function createTasks(
  probes: readonly ProbeConfig[],
  opts: TaskOptions = {},
): Promise<{ tasks: ProbeTask[]; ping?: PingCommand }> {
  const needsPing = probes.some((p) => p.type === 'icmp');
  const ping = opts.ping === null ? undefined : (opts.ping ?? (needsPing ? await findPing() : undefined));
  const now = opts.now ?? Date.now;
  return { tasks: probes.map((p) => new ProbeTask(p, ping, now)), ping };
}
