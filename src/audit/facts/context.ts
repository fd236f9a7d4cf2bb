// What a fact reader gets: where the host's files, /proc and /sys are, the audit settings, the
// commands it may run (argv arrays through execFile, never a shell, each with a timeout), and the
// other facts (memoised: each fact is read at most once per audit run).
import { access, constants, readFile } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { AuditConfig } from '../config.js';
import { rootfsPath, type HostPaths } from '../../collectors/hostfs.js';
import { DEFAULT_TOOL_CANDIDATES, detectTool, run, type RunResult, type UpdateTool } from '../../collectors/updates/check.js';
import type { FactMap } from './types.js';

export const TOOL_NAMES = ['sshd', 'ufw', 'nft', 'rpm'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Fixed locations (PATH is not trusted), in order of preference. */
const TOOL_CANDIDATES: Record<ToolName, string[]> = {
  sshd: ['/usr/sbin/sshd', '/sbin/sshd'],
  ufw: ['/usr/sbin/ufw', '/sbin/ufw'],
  nft: ['/usr/sbin/nft', '/sbin/nft'],
  rpm: ['/usr/bin/rpm', '/bin/rpm'],
};

export interface Tools {
  commands: Partial<Record<ToolName, string>>;
  /** The package manager that counts pending updates (the updates collector's check). */
  updates?: UpdateTool;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The commands of the audited system. Only the running system's programs are run: with another root
 * (a container's view of the host, a fixture tree, a mounted image) facts come from files only,
 * unless tests name the programs explicitly.
 */
export async function resolveTools(root: string, explicit?: Tools): Promise<Tools> {
  if (explicit) return explicit;
  if (root !== '/') return { commands: {} };
  const commands: Partial<Record<ToolName, string>> = {};
  await Promise.all(
    TOOL_NAMES.map(async (name) => {
      for (const p of TOOL_CANDIDATES[name]) {
        if (await executable(p)) {
          commands[name] = p;
          return;
        }
      }
    }),
  );
  return { commands, updates: await detectTool(DEFAULT_TOOL_CANDIDATES) };
}

export interface FactContextOptions {
  paths: HostPaths;
  config: AuditConfig;
  tools: Tools;
  now: number;
  stateDir: string;
  /** host.tls.cert_files: the certificates whose strength is checked. */
  certFiles: readonly string[];
  /** host.reboot_required_file, used as configured when the audited root is "/". */
  rebootRequiredFile: string;
  /** host.updates.timeout: the package manager's time limit. */
  updatesTimeoutMs: number;
  signal: AbortSignal;
  /** Recompute the costly facts instead of reusing the state directory's (see cache.ts). */
  refresh: boolean;
}

export class FactContext {
  readonly paths: HostPaths;
  readonly config: AuditConfig;
  readonly tools: Tools;
  readonly now: number;
  readonly stateDir: string;
  readonly certFiles: readonly string[];
  readonly rebootRequiredFile: string;
  readonly updatesTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly refresh: boolean;
  private readonly memo = new Map<keyof FactMap, Promise<unknown>>();

  constructor(
    opts: FactContextOptions,
    private readonly readers: { [K in keyof FactMap]: (ctx: FactContext) => Promise<FactMap[K]> },
  ) {
    this.paths = opts.paths;
    this.config = opts.config;
    this.tools = opts.tools;
    this.now = opts.now;
    this.stateDir = opts.stateDir;
    this.certFiles = opts.certFiles;
    this.rebootRequiredFile = opts.rebootRequiredFile;
    this.updatesTimeoutMs = opts.updatesTimeoutMs;
    this.signal = opts.signal;
    this.refresh = opts.refresh;
  }

  /** A fact, read once per audit run; rejects when it cannot be gathered. */
  get<K extends keyof FactMap>(key: K): Promise<FactMap[K]> {
    let p = this.memo.get(key) as Promise<FactMap[K]> | undefined;
    if (!p) {
      p = this.readers[key](this);
      this.memo.set(key, p);
    }
    return p;
  }

  /** A path of the audited system's filesystem, e.g. /etc/shadow under the root. */
  file(hostPath: string): string {
    return rootfsPath(this.paths, hostPath);
  }

  /** The inverse of file(): the audited system's path of a path under the root. */
  hostPath(p: string): string {
    const root = this.paths.rootfs.replace(/\/+$/, '');
    return root && p.startsWith(root + '/') ? p.slice(root.length) : p;
  }

  /** A file of the audited system, or undefined when it does not exist. */
  async readOptional(hostPath: string): Promise<string | undefined> {
    return readOptional(this.file(hostPath));
  }

  proc(rel: string): string {
    return `${this.paths.proc}/${rel}`;
  }

  sys(rel: string): string {
    return `${this.paths.sys}/${rel}`;
  }

  /** Whether the audited system's program `name` can be run (see resolveTools). */
  has(name: ToolName): boolean {
    return this.tools.commands[name] !== undefined;
  }

  /** Runs one of the audited system's programs with a fixed argv; resolves with its exit code. */
  command(name: ToolName, args: string[]): Promise<RunResult> {
    const path = this.tools.commands[name];
    if (!path) return Promise.reject(new Error(`${name} is not available`));
    return run(path, args, this.config.command_timeout, this.signal);
  }
}

/** Reads a file; undefined when it (or a directory on its path) does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Lets the event loop run between units of synchronous work (a directory of a tree walk, a process
 * of the process table): the exporter keeps answering scrapes while an audit runs.
 */
export function yieldNow(): Promise<void> {
  return yieldToLoop();
}
