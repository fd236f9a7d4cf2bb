// The rotation chain of a followed path, looked at after a restart and whenever a rotation is
// noticed: the rotated files (siblings.ts) written after the ones we have read are read from their
// start, oldest first, so that rotations while hostwatch was down, or several between two looks,
// lose nothing. Which files were written after ours is told by identity and position in the chain:
// - ours: files followed or pending (same dev:ino), files known (finished with: same dev:ino and
//   fingerprint), copies of a followed file (its first bytes under another identity, copytruncate),
//   and .gz files whose content starts with the fingerprint of one of those;
// - a file we let go (known), or its .gz (also of one retired), that holds more than was read of it
//   (lines written to the file after it was read to its end, or after the checkpoint of a file
//   given up) is read on from where that file had got to: ours, and its late lines counted once;
// - the oldest of ours that can be one (see noReference) is the reference: every other member
//   after it in the chain is newer and was never read, and so is one of the other naming scheme
//   modified in the reference's second or later (the two schemes are merged by mtime). With
//   none in the chain (deleted, or the chain rebuilt), a member is newer when it was modified after
//   the last time one of ours was seen modified.
// Members matching the log's patterns are the discovery's business (a glob such as access.log*).
// Known files that left the chain (missing from it for the wait) are forgotten here.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { MIN_COPY_PROOF_BYTES } from './copytruncate.js';
import type { Discovery } from './discovery.js';
import { isRefused, type FileProblem } from './guard.js';
import { gzipContentSize, gzipHead } from './gzip.js';
import { FINGERPRINT_BYTES, headStartsWith, identityKey, matchesDigest, readHead } from './identity.js';
import type { LogFileOpener } from './opener.js';
import { listingHolds, listSiblings, rotationChain, type Sibling } from './siblings.js';
import type { KnownFile } from './known.js';
import type { TrackedFile, TrackedFiles } from './tracked.js';
import { Waits } from './waits.js';

export interface ChainContext {
  discovery: Discovery;
  opener: LogFileOpener;
  files: TrackedFiles;
  clock: Clock;
  logger: Logger;
  /** How long a .gz that cannot be inflated yet (gzip still writing it) is waited for. */
  waitMs: number;
}

/** Ours, but holding more than was read: read on from `from.offset`; `drop` forgets the record it replaces. */
interface ReadOn {
  from: KnownFile;
  drop: () => void;
}
type Verdict = 'ours' | 'new' | 'skip' | ReadOn;
const isOurs = (v: Verdict): boolean => v === 'ours' || typeof v === 'object';
const NS_PER_SECOND = 1_000_000_000n;

/**
 * A followed file whose place in the chain tells nothing of what was read before it: found new and
 * its chain not looked at whole since (TrackedFile.newlyFound: found at the path, then rotated
 * before a look at the chain settled, even if it was read meanwhile), or found again after a
 * restart with other first bytes (its inode taken by a newer file). Ours, but no reference: the
 * files before it in the chain may have come and gone unseen. (A checkpointed one is: the
 * checkpoint knew every file before it.)
 */
const noReference = (f: TrackedFile | undefined): boolean => f !== undefined && (f.newlyFound === true || f.headChanged === true);

export class RotationChains {
  /** .gz members not inflatable yet (by identity). */
  private readonly unreadableGz: Waits;
  /** Members whose first bytes are the start of one of ours (a copy being written). */
  private readonly growing: Waits;
  /** Followed paths whose last listings were torn (caught mid-rotation). */
  private readonly torn: Waits;

  constructor(private readonly ctx: ChainContext) {
    this.unreadableGz = new Waits(ctx.clock, ctx.waitMs);
    this.growing = new Waits(ctx.clock, ctx.waitMs);
    this.torn = new Waits(ctx.clock, ctx.waitMs);
  }

