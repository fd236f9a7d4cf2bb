// `hostwatch top --log FILE`: reads access logs (and optionally auth and firewall logs) directly,
// from their current end, through the same parsers as the exporter. A file is polled for new bytes
// (cheap: one fstat per file per poll); a file that shrank or was replaced (rotation) is read again
// from its start. Partial last lines wait for their newline.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createAccessParser } from '../logs/access/parse.js';
import type { AccessParser } from '../logs/access/record.js';
import { parseAuthLine } from '../logs/auth/parse.js';
import { isBlockedInbound } from '../logs/firewall/handler.js';
import { parseFirewallLine } from '../logs/firewall/parse.js';
import type { IntervalCounter } from './traffic.js';

const CHUNK = 256 * 1024;
/** A line longer than this is dropped (bounded memory whatever the file holds). */
const MAX_LINE = 64 * 1024;

type LineSink = (line: Buffer, start: number, end: number) => void;

class Follower {
  private fh?: FileHandle;
  private ino = -1;
  private pos = 0;
  private rest: Buffer = Buffer.alloc(0);
  private readonly buf = Buffer.alloc(CHUNK);

  constructor(
    readonly path: string,
    private readonly sink: LineSink,
  ) {}

  /** Opens the file at its end (what is already there is not shown). */
  async start(): Promise<void> {
    await this.reopen(true);
  }

  private async reopen(atEnd: boolean): Promise<void> {
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
    try {
      this.fh = await open(this.path, 'r');
      const st = await this.fh.stat();
      this.ino = st.ino;
      this.pos = atEnd ? st.size : 0;
      this.rest = Buffer.alloc(0);
    } catch {
      this.ino = -1; // not there (yet): tried again at the next poll
    }
  }

  async poll(): Promise<void> {
    const onDisk = await stat(this.path).catch(() => undefined);
    if (this.fh === undefined || (onDisk !== undefined && onDisk.ino !== this.ino)) {
      // Rotated or created: read the new file from its start (after what is left in the old one).
      if (this.fh !== undefined) await this.drain();
      if (onDisk === undefined) return;
      await this.reopen(false);
    }
    if (this.fh === undefined) return;
    const st = await this.fh.stat();
    if (st.size < this.pos) {
      this.pos = 0; // truncated (copytruncate)
      this.rest = Buffer.alloc(0);
    }
    await this.drain();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const { bytesRead } = await this.fh!.read(this.buf, 0, CHUNK, this.pos);
      if (bytesRead === 0) return;
      this.pos += bytesRead;
      const data = this.rest.length > 0 ? Buffer.concat([this.rest, this.buf.subarray(0, bytesRead)]) : this.buf.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
        const end = nl > start && data[nl - 1] === 0x0d ? nl - 1 : nl;
        if (end - start <= MAX_LINE) this.sink(data, start, end);
        start = nl + 1;
      }
      const tail = data.subarray(start);
      this.rest = tail.length > MAX_LINE ? Buffer.alloc(0) : Buffer.from(tail);
    }
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => {});
  }
}

export interface LogSourceOptions {
  access: string[];
  format: string;
  auth?: string[];
  firewall?: string[];
  counter: IntervalCounter;
  /** Called with the number of requests read in a poll, and the time (for the alert window). */
  onHits(n: number, at: number): void;
  now(): number;
}

export class LogSource {
  private readonly followers: Follower[] = [];
  private readonly parser: AccessParser;
  private hits = 0;

  constructor(private readonly o: LogSourceOptions) {
    this.parser = createAccessParser(o.format, { source: true });
    for (const path of o.access) {
      this.followers.push(
        new Follower(path, (b, s, e) => {
          const rec = this.parser.parse(b, s, e);
          if (rec === undefined) return;
          this.hits++;
          o.counter.request(rec.section, rec.source, rec.status);
        }),
      );
    }
    for (const path of o.auth ?? []) {
      this.followers.push(
        new Follower(path, (b, s, e) => {
          const ev = parseAuthLine(b.toString('utf8', s, e), o.now())?.event;
          if (ev?.event === 'failure') o.counter.failedLogin(ev.count);
        }),
      );
    }
    for (const path of o.firewall ?? []) {
      this.followers.push(
        new Follower(path, (b, s, e) => {
          const p = parseFirewallLine(b.toString('utf8', s, e), o.now());
          if (p !== undefined && isBlockedInbound(p) && p.src !== undefined) o.counter.blocked(p.src, 'source');
        }),
      );
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.followers.map((f) => f.start()));
  }

  /** Reads what was appended since the last poll. */
  async poll(): Promise<void> {
    for (const f of this.followers) await f.poll();
    if (this.hits > 0) this.o.onHits(this.hits, this.o.now());
    this.hits = 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.followers.map((f) => f.close()));
  }
}
