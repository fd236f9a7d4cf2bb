// The checkpoint file of one log, <stateDir>/checkpoints/<log>.json, owned by its pipeline: the
// tailer state (file identities and offsets, see src/tail/checkpoint.ts) or, for a log reading the
// journal, its cursor (src/journal/position.ts) with the totals in `tailer`, the pipeline's generic
// counters and the log type handler's snapshot, taken at the same instant so that they describe the
// same set of lines. Written atomically (core/atomic-write.ts): a crash or a full disk at any point
// leaves either the old or the new checkpoint, never a torn one, and no temp file behind.
//
// The JSON format is a contract: checkpoints written by existing installs must load (a fixture of
// version 1 is restored in test/logs/checkpoint.test.ts). A new format gets a new version and a
// migration of the old one.
import { readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { atomicWrite } from '../core/atomic-write.js';
import type { Logger } from '../core/log.js';
import { journalPositionProblem, type JournalPosition } from '../journal/position.js';
import { tailerStateProblem, type TailerState } from '../tail/checkpoint.js';

export const CHECKPOINT_VERSION = 1;
/** Largest checkpoint file loaded (a real one is a few KiB; the handlers bound their state). */
export const MAX_CHECKPOINT_BYTES = 16 * 1024 * 1024;

export interface Checkpoint<H = unknown, C = unknown> {
  version: number;
  log: string;
  type: string;
  /** ms since the epoch, when it was taken. */
  taken_at: number;
  tailer: TailerState;
  /** The journal cursor, when the log reads the journal (absent in checkpoints of files: version 1 as before). */
  journal?: JournalPosition;
  /** The pipeline's generic counters. */
  counters: C;
  /** The log type handler's snapshot(). */
  handler: H;
}

export class CheckpointStore {
  readonly file: string;
  /** The checkpoint found at start was unusable and moved aside (the log restarted from start_position). */
  movedAside = false;

  constructor(
    stateDir: string,
    private readonly log: string,
    private readonly logger: Logger,
  ) {
    this.file = path.join(stateDir, 'checkpoints', `${log}.json`);
  }

  /**
   * The saved checkpoint, or undefined when there is none. A checkpoint that cannot be read or
   * does not validate (every field of the tailer part, type and bounds; `check` may reject it too)
   * is reported with the first problem found and moved aside as `<log>.json.corrupt-<ts>`, so that
   * the log starts afresh from start_position and the evidence is kept.
   */
  async load(check?: (cp: Checkpoint) => string | undefined): Promise<Checkpoint | undefined> {
    let text: string;
    try {
      // Bounded before it is read: a checkpoint is never that big, a file that is would only cost memory.
      const { size } = await stat(this.file);
      if (size > MAX_CHECKPOINT_BYTES) {
        await this.moveAside(`${size} bytes, more than the ${MAX_CHECKPOINT_BYTES} a checkpoint can take`);
        return undefined;
      }
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      await this.moveAside(`cannot read: ${(err as Error).message}`);
      return undefined;
    }
    let cp: Checkpoint;
    try {
      cp = JSON.parse(text) as Checkpoint;
    } catch (err) {
      await this.moveAside(`not JSON: ${(err as Error).message}`);
      return undefined;
    }
    const problem =
      typeof cp !== 'object' || cp === null
        ? 'not an object'
        : cp.version !== CHECKPOINT_VERSION
          ? `unknown version ${JSON.stringify(cp.version)}`
          : cp.log !== this.log
            ? `belongs to log ${JSON.stringify(cp.log)}`
            : (tailerStateProblem(cp.tailer) ?? (cp.journal !== undefined ? journalPositionProblem(cp.journal) : undefined) ?? check?.(cp));
    if (problem) {
      await this.moveAside(problem);
      return undefined;
    }
    return cp;
  }

  /** Moves the current checkpoint aside (also used when the handler refuses its snapshot). */
  async moveAside(reason: string): Promise<void> {
    this.movedAside = true;
    const aside = `${this.file}.corrupt-${Date.now()}`;
    try {
      await rename(this.file, aside);
      this.logger.error('checkpoint unusable, moved aside; the log restarts from start_position', {
        file: this.file,
        moved_to: aside,
        reason,
      });
    } catch (err) {
      this.logger.error('checkpoint unusable and cannot be moved aside; the log restarts from start_position', {
        file: this.file,
        reason,
        err: (err as Error).message,
      });
    }
  }

  /**
   * Writes the checkpoint atomically (see core/atomic-write.ts); on failure the previous one stays
   * intact. Serialised before it returns, into a Buffer: the caller's objects and the JSON string
   * are garbage at once, and no part of them waits in the V8 heap for the disk. Not an async
   * function on purpose: one keeps its parameter, the whole checkpoint, alive across its awaits
   * (test/logs/checkpoint-wait.test.ts fails with `async save` serialising first).
   */
  save(cp: Checkpoint): Promise<void> {
    let data: Buffer;
    try {
      data = Buffer.from(JSON.stringify(cp));
    } catch (err) {
      return Promise.reject(err as Error); // a failed write like any other (the caller counts it)
    }
    return atomicWrite(this.file, data);
  }
}
