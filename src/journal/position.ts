// Where a log reading the journal is: the cursor of the last entry handed to its handler, the
// `journal` part of the log's checkpoint (src/logs/checkpoint.ts), written at the same instant as
// the handler state so that a restart goes on with the entry after it (`--after-cursor`).

/** The journal's part of a checkpoint. */
export interface JournalPosition {
  /**
   * The cursor of the last entry consumed; null: none yet, and the journal (with the log's
   * matches) was empty when the log started following it, so that every entry is new: a restart
   * reads them all from the beginning.
   */
  cursor: string | null;
}

/**
 * A cursor as sd_journal_get_cursor() writes it: seqnum id, seqnum, boot id, monotonic and realtime
 * stamps, xor hash. journalctl refuses (exits) on a malformed one, so only this shape is restored.
 */
const CURSOR = /^s=[0-9a-f]{32};i=[0-9a-f]{1,16};b=[0-9a-f]{32};m=[0-9a-f]{1,16};t=[0-9a-f]{1,16};x=[0-9a-f]{1,16}$/;

export function isCursor(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 200 && CURSOR.test(v);
}

/** What is wrong with the `journal` part of a checkpoint read back from disk, or undefined. */
export function journalPositionProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'journal: not an object';
  const cursor = (v as JournalPosition).cursor;
  if (cursor !== null && !isCursor(cursor)) return 'journal.cursor: not a journal cursor';
  return undefined;
}
