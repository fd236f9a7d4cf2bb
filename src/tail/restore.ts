// After a restart: finding the checkpointed files again (they are pending until then, see
// tracked.ts). Each is looked for by identity at its path, then among logrotate's names beside it
// (rotated while hostwatch was down), and as a .gz whose content starts with its fingerprint
// (compressed meanwhile). One that cannot be looked for now (its directory missing or unreadable,
// the file unreadable, or missing from a listing caught while logrotate shifted the names) stays
// pending and is looked for again at every pass: it is never dropped and read again from 0 when it
// comes back. Only one missing from a directory that can be listed
// is gone: remembered (it may come back), and its rotation chain is looked at for the files
// written after it.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { FileCheckpoint } from './checkpoint.js';
import type { Discovery } from './discovery.js';
import { isRefused, type FileGuard, type FileProblem, type Inspected } from './guard.js';
import { gzipHead } from './gzip.js';
import { headStartsWith, identityKey, startsWith } from './identity.js';
import type { LogFileOpener } from './opener.js';
import type { FileProblems } from './problems.js';
import { listingHolds, listSiblings } from './siblings.js';
import type { TrackedFile, TrackedFiles } from './tracked.js';

/** A compressed file is taken for a checkpointed one on this many first bytes at least. */
const MIN_GZ_PROOF_BYTES = 32;

export interface RestoreContext {
  discovery: Discovery;
  opener: LogFileOpener;
  files: TrackedFiles;
  problems: FileProblems;
  clock: Clock;
  logger: Logger;
}

/** Where a checkpointed file was found; `headChanged`: by identity, with other first bytes. */
type Found = { full: string; seen: Inspected; gz: boolean; headChanged?: boolean };
/** Found, gone, not to be looked for now (a problem), or `again`: not found by listings caught mid-rotation. */
type Where = Found | 'gone' | 'again' | { problem: FileProblem; err?: string };

/** Looks for the pending files; returns the paths whose rotation chains must be looked at. */
export async function resolvePending(ctx: RestoreContext): Promise<Set<string>> {
  const bases = new Set<string>();
  for (const [key, cp] of ctx.files.pending()) {
    if (!ctx.discovery.covers(cp.path)) {
      ctx.files.dropPending(key);
      ctx.logger.info('checkpointed file no longer matches the log paths: not followed', { path: cp.path });
      continue;
    }
    const where = await locate(key, cp, ctx);
    if (where === 'again') continue; // still pending: looked for at the next pass
    if (where === 'gone') {
      ctx.files.givePendingUp(key, cp);
      // A rotated file was being read to its end; one at its path had its last lines, if any, lost.
      if (!cp.rotated) ctx.files.countRotation('delete');
      const msg = 'checkpointed log file is gone: what was written to it after the checkpoint could not be read';
      if (cp.rotated) ctx.logger.debug(msg, { path: cp.path, offset: cp.offset });
      else ctx.logger.warn(msg, { path: cp.path, offset: cp.offset });
      bases.add(cp.path);
      continue;
    }
    if (isRefused(where)) {
      ctx.problems.report(cp.path, where.problem, where.err);
      continue;
    }
    const f = await reopen(key, cp, where, ctx);
    if (!f) continue; // reported by the opener; still pending
    if (f.rotatedAt !== null && !cp.rotated && !cp.copy) ctx.files.countRotation('rename');
    if (where.full !== cp.path) {
      ctx.logger.info('checkpointed log file found rotated, reading on from its offset', {
        path: cp.path,
        now_at: where.full,
        offset: cp.offset,
        key: f.key,
      });
    }
    ctx.files.dropPending(key); // found as a .gz, it has another identity
    ctx.files.add(f);
    bases.add(cp.path);
  }
  return bases;
}

