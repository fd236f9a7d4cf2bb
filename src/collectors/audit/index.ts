// audit: the security posture audit (src/audit/), run in the BACKGROUND, audit.first_run_delay after
// start and then every audit.interval; a scrape only renders the last result.
//   hostwatch_audit_check{check,category,severity}      1 passes, 0 fails (skipped and unevaluable
//                                                       checks have no sample; see _checks)
//   hostwatch_audit_checks{result}                      checks by result: pass, fail, skip, error
//   hostwatch_audit_score                               0-100, severity weighted (src/audit/types.ts)
//   hostwatch_audit_finding_info{check,category,severity,title,summary,why,fix}
//                                                       1 per failing check, with its texts for the
//                                                       dashboard; the texts are the checks' own
//                                                       constants (never host data), so at most one
//                                                       series per check
//   hostwatch_audit_last_run_timestamp_seconds, _run_success, _run_duration_seconds
//   hostwatch_encryption_filesystem_encrypted{mountpoint}, _swap_encrypted,
//   hostwatch_encryption_plaintext_listeners{protocol}, _tls_weak_certificates
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Config } from '../../config/schema.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import { MAX_SERIES_OBJECTS } from '../hostfs.js';
import type { AuditReport } from '../../audit/run.js';
import type { Tools } from '../../audit/facts/context.js';
import type { EncryptionStatus } from '../../audit/status.js';

const RESULTS = ['pass', 'fail', 'skip', 'error'] as const;

export interface AuditCollectorOptions {
  /** Programs to run instead of the host's (tests). */
  tools?: Tools;
}

export class AuditCollector implements Collector {
  private readonly config: Config;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly stateDir: string;
  /** The last audit's results, without its facts (kept, they would hold the package list and more for an hour). */
  private report?: Pick<AuditReport, 'results' | 'score'>;
  private encryption?: EncryptionStatus;
  private lastSuccess?: number;
  private lastOk?: boolean;
  private lastDuration?: number;
  private timer?: unknown;
  private running?: Promise<void>;
  private abort?: AbortController;
  private stopped = false;

  constructor(
    ctx: CollectorContext,
    private readonly opts: AuditCollectorOptions = {},
  ) {
    this.config = ctx.config;
    this.clock = ctx.clock;
    this.logger = ctx.logger;
    this.stateDir = ctx.stateDir;
    const r = ctx.registry;
    const results = () => this.report?.results ?? [];
    defineMetric(r, {
      name: 'hostwatch_audit_check',
      help: 'Result of a security check of the last audit: 1 passes, 0 fails (skipped and unevaluable checks are absent).',
      type: 'gauge',
      labelNames: ['check', 'category', 'severity'],
      samples: () =>
        results()
          .filter((x) => x.status === 'pass' || x.status === 'fail')
          .map((x) => ({
            labels: { check: x.check.id, category: x.check.category, severity: x.check.severity },
            value: x.status === 'pass' ? 1 : 0,
          })),
    });
    defineMetric(r, {
      name: 'hostwatch_audit_checks',
      help: 'Checks of the last audit by result: pass, fail, skip (does not apply here) and error (could not be evaluated).',
      type: 'gauge',
      labelNames: ['result'],
      samples: () =>
        this.report ? RESULTS.map((res) => ({ labels: { result: res }, value: results().filter((x) => x.status === res).length })) : [],
    });
    defineMetric(r, {
      name: 'hostwatch_audit_score',
      help: 'Security posture score of the last audit, 0-100: the severity-weighted share of passing checks (critical 10, high 5, medium 3, low 1).',
      type: 'gauge',
      value: () => this.report?.score,
    });
    defineMetric(r, {
      name: 'hostwatch_audit_finding_info',
      help: 'A failing check of the last audit (value 1) with its plain-language texts: what was found (summary), why it matters, and the fix.',
      type: 'gauge',
      labelNames: ['check', 'category', 'severity', 'title', 'summary', 'why', 'fix'],
      samples: () =>
        results()
          .filter((x) => x.status === 'fail')
          .map((x) => ({
            labels: {
              check: x.check.id,
              category: x.check.category,
              severity: x.check.severity,
              title: x.check.title,
              summary: x.check.found,
              why: x.check.why,
              fix: x.check.fix,
            },
            value: 1,
          })),
    });
    defineMetric(r, {
      name: 'hostwatch_audit_last_run_timestamp_seconds',
      help: 'When the last successful audit finished, in seconds since the epoch.',
      type: 'gauge',
      value: () => (this.lastSuccess === undefined ? undefined : this.lastSuccess / 1000),
    });
    defineMetric(r, {
      name: 'hostwatch_audit_run_success',
      help: 'Whether the last audit run completed.',
      type: 'gauge',
      value: () => (this.lastOk === undefined ? undefined : this.lastOk ? 1 : 0),
    });
    defineMetric(r, {
      name: 'hostwatch_audit_run_duration_seconds',
      help: 'Duration of the last audit run.',
      type: 'gauge',
      value: () => this.lastDuration,
    });
    defineMetric(r, {
      name: 'hostwatch_encryption_filesystem_encrypted',
      help: 'Whether a filesystem on a local disk is on dm-crypt/LUKS (directly or under LVM/RAID), from the last audit.',
      type: 'gauge',
      labelNames: ['mountpoint'],
      samples: () =>
        (this.encryption?.filesystems ?? [])
          .slice(0, MAX_SERIES_OBJECTS)
          .map((f) => ({ labels: { mountpoint: f.mountpoint }, value: f.encrypted ? 1 : 0 })),
    });
    defineMetric(r, {
      name: 'hostwatch_encryption_swap_encrypted',
      help: 'Whether every swap area is encrypted or in memory (1 also when there is no swap); 0 when one is written to disk in clear.',
      type: 'gauge',
      value: () => (this.encryption?.swapEncrypted === undefined ? undefined : this.encryption.swapEncrypted ? 1 : 0),
    });
    defineMetric(r, {
      name: 'hostwatch_encryption_plaintext_listeners',
      help: 'Sockets reachable from the network that speak a protocol without encryption (telnet, ftp, rsh, tftp, http without https), by protocol.',
      type: 'gauge',
      labelNames: ['protocol'],
      samples: (): Sample[] =>
        this.encryption?.plaintext
          ? Object.entries(this.encryption.plaintext).map(([protocol, n]) => ({ labels: { protocol }, value: n }))
          : [],
    });
    defineMetric(r, {
      name: 'hostwatch_encryption_tls_weak_certificates',
      help: 'Certificates of host.tls.cert_files with a weak key (RSA < 2048 bits, EC < 256) or a signature with a broken hash (MD5, SHA-1).',
      type: 'gauge',
      value: () => this.encryption?.weakCertificates,
    });
  }

