// The records of a root on disk (baseline and current state), as JSON lines: a header line, then
// one line per directory with its entries, written and read one directory at a time so that a tree
// never exists as one string or one parsed object:
//   {"format":"hostwatch-fim-records","version":2,"root":"/etc","dirs":2,"entries":3, ...header fields}
//   {"dir":"","entries":[["hosts",33188,0,0,221,1700000000000.5,1700000000000.5,1234,"<sha256 hex>"]]}
//   {"dir":"ssh","entries":[["moduli",33188,...,"<sha256>"],["link",41471,...,null,"target"]]}
// An entry is [name, st_mode, uid, gid, size, mtimeMs, ctimeMs, ino, sha256 hex or null, link target?].
// The counts in the header tell a file cut at a line boundary from a complete one. The format before
// it (one JSON object with `entries` by path, version 1) is still read, so that an existing install
// keeps its state; the caller then rewrites it in this format.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DirBlock, F_CTIME, F_GID, F_INO, F_MODE, F_MTIME, F_SIZE, F_UID, FIELDS, RecordSet } from './record-set.js';
import type { FileRecord } from './record.js';

export const RECORDS_FORMAT = 'hostwatch-fim-records';
export const RECORDS_VERSION = 2;

export interface RecordsFile {
  /** The header's fields besides the format and the counts (root, dates). */
  header: Record<string, unknown>;
  records: RecordSet;
  /** Read from the former single-object format (version 1): to be rewritten in this one. */
  legacy: boolean;
}

/** Bytes written at a time: the file is encoded into one buffer of this size, reused. */
const CHUNK_BYTES = 1 << 18;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The file's content in chunks, encoded entry by entry into one reused buffer (no string or object
 * the size of a directory, let alone of the tree): each chunk yielded is valid only until the
 * generator is resumed, so the consumer writes it before asking for the next (atomicWrite does).
 */
export function* recordsChunks(header: Record<string, unknown>, records: RecordSet): Generator<Uint8Array> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let at = 0;
  for (const piece of recordsPieces(header, records)) {
    // At most 3 bytes of UTF-8 per UTF-16 code unit.
    if (at > 0 && at + piece.length * 3 > CHUNK_BYTES) {
      yield buf.subarray(0, at);
      at = 0;
    }
    if (piece.length * 3 > CHUNK_BYTES) yield Buffer.from(piece);
    else at += buf.write(piece, at);
  }
  if (at > 0) yield buf.subarray(0, at);
}

/** The header line, then per directory (sorted) its line in pieces: the start, each entry, the end. */
function* recordsPieces(header: Record<string, unknown>, records: RecordSet): Generator<string> {
  yield (
    JSON.stringify({ format: RECORDS_FORMAT, version: RECORDS_VERSION, ...header, dirs: records.blocks.size, entries: records.size }) + '\n'
  );
  for (const dir of records.sortedDirs()) {
    const b = records.blocks.get(dir)!;
    const n = b.nums;
    yield `{"dir":${JSON.stringify(dir)},"entries":[`;
    for (let i = 0; i < b.length; i++) {
      const o = i * FIELDS;
      const e: unknown[] = [
        b.names[i],
        n[o + F_MODE],
        n[o + F_UID],
        n[o + F_GID],
        n[o + F_SIZE],
        n[o + F_MTIME],
        n[o + F_CTIME],
        n[o + F_INO],
      ];
      e.push(b.digestHex(i) ?? null);
      const target = b.target(i);
      if (target !== undefined) e.push(target);
      yield (i > 0 ? ',' : '') + JSON.stringify(e);
    }
    yield ']}\n';
  }
}

