// Opening the files of a log through its FileGuard (guard.ts); a file that cannot be opened is
// reported (FileProblems: once in the log, counted in the metrics) rather than thrown.
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { FileGuard, FileProblem, Inspected } from './guard.js';
import type { FileProblems } from './problems.js';

export class LogFileOpener {
  constructor(
    readonly guard: FileGuard,
    private readonly problems: FileProblems,
  ) {}

  /**
   * Opens a file found by name and looked at (`seen`); when it cannot be, why (reported, but for
   * 'gone': renamed or deleted between the look and the open, the next pass looks again).
   */
  async open(full: string, seen: Inspected): Promise<FileHandle | FileProblem> {
    const r = await this.guard.open(full, seen);
    if (!('problem' in r)) return r;
    if (r.problem !== 'gone') this.problems.report(full, r.problem, r.err);
    return r.problem;
  }

  /** Looks at `full` and opens it; undefined, reported unless missing, when it cannot be. */
  async inspectAndOpen(full: string): Promise<{ fh: FileHandle; st: BigIntStats } | undefined> {
    const r = await this.guard.inspectAndOpen(full);
    if (!('problem' in r)) return r;
    if (r.problem !== 'gone') this.problems.report(full, r.problem, r.err);
    return undefined;
  }
}
