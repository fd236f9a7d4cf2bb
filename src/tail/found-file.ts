// A file newly found at a followed path, opened and made a TrackedFile: where its reading starts.
// A file we let go of (or lost track of) that is back under a followed name resumes where it was;
// on the first start with start_position "end" a file is read from its end, at the next line.
import type { FileHandle } from 'node:fs/promises';
import type { Found } from './discovery.js';
import { matchesDigest, readHead } from './identity.js';
import type { TrackedFile, TrackedFiles } from './tracked.js';

export async function foundFile(fh: FileHandle, at: Found, fromEnd: boolean, files: TrackedFiles, now: number): Promise<TrackedFile> {
  const st = await fh.stat({ bigint: true });
  const size = Number(st.size);
  const fp = await readHead(fh, size);
  const key = `${st.dev}:${st.ino}`;
  let offset = 0;
  let skipping = false;
  let verifyCopy = !fromEnd;
  const back = files.knownFile(key);
  if (back && !back.copy && size >= back.offset && matchesDigest(fp, back)) {
    ({ offset, skipping } = back);
    verifyCopy = false;
  } else if (fromEnd && size > 0) {
    offset = size;
    // Starting in the middle of a line: skip to the next newline rather than count half a line.
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    skipping = last[0] !== 10;
  }
  return {
    key,
    path: at.path,
    fh,
    fp,
    offset,
    carry: null,
    skipping,
    size,
    mtimeNs: st.mtimeNs,
    rotatedAt: null,
    lastGrowthAt: now,
    verifyCopy,
    copy: false,
    gz: false,
    newlyFound: offset === 0,
  };
}
