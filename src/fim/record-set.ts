// The records of one root, compact. One block per directory: its path relative to the root once,
// the names of its entries sorted, their numbers in one Float64Array and their SHA-256 digests
// (32 bytes each) in one Uint8Array, so that an entry costs its name and 96 bytes, not an object, a
// 64-character hex string and its full path. Blocks are never changed once a scan has finished
// them, so sets share them: a scan that lists a directory and finds every entry as it was keeps the
// previous block, and the baseline, the current state and a scan in progress hold the same block
// objects for every unchanged directory. A FileRecord object is made only for an entry asked for
// (a change, a test).
import { entryTypeOfMode, type EntryType, type FileRecord } from './record.js';

export const F_MODE = 0; // st_mode: type and permission bits
export const F_UID = 1;
export const F_GID = 2;
export const F_SIZE = 3;
export const F_MTIME = 4;
export const F_CTIME = 5;
export const F_INO = 6;
export const F_FLAGS = 7;
/** Numbers per entry. */
export const FIELDS = 8;
/** Bytes of a digest. */
export const DIGEST_BYTES = 32;

export const FLAG_HASH = 1;
/** Set during a scan on an entry that vanished before it was hashed; such entries are dropped when the block is finished. */
export const FLAG_DELETED = 2;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** The parent directory of a relative path ('' for the top level) and the entry's name in it. */
export function splitRel(rel: string): [dir: string, name: string] {
  const i = rel.lastIndexOf('/');
  return i < 0 ? ['', rel] : [rel.slice(0, i), rel.slice(i + 1)];
}

export function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Whether `rel` is `scope` or below it ('' is the whole root). */
export function inScope(rel: string, scope: string): boolean {
  return scope === '' || rel === scope || (rel.length > scope.length && rel.startsWith(scope) && rel[scope.length] === '/');
}

export class DirBlock {
  constructor(
    /** The directory, relative to the root ('' for the root itself). */
    readonly dir: string,
    /** Sorted (code-unit order), unique. */
    readonly names: string[],
    /** FIELDS numbers per entry. */
    readonly nums: Float64Array,
    /** DIGEST_BYTES per entry, or null when no entry is a regular file. */
    readonly digests: Uint8Array | null,
    /** Link targets, or null when no entry is a symbolic link. */
    readonly targets: (string | undefined)[] | null,
  ) {}

  static allocate(dir: string, names: string[], files: boolean, links: boolean): DirBlock {
    const n = names.length;
    return new DirBlock(
      dir,
      names,
      new Float64Array(n * FIELDS),
      files ? new Uint8Array(n * DIGEST_BYTES) : null,
      links ? new Array<string | undefined>(n).fill(undefined) : null,
    );
  }

  get length(): number {
    return this.names.length;
  }