  async start(): Promise<void> {
    if (!this.config.audit.enabled) return;
    this.schedule(this.config.audit.first_run_delay);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.run().finally(() => {
        this.running = undefined;
        this.schedule(this.config.audit.interval);
      });
    }, ms);
  }

  private async run(): Promise<void> {
    this.abort = new AbortController();
    const started = process.hrtime.bigint();
    try {
      // The audit's checks and facts (some 40 modules) are imported by the first run, which comes
      // first_run_delay after start: they are not on the exporter's start path.
      const [{ runAudit }, { encryptionStatus }] = await Promise.all([import('../../audit/run.js'), import('../../audit/status.js')]);
      const report = await runAudit({
        host: this.config.host,
        audit: this.config.audit,
        stateDir: this.stateDir,
        now: this.clock.now(),
        tools: this.opts.tools,
        signal: this.abort.signal,
        // The background audit is where the costly facts are kept fresh for `hostwatch audit`.
        refresh: true,
      });
      if (this.stopped) return;
      this.encryption = await encryptionStatus(report.facts);
      this.report = { results: report.results, score: report.score };
      this.lastOk = true;
      this.lastSuccess = this.clock.now();
      const errors = report.results.filter((x) => x.status === 'error');
      this.logger.info('audit done', {
        score: report.score,
        failing: report.results.filter((x) => x.status === 'fail').length,
        errors: errors.length,
      });
      for (const e of errors) this.logger.debug('audit check could not be evaluated', { check: e.check.id, err: e.error });
    } catch (err) {
      this.lastOk = false;
      if (!this.stopped) this.logger.warn('audit failed', { err: (err as Error).message });
    } finally {
      this.lastDuration = Number(process.hrtime.bigint() - started) / 1e9;
      this.abort = undefined;
    }
  }

  /** Resolves when the audit in progress, if any, has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  async update(): Promise<void> {
    // Nothing on the scrape path: the metrics render the last audit.
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.abort?.abort();
    await this.running;
  }
}

export const auditCollector: CollectorDefinition = {
  name: 'audit',
  help: 'security posture audit in the background: checks, score and encryption status (audit:)',
  defaultEnabled: true,
  create: (ctx) => new AuditCollector(ctx),
};
