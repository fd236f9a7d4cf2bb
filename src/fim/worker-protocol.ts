// What the FIM scan (scan.ts, main thread) and its worker threads (worker.ts) exchange. Stats travel
// as flat Float64Arrays: an unchanged rescan is dominated by messages, not syscalls, and one array
// per directory is far cheaper to pass than one object per entry. The arrays are copied (one
// memcpy each), not transferred: transferring needs piscina's move() loaded in every worker, which
// costs more at each worker start than the copies of a whole scan of /usr/lib.

/** Per entry of a listing: mode, uid, gid, size, mtimeMs, ctimeMs, ino, dev, error code. */
export const STAT_FIELDS = 9;
/** Per hashed file: size, mtimeMs, ctimeMs, ino (from fstat of the descriptor that was read). */
export const HASH_FIELDS = 4;

/** Error codes of entries, listings and hashes, indexed by their number. */
export const ERR_CODES = ['', 'vanished', 'permission', 'io', 'notfile'] as const;
export const ERR_NONE = 0;
export const ERR_VANISHED = 1;
export const ERR_PERMISSION = 2;
export const ERR_IO = 3;
/** Not a regular file any more (replaced between listing and hashing, or a link with follow off). */
export const ERR_NOTFILE = 4;

/**
 * Lists directories and, with `descend`, goes on into their subdirectories (skipping excluded ones
 * and pseudo file systems) until `budget` entries are listed: one task then carries many small
 * directories, and what is left over comes back as `pending` for the main thread to spread over
 * the pool.
 */
export interface WalkRequest {
  dirs: [abs: string, rel: string][];
  follow: boolean;
  /** Go on into subdirectories inside the worker (not when following links: loops are checked centrally). */
  descend: boolean;
  /** RegExp sources of the exclude globs: excluded directories are not entered. */
  exclude: string[];
  pseudo: string[];
  /** Entries to list before returning what is left as pending. */
  budget: number;
}

export interface ListResult {
  abs: string;
  rel: string;
  names: string[];
  /** STAT_FIELDS numbers per name. */
  stats: Float64Array;
  /** Link targets (null for entries that are not symbolic links). */
  targets: (string | null)[];
  dirError: number;
}

export interface WalkResult {
  results: ListResult[];
  pending: [abs: string, rel: string][];
}

/** Files of one directory (absolute) to hash. */
export interface HashFiles {
  dir: string;
  names: string[];
}

/** Hashes files (SHA-256 of the content), without following links unless `follow`; results in the order given. */
export interface HashRequest {
  files: HashFiles[];
  follow: boolean;
}

export interface HashResult {
  /** SHA-256 digests, 32 bytes per file (zeros where errors[i] says why there is none). */
  digests: Uint8Array;
  errors: number[];
  /** HASH_FIELDS numbers per file. */
  stats: Float64Array;
  bytes: number;
}
