// Decides, for each alert of an Alertmanager notification, whether and what to run, and runs it.
// Decision order: matching action -> labels valid -> not a duplicate notification of the same
// firing alert (fingerprint) -> not in cooldown (same action, same arguments) -> under
// max_per_hour -> dry run or run. Every decision goes to the audit log, to
// hostwatch_remediation_runs_total{action,result} and to the recent list of the status API.
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { AuditLog } from './audit.js';
import { placeholders, renderArgv, type ActionConfig } from './config.js';
import { matchesAll, parseMatcher, type Matcher } from './matchers.js';
import { compilePattern, valueProblem, type NamedPattern } from './patterns.js';
import { resolveIdentity, runCommand, type Identity, type RunResult } from './spawn.js';
import { webhookPayloadSchema, type WebhookAlert } from './payload.js';
import { formatIssues } from '../config/errors.js';
import { findBuiltin } from './builtins/index.js';
import { RemediationState } from './state.js';

/** Results (the result label): bounded, fixed set. */
export type Result =
  | 'ran' // exit code 0
  | 'failed' // exit code other than 0, or killed by a signal
  | 'timeout'
  | 'error' // could not start (missing program, bad run_as)
  | 'dry_run'
  | 'cooldown'
  | 'rate_limited'
  | 'duplicate'
  | 'invalid_label'
  | 'no_match';

export interface Decision {
  time: string;
  action: string;
  event: 'firing' | 'resolved';
  fingerprint: string;
  alertname: string;
  result: Result | 'started';
  argv?: string[];
  /** The parameters of a built-in action, instead of argv. */
  builtin?: { name: string };
  reason?: string;
  exit_code?: number | null;
  signal?: string | null;
  duration_ms?: number;
  stdout?: string;
  stderr?: string;
}

interface CompiledAction {
  cfg: ActionConfig;
  matchers: Matcher[];
  patterns: Map<string, NamedPattern>;
  identity?: Identity;
  identityError?: string;
}

const RECENT = 50;
const HOUR_MS = 3_600_000;

export interface EngineOptions {
  stateDir: string;
  registry: Registry;
  logger: Logger;
  clock: Clock;
  /** Whether setuid is possible (process runs as root); run_as is refused otherwise. */
  isRoot?: boolean;
}

export class RemediationEngine {
  private actions: CompiledAction[] = [];
  private readonly audit: AuditLog;
  private readonly runs: Counter<'action' | 'result'>;
  private readonly state: RemediationState;
  private readonly inflight = new Set<Promise<void>>();
  readonly recent: Decision[] = [];

  constructor(private readonly opts: EngineOptions) {
    this.audit = new AuditLog(opts.stateDir);
    this.state = new RemediationState(opts.stateDir);
    const problem = this.state.load(opts.clock.now());
    if (problem) opts.logger.warn('remediation: cannot load the saved state', { problem });
    this.runs = new Counter({
      name: 'hostwatch_remediation_runs_total',
      help: 'Remediation decisions by action and result (ran, failed, timeout, error, dry_run, cooldown, rate_limited, duplicate, invalid_label, no_match).',
      labelNames: ['action', 'result'],
      registers: [opts.registry],
    });
  }

  get auditFile(): string {
    return this.audit.file;
  }

  /** Sets the actions (at start and on reload); cooldown and rate state of kept names carry over. */
  configure(actions: ActionConfig[]): void {
    const isRoot = this.opts.isRoot ?? process.getuid?.() === 0;
    this.actions = actions.map((cfg) => {
      const a: CompiledAction = {
        cfg,
        matchers: [parseMatcher(`alertname=${JSON.stringify(cfg.alertname)}`), ...cfg.matchers.map(parseMatcher)],
        patterns: new Map(Object.entries(cfg.labels).map(([k, v]) => [k, compilePattern(v)])),
      };
      if (cfg.run_as !== undefined) {
        if (!isRoot) a.identityError = 'run_as needs hostwatch to run as root';
        else {
          try {
            a.identity = resolveIdentity(cfg.run_as);
          } catch (err) {
            a.identityError = (err as Error).message;
          }
        }
      }
      if (a.identityError) this.opts.logger.warn('remediation: action cannot run', { action: cfg.name, reason: a.identityError });
      return a;
    });
    for (const a of actions) for (const r of ['ran', 'dry_run'] as const) this.runs.inc({ action: a.name, result: r }, 0);
  }

  private save(): void {
    try {
      this.state.save();
    } catch (err) {
      this.opts.logger.error('remediation: cannot save the state', { err });
    }
  }

  /** Waits for the commands started so far (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private record(d: Omit<Decision, 'time'>): Decision {
    const full: Decision = { time: new Date(this.opts.clock.now()).toISOString(), ...d };
    try {
      this.audit.write(full as unknown as Record<string, unknown>);
    } catch (err) {
      this.opts.logger.error('remediation: cannot write the audit log', { err });
    }
    if (full.result !== 'started') {
      this.runs.inc({ action: full.action, result: full.result });
      this.recent.push(full);
      if (this.recent.length > RECENT) this.recent.shift();
    }
    return full;
  }

  /** Validates an Alertmanager webhook payload (version 4) and handles its alerts. */
  handlePayload(payload: unknown): { decisions: Decision[] } | { error: string } {
    const parsed = webhookPayloadSchema.safeParse(payload);
    if (!parsed.success) return { error: `invalid Alertmanager webhook payload: ${formatIssues(parsed.error).join('; ')}` };
    return { decisions: this.handle(parsed.data.alerts) };
  }

