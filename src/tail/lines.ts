// Line splitting on raw bytes. The tailer reads big chunks into one reused Buffer; this finds the
// 0x0A bytes with Buffer#indexOf (memchr in C++) and decodes each line on its own, so that byte
// offsets stay exact (the checkpoint stores byte offsets) and no decoded string keeps a whole chunk
// alive. Invalid UTF-8 decodes to U+FFFD, never throws. A chunk that is pure ASCII (the common case
// for access logs) is decoded with latin1, which gives the same string for ASCII and is faster.
import { isAscii } from 'node:buffer';

export interface LineSink {
  /** One complete line, without its newline (and without a trailing \r). `truncated`: it was cut. */
  line(text: string, truncated: boolean): void;
  /**
   * Optional: a complete, untruncated line of ASCII bytes buf[start, end), offered before it is
   * decoded; true when the sink took it (line() is then not called for it). `buf` is reused by
   * the next read: nothing may keep a reference to it.
   */
  bytes?(buf: Buffer, start: number, end: number): boolean;
}

/** Buffer's fast slice decoders: not in @types/node, but present in every Node version. */
interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
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
      this.emit(view, consumed, consumed + this.maxLineBytes, true, isAscii(view.subarray(consumed, consumed + this.maxLineBytes)));
      return { consumed: view.length, skipping: true, lines: lines + 1 };
    }
    return { consumed, skipping: false, lines };
  }

  /** Hands a final line that never got its newline (its file is finished: rotated away). */
  flush(view: Buffer): number {
    if (view.length === 0) return 0;
    const cut = view.length > this.maxLineBytes;
    const end = cut ? this.maxLineBytes : view.length;
    return this.emit(view, 0, end, cut, isAscii(view.subarray(0, end)));
  }

  /** Emits the lines of view[start..last], `last` being the index of a newline. */
  private emitLines(view: Buffer, start: number, last: number): number {
    const ascii = isAscii(view.subarray(start, last));
    const max = this.maxLineBytes;
    let n = 0;
    let p = start;
    while (p <= last) {
      const e = view.indexOf(10, p);
      if (e - p > max) n += this.emit(view, p, p + max, true, ascii);
      else n += this.emit(view, p, e, false, ascii);
      p = e + 1;
    }
    return n;
  }

  private emit(view: Buffer, start: number, end: number, truncated: boolean, ascii: boolean): number {
    if (end > start && view[end - 1] === 13) end--; // CRLF files
    if (end === start) return 0; // blank lines are not log entries
    if (ascii && !truncated && this.sink.bytes?.(view, start, end)) return 1;
    const fast = view as unknown as FastSlices;
    this.sink.line(ascii ? fast.latin1Slice(start, end) : fast.utf8Slice(start, end), truncated);
    return 1;
  }
}
