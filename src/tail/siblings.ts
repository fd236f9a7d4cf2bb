// logrotate's names beside a followed file, and their order: the rotation chain. For access.log:
//   access.log.1, access.log.2.gz, ...                  (default: higher number, older file)
//   access.log-20250101, access.log-20250102.gz, ...    (dateext: later date, newer file; also
//   access.log-2025010112, access.log-20250101-1735689600, access.log.2025-01-01 and the like)
// Compressed members are .gz only (what logrotate's default compresscmd writes; zlib reads it).
// Rotated files are found here after a restart, the files rotated between two looks, and
// logrotate's copy of a file truncated by copytruncate.
import { readdir } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { identityKey } from './identity.js';
import { problemOf, type FileGuard, type FileProblem } from './guard.js';

export interface Sibling {
  name: string;
  full: string;
  st: BigIntStats;
  link: boolean;
  /** .gz: read through zlib. */
  gz: boolean;
  /** Position in the rotation chain; undefined for a name that extends the file's but is no rotation. */
  order?: ChainOrder;
}

/** `index`: access.log.N (higher is older); `date`: dateext, compared part by part (higher is newer). */
export type ChainOrder = { scheme: 'index'; n: number } | { scheme: 'date'; parts: number[] };

const INDEX = /^\.(\d{1,5})$/;
// A date first (year, month, day, with or without separators), then optional numbers (hour, %s, -N).
const DATE = /^[-._]((?:19|2\d)\d\d)[-._]?(0[1-9]|1[0-2])[-._]?(0[1-9]|[12]\d|3[01])((?:[-._]?\d+)*)$/;
const OTHER_COMPRESSED = /\.(tgz|bz2|xz|lz4|lzma|lz|zst|zip|7z|Z)$/;

/** Where `name` stands in the rotation chain of `base`, or undefined when it is not a rotated name. */
export function chainOrder(base: string, name: string): { order?: ChainOrder; gz: boolean } | undefined {
  if (name === base || !name.startsWith(base) || OTHER_COMPRESSED.test(name)) return undefined;
  const gz = name.endsWith('.gz');
  const suffix = name.slice(base.length, gz ? -3 : undefined);
  const i = INDEX.exec(suffix);
  if (i) return { order: { scheme: 'index', n: Number(i[1]) }, gz };
  const d = DATE.exec(suffix);
  if (d) return { order: { scheme: 'date', parts: [Number(d[1] + d[2] + d[3]), ...(d[4].match(/\d+/g) ?? []).map(Number)] }, gz };
  return { gz };
}

/**
 * Every file of the same directory whose name extends the base name of `of`, as one listing saw
 * them; `problem` when the directory cannot be listed. `torn`: the listing cannot be trusted,
 * because a listed name was gone when looked at or two names showed the same file. The names are
 * listed, then looked at one by one while logrotate may be shifting them (.1 -> .2 ...): such a
 * listing can miss a file altogether (renamed from a name not yet looked at to one already looked
 * at), and a chain built on it would misplace the files it has.
 */
export async function listSiblings(of: string, guard: FileGuard): Promise<{ siblings: Sibling[]; problem?: FileProblem; torn?: boolean }> {
  const dir = path.dirname(of);
  const base = path.basename(of);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    return { siblings: [], problem: problemOf(err) };
  }
  const siblings: Sibling[] = [];
  const keys = new Set<string>();
  let torn = false;
  for (const name of names) {
    const pos = chainOrder(base, name);
    if (!pos) continue;
    const full = path.join(dir, name);
    const seen = await guard.inspect(full);
    if ('problem' in seen) {
      if (seen.problem === 'gone') torn = true; // renamed or deleted since the listing
      continue; // refused link, not a file: no member
    }
    const key = identityKey(seen.st);
    if (keys.has(key)) torn = true;
    keys.add(key);
    siblings.push({ name, full, st: seen.st, link: seen.link, gz: pos.gz, order: pos.order });
  }
  return torn ? { siblings, torn } : { siblings };
}

const compare = (a: ChainOrder, b: ChainOrder): number => {
  if (a.scheme === 'index' && b.scheme === 'index') return b.n - a.n;
  const pa = a.scheme === 'date' ? a.parts : [];
  const pb = b.scheme === 'date' ? b.parts : [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
};

/**
 * The rotated members, oldest first. Each scheme is ordered by its names (mtimes are not trusted
 * within one: a compressor may not keep them); should both be present (the configuration was
 * changed), the two orders are merged by modification time, which follows the order the files
 * were written in.
 */
export function rotationChain(siblings: readonly Sibling[]): Sibling[] {
  const groups = new Map<string, Sibling[]>();
  for (const s of siblings) {
    if (!s.order) continue;
    const g = groups.get(s.order.scheme) ?? [];
    g.push(s);
    groups.set(s.order.scheme, g);
  }
  const queues = [...groups.values()].map((g) => g.sort((a, b) => compare(a.order!, b.order!)));
  const out: Sibling[] = [];
  while (queues.some((q) => q.length > 0)) {
    let next: Sibling[] | undefined;
    for (const q of queues) if (q.length > 0 && (!next || q[0].st.mtimeNs < next[0].st.mtimeNs)) next = q;
    out.push(next!.shift()!);
  }
  return out;
}

/**
 * Whether a listing of `base`'s chain (`first`) can be taken as whole: only when it was not torn
 * and a second one agrees with it. Names are listed, then looked at one by one while logrotate may
 * shift them: a file renamed from a name not listed yet (.1 -> .2, its old name then taken by the
 * next file) is missing from a listing that looks whole.
 */
export async function listingHolds(base: string, guard: FileGuard, first: Sibling[], torn: boolean | undefined): Promise<boolean> {
  if (torn) return false;
  const again = await listSiblings(base, guard);
  if (again.torn || again.problem) return false;
  const names = (l: Sibling[]) =>
    l
      .map((s) => `${s.name}:${identityKey(s.st)}`)
      .sort()
      .join('/');
  return names(again.siblings) === names(first);
}
