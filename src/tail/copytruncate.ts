// logrotate's copytruncate: the file is copied (access.log.1) then truncated in place, so the
// followed file shrinks under us, and the lines between our offset and the truncation only exist in
// the copy. Two jobs:
// - recover: when a followed file shrank or its first bytes changed, find the copy (a sibling with
//   the file's first bytes), read it from where we were in the original, then restart the file at 0;
// - keep copies out: a glob such as `access.log*` also matches the copy, whose lines were (or are
//   being) read from the original; following it as a new file would count them twice. A new file
//   is checked before its first read (verifyNew); the copies found are remembered in the tracked set.
// - a copy no first bytes can tell (missedCopy): a file empty or nearly so at the last look, then
//   written, copied and truncated before the next, only seems to have grown. Its chain is noted
//   while it is that short; a member that appeared since, starts with what we read and differs
//   from the file now is the copy (or a .gz of it: see mayBeCompressedCopy). With none, the file's
//   first bytes at that look become its fingerprint, so that a truncation after it is seen.
// - a copy not found yet: a file of which something was read is left as it was (not read, its old
//   first bytes kept) while its copy is looked for again at each pass, for up to the wait, so that
//   a listing caught mid-rotation, or a copy compressed at once, does not leave the copy to the
//   chain scan, which would take it for a file never read (copyMayComeYet).
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { gzipHead } from './gzip.js';
import type { Found } from './discovery.js';
import { FINGERPRINT_BYTES, headStartsWith, identityKey, matchesDigest, readHead } from './identity.js';
import type { LogFileOpener } from './opener.js';
import type { LineReader } from './reader.js';
import { listSiblings, rotationChain, type Sibling } from './siblings.js';
import type { TrackedFile, TrackedFiles } from './tracked.js';
import { Waits } from './waits.js';

/** First bytes two files must share to be taken for a file and its copy. */
export const MIN_COPY_PROOF_BYTES = 32;
/** Heads of truncated files remembered to recognise their copies (bounded memory). */
const MAX_TRUNCATED_HEADS = 16;

export class CopyTruncate {
  /** First bytes of files just before they were truncated: their copies must not be followed. */
  private readonly truncatedHeads: { path: string; fp: Buffer }[] = [];
  /** Short files with a chain member that may be their copy and cannot be looked at yet (missedCopy). */
  private readonly undecided: Waits;

  constructor(
    private readonly files: TrackedFiles,
    private readonly reader: LineReader,
    private readonly opener: LogFileOpener,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** How long a truncated file's copy is looked for before the file is read again from 0. */
    private readonly waitMs: number,
  ) {
    this.undecided = new Waits(clock, waitMs);
  }

  /**
   * Checks a new file not read yet (verifyCopy): false when it must not be read now, because it is
   * a copy of a followed file (set aside for good) or may be one still being written (asked again
   * next pass); true when it is a file of its own, to be followed.
   */
  async verifyNew(f: TrackedFile, size: number): Promise<boolean> {
    const verdict = await this.looksLikeCopy(f, size);
    if (verdict === 'wait') return false;
    if (verdict === 'copy') {
      this.files.setAsideCopy(f);
      await f.fh.close().catch(() => {});
      this.logger.debug('not following a copy of a followed file (copytruncate)', { path: f.path });
      return false;
    }
    f.verifyCopy = false;
    return true;
  }

  /**
   * Whether a file found at a matching path is a known copy, never to be followed. By identity while
   * it is unchanged; once modified since, by its first bytes too: its inode may be another file's
   * now (the copy deleted, a new log created on its inode), and a stale record would hide that
   * file for good. A record found stale is forgotten.
   */
  async isKnownCopy(at: Found): Promise<boolean> {
    const k = this.files.knownFile(at.key);
    if (!k?.copy) return false;
    const mtime = Number(at.st.mtimeNs / 1_000_000n);
    const size = Number(at.st.size);
    if (k.mtime === mtime && (k.size === undefined || k.size === size)) return true;
    const fh = await this.opener.open(at.path, at);
    if (typeof fh === 'string') return true; // cannot tell now: looked at again next pass
    const head = await readHead(fh, FINGERPRINT_BYTES).finally(() => fh.close().catch(() => {}));
    if (!matchesDigest(head, k)) {
      this.files.retire(at.key);
      this.logger.debug("a known copy's inode holds another file now", { path: at.path, key: at.key });
      return false;
    }
    // A copy still being written when it was set aside.
    k.mtime = mtime;
    k.size = size;
    return true;
  }

