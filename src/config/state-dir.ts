// Where hostwatch keeps its state (log checkpoints, the FIM baseline and records). One lookup, used
// by the exporter and by every subcommand, so that `hostwatch fim status` run from any directory
// finds the state the exporter writes. In order:
//   1. --state.dir;
//   2. state_dir in the config file (a relative path is relative to the config file's directory);
//   3. /var/lib/hostwatch when it exists (the directory of the packaged service and the container);
//   4. data/ beside the config file.
// Earlier versions defaulted to ./data of the working directory, wherever the exporter was started.
// An install whose state is there (and not at 4) keeps using it, with a note saying how to pin it,
// so that an upgrade neither recounts its logs nor rebuilds its FIM baseline.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SERVICE_STATE_DIR = '/var/lib/hostwatch';

export interface StateDirChoice {
  /** Absolute path. */
  dir: string;
  /** Where it came from, for the start-up log and the CLI's messages. */
  from: '--state.dir' | 'state_dir' | 'default';
  /** Something the operator should act on (the state found at the old default). */
  note?: string;
}

/** The two places the lookup depends on besides its arguments (tests point them at temp dirs). */
export interface StateDirEnv {
  cwd: string;
  serviceDir: string;
}

const realEnv = (): StateDirEnv => ({ cwd: process.cwd(), serviceDir: SERVICE_STATE_DIR });

/** Whether `dir` holds hostwatch state (so that it is worth keeping). */
function holdsState(dir: string): boolean {
  return existsSync(path.join(dir, 'checkpoints')) || existsSync(path.join(dir, 'fim'));
}

export function resolveStateDir(
  flag: string | undefined,
  config: { state_dir?: string },
  configFile: string,
  env: StateDirEnv = realEnv(),
): StateDirChoice {
  if (flag) return { dir: path.resolve(env.cwd, flag), from: '--state.dir' };
  const configDir = path.dirname(path.resolve(env.cwd, configFile));
  if (config.state_dir) return { dir: path.resolve(configDir, config.state_dir), from: 'state_dir' };
  if (existsSync(env.serviceDir)) return { dir: env.serviceDir, from: 'default' };
  const dir = path.join(configDir, 'data');
  const legacy = path.resolve(env.cwd, 'data');
  if (legacy !== dir && !existsSync(dir) && holdsState(legacy)) {
    return {
      dir: legacy,
      from: 'default',
      note: `state found in ./data of the working directory (the old default); set state_dir: ${legacy} in ${configFile} (or move it to ${dir}) so that every hostwatch command finds it wherever it runs`,
    };
  }
  return { dir, from: 'default' };
}
