// Encryption of data at rest: whether each disk filesystem and each swap area sits on dm-crypt
// (LUKS or plain). A block device is encrypted when it is a dm-crypt device (its dm/uuid starts
// with "CRYPT-") or when every device under it is (LVM or RAID on top of LUKS), following the
// slaves/ links of /sys. Data in transit: certificates (certs.ts) and plain-text services (the
// listeners), evaluated by the checks.
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readOptional, type FactContext } from './context.js';
import type { MountEntry, FilesystemEncryption, SwapEncryption, EncryptionFacts } from './types.js';

/** Read-only images (snaps, live media) hold nothing written on the host. */
const IMAGE_FS = new Set(['squashfs', 'iso9660', 'erofs', 'udf']);
const LOOP_MAJOR = '7';

/** Whether the block device whose /sys directory is `dir` is dm-crypt or stacked only on dm-crypt. */
async function encryptedDevice(ctx: FactContext, dir: string, depth = 0): Promise<boolean> {
  const uuid = await readOptional(`${dir}/dm/uuid`).catch(() => undefined);
  if (uuid?.startsWith('CRYPT-')) return true;
  const slaves = await readdir(`${dir}/slaves`).catch(() => [] as string[]);
  if (slaves.length === 0 || depth > 8) return false;
  const under = await Promise.all(slaves.map(async (s) => encryptedDevice(ctx, await realpath(ctx.sys(`class/block/${s}`)), depth + 1)));
  return under.every(Boolean);
}

/** The /sys directory of a block device by "major:minor", when it is one. */
async function blockDir(ctx: FactContext, device: string): Promise<string | undefined> {
  return realpath(ctx.sys(`dev/block/${device}`)).catch(() => undefined);
}

/**
 * The filesystems on block devices, one entry per device (bind mounts of it left out: the mount of
 * its root, else the shortest mountpoint), without /boot (firmware must read it) and read-only images.
 */
export function diskMounts(mounts: readonly MountEntry[]): MountEntry[] {
  const byDevice = new Map<string, MountEntry>();
  for (const m of mounts) {
    if (IMAGE_FS.has(m.fstype) || m.device.startsWith(`${LOOP_MAJOR}:`) || m.device.startsWith('0:')) continue;
    if (m.mountpoint === '/boot' || m.mountpoint.startsWith('/boot/')) continue;
    const prev = byDevice.get(m.device);
    const better = !prev || (m.root === '/' && prev.root !== '/') || (m.root === prev.root && m.mountpoint.length < prev.mountpoint.length);
    if (better) byDevice.set(m.device, m);
  }
  return [...byDevice.values()];
}

/** /proc/swaps: "Filename Type Size Used Priority". */
export function parseSwaps(text: string): { name: string; type: string }[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 2 && f[0] !== '')
    .map((f) => ({ name: f[0].replace(/\\040/g, ' '), type: f[1] }));
}

/** Linux's dev_t encoding in st_dev → "major:minor". */
export function devString(dev: number): string {
  return `${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00)}`;
}

async function swapEncryption(
  ctx: FactContext,
  s: { name: string; type: string },
  mounts: readonly MountEntry[],
  dmNames: Map<string, string>,
): Promise<SwapEncryption> {
  if (s.type === 'file') {
    const st = await stat(ctx.file(s.name)).catch(() => undefined);
    const dir = st ? await blockDir(ctx, devString(st.dev)) : undefined;
    const onMount = st ? mounts.find((m) => m.device === devString(st.dev)) : undefined;
    return { name: s.name, kind: 'file', encrypted: dir ? await encryptedDevice(ctx, dir) : onMount ? false : undefined };
  }
  const base = basename(s.name);
  if (/^zram\d+$/.test(base)) return { name: s.name, kind: 'memory', encrypted: true };
  const kernelName = s.name.startsWith('/dev/mapper/') ? dmNames.get(base) : base;
  const dir = kernelName ? await realpath(ctx.sys(`class/block/${kernelName}`)).catch(() => undefined) : undefined;
  return { name: s.name, kind: 'partition', encrypted: dir ? await encryptedDevice(ctx, dir) : undefined };
}

/** Device-mapper names (/dev/mapper/<name>) → kernel names (dm-N). */
async function deviceMapperNames(ctx: FactContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const names = (await readdir(ctx.sys('block')).catch(() => [] as string[])).filter((n) => n.startsWith('dm-'));
  await Promise.all(
    names.map(async (n) => {
      const name = (await readOptional(ctx.sys(`block/${n}/dm/name`)).catch(() => undefined))?.trim();
      if (name) out.set(name, n);
    }),
  );
  return out;
}

export async function readEncryption(ctx: FactContext): Promise<EncryptionFacts> {
  const mounts = await ctx.get('mounts');
  const filesystems: FilesystemEncryption[] = [];
  for (const m of diskMounts(mounts)) {
    const dir = await blockDir(ctx, m.device);
    if (!dir) continue; // not a block device: network, fuse, zfs datasets
    filesystems.push({ mountpoint: m.mountpoint, device: basename(dir), fstype: m.fstype, encrypted: await encryptedDevice(ctx, dir) });
  }
  const swapsText = await readOptional(ctx.proc('swaps'));
  const dmNames = await deviceMapperNames(ctx);
  const swap = await Promise.all(parseSwaps(swapsText ?? '').map((s) => swapEncryption(ctx, s, mounts, dmNames)));
  return { filesystems, swap };
}
