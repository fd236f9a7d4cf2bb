// A directory listed by a worker, made into the directory's block of records (record-set.ts). Kept
// apart from the scan's scheduling (scan.ts): what is recorded for each entry, and which files
// need a hash, is decided here.
import { DIGEST_BYTES, DirBlock, F_CTIME, F_GID, F_INO, F_MODE, F_MTIME, F_SIZE, F_UID, FIELDS } from './record-set.js';
import { ERR_NONE, STAT_FIELDS, type ListResult } from './worker-protocol.js';

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

export interface ListedBlock {
  block: DirBlock;
  /** Indexes of the block's files that need a hash (their digest is not known). */
  toHash: number[];
}

/**
 * The block of one directory listing: entries `keep` (indexes into the listing) and `carried`
 * (indexes into `prev`, the previous block: entries that could not be looked at this time),
 * sorted by name. Files whose stat is unchanged take the previous digest, the others are to be
 * hashed. When every entry is as before, the previous block itself is returned, so that sets
 * share it.
 */
export function blockOfListing(
  res: ListResult,
  keep: number[],
  carried: number[],
  prev: DirBlock | undefined,
  maxFileSize: number,
): ListedBlock {
  const nameOf = (k: number) => (k < keep.length ? res.names[keep[k]] : prev!.names[carried[k - keep.length]]);
  const order = Array.from({ length: keep.length + carried.length }, (_, k) => k);
  order.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
  const names = order.map(nameOf);
  let files = carried.length > 0 && prev!.digests !== null;
  let links = carried.length > 0 && prev!.targets !== null;
  for (const i of keep) {
    const type = res.stats[i * STAT_FIELDS] & S_IFMT;
    files ||= type === S_IFREG;
    links ||= type === S_IFLNK;
  }
  const block = DirBlock.allocate(res.rel, names, files, links);
  const st = res.stats;
  const nums = block.nums;
  const toHash: number[] = [];
  let same = prev !== undefined && prev.length === names.length;
  let j = 0;
  for (let k = 0; k < order.length; k++) {
    const name = names[k];
    while (prev && j < prev.length && prev.names[j] < name) j++;
    const pj = prev && j < prev.length && prev.names[j] === name ? j : -1;
    if (order[k] >= keep.length) {
      block.copyEntry(k, prev!, carried[order[k] - keep.length]);
      continue;
    }
    const i = keep[order[k]];
    const o = i * STAT_FIELDS;
    const b = k * FIELDS;
    nums[b + F_MODE] = st[o];
    nums[b + F_UID] = st[o + 1];
    nums[b + F_GID] = st[o + 2];
    nums[b + F_SIZE] = st[o + 3];
    nums[b + F_MTIME] = st[o + 4];
    nums[b + F_CTIME] = st[o + 5];
    nums[b + F_INO] = st[o + 6];
    const type = st[o] & S_IFMT;
    if (type === S_IFLNK) block.targets![k] = res.targets[i] ?? '';
    if (type === S_IFREG && st[o + 3] <= maxFileSize) {
      // Like rsync's and git's stat check: same size, mtime, ctime and inode, same content.
      if (pj >= 0 && prev!.isFile(pj) && prev!.hasHash(pj) && sameStat(block, k, prev!, pj)) {
        block.setDigest(k, prev!.digests!, pj * DIGEST_BYTES);
      } else {
        toHash.push(k);
      }
    }
    same &&= pj === k && block.sameEntry(k, prev!, pj);
  }
  return { block: same && toHash.length === 0 ? prev! : block, toHash };
}

/** A listing of one entry, for the start of a scan (the root or the subtree's top). */
export function singleListing(
  abs: string,
  rel: string,
  name: string,
  st: { mode: number; uid: number; gid: number; size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number },
  target: string | null,
): ListResult {
  const stats = new Float64Array(STAT_FIELDS);
  stats.set([st.mode, st.uid, st.gid, st.size, st.mtimeMs, st.ctimeMs, st.ino, st.dev, ERR_NONE]);
  return { abs, rel, names: [name], stats, targets: [target], dirError: ERR_NONE };
}

/** Same size, mtime, ctime and inode. */
function sameStat(a: DirBlock, i: number, b: DirBlock, j: number): boolean {
  return (
    a.num(i, F_SIZE) === b.num(j, F_SIZE) &&
    a.num(i, F_MTIME) === b.num(j, F_MTIME) &&
    a.num(i, F_CTIME) === b.num(j, F_CTIME) &&
    a.num(i, F_INO) === b.num(j, F_INO)
  );
}
