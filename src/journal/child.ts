// One journalctl process: argv only (no shell), stdout handed over as it comes, stderr lines kept
// for the log (a few, each cut: journalctl's hints, such as missing permissions, are worth showing;
// an endless stream of them is not), and one promise for its end, whatever the end is (it could
// not be started, it exited, it was killed).
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (ENOENT: no journalctl, EACCES...). */
  error?: NodeJS.ErrnoException;
  /** Its last stderr lines (at most STDERR_LINES, each at most STDERR_LINE_BYTES). */
  stderr: string[];
}

const STDERR_LINES = 5;
const STDERR_LINE_BYTES = 500;
/** A journalctl that does not go after SIGTERM within this is killed. */
const KILL_AFTER_MS = 3000;

export class JournalctlProcess {
  readonly ended: Promise<ChildEnd>;
  private readonly proc: ChildProcess;
  private readonly stderr: string[] = [];
  private stderrCarry = '';
  private spawned = false;

  constructor(command: string, args: string[], onStdout: (chunk: Buffer) => void, onSpawn?: () => void) {
    // LC_ALL=C: journalctl's own messages in English, as they are logged.
    this.proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', SYSTEMD_COLORS: '0' } });
    this.ended = new Promise<ChildEnd>((resolve) => {
      let error: NodeJS.ErrnoException | undefined;
      this.proc.once('error', (err: NodeJS.ErrnoException) => {
        error = err;
        // A process that never started emits no 'close' in every Node version.
        if (!this.spawned) resolve({ code: null, signal: null, error, stderr: this.stderr });
      });
      // 'close', not 'exit': every byte it wrote to stdout has been handed over by then.
      this.proc.once('close', (code, signal) => resolve({ code, signal, error, stderr: this.stderrLines() }));
    });
    this.proc.once('spawn', () => {
      this.spawned = true;
      onSpawn?.();
    });
    this.proc.stdout!.on('data', onStdout);
    this.proc.stderr!.on('data', (d: Buffer) => this.keepStderr(d.toString('utf8')));
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private keepStderr(text: string): void {
    const lines = (this.stderrCarry + text).split('\n');
    this.stderrCarry = lines.pop()!.slice(0, STDERR_LINE_BYTES);
    for (const l of lines) if (l.trim() !== '') this.push(l);
  }

  private push(line: string): void {
    this.stderr.push(line.slice(0, STDERR_LINE_BYTES));
    if (this.stderr.length > STDERR_LINES) this.stderr.shift();
  }

  private stderrLines(): string[] {
    if (this.stderrCarry.trim() !== '') this.push(this.stderrCarry);
    this.stderrCarry = '';
    return this.stderr;
  }

  /** Stops it (SIGTERM, then SIGKILL if it lingers) and waits for its end. */
  async kill(): Promise<ChildEnd> {
    if (this.spawned && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), KILL_AFTER_MS);
      timer.unref();
      const end = await this.ended;
      clearTimeout(timer);
      return end;
    }
    return this.ended;
  }
}

/** How a child ended, for the log. */
export function describeEnd(end: ChildEnd): string {
  if (end.error)
    return end.error.code === 'ENOENT' ? 'journalctl not found (is systemd installed, and journalctl on PATH?)' : end.error.message;
  const how = end.signal ? `killed by ${end.signal}` : `exited with code ${end.code}`;
  return end.stderr.length ? `${how}: ${end.stderr.join(' / ')}` : how;
}