async function locate(key: string, cp: FileCheckpoint, ctx: RestoreContext): Promise<Where> {
  const guard = ctx.opener.guard;
  const fp = Buffer.from(cp.fp, 'base64');
  const atPath = await guard.inspect(cp.path);
  if (isRefused(atPath) && (atPath.problem === 'permission_denied' || atPath.problem === 'io_error')) return atPath;
  // Same identity at the path: that file, unless its first bytes say otherwise. Then it was
  // truncated (copytruncate: the next read finds the copy) or the inode was reused by a new file,
  // the checkpointed one having been compressed and deleted: its .gz is looked for first.
  let samePath: Found | undefined;
  if (!isRefused(atPath) && identityKey(atPath.st) === key) {
    samePath = { full: cp.path, seen: atPath, gz: false };
    if (cp.gz || (await sameStart(cp.path, atPath, fp, guard))) return samePath;
  }
  const { siblings, problem, torn } = await listSiblings(cp.path, guard);
  if (problem) return samePath ?? { problem };
  // Same identity among the rotated names: that file if it starts with its fingerprint. If not, it
  // was truncated in place and then renamed (copytruncate, then a rename: the reader finds the
  // copy), or its inode went to a newer file (logrotate compresses and deletes the old file before
  // it creates the new one): a .gz of it, looked for first, tells.
  const same = siblings.find((s) => identityKey(s.st) === key);
  const gz = cp.gz === true;
  let changed: Found | undefined;
  if (same && same.gz === gz) {
    const where = { full: same.full, seen: same, gz };
    if (await sameStart(same.full, same, fp, guard, gz)) return where;
    changed = where;
  }
  if (!cp.gz && fp.length >= MIN_GZ_PROOF_BYTES) {
    for (const s of siblings) {
      if (!s.gz) continue;
      const fh = await guard.open(s.full, s);
      if (isRefused(fh)) continue;
      const head = await gzipHead(fh).finally(() => fh.close());
      if (head && headStartsWith(head, fp)) return { full: s.full, seen: s, gz: true };
    }
  }
  // A file that had been rotated away (or a copy) is never truncated in place: with other first
  // bytes, at its path or in the chain, it is another file on its inode (deleted, the inode
  // reused, often by logrotate's next copy or new file). Not looked for as truncated: the discovery
  // or the chain finds the new one, and a copy is found by the file it copies.
  const found = cp.rotated || cp.copy ? undefined : (changed ?? samePath);
  if (found) {
    ctx.logger.debug('checkpointed log file found with other first bytes', {
      path: cp.path,
      now_at: found.full,
      key,
      offset: cp.offset,
      rotated: cp.rotated === true,
    });
    return { ...found, headChanged: true };
  }
  return (await listingHolds(cp.path, guard, siblings, torn)) ? 'gone' : 'again';
}

/**
 * Whether the file (its content, when `gz`) still starts with the fingerprint. A .gz is never
 * rewritten: with another start (or none yet, gzip writing it) it is the next one on a reused inode.
 */
async function sameStart(full: string, seen: Inspected, fp: Buffer, guard: FileGuard, gz = false): Promise<boolean> {
  const fh = await guard.open(full, seen);
  if (isRefused(fh)) return true; // cannot tell here: the open that follows reports it
  try {
    if (!gz) return await startsWith(fh, fp);
    const head = await gzipHead(fh);
    return head !== undefined && headStartsWith(head, fp);
  } finally {
    await fh.close();
  }
}

/** The checkpointed file opened where it was found, at its checkpointed offset. */
async function reopen(key: string, cp: FileCheckpoint, where: Found, ctx: RestoreContext): Promise<TrackedFile | undefined> {
  const fh = await ctx.opener.open(where.full, where.seen);
  if (typeof fh === 'string') return undefined;
  const now = ctx.clock.now();
  const fp = Buffer.from(cp.fp, 'base64');
  const size = Number(where.seen.st.size);
  let { offset, skipping } = cp;
  if (!where.gz && size < offset && fp.length > 0 && (await startsWith(fh, fp))) {
    // Same file, same first bytes, shorter than the checkpoint says: the checkpoint is ahead of
    // the file (written by hand, or restored from a backup). Reading it again from 0 would count
    // its lines twice: go on from its end, at the next line.
    ctx.logger.warn('checkpoint offset past the end of the file: reading on from its end', { path: where.full, offset, size });
    offset = size;
    skipping = false;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      skipping = last[0] !== 10;
    }
  }
  const rotated = where.full !== cp.path || where.gz || cp.copy === true;
  // A rotated file is quiet since its last write, not since this start: otherwise restarts closer
  // together than the wait would keep every rotated file followed, and checkpointed, for ever.
  const lastWrite = Number(where.seen.st.mtimeNs / 1_000_000n);
  const since = rotated && lastWrite > 0 ? Math.min(now, lastWrite) : now;
  return {
    key: identityKey(where.seen.st),
    // The configured path, even when found rotated: a later restart looks for it from there again.
    path: cp.path,
    fh,
    fp,
    offset,
    carry: null,
    skipping,
    size: where.gz ? offset : size,
    // Its first bytes changed (truncated and rewritten, or its inode taken by a newer file): the
    // modification time we last saw is the checkpoint's, and its place in the chain says nothing of
    // the files before it (chain.ts).
    mtimeNs: where.headChanged && cp.mtime !== undefined ? BigInt(Math.round(cp.mtime)) * 1_000_000n : where.seen.st.mtimeNs,
    headChanged: where.headChanged,
    // Short at the checkpoint: its chain then, to find a copy made since (copytruncate.ts missedCopy).
    chainWhenShort: cp.chain ? new Set(cp.chain) : undefined,
    mtimeWhenShort: cp.chain ? cp.mtime : undefined,
    // Found new and its chain not looked at whole before the checkpoint: still no reference.
    newlyFound: cp.newlyFound === true,
    rotatedAt: rotated ? since : null,
    lastGrowthAt: since,
    verifyCopy: false,
    copy: cp.copy === true,
    gz: where.gz,
  };
}
