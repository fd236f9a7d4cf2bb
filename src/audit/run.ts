// One audit run: the selected checks, each evaluated over the facts it needs, gathered once and
// concurrently. A fact that cannot be gathered makes its checks report an error (never a pass or a
// fail they could not establish); the rest of the audit goes on.
import type { HostConfig } from '../config/schema.js';
import { hostPaths } from '../collectors/hostfs.js';
import type { AuditConfig } from './config.js';
import { CHECKS } from './checks/index.js';
import { FactContext, resolveTools, type Tools } from './facts/context.js';
import { FACT_READERS } from './facts/index.js';
import { score, worstFailing, type Category, type Check, type CheckResult, type Severity } from './types.js';

export interface AuditOptions {
  host: HostConfig;
  audit: AuditConfig;
  stateDir: string;
  now: number;
  /** Programs to run instead of the running system's (tests); see resolveTools. */
  tools?: Tools;
  /** Only checks of these categories (default: all). */
  categories?: readonly Category[];
  signal?: AbortSignal;
  /** Recompute the costly facts (package manager, tree search) instead of reusing recent results. */
  refresh?: boolean;
}

export interface AuditReport {
  startedAt: number;
  durationMs: number;
  results: CheckResult[];
  /** 0-100, severity weighted (types.ts); undefined when no check could be evaluated. */
  score?: number;
  worst?: Severity;
  /** The facts of this run, for fixes and the encryption metrics. */
  facts: FactContext;
}

export async function createFactContext(opts: AuditOptions): Promise<FactContext> {
  const paths = hostPaths(opts.host);
  return new FactContext(
    {
      paths,
      config: opts.audit,
      tools: await resolveTools(paths.rootfs, opts.tools),
      now: opts.now,
      stateDir: opts.stateDir,
      certFiles: opts.host.tls.cert_files,
      rebootRequiredFile: opts.host.reboot_required_file,
      updatesTimeoutMs: opts.host.updates.timeout,
      signal: opts.signal ?? new AbortController().signal,
      refresh: opts.refresh ?? false,
    },
    FACT_READERS,
  );
}

export async function evaluateCheck(check: Check, facts: FactContext): Promise<CheckResult> {
  const values: Record<string, unknown> = {};
  for (const key of check.needs) {
    try {
      values[key] = await facts.get(key);
    } catch (err) {
      return { check, status: 'error', details: [], error: `cannot read ${key}: ${(err as Error).message}` };
    }
  }
  try {
    const e = check.evaluate(values as never);
    return { check, status: e.status, details: e.details };
  } catch (err) {
    return { check, status: 'error', details: [], error: `evaluation failed: ${(err as Error).message}` };
  }
}

export function selectChecks(skip: readonly string[], categories?: readonly Category[]): { run: Check[]; skipped: Check[] } {
  const inScope = CHECKS.filter((c) => !categories || categories.includes(c.category));
  return { run: inScope.filter((c) => !skip.includes(c.id)), skipped: inScope.filter((c) => skip.includes(c.id)) };
}

export async function runAudit(opts: AuditOptions): Promise<AuditReport> {
  const started = process.hrtime.bigint();
  const facts = await createFactContext(opts);
  const { run, skipped } = selectChecks(opts.audit.skip, opts.categories);
  const evaluated = await Promise.all(run.map((c) => evaluateCheck(c, facts)));
  const results = [...evaluated, ...skipped.map((check): CheckResult => ({ check, status: 'skip', details: ['skipped by audit.skip'] }))];
  const order = new Map(CHECKS.map((c, i) => [c.id, i]));
  results.sort((a, b) => order.get(a.check.id)! - order.get(b.check.id)!);
  return {
    startedAt: opts.now,
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    results,
    score: score(results),
    worst: worstFailing(results),
    facts,
  };
}
