// `hostwatch audit`: the command line of the security posture audit. Only the options are defined
// here; the audit itself (checks, facts, fixes) is imported when the command runs.
import { Option, type Command } from 'commander';
import type { AuditCommandOptions } from './audit-run.js';

export interface AuditCommandDeps {
  defaultStateDir: () => string;
  reportError: (err: unknown) => number;
}

const collect = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function registerAuditCommand(program: Command, deps: AuditCommandDeps): void {
  program
    .command('audit')
    .description(
      'audit the security posture of this host: problems by severity, each with why it matters and the fix; ' +
        '--fix applies the safe fixes after showing them (exit 0: nothing at or above --fail-on fails, 1: something does, 2: error)',
    )
    .option(
      '--config.file <path>',
      'hostwatch configuration file (its audit: and host: settings; the defaults when the default file is absent)',
      'hostwatch.yml',
    )
    .option(
      '--state.dir <path>',
      'state directory: the fix log (audit/fixes.jsonl), backups, the cached update check (default: /var/lib/hostwatch when it exists, else ./data)',
    )
    .option(
      '--root <dir>',
      'audit the system mounted at this directory (files, <dir>/proc, <dir>/sys) instead of the running one; runs none of its programs',
    )
    .option('--json', 'print the report as JSON')
    .option(
      '--category <names>',
      'only these categories (comma-separated or repeated): ssh, accounts, firewall, updates, filesystem, network, kernel, encryption, logging, services',
      collect,
    )
    .option('--fix <check>', 'apply the fix of this failing check, after showing the exact change and asking')
    .option('--fix-all', 'apply every fix hostwatch can make, one after the other, asking for each')
    .option('--undo <check>', 'undo the last fix applied to this check (from the fix log)')
    .option('--yes', 'apply fixes without asking')
    .option('--list', 'list the checks (id, category, severity, whether hostwatch can fix it) and exit')
    .option(
      '--refresh',
      'redo the costly parts (pending updates, SUID/world-writable search) instead of reusing a result of less than audit.cache_max_age',
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a check of this severity or worse fails')
        .choices(['critical', 'high', 'medium', 'low'])
        .default('high'),
    )
    .action(async (opts: AuditCommandOptions, cmd: Command) => {
      try {
        const { runAuditCommand } = await import('./audit-run.js');
        opts.configGiven = cmd.getOptionValueSource('config.file') !== 'default';
        process.exitCode = await runAuditCommand(opts, { stateDir: opts['state.dir'] ?? deps.defaultStateDir() });
      } catch (err) {
        process.exitCode = deps.reportError(err) + 1;
      }
    });
}
