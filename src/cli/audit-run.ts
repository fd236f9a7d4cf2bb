// What `hostwatch audit` does (options in audit.ts): run the audit and print the report, or walk
// through fixes: show each exact change, ask (y/N on a terminal; --yes applies without asking, and
// without a terminal nothing is applied without --yes), apply, log, then audit again to show where
// things stand. Exit code: 1 when a check at or above --fail-on fails, 0 otherwise, 2 on errors.
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { CHECKS, findCheck } from '../audit/checks/index.js';
import { createFactContext, runAudit, type AuditOptions, type AuditReport } from '../audit/run.js';
import { reportJson, reportText, printable } from '../audit/report.js';
import { planFix, FixNotApplicable, type FixPlan } from '../audit/fixes/plan.js';
import { applyPlan, lastApplied, undoFix, fixLogPath } from '../audit/fixes/apply.js';
import { unifiedDiff } from '../audit/fixes/diff.js';
import type { FactContext, Tools } from '../audit/facts/context.js';
import { CATEGORIES, severityRank, type Category, type Check, type Severity } from '../audit/types.js';

/** The options of `hostwatch audit` as commander gives them (defined in audit.ts). */
export interface AuditCommandOptions {
  'config.file': string;
  /** Whether --config.file was given (a missing default file means the built-in defaults). */
  configGiven: boolean;
  'state.dir'?: string;
  root?: string;
  json?: boolean;
  category?: string[];
  fix?: string;
  fixAll?: boolean;
  undo?: string;
  yes?: boolean;
  list?: boolean;
  refresh?: boolean;
  failOn: string;
}

export interface AuditIo {
  stateDir: string;
  out?: { write(s: string): unknown };
  /** Asks a yes/no question; absent when there is no terminal to ask on. */
  ask?: (question: string) => Promise<boolean>;
  /** Programs to run instead of the host's (tests). */
  tools?: Tools;
  now?: () => number;
}

async function ttyAsk(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export class UsageError extends Error {}

function categories(names: string[] | undefined): Category[] | undefined {
  if (!names || names.length === 0) return undefined;
  const bad = names.filter((n) => !(CATEGORIES as readonly string[]).includes(n));
  if (bad.length > 0) throw new UsageError(`unknown category ${bad.join(', ')} (one of ${CATEGORIES.join(', ')})`);
  return names as Category[];
}

async function loadAuditConfig(opts: AuditCommandOptions): Promise<Config> {
  const file = opts['config.file'];
  if (!opts.configGiven && !existsSync(file)) return parseConfig({});
  return loadConfig(file);
}

/** The host settings, pointed at another root (its files, its /proc and /sys) when --root is given. */
function hostConfig(config: Config, root?: string): Config['host'] {
  if (!root) return config.host;
  return { ...config.host, rootfs_path: root, proc_path: join(root, 'proc'), sys_path: join(root, 'sys') };
}

export function exitCode(report: AuditReport, failOn: Severity): number {
  return report.worst !== undefined && severityRank(report.worst) <= severityRank(failOn) ? 1 : 0;
}

const octal = (m: number) => `0${m.toString(8)}`;

/** The exact changes of a plan, as the user sees them before saying yes. */
export function renderPlan(plan: FixPlan, facts: FactContext): string {
  const out: string[] = [`Fix for ${plan.check} (${plan.title}):`];
  for (const c of plan.changes) {
    switch (c.kind) {
      case 'edit':
        out.push(unifiedDiff(facts.file(c.path), c.before, c.after).trimEnd());
        break;
      case 'sysctl':
        out.push(`sysctl ${c.key}: ${c.before} -> ${c.after} (now, without waiting for a reboot)`);
        break;
      case 'mode':
        out.push(
          `chmod ${octal(c.after)} ${facts.file(c.path)}  (now ${octal(c.before)})${c.uidAfter !== c.uidBefore ? `; chown ${c.uidAfter} (now ${c.uidBefore})` : ''}`,
        );
        break;
      case 'command':
        out.push(`$ ${c.argv.join(' ')}`);
        break;
    }
  }
  for (const n of plan.notes) out.push(`Note: ${n}`);
  return out.join('\n') + '\n';
}

interface Session {
  opts: AuditCommandOptions;
  io: AuditIo;
  runOpts: AuditOptions;
  say: (s: string) => void;
  ask?: (q: string) => Promise<boolean>;
  now: () => number;
}

async function confirm(s: Session, question: string): Promise<boolean> {
  if (s.opts.yes) return true;
  if (!s.ask) {
    s.say('Not applied: there is no terminal to ask on; run again with --yes to apply without asking.\n');
    return false;
  }
  const yes = await s.ask(question);
  if (!yes) s.say('Not applied.\n');
  return yes;
}

/** Walks through the fixes of `checks`; returns whether one failed. */
async function fixChecks(s: Session, report: AuditReport, checks: Check[]): Promise<boolean> {
  let failed = false;
  let facts = report.facts;
  for (const check of checks) {
    let plan: FixPlan;
    try {
      plan = await planFix(check, facts);
    } catch (err) {
      if (!(err instanceof FixNotApplicable)) throw err;
      s.say(`${check.id}: ${err.message}\n\n`);
      continue;
    }
    s.say(renderPlan(plan, facts));
    if (!(await confirm(s, `Apply the fix for ${check.id}? [y/N] `))) {
      s.say('\n');
      continue;
    }
    try {
      const record = await applyPlan(facts, plan, s.now());
      // The next plan starts from the host as this fix left it (an sshd line added at the top moves the others).
      facts = await createFactContext({ ...s.runOpts, now: s.now() });
      s.say(
        `Applied, and logged in ${fixLogPath(s.io.stateDir)}. To undo: hostwatch audit --undo ${check.id}, or by hand: ${record.undo.join('; ')}\n\n`,
      );
    } catch (err) {
      failed = true;
      s.say(`${check.id}: the fix failed: ${(err as Error).message}\n\n`);
    }
  }
  return failed;
}

async function undo(s: Session, id: string): Promise<number> {
  const record = await lastApplied(s.io.stateDir, id);
  if (!record) throw new UsageError(`no fix of ${id} to undo in ${fixLogPath(s.io.stateDir)}`);
  const facts = await createFactContext(s.runOpts);
  if (record.root !== facts.paths.rootfs)
    throw new UsageError(`that fix was applied under the root ${record.root}: run with --root ${record.root}`);
  s.say(`Undo the fix of ${id} applied ${record.time}:\n${record.undo.map((u) => `  ${u}`).join('\n')}\n`);
  if (!(await confirm(s, 'Undo it? [y/N] '))) return 1;
  await undoFix(facts, record, s.now());
  s.say('Undone.\n');
  return 0;
}

export async function runAuditCommand(opts: AuditCommandOptions, io: AuditIo): Promise<number> {
  const out = io.out ?? process.stdout;
  const now = io.now ?? Date.now;
  try {
    if (opts.list) {
      for (const c of CHECKS)
        out.write(`${c.id.padEnd(28)} ${c.category.padEnd(11)} ${c.severity.padEnd(9)} ${c.autofix ? 'fix ' : '    '} ${c.title}\n`);
      return 0;
    }
    const config = await loadAuditConfig(opts);
    const s: Session = {
      opts,
      io,
      runOpts: {
        host: hostConfig(config, opts.root),
        audit: config.audit,
        stateDir: io.stateDir,
        now: now(),
        tools: io.tools,
        categories: categories(opts.category),
        refresh: opts.refresh,
      },
      // The fix dialogue goes to stderr when stdout carries JSON.
      say: (t) => (opts.json ? process.stderr : out).write(t),
      ask: io.ask ?? (process.stdin.isTTY && process.stdout.isTTY ? ttyAsk : undefined),
      now,
    };
    if (opts.undo) return await undo(s, opts.undo);
    return await auditAndFix(s, out);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`hostwatch audit: ${err.message}\n`);
    return 2;
  }
}

