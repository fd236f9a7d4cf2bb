// Runs the stack's real tools (promtool, amtool, docker-compose) with execFile, never a shell.
// A missing tool fails the test with the command that installs it: the stack tests never skip.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const PACKAGES: Record<string, string> = {
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'docker-compose': 'docker-compose',
};

export function requireTool(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not installed: run \`sudo apt-get install -y ${PACKAGES[name] ?? name}\` (Debian/Ubuntu)`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(
  tool: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  const bin = requireTool(tool);
  return new Promise((resolveRun) => {
    const child = execFile(
      bin,
      args,
      { cwd: opts.cwd ?? REPO, env: opts.env ?? process.env, timeout: 120_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolveRun({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Asserts success, showing the tool's output when it fails. */
export function expectOk(r: RunResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}

/** A loopback port free right now, for a child process that needs its port on the command line. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
