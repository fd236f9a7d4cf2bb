// One host as an asset inventory reports it, normalised so that records from different tools compare:
// names lower-cased, MACs as aa:bb:cc:dd:ee:ff, IPs validated, times as epoch seconds, the OS reduced to
// an os-release style id and a major version (see os.ts). The parsers build these; nothing here keeps
// the vendor's raw text beyond the capped strings.
import { isIP } from 'node:net';
import { normaliseOs } from './os.js';

export type InventoryFormat = 'qualys_xml' | 'qualys_csv' | 'crowdstrike_json';

export interface InventoryRecord {
  /** The vendor's own id of the asset (Qualys host ID, Falcon device_id), scoped to the source. */
  vendorId?: string;
  /** Short host name (first DNS label), lower-case. */
  hostname?: string;
  /** Domain part of the FQDN, lower-case, when the record has one. */
  domain?: string;
  /** Internal addresses only: external/NAT addresses are shared by many hosts and never identify one. */
  ips: string[];
  macs: string[];
  os: string;
  osVersion: string;
  platform: string;
  /** Epoch seconds; NaN when the tool did not say. */
  firstSeen: number;
  lastSeen: number;
  agentVersion?: string;
}

/** Longest value kept from any field: vendor fields are short, anything longer is not a name. */
export const MAX_FIELD_CHARS = 255;

function clean(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t === '' || t === '-' || t.length > MAX_FIELD_CHARS) return undefined;
  return t;
}

// Names that many unrelated hosts share (installer defaults, placeholders): never a merge key.
const GENERIC_NAMES = new Set(['localhost', 'localhost.localdomain', 'ubuntu', 'debian', 'unknown', 'none', 'null', 'n/a']);
const HOSTNAME_RE = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;

/** Splits a host name or FQDN into a short name and a domain; undefined for anything not a DNS name. */
export function normaliseName(raw: string | undefined): { hostname?: string; domain?: string } {
  const v = clean(raw)?.toLowerCase();
  if (!v || !HOSTNAME_RE.test(v) || isIP(v) !== 0) return {};
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  if (GENERIC_NAMES.has(name)) return {};
  const dot = name.indexOf('.');
  if (dot < 0) return { hostname: name };
  const hostname = name.slice(0, dot);
  if (GENERIC_NAMES.has(hostname)) return {};
  return { hostname, domain: name.slice(dot + 1) };
}

/** aa:bb:cc:dd:ee:ff from any of the usual spellings (00-50-56-A1-B2-C3, 0050.56a1.b2c3, 005056a1b2c3). */
export function normaliseMac(raw: string | undefined): string | undefined {
  const v = clean(raw);
  if (!v) return undefined;
  const hex = v.replace(/[-:.\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  // All-zero and broadcast addresses are placeholders, shared by every host that reports them.
  if (hex === '000000000000' || hex === 'ffffffffffff') return undefined;
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** A valid IPv4/IPv6 address (IPv6 lower-cased), else undefined. Unspecified and loopback are dropped. */
export function normaliseIp(raw: string | undefined): string | undefined {
  const v = clean(raw)?.toLowerCase();
  if (!v || isIP(v) === 0) return undefined;
  if (v === '0.0.0.0' || v === '::' || v.startsWith('127.') || v === '::1') return undefined;
  return v;
}

/** ISO 8601 (what Qualys and Falcon write) or epoch seconds to epoch seconds; NaN when absent or invalid. */
export function parseTime(raw: string | undefined): number {
  const v = clean(raw);
  if (!v) return NaN;
  if (/^\d{9,10}$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : NaN;
}

/** Fields as the parsers collect them, before normalisation. */
export interface RawFields {
  vendorId?: string;
  names: (string | undefined)[];
  ips: (string | undefined)[];
  macs: (string | undefined)[];
  os?: string;
  osHint?: string;
  platform?: string;
  firstSeen?: string[];
  lastSeen?: string[];
  agentVersion?: string;
}

function maxTime(values: string[] | undefined, pick: (a: number, b: number) => number): number {
  let out = NaN;
  for (const v of values ?? []) {
    const t = parseTime(v);
    if (!Number.isNaN(t)) out = Number.isNaN(out) ? t : pick(out, t);
  }
  return out;
}

/** Builds a normalised record; the first valid name wins (parsers pass them in order of trust). */
export function normaliseRecord(raw: RawFields): InventoryRecord {
  let name: { hostname?: string; domain?: string } = {};
  for (const n of raw.names) {
    const candidate = normaliseName(n);
    if (candidate.hostname && !name.hostname) name = candidate;
    else if (candidate.hostname === name.hostname && candidate.domain && !name.domain) name = candidate;
  }
  const ips = unique(raw.ips.map(normaliseIp));
  const macs = unique(raw.macs.map(normaliseMac));
  const os = normaliseOs(clean(raw.os), clean(raw.osHint), clean(raw.platform));
  return {
    vendorId: clean(raw.vendorId),
    hostname: name.hostname,
    domain: name.domain,
    ips,
    macs,
    os: os.id,
    osVersion: os.version,
    platform: os.platform,
    firstSeen: maxTime(raw.firstSeen, Math.min),
    lastSeen: maxTime(raw.lastSeen, Math.max),
    agentVersion: clean(raw.agentVersion),
  };
}

function unique(values: (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== undefined && !out.includes(v)) out.push(v);
  return out;
}

/** Whether a record can be told apart from others at all (a record with no key is counted, not merged). */
export function hasKey(r: InventoryRecord): boolean {
  return r.vendorId !== undefined || r.hostname !== undefined || r.macs.length > 0 || r.ips.length > 0;
}
