// probes: the last result of each configured probe (probes.targets), with blackbox_exporter's
// semantics. The probes run in the background on their own schedules (src/probes/scheduler.ts); a
// scrape only renders what they last reported, so a slow or hanging target never delays /metrics.
// Nothing is registered (not even HELP lines) and the probe modules are not even imported when no
// probe is configured.
import { Counter, Histogram } from 'prom-client';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import type { Logger } from '../../core/log.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import type { ProbeConfig, ProbesConfig } from '../../probes/config.js';
import type { PingCommand } from '../../probes/icmp.js';
import { PHASES, type ProbeResult } from '../../probes/result.js';
import type { ProbeScheduler } from '../../probes/scheduler.js';

export interface ProbesOptions {
  /** How ping is run (tests); null: as if there were none. Default: the system ping. */
  ping?: PingCommand | null;
}

interface Last {
  config: ProbeConfig;
  result: ProbeResult;
}

export class ProbesCollector implements Collector {
  private readonly cfg: ProbesConfig;
  private readonly logger: Logger;
  private readonly last = new Map<string, Last>();
  private readonly histogram?: Histogram<'probe'>;
  private readonly skipped?: Counter<'probe'>;
  private scheduler?: ProbeScheduler;
  private stopped = false;

  constructor(
    private readonly ctx: CollectorContext,
    private readonly opts: ProbesOptions = {},
  ) {
    this.cfg = ctx.config.probes;
    this.logger = ctx.logger;
    if (this.cfg.targets.length === 0) return;
    this.register();
    this.histogram = new Histogram({
      name: 'hostwatch_probe_total_duration_seconds',
      help: 'Duration of the successful probes, from name resolution to the end of the last check.',
      labelNames: ['probe'],
      buckets: [...new Set(this.cfg.duration_buckets)].sort((a, b) => a - b),
      registers: [ctx.registry],
    });
    this.skipped = new Counter({
      name: 'hostwatch_probe_skipped_runs_total',
      help: 'Runs of the probe skipped because its previous run, or its wait for a free slot (probes.max_concurrency), overran its interval.',
      labelNames: ['probe'],
      registers: [ctx.registry],
    });
  }

  /** Last result of each probe (tests read it). */
  result(probe: string): ProbeResult | undefined {
    return this.last.get(probe)?.result;
  }

  private register(): void {
    const r = this.ctx.registry;
    const each = (fn: (name: string, last: Last) => Sample | Sample[] | undefined) => () => {
      const out: Sample[] = [];
      for (const [name, last] of this.last) {
        const s = fn(name, last);
        if (Array.isArray(s)) out.push(...s);
        else if (s) out.push(s);
      }
      return out;
    };
    const detail = (name: string, help: string, get: (r: ProbeResult) => number | undefined) =>
      defineMetric(r, {
        name,
        help,
        type: 'gauge',
        labelNames: ['probe'],
        samples: each((probe, { result }) => {
          const v = get(result);
          return v === undefined ? undefined : { labels: { probe }, value: v };
        }),
      });

    defineMetric(r, {
      name: 'hostwatch_probe_success',
      help: 'Whether the last probe of the target succeeded (blackbox_exporter probe_success).',
      type: 'gauge',
      labelNames: ['probe', 'type'],
      samples: each((probe, { config, result }) => ({ labels: { probe, type: config.type }, value: result.success ? 1 : 0 })),
    });
    defineMetric(r, {
      name: 'hostwatch_probe_duration_seconds',
      help: 'Time the last probe spent in each phase it went through: resolve, connect, tls, processing (to the first response byte), transfer.',
      type: 'gauge',
      labelNames: ['probe', 'phase'],
      samples: each((probe, { result }) =>
        PHASES.filter((p) => result.phases[p] !== undefined).map((phase) => ({ labels: { probe, phase }, value: result.phases[phase]! })),
      ),
    });
    defineMetric(r, {
      name: 'hostwatch_probe_failure_reason',
      help: 'Why the last probe failed (1 for its reason; absent when it succeeded): timeout, resolve, connect, tls, read, status_code, body_regexp, expect, rcode, answer_rrs, no_reply, not_permitted, no_ping_binary...',
      type: 'gauge',
      labelNames: ['probe', 'reason'],
      samples: each((probe, { result }) => (result.failure ? { labels: { probe, reason: result.failure }, value: 1 } : undefined)),
    });
    detail(
      'hostwatch_probe_timestamp_seconds',
      'When the last probe of the target ended, in seconds since the epoch.',
      (res) => res.at / 1000,
    );
    detail('hostwatch_probe_ip_protocol', 'IP version (4 or 6) the last probe used.', (res) => res.ipProtocol);
    detail('hostwatch_probe_http_status_code', 'Status code of the last HTTP response (after redirects).', (res) => res.httpStatus);
    detail('hostwatch_probe_http_redirects', 'Redirects the last HTTP probe followed.', (res) => res.httpRedirects);
    detail(
      'hostwatch_probe_ssl_earliest_cert_expiry',
      'Earliest expiry (notAfter, seconds since the epoch) of the certificates the server presented in the last probe.',
      (res) => res.certExpiry,
    );
    detail('hostwatch_probe_dns_answer_rrs', 'Records in the answer section of the last DNS response.', (res) => res.dnsAnswerRrs);
    detail('hostwatch_probe_dns_authority_rrs', 'Records in the authority section of the last DNS response.', (res) => res.dnsAuthorityRrs);
    detail(
      'hostwatch_probe_dns_additional_rrs',
      'Records in the additional section of the last DNS response.',
      (res) => res.dnsAdditionalRrs,
    );
  }

  async start(): Promise<void> {
    if (this.cfg.targets.length === 0) return;
    const [{ createTasks }, { ProbeScheduler }] = await Promise.all([import('../../probes/task.js'), import('../../probes/scheduler.js')]);
    const clock = this.ctx.clock;
    const { tasks, ping } = await createTasks(this.cfg.targets, { ping: this.opts.ping, now: () => clock.now() });
    if (this.stopped) return;
    if (!ping && tasks.some((t) => t.config.type === 'icmp')) {
      this.logger.warn('no ping program found: icmp probes fail with reason no_ping_binary (install iputils-ping)');
    }
    this.scheduler = new ProbeScheduler(tasks, {
      maxConcurrency: this.cfg.max_concurrency,
      clock,
      onResult: (task, result) => this.record((task as (typeof tasks)[number]).config, result),
      onSkipped: (task, beats) => this.skipped!.inc({ probe: task.name }, beats),
    });
    this.scheduler.start();
  }

  private record(config: ProbeConfig, result: ProbeResult): void {
    const prev = this.last.get(config.name)?.result;
    this.last.set(config.name, { config, result });
    if (result.success) {
      this.histogram!.observe({ probe: config.name }, result.duration);
      if (prev && !prev.success) this.logger.info('probe succeeds again', { probe: config.name, type: config.type });
    } else if (!prev || prev.success || prev.failure !== result.failure) {
      // Logged when the probe starts failing or fails differently, not at every run.
      this.logger.warn('probe failed', {
        probe: config.name,
        type: config.type,
        target: config.target,
        reason: result.failure,
        err: result.message,
      });
    }
  }

  async update(): Promise<void> {
    // Nothing on the scrape path: the metrics render the last results.
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.scheduler?.stop();
  }
}

export const probesCollector: CollectorDefinition = {
  name: 'probes',
  help: 'results of the probes of dependencies (probes.targets: http, tcp, dns, icmp), run in the background',
  defaultEnabled: true,
  create: (ctx) => new ProbesCollector(ctx),
};
