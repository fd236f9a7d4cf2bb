// Reads the new bytes of a tracked file and hands its complete lines to the sink. Reads are big
// chunks into one reused Buffer; the partial last line of each file is carried (at most
// maxLineBytes) until its newline arrives, and handed over as a line of its own only when the file
// is finished (flushCarry). Compressed rotated files are inflated as a stream (gzip.ts).
//
// The fingerprint of a file first seen short (under FINGERPRINT_BYTES) grows from the bytes read
// here, never from a separate read of the file's start: between two reads the file may have been
// truncated (copytruncate) and rewritten, and a fingerprint taken from the new content would never
// find logrotate's copy of the old one.
import type { Clock } from '../core/clock.js';
import { readGzipFrom } from './gzip.js';
import { FINGERPRINT_BYTES, startsWith } from './identity.js';
import { LineSplitter, type LineSink } from './lines.js';
import type { TrackedFile, TrackedFiles } from './tracked.js';

/**
 * 256 KiB: the buffer is resident once a burst fills it, per log; 1 MiB chunks read no faster (a
 * 1M-line flood: 1.16-1.18M lines/s with either) and cost 0.75 MiB more per log being read.
 */
const DEFAULT_CHUNK_BYTES = 1 << 18;

export interface LineReaderOptions {
  maxLineBytes: number;
  chunkBytes?: number;
  sink: LineSink;
  clock: Clock;
}

export class LineReader {
  private readonly splitter: LineSplitter;
  private readonly buf: Buffer;
  private readonly clock: Clock;
  private stopped = false;

  constructor(
    opts: LineReaderOptions,
    private readonly files: TrackedFiles,
  ) {
    this.splitter = new LineSplitter(opts.maxLineBytes, opts.sink);
    // The buffer always has room for a full carried line plus a useful read.
    this.buf = Buffer.allocUnsafe(Math.max(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, opts.maxLineBytes + 65536));
    this.clock = opts.clock;
  }

  /** Ends the read in progress after its current chunk (the tailer is stopping). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Reads `f` from its offset to its current end. False when the file turned out to be truncated or
   * replaced under the read (its first bytes changed): what was read then is not handed over.
   */
  async readToEnd(f: TrackedFile): Promise<boolean> {
    const buf = this.buf;
    for (;;) {
      const carryLen = f.carry?.length ?? 0;
      if (f.carry) f.carry.copy(buf, 0);
      const want = buf.length - carryLen;
      const { bytesRead } = await f.fh.read(buf, carryLen, want, f.offset + carryLen);
      if (bytesRead === 0) break;
      // Still the same file after the read? A copytruncate between the caller's check and this read
      // would have given bytes of the new content at the old offset (half lines, counted twice).
      if (f.fp.length > 0 && !(await startsWith(f.fh, f.fp))) return false;
      // From here to the end of the iteration nothing awaits: the lines handed to the sink and the
      // offset move together, so a snapshot taken between two reads is always consistent.
      const view = buf.subarray(0, carryLen + bytesRead);
      this.growFingerprint(f, view);
      this.take(f, view);
      if (f.offset + (f.carry?.length ?? 0) > f.size) f.size = f.offset + (f.carry?.length ?? 0);
      if (bytesRead < want || this.stopped) break;
    }
    return true;
  }

  /**
   * Reads a compressed file from its offset to the end of its content: true when it got there,
   * false when stopped first. Rejects on a file that is not valid gzip (or not complete yet).
   */
  async readCompressed(f: TrackedFile): Promise<boolean> {
    f.carry = null; // inflating restarts at `offset`: what was carried is read again
    const done = await readGzipFrom(
      f.fh,
      f.offset,
      (chunk) => {
        // Synchronous, like a turn of readToEnd: lines and offset move together.
        const view = f.carry ? Buffer.concat([f.carry, chunk]) : chunk;
        this.take(f, view);
        f.size = f.offset;
      },
      () => this.stopped,
    );
    return done;
  }

  /** `view` starts at f.offset: its complete lines go to the sink, the rest is carried. */
  private take(f: TrackedFile, view: Buffer): void {
    const r = this.splitter.split(view, f.skipping);
    this.files.consumed(f, r.consumed);
    f.skipping = r.skipping;
    f.carry = view.length > r.consumed ? Buffer.from(view.subarray(r.consumed)) : null;
    f.lastGrowthAt = this.clock.now();
  }

  /** `view` holds the file's bytes from f.offset: extends a short fingerprint with those that follow it. */
  private growFingerprint(f: TrackedFile, view: Buffer): void {
    const have = f.fp.length;
    if (have >= FINGERPRINT_BYTES || f.offset > have || f.offset + view.length <= have) return;
    const more = view.subarray(have - f.offset, Math.min(view.length, FINGERPRINT_BYTES - f.offset));
    f.fp = Buffer.concat([f.fp, more]);
  }

  /** A finished file's last line without a newline is still a line. */
  flushCarry(f: TrackedFile): void {
    if (!f.carry) return;
    if (!f.skipping) this.splitter.flush(f.carry);
    this.files.consumed(f, f.carry.length);
    f.carry = null;
  }
}
