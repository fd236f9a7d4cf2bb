// /proc/diskstats (Documentation/admin-guide/iostats.rst): "major minor name" followed by
//   11 fields (kernels < 4.18): reads, reads merged, sectors read, ms reading, writes, writes merged,
//      sectors written, ms writing, I/Os in progress, ms doing I/O, weighted ms doing I/O;
//   + 4 discard fields (4.18+): discards, discards merged, sectors discarded, ms discarding;
//   + 2 flush fields (5.5+): flush requests, ms flushing.
// Sectors are always 512 bytes here, whatever the device's sector size. Lines with fewer fields
// (the 4-field partition lines of 2.6 kernels) are skipped.
import { fields, lines } from '../hostfs.js';

export const SECTOR_BYTES = 512;

export interface DiskStats {
  device: string;
  readsCompleted: number;
  readsMerged: number;
  readBytes: number;
  readSeconds: number;
  writesCompleted: number;
  writesMerged: number;
  writtenBytes: number;
  writeSeconds: number;
  ioNow: number;
  ioSeconds: number;
  ioWeightedSeconds: number;
  discards?: { completed: number; merged: number; bytes: number; seconds: number };
  flushes?: { completed: number; seconds: number };
}

export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of lines(text)) {
    const f = fields(line);
    if (f.length < 14) continue;
    const n = f.slice(3, 20).map(Number);
    if (n.some((x) => !Number.isFinite(x))) continue;
    const d: DiskStats = {
      device: f[2],
      readsCompleted: n[0],
      readsMerged: n[1],
      readBytes: n[2] * SECTOR_BYTES,
      readSeconds: n[3] / 1000,
      writesCompleted: n[4],
      writesMerged: n[5],
      writtenBytes: n[6] * SECTOR_BYTES,
      writeSeconds: n[7] / 1000,
      ioNow: n[8],
      ioSeconds: n[9] / 1000,
      ioWeightedSeconds: n[10] / 1000,
    };
    if (n.length >= 15) d.discards = { completed: n[11], merged: n[12], bytes: n[13] * SECTOR_BYTES, seconds: n[14] / 1000 };
    if (n.length >= 17) d.flushes = { completed: n[15], seconds: n[16] / 1000 };
    out.push(d);
  }
  return out;
}
