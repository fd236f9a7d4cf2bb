// Mount table parsing (/proc/1/mounts, fstab format: "device mountpoint fstype options 0 0", with
// space, tab, newline and backslash escaped as \040 \011 \012 \134) and the choice of mounts to
// statfs.
import { fields, lines } from '../hostfs.js';

export interface Mount {
  device: string;
  mountPoint: string;
  fsType: string;
  readonly: boolean;
}

const OCTAL_ESCAPE = /\\([0-7]{3})/g;

export function unescapeMountField(s: string): string {
  return s.includes('\\') ? s.replace(OCTAL_ESCAPE, (_m, o: string) => String.fromCharCode(parseInt(o, 8))) : s;
}

export function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of lines(text)) {
    const f = fields(line);
    if (f.length < 4) continue;
    out.push({
      device: unescapeMountField(f[0]),
      mountPoint: unescapeMountField(f[1]),
      fsType: f[2],
      readonly: f[3].split(',').includes('ro'),
    });
  }
  return out;
}

/**
 * The mounts to report: excluded mount points and filesystem types dropped, then one entry per
 * mount point (the last mount on a path hides the earlier ones, so the last wins) and one per
 * block device (a bind mount repeats its device: the first, original, mount is kept, so the
 * filesystem is not counted twice by sum()).
 */
export function selectMounts(mounts: readonly Mount[], excludeMountPoints: RegExp, excludeFsTypes: RegExp, max: number): Mount[] {
  const byMountPoint = new Map<string, Mount>();
  for (const m of mounts) {
    if (excludeMountPoints.test(m.mountPoint) || excludeFsTypes.test(m.fsType)) continue;
    byMountPoint.delete(m.mountPoint); // re-insert so the order follows the last mount
    byMountPoint.set(m.mountPoint, m);
  }
  const seenDevices = new Set<string>();
  const out: Mount[] = [];
  for (const m of byMountPoint.values()) {
    if (m.device.startsWith('/')) {
      if (seenDevices.has(m.device)) continue;
      seenDevices.add(m.device);
    }
    out.push(m);
    if (out.length >= max) break;
  }
  return out;
}
