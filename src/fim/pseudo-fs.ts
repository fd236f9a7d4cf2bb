// Mount points of kernel pseudo file systems (/proc, /sys, cgroups...), which a scan never enters:
// their "files" are live kernel state, change all the time, and some block or are huge when read.
import { readFile } from 'node:fs/promises';

const PSEUDO_FS_TYPES = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'securityfs',
  'debugfs',
  'tracefs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'efivarfs',
  'nsfs',
  'rpc_pipefs',
  'selinuxfs',
]);

/** Parses /proc/self/mountinfo text into the set of pseudo file-system mount points. */
export function parsePseudoMounts(mountinfo: string): Set<string> {
  const out = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fields = line.slice(0, sep).split(' ');
    const fstype = line.slice(sep + 3).split(' ')[0];
    if (fields.length < 5 || !PSEUDO_FS_TYPES.has(fstype)) continue;
    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    out.add(fields[4].replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

export async function readPseudoMounts(file = '/proc/self/mountinfo'): Promise<Set<string>> {
  try {
    return parsePseudoMounts(await readFile(file, 'utf8'));
  } catch {
    // Not Linux, or no /proc: fall back to the usual places.
    return new Set(['/proc', '/sys', '/dev']);
  }
}

/** Whether `abs` is on one of the pseudo mounts (the mount point itself or below it). */
export function onPseudoMount(abs: string, mounts: ReadonlySet<string>): boolean {
  for (const m of mounts) if (abs === m || abs.startsWith(m.endsWith('/') ? m : m + '/')) return true;
  return false;
}
