// Reads the entries of a journal selection, exactly once given a checkpoint of its position (see
// snapshot()/restore()), from a `journalctl --follow --output=json` child (argv.ts, child.ts).
//
// - Where it starts: after the checkpointed cursor; with none, at the end (the cursor of the last
//   entry now, asked of journalctl once and checkpointed at once) or at the beginning.
// - Every line of the child's output is consumed synchronously: the entry goes to the sink and its
//   cursor becomes the position in the same step, so a snapshot taken between two lines describes
//   exactly the entries handed over.
// - A child that exits, or cannot be started, is restarted after a backoff delay (backoff.ts), from
//   the position: entries it had written that were not consumed yet are read again, none twice.
//   `up` says whether a child is following now.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { followArgs, lastEntryArgs, type JournalSelection } from './argv.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { JournalctlProcess, describeEnd, type ChildEnd } from './child.js';
import { decodeLine, type JournalEntry } from './entry.js';
import { JsonLines } from './lines.js';
import { isCursor, type JournalPosition } from './position.js';

export interface JournalSink {
  /** An entry with a message (cut to maxMessageBytes when `entry.truncated`). */
  entry(entry: JournalEntry): void;
  /**
   * A line of output that is no entry: `unparsed` (not the JSON of an entry), or `truncated` (an
   * entry whose JSON was over the line cap, skipped).
   */
  skipped(result: 'unparsed' | 'truncated'): void;
}

export interface JournalReaderOptions {
  selection: JournalSelection;
  /** Without a checkpointed position: start at the last entry now (true) or at the first. */
  startAtEnd: boolean;
  maxMessageBytes: number;
  clock: Clock;
  logger: Logger;
  sink: JournalSink;
  /** The journalctl to run (default: `journalctl`, found on PATH). */
  command?: string;
  backoff?: BackoffOptions;
}

/** Bytes of the last-entry query's output kept: one line of a few hundred bytes is expected. */
const LAST_ENTRY_OUTPUT_BYTES = 64 * 1024;
/** A restarted journalctl that has run this long is said to work again. */
const RECOVERED_AFTER_MS = 5000;

export class JournalReader {
  /** Undefined until known: restored, or found by the last-entry query. */
  private cursor: string | null | undefined;
  private bytes = 0;
  private changeCount = 0;
  private readonly lines: JsonLines;
  private readonly backoff: Backoff;
  private child: JournalctlProcess | null = null;
  private following = false;
  private stopped = false;
  private timer: unknown;
  private recoveryTimer: unknown;
  /** The reason of the last failure logged (repeats are logged at debug level), until a child runs well again. */
  private lastFailure: string | undefined;
  private loop: Promise<void> = Promise.resolve();
  private startAtEnd: boolean;

  constructor(private readonly opts: JournalReaderOptions) {
    this.startAtEnd = opts.startAtEnd;
    // The JSON of an entry: its message (at most 6 bytes per byte, escaped as \u00XX; 4 as a byte
    // array) and a few short fields.
    this.lines = new JsonLines(6 * opts.maxMessageBytes + 16 * 1024, {
      line: (text) => this.onLine(text),
      overlong: (cursor) => this.onOverlong(cursor),
    });
    this.backoff = new Backoff(opts.backoff);
  }

  /** Bumped on every change of what snapshot() returns. */
  get changes(): number {
    return this.changeCount;
  }

  /** Whether a journalctl is following the journal now. */
  get up(): boolean {
    return this.following;
  }

  /**
   * Loads a checkpointed position and byte total; call before start(). Without a position (the
   * checkpoint is of the log's files, or was taken while the end was looked for) it starts at the end.
   */
  restore(position: JournalPosition | undefined, bytes: number): void {
    this.bytes = bytes;
    if (position) this.cursor = position.cursor;
    else this.startAtEnd = true;
  }

