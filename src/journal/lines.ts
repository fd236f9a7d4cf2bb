// Splits journalctl's output into lines in bounded memory. A line (one entry as JSON) longer than
// the cap is not kept: its head is dropped as it streams by, and only its cursor is picked up on the
// way, so that the entry is consumed once (counted as truncated) and the position moves past it.
//
// Where the cursor is: journalctl writes compact JSON, the keys in hash order. Inside a JSON string
// every `"` is escaped as `\"`, so `"__CURSOR":"` preceded by `{` or `,` can only be the key itself,
// never text inside a value such as the message.

const KEY = Buffer.from('"__CURSOR":"');
/** Longer than any cursor (about 130 bytes): a run past it without a closing quote is no cursor. */
const MAX_CURSOR = 256;

export interface JsonLineSink {
  /** One complete line, without its newline. */
  line(text: string): void;
  /** A line over the cap was skipped; `cursor` is its entry's cursor when it had one. */
  overlong(cursor: string | undefined): void;
}

/** Finds the cursor in a line seen piece by piece (the pieces of an over-long line). */
class CursorScan {
  /** The last bytes of the previous piece, so that a key split between two pieces is found. */
  private tail = Buffer.alloc(0);
  private value: number[] | null = null;
  cursor: string | undefined;

  feed(piece: Buffer): void {
    if (this.cursor !== undefined) return;
    let buf = this.tail.length ? Buffer.concat([this.tail, piece]) : piece;
    let from = 0;
    while (this.value === null) {
      const k = buf.indexOf(KEY, from);
      if (k < 0) {
        // With the byte before it, which tells the key from text.
        this.tail = Buffer.from(buf.subarray(Math.max(0, buf.length - KEY.length - 1)));
        return;
      }
      from = k + 1;
      const before = k > 0 ? buf[k - 1] : -1;
      if (before === 0x7b /* { */ || before === 0x2c /* , */) {
        this.value = [];
        buf = buf.subarray(k + KEY.length);
      }
    }
    this.tail = Buffer.alloc(0);
    for (const b of buf) {
      if (b === 0x22 /* " */) {
        this.cursor = Buffer.from(this.value).toString('latin1');
        return;
      }
      this.value.push(b);
      if (this.value.length > MAX_CURSOR) {
        this.value = null; // not a cursor after all: look further
        return;
      }
    }
  }
}

export class JsonLines {
  private parts: Buffer[] = [];
  private size = 0;
  /** Set while skipping an over-long line. */
  private scan: CursorScan | null = null;

  constructor(
    /** Longest line kept, in bytes. */
    private readonly cap: number,
    private readonly sink: JsonLineSink,
  ) {}

  /** Bytes held for the line in progress. */
  get pending(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(10, pos);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(pos, end);
      pos = end + 1;
      if (this.scan === null && this.size + piece.length > this.cap) {
        // Over the cap: what is held goes to the cursor scan, and so does the rest of the line.
        this.scan = new CursorScan();
        for (const p of this.parts) this.scan.feed(p);
        this.parts = [];
        this.size = 0;
      }
      if (this.scan !== null) {
        this.scan.feed(piece);
        if (nl >= 0) {
          const { cursor } = this.scan;
          this.scan = null;
          this.sink.overlong(cursor);
        }
        continue;
      }
      if (nl < 0) {
        // A stream chunk is never reused: holding a view of it is safe.
        this.parts.push(piece);
        this.size += piece.length;
        continue;
      }
      let text: string;
      if (this.parts.length === 0) text = piece.toString('utf8');
      else {
        this.parts.push(piece);
        text = Buffer.concat(this.parts).toString('utf8');
        this.parts = [];
        this.size = 0;
      }
      if (text !== '') this.sink.line(text);
    }
  }

  /** Drops a line in progress (its writer is gone: the entry is read again after a restart). */
  reset(): void {
    this.parts = [];
    this.size = 0;
    this.scan = null;
  }
}
