// Imported first by main.ts, so that its body runs before the rest of the program's modules are
// evaluated: when the command line runs the exporter (no subcommand), the config child process
// (load-isolated.ts) starts validating right away, in parallel with the ~0.3 s the exporter's own
// modules take to load, instead of after them. Anything unusual (a subcommand, --help, --version)
// starts nothing here and the exporter loads its config itself.
import type { Config } from './schema.js';
import { loadConfigIsolated } from './load-isolated.js';

export interface EarlyConfig {
  file: string;
  config: Promise<Config>;
}

/** The --config.file of a plain exporter command line (default hostwatch.yml); undefined otherwise. */
export function exporterConfigFile(args: readonly string[]): string | undefined {
  let file = 'hostwatch.yml';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--version' || a === '-h' || a === '--help') return undefined;
    if (a.startsWith('--config.file=')) file = a.slice('--config.file='.length);
    else if (a === '--config.file') file = args[++i] ?? file;
    // A word that is not a flag: a subcommand (or the value of another `--flag value`): not sure.
    else if (!a.startsWith('-')) return undefined;
  }
  return file;
}

function start(): EarlyConfig | undefined {
  const file = exporterConfigFile(process.argv.slice(2));
  if (file === undefined) return undefined;
  const config = loadConfigIsolated(file);
  // Reported when the exporter awaits it; not an unhandled rejection meanwhile.
  config.catch(() => {});
  return { file, config };
}

export const earlyConfig = start();
