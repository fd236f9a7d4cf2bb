// The files of a log that cannot be followed right now, and why: gathered afresh by every pass that
// lists the directories (each problem is looked for again, so a fixed one simply stops being
// reported), published whole at the end of the pass (hostwatch_log_file_errors{log,reason}), and
// each said once in the log when it appears, not at every pass.
import type { Logger } from '../core/log.js';
import { FILE_PROBLEMS, type FileProblem } from './guard.js';

const MESSAGES: Record<FileProblem, string> = {
  permission_denied: 'cannot read a log file or directory: permission denied',
  not_regular_file: 'log path is not a regular file, not followed',
  gone: 'a checkpointed log file is not where it was and its directory cannot be listed: kept pending, read on from its offset when it is back',
  too_many_files: 'too many files for one log: the most recently written are followed, the others are not',
  symlink_refused:
    "refusing a symlinked log: its target is outside the log's directories and the link is not owned by root or hostwatch's user",
  io_error: 'cannot read a log file or directory',
};

export type ProblemCounts = Record<FileProblem, number>;

const zero = (): ProblemCounts => Object.fromEntries(FILE_PROBLEMS.map((p) => [p, 0])) as ProblemCounts;

export class FileProblems {
  private current = new Map<string, FileProblem>();
  private previous = new Map<string, FileProblem>();
  private published: ProblemCounts = zero();
  private tooMany = 0;

  constructor(private readonly logger: Logger) {}

  /** A new look at the files starts: problems are gathered again. */
  begin(): void {
    this.previous = this.current;
    this.current = new Map();
    this.tooMany = 0;
  }

  /** `where` (a file or directory) cannot be followed; said once while it lasts. */
  report(where: string, problem: FileProblem, err?: string): void {
    this.current.set(where, problem);
    if (this.previous.get(where) !== problem) this.logger.warn(MESSAGES[problem], { path: where, ...(err ? { err } : {}) });
  }

  /** Whether `where` was reported in this pass or the last one (for callers that skip it meanwhile). */
  has(where: string): boolean {
    return this.current.has(where) || this.previous.has(where);
  }

  /** `n` matching files not followed because of the limit on files per log. */
  tooManyFiles(n: number, max: number): void {
    if (n > 0 && this.published.too_many_files === 0) this.logger.warn(MESSAGES.too_many_files, { max, not_followed: n });
    this.tooMany = n;
  }

  /** The pass is over: its problems become the published ones. */
  commit(): void {
    const counts = zero();
    for (const p of this.current.values()) counts[p]++;
    counts.too_many_files = this.tooMany;
    this.published = counts;
    // Kept for has() and the say-once memory of the next pass only.
    this.previous = new Map();
  }

  /** Problems of the last complete pass, by reason (all reasons present, 0 when fine). */
  counts(): ProblemCounts {
    return this.published;
  }
}