  /**
   * Same first bytes as a followed file, or as a file just before its truncation, means a copy; a
   * start that is a prefix of those may be a copy still being written. Only names that extend the
   * original's (logrotate's access.log.1, access.log-20250101) are candidates, so that a file is
   * never taken for a copy of its own copy.
   */
  private async looksLikeCopy(f: TrackedFile, size: number): Promise<'copy' | 'wait' | 'no'> {
    const name = path.basename(f.path);
    const dir = path.dirname(f.path);
    const heads = this.truncatedHeads.filter((h) => h.path !== f.path);
    for (const o of this.files.list()) if (o !== f && o.path !== f.path) heads.push({ path: o.path, fp: o.fp });
    const candidates = heads.filter((h) => path.dirname(h.path) === dir && name.startsWith(path.basename(h.path)));
    if (candidates.length === 0) return 'no';
    const head = await readHead(f.fh, size);
    if (head.length === 0) return 'wait';
    let verdict: 'copy' | 'wait' | 'no' = 'no';
    for (const { fp } of candidates) {
      if (fp.length < MIN_COPY_PROOF_BYTES) continue;
      if (headStartsWith(head, fp)) return 'copy';
      if (headStartsWith(fp, head)) verdict = 'wait'; // a prefix of it: may be a copy still being written
    }
    return verdict;
  }

  /**
   * For a followed file whose fingerprint is too short to recognise its copy (under
   * MIN_COPY_PROOF_BYTES), when it changed: the copy made of it since the last look, if a
   * copytruncate happened then (at its path; it may have been rotated since, as found after a
   * restart), to be passed to restartTruncated(). Its first bytes are read, then
   * its rotation chain listed again: a member that was not there at the last look, starts with the
   * bytes we read of the file and has more, while the file does not start as it does, is the copy
   * (an earlier rotation written to late was there; logrotate's `copy`, with no truncation, leaves
   * the file starting as the copy does). With no copy, the first bytes read become the fingerprint:
   * a truncation after this look, even one right after logrotate's copy that the listing saw, is
   * then seen by them and its copy found (reader.ts, restartTruncated). Nothing here trusts the
   * size the caller saw: a truncation and new lines may come between its stat and these reads.
   */
  async missedCopy(f: TrackedFile): Promise<TrackedFile | 'wait' | undefined> {
    if (f.fp.length >= MIN_COPY_PROOF_BYTES) {
      f.chainWhenShort = undefined; // its first bytes tell its copy now
      f.mtimeWhenShort = undefined;
      return undefined;
    }
    const now = await readHead(f.fh, FINGERPRINT_BYTES);
    const before = f.chainWhenShort;
    const seenMs = f.mtimeWhenShort;
    const listed = await this.listChain(f);
    if (!listed) return undefined;
    // Caught while logrotate shifts the names, the listing may miss the copy: taken for no copy,
    // the copy would never be found. Looked at again next pass, for up to the wait.
    if (listed.torn && this.undecided.stillWaiting(f.key)) return 'wait';
    const { siblings } = listed;
    if (before) {
      // The oldest first: after two copytruncates, the first copy has the lines that follow ours
      // (the chain scan that the restart triggers finds the newer one). Only members older than
      // the file: one rotated since (found so after a restart) has the newer files after it.
      let undecided = false;
      for (const s of rotationChain(siblings)) {
        const key = identityKey(s.st);
        if (key === f.key) break;
        if (before.has(key) || this.files.has(key) || this.files.knownFile(key)) continue;
        if (s.gz ? !this.mayBeCompressedCopy(s, seenMs) : Number(s.st.size) <= f.offset) continue;
        const fh = await this.opener.open(s.full, s);
        const head = typeof fh === 'string' ? undefined : s.gz ? await gzipHead(fh) : await readHead(fh, FINGERPRINT_BYTES);
        if (typeof fh === 'string' || !head) {
          if (typeof fh !== 'string') await fh.close();
          undecided = true; // moved since the listing, or gzip still writing it: looked at again next pass
          continue;
        }
        if (headStartsWith(head, f.fp) && !headStartsWith(now, head) && !(s.gz && this.isOurs(f.path, head))) {
          this.undecided.clear(f.key);
          return this.asCopy(f, s, fh, head);
        }
        await fh.close();
      }
      // The chain not noted anew (it would hide that member for good), and the file not read (its
      // first bytes, taken by the read, would no longer tell its copy): looked at again next pass,
      // for up to the wait.
      if (undecided && this.undecided.stillWaiting(f.key)) return 'wait';
    }
    this.undecided.clear(f.key);
    // No copy: the chain as it is now, and the first bytes read, in one synchronous step (a
    // checkpoint sees both or neither: a copy noted in the chain with the file's old first bytes
    // would never be found after a restart).
    this.note(f, siblings);
    if (now.length > f.fp.length && headStartsWith(now, f.fp)) f.fp = now;
    return undefined;
  }