  /**
   * The position after the last entry handed over (undefined while the end is still being looked
   * for: nothing was read then, and a restart looks for it again), and the message bytes read in
   * all. Synchronous: consistent with the entries handed to the sink so far.
   */
  snapshot(): { position: JournalPosition | undefined; bytes: number } {
    return { position: this.cursor === undefined ? undefined : { cursor: this.cursor }, bytes: this.bytes };
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    if (this.recoveryTimer !== undefined) this.opts.clock.clearTimeout(this.recoveryTimer);
    this.timer = this.recoveryTimer = undefined;
    await this.child?.kill();
    await this.loop;
  }

  /** One attempt: find the start if needed, then follow until the child ends; then the next attempt, later. */
  private async run(): Promise<void> {
    const started = this.opts.clock.now();
    let end: ChildEnd | undefined;
    if (this.cursor === undefined) {
      if (this.startAtEnd) end = await this.findEnd();
      else this.setStart(null);
    }
    let ran = 0;
    if (end === undefined && this.cursor !== undefined && !this.stopped) {
      end = await this.follow(this.cursor);
      ran = this.opts.clock.now() - started;
    }
    if (this.stopped || end === undefined) return;
    const delay = this.backoff.next(ran);
    const reason = describeEnd(end);
    // Said once per kind of failure: a journalctl that keeps failing the same way is not logged every time.
    const level = reason === this.lastFailure ? 'debug' : end.error?.code === 'ENOENT' ? 'error' : 'warn';
    this.lastFailure = reason;
    this.opts.logger[level]('journalctl ended, restarting it', { reason, retry_in_ms: delay });
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.loop = this.run();
    }, delay);
  }

  /** The cursor of the last entry now (null: no entry); undefined returned when it worked. */
  private async findEnd(): Promise<ChildEnd | undefined> {
    let out = '';
    this.child = new JournalctlProcess(this.opts.command ?? 'journalctl', lastEntryArgs(this.opts.selection), (d) => {
      if (out.length < LAST_ENTRY_OUTPUT_BYTES) out += d.toString('utf8');
    });
    const end = await this.child.ended;
    this.child = null;
    if (this.stopped) return undefined;
    if (end.error || end.code !== 0) return end;
    const last = out.trimEnd().split('\n').pop() ?? '';
    const decoded = last === '' ? undefined : decodeLine(last, 0);
    if (last !== '' && !decoded) return { ...end, stderr: [...end.stderr, `unexpected output: ${last.slice(0, 200)}`] };
    this.setStart(decoded?.cursor ?? null);
    return undefined;
  }

  private setStart(cursor: string | null): void {
    this.cursor = cursor;
    this.changeCount++; // checkpointed at once: a restart must not look for the end again
  }

  private async follow(cursor: string | null): Promise<ChildEnd> {
    const args = followArgs(this.opts.selection, cursor === null ? 'beginning' : { after: cursor });
    const child = new JournalctlProcess(
      this.opts.command ?? 'journalctl',
      args,
      (chunk) => {
        if (!this.stopped) this.lines.push(chunk);
      },
      () => {
        this.following = true;
        if (this.lastFailure === undefined) return;
        // Recovered once it has run for a while (one that fails at once is spawned too).
        this.recoveryTimer = this.opts.clock.setTimeout(() => {
          this.recoveryTimer = undefined;
          this.opts.logger.info('journalctl is following the journal again', { after: this.lastFailure });
          this.lastFailure = undefined;
        }, RECOVERED_AFTER_MS);
      },
    );
    this.child = child;
    const end = await child.ended;
    this.child = null;
    this.following = false;
    if (this.recoveryTimer !== undefined) this.opts.clock.clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    // A partial line is dropped: that entry is read again after the position.
    this.lines.reset();
    return end;
  }

  private onLine(text: string): void {
    const d = decodeLine(text, this.opts.maxMessageBytes);
    this.changeCount++;
    if (!d) {
      this.opts.sink.skipped('unparsed');
      return;
    }
    this.cursor = d.cursor;
    if (d.entry) {
      this.bytes += d.entry.bytes;
      this.opts.sink.entry(d.entry);
    }
  }

  private onOverlong(cursor: string | undefined): void {
    this.changeCount++;
    if (isCursor(cursor)) this.cursor = cursor;
    this.opts.sink.skipped('truncated');
  }
}
