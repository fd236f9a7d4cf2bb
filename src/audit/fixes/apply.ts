// Applies a fix plan and undoes it. Before touching anything, every file is checked to still be
// what the plan was made from; edited files are backed up in the state directory (not next to them,
// where an Include glob could pick a backup up) and replaced atomically with their mode and owner;
// a change that fails rolls back the ones before it. Each fix and each undo is one JSON line of
// <stateDir>/audit/fixes.jsonl, with what it changed and how to undo it by hand.
import { createHash } from 'node:crypto';
import { appendFile, chmod, chown, copyFile, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FactContext, ToolName } from '../facts/context.js';
import { readOptional } from '../facts/context.js';
import { sysctlPath } from '../sysctl-table.js';
import type { Change, FixPlan } from './plan.js';

/** A change as made: an edit is recorded by its backup and a hash of what was written. */
export type RecordedChange = Exclude<Change, { kind: 'edit' }> | { kind: 'edit'; path: string; backup: string | null; afterSha256: string };

export interface FixRecord {
  /** Identifies the fix (its apply record) in the log. */
  id: string;
  time: string;
  action: 'apply' | 'undo';
  check: string;
  /** The audited root the paths are under. */
  root: string;
  changes: RecordedChange[];
  /** How to undo it by hand, in order. */
  undo: string[];
}

