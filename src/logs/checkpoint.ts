// The checkpoint file of one log, <stateDir>/checkpoints/<log>.json, owned by its pipeline: the
// tailer state (file identities and offsets, see src/tail/checkpoint.ts) or, for a log reading the
// journal, its cursor (src/journal/position.ts) with the totals in `tailer`, the pipeline's generic
// counters and the log type handler's snapshot, taken at the same instant so that they describe the
// same set of lines. Written atomically: temp file, fsync, rename, fsync of the directory; a crash at
// any point leaves either the old or the new checkpoint, never a torn one.
//
// The JSON format is a contract: checkpoints written by existing installs must load (a fixture of
// version 1 is restored in test/logs/checkpoint.test.ts). A new format gets a new version and a
// migration of the old one.
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import { journalPositionProblem, type JournalPosition } from '../journal/position.js';
import { isTailerState, type TailerState } from '../tail/checkpoint.js';

export const CHECKPOINT_VERSION = 1;

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
  private readonly dir: string;
  private dirReady = false;

  constructor(
    stateDir: string,
    private readonly log: string,
    private readonly logger: Logger,
  ) {
    this.dir = path.join(stateDir, 'checkpoints');
    this.file = path.join(this.dir, `${log}.json`);
  }

  /**
   * The saved checkpoint, or undefined when there is none. A checkpoint that cannot be read or
   * does not validate (`check` may reject it too) is reported and moved aside as
   * `<log>.json.corrupt-<ts>`, so that the log starts afresh and the evidence is kept.
   */
  async load(check?: (cp: Checkpoint) => string | undefined): Promise<Checkpoint | undefined> {
    let text: string;
    try {
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
            : !isTailerState(cp.tailer)
              ? 'invalid file list'
              : ((cp.journal !== undefined ? journalPositionProblem(cp.journal) : undefined) ?? check?.(cp));
    if (problem) {
      await this.moveAside(problem);
      return undefined;
    }
    return cp;
  }

  /** Moves the current checkpoint aside (also used when the handler refuses its snapshot). */
  async moveAside(reason: string): Promise<void> {
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

  async save(cp: Checkpoint): Promise<void> {
    const tmp = `${this.file}.tmp`;
    // The directory is created once; every round trip saved shortens the scrape that waits for this.
    if (!this.dirReady) await mkdir(this.dir, { recursive: true });
    let fh;
    try {
      fh = await open(tmp, 'w', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(this.dir, { recursive: true }); // removed behind our back
      fh = await open(tmp, 'w', 0o600);
    }
    this.dirReady = true;
    try {
      await fh.writeFile(JSON.stringify(cp));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.file);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    // The rename is durable only once the directory entry is.
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
