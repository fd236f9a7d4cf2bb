#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=50 --v8-pool-size=1
// The hostwatch command line: flags after node_exporter, plus check-config, parse and fim.
// The shebang gives the installed `hostwatch` command the same V8 heap flags as `npm start` and the
// Dockerfile (a small young generation; the old one grown by 1.5x, not V8's up to 4x, after a full
// collection; one V8 background thread, not four, each keeping a malloc arena: docs/benchmarks.md
// "Memory"); `node dist/main.js` run by hand should pass them too.
// commander is the only argv parser. Building the command line loads commander, the list of
// collectors (data) and a few small modules; what an action needs (the exporter and its enabled collectors, the config
// loader, the parsers, the FIM command line) is imported by that action, so that `--version`,
// `--help` or `audit` do not load the exporter.
import { Command, InvalidArgumentError, Option } from 'commander';
import { COLLECTORS, loadCollectors } from './collectors/index.js';
import type { CollectorEntry } from './collectors/collector.js';
import { ConfigError } from './config/errors.js';
import { resolveStateDir } from './config/state-dir.js';
import { createLogger, type LogFormat, type LogLevel, type Logger } from './core/log.js';
import { DEFAULT_MAX_REQUESTS } from './exporter/scrape.js';
import { DEFAULT_CONNECTION_LIMITS } from './server/connection-limit.js';
import { VERSION, REVISION } from './core/version.js';
import type { FimOptions } from './cli/fim.js';
import { inventoryCommand } from './cli/inventory-command.js';
import { topCommand } from './cli/top-command.js';
import { registerAuditCommand } from './cli/audit.js';

/**
 * The state directory of a command given no config file (audit): the shared lookup (see
 * config/state-dir.ts) for ./hostwatch.yml without its state_dir, so /var/lib/hostwatch when it
 * exists, else data/ beside it.
 */
function defaultStateDir(): string {
  return resolveStateDir(undefined, {}, 'hostwatch.yml').dir;
}

/**
 * Reports what stopped a command: config problems as `path.to.key: what is wrong` under a line naming
 * the file, or with --log.format=json one JSON log line per file (its `problems` listed), so that a
 * log pipeline reading the exporter's JSON gets start-up errors in the same form. Returns the exit code.
 */
function reportConfigError(err: unknown, format: LogFormat = 'logfmt'): number {
  const errors: unknown[] = err instanceof AggregateError ? err.errors : [err];
  const json = format === 'json' ? createLogger({ format: 'json' }) : undefined;
  for (const e of errors) {
    if (json) {
      if (e instanceof ConfigError) json.error('invalid configuration', { file: e.file, problems: e.problems });
      else json.error('cannot start', { err: e });
    } else if (e instanceof ConfigError) {
      process.stderr.write(`${e.file}: invalid configuration\n`);
      for (const p of e.problems) process.stderr.write(`${p}\n`);
    } else {
      process.stderr.write(`${(e as Error).message}\n`);
    }
  }
  return 1;
}

/** The exporter action: runs until SIGTERM/SIGINT (or, under npm, until npm is gone); SIGHUP reloads. */
async function runExporter(opts: Record<string, string | boolean | undefined>): Promise<void> {
  const logger = createLogger({ level: opts['log.level'] as LogLevel, format: opts['log.format'] as LogFormat });
  // As node_exporter: --collector.disable-defaults turns off every collector not enabled by its flag.
  const byDefault = (c: CollectorEntry) => !opts['collector.disableDefaults'] && c.defaultEnabled;
  const enabled = COLLECTORS.filter((c) => {
    const flag = opts[`collector.${c.name}`];
    return flag === undefined ? byDefault(c) : Boolean(flag);
  });
  const [{ Exporter }, collectors] = await Promise.all([import('./exporter/exporter.js'), loadCollectors(enabled)]);
  const exporter = new Exporter({
    configFile: String(opts['config.file']),
    webConfigFile: opts['web.config.file'] as string | undefined,
    listenAddress: String(opts['web.listenAddress']),
    telemetryPath: String(opts['web.telemetryPath']),
    maxRequests: Number(opts['web.maxRequests']),
    connectionLimits: { max: Number(opts['web.maxConnections']), perClient: Number(opts['web.maxConnectionsPerClient']) },
    overrides: {
      procPath: opts['path.procfs'] as string | undefined,
      sysPath: opts['path.sysfs'] as string | undefined,
      rootfsPath: opts['path.rootfs'] as string | undefined,
      textfileDirectory: opts['collector.textfile.directory'] as string | undefined,
    },
    stateDir: opts['state.dir'] as string | undefined,
    collectors,
    availableCollectors: COLLECTORS.map((c) => c.name),
    logger,
  });
  try {
    await exporter.start();
  } catch (err) {
    process.exitCode = reportConfigError(err, opts['log.format'] as LogFormat);
    await exporter.stop().catch(() => {});
    process.exit(process.exitCode);
  }
  let stopping = false;
  const shutdown = (why: { signal: string } | { reason: string }) => {
    // A second signal is normal, not a request to hurry: Ctrl-C under `npm start` reaches the
    // exporter twice (from the terminal and forwarded by npm).
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', why);
    // Exit within 5 s whatever happens; normally the stop takes milliseconds.
    setTimeout(() => {
      logger.error('shutdown took too long, exiting');
      process.exit(1);
    }, 4500).unref();
    exporter.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown({ signal: 'SIGTERM' }));
  process.on('SIGINT', () => shutdown({ signal: 'SIGINT' }));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP received, reloading configuration');
    void exporter.reload();
  });
  if (process.env.npm_lifecycle_event) exitWithParent(logger, () => shutdown({ reason: 'parent exited' }));
}

