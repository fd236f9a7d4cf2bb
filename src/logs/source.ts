// Where a log's lines come from: its files (the tailer, src/tail/, see file-source.ts) or the
// systemd journal (src/journal/, see journal-source.ts), behind one small interface the pipeline
// reads a log through. Its position is the source's part of the log's checkpoint. Which one a log
// reads is chosen in source-choice.ts.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { LogSource } from '../config/log-entry.js';
import type { JournalPosition } from '../journal/position.js';
import type { TailerState } from '../tail/checkpoint.js';
import type { LineSink } from '../tail/lines.js';
import type { ProblemCounts } from '../tail/problems.js';
import type { WatchFn } from '../tail/watch.js';
import type { LogRecord } from './record.js';

/**
 * A source's part of a checkpoint. `tailer` keeps its name and shape (checkpoints of existing
 * installs load), with the totals of every source; `journal` is there when the log reads the journal.
 */
export interface SourcePosition {
  tailer: TailerState;
  journal?: JournalPosition;
}

/** What a source hands its lines to (the pipeline). */
export interface SourceSink extends LineSink {
  /** An entry whose header fields the source gave apart (cut to max_line_bytes when `truncated`). */
  record(rec: LogRecord, truncated: boolean): void;
  /** Something read that is no line: `unparsed` (garbled), `truncated` (too long to keep at all). */
  skipped(result: 'unparsed' | 'truncated'): void;
}

export interface LineSource {
  readonly kind: 'files' | 'journal';
  /** Bumped on every change of what snapshot() returns: lets the pipeline skip idle checkpoints. */
  readonly changes: number;
  /** Loads a checkpointed position; call before start(). */
  restore(position: SourcePosition): void;
  /** The position to checkpoint; consistent with the lines handed to the sink so far (synchronous). */
  snapshot(): SourcePosition;
  start(): Promise<void>;
  /** Looks for new lines now (files); the journal's child pushes them as they come. */
  poll(): Promise<void>;
  stop(): Promise<void>;
  /** Live figures: files followed, bytes not read yet, and whether the source can deliver lines now. */
  stats(): { files: number; pendingBytes: number; up: boolean };
  /** Files that cannot be followed now, by reason (files only). */
  fileProblems?(): ProblemCounts;
}

export interface SourceOptions {
  config: LogSource;
  clock: Clock;
  logger: Logger;
  sink: SourceSink;
  watch?: WatchFn;
  chunkBytes?: number;
  /** The journalctl to run (tests); default `journalctl` on PATH. */
  journalctl?: string;
  /** Called when the source found a rotation or a new file: a checkpoint is due now. */
  onFilesChanged?: () => void;
}
