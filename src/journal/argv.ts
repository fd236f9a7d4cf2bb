// The journalctl command lines (argv arrays: no shell ever sees them). Like Vector's journald
// source: `--follow --output=json`, from the checkpointed cursor. Only the fields the log records
// need are asked for (--output-fields; journalctl adds __CURSOR and the timestamps), which keeps
// the lines short; --all keeps messages over 4096 bytes (else written as null).

/** Which journal and which entries of it a log reads (its `journal:` config). */
export interface JournalSelection {
  /** --directory: a journal directory (followed across its file rotations). */
  directory?: string;
  /** --file: journal files or globs (a fixed set). */
  files?: readonly string[];
  /** journalctl matches (FIELD=value, or "+" between groups). */
  matches: readonly string[];
}

/** Where the followed entries start. */
export type FollowFrom = { after: string } | 'beginning';

export const OUTPUT_FIELDS = ['MESSAGE', 'SYSLOG_IDENTIFIER', '_COMM', '_PID', 'SYSLOG_PID', '_HOSTNAME', '_TRANSPORT'];

function selectionArgs(sel: JournalSelection): string[] {
  const args: string[] = [];
  if (sel.directory !== undefined) args.push(`--directory=${sel.directory}`);
  for (const f of sel.files ?? []) args.push(`--file=${f}`);
  return args;
}

/** Matches last, after `--`: nothing in them is ever read as an option. */
function matchArgs(sel: JournalSelection): string[] {
  return sel.matches.length ? ['--', ...sel.matches] : [];
}

/** The long-running child: every entry after `from`, then new ones as they come. */
export function followArgs(sel: JournalSelection, from: FollowFrom): string[] {
  return [
    ...selectionArgs(sel),
    '--follow',
    '--output=json',
    '--all',
    `--output-fields=${OUTPUT_FIELDS.join(',')}`,
    // With --follow journalctl shows only the last 10 entries unless told otherwise, even after a cursor.
    '--lines=all',
    ...(from === 'beginning' ? [] : [`--after-cursor=${from.after}`]),
    ...matchArgs(sel),
  ];
}

/**
 * The one-shot query of the last entry, whose cursor is where a log that starts at the end begins
 * (its output is one line, or none when no entry matches).
 */
export function lastEntryArgs(sel: JournalSelection): string[] {
  return [...selectionArgs(sel), '--lines=1', '--output=json', '--output-fields=_BOOT_ID', ...matchArgs(sel)];
}