async function auditAndFix(s: Session, out: { write(t: string): unknown }): Promise<number> {
  const { opts } = s;
  const failOn = opts.failOn as Severity;
  const printJson = (r: AuditReport) => out.write(JSON.stringify(reportJson(r), null, 2) + '\n');
  let report = await runAudit(s.runOpts);
  if (!opts.fix && !opts.fixAll) {
    if (opts.json) printJson(report);
    else out.write(reportText(report));
    return exitCode(report, failOn);
  }
  let targets: Check[];
  if (opts.fix) {
    const check = findCheck(opts.fix);
    if (!check) throw new UsageError(`unknown check ${opts.fix} (see hostwatch audit --list)`);
    const result = report.results.find((r) => r.check.id === check.id);
    if (!result) throw new UsageError(`${check.id} is not in the selected categories`);
    if (result.status !== 'fail') {
      s.say(
        `${check.id} ${result.status === 'pass' ? 'passes: nothing to fix' : `was not evaluated (${result.status}): ${printable(result.error ?? result.details.join('; '))}`}\n`,
      );
      if (opts.json) printJson(report);
      return result.status === 'error' ? 2 : exitCode(report, failOn);
    }
    targets = [check];
  } else {
    targets = report.results.filter((r) => r.status === 'fail' && r.check.autofix).map((r) => r.check);
    if (targets.length === 0) s.say('No failing check that hostwatch can fix.\n');
  }
  const failed = await fixChecks(s, report, targets);
  // Audit again: what the fixes changed, and what is left.
  report = await runAudit({ ...s.runOpts, now: s.now() });
  for (const t of targets) {
    const r = report.results.find((x) => x.check.id === t.id);
    s.say(
      `${t.id}: ${r?.status === 'pass' ? 'passes now' : `${r?.status ?? 'not run'}${r?.details.length ? ` (${printable(r.details.join('; '))})` : ''}`}\n`,
    );
  }
  s.say(`Score: ${report.score ?? 'n/a'}/100\n`);
  if (opts.json) printJson(report);
  return failed ? 2 : exitCode(report, failOn);
}
