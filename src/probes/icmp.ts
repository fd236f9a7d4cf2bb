// The icmp probe. Node has no raw or ICMP datagram sockets, so the probe runs the system `ping` (of
// iputils, what Debian, Ubuntu, RHEL and Fedora ship) for one echo request: argv only, never a shell,
// a fixed path (PATH is not trusted), a fixed environment, and the target resolved here first so that
// ping receives an address literal (no name, nothing that could read as an option). ping itself needs
// CAP_NET_RAW (its file capability on Debian, or setuid) or the process's group within
// net.ipv4.ping_group_range; when it may not ping, or there is no ping, the probe fails with reason
// `not_permitted` or `no_ping_binary` (hostwatch_probe_failure_reason) and the exporter logs why.
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IcmpProbeConfig } from './config.js';
import { readPingOutput } from './ping-output.js';
import { resolveTarget } from './resolve.js';
import { ProbeError, type ProbeRun } from './result.js';

/** How ping is run: a file and the arguments before ping's own (tests run it through setpriv). */
export interface PingCommand {
  file: string;
  args: string[];
}

export const DEFAULT_PING_PATHS = ['/usr/bin/ping', '/bin/ping', '/usr/sbin/ping', '/sbin/ping'];

/** The first executable ping among `paths`, or undefined. */
export async function findPing(paths: readonly string[] = DEFAULT_PING_PATHS): Promise<PingCommand | undefined> {
  for (const file of paths) {
    try {
      await access(file, constants.X_OK);
      return { file, args: [] };
    } catch {
      // not here
    }
  }
  return undefined;
}

export function prepareIcmp(cfg: IcmpProbeConfig, ping: PingCommand | undefined): (run: ProbeRun) => Promise<void> {
  return (run) => probeIcmp(cfg, ping, run);
}

async function probeIcmp(cfg: IcmpProbeConfig, ping: PingCommand | undefined, run: ProbeRun): Promise<void> {
  if (!ping) throw new ProbeError('no_ping_binary', `no ping program (looked for ${DEFAULT_PING_PATHS.join(', ')}): install iputils-ping`);
  const target = await resolveTarget(cfg.target, cfg.icmp, run.signal);
  run.details.ipProtocol = target.family;
  run.end('resolve', 'processing');
  // -W: seconds to wait for the reply (whole seconds for old iputils); the probe's own timeout kills
  // ping earlier when it is shorter.
  const wait = String(Math.max(1, Math.ceil(cfg.timeout / 1000)));
  const args = [...ping.args, '-n', '-c', '1', '-W', wait, `-${target.family}`, target.address];
  await spawnTurn(run.signal).catch(() => {});
  if (run.signal.aborted) throw run.signal.reason;
  const { stdout, stderr, code, spawnError } = await runPing(ping.file, args, run.signal);
  if (run.signal.aborted) throw run.signal.reason;
  if (spawnError) {
    const reason =
      spawnError.code === 'EACCES' || spawnError.code === 'EPERM'
        ? 'not_permitted'
        : spawnError.code === 'ENOENT'
          ? 'no_ping_binary'
          : 'error';
    throw new ProbeError(reason, `${ping.file}: ${spawnError.message}`);
  }
  const outcome = readPingOutput(stdout, stderr, code);
  if (outcome.kind !== 'reply') throw new ProbeError(outcome.kind, `${ping.file}: ${outcome.message}`);
  // The phase is ping's own measure of the round trip, not the life of the process.
  run.phases.processing = outcome.rtt;
}

// Starting a process blocks the event loop: Node forks and waits until the child has exec'd, 20-100 ms
// each on a loaded 2-core machine. 50 icmp probes a second then left the exporter no time for anything
// else (no /-/ready, no SIGTERM handler, no reaping of the children, every run timed out). So after a
// ping started, the next may start only once as much time as that start took has passed: starting
// processes takes at most half of the event loop, whatever the number of probes; runs that wait too
// long time out and their missed beats are counted as skipped runs.
let spawnFreeAt = 0;

/** Resolves when a ping may start (rejects when `signal` aborts the wait). */
async function spawnTurn(signal: AbortSignal): Promise<void> {
  // Waiters wake together; the first starts its ping (synchronously, moving spawnFreeAt), the others wait again.
  for (let wait = spawnFreeAt - performance.now(); wait > 0; wait = spawnFreeAt - performance.now()) {
    await sleep(wait, undefined, { signal });
  }
}

interface PingExit {
  stdout: string;
  stderr: string;
  code: number | null;
  spawnError?: NodeJS.ErrnoException;
}

const OUTPUT_LIMIT = 64 * 1024;
const PING_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', LANG: 'C' };

/**
 * Runs ping and settles only once the process is gone and reaped ('close': exited, waited for, its
 * pipes drained), also when `signal` kills it. execFile is not used: on an abort it calls back at once,
 * before the killed child is reaped, which freed the probe's slot while the child was still a process;
 * on a loaded machine a new ping then started every interval while the killed ones piled up unreaped.
 */
function runPing(file: string, args: string[], signal: AbortSignal): Promise<PingExit> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ stdout: '', stderr: '', code: null });
    const started = performance.now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: PING_ENV, windowsHide: true });
    spawnFreeAt = performance.now() + (performance.now() - started);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const kill = () => child.kill('SIGKILL');
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      // ping -c 1 writes a few hundred bytes; more is not ping: killed, its output read as garbled.
      if (size > OUTPUT_LIMIT) kill();
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    signal.addEventListener('abort', kill, { once: true });
    let spawnError: NodeJS.ErrnoException | undefined;
    const done = (code: number | null) => {
      signal.removeEventListener('abort', kill);
      resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code, spawnError });
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
      // Never started (ENOENT, EACCES, EAGAIN): there is no process to wait for.
      if (child.pid === undefined) done(null);
    });
    child.once('close', (code) => {
      if (child.pid !== undefined) done(code);
    });
  });
}
