// One pipeline per configured log: source (the tailer, or the journal) -> lines or records ->
// handler -> generic counters, with exactly-once checkpoints.
//
// The invariant: what the metrics render (`published`) is always a state that is already on disk.
// checkpoint() takes, synchronously and so at one instant, the source position (file offsets, or
// the journal cursor), the generic counters and the handler snapshot; writes them atomically; and
// only then publishes them. After a kill -9 the next run restores that state and re-reads from that
// position: every line is counted once, and no scrape ever saw a value the restart goes back below.
//
// Checkpoints are taken in the background, never by a scrape (a scrape renders the last durable
// state and never waits on the disk): every second while lines arrive, and as soon as a pass of the
// tailer found a rotation or a new file, so that a crash loses track of no file.
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import { rateLimited, type Logger } from '../core/log.js';
import type { LogConfig } from '../config/schema.js';
import { CheckpointStore, CHECKPOINT_VERSION, type Checkpoint } from './checkpoint.js';
import type { LineResult, LogHandler, LogType } from './handler.js';
import { syslogLine, type LogRecord } from './record.js';
import type { LineSource, SourcePosition, SourceSink } from './source.js';
import { chooseSource, createSource } from './source-choice.js';
import { rotationsByKind } from '../tail/checkpoint.js';
import type { ProblemCounts } from '../tail/problems.js';
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
  rotations: { kind: string; count: number }[];
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
  /** Background checkpoint interval when something changed (default 1 s). */
  checkpointInterval?: number;
  /** The journalctl that journal logs run (tests); default `journalctl` on PATH. */
  journalctl?: string;
}

const newCounters = (): LineCounters => ({ parsed: 0, unparsed: 0, truncated: 0, last_line_ts: null });

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/** The generic counters of a checkpoint, every field checked (throws with the first problem). */
function restoredCounters(v: unknown): LineCounters {
  const c = v as Partial<LineCounters> | null;
  if (typeof c !== 'object' || c === null) throw new Error('counters: not an object');
  for (const k of ['parsed', 'unparsed', 'truncated'] as const) if (!isCount(c[k])) throw new Error(`counters.${k}: not a count`);
  const ts = c.last_line_ts;
  if (ts !== null && ts !== undefined && !(typeof ts === 'number' && Number.isFinite(ts)))
    throw new Error('counters.last_line_ts: not a time');
  return { parsed: c.parsed!, unparsed: c.unparsed!, truncated: c.truncated!, last_line_ts: ts ?? null };
}

export class LogPipeline<S = unknown> {
  readonly name: string;
  readonly config: LogConfig;
  private handler: LogHandler<S>;
  private source!: LineSource;
  private sourceKind: LineSource['kind'] = 'files';
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
  checkpointErrors = 0;
  /** Writes failed in a row, to say so once rather than at every attempt. */
  private failedWrites = 0;
  /** For the warnings that repeat while a condition lasts (a handler tick failing). */
  private readonly repeats: Logger;
  /** ms since the epoch of the last successful checkpoint write, or null. */
  lastCheckpointAt: number | null = null;

  constructor(private readonly opts: PipelineOptions) {
    this.name = opts.config.name;
    this.config = opts.config;
    this.store = new CheckpointStore(opts.stateDir, this.name, opts.logger);
    this.repeats = rateLimited(opts.logger, { clock: opts.clock });
    this.handler = this.newHandler();
    this.published = { counters: newCounters(), bytes: 0, rotations: rotationsByKind({ rotations: 0 }), handler: this.metricsView() };
  }

  private newHandler(): LogHandler<S> {
    const { config, clock, logger, registry } = this.opts;
    return this.opts.type.createHandler({ config, clock, logger, registry }) as LogHandler<S>;
  }

  private sourceOptions() {
    const { clock, logger, watch, chunkBytes, journalctl } = this.opts;
    const sink: SourceSink = {
      line: (text, truncated) => this.line(text, truncated),
      // A handler whose parser reads bytes gets every line undecoded.
      bytes: this.handler.processBytes ? (buf, start, end, truncated) => this.lineBytes(buf, start, end, truncated) : undefined,
      record: (rec, truncated) => this.record(rec, truncated),
      skipped: (result) => this.skipped(result),
    };
    // A rotation or a new file: checkpoint now, the crash window is one pass.
    const onFilesChanged = () => void this.checkpoint();
    return { config: this.config, clock, logger, watch, chunkBytes, journalctl, sink, onFilesChanged };
  }

  private newSource(): LineSource {
    return createSource(this.sourceKind, this.sourceOptions());
  }