  /**
   * Tracks the rotated files of `base` written after ours (read from 0 by the next drain, oldest
   * first). False when it must look again at the next pass: the directory could not be listed, or
   * a .gz member cannot be inflated yet.
   */
  async scan(base: string): Promise<boolean> {
    const { files, opener, discovery, logger } = this.ctx;
    const { siblings, problem, torn } = await listSiblings(base, opener.guard);
    if (problem) return problem === 'gone'; // no directory: no chain
    if (this.tornListing(base, torn)) return false; // caught mid-rotation: look again at the next pass
    const chain = rotationChain(siblings);
    const ourHeads = await this.fingerprintsOf(base);
    const listed = new Set(siblings.map((s) => identityKey(s.st)));
    const present = new Set(listed);
    /** Checkpointed files not found again yet whose identity holds other first bytes now: ours, no reference. */
    const changed = new Set<string>();
    let settled = true;
    const verdicts: Verdict[] = [];
    for (const s of chain) {
      const v = await this.judge(s, base, ourHeads, { present, listed }, changed);
      if (v === undefined) settled = false;
      verdicts.push(v ?? 'skip');
    }
    const ref = chain.findIndex((s, i) => {
      const key = identityKey(s.st);
      return isOurs(verdicts[i]) && !noReference(files.get(key)) && !changed.has(key);
    });
    const named = (v: Verdict) => (typeof v === 'object' ? `read-on@${v.from.offset}` : v);
    logger.debug('rotation chain', {
      path: base,
      members: chain.map((s, i) => `${s.name}:${identityKey(s.st)}:${named(verdicts[i])}`).join(','),
    });
    const since = ref < 0 ? this.lastSeenModified(base) : undefined;
    const now = this.ctx.clock.now();
    for (let i = 0; i < chain.length; i++) {
      const s = chain[i];
      const v = verdicts[i];
      if (discovery.covers(s.full)) continue;
      if (typeof v === 'object') {
        const f = await this.open(s, base, now, v.from);
        if (typeof f === 'string') {
          if (f === 'gone') settled = false;
          continue;
        }
        files.add(f);
        v.drop();
        logger.info('reading on a rotated file (or its .gz) from where it was let go: lines were written to it after', {
          path: base,
          rotated: s.full,
          offset: f.offset,
        });
        continue;
      }
      if (v !== 'new' || !this.after(chain, i, ref)) continue;
      if (ref < 0 && (since === undefined || s.st.mtimeNs <= since)) continue;
      const f = await this.open(s, base, now);
      if (typeof f === 'string') {
        if (f === 'gone') settled = false; // shifted since the listing: looked for again next pass
        continue;
      }
      files.add(f);
      files.countRotation('rename');
      logger.info('reading a rotated file written after the last one read', { path: base, rotated: s.full, key: f.key });
    }
    // Known files that were in the chain and left it (deleted at its end) and the path: forgotten,
    // once missing for the wait. One listing is no proof: names are listed, then looked at one by
    // one while logrotate shifts them (.1 -> .2 ...), so a file can be seen twice and another not at
    // all; forgotten at once, it would be taken for new by the next look and read again from 0.
    const atBase = await opener.guard.inspect(base);
    if (!isRefused(atBase)) present.add(identityKey(atBase.st));
    for (const [key, k] of files.knownOf(base)) {
      if (present.has(key)) {
        k.inChain = true;
        k.missingSince = undefined;
      } else if (k.inChain) {
        k.missingSince ??= now;
        if (now - k.missingSince >= this.ctx.waitMs) files.forget(key);
      }
    }
    // Looked at whole: the files found at the path since are references from now on, once a second
    // listing agrees (one taken while logrotate renames can miss a member and not look torn; one
    // torn for the whole wait, by hard links, was accepted above).
    const newly = files.list().filter((f) => f.path === base && f.newlyFound === true);
    if (settled && newly.length > 0) {
      if (await listingHolds(base, opener.guard, siblings, false)) for (const f of newly) f.newlyFound = false;
      else settled = false;
    }
    return settled;
  }

  /**
   * Whether member `i` was written after the reference (the oldest of ours, at `ref`; none: -1).
   * Two schemes are merged by mtime, which advances by clock ticks, and a compressor or a copy may
   * keep a file's time only to its own precision (gzip to the nanosecond, bzip2 and utime(2) to the
   * second, Node's utimes given a Date to the millisecond): a newer file's time can come out below the
   * reference's when both fell in one tick. So a member of the other scheme modified in the
   * reference's second or later cannot be told older, and one never read is not left behind for that.
   */
  private after(chain: readonly Sibling[], i: number, ref: number): boolean {
    if (ref < 0 || i > ref) return true;
    const a = chain[i];
    const r = chain[ref];
    return i < ref && a.order!.scheme !== r.order!.scheme && a.st.mtimeNs / NS_PER_SECOND >= r.st.mtimeNs / NS_PER_SECOND;
  }

