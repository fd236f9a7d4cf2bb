// The icmp probe. Node has no raw or ICMP datagram sockets, so the probe runs the system `ping` (of
// iputils, what Debian, Ubuntu, RHEL and Fedora ship) for one echo request: argv only, never a shell,
// a fixed path (PATH is not trusted), a fixed environment, and the target resolved here first so that
// ping receives an address literal (no name, nothing that could read as an option). ping itself needs
// CAP_NET_RAW (its file capability on Debian, or setuid) or the process's group within
// net.ipv4.ping_group_range; when it may not ping, or there is no ping, the probe fails with reason
// `not_permitted` or `no_ping_binary` (hostwatch_probe_failure_reason) and the exporter logs why.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
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
  const { stdout, stderr, code, spawnError } = await new Promise<{
    stdout: string;
    stderr: string;
    code: number | null;
    spawnError?: NodeJS.ErrnoException;
  }>((resolve) => {
    execFile(
      ping.file,
      args,
      {
        signal: run.signal,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024,
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', LANG: 'C' },
        windowsHide: true,
      },
      (err, out, errOut) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
        if (e && typeof e.code !== 'number' && !run.signal.aborted && e.code !== undefined)
          resolve({ stdout: out, stderr: errOut, code: null, spawnError: e });
        else resolve({ stdout: out, stderr: errOut, code: e ? (typeof e.code === 'number' ? e.code : null) : 0 });
      },
    );
  });
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
