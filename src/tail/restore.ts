// After a restart: finding the checkpointed files again. Each is looked for by identity at its
// path, or, when something else is there now, under one of logrotate's names beside it (rotated
// while hostwatch was down). Its first bytes are not checked here: the tailer's next read compares
// them with the fingerprint and restarts the file at 0 if they differ.
import { stat } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { FileCheckpoint } from './checkpoint.js';
import type { Discovery } from './discovery.js';
import { identityKey } from './identity.js';
import type { LogFileOpener } from './opener.js';
import { findSibling } from './siblings.js';
import type { TrackedFile, TrackedFiles } from './tracked.js';

export interface RestoreContext {
  discovery: Discovery;
  opener: LogFileOpener;
  files: TrackedFiles;
  clock: Clock;
  logger: Logger;
}

/** Tracks the checkpointed files found again; those of paths no longer configured are not followed. */
export async function restoreFiles(checkpointed: readonly FileCheckpoint[], ctx: RestoreContext): Promise<void> {
  for (const cp of checkpointed) {
    if (!ctx.discovery.covers(cp.path)) continue;
    const found = await reopen(cp, ctx.opener, ctx.clock);
    if (found === 'gone') {
      ctx.files.countRotation(); // and dropped from the next checkpoint
      ctx.logger.warn('checkpointed log file is gone; its unread lines are lost', { path: cp.path });
    } else if (found) {
      // Found away from its path: rotated while hostwatch was down. A copy is always away from
      // its path (the original's), and its rotation was counted when it was made.
      if (found.rotatedAt !== null && !found.copy) ctx.files.countRotation();
      ctx.files.add(found);
    }
  }
}

/** The checkpointed file opened again; 'gone' when it is nowhere, undefined when it cannot be opened. */
async function reopen(cp: FileCheckpoint, opener: LogFileOpener, clock: Clock): Promise<TrackedFile | 'gone' | undefined> {
  const key = `${cp.dev}:${cp.ino}`;
  let where: string | undefined;
  let rotated = false;
  try {
    const st = await stat(cp.path, { bigint: true });
    if (identityKey(st) === key) where = cp.path;
  } catch {
    // gone from its path
  }
  if (!where) {
    where = await findSibling(cp.path, (st) => identityKey(st) === key);
    rotated = true;
  }
  if (!where) return 'gone';
  const fh = await opener.open(where);
  if (!fh) return undefined;
  const st = await fh.stat({ bigint: true });
  if (identityKey(st) !== key) {
    await fh.close();
    return undefined;
  }
  const now = clock.now();
  return {
    key,
    // The configured path, even when found rotated: a later restart looks for it from there again.
    path: cp.path,
    fh,
    fp: Buffer.from(cp.fp, 'base64'),
    offset: cp.offset,
    carry: null,
    skipping: cp.skipping,
    size: Number(st.size),
    rotatedAt: rotated || cp.copy ? now : null,
    lastGrowthAt: now,
    verifyCopy: false,
    copy: cp.copy === true,
  };
}
