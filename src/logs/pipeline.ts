// One pipeline per configured log: tailer -> lines -> handler.processLine -> generic counters, with
// exactly-once checkpoints.
//
// The invariant: what the metrics render (`published`) is always a state that is already on disk.
// checkpoint() takes, synchronously and so at one instant, the tailer offsets, the generic counters
// and the handler snapshot; writes them atomically; and only then publishes them. After a kill -9
// the next run restores that state and re-reads from those offsets: every line is counted once, and
// no scrape ever saw a value the restart goes back below.
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import { rateLimited, type Logger } from '../core/log.js';
import type { LogConfig } from '../config/schema.js';
import { CheckpointStore, CHECKPOINT_VERSION, type Checkpoint } from './checkpoint.js';
import type { LineResult, LogHandler, LogType } from './handler.js';
import { Tailer } from '../tail/tailer.js';
import type { WatchFn } from '../tail/watch.js';

/** The generic per-log counters, checkpointed with the handler state. */
export interface LineCounters {
  parsed: number;
  unparsed: number;
  truncated: number;
  /** Timestamp (ms) of the last line that carried one, or null. */
  last_line_ts: number | null;
}

/** What the metrics of a log render: a state that has been checkpointed. */
export interface PublishedState<S = unknown> {
  counters: LineCounters;
  bytes: number;
  rotations: number;
  handler: S;
}

export interface PipelineOptions {
  config: LogConfig;
  type: LogType;
  stateDir: string;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Injectable for tests; default fs.watch on the log directories. */
  watch?: WatchFn;
  chunkBytes?: number;
  /** Background checkpoint interval when something changed (default 5 s). */
  checkpointInterval?: number;
}

const newCounters = (): LineCounters => ({ parsed: 0, unparsed: 0, truncated: 0, last_line_ts: null });

export class LogPipeline<S = unknown> {
  readonly name: string;
  readonly config: LogConfig;
  private handler: LogHandler<S>;
  private tailer!: Tailer;
  private readonly store: CheckpointStore;
  private counters: LineCounters = newCounters();
  /**
   * Time of the last line that carried one (NaN: none since the start), kept apart from
   * counters.last_line_ts (number | null): a field that only ever holds numbers is updated in place
   * by V8, where storing a number into one that may hold null allocates it, once per line.
   */
  private lastTs = NaN;
  private published: PublishedState<S>;
  private saving: Promise<unknown> = Promise.resolve();
  /** Tailer change count at the last save (-1: nothing saved yet), to skip writes when idle. */
  private savedMark = -1;
  private timer: unknown;
  private stopped = false;
  private startup: Promise<void> | undefined;
  /** For the warnings that repeat while a condition lasts (a checkpoint write failing every 5 s). */
  private readonly repeats: Logger;
  checkpointErrors = 0;
  /** ms since the epoch of the last successful checkpoint write, or null. */
  lastCheckpointAt: number | null = null;

  constructor(private readonly opts: PipelineOptions) {
    this.name = opts.config.name;
    this.config = opts.config;
    this.store = new CheckpointStore(opts.stateDir, this.name, opts.logger);
    this.repeats = rateLimited(opts.logger, { clock: opts.clock });
    this.handler = this.newHandler();
    this.published = { counters: newCounters(), bytes: 0, rotations: 0, handler: this.handler.snapshot() };
  }

  private newHandler(): LogHandler<S> {
    const { config, clock, logger, registry } = this.opts;
    return this.opts.type.createHandler({ config, clock, logger, registry }) as LogHandler<S>;
  }

  private newTailer(): Tailer {
    const c = this.config;
    return new Tailer({
      paths: c.path,
      startPosition: c.start_position,
      maxLineBytes: c.max_line_bytes,
      pollInterval: c.poll_interval,
      clock: this.opts.clock,
      logger: this.opts.logger,
      watch: this.opts.watch,
      chunkBytes: this.opts.chunkBytes,
      sink: {
        line: (text, truncated) => this.line(text, truncated),
        // Handlers with a byte-level fast path get the lines of ASCII chunks undecoded.
        bytes: this.handler.processBytes ? (buf, start, end) => this.lineBytes(buf, start, end) : undefined,
      },
    });
  }

  /** The hot path of handlers with processBytes: false hands the line back to be decoded. */
  private lineBytes(buf: Buffer, start: number, end: number): boolean {
    let r: LineResult | undefined;
    try {
      r = this.handler.processBytes!(buf, start, end);
    } catch {
      return false; // processLine decides (and counts it unparsed if it throws too)
    }
    if (r === undefined) return false;
    const c = this.counters;
    if (r.parsed) c.parsed++;
    else c.unparsed++;
    const ts = r.timestamp;
    if (ts !== undefined && Number.isFinite(ts)) this.lastTs = ts;
    return true;
  }

  /** The hot path: one line. The handler never throws by contract; a bug in it must not stop the log. */
  private line(text: string, truncated: boolean): void {
    const c = this.counters;
    let parsed = false;
    let ts: number | undefined;
    try {
      const r = this.handler.processLine(text);
      parsed = r.parsed;
      ts = r.timestamp;
    } catch {
      parsed = false;
    }
    if (truncated) c.truncated++;
    else if (parsed) c.parsed++;
    else c.unparsed++;
    if (ts !== undefined && Number.isFinite(ts)) this.lastTs = ts;
  }

