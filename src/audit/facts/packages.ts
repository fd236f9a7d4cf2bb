// Installed packages and the files they own: dpkg's database is plain files (status, info/*.list);
// rpm's is not, so on rpm systems `rpm -qa` / `rpm -qf` are run (argv only, running system only).
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { yieldNow, type FactContext } from './context.js';
import type { PackageFacts } from './types.js';

/** Parses /var/lib/dpkg/status: the packages whose Status is "install ok installed". */
export function parseDpkgStatus(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const stanza of text.split(/\n\s*\n/)) {
    let name: string | undefined;
    let version = '';
    let installed = false;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('Package: ')) name = line.slice(9).trim();
      else if (line.startsWith('Version: ')) version = line.slice(9).trim();
      else if (line.startsWith('Status: ')) installed = / installed$/.test(line.trim());
    }
    if (name && installed) out.set(name, version);
  }
  return out;
}

export async function readPackages(ctx: FactContext): Promise<PackageFacts> {
  const status = await ctx.readOptional('/var/lib/dpkg/status');
  if (status !== undefined) return { manager: 'dpkg', installed: parseDpkgStatus(status) };
  if (ctx.has('rpm')) {
    const r = await ctx.command('rpm', ['-qa', '--qf', '%{NAME} %{VERSION}\\n']);
    if (r.code !== 0) throw new Error(`rpm -qa exited ${r.code}`);
    const installed = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const [name, version] = line.trim().split(' ');
      if (name) installed.set(name, version ?? '');
    }
    return { manager: 'rpm', installed };
  }
  return { manager: 'none', installed: new Map() };
}

/**
 * With the /usr merge, /bin, /sbin and /lib* are links into /usr: a package may list /bin/su while
 * the file is found as /usr/bin/su (or the other way round). The names a path may be listed under.
 */
export function usrMergeAliases(path: string): string[] {
  const m = /^\/usr(\/(?:bin|sbin|lib[^/]*)\/.*)$/.exec(path);
  if (m) return [path, m[1]];
  const n = /^(\/(?:bin|sbin|lib[^/]*)\/.*)$/.exec(path);
  if (n) return [path, `/usr${n[1]}`];
  return [path];
}

/**
 * Which of `paths` (host paths) no package owns: dpkg's info/*.list files are read and matched
 * against the candidates only (a few dozen SUID programs, not the 100k files packages own).
 * Undefined when there is no package database to ask.
 */
export async function unownedPaths(ctx: FactContext, manager: PackageFacts['manager'], paths: string[]): Promise<string[] | undefined> {
  if (paths.length === 0) return [];
  if (manager === 'dpkg') {
    // Each .list holds one path per line. Searched as bytes (memmem), never decoded into strings:
    // the lists are ~30 MB on a desktop-sized system, which as strings would grow the exporter's
    // heap for the hour until the next audit. Read synchronously, a turn of the event loop every few files.
    const needles = new Map(
      paths.map((p) => [p, usrMergeAliases(p).map((a) => ({ inner: Buffer.from(`\n${a}\n`), first: Buffer.from(`${a}\n`) }))]),
    );
    const dir = ctx.file('/var/lib/dpkg/info');
    const lists = (await readdir(dir)).filter((f) => f.endsWith('.list'));
    for (let i = 0; i < lists.length && needles.size > 0; i++) {
      if (i % 64 === 63) await yieldNow();
      const bytes = readFileSync(`${dir}/${lists[i]}`);
      for (const [p, aliases] of needles) {
        if (aliases.some((a) => bytes.indexOf(a.inner) >= 0 || bytes.subarray(0, a.first.length).equals(a.first))) needles.delete(p);
      }
    }
    return paths.filter((p) => needles.has(p));
  }
  if (manager === 'rpm' && ctx.has('rpm')) {
    // rpm -qf exits non-zero when some file is not owned; its output says which.
    const r = await ctx.command('rpm', ['-qf', '--', ...paths]);
    const unowned = new Set<string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^file (.+) is not owned by any package$/.exec(line.trim());
      if (m) unowned.add(m[1]);
    }
    return paths.filter((p) => unowned.has(p));
  }
  return undefined;
}

/** Compares Debian-style version strings well enough for kernel and OpenSSH versions ("6.1.0-18", "9.2p1"). */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  const pb = b
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
