// The tailer's part of a log's checkpoint (the `tailer` field of <stateDir>/checkpoints/<log>.json,
// whose file the log pipeline owns, see src/logs/checkpoint.ts): every file followed with its
// identity and the offset of its first line not yet handed over; the files already finished (read
// to their end, or copies of followed files) that are still about, so that none is read twice;
// and totals over all files. Restored, it lets a restarted tailer find each file again and go on
// exactly where the checkpointed lines end.
//
// Format version 1 as written since the first release; the fields marked "absent:" were added
// later, so older checkpoints load as they are (an older hostwatch ignores the additions).

/** One followed file as stored in the checkpoint. */
export interface FileCheckpoint {
  /** The path the file was followed at (a rotated file keeps the path it was rotated away from). */
  path: string;
  dev: string;
  ino: string;
  /** First bytes of the file (base64), up to FINGERPRINT_BYTES; of its content when compressed. */
  fp: string;
  /** Byte offset of the first line not yet handed to the sink (of the content when compressed). */
  offset: number;
  /** The offset is inside an over-long line whose remainder is skipped. */
  skipping: boolean;
  /** logrotate's copy of a truncated file, read to its end then let go (absent: false). */
  copy?: boolean;
  /** Rotated away from `path`, its rotation counted already (absent: not rotated). */
  rotated?: boolean;
  /** A rotated file compressed by logrotate (.gz), read through zlib (absent: false). */
  gz?: boolean;
  /** Modification time (ms) when last looked at: orders it among rotated files (absent: unknown). */
  mtime?: number;
  /**
   * Identities (dev:ino) of its rotation chain when it was last seen too short to recognise a copy
   * of it by its first bytes (copytruncate.ts missedCopy), so that a copytruncate while stopped is
   * found after a restart too (absent: none noted).
   */
  chain?: string[];
  /**
   * Found new and its rotation chain not looked at whole since (TrackedFile.newlyFound): after a
   * restart too, no reference for the files before it in the chain (absent: false).
   */
  newlyFound?: boolean;
}

/** A file finished with (read to its end, or a copy never to be read), remembered while it is about. */
export interface KnownCheckpoint {
  path: string;
  dev: string;
  ino: string;
  /** Length of the fingerprint and a digest of it (see identity.ts: HeadDigest). */
  head: number;
  sum: string;
  offset: number;
  skipping: boolean;
  copy?: boolean;
  /** Modification time (ms) when last seen: orders the rotated files written after it (absent: unknown). */
  mtime?: number;
  /** A copy's size when its time was taken (absent: unknown; see tracked.ts KnownFile). */
  size?: number;
  /**
   * Its identity holds another file now (the inode reused): kept by its first bytes only, to know
   * its compressed form (.gz) as read (absent: false).
   */
  retired?: boolean;
}

/** Kinds of rotation counted apart (hostwatch_log_rotations_total{kind}). */
export const ROTATION_KINDS = ['rename', 'delete', 'copytruncate', 'truncate'] as const;
export type RotationKind = (typeof ROTATION_KINDS)[number];

/** The tailer's part of a checkpoint. */
export interface TailerState {
  files: FileCheckpoint[];
  /** Bytes consumed (lines handed over, or skipped), all files together. */
  bytes: number;
  /** Rotations, all kinds together (including those counted before kinds were recorded). */
  rotations: number;
  /** Rotations by kind (absent: none recorded by kind; the total then counts as kind "unknown"). */
  kinds?: Partial<Record<RotationKind, number>>;
  /** Files finished with that are still in a rotation chain or under a followed name (absent: none). */
  known?: KnownCheckpoint[];
}

