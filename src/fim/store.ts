// FIM state on disk, under <stateDir>/fim/:
//   roots/<id>.baseline.json  the accepted state of a root (written by the first scan and by `fim accept`)
//   roots/<id>.state.json     the exporter's counters and last scan time (small, written every scan)
//   roots/<id>.current.json   the records of the exporter's last scan (written only when they changed,
//                             so that an unchanged rescan of a large tree writes a few hundred bytes)
// The two files of records are JSON lines, one directory a line, streamed in and out (records-file.ts).
//   changes.jsonl             the change journal (journal.ts)
//   lock                      held while a process writes any of these (pid inside; stale locks are broken)
// Each file has one writer role: the baseline belongs to `fim accept` (the exporter only creates it
// when absent), the state file to the exporter. Writes are atomic (temp + fsync + rename + fsync dir),
// so a reader sees the old or the new file, never a torn one.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { atomicWrite as writeAtomically } from '../core/atomic-write.js';
import { CHANGE_KINDS, ERROR_REASONS, type ChangeKind, type ErrorReason } from './record.js';
import type { RecordSet } from './record-set.js';
import { readRecordsFile, recordsChunks } from './records-file.js';

export const STATE_VERSION = 1;

export interface BaselineFile {
  version: number;
  root: string;
  createdAt: string;
  acceptedAt: string;
  entries: RecordSet;
  /** Read from the format before JSON lines: rewrite it (the exporter does at start). */
  legacy?: boolean;
}

export interface StateFile {
  version: number;
  root: string;
  current: RecordSet;
  /** The records were read from the format before JSON lines: rewrite them. */
  legacy?: boolean;
  changesTotal: Record<ChangeKind, number>;
  errorsTotal: Record<ErrorReason, number>;
  lastScan: { timestamp: number; durationMs: number } | null;
}

export function fimDir(stateDir: string): string {
  return path.join(stateDir, 'fim');
}

/** A file-name-safe id for a root: readable prefix plus a hash so that distinct roots never collide. */
export function rootId(root: string): string {
  const readable =
    root
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60) || 'root';
  return `${readable}-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`;
}

export function baselinePath(stateDir: string, root: string): string {
  return path.join(fimDir(stateDir), 'roots', `${rootId(root)}.baseline.json`);
}

export function statePath(stateDir: string, root: string): string {
  return path.join(fimDir(stateDir), 'roots', `${rootId(root)}.state.json`);
}

export function currentPath(stateDir: string, root: string): string {
  return path.join(fimDir(stateDir), 'roots', `${rootId(root)}.current.json`);
}

export function journalPath(stateDir: string): string {
  return path.join(fimDir(stateDir), 'changes.jsonl');
}

export function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** The FIM state files: atomic and durable, with a temp file per write (the exporter and the CLI both write here). */
export function atomicWrite(file: string, data: string | Iterable<Uint8Array>): Promise<void> {
  return writeAtomically(file, data, { uniqueTemp: true });
}

async function readJson(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${file}: not valid JSON (corrupt state file; move it away to start over)`);
  }
}

/** The accepted baseline, or undefined when there is none yet. A corrupt file throws: it is never silently replaced. */
export async function readBaseline(stateDir: string, root: string): Promise<BaselineFile | undefined> {
  const file = baselinePath(stateDir, root);
  const raw = await readRecordsFile(file);
  if (raw === undefined) return undefined;
  const { createdAt, acceptedAt } = raw.header;
  if (typeof createdAt !== 'string' || typeof acceptedAt !== 'string') throw new Error(`${file}: unsupported baseline format`);
  return { version: STATE_VERSION, root, createdAt, acceptedAt, entries: raw.records, ...(raw.legacy ? { legacy: true } : {}) };
}

export function writeBaseline(stateDir: string, b: BaselineFile): Promise<void> {
  const { root, createdAt, acceptedAt } = b;
  return atomicWrite(baselinePath(stateDir, root), recordsChunks({ root, createdAt, acceptedAt }, b.entries));
}

/**
 * The exporter's state; a missing or unreadable one is not fatal. A state file that exists but
 * cannot be used (garbage, truncated by a crash of the disk or an editor, another version) is
 * reported through `problem` (file and why) and then ignored: the counters start again from zero
 * (a counter reset, which Prometheus handles) and the next scan compares with the baseline, so the
 * changes since the baseline are still reported; the next scan writes a valid state over it.
 */
export async function readState(stateDir: string, root: string, problem: (msg: string) => void = () => {}): Promise<StateFile | undefined> {
  let raw: Omit<StateFile, 'current'> | undefined;
  let cur: Awaited<ReturnType<typeof readRecordsFile>>;
  try {
    raw = (await readJson(statePath(stateDir, root))) as Omit<StateFile, 'current'> | undefined;
    cur = await readRecordsFile(currentPath(stateDir, root));
  } catch (err) {
    problem((err as Error).message);
    return undefined;
  }
  if (raw === undefined && cur === undefined) return undefined;
  const bad = (file: string, v: unknown) =>
    typeof v !== 'object' || v === null || (v as { version?: unknown }).version !== STATE_VERSION
      ? `${file}: not a FIM state of version ${STATE_VERSION}`
      : undefined;
  const why =
    (raw === undefined ? `${statePath(stateDir, root)}: missing` : bad(statePath(stateDir, root), raw)) ??
    (cur === undefined ? `${currentPath(stateDir, root)}: missing` : undefined);
  if (why !== undefined || !raw || !cur) {
    problem(why ?? 'unusable FIM state');
    return undefined;
  }
  return {
    version: raw.version,
    root: raw.root,
    current: cur.records,
    ...(cur.legacy ? { legacy: true } : {}),
    lastScan: raw.lastScan ?? null,
    changesTotal: { ...zeroCounts(CHANGE_KINDS), ...raw.changesTotal },
    errorsTotal: { ...zeroCounts(ERROR_REASONS), ...raw.errorsTotal },
  };
}

/** Writes the state; the records only when `withCurrent` (they are the large part). */
export async function writeState(stateDir: string, s: StateFile, withCurrent = true): Promise<void> {
  const { current, legacy: _legacy, ...small } = s;
  if (withCurrent) await atomicWrite(currentPath(stateDir, s.root), recordsChunks({ root: s.root }, current));
  await atomicWrite(statePath(stateDir, s.root), JSON.stringify(small));
}

/** Identity of a file's current version, to notice that another process replaced it. */
export async function fileVersion(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the FIM state lock (an O_EXCL lock file holding the owner's pid), waiting up to
 * `timeoutMs`. A lock left by a dead process is broken. Returns the release function.
 */
export async function acquireLock(stateDir: string, timeoutMs = 30_000): Promise<() => Promise<void>> {
  const file = path.join(fimDir(stateDir), 'lock');
  await mkdir(fimDir(stateDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(file, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        await unlink(file).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !alive(owner)) {
      await unlink(file).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) throw new Error(`FIM state is locked by process ${owner || '?'} (${file})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function withLock<T>(stateDir: string, fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
  const release = await acquireLock(stateDir, timeoutMs);
  try {
    return await fn();
  } finally {
    await release();
  }
}