  /**
   * Restores the checkpoint (if any and usable) and starts tailing. Scrapes and stop() wait for it:
   * before the restore, the state is empty, and neither publishing it (a counter reset) nor saving it
   * (the checkpoint lost) is allowed.
   */
  start(): Promise<void> {
    this.startup ??= this.restoreAndTail();
    return this.startup;
  }

  private async restoreAndTail(): Promise<void> {
    this.tailer = this.newTailer();
    const cp = await this.store.load((cp) =>
      cp.type !== this.config.type ? `written for a log of type ${JSON.stringify(cp.type)}` : undefined,
    );
    if (cp) {
      try {
        this.handler.restore(cp.handler as S);
        const c = cp.counters as LineCounters;
        this.counters = {
          parsed: Number(c?.parsed) || 0,
          unparsed: Number(c?.unparsed) || 0,
          truncated: Number(c?.truncated) || 0,
          last_line_ts: typeof c?.last_line_ts === 'number' ? c.last_line_ts : null,
        };
        this.tailer.restore(cp.tailer);
      } catch (err) {
        await this.store.moveAside(`handler state rejected: ${(err as Error).message}`);
        this.handler = this.newHandler();
        this.counters = newCounters();
        this.tailer = this.newTailer();
      }
    }
    // What was restored is on disk already: it may be published as is.
    const tail = this.tailer.snapshot();
    this.published = { counters: this.countersNow(), bytes: tail.bytes, rotations: tail.rotations, handler: this.handler.snapshot() };
    this.savedMark = cp ? this.mark() : -1;
    await this.tailer.start();
    this.scheduleBackground();
  }

  /** A copy of the generic counters as of now. */
  private countersNow(): LineCounters {
    const c = { ...this.counters };
    if (this.lastTs === this.lastTs) c.last_line_ts = this.lastTs;
    return c;
  }

  /** Changes of the tailer state (every line consumed is one): equal marks, equal checkpoints. */
  private mark(): number {
    return this.tailer.changes;
  }

  private scheduleBackground(): void {
    if (this.stopped) return;
    const every = this.opts.checkpointInterval ?? 5000;
    this.timer = this.opts.clock.setTimeout(() => {
      void this.checkpoint(false).finally(() => this.scheduleBackground());
    }, every);
  }

  /**
   * Snapshot, write, publish. When no line arrived since the last write the checkpoint is already
   * current: nothing is written (no fsync per idle scrape); scrapes (`publish`) still publish a
   * fresh snapshot, whose counters equal the saved ones, for the gauges that tick() refreshed.
   */
  checkpoint(publish = true): Promise<void> {
    const run = async () => {
      if (!this.startup) return;
      try {
        await this.startup;
      } catch {
        return; // not started: nothing restored, nothing to save
      }
      const now = this.opts.clock.now();
      try {
        this.handler.tick?.(now);
      } catch (err) {
        this.repeats.warn('log handler tick failed', { log: this.name, err });
      }
      // Synchronous from here to the save: one instant, one consistent state.
      const tailer = this.tailer.snapshot();
      const mark = this.mark();
      const unchanged = mark === this.savedMark;
      if (unchanged && !publish) return;
      const state: PublishedState<S> = {
        counters: this.countersNow(),
        bytes: tailer.bytes,
        rotations: tailer.rotations,
        handler: this.handler.snapshot(),
      };
      if (unchanged) {
        this.lastCheckpointAt = now;
        this.published = state;
        return;
      }
      const cp: Checkpoint<S, LineCounters> = {
        version: CHECKPOINT_VERSION,
        log: this.name,
        type: this.config.type,
        taken_at: now,
        tailer,
        counters: state.counters,
        handler: state.handler,
      };
      try {
        await this.store.save(cp);
      } catch (err) {
        // Not published: the metrics stay at the last state that is safely on disk.
        this.checkpointErrors++;
        this.repeats.warn('checkpoint write failed', { log: this.name, file: this.store.file, err: (err as Error).message });
        return;
      }
      this.savedMark = mark;
      this.lastCheckpointAt = this.opts.clock.now();
      this.published = state;
    };
    const p = this.saving.then(run, run);
    this.saving = p;
    return p;
  }

  /** The last checkpointed state, for the metrics. */
  get state(): PublishedState<S> {
    return this.published;
  }

  /** Live figures (gauges, not counters): files followed and bytes not read yet. */
  stats(): { files: number; pendingBytes: number } {
    return this.tailer ? this.tailer.stats() : { files: 0, pendingBytes: 0 };
  }

  /** Test hook and fs-event-less driver: one tail pass now. */
  poll(): Promise<void> {
    return this.tailer.poll();
  }

  /** Stops tailing and writes a last checkpoint, so that a restart re-reads nothing. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.startup) return;
    await this.startup.catch(() => {});
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    await this.tailer.stop();
    await this.checkpoint(true);
  }
}
