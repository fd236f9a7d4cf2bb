// Runs one remediation command: argv only (spawn without a shell), a minimal environment, its own
// process group so that a timeout kills everything it started, bounded captured output.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Output kept per stream, for the audit log. */
const OUTPUT_MAX = 2048;
/** After SIGTERM, time the group gets before SIGKILL. */
const KILL_GRACE_MS = 2000;

export interface RunResult {
  /** exit: the command ended by itself; timeout: killed after the timeout; error: could not start. */
  outcome: 'exit' | 'timeout' | 'error';
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  error?: string;
}

export interface Identity {
  uid: number;
  gid: number;
}

function lookup(file: string, name: string): { id: number; gid?: number } | undefined {
  if (/^\d+$/.test(name)) return { id: Number(name) };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { id: Number(f[2]), gid: f[3] !== undefined ? Number(f[3]) : undefined };
  }
  return undefined;
}

/** Resolves `user` or `user:group` (names from /etc/passwd and /etc/group, or numbers); throws when unknown. */
export function resolveIdentity(spec: string, etc = '/etc'): Identity {
  const [user, group] = spec.split(':');
  const u = lookup(`${etc}/passwd`, user);
  if (!u) throw new Error(`run_as: unknown user "${user}"`);
  let gid = u.gid;
  if (group !== undefined) {
    const g = lookup(`${etc}/group`, group);
    if (!g) throw new Error(`run_as: unknown group "${group}"`);
    gid = g.id;
  }
  if (gid === undefined) throw new Error(`run_as: give a group for numeric user ${user} (user:group)`);
  return { uid: u.id, gid };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function runCommand(argv: readonly string[], opts: { timeoutMs: number; identity?: Identity }): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (r: Omit<RunResult, 'durationMs' | 'stdout' | 'stderr'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      resolve({ ...r, durationMs: Date.now() - started, stdout, stderr });
    };
    const child = spawn(argv[0], argv.slice(1), {
      shell: false,
      detached: true, // own process group: the timeout kills the command and its children
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
      cwd: '/',
      ...(opts.identity ? { uid: opts.identity.uid, gid: opts.identity.gid } : {}),
    });
    child.stdout.on('data', (c: Buffer) => {
      if (stdout.length < OUTPUT_MAX) stdout += c.toString('utf8').slice(0, OUTPUT_MAX - stdout.length);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < OUTPUT_MAX) stderr += c.toString('utf8').slice(0, OUTPUT_MAX - stderr.length);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS);
    }, opts.timeoutMs);
    child.on('error', (err) => finish({ outcome: 'error', exitCode: null, signal: null, error: err.message }));
    // 'close' waits for the pipes: a grandchild holding them keeps it open until the group is killed.
    child.on('close', (code, signal) => {
      if (timedOut && child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      finish({ outcome: timedOut ? 'timeout' : 'exit', exitCode: code, signal });
    });
  });
}