  /**
   * Whether to act on a listing of `base`'s directory: not while it is torn (see listSiblings),
   * unless it stays so for the wait (hard links show one file under two names at every look).
   */
  private tornListing(base: string, torn: boolean | undefined): boolean {
    if (torn) return this.torn.stillWaiting(base);
    this.torn.clear(base);
    return false;
  }

  /** Whether a member of the chain is ours, new, or to be left alone; undefined: cannot tell yet. */
  private async judge(
    s: Sibling,
    base: string,
    ourHeads: Buffer[],
    { present, listed }: { present: Set<string>; listed: ReadonlySet<string> },
    changed: Set<string>,
  ): Promise<Verdict | undefined> {
    const { files, opener } = this.ctx;
    const key = identityKey(s.st);
    if (files.get(key)) return 'ours';
    const known = files.knownFile(key);
    const fh = await opener.guard.open(s.full, s);
    // Gone from its name since the listing (logrotate shifting .1 -> .2): looked at again next pass.
    if (isRefused(fh)) return fh.problem === 'gone' ? undefined : 'skip';
    let head: Buffer | undefined;
    let contentSize: number | undefined;
    try {
      head = s.gz ? await gzipHead(fh) : await readHead(fh, Math.min(Number(s.st.size), FINGERPRINT_BYTES));
      if (s.gz && head) contentSize = await gzipContentSize(fh, Number(s.st.size));
    } finally {
      await fh.close().catch(() => {});
    }
    if (!head) return this.unreadable(s, key);
    this.unreadableGz.clear(key);
    // A checkpointed file not found again yet (restore.ts decides what it is): ours. With other
    // first bytes its inode may be another file's now (the checkpointed one deleted while
    // stopped): no reference for the files before it. Compressed or not otherwise than it was, it
    // is another file (gzip writes a new one; a file with no first bytes yet cannot tell).
    const cp = files.pendingFile(key);
    if (cp && s.gz === (cp.gz === true)) {
      if (!headStartsWith(head, Buffer.from(cp.fp, 'base64'))) changed.add(key);
      return 'ours';
    }
    if (known && matchesDigest(head, known))
      return holdsMore(s, known, s.gz ? contentSize : Number(s.st.size)) ? { from: known, drop: () => files.forget(key) } : 'ours';
    if (known && !s.gz) files.retire(key); // the inode was reused: another file
    if (ourHeads.some((fp) => headStartsWith(head, fp))) return 'ours';
    // The start of one of ours: a copy logrotate is still writing (copytruncate), to be found by
    // the file it copies once truncated. Looked at again, for up to the wait; read from 0 it would
    // count what was read of that file twice.
    if (ourHeads.some((fp) => headStartsWith(fp, head)) && this.growing.stillWaiting(key)) return undefined;
    this.growing.clear(key);
    for (const [k, kf] of files.knownOf(base)) {
      if (matchesDigest(head, kf)) {
        present.add(k); // a known file compressed since: still in the chain
        // While the file itself is still listed, gzip may be writing the .gz: no trailer to trust.
        return !listed.has(k) && holdsMore(s, kf, contentSize) ? { from: kf, drop: () => files.forget(k) } : 'ours';
      }
    }
    // A file read whose inode went to another file since: its compressed form is still ours.
    const retired = files.retiredOf(base).find((kf) => matchesDigest(head, kf));
    if (retired) return holdsMore(s, retired, contentSize) ? { from: retired, drop: () => files.dropRetired(retired) } : 'ours';
    return 'new';
  }

  /** A .gz that cannot be inflated: waited for a while (gzip may be writing it), then left alone. */
  private unreadable(s: Sibling, key: string): Verdict | undefined {
    if (this.unreadableGz.stillWaiting(key)) return undefined;
    this.ctx.logger.warn('rotated file cannot be read as gzip, left alone', { path: s.full });
    return 'skip';
  }