  /** Handles the alerts of one notification; returns the decisions (runs complete in the background). */
  handle(alerts: WebhookAlert[]): Decision[] {
    const out: Decision[] = [];
    for (const alert of alerts) {
      const base = { event: alert.status, fingerprint: alert.fingerprint, alertname: alert.labels.alertname ?? '' };
      const matching = this.actions.filter((a) => matchesAll(a.matchers, alert.labels));
      if (matching.length === 0) {
        // Resolved alerts without an action are nothing to decide.
        if (alert.status === 'firing') out.push(this.record({ ...base, action: 'none', result: 'no_match' }));
        continue;
      }
      for (const a of matching) {
        const d = this.decide(a, alert, base);
        if (d) out.push(d);
      }
    }
    return out;
  }

  private decide(
    a: CompiledAction,
    alert: WebhookAlert,
    base: Pick<Decision, 'event' | 'fingerprint' | 'alertname'>,
  ): Decision | undefined {
    const action = a.cfg.name;
    const key = `${action}\u0000${alert.fingerprint}`;
    const template = alert.status === 'firing' ? a.cfg.command : a.cfg.on_resolve;
    const builtin = alert.status === 'firing' ? a.cfg.builtin : undefined;
    if (alert.status === 'resolved') {
      // The alert is over: a new firing of the same fingerprint is a new incident.
      const wasHandled = this.state.handled.delete(key);
      if (wasHandled) this.save();
      if (!template || !wasHandled) return undefined;
    } else if (this.state.handled.get(key) === alert.startsAt) {
      return this.record({ ...base, action, result: 'duplicate', reason: 'this firing alert was already handled (repeated notification)' });
    }

    const values: Record<string, string> = {};
    for (const name of placeholders(template ?? [])) {
      const value = alert.labels[name];
      const problem =
        value === undefined
          ? 'label missing from the alert'
          : (valueProblem(value) ?? (a.patterns.get(name)!.test(value) ? undefined : `not ${a.patterns.get(name)!.description}`));
      if (problem) return this.record({ ...base, action, result: 'invalid_label', reason: `label ${name}: ${problem}` });
      values[name] = value!;
    }
    const argv = template ? renderArgv(template, values) : undefined;
    // What runs, as recorded: the argv of a command, or the parameters of a built-in action.
    const what = argv ? { argv } : { builtin };
    if (alert.status === 'firing') {
      this.state.handled.set(key, alert.startsAt);
      this.save();
    }

    const now = this.opts.clock.now();
    const argKey = `${action}\u0000${argv ? argv.join('\u0000') : JSON.stringify(builtin)}`;
    const last = this.state.lastRun.get(argKey);
    if (last !== undefined && now - last < a.cfg.cooldown) {
      return this.record({
        ...base,
        action,
        ...what,
        result: 'cooldown',
        reason: `same command ran ${Math.round((now - last) / 1000)} s ago (cooldown ${a.cfg.cooldown / 1000} s)`,
      });
    }
    const times = (this.state.hourly.get(action) ?? []).filter((t) => now - t < HOUR_MS);
    this.state.hourly.set(action, times);
    if (a.cfg.max_per_hour > 0 && times.length >= a.cfg.max_per_hour) {
      return this.record({
        ...base,
        action,
        ...what,
        result: 'rate_limited',
        reason: `${times.length} runs in the last hour (max_per_hour ${a.cfg.max_per_hour})`,
      });
    }
    this.state.lastRun.set(argKey, now);
    times.push(now);
    this.save();
    if (a.cfg.dry_run) return this.record({ ...base, action, ...what, result: 'dry_run', reason: 'dry_run is true: nothing was run' });
    if (a.identityError) return this.record({ ...base, action, ...what, result: 'error', reason: a.identityError });

    const started = this.record({ ...base, action, ...what, result: 'started' });
    const outcome = argv
      ? runCommand(argv, { timeoutMs: a.cfg.timeout, identity: a.identity }).then(resultOf)
      : runBuiltin(builtin!, a.cfg.timeout, this.opts.clock);
    const p = outcome.then((r) => {
      this.record({ ...base, action, ...what, ...r });
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return started;
  }
}

function resultOf(r: RunResult): Pick<Decision, 'result' | 'exit_code' | 'signal' | 'duration_ms' | 'stdout' | 'stderr' | 'reason'> {
  const result: Result = r.outcome === 'timeout' ? 'timeout' : r.outcome === 'error' ? 'error' : r.exitCode === 0 ? 'ran' : 'failed';
  return {
    result,
    exit_code: r.exitCode,
    signal: r.signal,
    duration_ms: r.durationMs,
    stdout: r.stdout,
    stderr: r.stderr,
    ...(r.error ? { reason: r.error } : {}),
  };
}

/** Runs a built-in action with its timeout (an abort signal it checks as it goes). */
async function runBuiltin(
  params: { name: string },
  timeoutMs: number,
  clock: Clock,
): Promise<Pick<Decision, 'result' | 'duration_ms' | 'reason'>> {
  const started = Date.now();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const r = await findBuiltin(params.name)!.run(params, { signal: ac.signal, now: () => clock.now() });
    return { result: ac.signal.aborted ? 'timeout' : r.ok ? 'ran' : 'failed', duration_ms: Date.now() - started, reason: r.summary };
  } catch (err) {
    return { result: 'error', duration_ms: Date.now() - started, reason: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