  /** Index of `name`, or -1. */
  indexOf(name: string): number {
    const names = this.names;
    let lo = 0;
    let hi = names.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const n = names[mid];
      if (n === name) return mid;
      if (n < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  num(i: number, field: number): number {
    return this.nums[i * FIELDS + field];
  }

  isFile(i: number): boolean {
    return (this.nums[i * FIELDS + F_MODE] & S_IFMT) === S_IFREG;
  }

  hasHash(i: number): boolean {
    return (this.nums[i * FIELDS + F_FLAGS] & FLAG_HASH) !== 0;
  }

  target(i: number): string | undefined {
    return this.targets?.[i];
  }

  digestHex(i: number): string | undefined {
    if (!this.hasHash(i)) return undefined;
    return Buffer.from(this.digests!.buffer, this.digests!.byteOffset + i * DIGEST_BYTES, DIGEST_BYTES).toString('hex');
  }

  /** Sets entry i's digest (hex or bytes) and marks it hashed. */
  setDigest(i: number, digest: Uint8Array | string, offset = 0): void {
    const bytes = typeof digest === 'string' ? Buffer.from(digest, 'hex') : digest;
    this.digests!.set(bytes.subarray(offset, offset + DIGEST_BYTES), i * DIGEST_BYTES);
    this.nums[i * FIELDS + F_FLAGS] |= FLAG_HASH;
  }

  /** Copies entry j of `from` (any block) into entry i of this one: numbers, digest and target. */
  copyEntry(i: number, from: DirBlock, j: number): void {
    this.nums.set(from.nums.subarray(j * FIELDS, (j + 1) * FIELDS), i * FIELDS);
    if (from.hasHash(j)) this.digests!.set(from.digests!.subarray(j * DIGEST_BYTES, (j + 1) * DIGEST_BYTES), i * DIGEST_BYTES);
    if (from.targets?.[j] !== undefined) this.targets![i] = from.targets[j];
  }

  /** Whether entry i here and entry j of `other` record exactly the same (names aside). */
  sameEntry(i: number, other: DirBlock, j: number): boolean {
    const a = this.nums;
    const b = other.nums;
    const oa = i * FIELDS;
    const ob = j * FIELDS;
    for (let f = 0; f < FIELDS; f++) if (a[oa + f] !== b[ob + f]) return false;
    if (this.target(i) !== other.target(j)) return false;
    if (!this.hasHash(i)) return true;
    const da = this.digests!;
    const db = other.digests!;
    const pa = i * DIGEST_BYTES;
    const pb = j * DIGEST_BYTES;
    for (let k = 0; k < DIGEST_BYTES; k++) if (da[pa + k] !== db[pb + k]) return false;
    return true;
  }

  /** Same directory, same names, every entry the same: one can stand for the other. */
  equals(other: DirBlock): boolean {
    if (other === this) return true;
    if (other.dir !== this.dir || other.names.length !== this.names.length) return false;
    for (let i = 0; i < this.names.length; i++) {
      if (this.names[i] !== other.names[i] || !this.sameEntry(i, other, i)) return false;
    }
    return true;
  }

  /** Entry i as a FileRecord object (for changes, the journal and the CLI). */
  record(i: number): FileRecord {
    const o = i * FIELDS;
    const n = this.nums;
    const rec: FileRecord = {
      type: entryTypeOfMode(n[o + F_MODE]),
      size: n[o + F_SIZE],
      mode: n[o + F_MODE] & 0o7777,
      uid: n[o + F_UID],
      gid: n[o + F_GID],
      mtimeMs: n[o + F_MTIME],
      ctimeMs: n[o + F_CTIME],
      ino: n[o + F_INO],
    };
    const sha = this.digestHex(i);
    if (sha !== undefined) rec.sha256 = sha;
    if ((n[o + F_MODE] & S_IFMT) === S_IFLNK) rec.target = this.target(i) ?? '';
    return rec;
  }

  /** A block of the given entries of this one (indexes ascending), or this block when it is all of them. */
  subset(keep: number[]): DirBlock {
    if (keep.length === this.names.length) return this;
    const out = DirBlock.allocate(
      this.dir,
      keep.map((i) => this.names[i]),
      this.digests !== null,
      this.targets !== null,
    );
    keep.forEach((i, k) => out.copyEntry(k, this, i));
    return out;
  }

  /** This block without the entries a scan marked deleted. */
  withoutDeleted(): DirBlock {
    const keep: number[] = [];
    for (let i = 0; i < this.names.length; i++) if ((this.nums[i * FIELDS + F_FLAGS] & FLAG_DELETED) === 0) keep.push(i);
    return this.subset(keep);
  }
}

/** Fills entry i of a block from a FileRecord (loading the old JSON format, accepting one path). */
export function setFromRecord(b: DirBlock, i: number, r: FileRecord, modeType: number): void {
  const o = i * FIELDS;
  b.nums[o + F_MODE] = modeType | (r.mode & 0o7777);
  b.nums[o + F_UID] = r.uid;
  b.nums[o + F_GID] = r.gid;
  b.nums[o + F_SIZE] = r.size;
  b.nums[o + F_MTIME] = r.mtimeMs;
  b.nums[o + F_CTIME] = r.ctimeMs;
  b.nums[o + F_INO] = r.ino;
  if (r.sha256 !== undefined) b.setDigest(i, r.sha256);
  if (r.target !== undefined) b.targets![i] = r.target;
}

const TYPE_BITS: Record<EntryType, number> = {
  file: 0o100000,
  dir: 0o040000,
  symlink: 0o120000,
  fifo: 0o010000,
  socket: 0o140000,
  char: 0o020000,
  block: 0o060000,
  other: 0,
};

/** An immutable set of records: directory → block (no block is empty). */
export class RecordSet {
  private count = -1;

  constructor(readonly blocks: ReadonlyMap<string, DirBlock> = new Map()) {}

  /** A set from records by relative path (the former JSON format, tests). */
  static fromRecords(records: Iterable<[string, FileRecord]>): RecordSet {
    const byDir = new Map<string, [string, FileRecord][]>();
    for (const [rel, rec] of records) {
      const [dir, name] = splitRel(rel);
      let list = byDir.get(dir);
      if (!list) byDir.set(dir, (list = []));
      list.push([name, rec]);
    }
    const blocks = new Map<string, DirBlock>();
    for (const [dir, list] of byDir) {
      list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const block = DirBlock.allocate(
        dir,
        list.map(([name]) => name),
        list.some(([, r]) => r.sha256 !== undefined),
        list.some(([, r]) => r.target !== undefined),
      );
      list.forEach(([, r], i) => setFromRecord(block, i, r, TYPE_BITS[r.type] ?? 0));
      blocks.set(dir, block);
    }
    return new RecordSet(blocks);
  }

  /**
   * This set with each block equal to `other`'s block of the same directory replaced by that very
   * object: two sets read from disk (baseline and current state) then hold an unchanged directory once.
   */
  sharing(other: RecordSet | undefined): RecordSet {
    if (!other || other === this) return this;
    let changed = false;
    const out = new Map<string, DirBlock>();
    for (const [dir, b] of this.blocks) {
      const o = other.blocks.get(dir);
      const use = o !== undefined && o !== b && b.equals(o) ? o : b;
      changed ||= use !== b;
      out.set(dir, use);
    }
    return changed ? new RecordSet(out) : this;
  }

  /** Whether both sets hold the very same block objects (nothing changed, told without comparing entries). */
  sameBlocks(other: RecordSet): boolean {
    if (other.blocks.size !== this.blocks.size) return false;
    for (const [dir, b] of this.blocks) if (other.blocks.get(dir) !== b) return false;
    return true;
  }

  /** Number of entries. */
  get size(): number {
    if (this.count < 0) {
      let n = 0;
      for (const b of this.blocks.values()) n += b.names.length;
      this.count = n;
    }
    return this.count;
  }

  /** The block holding `rel` and its index there, if recorded. */
  locate(rel: string): { block: DirBlock; index: number } | undefined {
    const [dir, name] = splitRel(rel);
    const block = this.blocks.get(dir);
    const index = block ? block.indexOf(name) : -1;
    return index < 0 ? undefined : { block: block!, index };
  }

  get(rel: string): FileRecord | undefined {
    const at = this.locate(rel);
    return at && at.block.record(at.index);
  }

  has(rel: string): boolean {
    return this.locate(rel) !== undefined;
  }

  /** Directories in sorted order (files are written in this order). */
  sortedDirs(): string[] {
    return [...this.blocks.keys()].sort();
  }

  /** Every entry as [rel, FileRecord], directory by directory: one object per entry, so for small sets and tests. */
  *entries(): IterableIterator<[string, FileRecord]> {
    for (const b of this.blocks.values()) for (let i = 0; i < b.names.length; i++) yield [joinRel(b.dir, b.names[i]), b.record(i)];
  }

  /** The relative paths recorded (tests, small sets). */
  paths(): string[] {
    return [...this.entries()].map(([rel]) => rel);
  }

  /**
   * This set with everything at or below `scope` taken from `source` instead (what `source` has
   * there: a subtree rescan, or the part of a scan accepted into a baseline). '' replaces all.
   */
  withSubtree(scope: string, source: RecordSet): RecordSet {
    if (scope === '') return source;
    const out = new Map<string, DirBlock>();
    for (const [dir, b] of this.blocks) if (!inScope(dir, scope)) out.set(dir, b);
    for (const [dir, b] of source.blocks) if (inScope(dir, scope)) out.set(dir, b);
    // The scope entry itself lives in its parent's block, among entries outside the scope.
    const [parent, name] = splitRel(scope);
    const mine = this.blocks.get(parent);
    const theirs = source.blocks.get(parent);
    const j = theirs ? theirs.indexOf(name) : -1;
    const merged = replaceEntry(parent, mine, name, j < 0 ? undefined : { block: theirs!, index: j });
    if (merged && merged.length > 0) out.set(parent, merged);
    else out.delete(parent);
    return new RecordSet(out);
  }
}

/** `block` with entry `name` replaced by (or set to) `entry`, or removed when `entry` is undefined. */
function replaceEntry(
  dir: string,
  block: DirBlock | undefined,
  name: string,
  entry: { block: DirBlock; index: number } | undefined,
): DirBlock | undefined {
  const at = block ? block.indexOf(name) : -1;
  if (entry && at >= 0 && block!.sameEntry(at, entry.block, entry.index)) return block;
  const names = block ? block.names.slice() : [];
  if (entry === undefined) {
    if (at < 0) return block;
    names.splice(at, 1);
  } else if (at < 0) {
    let k = 0;
    while (k < names.length && names[k] < name) k++;
    names.splice(k, 0, name);
  }
  const files = (block?.digests ?? null) !== null || entry?.block.digests != null;
  const links = (block?.targets ?? null) !== null || entry?.block.targets != null;
  const out = DirBlock.allocate(dir, names, files, links);
  let src = 0;
  for (let i = 0; i < names.length; i++) {
    if (entry && names[i] === name) {
      out.copyEntry(i, entry.block, entry.index);
      if (at >= 0) src++;
      continue;
    }
    if (block && block.names[src] === name) src++; // the removed entry
    out.copyEntry(i, block!, src++);
  }
  return out;
}
