// A log's files as a line source: the tailer (src/tail/tailer.ts), its state the `tailer` part of
// the checkpoint.
import type { ProblemCounts } from '../tail/problems.js';
import { Tailer } from '../tail/tailer.js';
import type { LineSource, SourceOptions, SourcePosition } from './source.js';

export class FileSource implements LineSource {
  readonly kind = 'files';
  private tailer: Tailer;
  /** Totals carried over from a checkpoint of the journal (the log read the journal before). */
  private carried = { bytes: 0, rotations: 0 };

  constructor(
    private readonly opts: SourceOptions,
    private readonly paths: string[],
  ) {
    this.tailer = this.newTailer(opts.config.start_position);
  }

  private newTailer(startPosition: 'end' | 'beginning'): Tailer {
    const { config, clock, logger, sink, watch, chunkBytes, onFilesChanged } = this.opts;
    return new Tailer({
      paths: this.paths,
      startPosition,
      maxLineBytes: config.max_line_bytes,
      pollInterval: config.poll_interval,
      clock,
      logger,
      watch,
      chunkBytes,
      sink,
      onFilesChanged,
    });
  }

  get changes(): number {
    return this.tailer.changes;
  }

  restore(position: SourcePosition): void {
    if (position.journal === undefined) {
      this.tailer.restore(position.tailer);
      return;
    }
    // The log read the journal until now: its files start at their end (what they hold up to now
    // came from the journal already, through rsyslog), and the totals go on.
    this.opts.logger.warn('the log read the journal before: its files are read from their end');
    this.carried = { bytes: position.tailer.bytes, rotations: position.tailer.rotations };
    this.tailer = this.newTailer('end');
  }

  snapshot(): SourcePosition {
    const t = this.tailer.snapshot();
    const { bytes, rotations } = this.carried;
    return { tailer: bytes === 0 && rotations === 0 ? t : { ...t, bytes: t.bytes + bytes, rotations: t.rotations + rotations } };
  }

  start(): Promise<void> {
    return this.tailer.start();
  }

  poll(): Promise<void> {
    return this.tailer.poll();
  }

  stop(): Promise<void> {
    return this.tailer.stop();
  }

  stats(): { files: number; pendingBytes: number; up: boolean } {
    return { ...this.tailer.stats(), up: true };
  }

  fileProblems(): ProblemCounts {
    return this.tailer.fileProblems();
  }
}
