// What the three streaming parsers share: their result, their limits, and the guard that keeps memory
// bounded whatever a file contains (a parser buffers the text of the record it is in, so the text read
// since the last complete record is capped).
import type { InventoryRecord } from './record.js';

export interface ParseStats {
  /** Records handed to the sink. */
  records: number;
  /** Entries that were skipped: rows that are not host records, hosts without any usable field. */
  unparsed: number;
  /** Things the export itself says (truncated list, API errors), at most MAX_WARNINGS. */
  warnings: string[];
}

export type RecordSink = (r: InventoryRecord) => void;

export interface ParseLimits {
  /** Characters of one record (text read since the last complete record) before the file is rejected. */
  maxRecordChars: number;
}

export const MAX_WARNINGS = 10;

export function newStats(): ParseStats {
  return { records: 0, unparsed: 0, warnings: [] };
}

export function warn(stats: ParseStats, message: string): void {
  if (stats.warnings.length < MAX_WARNINGS) stats.warnings.push(message.slice(0, 300));
}

export class InventoryParseError extends Error {}

/** Counts the text fed since the last record boundary; throws past the limit. */
export class RecordGuard {
  private since = 0;
  private sawBoundary = false;
  constructor(private readonly limits: ParseLimits) {}
  boundary(): void {
    this.sawBoundary = true;
  }
  /** After feeding `chars` characters: a chunk with a boundary restarts the count (one chunk of slack). */
  fed(chars: number): void {
    this.since = this.sawBoundary ? 0 : this.since + chars;
    this.sawBoundary = false;
    if (this.since > this.limits.maxRecordChars) {
      throw new InventoryParseError(
        `a record is longer than ${this.limits.maxRecordChars} characters (max_record_bytes): not an export of this format?`,
      );
    }
  }
}
