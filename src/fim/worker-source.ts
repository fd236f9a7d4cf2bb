// The code of the FIM worker threads, kept as a string and started with `eval: true` so that the
// same code runs from the TypeScript sources (tests, tsx) and from dist/ without a build step of
// its own. Node's SHA-256 runs synchronously on the calling thread, so hashing on the main thread
// would both use one core only and stall scrapes; the workers do all the blocking file-system
// work (directory listing, lstat, reading and hashing) with synchronous calls, which is the
// fastest way to do it off the main thread.
//
// Messages: {id, op: 'walk', dirs: [[abs, rel]], follow, descend, exclude: [regex source], pseudo: [abs], budget}
//             -> {id, results: [{abs, rel, names, stats: Float64Array(n*STAT_FIELDS), targets, dirError}], pending: [[abs, rel]]}
//           {id, op: 'hash', files, follow} -> {id, hashes, stats: Float64Array(n*HASH_FIELDS), errors, bytes}
// A walk lists its directories and, with `descend`, goes on into their subdirectories (skipping
// excluded ones and pseudo file systems) until it has listed `budget` entries: one message then
// carries many small directories, and what is left over comes back as `pending` for the main
// thread to spread over the pool. Messages, not syscalls, are the cost of an unchanged rescan.
// Error codes: 0 none, 1 vanished, 2 permission, 3 io, 4 not a regular file any more.

/** Per entry of a listing: mode, uid, gid, size, mtimeMs, ctimeMs, ino, dev, error code. */
export const STAT_FIELDS = 9;
/** Per hashed file: size, mtimeMs, ctimeMs, ino (from fstat of the descriptor that was read). */
export const HASH_FIELDS = 4;
export const ERR_CODES = ['', 'vanished', 'permission', 'io', 'notfile'] as const;

export const WORKER_SOURCE = `
'use strict';
const fs = require('node:fs');
const crypto = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const CHUNK = workerData.chunkSize;
const buf = Buffer.allocUnsafe(CHUNK);
const O_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

function code(err) {
  switch (err && err.code) {
    case 'ENOENT': case 'ENOTDIR': return 1;
    case 'EACCES': case 'EPERM': return 2;
    default: return 3;
  }
}

function list(dir, rel, follow) {
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    return { abs: dir, rel, dirError: code(err), names: [], stats: new Float64Array(0), targets: [] };
  }
  const stats = new Float64Array(names.length * ${STAT_FIELDS});
  const targets = new Array(names.length).fill(null);
  const sep = dir.endsWith('/') ? '' : '/';
  for (let i = 0; i < names.length; i++) {
    const p = dir + sep + names[i];
    const o = i * ${STAT_FIELDS};
    let st;
    try {
      st = fs.lstatSync(p);
      if (follow && st.isSymbolicLink()) {
        // A dangling or looping link is recorded as the link itself.
        try { st = fs.statSync(p); } catch {}
      }
      if (st.isSymbolicLink()) targets[i] = fs.readlinkSync(p);
    } catch (err) {
      stats[o + 8] = code(err);
      continue;
    }
    stats[o] = st.mode; stats[o + 1] = st.uid; stats[o + 2] = st.gid; stats[o + 3] = st.size;
    stats[o + 4] = st.mtimeMs; stats[o + 5] = st.ctimeMs; stats[o + 6] = st.ino; stats[o + 7] = st.dev;
  }
  return { abs: dir, rel, dirError: 0, names, stats, targets };
}

function walk(msg) {
  const exclude = msg.exclude.map((src) => new RegExp(src));
  const pseudo = new Set(msg.pseudo);
  const stack = msg.dirs.slice();
  const results = [];
  let listed = 0;
  while (stack.length > 0 && (results.length === 0 || listed < msg.budget)) {
    const [abs, rel] = stack.pop();
    const r = list(abs, rel, msg.follow);
    results.push(r);
    listed += r.names.length;
    if (!msg.descend) continue;
    const sep = abs.endsWith('/') ? '' : '/';
    for (let i = 0; i < r.names.length; i++) {
      const o = i * ${STAT_FIELDS};
      if (r.stats[o + 8] !== 0 || (r.stats[o] & 0o170000) !== 0o040000) continue;
      const childRel = rel ? rel + '/' + r.names[i] : r.names[i];
      const childAbs = abs + sep + r.names[i];
      if (pseudo.has(childAbs) || exclude.some((re) => re.test(childRel))) continue;
      stack.push([childAbs, childRel]);
    }
  }
  return { id: msg.id, results, pending: stack };
}

function hash(msg) {
  const n = msg.files.length;
  const hashes = new Array(n).fill(null);
  const errors = new Array(n).fill(0);
  const stats = new Float64Array(n * ${HASH_FIELDS});
  let bytes = 0;
  const flags = msg.follow ? O_FLAGS : O_FLAGS | fs.constants.O_NOFOLLOW;
  for (let i = 0; i < n; i++) {
    let fd = -1;
    try {
      // O_NONBLOCK: a file swapped for a FIFO between listing and hashing must not hang the worker.
      fd = fs.openSync(msg.files[i], flags);
      const st = fs.fstatSync(fd);
      if (!st.isFile()) { errors[i] = 4; continue; }
      const h = crypto.createHash('sha256');
      for (;;) {
        const r = fs.readSync(fd, buf, 0, CHUNK, null);
        if (r === 0) break;
        h.update(r === CHUNK ? buf : buf.subarray(0, r));
        bytes += r;
      }
      hashes[i] = h.digest('hex');
      const o = i * ${HASH_FIELDS};
      stats[o] = st.size; stats[o + 1] = st.mtimeMs; stats[o + 2] = st.ctimeMs; stats[o + 3] = st.ino;
    } catch (err) {
      errors[i] = err && err.code === 'ELOOP' ? 4 : code(err);
    } finally {
      if (fd >= 0) fs.closeSync(fd);
    }
  }
  return { id: msg.id, hashes, errors, stats, bytes };
}

parentPort.on('message', (msg) => {
  if (msg.op === 'walk') {
    const res = walk(msg);
    parentPort.postMessage(res, res.results.map((r) => r.stats.buffer));
  } else {
    const res = hash(msg);
    parentPort.postMessage(res, [res.stats.buffer]);
  }
});
`;
