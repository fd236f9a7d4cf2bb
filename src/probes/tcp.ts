// The tcp probe: connect (resolve, connect phases), optionally a TLS handshake (tls phase), then the
// query_response dialogue of blackbox_exporter (processing phase): each step first reads lines until
// one matches `expect` (RE2), then writes `send` and a newline. A server that never answers makes the
// probe time out; one that closes the connection first fails it with reason `expect`.
import net from 'node:net';
import tls from 'node:tls';
import { userRegex } from '../core/regex.js';
import { splitHostPort, type TcpProbeConfig } from './config.js';
import { resolveTarget, type IpPreference } from './resolve.js';
import { ProbeError, type ProbeRun } from './result.js';
import { earliestCertExpiry, loadTlsOptions, serverName, type TlsOptions } from './tls.js';

/** Longest line kept while waiting for `expect`: a server streaming without newlines cannot grow memory. */
export const MAX_LINE = 64 * 1024;

interface Step {
  expect?: ReturnType<typeof userRegex>;
  send?: string;
}

export async function prepareTcp(cfg: TcpProbeConfig): Promise<(run: ProbeRun) => Promise<void>> {
  const tlsOptions = cfg.tcp.tls ? await loadTlsOptions(cfg.tcp.tls_config) : undefined;
  const steps: Step[] = cfg.tcp.query_response.map((s) => ({
    expect: s.expect === undefined ? undefined : userRegex(s.expect),
    send: s.send,
  }));
  return (run) => probeTcp(cfg, tlsOptions, steps, run);
}

/** Connects a TCP socket to host:port through the preferred address family, timing the phases. */
export async function connectTcp(host: string, port: number, pref: IpPreference, run: ProbeRun): Promise<net.Socket> {
  const resolved = await resolveTarget(host, pref, run.signal);
  run.details.ipProtocol = resolved.family;
  run.end('resolve', 'connect');
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: resolved.address, port, family: resolved.family });
    const onAbort = () => socket.destroy(run.signal.reason as Error);
    run.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => run.signal.removeEventListener('abort', onAbort));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      run.end('connect');
      resolve(socket);
    });
  });
}

async function probeTcp(cfg: TcpProbeConfig, tlsOptions: TlsOptions | undefined, steps: Step[], run: ProbeRun): Promise<void> {
  const { host, port } = splitHostPort(cfg.target)!;
  let socket: net.Socket = await connectTcp(host, port, cfg.tcp, run);
  try {
    if (tlsOptions) {
      run.current = 'tls';
      socket = await handshake(socket, tlsOptions, serverName(cfg.tcp.tls_config, host), run);
    }
    run.begin('processing');
    if (steps.length > 0) await dialogue(socket, steps);
    run.end('processing');
  } finally {
    socket.destroy();
  }
}

function handshake(socket: net.Socket, options: TlsOptions, servername: string | undefined, run: ProbeRun): Promise<tls.TLSSocket> {
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const secure = tls.connect({ socket, ...options, servername });
    const onAbort = () => secure.destroy(run.signal.reason as Error);
    run.signal.addEventListener('abort', onAbort, { once: true });
    secure.once('close', () => run.signal.removeEventListener('abort', onAbort));
    secure.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
    secure.once('secureConnect', () => {
      run.details.certExpiry = earliestCertExpiry(secure);
      run.end('tls');
      resolve(secure);
    });
  });
}

/** Runs the steps on the socket; resolves when the last is done. */
function dialogue(socket: net.Socket, steps: Step[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let i = 0;
    let pending = '';
    const finish = (err?: Error) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', finish);
      if (err) reject(err);
      else resolve();
    };
    /** Sends and moves on through the steps until one waits for a line. */
    const advance = (line?: string) => {
      while (i < steps.length) {
        const step = steps[i];
        if (step.expect) {
          if (line === undefined || !step.expect.test(line)) return;
          line = undefined;
        }
        if (step.send !== undefined) socket.write(`${step.send}\n`);
        i++;
      }
      finish();
    };
    const onData = (d: Buffer) => {
      pending += d.toString('utf8');
      let nl: number;
      while (i < steps.length && (nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        advance(line);
      }
      if (pending.length > MAX_LINE) finish(new ProbeError('expect', `line longer than ${MAX_LINE} bytes without a match`));
    };
    const onEnd = () => {
      // The last line may come without its newline.
      if (pending !== '' && i < steps.length) advance(pending);
      pending = '';
      if (i < steps.length) finish(new ProbeError('expect', `connection closed before a line matched ${steps[i].expect?.source}`));
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', finish);
    advance();
  });
}