  /**
   * Fingerprints long enough to tell a copy of a file followed at `base` (or its compressed form).
   * A followed file truncated since it was read (copytruncate), or whose fingerprint is too short
   * to tell it (found empty, nothing read yet), starts with bytes the next drain reads: its first
   * bytes as they are now are ours too (its compressed form made after a rename, read from 0 as
   * new, would count them twice). One read of the first bytes per followed file of `base`, at each
   * look at its chain.
   */
  private async fingerprintsOf(base: string): Promise<Buffer[]> {
    const fps: Buffer[] = [];
    for (const f of this.ctx.files.list()) {
      if (f.path !== base) continue;
      if (f.fp.length >= MIN_COPY_PROOF_BYTES) fps.push(f.fp);
      if (f.gz) continue;
      const now = await readHead(f.fh, FINGERPRINT_BYTES).catch(() => undefined);
      const told = f.fp.length >= MIN_COPY_PROOF_BYTES && headStartsWith(now ?? Buffer.alloc(0), f.fp);
      if (now && now.length >= MIN_COPY_PROOF_BYTES && !told) fps.push(now);
    }
    for (const [, cp] of this.ctx.files.pending()) {
      if (cp.path !== base) continue;
      const fp = Buffer.from(cp.fp, 'base64');
      if (fp.length >= MIN_COPY_PROOF_BYTES) fps.push(fp);
    }
    return fps;
  }

  /**
   * When the files of `base` we were done with or reading as rotated were last seen modified (ns),
   * for a chain without any of ours: what was written after it is newer. The file followed at the
   * path is the newest of all and no reference, nor is a rotated one found new whose chain was not
   * looked at whole since (see noReference); one found again with other first bytes counts by the
   * checkpoint's time, which it keeps, also at the path (the checkpointed file deleted while
   * stopped and its inode taken by the file there now: what was rotated since is newer).
   */
  private lastSeenModified(base: string): bigint | undefined {
    let ms = -1;
    for (const f of this.ctx.files.list())
      if (f.path === base && (f.rotatedAt !== null || f.headChanged === true) && f.mtimeNs > 0n && f.newlyFound !== true)
        ms = Math.max(ms, Number(f.mtimeNs / 1_000_000n));
    for (const [, cp] of this.ctx.files.pending()) if (cp.path === base && cp.mtime !== undefined) ms = Math.max(ms, cp.mtime);
    for (const [, k] of this.ctx.files.knownOf(base)) if (k.mtime !== undefined) ms = Math.max(ms, k.mtime);
    for (const k of this.ctx.files.retiredOf(base)) if (k.mtime !== undefined) ms = Math.max(ms, k.mtime);
    return ms < 0 ? undefined : BigInt(Math.round(ms)) * 1_000_000n;
  }

  /**
   * Member `s`, opened to be read from 0, or from where the file of record `from` had got to; why
   * not when it cannot be (see LogFileOpener.open).
   */
  private async open(s: Sibling, base: string, now: number, from?: KnownFile): Promise<TrackedFile | FileProblem> {
    const fh = await this.ctx.opener.open(s.full, s);
    if (typeof fh === 'string') return fh;
    const size = Number(s.st.size);
    const fp = s.gz ? ((await gzipHead(fh)) ?? Buffer.alloc(0)) : await readHead(fh, size);
    const offset = from?.offset ?? 0;
    return {
      key: identityKey(s.st),
      path: base,
      fh,
      fp,
      offset,
      carry: null,
      skipping: from?.skipping ?? false,
      // A .gz is read to the end of its content: its size is where its reading has got to.
      size: s.gz ? offset : size,
      mtimeNs: s.st.mtimeNs,
      rotatedAt: now,
      lastGrowthAt: now,
      verifyCopy: false,
      copy: false,
      gz: s.gz,
    };
  }
}

/**
 * Whether member `s`, whose content starts as the file of record `kf` did, holds more than was read
 * of that file: the file itself grown since, or a .gz whose trailer's content size is not the
 * record's offset. Only for a record with a whole fingerprint: shorter first bytes can be the start
 * of another file of the log. A copy set aside is never read (its lines are read through the file
 * it copies).
 */
function holdsMore(s: Sibling, kf: KnownFile, contentSize: number | undefined): boolean {
  if (kf.copy || kf.head !== FINGERPRINT_BYTES || contentSize === undefined) return false;
  return s.gz ? contentSize !== kf.offset % 2 ** 32 : contentSize > kf.offset;
}
