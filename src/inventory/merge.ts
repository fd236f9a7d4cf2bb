// De-duplication of the hosts of every source into one fleet. The merge rules (also in README.md,
// "Asset inventory"):
//   1. Keys, tried in this order; the first that names a known host decides:
//      a. the vendor's asset id (Qualys ID, Falcon device_id), within its own source only (kept as a
//         key only for records without a MAC: a MAC is as stable, and also matches across tools);
//      b. a MAC address (universally administered only: random and virtual MACs change and repeat);
//      c. the short host name, lower-cased, unless both records have a domain and they differ
//         (web1.dc1.example.com and web1.dc2.example.com stay two hosts);
//      d. an internal IP address, only when one of the two has no host name and not both have MACs
//         (addresses are reused: an IP never merges two named hosts).
//   2. A record that matches no key is a new host; its keys are then claimed for it (a key already
//      claimed by another host stays with that host: no chain merges).
//   3. When sources disagree, per source the freshest record (latest last seen) gives the OS; for the
//      fleet view, first seen is the earliest and last seen the latest over all sources, and the OS comes
//      from the source that saw the host last (ties: the source listed first in the config).
// Memory: per host a few typed-array columns (14 bytes + 12 per source: times as uint32 epoch seconds,
// 0 = unknown) and its keys in KeyIndex (12 bytes a slot, three or four keys a host).
import { fingerprint, KeyIndex } from './key-index.js';
import type { InventoryRecord } from './record.js';
import { OsTable } from './os-table.js';

const HAS_NAME = 1;
const HAS_MAC = 2;

/** A typed-array column that grows with the host count. */
class Column<T extends Uint32Array | Int32Array | Uint8Array> {
  constructor(
    public data: T,
    private readonly fill: number,
  ) {
    data.fill(fill);
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    const next = new (this.data.constructor as new (n: number) => T)(Math.max(n, Math.ceil(this.data.length * 1.5)));
    next.set(this.data);
    next.fill(this.fill, this.data.length);
    this.data = next;
  }
}

const u32 = () => new Column(new Uint32Array(1024), 0);
const i32 = (fill: number) => new Column(new Int32Array(1024), fill);
const u8 = () => new Column(new Uint8Array(1024), 0);

interface SourceColumns {
  first: Column<Uint32Array>;
  last: Column<Uint32Array>;
  os: Column<Int32Array>;
}

export interface MergeCounts {
  records: number;
  /** Records that matched a host already reported by the same source. */
  sameSource: number;
  /** Records that matched a host so far reported only by other sources. */
  crossSource: number;
  /** Records beyond max_hosts: not counted (memory stays bounded whatever the files hold). */
  dropped: number;
}

/** The merged fleet, column by column; read by aggregate.ts. */
export interface MergedHosts {
  count: number;
  sources: string[];
  /** Bit s set: source s reported the host. */
  present: Uint8Array;
  /** Epoch seconds, 0 = unknown. */
  first: Uint32Array[];
  last: Uint32Array[];
  os: Int32Array[];
  osTable: OsTable;
  /** Short-name, domain and first-IP fingerprints (0: none), for the comparison with what Prometheus scrapes. */
  nameHash: Uint32Array;
  domainHash: Uint32Array;
  ipHash: Uint32Array;
  counts: MergeCounts;
}

export class Merger {
  private readonly keys = new KeyIndex();
  private readonly present = u8();
  private readonly flags = u8();
  private readonly domain = u32();
  private readonly nameHash = u32();
  private readonly ipHash = u32();
  private readonly cols: SourceColumns[];
  readonly osTable = new OsTable();
  private hosts = 0;
  readonly counts: MergeCounts = { records: 0, sameSource: 0, crossSource: 0, dropped: 0 };

  constructor(
    readonly sources: string[],
    private readonly maxHosts: number,
  ) {
    if (sources.length > 8) throw new Error('at most 8 inventory sources');
    this.cols = sources.map(() => ({ first: u32(), last: u32(), os: i32(-1) }));
  }

