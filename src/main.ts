#!/usr/bin/env -S node --max-semi-space-size=1
// The hostwatch command line: flags after node_exporter, plus check-config, parse and fim.
// The shebang gives the installed `hostwatch` command the same small young generation as `npm start`
// and the Dockerfile; `node dist/main.js` run by hand should pass the flag too.
// commander is the only argv parser. The exporter's modules are imported statically; what only a
// subcommand needs (the parsers, the FIM command line) is imported by that subcommand's action.
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { COLLECTORS } from './collectors/index.js';
import { ConfigError } from './config/errors.js';
import { loadConfig } from './config/load.js';
import { createLogger, type LogFormat, type LogLevel, type Logger } from './core/log.js';
import { Exporter } from './exporter/exporter.js';
import { VERSION, REVISION } from './core/version.js';
import type { FimOptions } from './cli/fim.js';
import { inventoryCommand } from './cli/inventory-command.js';
import { topCommand } from './cli/top-command.js';

function defaultStateDir(): string {
  return existsSync('/var/lib/hostwatch') ? '/var/lib/hostwatch' : './data';
}

/** Prints config problems as `path.to.key: what is wrong` and returns the exit code. */
function reportConfigError(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.file}: invalid configuration\n`);
    for (const p of err.problems) process.stderr.write(`${p}\n`);
  } else {
    process.stderr.write(`${(err as Error).message}\n`);
  }
  return 1;
}

/** The exporter action: runs until SIGTERM/SIGINT (or, under npm, until npm is gone); SIGHUP reloads. */
async function runExporter(opts: Record<string, string | boolean | undefined>): Promise<void> {
  const logger = createLogger({ level: opts['log.level'] as LogLevel, format: opts['log.format'] as LogFormat });
  const enabled = COLLECTORS.filter((c) => {
    const flag = opts[`collector.${c.name}`];
    return flag === undefined ? c.defaultEnabled : Boolean(flag);
  });
  const exporter = new Exporter({
    configFile: String(opts['config.file']),
    webConfigFile: opts['web.config.file'] as string | undefined,
    listenAddress: String(opts['web.listenAddress']),
    telemetryPath: String(opts['web.telemetryPath']),
    stateDir: (opts['state.dir'] as string | undefined) ?? defaultStateDir(),
    collectors: enabled,
    logger,
  });
  try {
    await exporter.start();
  } catch (err) {
    process.exitCode = reportConfigError(err);
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
    .option('--state.dir <path>', 'directory for checkpoints and the FIM baseline (default: /var/lib/hostwatch when it exists, else ./data)')
    .addOption(new Option('--log.level <level>', 'only log messages of this severity or above').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log.format <format>', 'output format of log messages').choices(['logfmt', 'json']).default('logfmt'));

  for (const c of COLLECTORS) {
    program.option(`--collector.${c.name}`, `enable the ${c.name} collector: ${c.help} (default: ${c.defaultEnabled ? 'enabled' : 'disabled'})`);
    program.option(`--no-collector.${c.name}`, `disable the ${c.name} collector`);
  }

  program.action(runExporter);

  program
    .command('check-config')
    .description('validate the configuration (and the web configuration) and exit 0, or print every problem and exit 1')
    .option('--config.file <path>', 'hostwatch configuration file', 'hostwatch.yml')
    .option('--web.config.file <path>', 'web configuration file to validate too')
    .action(async (opts: Record<string, string | undefined>) => {
      let code = 0;
      const { loadWebConfig } = await import('./server/webconfig.js');
      try {
        await loadConfig(String(opts['config.file']));
      } catch (err) {
        code = reportConfigError(err);
      }
      if (opts['web.config.file']) {
        try {
          await loadWebConfig(opts['web.config.file']);
        } catch (err) {
          code = reportConfigError(err);
        }
      }
      if (code === 0) process.stdout.write('configuration is valid\n');
      process.exitCode = code;
    });

  program
    .command('parse')
    .description('parse a log file (or - for stdin) and print one JSON object per line, for debugging formats and rules')
    .argument('<file>', 'log file, or - for standard input')
    .requiredOption('--type <type>', 'log type: access, auth, firewall or pattern')
    .option('--format <format>', 'access log format: combined, common, json, caddy, traefik, or an nginx log_format / Apache LogFormat string')
    .option('--config.file <path>', 'configuration file read for --type pattern and for --log', 'hostwatch.yml')
    .option('--log <name>', 'use the settings of this log of --config.file: the rules of a pattern log (default: the first one), or the format of an access log')
    .action(async (file: string, opts: Record<string, string | undefined>) => {
      try {
        const { runParse } = await import('./cli/parse.js');
        process.exitCode = await runParse(file, {
          type: String(opts.type),
          format: opts.format,
          configFile: opts['config.file'],
          log: opts.log,
        });
      } catch (err) {
        process.exitCode = reportConfigError(err);
      }
    });

  const fim = program.command('fim').description('file integrity monitoring: what changed since the accepted baseline, and accepting changes');
  const fimCommon = (cmd: Command) =>
    cmd
      .option('--config.file <path>', 'hostwatch configuration file (its fim.roots are used)', 'hostwatch.yml')
      .option('--state.dir <path>', 'state directory holding the FIM baseline (default: /var/lib/hostwatch when it exists, else ./data)')
      .option('--json', 'print JSON');
  // Exit codes like diff(1): 0 no change, 1 changes, 2 trouble (hence reportConfigError + 1).
  fimCommon(
    fim
      .command('status')
      .description('scan the roots now and list what differs from the accepted baseline (exit 0: no change, 1: changes, 2: error or no baseline)')
      .option('--cached', "report the exporter's last recorded scan instead of scanning"),
  ).action(async (opts: FimOptions) => {
    try {
      const { fimStatus } = await import('./cli/fim.js');
      process.exitCode = await fimStatus(opts, defaultStateDir);
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
      process.exitCode = await fimAccept(paths, opts, defaultStateDir);
    } catch (err) {
      process.exitCode = reportConfigError(err) + 1;
    }
  });
  program.addCommand(inventoryCommand(reportConfigError));
  program.addCommand(topCommand(reportConfigError));
  return program;
}

await buildProgram().parseAsync(process.argv);
