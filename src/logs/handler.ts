// The contract between the log pipeline (tailer + checkpoint, src/logs/pipeline.ts) and the runtime
// of a log type (src/logs/<type>/index.ts, listed in src/logs/registry.ts). A handler turns lines
// into counters and detector state.
//
// Exactly-once: the pipeline calls snapshot() synchronously right after the last processed line of
// a batch, writes it to the checkpoint together with the file offsets, and only then publishes it
// to the metrics. So a handler's state must be plain JSON-serializable data, and restore() must
// bring back exactly that state after a restart (counters AND detector windows).
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { LogSource } from '../config/log-entry.js';
import type { LogRecord } from './record.js';

export interface LineResult {
  /** false when the line did not match the log type's format: counted as unparsed. */
  parsed: boolean;
  /** Event time of the line in ms since the epoch, when the line carries a timestamp that parses (else undefined or NaN). */
  timestamp?: number;
}

export interface LogHandler<S = unknown> {
  /** Processes one complete line (no trailing newline). Never throws on bad input. */
  processLine(line: string): LineResult;
  /**
   * Optional, for log types whose parser reads bytes: when present, the pipeline hands every line
   * here as the bytes buf[start, end) (UTF-8, no newline) instead of to processLine, so that no
   * line is decoded whole. `buf` is reused by the next read: nothing may keep a reference to it.
   * Never throws on bad input.
   */
  processBytes?(buf: Buffer, start: number, end: number): LineResult;
  /**
   * Optional: processes a record whose header fields the source gave apart (a journal entry). A
   * handler without it gets the record as the line a file would hold (see record.ts). Never throws
   * on bad input.
   */
  processRecord?(rec: LogRecord): LineResult;
  /** A deep copy of the current state, JSON-serializable. */
  snapshot(): S;
  /**
   * Optional: the part of a snapshot the metrics read, which is what stays published between two
   * checkpoints; the rest (state that only a restart needs, such as the sshd connections) goes as
   * soon as it is written. Metrics render the same from it as from the whole snapshot.
   */
  metricsView?(snapshot: S): S;
  /** Replaces the state with a checkpointed one (from snapshot() of an earlier run). */
  restore(state: S): void;
  /** Updates gauges that depend on time (e.g. sources currently over a threshold); called at scrape. */
  tick?(now: number): void;
}

export interface HandlerContext<C extends LogSource = LogSource> {
  config: C;
  clock: Clock;
  logger: Logger;
  /** The logs collector's registry; metrics are declared with defineMetric and read the published state. */
  registry: Registry;
}

/** `hostwatch parse`: the fields printed for one line, or undefined when the line does not match. */
export type LineParser = (line: string) => Record<string, unknown> | undefined;

/** `hostwatch parse`, per line: whether the exporter's handler counted it, and why not. */
export interface LineVerdict {
  /** The handler parsed it (hostwatch_log_lines_total{result="parsed"}), event or not. */
  recognised: boolean;
  /** It added to a counter of the type's metrics. */
  counted: boolean;
  /** Why a recognised line counted nothing (`not a signal`, `counted on line 41`, ...). */
  why?: string;
}

/**
 * `hostwatch parse` as a filter tester: the exporter's own handler run over the lines in order (so
 * connection correlation decides what counts), and at the end what the exporter would show.
 */
export interface LineExplainer {
  /** Runs the handler on line `n` (1-based, in order). */
  line(text: string, n: number): LineVerdict;
  /** The summary: the counters the exporter would have after these lines, as text lines. */
  summary(): string[];
}

/** What `hostwatch parse --type T [--format F] [--log NAME]` gives the log type. */
export interface ParseFieldsOptions<C> {
  /** --format, when given. */
  format?: string;
  /** --log, when given. */
  logName?: string;
  /**
   * The log of this type named `name` in --config.file, or its first log of this type when name is
   * undefined. Reads the config file when called; rejects with a message for the user when there is none.
   */
  configuredLog(name?: string): Promise<C>;
}

/** What `hostwatch parse` gives a log type that explains its lines. */
export interface ExplainOptions<C> extends ParseFieldsOptions<C> {
  /** The settings of the log whose lines are explained: those of --log when given, else the type's defaults. */
  logSettings(): Promise<C>;
}

/**
 * The runtime of a log type: builds a handler for one configured log, registers the type's metric
 * families once, and gives `hostwatch parse` the fields of a line. `published()` gives, per log
 * name, the last state that was checkpointed; metrics must render from it, not from live state, so
 * that a scrape is never ahead of the checkpoint.
 */
export interface LogType<C extends LogSource = LogSource, S = unknown> {
  /**
   * Registers the metric families of this type (once per registry, for all logs of the type).
   * `clock` is the handlers' clock, for gauges evaluated at scrape time ("sources currently over").
   */
  registerMetrics(registry: Registry, published: () => ReadonlyMap<string, { config: C; state: S }>, clock: Clock): void;
  createHandler(ctx: HandlerContext<C>): LogHandler<S>;
  /** For `hostwatch parse`: the JSON fields of each line (their names and values are a contract). */
  parseFields(opts: ParseFieldsOptions<C>): LineParser | Promise<LineParser>;
  /** Optional: the per-line verdicts and summary of `hostwatch parse` (see LineExplainer). */
  explainLines?(opts: ExplainOptions<C>): Promise<LineExplainer>;
}