/** Bounds of a checkpoint (far above what a tailer writes; a file beyond them was not written by one). */
export const MAX_CHECKPOINT_FILES = 4096;
export const MAX_KNOWN_FILES = 512;
const MAX_PATH = 4096;
const MAX_FP_BASE64 = 344; // 256 bytes
/** Members of a rotation chain noted for a short file (a longer chain is not noted). */
export const MAX_CHAIN_NOTED = 1024;

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isId = (v: unknown) => typeof v === 'string' && /^\d{1,20}$/.test(v);
const isKey = (v: unknown) => typeof v === 'string' && /^\d{1,20}:\d{1,20}$/.test(v);
const isPath = (v: unknown) => typeof v === 'string' && v.startsWith('/') && v.length <= MAX_PATH && !v.includes('\0');
const isFlag = (v: unknown) => v === undefined || typeof v === 'boolean';
const isBase64 = (v: unknown, max: number) => typeof v === 'string' && v.length <= max && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fileProblem(f: unknown): string | undefined {
  if (!isObject(f)) return 'not an object';
  if (!isPath(f.path)) return 'path: not an absolute path';
  if (!isId(f.dev) || !isId(f.ino)) return 'dev/ino: not a device and inode number';
  if (!isBase64(f.fp, MAX_FP_BASE64)) return 'fp: not a fingerprint';
  if (!isCount(f.offset)) return 'offset: not a byte offset';
  if (typeof f.skipping !== 'boolean' || !isFlag(f.copy) || !isFlag(f.rotated) || !isFlag(f.gz) || !isFlag(f.newlyFound))
    return 'skipping/copy/rotated/gz/newlyFound: not true or false';
  if (f.mtime !== undefined && !isTime(f.mtime)) return 'mtime: not a time';
  if (f.chain !== undefined && !(Array.isArray(f.chain) && f.chain.length <= MAX_CHAIN_NOTED && f.chain.every(isKey)))
    return `chain: not a list of at most ${MAX_CHAIN_NOTED} identities (dev:ino)`;
  return undefined;
}

function knownProblem(k: unknown): string | undefined {
  if (!isObject(k)) return 'not an object';
  if (!isPath(k.path)) return 'path: not an absolute path';
  if (!isId(k.dev) || !isId(k.ino)) return 'dev/ino: not a device and inode number';
  if (!isCount(k.head) || k.head > 256 || !isBase64(k.sum, 44)) return 'head/sum: not a fingerprint digest';
  if (!isCount(k.offset) || typeof k.skipping !== 'boolean' || !isFlag(k.copy) || !isFlag(k.retired))
    return 'offset/skipping/copy/retired: invalid';
  if (k.mtime !== undefined && !isTime(k.mtime)) return 'mtime: not a time';
  if (k.size !== undefined && !isCount(k.size)) return 'size: not a byte count';
  return undefined;
}

/**
 * What is wrong with `v`, read back from a checkpoint file, as a TailerState ("tailer.files[3].offset:
 * not a byte offset"), or undefined when every field is present, of its type and within its bounds.
 */
export function tailerStateProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'tailer: not an object';
  if (!Array.isArray(v.files) || v.files.length > MAX_CHECKPOINT_FILES)
    return `tailer.files: not a list of at most ${MAX_CHECKPOINT_FILES} files`;
  for (let i = 0; i < v.files.length; i++) {
    const p = fileProblem(v.files[i]);
    if (p) return `tailer.files[${i}].${p}`;
  }
  if (!isCount(v.bytes)) return 'tailer.bytes: not a count';
  if (!isCount(v.rotations)) return 'tailer.rotations: not a count';
  if (v.kinds !== undefined) {
    if (!isObject(v.kinds)) return 'tailer.kinds: not an object';
    let sum = 0;
    for (const [kind, n] of Object.entries(v.kinds)) {
      if (!(ROTATION_KINDS as readonly string[]).includes(kind)) return `tailer.kinds.${kind}: unknown kind of rotation`;
      if (!isCount(n)) return `tailer.kinds.${kind}: not a count`;
      sum += n;
    }
    if (sum > v.rotations) return 'tailer.kinds: more rotations by kind than in total';
  }
  if (v.known !== undefined) {
    if (!Array.isArray(v.known) || v.known.length > MAX_KNOWN_FILES) return `tailer.known: not a list of at most ${MAX_KNOWN_FILES} files`;
    for (let i = 0; i < v.known.length; i++) {
      const p = knownProblem(v.known[i]);
      if (p) return `tailer.known[${i}].${p}`;
    }
  }
  return undefined;
}

/** Rotations by kind as of a state: every kind (0 when none), and "unknown" for those counted before kinds were. */
export function rotationsByKind(state: Pick<TailerState, 'rotations' | 'kinds'>): { kind: RotationKind | 'unknown'; count: number }[] {
  let byKind = 0;
  const out: { kind: RotationKind | 'unknown'; count: number }[] = ROTATION_KINDS.map((kind) => {
    const count = state.kinds?.[kind] ?? 0;
    byKind += count;
    return { kind, count };
  });
  if (state.rotations > byKind) out.push({ kind: 'unknown', count: state.rotations - byKind });
  return out;
}