  /** `macs`: the record's universally administered MACs, the only ones that are keys. */
  private find(r: InventoryRecord, source: number, macs: string[]): number {
    if (r.vendorId !== undefined && macs.length === 0) {
      const h = this.keys.get(`v${source}:${r.vendorId}`);
      if (h >= 0) return h;
    }
    for (const mac of macs) {
      const h = this.keys.get(`m:${mac}`);
      if (h >= 0) return h;
    }
    if (r.hostname !== undefined) {
      const h = this.keys.get(`n:${r.hostname}`);
      if (h >= 0) {
        const d = this.domain.data[h];
        if (r.domain === undefined || d === 0 || d === domainHash(r.domain)) return h;
      }
    }
    for (const ip of r.ips) {
      const h = this.keys.get(`i:${ip}`);
      if (h < 0) continue;
      const f = this.flags.data[h];
      const namesOk = r.hostname === undefined || (f & HAS_NAME) === 0;
      const macsOk = macs.length === 0 || (f & HAS_MAC) === 0;
      if (namesOk && macsOk) return h;
    }
    return -1;
  }

  private claim(r: InventoryRecord, source: number, macs: string[], h: number): void {
    for (const mac of macs) this.keys.claim(`m:${mac}`, h);
    if (r.vendorId !== undefined && macs.length === 0) this.keys.claim(`v${source}:${r.vendorId}`, h);
    if (r.hostname !== undefined) this.keys.claim(`n:${r.hostname}`, h);
    for (const ip of r.ips) this.keys.claim(`i:${ip}`, h);
  }

  private newHost(): number {
    const h = this.hosts++;
    const n = this.hosts;
    for (const c of [this.present, this.flags, this.domain, this.nameHash, this.ipHash]) c.ensure(n);
    for (const c of this.cols) {
      c.first.ensure(n);
      c.last.ensure(n);
      c.os.ensure(n);
    }
    return h;
  }

  add(r: InventoryRecord, source: number): void {
    const macs = r.macs.length === 0 ? r.macs : r.macs.filter(universal);
    let h = this.find(r, source, macs);
    if (h < 0) {
      if (this.hosts >= this.maxHosts) {
        this.counts.dropped++;
        return;
      }
      h = this.newHost();
    } else if (this.present.data[h] & (1 << source)) {
      this.counts.sameSource++;
    } else {
      this.counts.crossSource++;
    }
    this.counts.records++;
    this.claim(r, source, macs, h);
    if (r.hostname !== undefined) {
      this.flags.data[h] |= HAS_NAME;
      if (this.nameHash.data[h] === 0) this.nameHash.data[h] = fingerprint(r.hostname);
    }
    if (macs.length > 0) this.flags.data[h] |= HAS_MAC;
    if (r.domain !== undefined && this.domain.data[h] === 0) this.domain.data[h] = domainHash(r.domain);
    if (r.ips.length > 0 && this.ipHash.data[h] === 0) this.ipHash.data[h] = fingerprint(r.ips[0]);

    const c = this.cols[source];
    const seen = (this.present.data[h] & (1 << source)) !== 0;
    this.present.data[h] |= 1 << source;
    const firstSeen = epoch(r.firstSeen);
    const first = c.first.data[h];
    if (firstSeen !== 0 && (first === 0 || firstSeen < first)) c.first.data[h] = firstSeen;
    // The freshest record of this source gives its OS; a record without last seen never replaces one with.
    const lastSeen = epoch(r.lastSeen);
    const fresher = lastSeen > c.last.data[h];
    if (!seen || fresher) c.os.data[h] = this.osTable.intern(r.os, r.osVersion);
    if (fresher) c.last.data[h] = lastSeen;
  }

  /** The merged fleet; the key index is dropped with the Merger (it is only needed while importing). */
  result(): MergedHosts {
    const n = this.hosts;
    return {
      count: n,
      sources: this.sources,
      present: this.present.data.subarray(0, n),
      first: this.cols.map((c) => c.first.data.subarray(0, n)),
      last: this.cols.map((c) => c.last.data.subarray(0, n)),
      os: this.cols.map((c) => c.os.data.subarray(0, n)),
      osTable: this.osTable,
      nameHash: this.nameHash.data.subarray(0, n),
      domainHash: this.domain.data.subarray(0, n),
      ipHash: this.ipHash.data.subarray(0, n),
      counts: { ...this.counts },
    };
  }
}

/** Universally administered, unicast: the second-least significant bit of the first octet is 0. */
function universal(mac: string): boolean {
  const first = parseInt(mac.slice(0, 2), 16);
  return (first & 0x03) === 0;
}

/** A non-zero 32-bit hash of a domain (0 means "no domain" in the column). */
export function domainHash(d: string): number {
  return fingerprint(d);
}

/** Epoch seconds as stored in the uint32 columns: 0 for unknown (NaN) or before 1970. */
function epoch(seconds: number): number {
  return seconds > 0 ? Math.min(Math.floor(seconds), 0xffffffff) : 0;
}
