// Resource records as text, and blackbox_exporter's checks of a DNS response section on that text.
// The text is the zone-file presentation dig and Go's miekg/dns print
// ("example.org.\t300\tIN\tA\t192.0.2.1"), so that regexps written for blackbox_exporter work as is.
import type { Answer } from 'dns-packet';
import { userRegex } from '../core/regex.js';
import type { RRValidator } from './config.js';

/** A name with its trailing dot; the root is ".". */
export function fqdn(name: string): string {
  return name === '' || name === '.' ? '.' : name.endsWith('.') ? name : `${name}.`;
}

function quoted(b: Buffer | string): string {
  const s = typeof b === 'string' ? b : b.toString('latin1');
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, (c) => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`)}"`;
}

function rdata(rr: Answer): string {
  const d = (rr as { data?: unknown }).data;
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      return String(d);
    case 'CNAME':
    case 'DNAME':
    case 'NS':
    case 'PTR':
      return fqdn(String(d));
    case 'MX': {
      const mx = d as { preference?: number; exchange: string };
      return `${mx.preference ?? 0} ${fqdn(mx.exchange)}`;
    }
    case 'SRV': {
      const srv = d as { priority?: number; weight?: number; port?: number; target: string };
      return `${srv.priority ?? 0} ${srv.weight ?? 0} ${srv.port ?? 0} ${fqdn(srv.target)}`;
    }
    case 'SOA': {
      const s = d as { mname: string; rname: string; serial?: number; refresh?: number; retry?: number; expire?: number; minimum?: number };
      return `${fqdn(s.mname)} ${fqdn(s.rname)} ${s.serial ?? 0} ${s.refresh ?? 0} ${s.retry ?? 0} ${s.expire ?? 0} ${s.minimum ?? 0}`;
    }
    case 'TXT': {
      const parts = Array.isArray(d) ? d : [d as Buffer | string];
      return parts.map(quoted).join(' ');
    }
    case 'CAA': {
      const c = d as { flags?: number; tag: string; value: string };
      return `${c.flags ?? 0} ${c.tag} ${quoted(c.value)}`;
    }
    default:
      // RFC 3597's generic form for the types printed by neither.
      return Buffer.isBuffer(d) ? `\\# ${d.length} ${d.toString('hex')}` : JSON.stringify(d);
  }
}

export function formatRR(rr: Answer): string {
  const ttl = (rr as { ttl?: number }).ttl ?? 0;
  const cls = (rr as { class?: string }).class ?? 'IN';
  return `${fqdn(rr.name)}\t${ttl}\t${cls}\t${rr.type}\t${rdata(rr)}`;
}

export interface CompiledValidator {
  failIfMatches: ReturnType<typeof userRegex>[];
  failIfNotMatches: ReturnType<typeof userRegex>[];
  failIfAllMatch: ReturnType<typeof userRegex>[];
  failIfNoneMatches: ReturnType<typeof userRegex>[];
}

export function compileValidator(v: RRValidator): CompiledValidator {
  return {
    failIfMatches: v.fail_if_matches_regexp.map(userRegex),
    failIfNotMatches: v.fail_if_not_matches_regexp.map(userRegex),
    failIfAllMatch: v.fail_if_all_match_regexp.map(userRegex),
    failIfNoneMatches: v.fail_if_none_matches_regexp.map(userRegex),
  };
}

/**
 * Why the records fail the checks, or undefined when they pass; blackbox_exporter's validRRs:
 * fail_if_matches: some record matches one; fail_if_not_matches: some record misses one (or there is
 * no record); fail_if_all_match: every record matches all of them (an empty section too, as there);
 * fail_if_none_matches: no record matches any of them (or there is no record).
 */
export function rrProblem(records: string[], v: CompiledValidator): string | undefined {
  if (records.length === 0 && (v.failIfNotMatches.length > 0 || v.failIfNoneMatches.length > 0))
    return 'no record, and a match is required';
  for (const re of v.failIfMatches) {
    const hit = records.find((r) => re.test(r));
    if (hit !== undefined) return `${JSON.stringify(hit)} matches ${re.source}`;
  }
  for (const re of v.failIfNotMatches) {
    const miss = records.find((r) => !re.test(r));
    if (miss !== undefined) return `${JSON.stringify(miss)} does not match ${re.source}`;
  }
  const all = v.failIfAllMatch;
  if (all.length > 0 && records.every((r) => all.every((re) => re.test(r))))
    return `every record matches ${all.map((re) => re.source).join(' and ')}`;
  const none = v.failIfNoneMatches;
  if (none.length > 0 && !records.some((r) => none.some((re) => re.test(r))))
    return `no record matches ${none.map((re) => re.source).join(' or ')}`;
  return undefined;
}
