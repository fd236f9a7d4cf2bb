// Child processes of the end-to-end stack: each in its own process group (so that anything it forks
// dies with it), output kept in a bounded tail for error messages, and a synchronous last-resort
// kill when the test process exits without running afterAll (crash, Ctrl-C).
import { spawn, type ChildProcess } from 'node:child_process';

const TAIL_BYTES = 16 * 1024;

/** Every group still alive, killed with SIGKILL if the test process goes away. */
const alive = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const p of alive) p.killGroupNow('SIGKILL');
  };
  process.on('exit', killAll);
  // A vitest fork whose parent died (killed runner) may live on for a while: do not let the stack
  // outlive the runner.
  if (process.connected) process.once('disconnect', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig);
    });
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  private readonly child: ChildProcess;
  private output = '';
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  exitInfo?: ExitInfo;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    installExitHook();
    // No shell: argv goes to execve as is. detached = new process group led by the child.
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      if (this.output.length > 2 * TAIL_BYTES) this.output = this.output.slice(-TAIL_BYTES);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        alive.delete(this);
        resolve(this.exitInfo);
      });
      this.child.once('error', (err) => {
        this.output += `\n[spawn error] ${err.message}\n`;
        this.exitInfo = { code: null, signal: null };
        alive.delete(this);
        resolve(this.exitInfo);
      });
    });
    alive.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines the process printed (stdout and stderr interleaved), for failure messages. */
  tail(lines = 30): string {
    const all = this.output.slice(-TAIL_BYTES).split('\n');
    return all.slice(-lines).join('\n');
  }

  /** Describes the process for an error message: state and output tail. */
  describe(lines = 15): string {
    const state = this.running ? `running (pid ${this.pid})` : `exited (code ${this.exitInfo!.code}, signal ${this.exitInfo!.signal})`;
    return `${this.name} ${state}; last output:\n${this.tail(lines)}`;
  }

  /** Sends a signal to the whole process group; ignores a group already gone. */
  killGroupNow(signal: NodeJS.Signals): void {
    if (!this.running || this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: already gone.
    }
  }

  /** SIGTERM the group, SIGKILL it if it has not exited after graceMs. Resolves once exited. */
  async stop(graceMs = 5000): Promise<ExitInfo> {
    if (!this.running) return this.exitInfo!;
    this.killGroupNow('SIGTERM');
    const timer = setTimeout(() => this.killGroupNow('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
