// The systemd journal as a line source (src/journal/reader.ts): each entry goes to the handler as a
// record with its own time, host and identifier; the cursor is the `journal` part of the checkpoint.
import type { LogSource } from '../config/log-entry.js';
import { JournalReader } from '../journal/reader.js';
import type { LineSource, SourceOptions, SourcePosition } from './source.js';

/** The `journal:` keys of a log. */
export type JournalConfig = NonNullable<LogSource['journal']>;

export class JournalSource implements LineSource {
  readonly kind = 'journal';
  private readonly reader: JournalReader;
  /** Rotations counted while the log read files, carried in the totals. */
  private rotations = 0;

  constructor(
    private readonly opts: SourceOptions,
    journal: JournalConfig,
  ) {
    const { config, clock, logger, sink } = opts;
    this.reader = new JournalReader({
      selection: { directory: journal.directory, files: journal.file, matches: journal.match },
      startAtEnd: config.start_position === 'end',
      maxMessageBytes: config.max_line_bytes,
      clock,
      logger,
      command: opts.journalctl,
      sink: {
        entry: (e) => sink.record(e, e.truncated),
        skipped: (result) => sink.skipped(result),
      },
    });
  }

  get changes(): number {
    return this.reader.changes;
  }

  restore(position: SourcePosition): void {
    this.rotations = position.tailer.rotations;
    // The log read its files until now: the journal starts at its end (the files had those entries).
    if (position.journal === undefined && position.tailer.files.length > 0) {
      this.opts.logger.warn('the log read files before: the journal is read from its end');
    }
    this.reader.restore(position.journal, position.tailer.bytes);
  }

  snapshot(): SourcePosition {
    const { position, bytes } = this.reader.snapshot();
    const tailer = { files: [], bytes, rotations: this.rotations };
    return position ? { tailer, journal: position } : { tailer };
  }

  start(): Promise<void> {
    this.reader.start();
    return Promise.resolve();
  }

  poll(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }

  stats(): { files: number; pendingBytes: number; up: boolean } {
    return { files: 0, pendingBytes: 0, up: this.reader.up };
  }
}
