// From the merged hosts to the few numbers that are exported: hosts per (source, os, version), sorted
// first-seen and last-seen times per source (so that age buckets and staleness follow the clock at scrape
// time with two binary searches, not a pass over a million hosts), and the fingerprints needed to compare
// the inventory with what Prometheus scrapes. `source` is each configured source, and "all" for the
// de-duplicated fleet: never sum over `source`.
import type { MergedHosts, MergeCounts } from './merge.js';
import { OTHER } from './os-table.js';

export const ALL = 'all';
export const AGE_BUCKETS = [
  { label: '<7d', days: 7 },
  { label: '<30d', days: 30 },
  { label: '<90d', days: 90 },
] as const;

export interface SourceView {
  source: string;
  hosts: number;
  /** Host counts by OS id and version, capped to max_os_values pairs (the rest is __other__). */
  os: { os: string; version: string; hosts: number }[];
  /** Known first/last seen times, ascending; hosts without one are counted apart. */
  firstSeen: Uint32Array;
  lastSeen: Uint32Array;
  firstSeenUnknown: number;
  lastSeenUnknown: number;
}

export interface FleetView {
  views: SourceView[];
  counts: MergeCounts;
  /** Per host: reporting sources (bit per source), short-name, domain and first-IP fingerprints. */
  present: Uint8Array;
  nameHash: Uint32Array;
  domainHash: Uint32Array;
  ipHash: Uint32Array;
  sources: string[];
}

/** Builds the exported view; `maxOs` caps the (os, version) pairs per the whole fleet. */
export function aggregate(m: MergedHosts, maxOs: number): FleetView {
  const S = m.sources.length;
  const pairs = m.osTable.size;
  // counts[s][pair], s = S for the fleet.
  const counts = Array.from({ length: S + 1 }, () => new Float64Array(pairs));
  // A source's own columns become its sorted arrays (compacted in place: the host order is not needed
  // any more); only the fleet's are new.
  const first = [...m.first, new Uint32Array(m.count)];
  const last = [...m.last, new Uint32Array(m.count)];
  const nFirst = new Array<number>(S + 1).fill(0);
  const nLast = new Array<number>(S + 1).fill(0);
  const hosts = new Array<number>(S + 1).fill(0);
  for (let h = 0; h < m.count; h++) {
    const mask = m.present[h];
    let fFirst = 0;
    let fLast = 0;
    let fOs = -1;
    for (let s = 0; s < S; s++) {
      if ((mask & (1 << s)) === 0) continue;
      hosts[s]++;
      const a = m.first[s][h];
      const b = m.last[s][h];
      const os = m.os[s][h];
      counts[s][os]++;
      // Compaction writes at or before h: the values of later hosts are still unread.
      if (a !== 0) first[s][nFirst[s]++] = a;
      if (b !== 0) last[s][nLast[s]++] = b;
      if (a !== 0 && (fFirst === 0 || a < fFirst)) fFirst = a;
      if (fOs < 0 || b > fLast) fOs = os;
      if (b > fLast) fLast = b;
    }
    hosts[S]++;
    counts[S][fOs]++;
    if (fFirst !== 0) first[S][nFirst[S]++] = fFirst;
    if (fLast !== 0) last[S][nLast[S]++] = fLast;
  }

  // The label values kept: the maxOs most frequent pairs of the fleet (__other__ itself excluded).
  const order = [...Array(pairs).keys()].filter((i) => i !== 0 && counts[S][i] > 0).sort((a, b) => counts[S][b] - counts[S][a]);
  const kept = new Set(order.slice(0, maxOs));
  const views: SourceView[] = [];
  for (let s = 0; s <= S; s++) {
    const rows = new Map<number, number>();
    for (let i = 0; i < pairs; i++) {
      if (counts[s][i] === 0) continue;
      const key = kept.has(i) ? i : 0;
      rows.set(key, (rows.get(key) ?? 0) + counts[s][i]);
    }
    const f = first[s].subarray(0, nFirst[s]).sort();
    const l = last[s].subarray(0, nLast[s]).sort();
    views.push({
      source: s === S ? ALL : m.sources[s],
      hosts: hosts[s],
      os: [...rows].map(([i, n]) => ({ os: i === 0 ? OTHER : m.osTable.os[i], version: i === 0 ? OTHER : m.osTable.version[i], hosts: n })),
      firstSeen: f,
      lastSeen: l,
      firstSeenUnknown: hosts[s] - nFirst[s],
      lastSeenUnknown: hosts[s] - nLast[s],
    });
  }
  return {
    views,
    counts: m.counts,
    present: m.present,
    nameHash: m.nameHash,
    domainHash: m.domainHash,
    ipHash: m.ipHash,
    sources: m.sources,
  };
}

/** Number of values in the ascending array that are < x. */
function below(sorted: Uint32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Hosts by first-seen age at `nowSeconds`: exclusive buckets <7d, <30d, <90d, older, unknown. */
export function ageBuckets(v: SourceView, nowSeconds: number): { bucket: string; hosts: number }[] {
  const out: { bucket: string; hosts: number }[] = [];
  // `prev`: hosts first seen before the previous bucket's bound, i.e. not in a younger bucket.
  let prev = v.firstSeen.length;
  for (const b of AGE_BUCKETS) {
    const older = below(v.firstSeen, nowSeconds - b.days * 86400);
    out.push({ bucket: b.label, hosts: prev - older });
    prev = older;
  }
  out.push({ bucket: 'older', hosts: prev });
  out.push({ bucket: 'unknown', hosts: v.firstSeenUnknown });
  return out;
}

/** Hosts not seen for more than `staleSeconds` at `nowSeconds`, those never seen included. */
export function staleHosts(v: SourceView, nowSeconds: number, staleSeconds: number): number {
  return below(v.lastSeen, nowSeconds - staleSeconds) + v.lastSeenUnknown;
}
