// /proc/sys/fs/file-nr: "allocated unused maximum" file handles. Since 2.6 "unused" is always 0 and
// allocated is the number in use.
import { fields } from '../hostfs.js';

export interface FileFd {
  allocated: number;
  maximum: number;
}

export function parseFileNr(text: string): FileFd {
  const f = fields(text);
  const allocated = Number(f[0]);
  const maximum = Number(f[2]);
  if (f.length < 3 || !Number.isFinite(allocated) || !Number.isFinite(maximum)) {
    throw new Error(`unexpected file-nr: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { allocated, maximum };
}
