// A file the tailer is finished with (a rotated file read to its end, a copy set aside, a file
// given up): where it had got to and a digest of its first bytes, in memory (TrackedFiles in
// tracked.ts keeps them) and as the checkpoint lists it.
import type { KnownCheckpoint } from './checkpoint.js';
import type { HeadDigest } from './identity.js';

/** A file finished with: where it had got to, and a digest of its fingerprint. */
export interface KnownFile extends HeadDigest {
  path: string;
  offset: number;
  skipping: boolean;
  copy: boolean;
  /** Seen in its rotation chain since this process started: forgotten once it has left it. */
  inChain?: boolean;
  /** Since when (clock ms) it has been missing from its chain; forgotten after a wait (not checkpointed). */
  missingSince?: number;
  /** Modification time (ms) when last seen, if known. */
  mtime?: number;
  /**
   * A copy's size (bytes) when its time was taken: with the time, it tells the copy unchanged
   * without reading it (a file created on its inode within the same millisecond is not).
   */
  size?: number;
}

/** An identity key (identity.ts identityKey) as its device and inode numbers. */
export const splitKey = (key: string) => key.split(':') as [string, string];

/** A known file as the checkpoint lists it. */
export function knownCheckpoint(key: string, k: KnownFile): KnownCheckpoint {
  const [dev, ino] = splitKey(key);
  const kc: KnownCheckpoint = { path: k.path, dev, ino, head: k.head, sum: k.sum, offset: k.offset, skipping: k.skipping };
  if (k.copy) kc.copy = true;
  if (k.mtime !== undefined) kc.mtime = k.mtime;
  if (k.size !== undefined) kc.size = k.size;
  return kc;
}

/** A known file of a checkpoint (checked by checkpoint.ts), as kept in memory. */
export function knownFromCheckpoint(k: KnownCheckpoint): KnownFile {
  const { path, head, sum, offset, skipping, mtime, size } = k;
  return { path, head, sum, offset, skipping, copy: k.copy === true, mtime, size };
}