  /**
   * Whether a .gz member that appeared since the chain was noted may be the compressed copy of the
   * file noted (copytruncate, then compress): a new inode, so its identity tells nothing; but gzip
   * keeps the time of the file it compresses, and a copy made since was modified after the file was
   * last seen short (`seenMs`), whereas a file of the chain then, compressed since, was not (save in
   * the same clock tick: not taken). The caller also checks that its content is none of ours.
   */
  private mayBeCompressedCopy(s: Sibling, seenMs: number | undefined): boolean {
    return seenMs !== undefined && Number(s.st.mtimeNs / 1_000_000n) > seenMs;
  }

  /** Whether first bytes `head` are those of a file of `base` we follow, wait for, know or knew. */
  private isOurs(base: string, head: Buffer): boolean {
    const { files } = this;
    for (const o of files.list()) if (o.path === base && o.fp.length >= MIN_COPY_PROOF_BYTES && headStartsWith(head, o.fp)) return true;
    for (const [, cp] of files.pending()) {
      const fp = Buffer.from(cp.fp, 'base64');
      if (cp.path === base && fp.length >= MIN_COPY_PROOF_BYTES && headStartsWith(head, fp)) return true;
    }
    for (const [, k] of files.knownOf(base)) if (matchesDigest(head, k)) return true;
    return files.retiredOf(base).some((k) => matchesDigest(head, k));
  }

  /**
   * For a file just found, or just restarted at 0: notes its rotation chain if its fingerprint is
   * too short to recognise its copy by (see missedCopy). Now, not at its first read: a file found
   * empty is read once it has lines, maybe after a copytruncate, and the copy would be noted then.
   */
  async noteIfShort(f: TrackedFile): Promise<void> {
    if (f.fp.length >= MIN_COPY_PROOF_BYTES) return;
    const listed = await this.listChain(f);
    if (listed) this.note(f, listed.siblings);
  }

  /**
   * The members of `f`'s rotation chain; undefined when the directory cannot be listed. A listing
   * caught while logrotate shifts the names can miss a member renamed between the listing and its
   * look: tried again, up to three times, then returned as it is, `torn`.
   */
  private async listChain(f: TrackedFile): Promise<{ siblings: Sibling[]; torn: boolean } | undefined> {
    let last: Sibling[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const { siblings, problem, torn } = await listSiblings(f.path, this.opener.guard);
      if (problem) return undefined;
      if (!torn) return { siblings, torn: false };
      last = siblings;
    }
    return { siblings: last, torn: true };
  }

  /** Notes `f`'s rotation chain `siblings`, and its time, while it is too short to tell its copy by (see missedCopy). */
  private note(f: TrackedFile, siblings: Sibling[]): void {
    f.chainWhenShort = new Set(siblings.map((s) => identityKey(s.st)));
    f.mtimeWhenShort = f.mtimeNs > 0n ? Number(f.mtimeNs / 1_000_000n) : undefined;
  }

  /**
   * The file shrank (copytruncate) or its first bytes changed (rewritten, inode reused): read what
   * we had not read yet from logrotate's copy (`found` by missedCopy, else looked for by the file's
   * first bytes), then restart the file at 0. False when the file is left as it was for now, its
   * copy not found yet (copyMayComeYet): call again at the next pass.
   */
  async restartTruncated(f: TrackedFile, found?: TrackedFile): Promise<boolean> {
    const copy = found ?? (f.fp.length > 0 ? await this.openCopy(f) : undefined);
    if (!copy && this.copyMayComeYet(f)) return false;
    f.copySoughtSince = undefined;
    this.logger.info('log file truncated or replaced, reading it from the start', { path: f.path, copy: copy !== undefined });
    // The new content's first bytes, now rather than at its first read: truncated again before
    // that read (a restart reads the rotated files first), the file is seen to change and its
    // next copy is found by them; with no fingerprint it would be read from 0 and that copy missed.
    const head = await readHead(f.fh, Number((await f.fh.stat()).size));
    // Too short to tell its next copy by: its chain now, for missedCopy (noted with the rest).
    const chain = head.length < MIN_COPY_PROOF_BYTES ? (await this.listChain(f))?.siblings : undefined;
    // From here to the end, synchronous: the snapshot sees the old state or the new one, whole.
    f.chainWhenShort = undefined;
    f.mtimeWhenShort = undefined;
    if (chain) this.note(f, chain);
    this.files.countRotation(copy ? 'copytruncate' : 'truncate');
    if (f.fp.length >= MIN_COPY_PROOF_BYTES) {
      this.truncatedHeads.push({ path: f.path, fp: f.fp });
      if (this.truncatedHeads.length > MAX_TRUNCATED_HEADS) this.truncatedHeads.shift();
    }
    if (copy) {
      const unverified = this.files.get(copy.key);
      if (unverified) void unverified.fh.close().catch(() => {});
      this.files.add(copy);
    }
    f.offset = 0;
    f.carry = null;
    f.skipping = false;
    f.fp = head;
    // Now, before the original's new lines (a compressed copy is read by the next drain, which
    // waits for gzip to finish it). A copy is never truncated: its result needs no check.
    if (copy && !copy.gz) await this.reader.readToEnd(copy);
    return true;
  }

