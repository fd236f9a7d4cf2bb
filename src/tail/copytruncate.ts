// logrotate's copytruncate: the file is copied (access.log.1) then truncated in place, so the
// followed file shrinks under us, and the lines between our offset and the truncation only exist in
// the copy. Two jobs:
// - recover: when a followed file shrank or its first bytes changed, find the copy (a sibling with
//   the file's first bytes), read it from where we were in the original, then restart the file at 0;
// - keep copies out: a glob such as `access.log*` also matches the copy, whose lines were (or are
//   being) read from the original; following it as a new file would count them twice. A new file
//   is checked before its first read (verifyNew); the copies found are remembered in the tracked set.
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { identityKey, readHead, startsWith } from './identity.js';
import type { LogFileOpener } from './opener.js';
import type { LineReader } from './reader.js';
import { listSiblings } from './siblings.js';
import type { TrackedFile, TrackedFiles } from './tracked.js';

/** First bytes two files must share to be taken for a file and its copy. */
export const MIN_COPY_PROOF_BYTES = 32;
/** Heads of truncated files remembered to recognise their copies (bounded memory). */
const MAX_TRUNCATED_HEADS = 16;

export class CopyTruncate {
  /** First bytes of files just before they were truncated: their copies must not be followed. */
  private readonly truncatedHeads: { path: string; fp: Buffer }[] = [];

  constructor(
    private readonly files: TrackedFiles,
    private readonly reader: LineReader,
    private readonly opener: LogFileOpener,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

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
      if (head.length >= fp.length) {
        if (head.subarray(0, fp.length).equals(fp)) return 'copy';
      } else if (fp.subarray(0, head.length).equals(head)) verdict = 'wait';
    }
    return verdict;
  }

  /**
   * The file shrank (copytruncate) or its first bytes changed (rewritten, inode reused): read what
   * we had not read yet from logrotate's copy if there is one, then restart the file at 0.
   */
  async restartTruncated(f: TrackedFile): Promise<void> {
    this.logger.info('log file truncated or replaced, reading it from the start', { path: f.path });
    const copy = f.fp.length > 0 ? await this.openCopy(f) : undefined;
    // The new content's first bytes, now rather than at its first read: truncated again before
    // that read (a restart reads the rotated files first), the file is seen to change and its
    // next copy is found by them; with no fingerprint it would be read from 0 and that copy missed.
    const head = await readHead(f.fh, Number((await f.fh.stat()).size));
    // From here to the end, synchronous: the snapshot sees the old state or the new one, whole.
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
    if (copy) {
      // Now, before the original's new lines.
      await this.reader.readToEnd(copy); // a copy is never truncated: its result needs no check
      this.logger.debug('reading the end of a truncated file from its copy', { path: copy.path });
    }
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
      if (s.gz || key === f.key || (followed && !followed.verifyCopy) || this.files.knownFile(key) || Number(s.st.size) < f.offset)
        continue;
      const fh = await this.opener.open(s.full, s);
      if (typeof fh === 'string') continue;
      if (await startsWith(fh, f.fp)) {
        const now = this.clock.now();
        return {
          ...f,
          key,
          fh,
          carry: null,
          size: Number(s.st.size),
          mtimeNs: s.st.mtimeNs,
          rotatedAt: now,
          lastGrowthAt: now,
          verifyCopy: false,
          copy: true,
          gz: false,
        };
      }
      await fh.close();
    }
    return undefined;
  }
}