  /** The hot path: one line. The handler never throws by contract; a bug in it must not stop the log. */
  private line(text: string, truncated: boolean): void {
    let r: LineResult | undefined;
    try {
      r = this.handler.processLine(text);
    } catch {
      r = undefined;
    }
    this.tally(r, truncated);
  }

  /** line() for handlers with processBytes. */
  private lineBytes(buf: Buffer, start: number, end: number, truncated: boolean): void {
    let r: LineResult | undefined;
    try {
      r = this.handler.processBytes!(buf, start, end);
    } catch {
      r = undefined;
    }
    this.tally(r, truncated);
  }

  /** A journal entry: to the handler as a record, or as the line a file would hold (see record.ts). */
  private record(rec: LogRecord, truncated: boolean): void {
    let r: LineResult | undefined;
    try {
      const h = this.handler;
      r = h.processRecord ? h.processRecord(rec) : h.processLine(syslogLine(rec));
    } catch {
      r = undefined;
    }
    this.tally(r, truncated, rec.timestamp);
  }

  /** Something the source read that is no line (a garbled journalctl line, an entry too long to keep). */
  private skipped(result: 'unparsed' | 'truncated'): void {
    if (result === 'truncated') this.counters.truncated++;
    else this.counters.unparsed++;
  }

  /**
   * Counts a line the handler processed (r: what it returned, undefined when it threw); the time is
   * the line's own, else `fallbackTs` (a journal entry's).
   */
  private tally(r: LineResult | undefined, truncated: boolean, fallbackTs?: number): void {
    const c = this.counters;
    if (truncated) c.truncated++;
    else if (r?.parsed) c.parsed++;
    else c.unparsed++;
    let ts = r?.timestamp;
    if (ts === undefined || !Number.isFinite(ts)) ts = fallbackTs;
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
    this.sourceKind = await chooseSource(this.sourceOptions());
    this.source = this.newSource();
    const cp = await this.store.load((cp) =>
      cp.type !== this.config.type ? `written for a log of type ${JSON.stringify(cp.type)}` : undefined,
    );
    if (cp) {
      try {
        // Each part validates its own fields and bounds; the first problem moves the checkpoint aside.
        const counters = restoredCounters(cp.counters);
        this.handler.restore(cp.handler as S);
        this.counters = counters;
        this.source.restore({ tailer: cp.tailer, journal: cp.journal });
      } catch (err) {
        await this.store.moveAside(`state rejected: ${(err as Error).message}`);
        this.handler = this.newHandler();
        this.counters = newCounters();
        this.source = this.newSource();
      }
    }
    // What was restored is on disk already: it may be published as is.
    this.published = this.publishable(this.source.snapshot().tailer, this.handler.snapshot());
    this.savedMark = cp ? this.mark() : -1;
    await this.source.start();
    // The first start: the files just found are on disk before start() resolves (and so before
    // the exporter says it is listening). Without this, a crash before the first checkpoint would
    // leave a run that knows no file: a rotation in between would hide lines from the next start.
    if (!cp) await this.serialised(() => this.save());
    this.scheduleBackground();
  }

  /** A copy of the generic counters as of now. */
  private countersNow(): LineCounters {
    const c = { ...this.counters };
    if (this.lastTs === this.lastTs) c.last_line_ts = this.lastTs;
    return c;
  }

  /** Changes of the source position (every line consumed is one): equal marks, equal checkpoints. */
  private mark(): number {
    return this.source.changes;
  }

  private scheduleBackground(): void {
    if (this.stopped) return;
    const every = this.opts.checkpointInterval ?? 1000;
    this.timer = this.opts.clock.setTimeout(() => {
      void this.checkpoint().finally(() => this.scheduleBackground());
    }, every);
  }

  /**
   * Snapshot, write, publish; serialised (a call waits for the one in flight). When no line arrived
   * since the last write the checkpoint is already current: nothing is written (no fsync when idle),
   * and it is only confirmed current (lastCheckpointAt), with a fresh snapshot published when the
   * handler has gauges that tick() refreshes.
   */
  async checkpoint(): Promise<void> {
    if (!this.startup) return;
    try {
      // Outside the queue of saves: the start itself queues the first one (restoreAndTail).
      await this.startup;
    } catch {
      return; // not started: nothing restored, nothing to save
    }
    return this.serialised(() => this.save());
  }

  /** Runs `task` after the save in flight, if any. */
  private serialised(task: () => Promise<void>): Promise<void> {
    const p = this.saving.then(task, task);
    this.saving = p;
    return p;
  }