/** Reads a records file; undefined when it does not exist. Throws `<file>: why` when it cannot be used. */
export async function readRecordsFile(file: string): Promise<RecordsFile | undefined> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true));
    input.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve(false) : reject(err)));
  });
  if (!(await opened)) return undefined;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const fail = (why: string) => new Error(`${file}: ${why} (corrupt state file; move it away to start over)`);
  let head: Record<string, unknown> | undefined;
  let legacy: Record<string, unknown> | undefined;
  const blocks = new Map<string, DirBlock>();
  let entries = 0;
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw fail(`line ${lineNo}: not valid JSON`);
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(`line ${lineNo}: not an object`);
      const obj = v as Record<string, unknown>;
      if (lineNo === 1) {
        if (obj.format === RECORDS_FORMAT && obj.version === RECORDS_VERSION) head = obj;
        else if (obj.version === 1 && typeof obj.entries === 'object' && obj.entries !== null && !Array.isArray(obj.entries)) legacy = obj;
        else throw fail(`not FIM records of version ${RECORDS_VERSION} (or 1)`);
        continue;
      }
      if (!head) throw fail(`line ${lineNo}: more than one line in a version 1 file`);
      const block = parseBlock(obj, (why) => fail(`line ${lineNo}: ${why}`));
      if (blocks.has(block.dir)) throw fail(`line ${lineNo}: directory ${JSON.stringify(block.dir)} twice`);
      blocks.set(block.dir, block);
      entries += block.length;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (legacy)
    return { header: withoutKeys(legacy, ['entries', 'version']), records: legacyRecords(legacy.entries as object, fail), legacy: true };
  if (!head) throw fail('empty');
  if (head.dirs !== blocks.size || head.entries !== entries) {
    throw fail(`truncated: ${blocks.size} of ${String(head.dirs)} directories, ${entries} of ${String(head.entries)} entries`);
  }
  return { header: withoutKeys(head, ['format', 'version', 'dirs', 'entries']), records: new RecordSet(blocks), legacy: false };
}

function withoutKeys(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out;
}

function parseBlock(obj: Record<string, unknown>, fail: (why: string) => Error): DirBlock {
  const { dir, entries } = obj;
  if (typeof dir !== 'string' || !Array.isArray(entries) || entries.length === 0) throw fail('not a directory of entries');
  const names: string[] = [];
  let files = false;
  let links = false;
  for (const e of entries as unknown[]) {
    if (!Array.isArray(e) || e.length < 9 || e.length > 10 || typeof e[0] !== 'string') throw fail('bad entry');
    if (names.length > 0 && !(names[names.length - 1] < e[0])) throw fail('entries not sorted by name');
    names.push(e[0]);
    for (let f = 1; f <= 7; f++) if (typeof e[f] !== 'number' || !Number.isFinite(e[f])) throw fail(`${e[0]}: bad number`);
    if (e[8] !== null && (typeof e[8] !== 'string' || !SHA256_HEX.test(e[8]))) throw fail(`${e[0]}: bad sha256`);
    if (e.length === 10 && typeof e[9] !== 'string') throw fail(`${e[0]}: bad link target`);
    files ||= e[8] !== null;
    links ||= e.length === 10;
  }
  const block = DirBlock.allocate(dir, names, files, links);
  const n = block.nums;
  (entries as unknown[][]).forEach((e, i) => {
    const o = i * FIELDS;
    n[o + F_MODE] = e[1] as number;
    n[o + F_UID] = e[2] as number;
    n[o + F_GID] = e[3] as number;
    n[o + F_SIZE] = e[4] as number;
    n[o + F_MTIME] = e[5] as number;
    n[o + F_CTIME] = e[6] as number;
    n[o + F_INO] = e[7] as number;
    if (e[8] !== null) block.setDigest(i, e[8] as string);
    if (e.length === 10) block.targets![i] = e[9] as string;
  });
  return block;
}

/** Records of the version 1 format (path → record object), checked field by field. */
function legacyRecords(entries: object, fail: (why: string) => Error): RecordSet {
  const out: [string, FileRecord][] = [];
  for (const [rel, r] of Object.entries(entries)) {
    const rec = r as Partial<FileRecord> | null;
    const nums = rec && [rec.size, rec.mode, rec.uid, rec.gid, rec.mtimeMs, rec.ctimeMs, rec.ino];
    if (!rec || typeof rec.type !== 'string' || !nums!.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw fail(`${JSON.stringify(rel)}: bad record`);
    }
    if (rec.sha256 !== undefined && (typeof rec.sha256 !== 'string' || !SHA256_HEX.test(rec.sha256)))
      throw fail(`${JSON.stringify(rel)}: bad sha256`);
    if (rec.target !== undefined && typeof rec.target !== 'string') throw fail(`${JSON.stringify(rel)}: bad link target`);
    out.push([rel, rec as FileRecord]);
  }
  return RecordSet.fromRecords(out);
}
