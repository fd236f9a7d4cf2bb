// A FIM worker thread, run by the pool of a scan (pool.ts): `walk` and `hash` are its two tasks.
// Node's SHA-256 runs synchronously on the calling thread, so hashing on the main thread would both
// use one core only and stall scrapes; the workers do all the blocking file-system work (directory
// listing, lstat, reading and hashing) with synchronous calls, which is the fastest way to do it
// off the main thread. Bad entries never throw: they come back with an error code. The functions
// are plain (no piscina here): the pool passes tasks in and results out, and the one-shot commands
// call them on their own thread (pool.ts, InThreadPool).
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import {
  ERR_IO,
  ERR_NONE,
  ERR_NOTFILE,
  ERR_PERMISSION,
  ERR_VANISHED,
  HASH_FIELDS,
  STAT_FIELDS,
  type HashRequest,
  type HashResult,
  type ListResult,
  type WalkRequest,
  type WalkResult,
} from './worker-protocol.js';

const CHUNK = 1 << 20;
const buf = Buffer.allocUnsafe(CHUNK);
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
// O_NONBLOCK: a file swapped for a FIFO between listing and hashing must not hang the worker.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

function errorCode(err: unknown): number {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return ERR_VANISHED;
    case 'EACCES':
    case 'EPERM':
      return ERR_PERMISSION;
    default:
      return ERR_IO;
  }
}

function list(dir: string, rel: string, follow: boolean): ListResult {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    return { abs: dir, rel, dirError: errorCode(err), names: [], stats: new Float64Array(0), targets: [] };
  }
  const stats = new Float64Array(names.length * STAT_FIELDS);
  const targets: (string | null)[] = new Array<string | null>(names.length).fill(null);
  const sep = dir.endsWith('/') ? '' : '/';
  for (let i = 0; i < names.length; i++) {
    const p = dir + sep + names[i];
    const o = i * STAT_FIELDS;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
      if (follow && st.isSymbolicLink()) {
        // A dangling or looping link is recorded as the link itself.
        try {
          st = fs.statSync(p);
        } catch {
          // keep the lstat
        }
      }
      if (st.isSymbolicLink()) targets[i] = fs.readlinkSync(p);
    } catch (err) {
      stats[o + 8] = errorCode(err);
      continue;
    }
    stats[o] = st.mode;
    stats[o + 1] = st.uid;
    stats[o + 2] = st.gid;
    stats[o + 3] = st.size;
    stats[o + 4] = st.mtimeMs;
    stats[o + 5] = st.ctimeMs;
    stats[o + 6] = st.ino;
    stats[o + 7] = st.dev;
  }
  return { abs: dir, rel, dirError: ERR_NONE, names, stats, targets };
}

export function walk(req: WalkRequest): WalkResult {
  const exclude = req.exclude.map((src) => new RegExp(src));
  const pseudo = new Set(req.pseudo);
  const stack = req.dirs.slice();
  const results: ListResult[] = [];
  let listed = 0;
  while (stack.length > 0 && (results.length === 0 || listed < req.budget)) {
    const [abs, rel] = stack.pop()!;
    const r = list(abs, rel, req.follow);
    results.push(r);
    listed += r.names.length;
    if (!req.descend) continue;
    const sep = abs.endsWith('/') ? '' : '/';
    for (let i = 0; i < r.names.length; i++) {
      const o = i * STAT_FIELDS;
      if (r.stats[o + 8] !== ERR_NONE || (r.stats[o] & S_IFMT) !== S_IFDIR) continue;
      const childRel = rel ? rel + '/' + r.names[i] : r.names[i];
      const childAbs = abs + sep + r.names[i];
      if (pseudo.has(childAbs) || exclude.some((re) => re.test(childRel))) continue;
      stack.push([childAbs, childRel]);
    }
  }
  return { results, pending: stack };
}

export function hash(req: HashRequest): HashResult {
  const paths: string[] = [];
  for (const { dir, names } of req.files) {
    const sep = dir.endsWith('/') ? '' : '/';
    // '' is the directory itself (a root that is a file).
    for (const name of names) paths.push(name === '' ? dir : dir + sep + name);
  }
  const n = paths.length;
  const digests = new Uint8Array(n * 32);
  const errors: number[] = new Array<number>(n).fill(ERR_NONE);
  const stats = new Float64Array(n * HASH_FIELDS);
  let bytes = 0;
  const flags = req.follow ? OPEN_FLAGS : OPEN_FLAGS | fs.constants.O_NOFOLLOW;
  for (let i = 0; i < n; i++) {
    let fd = -1;
    try {
      fd = fs.openSync(paths[i], flags);
      const st = fs.fstatSync(fd);
      if (!st.isFile()) {
        errors[i] = ERR_NOTFILE;
        continue;
      }
      const h = createHash('sha256');
      for (;;) {
        const r = fs.readSync(fd, buf, 0, CHUNK, null);
        if (r === 0) break;
        h.update(r === CHUNK ? buf : buf.subarray(0, r));
        bytes += r;
      }
      h.digest().copy(digests, i * 32);
      const o = i * HASH_FIELDS;
      stats[o] = st.size;
      stats[o + 1] = st.mtimeMs;
      stats[o + 2] = st.ctimeMs;
      stats[o + 3] = st.ino;
    } catch (err) {
      // O_NOFOLLOW on a link that replaced the file.
      errors[i] = (err as NodeJS.ErrnoException).code === 'ELOOP' ? ERR_NOTFILE : errorCode(err);
    } finally {
      if (fd >= 0) fs.closeSync(fd);
    }
  }
  return { digests, errors, stats, bytes };
}
