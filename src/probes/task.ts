// One configured probe, ready to run: its prober prepared once (TLS files read, regexps compiled) and
// each run bounded by the probe's timeout. A probe whose preparation fails (an unreadable ca_file)
// fails every run with that reason, and is prepared again at its next run (the file may appear).
import type { ProbeConfig } from './config.js';
import { prepareDns } from './dns.js';
import { prepareHttp } from './http.js';
import { findPing, prepareIcmp, type PingCommand } from './icmp.js';
import { abortable, ProbeError, ProbeRun, type ProbeResult } from './result.js';
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
    const timeout = AbortSignal.timeout(this.config.timeout);
    const signal = stop ? AbortSignal.any([stop, timeout]) : timeout;
    const run = new ProbeRun(signal);
    try {
      this.prober ??= await this.prepare().catch((err: Error) => {
        throw new ProbeError('error', err.message);
      });
      // abortable(): the timeout holds even for a prober that missed an abort.
      await abortable(this.prober(run), signal);
      return run.succeeded(this.now());
    } catch (err) {
      return run.failed(err, this.now());
    }
  }
}

/** Builds the tasks of the configured probes; finds ping once when an icmp probe needs it. */
export async function createTasks(probes: readonly ProbeConfig[], opts: TaskOptions = {}): Promise<{ tasks: ProbeTask[]; ping?: PingCommand }> {
  const needsPing = probes.some((p) => p.type === 'icmp');
  const ping = opts.ping === null ? undefined : opts.ping ?? (needsPing ? await findPing() : undefined);
  const now = opts.now ?? Date.now;
  return { tasks: probes.map((p) => new ProbeTask(p, ping, now)), ping };
}
