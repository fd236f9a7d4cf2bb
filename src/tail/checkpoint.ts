// The tailer's part of a log's checkpoint (the `tailer` field of <stateDir>/checkpoints/<log>.json,
// whose file the log pipeline owns, see src/logs/checkpoint.ts): every tracked file's identity and
// the offset of its first line not yet handed over, plus totals over all files. Restored, it lets a
// restarted tailer find each file again and go on exactly where the checkpointed lines end.

/** One tracked file as stored in the checkpoint. */
export interface FileCheckpoint {
  path: string;
  dev: string;
  ino: string;
  /** First bytes of the file (base64), up to FINGERPRINT_BYTES. */
  fp: string;
  /** Byte offset of the first line not yet handed to the sink. */
  offset: number;
  /** The offset is inside an over-long line whose remainder is skipped. */
  skipping: boolean;
  /** logrotate's copy of a truncated file, read to its end then let go (absent: false). */
  copy?: boolean;
}

/** The tailer's part of a checkpoint. */
export interface TailerState {
  files: FileCheckpoint[];
  /** Bytes consumed (lines handed over, or skipped), all files together. */
  bytes: number;
  rotations: number;
}

/** Whether `v`, read back from a checkpoint file, has the shape of a TailerState. */
export function isTailerState(v: unknown): v is TailerState {
  const t = v as TailerState;
  return (
    typeof t === 'object' &&
    t !== null &&
    Array.isArray(t.files) &&
    Number.isFinite(t.bytes) &&
    Number.isFinite(t.rotations) &&
    t.files.every(
      (f) =>
        typeof f === 'object' &&
        f !== null &&
        typeof f.path === 'string' &&
        typeof f.dev === 'string' &&
        typeof f.ino === 'string' &&
        typeof f.fp === 'string' &&
        Number.isSafeInteger(f.offset) &&
        f.offset >= 0 &&
        typeof f.skipping === 'boolean' &&
        (f.copy === undefined || typeof f.copy === 'boolean'),
    )
  );
}