export function fixLogPath(stateDir: string): string {
  return join(stateDir, 'audit', 'fixes.jsonl');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const octal = (m: number) => `0${m.toString(8)}`;

async function writeAtomically(path: string, content: string, like?: { mode: number; uid: number; gid: number }): Promise<void> {
  const tmp = `${path}.hostwatch-tmp`;
  await writeFile(tmp, content, { mode: like ? like.mode & 0o7777 : 0o644 });
  try {
    if (like) {
      await chmod(tmp, like.mode & 0o7777);
      await chown(tmp, like.uid, like.gid);
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

async function runCommand(ctx: FactContext, argv: string[]): Promise<void> {
  const r = await ctx.command(argv[0] as ToolName, argv.slice(1));
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? ''}`);
}

function undoText(ctx: FactContext, c: RecordedChange): string {
  switch (c.kind) {
    case 'edit':
      return c.backup ? `cp ${c.backup} ${ctx.file(c.path)}` : `rm ${ctx.file(c.path)}`;
    case 'sysctl':
      return `sysctl -w ${c.key}=${c.before}`;
    case 'mode':
      return `chmod ${octal(c.before)} ${ctx.file(c.path)}${c.uidBefore !== c.uidAfter ? ` && chown ${c.uidBefore} ${ctx.file(c.path)}` : ''}`;
    case 'command':
      return c.undo.join(' ');
  }
}

async function appendRecord(stateDir: string, record: FixRecord): Promise<void> {
  const file = fixLogPath(stateDir);
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, JSON.stringify(record) + '\n', { mode: 0o600 });
}

/** Throws when an edited file is no longer what the fix wrote: undoing would lose that change. */
async function checkUnchangedSince(ctx: FactContext, c: RecordedChange): Promise<void> {
  if (c.kind !== 'edit') return;
  const now = await readOptional(ctx.file(c.path));
  if (now !== undefined && sha256(now) !== c.afterSha256) {
    throw new Error(
      `${c.path} changed since the fix: not overwritten (its content before the fix is in ${c.backup ?? 'no backup: the file did not exist'})`,
    );
  }
}

/** Reverses one recorded change. */
async function revert(ctx: FactContext, c: RecordedChange): Promise<void> {
  switch (c.kind) {
    case 'edit': {
      const path = ctx.file(c.path);
      await checkUnchangedSince(ctx, c);
      if (c.backup === null) await unlink(path).catch(() => {});
      else await writeAtomically(path, await readFile(c.backup, 'utf8'), await stat(path).catch(() => undefined));
      return;
    }
    case 'sysctl':
      await writeFile(ctx.proc(sysctlPath(c.key)), `${c.before}\n`);
      return;
    case 'mode':
      await chmod(ctx.file(c.path), c.before);
      if (c.uidBefore !== c.uidAfter) await chown(ctx.file(c.path), c.uidBefore, -1);
      return;
    case 'command':
      await runCommand(ctx, c.undo);
  }
}

/** Makes one change; returns how it was made (for the log and for undoing it). */
async function make(ctx: FactContext, c: Change, backupDir: string): Promise<RecordedChange> {
  switch (c.kind) {
    case 'edit': {
      const path = ctx.file(c.path);
      let backup: string | null = null;
      const st = await stat(path).catch(() => undefined);
      if (c.before !== null) {
        backup = join(backupDir, c.path);
        await mkdir(dirname(backup), { recursive: true });
        await copyFile(path, backup);
      } else {
        await mkdir(dirname(path), { recursive: true });
      }
      await writeAtomically(path, c.after, st);
      return { kind: 'edit', path: c.path, backup, afterSha256: sha256(c.after) };
    }
    case 'sysctl':
      await writeFile(ctx.proc(sysctlPath(c.key)), `${c.after}\n`);
      return c;
    case 'mode':
      await chmod(ctx.file(c.path), c.after);
      if (c.uidAfter !== c.uidBefore) await chown(ctx.file(c.path), c.uidAfter, -1);
      return c;
    case 'command':
      await runCommand(ctx, c.argv);
      return c;
  }
}

/** Checks that the host is still what the plan was made from. */
async function verifyUnchanged(ctx: FactContext, plan: FixPlan): Promise<void> {
  for (const c of plan.changes) {
    if (c.kind !== 'edit') continue;
    const now = (await readOptional(ctx.file(c.path))) ?? null;
    if (now !== c.before) throw new Error(`${c.path} changed since the fix was planned: run the audit again`);
  }
}

export async function applyPlan(ctx: FactContext, plan: FixPlan, now: number): Promise<FixRecord> {
  await verifyUnchanged(ctx, plan);
  const id = `${new Date(now).toISOString().replace(/[:.]/g, '-')}-${plan.check}`;
  const backupDir = join(ctx.stateDir, 'audit', 'backups', id);
  const done: RecordedChange[] = [];
  try {
    for (const c of plan.changes) done.push(await make(ctx, c, backupDir));
    if (plan.validate === 'sshd' && ctx.has('sshd')) {
      const r = await ctx.command('sshd', ['-t']);
      if (r.code !== 0) throw new Error(`sshd -t rejects the new configuration: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    }
  } catch (err) {
    const failed: string[] = [];
    for (const c of done.reverse()) await revert(ctx, c).catch((e: Error) => failed.push(e.message));
    throw new Error(
      `${(err as Error).message}; ${failed.length === 0 ? 'every change made was rolled back' : `rolling back failed: ${failed.join('; ')}`}`,
      { cause: err },
    );
  }
  const record: FixRecord = {
    id,
    time: new Date(now).toISOString(),
    action: 'apply',
    check: plan.check,
    root: ctx.paths.rootfs,
    changes: done,
    undo: [...done].reverse().map((c) => undoText(ctx, c)),
  };
  await appendRecord(ctx.stateDir, record);
  return record;
}

/** The fix of `check` applied last and not undone yet, from the log. */
export async function lastApplied(stateDir: string, check: string): Promise<FixRecord | undefined> {
  const text = (await readOptional(fixLogPath(stateDir))) ?? '';
  const records = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FixRecord);
  const undone = new Set(records.filter((r) => r.action === 'undo').map((r) => r.id));
  return records.filter((r) => r.action === 'apply' && r.check === check && !undone.has(r.id)).pop();
}

export async function undoFix(ctx: FactContext, record: FixRecord, now: number): Promise<FixRecord> {
  // Every file first: an undo that stops half-way would leave a state no one planned.
  for (const c of record.changes) await checkUnchangedSince(ctx, c);
  for (const c of [...record.changes].reverse()) await revert(ctx, c);
  const undo: FixRecord = { ...record, time: new Date(now).toISOString(), action: 'undo', undo: [] };
  await appendRecord(ctx.stateDir, undo);
  return undo;
}
