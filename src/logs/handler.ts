// The contract between the log pipeline (tailer + checkpoint, src/logs/pipeline.ts) and a log
// type (access, auth, firewall, pattern). A handler turns lines into counters and detector state.
//
// Exactly-once: the pipeline calls snapshot() synchronously right after the last processed line of
// a batch, writes it to the checkpoint together with the file offsets, and only then publishes it
// to the metrics. So a handler's state must be plain JSON-serializable data, and restore() must
// bring back exactly that state after a restart (counters AND detector windows).
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { LogConfig } from '../config/schema.js';

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
  /** A deep copy of the current state, JSON-serializable. */
  snapshot(): S;
  /** Replaces the state with a checkpointed one (from snapshot() of an earlier run). */
  restore(state: S): void;
  /** Updates gauges that depend on time (e.g. sources currently over a threshold); called at scrape. */
  tick?(now: number): void;
}

export interface HandlerContext<C extends LogConfig = LogConfig> {
  config: C;
  clock: Clock;
  logger: Logger;
  /** The logs collector's registry; handlers register SnapshotMetrics reading the published state. */
  registry: Registry;
}

/**
 * A log type: builds a handler for one configured log, and registers the type's metric families
 * once. `published()` gives, per log name, the last state that was checkpointed; metrics must render
 * from it, not from live state, so that a scrape is never ahead of the checkpoint.
 */
export interface LogType<C extends LogConfig = LogConfig, S = unknown> {
  type: C['type'];
  /**
   * Registers the metric families of this type (once per registry, for all logs of the type).
   * `clock` is the handlers' clock, for gauges evaluated at scrape time ("sources currently over").
   */
  registerMetrics(registry: Registry, published: () => ReadonlyMap<string, { config: C; state: S }>, clock: Clock): void;
  createHandler(ctx: HandlerContext<C>): LogHandler<S>;
}