  /** checkpoint() once started. */
  private async save(): Promise<void> {
    const now = this.opts.clock.now();
    if (this.handler.tick) {
      try {
        this.handler.tick(now);
      } catch (err) {
        this.repeats.warn('log handler tick failed', { log: this.name, err });
      }
    }
    // Synchronous from here to the save: one instant, one consistent state.
    const mark = this.mark();
    const unchanged = mark === this.savedMark;
    if (unchanged && !this.handler.tick) {
      this.lastCheckpointAt = now;
      return;
    }
    if (unchanged) {
      this.lastCheckpointAt = now;
      this.published = this.publishable(this.source.snapshot().tailer, this.handler.snapshot());
      return;
    }
    const { published, written } = this.startSave(now);
    try {
      await written;
    } catch (err) {
      // Not published: the metrics stay at the last state that is safely on disk. Counted every
      // time; said at the first failure and then once per 5 minutes with the count of repeats (a
      // full disk fails every write until it is freed), and said again when a write succeeds.
      this.checkpointErrors++;
      this.failedWrites++;
      this.repeats.warn('checkpoint write failed', {
        log: this.name,
        file: this.store.file,
        err: (err as Error).message,
        effect: 'the metrics of this log stay at the last checkpoint until a write succeeds',
      });
      return;
    }
    if (this.failedWrites > 0) this.opts.logger.info('checkpoint written again', { log: this.name, failed_writes: this.failedWrites });
    this.failedWrites = 0;
    this.savedMark = mark;
    this.lastCheckpointAt = this.opts.clock.now();
    this.published = published;
  }

  /**
   * Takes the snapshot, starts its write and returns what to publish once it is on disk. Not async,
   * on purpose: the whole snapshot (the handler's windows, thousands of entries) and its JSON live
   * only in this call, and what the write keeps is bytes outside the V8 heap. Kept across the write's
   * awaits, they were promoted to the old generation under a flood at every checkpoint (one per
   * second), and that garbage is what lets the heap grow before the next full collection.
   */
  private startSave(now: number): { published: PublishedState<S>; written: Promise<void> } {
    const { tailer, journal } = this.source.snapshot();
    const handler = this.handler.snapshot();
    const published = this.publishable(tailer, handler);
    const cp: Checkpoint<S, LineCounters> = {
      version: CHECKPOINT_VERSION,
      log: this.name,
      type: this.config.type,
      taken_at: now,
      tailer,
      ...(journal ? { journal } : {}),
      counters: published.counters,
      handler,
    };
    return { published, written: this.store.save(cp) };
  }

  /** What is published of a state: the counters now and the handler's metrics view of `handler`. */
  private publishable(tailer: SourcePosition['tailer'], handler: S): PublishedState<S> {
    return { counters: this.countersNow(), bytes: tailer.bytes, rotations: rotationsByKind(tailer), handler: this.metricsView(handler) };
  }

  /**
   * What the metrics read of a snapshot (by default the current one): the whole snapshot is alive
   * only while it is written, and what stays published between checkpoints is the smaller view.
   */
  private metricsView(snapshot: S = this.handler.snapshot()): S {
    return this.handler.metricsView ? this.handler.metricsView(snapshot) : snapshot;
  }

  /** Resolves once the checkpoint is restored (or found unusable): before that, nothing may be rendered. */
  ready(): Promise<void> {
    return (this.startup ?? Promise.resolve()).catch(() => {});
  }

  /** The last checkpointed state, for the metrics. */
  get state(): PublishedState<S> {
    return this.published;
  }

  /** Live figures (gauges, not counters): files followed, bytes not read yet, whether the source delivers lines. */
  stats(): { files: number; pendingBytes: number; up: boolean } {
    return this.source ? this.source.stats() : { files: 0, pendingBytes: 0, up: false };
  }

  /** Whether the checkpoint found at start was unusable and moved aside (counting restarted). */
  get checkpointUnusable(): boolean {
    return this.store.movedAside;
  }

  /** Files of the log that cannot be followed now, by reason (a live gauge; none for the journal). */
  fileProblems(): ProblemCounts | undefined {
    return this.source?.fileProblems?.();
  }

  /** Test hook and fs-event-less driver: one tail pass now (the journal pushes its entries itself). */
  poll(): Promise<void> {
    return this.source.poll();
  }

  /** Stops tailing and writes a last checkpoint, so that a restart re-reads nothing. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.startup) return;
    await this.startup.catch(() => {});
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    await this.source.stop();
    await this.checkpoint();
  }
}