/**
 * Under `npm start`, npm forwards SIGTERM and SIGINT to the exporter, but when npm itself is killed
 * (SIGKILL, the OOM killer) nothing tells its child, which would keep running and holding the port.
 * An orphan is adopted by init or a subreaper, so its parent pid changes: checked once a second.
 */
function exitWithParent(logger: Logger, exit: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    logger.warn('parent process gone (hostwatch was started by npm), exiting', { parent });
    exit();
  }, 1000);
  timer.unref();
}

/** Parses a flag value that must be a whole number >= 0. */
function count(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag}: ${JSON.stringify(value)} is not a whole number >= 0`);
    return Number(value);
  };
}

function buildProgram(): Command {
  const program = new Command('hostwatch')
    .description('Host monitoring exporter for Prometheus: host metrics, log-derived request metrics, security signals and file integrity.')
    .version(`hostwatch ${VERSION} (revision ${REVISION}, node ${process.version})`, '--version')
    .helpOption('-h, --help')
    .enablePositionalOptions()
    .option('--config.file <path>', 'hostwatch configuration file', 'hostwatch.yml')
    .option('--web.listen-address <addr>', 'address to listen on for the web interface and telemetry', ':10023')
    .option('--web.telemetry-path <path>', 'path under which to expose metrics', '/metrics')
    .option('--web.config.file <path>', 'web configuration file (exporter-toolkit format) for TLS, basic auth, headers and rate limit')
    .addOption(
      new Option(
        '--web.max-requests <n>',
        'maximum number of scrapes served at once (computing, or waiting for the one computing); more get 503; 0 for no limit',
      )
        .default(DEFAULT_MAX_REQUESTS)
        .argParser(count('--web.max-requests')),
    )
    .addOption(
      new Option(
        '--web.max-connections <n>',
        'maximum number of TCP connections held at once; more are closed when accepted; 0 for no limit',
      )
        .default(DEFAULT_CONNECTION_LIMITS.max)
        .argParser(count('--web.max-connections')),
    )
    .addOption(
      new Option(
        '--web.max-connections-per-client <n>',
        'maximum number of TCP connections held at once by one client address (IPv6: per /64); 0 for no limit',
      )
        .default(DEFAULT_CONNECTION_LIMITS.perClient)
        .argParser(count('--web.max-connections-per-client')),
    )
    .option(
      '--state.dir <path>',
      'directory for checkpoints and the FIM state (default: state_dir of the config file, else /var/lib/hostwatch when it exists, else data/ beside the config file)',
    )
    .addOption(
      new Option('--log.level <level>', 'only log messages of this severity or above')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .addOption(new Option('--log.format <format>', 'output format of log messages').choices(['logfmt', 'json']).default('logfmt'));

  program
    .option('--path.procfs <path>', 'procfs mount point (sets host.proc_path of the config file)')
    .option('--path.sysfs <path>', 'sysfs mount point (sets host.sys_path)')
    .option('--path.rootfs <path>', 'root of the host filesystem (sets host.rootfs_path)')
    .option('--collector.textfile.directory <dir>', 'directory of *.prom files for the textfile collector (sets host.textfile.directory)')
    .option('--collector.disable-defaults', 'disable every collector not enabled by its own --collector.<name> flag');
  for (const c of COLLECTORS) {
    program.option(
      `--collector.${c.name}`,
      `enable the ${c.name} collector: ${c.help} (default: ${c.defaultEnabled ? 'enabled' : 'disabled'})`,
    );
    program.option(`--no-collector.${c.name}`, `disable the ${c.name} collector`);
  }

  program.action(runExporter);

  program
    .command('check-config')
    .description('validate the configuration (and the web configuration) and exit 0, or print every problem of both files and exit 1')
    .option('--config.file <path>', 'hostwatch configuration file', 'hostwatch.yml')
    .option('--web.config.file <path>', 'web configuration file to validate too')
    .addOption(
      new Option('--log.format <format>', 'output format of the problems: lines of text, or JSON log lines')
        .choices(['logfmt', 'json'])
        .default('logfmt'),
    )
    .action(async (opts: Record<string, string | undefined>) => {
      const [{ loadConfig }, { loadWebConfig }] = await Promise.all([import('./config/load.js'), import('./server/webconfig.js')]);
      const webFile = opts['web.config.file'];
      const results = await Promise.allSettled([loadConfig(String(opts['config.file'])), ...(webFile ? [loadWebConfig(webFile)] : [])]);
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      if (errors.length === 0) process.stdout.write('configuration is valid\n');
      process.exitCode = errors.length === 0 ? 0 : reportConfigError(new AggregateError(errors), opts['log.format'] as LogFormat);
    });

  program
    .command('parse')
    .description('parse a log file (or - for stdin) and print one JSON object per line, for debugging formats and rules')
    .argument('<file>', 'log file, or - for standard input')
    .requiredOption('--type <type>', 'log type: access, auth, firewall or pattern')
    .option(
      '--format <format>',
      'access log format: combined, common, json, caddy, traefik, or an nginx log_format / Apache LogFormat string',
    )
    .option('--config.file <path>', 'configuration file read for --type pattern and for --log', 'hostwatch.yml')
    .option(
      '--log <name>',
      'use the settings of this log of --config.file: the rules of a pattern log (default: the first one), the format of an access log, the thresholds of an auth or firewall log',
    )
    .option('--print-missed', 'print only the lines that are not recognised, as they are, instead of JSON')
    .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
      try {
        const { runParse } = await import('./cli/parse.js');
        process.exitCode = await runParse(file, {
          type: String(opts.type),
          format: opts.format as string | undefined,
          configFile: opts['config.file'] as string | undefined,
          log: opts.log as string | undefined,
          printMissed: opts.printMissed === true,
        });
      } catch (err) {
        process.exitCode = reportConfigError(err);
      }
    });

  const fim = program
    .command('fim')
    .description('file integrity monitoring: what changed since the accepted baseline, and accepting changes');
  const fimCommon = (cmd: Command) =>
    cmd
      .option('--config.file <path>', 'hostwatch configuration file (its fim.roots are used)', 'hostwatch.yml')
      .option(
        '--state.dir <path>',
        'state directory holding the FIM baseline (default: the same as the exporter with this --config.file: its state_dir, else /var/lib/hostwatch when it exists, else data/ beside it)',
      )
      .option('--json', 'print JSON')
      .addOption(
        new Option(
          '--workers <n>',
          "worker threads listing and hashing files, like aide's --workers (0: none, the scan runs in this command's own thread with the least memory; more are faster on large trees with many cores)",
        )
          .default(0)
          .argParser(count('--workers')),
      );
  // Exit codes like diff(1): 0 no change, 1 changes, 2 trouble (hence reportConfigError + 1).
  fimCommon(
    fim
      .command('status')
      .description(
        'scan the roots now and list what differs from the accepted baseline (exit 0: no change, 1: changes, 2: error or no baseline)',
      )
      .option('--cached', "report the exporter's last recorded scan instead of scanning"),
  ).action(async (opts: FimOptions) => {
    try {
      const { fimStatus } = await import('./cli/fim.js');
      process.exitCode = await fimStatus(opts);
    } catch (err) {
      process.exitCode = reportConfigError(err) + 1;
    }
  });
  fimCommon(
    fim
      .command('accept')
      .description('scan and accept the current state into the baseline: everything, or only the given paths (files or directories)')
      .argument('[path...]', 'paths to accept (default: all roots entirely)'),
  ).action(async (paths: string[], opts: FimOptions) => {
    try {
      const { fimAccept } = await import('./cli/fim.js');
      process.exitCode = await fimAccept(paths, opts);
    } catch (err) {
      process.exitCode = reportConfigError(err) + 1;
    }
  });
  program.addCommand(inventoryCommand(reportConfigError));
  program.addCommand(topCommand(reportConfigError));
  registerAuditCommand(program, { defaultStateDir, reportError: reportConfigError });
  return program;
}

await buildProgram().parseAsync(process.argv);
