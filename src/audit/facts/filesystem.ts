// Filesystem facts: the mount table, special permission bits found by one walk of the configured
// directories (world-writable entries, SUID/SGID programs and whether a package owns them), and the
// modes of the files holding secrets (/etc/shadow, /etc/gshadow, the SSH host keys).
import { readdir, stat } from 'node:fs/promises';
import { readOptional, type FactContext } from './context.js';
import { unownedPaths } from './packages.js';
import { walkTree, type WalkBudget } from './walk.js';
import { cachedFact } from './cache.js';
import type { Freshness, MountEntry, SpecialModeFacts, FileMode, SecretFileFacts } from './types.js';

/** "\040" and friends: the octal escapes of the kernel's mount tables. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** /proc/<pid>/mountinfo (proc(5)). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const a = line.slice(0, sep).split(' ');
    const b = line.slice(sep + 3).split(' ');
    if (a.length < 6 || b.length < 2) continue;
    out.push({
      device: a[2],
      root: unescape(a[3]),
      mountpoint: unescape(a[4]),
      options: a[5].split(','),
      fstype: b[0],
      source: unescape(b[1]),
    });
  }
  return out;
}

export async function readMounts(ctx: FactContext): Promise<MountEntry[]> {
  // PID 1's table is the host's when /proc is the host's (the exporter may run in a container).
  const text = (await readOptional(ctx.proc('1/mountinfo')).catch(() => undefined)) ?? (await readOptional(ctx.proc('self/mountinfo')));
  if (text === undefined) throw new Error(`cannot read ${ctx.proc('1/mountinfo')}`);
  return parseMountinfo(text);
}

/** The mount a path is on: the last mounted entry whose mountpoint contains it. */
export function mountOf(mounts: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountpoint;
    if (path === mp || mp === '/' || path.startsWith(mp + '/')) {
      if (!best || mp.length >= best.mountpoint.length) best = m;
    }
  }
  return best;
}

export const MAX_LISTED = 50;

const under = (roots: readonly string[], p: string) => roots.some((r) => p === r || r === '/' || p.startsWith(r + '/'));

/** The directories to walk: both lists together, without those inside another one. */
export function walkRoots(lists: readonly (readonly string[])[]): string[] {
  const all = [...new Set(lists.flat().map((p) => p.replace(/\/+$/, '') || '/'))].sort();
  return all.filter((p) => !all.some((q) => q !== p && under([q], p)));
}

/** The search itself: one walk of both lists of directories, then the package database for SUID files. */
async function searchSpecialModes(ctx: FactContext): Promise<Omit<SpecialModeFacts, keyof Freshness>> {
  const { world_writable_paths: wwRoots, suid_paths: suidRoots, max_files } = ctx.config;
  const budget: WalkBudget = { left: max_files, truncated: false };
  const worldWritable: SpecialModeFacts['worldWritable'] = [];
  let worldWritableCount = 0;
  const setid: SpecialModeFacts['setid'] = [];
  // Roots that are links (/bin -> usr/bin) are not followed: their target is walked as itself.
  for (const root of walkRoots([wwRoots, suidRoots])) {
    await walkTree(
      ctx.file(root),
      budget,
      (real, st) => {
        if (st.mode & 0o002) {
          const path = ctx.hostPath(real);
          if (under(wwRoots, path)) {
            worldWritableCount++;
            if (worldWritable.length < MAX_LISTED) worldWritable.push({ path, dir: st.isDirectory(), sticky: (st.mode & 0o1000) !== 0 });
          }
        }
        if (st.mode & 0o6000 && st.isFile()) {
          const path = ctx.hostPath(real);
          if (under(suidRoots, path)) setid.push({ path, mode: st.mode & 0o7777, uid: st.uid });
        }
      },
      ctx.signal,
    );
  }
  const packages = await ctx.get('packages');
  const unowned = await unownedPaths(
    ctx,
    packages.manager,
    setid.map((s) => s.path),
  );
  return {
    worldWritable,
    worldWritableCount,
    setid,
    unowned,
    packageManager: packages.manager,
    truncated: budget.truncated,
    examined: max_files - budget.left,
  };
}

/** The search, or its result from the state directory when recent (cache.ts): a stat per file is the audit's main cost. */
export async function readSpecialModes(ctx: FactContext): Promise<SpecialModeFacts> {
  const c = ctx.config;
  const key = JSON.stringify([ctx.paths.rootfs, c.world_writable_paths, c.suid_paths, c.max_files]);
  const r = await cachedFact(ctx, 'special-modes', key, () => searchSpecialModes(ctx));
  return { ...r.value, checkedAt: r.checkedAt, cached: r.cached, ageMs: r.ageMs };
}

async function modeOf(ctx: FactContext, hostPath: string): Promise<FileMode | undefined> {
  try {
    const st = await stat(ctx.file(hostPath));
    return { path: hostPath, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function readSecretFiles(ctx: FactContext): Promise<SecretFileFacts> {
  const keys = (await readdir(ctx.file('/etc/ssh')).catch(() => [] as string[])).filter((n) => /^ssh_host_.*_key$/.test(n)).sort();
  const [shadow, gshadow, ...hostKeys] = await Promise.all([
    modeOf(ctx, '/etc/shadow'),
    modeOf(ctx, '/etc/gshadow'),
    ...keys.map((k) => modeOf(ctx, `/etc/ssh/${k}`)),
  ]);
  return { shadow, gshadow, hostKeys: hostKeys.filter((k): k is FileMode => k !== undefined) };
}