  /**
   * Whether to leave a truncated file as it was, unread, because its copy may still be found: a
   * listing taken while logrotate shifts the chain (.1 -> .2 ...) can miss it, and gzip can replace
   * it with its .gz before we look. Restarted at 0, the file would lose the first bytes that tell
   * the copy, and the chain scan would take the copy for a file never read and read it from 0:
   * what was read of the file counted twice. Left as it was, the chain scan knows the copy as ours
   * by those bytes, and the copy is looked for at every pass for up to the wait; a truncation with
   * no copy (`truncate -s 0`, a file rewritten in place) is read from 0 after it. Only for a file
   * of which something was read and whose first bytes can tell a copy, unless a copy of it was set
   * aside already (a glob matching it): then there is nothing to wait for.
   */
  private copyMayComeYet(f: TrackedFile): boolean {
    if (f.offset === 0 || f.fp.length < MIN_COPY_PROOF_BYTES || this.files.hasKnownCopy(f.fp)) return false;
    const now = this.clock.now();
    if (f.copySoughtSince === undefined) {
      f.copySoughtSince = now;
      this.logger.debug('log file truncated or replaced: looking for its copy', { path: f.path, key: f.key, offset: f.offset });
    }
    if (now - f.copySoughtSince < this.waitMs) return true;
    this.logger.info('no copy found of a truncated log file', {
      path: f.path,
      key: f.key,
      offset: f.offset,
      waited_ms: now - f.copySoughtSince,
    });
    return false;
  }

  /**
   * logrotate's copy of `f`, to be tracked in its place: it takes over where we were in the
   * original, followed as a rotated-away file from our offset, so that its progress is in every
   * snapshot like any file's.
   */
  private async openCopy(f: TrackedFile): Promise<TrackedFile | undefined> {
    const { siblings } = await listSiblings(f.path, this.opener.guard);
    for (const s of siblings) {
      const key = identityKey(s.st);
      const followed = this.files.get(key);
      // A file found since, not read yet, may be this very copy (a glob such as access.log*).
      if (key === f.key || (followed && !followed.verifyCopy) || (!s.gz && Number(s.st.size) < f.offset)) continue;
      const fh = await this.opener.open(s.full, s);
      if (typeof fh === 'string') continue;
      // A compressed copy (copytruncate and compress without delaycompress) by its content's first bytes.
      const head = s.gz ? ((await gzipHead(fh)) ?? Buffer.alloc(0)) : await readHead(fh, FINGERPRINT_BYTES);
      // A known file is no copy while it starts as it did (with other first bytes its inode is
      // another file's now), unless it is a copy set aside before the truncation was seen (the same
      // glob): what it has past our offset was written before the truncation and read by no one.
      const known = this.files.knownFile(key);
      const stillKnown = known !== undefined && matchesDigest(head, known) && !this.files.isUnreadCopy(key);
      if (!stillKnown && headStartsWith(head, f.fp)) return this.asCopy(f, s, fh, head);
      await fh.close();
    }
    return undefined;
  }

  /**
   * `f`'s copy `s`, opened, as the file to read in its place from `f`'s offset. Known by its own
   * first bytes `head` (which start with `f`'s): a file of ours, never to be read again, whose
   * record must tell it (and its .gz) when `f`'s first bytes were too few to (a file found empty).
   */
  private asCopy(f: TrackedFile, s: Sibling, fh: TrackedFile['fh'], head: Buffer): TrackedFile {
    const now = this.clock.now();
    return {
      ...f,
      key: identityKey(s.st),
      fh,
      fp: head,
      carry: null,
      size: s.gz ? 0 : Number(s.st.size),
      mtimeNs: s.st.mtimeNs,
      rotatedAt: now,
      lastGrowthAt: now,
      verifyCopy: false,
      copy: true,
      gz: s.gz,
      chainWhenShort: undefined,
      mtimeWhenShort: undefined,
      copySoughtSince: undefined,
    };
  }
}
