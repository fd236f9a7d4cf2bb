#!/usr/bin/env -S node --max-semi-space-size=1
// The hostwatch command line: flags after node_exporter, plus check-config, parse and fim.
// The shebang gives the installed `hostwatch` command the same small young generation as `npm start`
// and the Dockerfile (README "Memory"); `node dist/main.js` run by hand should pass the flag too.
//
// Memory: what only a subcommand needs (config validation with zod and YAML, the parsers, the FIM
// command line) is imported when that subcommand runs, not by the long-running exporter: an ES
// module once imported stays resident for the life of the process.
// First: starts validating the exporter's config while the modules below load (see early-load.ts).
import { earlyConfig } from './config/early-load.js';
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { COLLECTORS } from './collectors/index.js';
import { ConfigError } from './config/errors.js';
import { createLogger, type LogFormat, type LogLevel } from './core/log.js';
import { Exporter } from './core/exporter.js';
import { VERSION, REVISION } from './core/version.js';
import type { FimCommandDeps } from './cli/fim.js';
import { registerAuditCommand } from './cli/audit.js';

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

/**
 * `registerFim` adds the `fim` subcommands; main() passes it only when the command line may name a
 * subcommand (see mayNameSubcommand), so that the exporter does not import the FIM command line.
 */
export function buildProgram(registerFim?: (program: Command, deps: FimCommandDeps) => void): Command {
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

  program.action(async (opts: Record<string, string | boolean | undefined>) => {
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
      initialConfig: earlyConfig?.file === String(opts['config.file']) ? earlyConfig.config : undefined,
    });
    try {
      await exporter.start();
    } catch (err) {
      process.exitCode = reportConfigError(err);
      await exporter.stop().catch(() => {});
      process.exit(process.exitCode);
    }
    const shutdown = (signal: string) => {
      logger.info('shutting down', { signal });
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
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => {
      logger.info('SIGHUP received, reloading configuration');
      void exporter.reload();
    });
  });

  program
    .command('check-config')
    .description('validate the configuration (and the web configuration) and exit 0, or print every problem and exit 1')
    .option('--config.file <path>', 'hostwatch configuration file', 'hostwatch.yml')
    .option('--web.config.file <path>', 'web configuration file to validate too')
    .action(async (opts: Record<string, string | undefined>) => {
      let code = 0;
      const { loadConfig } = await import('./config/load.js');
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
        await import('./cli/parsers.js');
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

  registerFim?.(program, { defaultStateDir, reportError: reportConfigError });
  registerAuditCommand(program, { defaultStateDir, reportError: reportConfigError });
  return program;
}

/**
 * Whether the arguments may name a subcommand: any word that is not a flag (it may also be the value
 * of a `--flag value` option: then the FIM command line is loaded for nothing, which is harmless),
 * or a help request, whose output lists the subcommands. The exporter as started by `npm start`, the
 * Dockerfile and the docs (`--flag=value` only) has none.
 */
export function mayNameSubcommand(args: readonly string[]): boolean {
  return args.some((a) => !a.startsWith('-') || a === '-h' || a === '--help');
}

const args = process.argv.slice(2);
const registerFim = mayNameSubcommand(args) ? (await import('./cli/fim.js')).registerFimCommands : undefined;
await buildProgram(registerFim).parseAsync(process.argv);
