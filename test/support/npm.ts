// Running npm itself from a test (npm pack, npm install -g into a scratch prefix). The test runner is
// often started by npm (`npm test`), which exports its settings as npm_config_* variables and the
// project's fields as npm_package_*: a child npm would take them as its own (a `--dry-run` or a
// `--prefix` of the outer run), and re2's install script reads npm_package_* to find its download.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The environment without the outer npm's variables. */
export function npmFreeEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

/** Runs `npm ...args` in cwd (no shell, extra `env` on top of the cleaned one) and returns its stdout; a failure carries npm's stderr. */
export async function npm(args: string[], cwd: string, timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { cwd, env: { ...npmFreeEnv(), ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`npm ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}\n${(e.stdout ?? '').slice(-4000)}`, { cause: err });
  }
}
