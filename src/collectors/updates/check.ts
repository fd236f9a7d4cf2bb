// The pending-updates check itself: find apt-get or dnf, run it with a fixed argv (execFile, no
// shell, nothing from the config or a request in argv), with a timeout, and parse its output.
// Runs only in the background (see index.ts), never on the scrape path.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { parseAptSimulate, parseDnfCheckUpdate, parseDnfSecurity, type PendingUpdates } from './parse.js';

export type ToolName = 'apt' | 'dnf';

export interface UpdateTool {
  name: ToolName;
  path: string;
}

/** Where each tool is looked for, in order of preference (fixed paths: PATH is not trusted). */
export const DEFAULT_TOOL_CANDIDATES: UpdateTool[] = [
  { name: 'apt', path: '/usr/bin/apt-get' },
  { name: 'apt', path: '/bin/apt-get' },
  { name: 'dnf', path: '/usr/bin/dnf' },
  { name: 'dnf', path: '/bin/dnf' },
];

export async function detectTool(candidates: readonly UpdateTool[]): Promise<UpdateTool | undefined> {
  for (const c of candidates) {
    try {
      await access(c.path, constants.X_OK);
      return c;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; resolves with its exit code (non-zero included), rejects on timeout or spawn error. */
export function run(file: string, args: string[], timeoutMs: number, signal: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 32 * 1024 * 1024,
        signal,
        // A fixed environment: C locale for parseable output, no inherited variables.
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', LANG: 'C' },
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          const why = err.killed || err.signal ? `killed (${err.signal ?? 'timeout'}) after ${timeoutMs} ms limit` : err.message;
          reject(new Error(`${file}: ${why}`));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

function fail(tool: UpdateTool, args: string[], r: RunResult): never {
  const msg = r.stderr.trim().split('\n').slice(-1)[0] ?? '';
  throw new Error(`${tool.path} ${args.join(' ')} exited ${r.code}${msg ? `: ${msg.slice(0, 200)}` : ''}`);
}

export const APT_ARGS = ['-s', '-o', 'Debug::NoLocking=true', 'dist-upgrade'];
export const DNF_ALL_ARGS = ['-q', 'check-update'];
export const DNF_SECURITY_ARGS = ['-q', 'updateinfo', 'list', '--security'];

/** Runs the check with the tool; the whole check gets timeoutMs. */
export async function checkUpdates(tool: UpdateTool, timeoutMs: number, signal: AbortSignal): Promise<PendingUpdates> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  if (tool.name === 'apt') {
    // Simulation only (-s): reads the package lists as they are; refreshing them is apt's own
    // timer's job (apt-daily), not the exporter's.
    const r = await run(tool.path, APT_ARGS, left(), signal);
    if (r.code !== 0) fail(tool, APT_ARGS, r);
    return parseAptSimulate(r.stdout);
  }
  // dnf check-update exits 100 when updates are available, 0 when none, 1 on error.
  const all = await run(tool.path, DNF_ALL_ARGS, left(), signal);
  if (all.code !== 0 && all.code !== 100) fail(tool, DNF_ALL_ARGS, all);
  const sec = await run(tool.path, DNF_SECURITY_ARGS, left(), signal);
  if (sec.code !== 0 && sec.code !== 100) fail(tool, DNF_SECURITY_ARGS, sec);
  return { all: parseDnfCheckUpdate(all.stdout), security: parseDnfSecurity(sec.stdout) };
}
