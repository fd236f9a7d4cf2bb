// Line splitting on raw bytes. The tailer reads big chunks into one reused Buffer; this finds the
// 0x0A bytes with Buffer#indexOf (memchr in C++) and hands each line on its own, so that byte
// offsets stay exact (the checkpoint stores byte offsets) and no decoded string keeps a whole chunk
// alive. Lines are decoded as UTF-8 (invalid bytes become U+FFFD, never an error), unless the sink
// reads bytes itself.

export interface LineSink {
  /** One complete line, without its newline (and without a trailing \r). `truncated`: it was cut. */
  line(text: string, truncated: boolean): void;
  /**
   * Optional, for sinks whose parser reads bytes: takes every line instead of line(), undecoded,
   * as buf[start, end) (the same lines, trimmed the same way). `buf` is reused by the next read:
   * nothing may keep a reference to it.
   */
  bytes?(buf: Buffer, start: number, end: number, truncated: boolean): void;
}

export interface SplitResult {
  /** Bytes of the view consumed: complete lines, or bytes skipped of an over-long line. */
  consumed: number;
  /** True when the view ended inside an over-long line whose remainder must be skipped. */
  skipping: boolean;
  /** Complete lines handed to the sink. */
  lines: number;
}

export class LineSplitter {
  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {}

  /**
   * Splits `view`, which starts at a line boundary (or inside a line being skipped when `skipping`).
   * The unconsumed tail (a partial line, at most maxLineBytes long) is left for the next read.
   */
  split(view: Buffer, skipping: boolean): SplitResult {
    let pos = 0;
    if (skipping) {
      const nl = view.indexOf(10);
      if (nl < 0) return { consumed: view.length, skipping: true, lines: 0 };
      pos = nl + 1;
    }
    const last = view.lastIndexOf(10);
    let lines = 0;
    let consumed = pos;
    if (last >= pos) {
      lines = this.emitLines(view, pos, last);
      consumed = last + 1;
    }
    if (view.length - consumed > this.maxLineBytes) {
      // No newline within max_line_bytes: cut the line here and skip the rest of it.
      this.emit(view, consumed, consumed + this.maxLineBytes, true);
      return { consumed: view.length, skipping: true, lines: lines + 1 };
    }
    return { consumed, skipping: false, lines };
  }

  /** Hands a final line that never got its newline (its file is finished: rotated away). */
  flush(view: Buffer): number {
    if (view.length === 0) return 0;
    const cut = view.length > this.maxLineBytes;
    const end = cut ? this.maxLineBytes : view.length;
    return this.emit(view, 0, end, cut);
  }

  /** Emits the lines of view[start..last], `last` being the index of a newline. */
  private emitLines(view: Buffer, start: number, last: number): number {
    const max = this.maxLineBytes;
    let n = 0;
    let p = start;
    while (p <= last) {
      const e = view.indexOf(10, p);
      if (e - p > max) n += this.emit(view, p, p + max, true);
      else n += this.emit(view, p, e, false);
      p = e + 1;
    }
    return n;
  }

  private emit(view: Buffer, start: number, end: number, truncated: boolean): number {
    if (end > start && view[end - 1] === 13) end--; // CRLF files
    if (end === start) return 0; // blank lines are not log entries
    if (this.sink.bytes) this.sink.bytes(view, start, end, truncated);
    else this.sink.line(view.toString('utf8', start, end), truncated);
    return 1;
  }
}
