// Loads the config for the running exporter (start and SIGHUP) in a short-lived child process.
// Why: validating hostwatch.yml needs zod, the schema, the YAML parser and the re2 addon, and in
// Node.js an ES module once imported stays in memory for the life of the process (source text,
// bytecode, objects), as does a native addon once loaded, even by a worker thread. Measured on the
// host-only bench, steady idle RSS: ~71 MB loading in the exporter's thread, ~67 MB in a worker
// thread (its addon, malloc arena and touched code pages stay), ~61 MB in a child process. The
// child costs ~0.2 s of CPU at start and at each SIGHUP; only the plain config object (durations and
// sizes already in ms and bytes) comes back, structured-cloned over IPC. No shell is involved: the
// file name is an argv entry. If the child cannot be started at all, the config is loaded in-thread.
// `check-config`, `parse` and the tests use loadConfig() directly (short-lived, no isolation needed).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';
import type { Config } from './schema.js';
import type { LoadChildReply } from './load-child.js';

export interface IsolatedLoadOptions {
  /**
   * Validate in this thread instead. Default: only when running from TypeScript source (vitest,
   * `node --import tsx src/main.ts`); the tests run the child from source with tsx.
   */
  inThread?: boolean;
  /** Give up on a child that has not answered by then (a config path that blocks, e.g. a FIFO). */
  timeoutMs?: number;
}

const FROM_SOURCE = fileURLToPath(import.meta.url).endsWith('.ts');
// The child gets the exporter's small young generation, not the parent's other flags (an
// --inspect port or --cpu-prof of the parent must not be taken by the child too).
const CHILD_EXEC_ARGV = FROM_SOURCE ? ['--import', 'tsx'] : ['--max-semi-space-size=1'];

async function loadInThread(file: string): Promise<Config> {
  const { loadConfig } = await import('./load.js');
  return loadConfig(file);
}

export async function loadConfigIsolated(file: string, opts: IsolatedLoadOptions = {}): Promise<Config> {
  if (opts.inThread ?? FROM_SOURCE) return loadInThread(file);
  const entry = fileURLToPath(new URL(`./load-child.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
  let child;
  try {
    child = fork(entry, [file], { execArgv: CHILD_EXEC_ARGV, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  } catch {
    return loadInThread(file);
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const reply = await new Promise<LoadChildReply | 'spawn-failed'>((resolve, reject) => {
    let replied = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`config loader process gave no answer within ${(opts.timeoutMs ?? 30_000) / 1000} s`));
    }, opts.timeoutMs ?? 30_000);
    child.once('message', (m: LoadChildReply) => {
      replied = true;
      clearTimeout(timer);
      resolve(m);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // The process could not be started (EAGAIN, ENOMEM, ...): fall back below.
      if (!replied && err.syscall?.startsWith('spawn')) resolve('spawn-failed');
      else if (!replied) reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!replied) reject(new Error(`config loader process exited (${signal ?? code}) without an answer${stderr ? `: ${stderr.trim()}` : ''}`));
    });
  });
  if (reply === 'spawn-failed') return loadInThread(file);
  if (reply.ok) return reply.config as Config;
  if ('problems' in reply) throw new ConfigError(reply.file, reply.problems);
  throw new Error(reply.message);
}
