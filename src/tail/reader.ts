// Reads the new bytes of a tracked file and hands its complete lines to the sink. Reads are big
// chunks into one reused Buffer; the partial last line of each file is carried (at most
// maxLineBytes) until its newline arrives, and handed over as a line of its own only when the file
// is finished (flushCarry).
import type { Clock } from '../core/clock.js';
import { LineSplitter, type LineSink } from './lines.js';
import type { TrackedFile, TrackedFiles } from './tracked.js';

const DEFAULT_CHUNK_BYTES = 1 << 20;

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

  /** Reads `f` from its offset to its current end. */
  async readToEnd(f: TrackedFile): Promise<void> {
    const buf = this.buf;
    for (;;) {
      const carryLen = f.carry?.length ?? 0;
      if (f.carry) f.carry.copy(buf, 0);
      const want = buf.length - carryLen;
      const { bytesRead } = await f.fh.read(buf, carryLen, want, f.offset + carryLen);
      if (bytesRead === 0) break;
      // From here to the end of the iteration nothing awaits: the lines handed to the sink and the
      // offset move together, so a snapshot taken between two reads is always consistent.
      const view = buf.subarray(0, carryLen + bytesRead);
      const r = this.splitter.split(view, f.skipping);
      this.files.consumed(f, r.consumed);
      f.skipping = r.skipping;
      f.carry = view.length > r.consumed ? Buffer.from(view.subarray(r.consumed)) : null;
      f.lastGrowthAt = this.clock.now();
      if (f.offset + (f.carry?.length ?? 0) > f.size) f.size = f.offset + (f.carry?.length ?? 0);
      if (bytesRead < want || this.stopped) break;
    }
  }

  /** A finished file's last line without a newline is still a line. */
  flushCarry(f: TrackedFile): void {
    if (!f.carry) return;
    if (!f.skipping) this.splitter.flush(f.carry);
    this.files.consumed(f, f.carry.length);
    f.carry = null;
  }
}
